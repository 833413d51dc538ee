"""Earlier items for recurrence, loaded once per command and indexed by content word and by service.

`tracker import` of a folder compares each document with every earlier open item: scanning them per
document made a large import quadratic. This index gives exactly what `recurrence.find_matches` and
`recurrence.still_open_on_same_service` (the plain scans, which define the results) give, with each
document costing what it can match rather than everything imported before it:

- wording: only items that share a word with the new document's items or cause can match, and only
  those of an earlier incident count: each word lists its items by incident date, so a document
  reads just the ones before its own date; they are grouped by their set of content words and each
  group is scored once, not each item;
- same service: items are listed under each service their postmortem names.

What a document's import changed is reloaded before the next lookup (`forget`), from the database
inside the caller's transaction, so a rolled-back document (an error, a dry run) leaves no trace.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from tracker.models import ActionItem, Postmortem
from tracker.recurrence import (
    CANDIDATE_COLUMNS,
    SERVICE_COVERAGE,
    SERVICE_ITEM,
    Match,
    StillOpen,
    _services,
    cause_coverage,
    judge,
)

OPEN = ("open", "in_progress")


@dataclass(frozen=True)
class Earlier:
    """One item that may have been open when a later incident happened, with its postmortem's facts."""

    item_id: int
    position: int
    slug: str
    incident_date: date | None
    services: frozenset[str]
    title: str
    words: frozenset[str]
    owner_text: str | None
    owner_team: str | None
    deadline: date | None
    status: str
    done_at: datetime | None

    def open_on(self, day: date) -> bool:
        """Open on `day`: open now, or closed (at a known time) after it."""
        return self.status in OPEN or (self.done_at is not None and self.done_at.date() > day)


class RecurrenceIndex:
    """The items recurrence compares a new document with, kept current across one command's documents."""

    def __init__(self) -> None:
        self._by_slug: dict[str, list[Earlier]] = {}
        self._groups: dict[frozenset[str], dict[int, Earlier]] = {}  # content words -> items
        self._postings: dict[str, set[frozenset[str]]] = {}  # word -> the groups holding it
        self._by_service: dict[str, dict[int, Earlier]] = {}
        # word -> (incident date, item id, item) of the dated items holding it, in that order
        self._dated: dict[str, list[tuple[date, int, Earlier]]] = {}
        self._stale: set[str] | None = None  # None: nothing loaded yet

    def forget(self, *slugs: str | None) -> None:
        """These postmortems may have changed: read them again before the next lookup."""
        if self._stale is not None:
            self._stale.update(slug for slug in slugs if slug)

    def learn(self, postmortem: Postmortem, rows: dict[int, dict[str, Any]]) -> None:
        """The postmortem's items are exactly `rows` (item id -> the values its row was inserted with), as
        committed: taken as they are instead of read back before the next lookup (`forget`)."""
        from tracker.lint.similarity import tokens

        if self._stale is None:
            return  # nothing loaded yet: the first lookup reads everything
        self._stale.discard(postmortem.slug)
        self._drop(postmortem.slug)
        services = frozenset(_services(postmortem.services))
        for item_id, row in rows.items():
            # What `_load` reads: not removed (none is), not won't do, open or closed at a known time
            # (a new item closed in its document has none).
            if row["status"] in OPEN:
                self._add(
                    Earlier(
                        item_id,
                        row["position"],
                        postmortem.slug,
                        postmortem.incident_date,
                        services,
                        row["title"],
                        tokens(row["title"]),
                        row["owner_text"],
                        row["owner_team"],
                        row["deadline"],
                        row["status"],
                        None,
                    )
                )

    def matches(
        self,
        session: Session,
        slug: str,
        incident_date: date | None,
        services: list[str],
        cause: str,
        item_titles: list[str],
    ) -> list[Match]:
        """What `recurrence.find_matches` returns for the same arguments."""
        from tracker.lint.similarity import tokens, word_similarity

        self._refresh(session)
        new_cause = tokens(cause)
        new_services = _services(services)
        titles = [tokens(title) for title in item_titles]
        groups: dict[frozenset[str], dict[int, Earlier]] = {}  # content words -> items (each item once)
        for row in self._candidates(new_cause.union(*titles), incident_date):
            if row.slug != slug and _earlier_open(row, incident_date):
                groups.setdefault(row.words, {})[row.item_id] = row
        found = []
        for words, members in groups.items():
            best_item = max((word_similarity(words, other) for other in titles), default=0.0)
            coverage = cause_coverage(words, new_cause)
            if best_item < SERVICE_ITEM and coverage < SERVICE_COVERAGE:
                continue  # too weak for any reason, shared service or not (`recurrence.judge`)
            for row in members.values():
                result = judge(best_item, coverage, sorted(row.services & new_services))
                if result is not None:
                    deadline = row.deadline.isoformat() if row.deadline else None
                    found.append(
                        Match(
                            row.item_id,
                            row.slug,
                            row.title,
                            row.owner_text,
                            row.owner_team,
                            deadline,
                            result[0],
                            result[1],
                        )
                    )
        return sorted(found, key=lambda m: (-m.score, m.postmortem, m.item_id))

    def _candidates(self, words: set[str] | frozenset[str], incident_date: date | None) -> Iterator[Earlier]:
        """The items sharing a word with `words` that can be earlier than `incident_date`: with a date, only
        the dated items before it, found by bisecting each word's date-ordered list (an archive of one
        day's documents, or imported newest first, compares with nothing); without one, every item."""
        if incident_date is None:
            for word in words:
                for group in self._postings.get(word, ()):
                    yield from self._groups[group].values()
            return
        for word in words:
            dated = self._dated.get(word)
            if dated:
                for _day, _item_id, row in dated[: bisect_left(dated, (incident_date,))]:
                    yield row

    def same_service(
        self, session: Session, slug: str, incident_date: date | None, services: list[str], skip: set[int]
    ) -> list[StillOpen]:
        """What `recurrence.still_open_on_same_service` returns for the same arguments, in its order."""
        wanted = _services(services)
        if incident_date is None or not wanted:
            return []
        self._refresh(session)
        rows: dict[int, Earlier] = {}
        for service in wanted:
            rows.update(self._by_service.get(service, {}))
        found = {
            row.item_id: row
            for row in rows.values()
            if row.slug != slug
            and row.incident_date is not None
            and row.incident_date < incident_date
            and row.item_id not in skip
            and row.open_on(incident_date)
        }
        return [
            StillOpen(
                row.item_id,
                row.slug,
                row.title,
                row.owner_text,
                row.deadline.isoformat() if row.deadline else None,
                sorted(row.services & wanted),
                row.deadline is not None and row.deadline < incident_date,
            )
            for row in _database_order(session, list(found.values()))
        ]

    def _refresh(self, session: Session) -> None:
        if self._stale is None:
            self._stale = set()
            self._load(session, None)
        elif self._stale:
            stale, self._stale = self._stale, set()
            for slug in stale:
                self._drop(slug)
            self._load(session, sorted(stale))

    def _drop(self, slug: str) -> None:
        for row in self._by_slug.pop(slug, []):
            self._groups[row.words].pop(row.item_id, None)
            if row.incident_date is not None:
                for word in row.words:
                    self._dated[word].remove((row.incident_date, row.item_id, row))
            for service in row.services:
                self._by_service[service].pop(row.item_id, None)

    def _load(self, session: Session, slugs: list[str] | None) -> None:
        """Read the items that can ever count (not removed, not won't do, open or closed at a known time)."""
        from tracker.lint.similarity import tokens

        rows = session.execute(
            _COUNTING if slugs is None else _COUNTING_OF, {} if slugs is None else {"slugs": slugs}
        )
        for row in rows:
            self._add(
                Earlier(
                    row.item_id,
                    row.position,
                    row.slug,
                    row.incident_date,
                    frozenset(_services(row.services)),
                    row.title,
                    tokens(row.title),
                    row.owner_text,
                    row.owner_team,
                    row.deadline,
                    row.status,
                    row.done_at,
                )
            )

    def _add(self, row: Earlier) -> None:
        self._by_slug.setdefault(row.slug, []).append(row)
        group = self._groups.get(row.words)
        if group is None:
            group = self._groups[row.words] = {}
            for word in row.words:
                self._postings.setdefault(word, set()).add(row.words)
        group[row.item_id] = row
        if row.incident_date is not None:
            for word in row.words:
                insort(self._dated.setdefault(word, []), (row.incident_date, row.item_id, row))
        for service in row.services:
            self._by_service.setdefault(service, {})[row.item_id] = row


def _earlier_open(row: Earlier, incident_date: date | None) -> bool:
    """`find_matches`'s filter: an earlier incident's item open on this one's date (no date: open now)."""
    if incident_date is None:
        return row.status in OPEN
    return row.incident_date is not None and row.incident_date < incident_date and row.open_on(incident_date)


def _database_order(session: Session, rows: list[Earlier]) -> list[Earlier]:
    """The items in `still_open_on_same_service`'s order (incident date, slug, position, id), the
    database's: on SQLite, whose collation of slugs is Python's order of strings (BINARY), sorted here."""
    if len(rows) < 2:
        return rows
    if session.get_bind().dialect.name == "sqlite":
        return sorted(rows, key=lambda row: (row.incident_date, row.slug, row.position, row.item_id))
    by_id = {row.item_id: row for row in rows}
    return [by_id[item_id] for item_id in session.scalars(_ORDER, {"ids": list(by_id)})]


# The statements a folder's import runs per document, built once (building one cost more than running it).
# The items that can ever count: not removed, not won't do, open or closed at a known time.
_COUNTING = (
    select(*CANDIDATE_COLUMNS)
    .join(Postmortem)
    .where(
        ActionItem.removed_at.is_(None),
        ActionItem.status != "wont_do",
        or_(ActionItem.status.in_(OPEN), ActionItem.done_at.is_not(None)),
    )
)
_COUNTING_OF = _COUNTING.where(Postmortem.slug.in_(bindparam("slugs", expanding=True)))
_ORDER = (
    select(ActionItem.id)
    .join(Postmortem)
    .where(ActionItem.id.in_(bindparam("ids", expanding=True)))
    .order_by(Postmortem.incident_date, Postmortem.slug, ActionItem.position, ActionItem.id)
)
