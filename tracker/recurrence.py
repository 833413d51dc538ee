"""Recurrence: open items of earlier postmortems that the new incident's cause, services or items echo."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import ActionItem, Postmortem
from tracker.recurrence_text import Match, StillOpen

if TYPE_CHECKING:
    from tracker.importing.drafts import ParsedDocument

# Headings whose text describes why the incident happened (matched in lower case, as substrings).
CAUSE_HEADINGS = ("root cause", "cause", "contributing", "trigger", "what went wrong", "why")
ITEM_SIMILARITY = 0.45  # an item of the new postmortem repeats the old item (Jaccard of content words)
CAUSE_COVERAGE = (
    0.5  # half of the old item's content words appear in the new cause text (bench/recurrence_eval.py)
)
SERVICE_ITEM = 0.25  # with a shared service, weaker evidence is enough
SERVICE_COVERAGE = 0.4
MIN_WORDS = 3  # an old item of fewer content words says too little to match on text alone
EXTRA_KEY = "recurrence"  # where the matches are kept, in the postmortem's `extra`


@lru_cache(maxsize=1)
def _markdown() -> Any:
    """One parser for every document of a command (building it costs more than parsing a document)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


def cause_text(text: str, headings: tuple[str, ...] = CAUSE_HEADINGS) -> str:
    """The text under headings that describe the cause (root cause, contributing factors, ...)."""
    tokens_ = _markdown().parse(text)
    marks = [
        (int(t.tag[1]), t.map[0], tokens_[n + 1].content.lower())
        for n, t in enumerate(tokens_)
        if t.type == "heading_open" and t.map
    ]
    return _under(text.splitlines(), marks, headings)


def document_cause(parsed: ParsedDocument, headings: tuple[str, ...] = CAUSE_HEADINGS) -> str:
    """`cause_text` of an imported document, read from the tree its import parsed (a second parse of
    every document cost a third of recurrence). Front matter is blanked in that tree, so a front-matter
    line is never taken for a heading."""
    if parsed.tree is None:
        return cause_text(parsed.text, headings)
    marks = [
        (int(node.tag[1]), node.map[0], node.children[0].content.lower() if node.children else "")
        for node in parsed.tree.walk()
        if node.type == "heading" and node.map
    ]
    return _under(parsed.text.splitlines(), marks, headings)


def _under(lines: list[str], marks: list[tuple[int, int, str]], headings: tuple[str, ...]) -> str:
    """The lines under the cause headings among `marks` (level, first line, lower-cased title)."""
    chunks = []
    for index, (level, start, title) in enumerate(marks):
        if not any(word in title for word in headings) or "action" in title:
            continue
        end = next((s for lvl, s, _ in marks[index + 1 :] if lvl <= level), len(lines))
        chunks.append("\n".join(lines[start + 1 : end]))
    return "\n".join(chunks)


def score(
    old_title: str,
    old_services: set[str],
    new_titles: list[str],
    new_cause: frozenset[str],
    new_services: set[str],
) -> tuple[float, str] | None:
    """(score, why) when the old item matches the new incident, else None."""
    from tracker.lint.similarity import similarity, tokens  # lint's package loads only when matching

    best_item = max((similarity(old_title, t) for t in new_titles), default=0.0)
    return judge(best_item, cause_coverage(tokens(old_title), new_cause), sorted(old_services & new_services))


def cause_coverage(words: frozenset[str], new_cause: frozenset[str]) -> float:
    """The share of an old item's content words that the new cause text names (0 below MIN_WORDS)."""
    return len(words & new_cause) / len(words) if len(words) >= MIN_WORDS else 0.0


def judge(best_item: float, coverage: float, shared: list[str]) -> tuple[float, str] | None:
    """(score, why) from the best item similarity, the cause coverage and the shared services, else None."""
    reasons = []
    if best_item >= ITEM_SIMILARITY:
        reasons.append(f"an item of this postmortem repeats it ({best_item:.0%} the same words)")
    if coverage >= CAUSE_COVERAGE:
        reasons.append(f"the cause names {coverage:.0%} of its words")
    if shared and not reasons and (best_item >= SERVICE_ITEM or coverage >= SERVICE_COVERAGE):
        reasons.append(f"same service ({', '.join(shared)}) and {max(best_item, coverage):.0%} word overlap")
    if not reasons:
        return None
    return round(max(best_item, coverage) + (0.2 if shared else 0.0), 3), "; ".join(reasons)


# What both the scans here and `tracker.recurrence_index` read of an earlier item and its postmortem,
# by these names (one list, so that neither can read a column under another's position).
CANDIDATE_COLUMNS = (
    ActionItem.id.label("item_id"),
    ActionItem.position,
    Postmortem.slug,
    Postmortem.incident_date,
    Postmortem.services,
    ActionItem.title,
    ActionItem.owner_text,
    ActionItem.owner_team,
    ActionItem.deadline,
    ActionItem.status,
    ActionItem.done_at,
)


def _services(values: list[str] | None) -> set[str]:
    return {v.strip().lower() for v in values or [] if v.strip()}


class RecurrenceLookup(Protocol):
    """What `tracker import` keeps for a whole command instead of scanning per document
    (`tracker.recurrence_index.RecurrenceIndex`): the scans' answers for the same arguments."""

    def matches(
        self,
        session: Session,
        slug: str,
        incident_date: date | None,
        services: list[str],
        cause: str,
        item_titles: list[str],
    ) -> list[Match]: ...

    def same_service(
        self, session: Session, slug: str, incident_date: date | None, services: list[str], skip: set[int]
    ) -> list[StillOpen]: ...


def find_matches(
    session: Session,
    slug: str,
    incident_date: date | None,
    services: list[str],
    cause: str,
    item_titles: list[str],
) -> list[Match]:
    """Items of earlier postmortems open at this incident's date that its cause, services or items echo."""
    from sqlalchemy import or_

    # Plain columns, filtered in SQL: importing a folder of postmortems runs this once per document,
    # so it must not load every item as an ORM object each time.
    query = (
        select(*CANDIDATE_COLUMNS)
        .join(Postmortem)
        .where(Postmortem.slug != slug, ActionItem.removed_at.is_(None), ActionItem.status != "wont_do")
    )
    if incident_date is not None:
        query = query.where(Postmortem.incident_date < incident_date).where(
            or_(ActionItem.status.in_(("open", "in_progress")), ActionItem.done_at.is_not(None))
        )
    else:
        query = query.where(ActionItem.status.in_(("open", "in_progress")))
    from tracker.lint.similarity import tokens  # lint's package loads only when matching (not for reports)

    new_cause = tokens(cause)
    new_services = _services(services)
    found = []
    for row in session.execute(query):
        still_open = row.status in ("open", "in_progress") or (
            incident_date is not None and row.done_at is not None and row.done_at.date() > incident_date
        )
        if not still_open:
            continue
        result = score(row.title, _services(row.services), item_titles, new_cause, new_services)
        if result is None:
            continue
        found.append(
            Match(
                row.item_id,
                row.slug,
                row.title,
                row.owner_text,
                row.owner_team,
                row.deadline.isoformat() if row.deadline else None,
                result[0],
                result[1],
            )
        )
    return sorted(found, key=lambda m: (-m.score, m.postmortem, m.item_id))


def record_matches(
    session: Session, parsed: ParsedDocument, slug: str, index: RecurrenceLookup | None = None
) -> list[Match]:
    """Match a just-imported document and keep the matches in its postmortem's `extra` (for reports).

    With `index` (one per command: `tracker import` of a folder), the earlier items are looked up in it
    instead of scanned: the same matches (`tracker/recurrence_index.py`)."""
    postmortem = session.scalar(select(Postmortem).where(Postmortem.slug == slug))
    if postmortem is None:
        return []
    lookup = find_matches if index is None else index.matches
    matches = lookup(
        session,
        slug,
        postmortem.incident_date,
        list(postmortem.services or []),
        document_cause(parsed),
        [draft.title for draft in parsed.items],
    )
    _keep(postmortem, EXTRA_KEY, [_row(m) for m in matches])
    return matches


def record_recurrence(
    session: Session, parsed: ParsedDocument, postmortem: Postmortem, index: RecurrenceLookup
) -> tuple[list[Match], list[StillOpen]]:
    """`record_matches` and then `record_same_service` (its matches skipped) for the postmortem an import
    holds: both found before either is kept, so its row is written once, and it is not looked up again."""
    slug, day, services = postmortem.slug, postmortem.incident_date, list(postmortem.services or [])
    titles = [draft.title for draft in parsed.items]
    matches = index.matches(session, slug, day, services, document_cause(parsed), titles)
    same = index.same_service(session, slug, day, services, {m.item_id for m in matches})
    _keep(postmortem, EXTRA_KEY, [_row(m) for m in matches])
    _keep(postmortem, SAME_SERVICE_KEY, [_row(s) for s in same])
    return matches, same


def _row(found: Match | StillOpen) -> dict[str, Any]:
    """A match as stored in `extra` (`asdict` without its deep copies: an import stores thousands)."""
    return {field.name: getattr(found, field.name) for field in fields(found)}


def _keep(postmortem: Postmortem, key: str, rows: list[dict[str, Any]]) -> None:
    """Store rows under `key` in the postmortem's `extra` (none: the key goes), writing only a change."""
    extra = {k: v for k, v in (postmortem.extra or {}).items() if k != key}
    if rows:
        extra[key] = rows
    if extra != (postmortem.extra or {}):
        postmortem.extra = extra


# --- the same service hit again (issue 14) ----------------------------------------------------------
SAME_SERVICE_KEY = "same_service"  # where they are kept, in the postmortem's `extra`


def still_open_on_same_service(
    session: Session, slug: str, incident_date: date | None, services: list[str], skip: set[int]
) -> list[StillOpen]:
    """Items of postmortems of an earlier incident that share a service and were open on this one's date.

    Whatever their words: a wording match (`find_matches`, in `skip`) is listed there instead. An item
    closed before tracking has no known close time and is left out (it was done when first seen).
    """
    wanted = _services(services)
    if incident_date is None or not wanted:
        return []
    query = (
        select(*CANDIDATE_COLUMNS)
        .join(Postmortem)
        .where(
            Postmortem.slug != slug,
            Postmortem.incident_date < incident_date,
            ActionItem.removed_at.is_(None),
            ActionItem.status != "wont_do",
        )
        .order_by(Postmortem.incident_date, Postmortem.slug, ActionItem.position, ActionItem.id)
    )
    found = []
    for row in session.execute(query):
        shared = sorted(_services(row.services) & wanted)
        open_then = row.status in ("open", "in_progress") or (
            row.done_at is not None and row.done_at.date() > incident_date
        )
        if not shared or not open_then or row.item_id in skip:
            continue
        found.append(
            StillOpen(
                row.item_id,
                row.slug,
                row.title,
                row.owner_text,
                row.deadline.isoformat() if row.deadline else None,
                shared,
                row.deadline is not None and row.deadline < incident_date,
            )
        )
    return found


def record_same_service(
    session: Session, slug: str, skip: set[int], index: RecurrenceLookup | None = None
) -> list[StillOpen]:
    """Find and keep (in the postmortem's `extra`) the items still open on the same service."""
    postmortem = session.scalar(select(Postmortem).where(Postmortem.slug == slug))
    if postmortem is None:
        return []
    lookup = still_open_on_same_service if index is None else index.same_service
    found = lookup(session, slug, postmortem.incident_date, list(postmortem.services or []), skip)
    _keep(postmortem, SAME_SERVICE_KEY, [_row(s) for s in found])
    return found
