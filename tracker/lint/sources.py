"""Turn parsed documents and database rows into lint items, and lint paths or the database in one call."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.errors import InputError
from tracker.lint.engine import run_rules
from tracker.lint.model import Finding, LintContext, LintItem
from tracker.lint.settings import LintSettings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tracker.config import Config
    from tracker.importing.drafts import ParsedDocument
    from tracker.importing.source import Skipped
    from tracker.lint.duplicates import DuplicateIndex
    from tracker.models import ActionItem
    from tracker.people import OwnerResolver


def _is_label(title_text: str | None) -> bool:
    return bool(title_text) and title_text.lstrip().startswith(("**", "__"))  # type: ignore[union-attr]


def items_from_document(document: ParsedDocument, path: str | None = None) -> list[LintItem]:
    """Lint items for every draft of a parsed document (no database needed)."""
    from tracker.importing.metadata import name_day
    from tracker.importing.parser import slug_from_name

    meta = document.meta
    slug = meta.slug or slug_from_name(document.name)
    # Year-less deadlines are read against the day import reads them against: the document's date,
    # else one in its file name or slug (a dated file name alone otherwise meant "from today" here).
    incident_date = meta.incident_date or name_day(document.name, slug)
    items = []
    for draft in document.items:
        label = _is_label(draft.title_text) and bool(draft.description)
        items.append(
            LintItem(
                title=draft.title,
                description=draft.description if label else None,
                title_is_label=label,
                owner_text=draft.owner_text,
                deadline_text=draft.deadline_text,
                status=draft.status.value if draft.status is not None else "open",
                postmortem=slug,
                incident_date=incident_date,
                review_date=meta.review_date,
                path=path or document.name,
                line=draft.source_line,
            )
        )
    return items


def first_seen(session: Session, item_ids: Iterable[int]) -> dict[int, datetime]:
    """When tracker first recorded each item: its earliest event's recorded time (not the backdated start)."""
    from sqlalchemy import func, select

    from tracker.models import Event

    wanted = list(item_ids)
    if not wanted:
        return {}
    seen: dict[int, datetime] = {}
    for start in range(0, len(wanted), 500):
        query = (
            select(Event.item_id, func.min(Event.recorded_at))
            .where(Event.item_id.in_(wanted[start : start + 500]))
            .group_by(Event.item_id)
        )
        seen.update({item_id: when for item_id, when in session.execute(query) if item_id is not None})
    return seen


def item_from_model(item: ActionItem, seen_at: datetime | None = None) -> LintItem:
    """A lint item for one database row (its postmortem and links loaded on access)."""
    postmortem = item.postmortem
    linked = any(link.state == "linked" for link in item.links)
    activity = [link.remote_updated_at for link in item.links if link.remote_updated_at is not None]
    return LintItem(
        title=item.title,
        description=item.description if _is_label(item.title_text) else None,
        title_is_label=_is_label(item.title_text) and bool(item.description),
        owner_text=item.owner_text,
        deadline_text=item.deadline_text,
        deadline=item.deadline,
        status=item.status,
        postmortem=postmortem.slug,
        incident_date=postmortem.incident_date,
        review_date=postmortem.review_date,
        path=postmortem.source_path,
        line=item.source_line,
        item_id=item.id,
        linked=linked,
        imported_at=item.created_at,
        first_seen_at=seen_at,
        last_activity=max(activity) if activity else None,
    )


def open_items(session: Session, exclude_postmortem: str | None = None) -> list[LintItem]:
    """Lint items for every open item in the database (optionally leaving one postmortem out)."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from tracker.models import ActionItem, Postmortem

    query = (
        select(ActionItem)
        .join(Postmortem)
        .where(ActionItem.status.in_(("open", "in_progress")), ActionItem.removed_at.is_(None))
        .options(selectinload(ActionItem.postmortem), selectinload(ActionItem.links))
        .order_by(Postmortem.slug, ActionItem.position, ActionItem.id)
    )
    if exclude_postmortem is not None:
        query = query.where(Postmortem.slug != exclude_postmortem)
    rows = list(session.scalars(query))
    seen = first_seen(session, [row.id for row in rows])
    return [item_from_model(row, seen.get(row.id)) for row in rows]


def make_context(
    config: Config, today: date, resolver: OwnerResolver | None = None, settings: LintSettings | None = None
) -> LintContext:
    """A rule context from the configuration: `[lint]` settings, owner resolution, whether [people] exists."""
    from dataclasses import replace

    from tracker.people import OwnerResolver

    if settings is None:
        settings = replace(
            LintSettings.from_mapping(config.lint), assignment_days=config.sync.assignment_days
        )
    return LintContext(
        today=today,
        settings=settings,
        resolver=resolver or OwnerResolver(config),
        people_configured=bool(config.people),
    )


def lint_database(
    session: Session,
    context: LintContext,
    item_ids: Iterable[int] | None = None,
    only: Iterable[str] | None = None,
) -> list[Finding]:
    """Findings for the database's open items, progress rules included (sync and report call this).

    With `item_ids`, only those items' findings are returned, but the rules still see every open item,
    so a postmortem's item count and cross-postmortem duplicates are judged on the whole database.
    """
    everything = open_items(session)
    context.others = everything
    context.from_database = True
    findings = run_rules(everything, context, only)
    if item_ids is None:
        return findings
    wanted = set(item_ids)
    return [finding for finding in findings if finding.item in wanted]


def lint_document(
    document: ParsedDocument,
    context: LintContext,
    session: Session | None = None,
    others: list[LintItem] | None = None,
    index: DuplicateIndex | None = None,
) -> list[Finding]:
    """Findings for one parsed document; with a session (or `others`, the database's open items
    already loaded, or `index`, them indexed once for a whole command), near-duplicates of other
    postmortems' open items too."""
    items = items_from_document(document)
    if index is not None:
        from tracker.lint.scope import use_index

        use_index(context, index)  # the rule leaves this document's own postmortem out
    elif others is not None:
        slug = items[0].postmortem if items else None
        context.others = [other for other in others if other.postmortem != slug]
    else:
        context.others = (
            open_items(session, exclude_postmortem=items[0].postmortem) if session and items else []
        )
    context.from_database = False
    return run_rules(items, context)


# A document that says it has no items ("No action items.", "N/A") is not an unread document.
_DECLARED_NONE = re.compile(
    r"^\s*(?:[-*+]\s+|\d+[.)]\s+|\|\s*)?(?:n/?a|none|nothing(?:\s+to\s+do)?|no(?:\s+(?:new|further|"
    r"additional))?\s+(?:action(?:\s+items?)?|actions|follow[- ]?ups?|remediation|corrective\s+actions?)"
    r"(?:\s+(?:are|were|is)?\s*(?:needed|required|identified|planned|necessary))?)\s*[.!]?\s*(?:\|\s*)*$",
    re.IGNORECASE | re.MULTILINE,
)


def says_it_has_none(document: ParsedDocument) -> bool:
    """True when the document states that it has no action items (in its action section, or on a line of its own)."""
    lines = document.text.splitlines()
    spans = document.sections or [(0, len(lines))]
    return any(_DECLARED_NONE.search("\n".join(lines[start:end])) for start, end in spans)


def _headings(text: str) -> list[str]:
    """The document's ATX headings, outside fenced code blocks (a shell comment is not a heading)."""
    headings, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,6}\s+\S", line):
            headings.append(line.strip("# ").strip())
    return headings


def document_findings(documents: Sequence[ParsedDocument], context: LintContext) -> list[Finding]:
    """Findings about whole documents: `no-action-items` for a document in which import found nothing."""
    from tracker.lint.registry import all_rules

    rule = all_rules()["no-action-items"]
    severity = context.settings.level(rule.id)
    if severity is None:
        return []
    findings = []
    for document in documents:
        if document.items or says_it_has_none(document):
            continue
        headings = _headings(document.text)
        seen = f"headings seen: {', '.join(repr(h) for h in headings[:8])}" if headings else "no headings"
        findings.append(
            Finding(
                rule=rule.id,
                category=rule.category,
                severity=severity,
                message=f"no action items found ({seen}), so nothing in it would be tracked",
                hint=rule.hint,
                path=document.name,
                postmortem=document.meta.slug or None,
                label=context.settings.label(rule.id),
            )
        )
    return findings


def read_documents(
    paths: Sequence[str], config: Config, skipped: list[Skipped] | None = None
) -> list[ParsedDocument]:
    """Parse each path with the importer's parser; folders are read as `tracker import` reads them (its
    *.md files, READMEs, index pages and templates left out and listed in `skipped`); '-' is stdin."""
    import sys

    from tracker.importing.parser import parse_document
    from tracker.importing.refs import jira_projects
    from tracker.importing.source import expand

    files: list[tuple[str, str]] = []
    for name, path in expand(tuple(paths), skipped):
        if path is None:
            files.append((name, sys.stdin.read()))
        elif path.is_file():
            files.append((name, _read(path)))
        else:
            raise InputError(
                f"{name}: no such file or folder", hint="give Markdown postmortems or folders of them"
            )
    projects = jira_projects(config.targets)
    return [parse_document(text, name, projects) for name, text in files]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
