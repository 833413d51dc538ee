"""Store a parsed document idempotently: postmortem metadata, items matched by identity, links, events."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.config import Config
from tracker.deadlines import parse_deadline
from tracker.errors import InputError
from tracker.history import Actor, apply_change, as_text, record
from tracker.importing.drafts import ItemDraft, ParsedDocument
from tracker.importing.fingerprints import Candidate, draft_fingerprints, match
from tracker.importing.links import item_refs, link_refs
from tracker.importing.metadata import normalise_severity
from tracker.importing.moved import moved_postmortem
from tracker.importing.parser import resolve_slug
from tracker.importing.results import DocumentResult, ItemOutcome
from tracker.models import ActionItem, Event, Postmortem, utcnow
from tracker.people import OwnerResolver
from tracker.states import BEFORE_TRACKING
from tracker.statuses import Status

SOURCE = "document"
_DATED_NAME = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_INITIAL = {"status": Status.OPEN.value}  # what a new item holds before the document's values are applied
REMOTE_SOURCES = ("github", "jira")
# Fields whose change makes an item "updated"; position and line numbers only move.
CONTENT_FIELDS = (
    "title",
    "title_text",
    "description",
    "owner_text",
    "owner_person",
    "owner_team",
    "deadline_text",
    "deadline",
    "status",
    "status_text",
    "priority",
    "route",
    "tracking_ref",
    "removed_at",
    "push",
    "link",
)


@dataclass
class Values:
    """The values a draft asks for, normalised."""

    title: str
    title_text: str
    description: str | None
    owner_text: str | None
    owner_person: str | None
    owner_team: str | None
    deadline_text: str | None
    deadline: date | None
    status: str
    status_text: str | None
    priority: str | None
    route: str | None


_CONFIDENTIAL = re.compile(
    r"^(?:yes|true|y|1|confidential|internal|restricted|private|secret)\b", re.IGNORECASE
)


def is_confidential(extra: dict[str, Any]) -> bool:
    """A "Confidential: yes" / "Classification: internal" field keeps items out of public repositories."""
    return any(
        isinstance(extra.get(key), str) and bool(_CONFIDENTIAL.match(extra[key].strip()))
        for key in ("confidential", "confidentiality", "classification", "visibility")
    )


def reference_day(postmortem: Postmortem, today: date) -> date:
    """The day a year-less deadline ("Jul 15") is read against: the incident, else the first import, so
    the same text keeps meaning the same day on every re-import."""
    if postmortem.incident_date is not None:
        return postmortem.incident_date
    return postmortem.created_at.date() if postmortem.created_at is not None else today


def document_day(postmortem: Postmortem, name: str | None) -> date | None:
    """The day a postmortem's items begin: its incident's date, else a date in its file name or slug."""
    if postmortem.incident_date is not None:
        return postmortem.incident_date
    return _name_day(name, postmortem.slug)


def _name_day(*texts: str | None) -> date | None:
    """The first valid YYYY-MM-DD date in a file name or slug."""
    for text in texts:
        found = _DATED_NAME.search(Path(text).name if text else "")
        if found:
            try:
                return date(int(found[1]), int(found[2]), int(found[3]))
            except ValueError:
                continue
    return None


def life_start(config: Config, postmortem: Postmortem, name: str | None, now: datetime) -> datetime:
    """When the items of a postmortem's first import begin: the start of its document's day in
    [org] timezone (never after now), so a report does not date the work from the import."""
    day = document_day(postmortem, name)
    if day is None:
        return now
    start = datetime(day.year, day.month, day.day, tzinfo=config.org.zone)
    return min(start, now)


def _values(draft: ItemDraft, resolver: OwnerResolver, reference: date) -> Values:
    resolution = resolver.resolve(draft.owner_text)
    deadline = parse_deadline(draft.deadline_text, reference)
    status = draft.status or Status.OPEN
    return Values(
        title=draft.title,
        title_text=draft.title_text,
        description=draft.description,
        owner_text=draft.owner_text,
        owner_person=resolution.person,
        owner_team=resolution.team,
        deadline_text=draft.deadline_text,
        deadline=deadline.date,
        status=status.value,
        status_text=draft.status_text,
        priority=draft.priority,
        route=draft.route,
    )


def _document_base(session: Session, item_ids: list[int]) -> dict[tuple[int, str], str | None]:
    """The last value the document gave each item field: a field the document did not change since is left
    alone, so a manual or remote edit survives re-importing an unchanged document."""
    base: dict[tuple[int, str], str | None] = {}
    if not item_ids:
        return base
    rows = session.execute(
        select(Event.item_id, Event.field, Event.new)
        .where(Event.item_id.in_(item_ids), Event.source == SOURCE)
        .order_by(Event.id)
    )
    for row in rows:
        item_id = int(row.item_id)
        base[(item_id, "title" if row.field == "created" else row.field)] = row.new
        base.setdefault((item_id, "*"), None)  # the item came from a document
    return base


class Importer:
    """Applies one parsed document to the database inside the caller's transaction."""

    def __init__(
        self, session: Session, config: Config, resolver: OwnerResolver, actor: Actor, today: date
    ) -> None:
        self.session = session
        self.config = config
        self.resolver = resolver
        self.actor = actor
        self.today = today
        self._start = utcnow()  # when the items created by this run begin (see `run`)

    def run(
        self,
        parsed: ParsedDocument,
        *,
        historical: bool = False,
        slug: str | None = None,
        source_path: str | None = None,
        content_hash: str | None = None,
        allow_empty: bool = False,
    ) -> DocumentResult:
        """Import one document; InputError (nothing written) when it would clobber another document's
        postmortem or silently empty one that has items."""
        result = DocumentResult(file=parsed.name, warnings=list(parsed.warnings))
        result.slug = resolve_slug(parsed, slug)
        postmortem = self.session.scalar(
            select(Postmortem)
            .where(Postmortem.slug == result.slug)
            .options(selectinload(Postmortem.items).selectinload(ActionItem.links))
        )
        merged = False
        if postmortem is None:
            postmortem, merged = moved_postmortem(self.session, result.slug, source_path)
            if postmortem is not None:
                why = "was merged into" if merged else "is now"
                result.warnings.append(
                    f"{result.slug} {why} {postmortem.slug}: the document updates {postmortem.slug}"
                )
                result.slug = postmortem.slug
        if postmortem is None:
            postmortem = Postmortem(slug=result.slug, title=result.slug, services=[], extra={})
            self.session.add(postmortem)
            result.created = True
        elif not merged:
            self._refuse_clobbering(postmortem, parsed, source_path, allow_empty)
        if not merged:  # a merged postmortem keeps its own document's metadata
            self._metadata(postmortem, parsed, historical, source_path, content_hash)
        self.session.flush()
        result.title = postmortem.title
        # Items of a first import begin at the document's date; items added later, when first seen.
        now = utcnow()
        self._start = life_start(self.config, postmortem, parsed.name, now) if result.created else now
        self._items(postmortem, parsed, result, remove=not merged)
        from tracker.policy import apply_deadline_policy  # issue 9: default deadlines by severity

        apply_deadline_policy(self.session, self.config, postmortem, self.actor, self.today, result)
        return result

    def _refuse_clobbering(
        self, postmortem: Postmortem, parsed: ParsedDocument, source_path: str | None, allow_empty: bool
    ) -> None:
        other = postmortem.source_path
        if other and source_path and other != source_path and Path(other).exists():
            raise InputError(
                f"{parsed.name}: slug {postmortem.slug!r} already belongs to {other}",
                hint="give this document its own `slug:` in its front matter (or --slug)",
            )
        live = [item for item in postmortem.items if item.removed_at is None]
        if not parsed.items and live and not allow_empty:
            raise InputError(
                f"{parsed.name}: no action items found, but {postmortem.slug} has {len(live)}: "
                "refusing to mark them all removed",
                hint="check the action-items heading; if the items really are gone, import with --allow-empty",
            )

    def _metadata(
        self,
        postmortem: Postmortem,
        parsed: ParsedDocument,
        historical: bool,
        source_path: str | None,
        content_hash: str | None,
    ) -> None:
        meta = parsed.meta
        postmortem.title = meta.title or postmortem.title
        # No date in the document: the one in its file name or slug, as for its items' start.
        postmortem.incident_date = meta.incident_date or _name_day(parsed.name, postmortem.slug)
        postmortem.duration = meta.duration
        postmortem.severity_text = meta.severity_text
        postmortem.severity = normalise_severity(meta.severity_text)
        postmortem.services = list(meta.services)
        postmortem.detection = meta.detection
        postmortem.commander = meta.commander
        if meta.review_date is not None:
            postmortem.review_date, postmortem.review_date_source = meta.review_date, "document"
        elif postmortem.incident_date is not None:
            days = self.config.org.review_after_days
            postmortem.review_date = postmortem.incident_date + timedelta(days=days)
            postmortem.review_date_source = "default"
        else:
            postmortem.review_date, postmortem.review_date_source = None, None
        if source_path is not None:
            postmortem.source_path = source_path
        postmortem.content_hash = content_hash
        postmortem.historical = bool(postmortem.historical) or historical
        extra = dict(meta.extra)
        if meta.date_text and meta.incident_date is None:
            extra["date"] = meta.date_text
        postmortem.extra = extra
        postmortem.confidential = bool(postmortem.confidential) or is_confidential(extra)

    def _items(
        self, postmortem: Postmortem, parsed: ParsedDocument, result: DocumentResult, remove: bool = True
    ) -> None:
        existing = list(postmortem.items)
        by_id = {item.id: item for item in existing}
        candidates = [
            Candidate(item.id, item.fingerprint, item.title, item.position, frozenset(item_refs(item)))
            for item in existing
        ]
        fingerprints = draft_fingerprints(parsed.items)
        matched = match(parsed.items, fingerprints, candidates)
        base = _document_base(self.session, [item.id for item in existing])
        reference = reference_day(postmortem, self.today)
        # Free the fingerprints that move before any is reused (the unique constraint checks every row).
        moving = [
            (by_id[key], fingerprints[i])
            for i, key in matched.items()
            if by_id[key].fingerprint != fingerprints[i]
        ]
        if moving:
            originals = {item.id: item.fingerprint for item, _ in moving}
            for item, _ in moving:
                item.fingerprint = f"moving-{item.id}"
            self.session.flush()
            for item, _ in moving:
                item.fingerprint = originals[item.id]
        taken = {item.fingerprint for item in existing} | {fp for _, fp in moving}
        for index, draft in enumerate(parsed.items):
            values = _values(draft, self.resolver, reference)
            key = matched.get(index)
            if key is None:
                value = fingerprints[index]
                suffix = 2
                while value in taken:  # an unmatched old item keeps its fingerprint (another link)
                    value = f"{fingerprints[index]}~{suffix}"
                    suffix += 1
                taken.add(value)
                outcome = self._create(postmortem, draft, values, value, index, parsed)
            else:
                outcome = self._update(by_id[key], draft, values, fingerprints[index], index, base, parsed)
            result.items.append(outcome)
        kept = set(matched.values())
        for item in existing:
            if item.id in kept or item.removed_at is not None:
                continue
            # Only what a document brought can leave with it: items added by hand (`tracker add`), and
            # in a merged postmortem the other documents' items, are not this document's to remove.
            if not remove or (item.id, "*") not in base:
                continue
            apply_change(self.session, item, "removed_at", utcnow(), source=SOURCE, actor=self.actor)
            result.items.append(
                ItemOutcome(
                    "removed",
                    item.title,
                    item.source_line,
                    item.id,
                    item.status,
                    item.push,
                    notes=["no longer in the document; kept and marked removed"],
                )
            )

    def _create(
        self,
        postmortem: Postmortem,
        draft: ItemDraft,
        values: Values,
        value: str,
        index: int,
        parsed: ParsedDocument,
    ) -> ItemOutcome:
        closed = Status(values.status).is_closed
        push = not (closed or postmortem.historical)
        start = self._start
        item = ActionItem(
            postmortem=postmortem,
            fingerprint=value,
            position=index,
            source_line=draft.source_line,
            title=values.title,
            status=Status.OPEN.value,
            push=push,
            created_at=start,
        )
        self.session.add(item)
        self.session.flush()
        # The document's values hold from the item's start: they are what the document says then.
        record(
            self.session,
            item,
            "created",
            None,
            values.title,
            source=SOURCE,
            actor=self.actor,
            occurred_at=start,
        )
        outcome = ItemOutcome("new", values.title, draft.source_line, item.id, values.status, push)
        for name in (
            "title_text",
            "description",
            "owner_text",
            "owner_person",
            "owner_team",
            "deadline_text",
            "deadline",
            "status",
            "status_text",
            "priority",
            "route",
        ):
            apply_change(
                self.session,
                item,
                name,
                getattr(values, name),
                source=SOURCE,
                actor=self.actor,
                occurred_at=start,
                note=BEFORE_TRACKING if name == "status" and closed else None,
            )
        item.status_source = SOURCE
        if values.deadline is not None:
            item.deadline_source, item.first_deadline = SOURCE, values.deadline
        if closed:
            # Closed before it was tracked: when is unknown, so it has no close time (counted as done,
            # left out of on-time and days to done; docs/report.md).
            item.done_at = None
            outcome.notes.append(f"already {values.status} in the document: recorded, never pushed")
        elif postmortem.historical:
            outcome.notes.append("historical: never pushed")
        link_refs(self.session, self.config, self.actor, item, draft, outcome)
        return outcome

    def _update(
        self,
        item: ActionItem,
        draft: ItemDraft,
        values: Values,
        value: str,
        index: int,
        base: dict[tuple[int, str], str | None],
        parsed: ParsedDocument,
    ) -> ItemOutcome:
        outcome = ItemOutcome("unchanged", values.title, draft.source_line, item.id)
        changes: dict[str, tuple[Any, Any]] = {}

        def change(name: str, new: Any) -> None:
            old = getattr(item, name)
            if apply_change(self.session, item, name, new, source=SOURCE, actor=self.actor):
                changes[name] = (old, new)

        def doc_changed(name: str, new: Any) -> bool:
            key = (item.id, name)
            if key in base:
                return as_text(new) != base[key]
            if (item.id, "*") in base:  # imported before: the field kept its initial value
                return as_text(new) != _INITIAL.get(name)
            return as_text(new) != as_text(getattr(item, name))  # added by hand: the document adopts it

        if item.removed_at is not None:
            change("removed_at", None)
            outcome.notes.append("back in the document: restored")
        change("fingerprint", value)
        change("position", index)
        change("source_line", draft.source_line)
        for name in ("title", "title_text"):
            if doc_changed(name, getattr(values, name)):
                change(name, getattr(values, name))
        change("description", values.description)
        change("priority", values.priority)
        change("route", values.route)
        if doc_changed("owner_text", values.owner_text):
            if values.owner_text != item.owner_text:
                change("owner_text", values.owner_text)
                change("owner_person", values.owner_person)
                change("owner_team", values.owner_team)
        elif item.owner_text == values.owner_text and (item.owner_person, item.owner_team) != (
            values.owner_person,
            values.owner_team,
        ):
            change("owner_person", values.owner_person)  # [people] changed: resolve again
            change("owner_team", values.owner_team)
        if doc_changed("deadline_text", values.deadline_text):
            same_day = values.deadline == item.deadline and values.deadline is not None
            if not same_day or item.deadline_source in (None, SOURCE):
                change("deadline_text", values.deadline_text)
                change("deadline", values.deadline)
                if "deadline" in changes:
                    item.deadline_source = SOURCE if values.deadline else None
                    if values.deadline is not None and item.first_deadline is None:
                        item.first_deadline = values.deadline
        self._status(item, values, doc_changed, change, outcome)
        if item.postmortem.historical and item.push:
            change("push", False)
        link_refs(self.session, self.config, self.actor, item, draft, outcome, changes)
        outcome.changes = {k: v for k, v in changes.items() if k in CONTENT_FIELDS}
        if outcome.changes:
            outcome.action = "updated"
        outcome.status, outcome.push = item.status, item.push
        return outcome

    def _status(
        self, item: ActionItem, values: Values, doc_changed: Any, change: Any, outcome: ItemOutcome
    ) -> None:
        if not (doc_changed("status", values.status) or doc_changed("status_text", values.status_text)):
            return
        if values.status == item.status:
            if item.status_source in (None, SOURCE):
                change("status_text", values.status_text)
            return
        linked = any(link.state == "linked" for link in item.links)
        if item.status_source in REMOTE_SOURCES or linked:
            outcome.notes.append(
                f"status in the document is {values.status_text or values.status!r} but the item's status "
                f"comes from {item.status_source or 'its issue'} ({item.status}): not applied"
            )
            return
        change("status", values.status)
        change("status_text", values.status_text)
        item.status_source = SOURCE
        item.done_at = utcnow() if Status(values.status).is_closed else None
