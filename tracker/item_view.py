"""Items as commands show them (the documented JSON shape), read with SQL text for `list` and `show`.

`tracker list` and `tracker show` are run by hand many times a day: they read through a
`tracker.readdb` connection (stdlib sqlite3 on SQLite), so not even SQLAlchemy is imported there.
`item_to_dict` takes an ORM item or an `ItemView` alike (the same attributes).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from tracker.errors import NotFoundError, UsageError
from tracker.readdb import as_date, as_datetime, in_list
from tracker.statuses import CANONICAL_WORDS, Status

if TYPE_CHECKING:
    from tracker.people import OwnerResolver
    from tracker.readdb import ReadConnection

STATUS_CHOICES = [s.value for s in Status]


def parse_status_option(text: str) -> Status:
    """A status typed on the command line: one of the four names (or open/todo synonyms), nothing fuzzy."""
    key = re.sub(r"[\s\-']+", "_", text.strip().lower()).replace("won_t", "wont")
    status = CANONICAL_WORDS.get(key) or CANONICAL_WORDS.get(key.replace("_", ""))
    if status is None:
        raise UsageError(f"unknown status {text!r}", hint=f"use one of {', '.join(STATUS_CHOICES)}")
    return status


def item_to_dict(item: Any, resolver: OwnerResolver, today: date | None = None) -> dict[str, Any]:
    """The documented JSON shape of an item (fields are added over time, never removed)."""
    resolution = resolver.resolve(item.owner_text)
    overdue = bool(
        today and item.deadline and item.deadline < today and item.status in (Status.OPEN, Status.IN_PROGRESS)
    )
    return {
        "id": item.id,
        "postmortem": item.postmortem.slug,
        "title": item.title,
        "owner": item.owner_text,
        "owner_person": resolution.person,
        "owner_kind": resolution.kind.value,
        "owner_team": resolution.team,
        "deadline": item.deadline.isoformat() if item.deadline else None,
        "deadline_text": item.deadline_text,
        "status": item.status,
        "status_text": item.status_text,
        "overdue": overdue,
        "priority": item.priority,
        "push": item.push,
        "removed": item.removed_at is not None,
        "source_line": item.source_line,
        "links": [link_to_dict(link) for link in item.links],
        "created_at": item.created_at.isoformat() if item.created_at else None,
        "updated_at": item.updated_at.isoformat() if item.updated_at else None,
    }


def link_to_dict(link: Any) -> dict[str, Any]:
    return {"target": link.target, "key": link.key, "url": link.url, "state": link.state}


def postmortem_not_found(db: Any, slug: str) -> NotFoundError:
    """The error for an unknown slug, with the closest known slugs as a hint (Session or read connection)."""
    import difflib

    from tracker.readdb import ReadConnection

    sql = "SELECT slug FROM postmortems ORDER BY slug LIMIT 200"
    if isinstance(db, ReadConnection):
        known = db.scalars(sql)
    else:  # an ORM Session (the writing commands)
        from sqlalchemy import text

        known = list(db.scalars(text(sql)))
    close = difflib.get_close_matches(slug, known, n=3)
    hint = f"did you mean {', '.join(close)}?" if close else "`tracker postmortems` lists them"
    return NotFoundError(f"no postmortem with slug {slug!r}", hint=hint)


def postmortem_id(db: ReadConnection, slug: str) -> int:
    """The id of the postmortem with this slug, or a not-found error with suggestions."""
    found = db.scalar("SELECT id FROM postmortems WHERE slug = :slug", {"slug": slug})
    if found is None:
        raise postmortem_not_found(db, slug)
    return int(found)


@dataclass
class PostmortemRef:
    slug: str
    severity: str | None = None


@dataclass
class LinkView:
    target: str
    key: str | None
    url: str | None
    state: str


@dataclass
class ItemView:
    """An item row with its postmortem and links, read with SQL text: what `item_to_dict` reads."""

    id: int
    postmortem: PostmortemRef
    title: str
    owner_text: str | None
    deadline: date | None
    deadline_text: str | None
    status: str
    status_text: str | None
    priority: str | None
    push: bool
    removed_at: datetime | None
    source_line: int | None
    created_at: datetime | None
    updated_at: datetime | None
    links: list[LinkView] = field(default_factory=list)


_ITEM_COLUMNS = (
    "id",
    "title",
    "owner_text",
    "deadline",
    "deadline_text",
    "status",
    "status_text",
    "priority",
    "push",
    "removed_at",
    "source_line",
    "created_at",
    "updated_at",
)


@dataclass
class ItemQuery:
    """Every item with its postmortem's slug and severity, in the order lists show them: add
    conditions on `i` (action_items) and `p` (postmortems) with their parameters."""

    conditions: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def where(self, condition: str, **params: Any) -> ItemQuery:
        self.conditions.append(condition)
        self.params.update(params)
        return self

    def sql(self) -> str:
        where = " AND ".join(self.conditions) or "1 = 1"
        return (
            f"SELECT {', '.join('i.' + name for name in _ITEM_COLUMNS)}, p.slug, p.severity"
            f" FROM action_items i JOIN postmortems p ON p.id = i.postmortem_id"
            f" WHERE {where} ORDER BY p.slug, i.position, i.id"
        )


def any_of(name: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    """`IN (:name0, :name1, ...)` and its parameters."""
    params = {f"{name}{index}": value for index, value in enumerate(values)}
    return "IN (" + (", ".join(f":{key}" for key in params) or "NULL") + ")", params


def since_condition(since: date, zone: Any, alias: str = "p") -> tuple[str, dict[str, Any]]:
    """Postmortems of incidents on or after `since`; one without an incident date counts from when it
    was added (as `tracker.commands.filters.since_condition` says it for the ORM)."""
    from tracker.report.sqlbits import local_day_start

    sql = (
        f"({alias}.incident_date >= :since OR ({alias}.incident_date IS NULL"
        f" AND {alias}.created_at >= :since_start))"
    )
    return sql, {"since": since, "since_start": local_day_start(since, zone)}


def load_items(db: ReadConnection, query: ItemQuery) -> list[ItemView]:
    """The items a query selects, each with its links (one more query per 500 items)."""
    items = [
        ItemView(
            id=row.id,
            postmortem=PostmortemRef(row.slug, row.severity),
            title=row.title,
            owner_text=row.owner_text,
            deadline=as_date(row.deadline),
            deadline_text=row.deadline_text,
            status=row.status,
            status_text=row.status_text,
            priority=row.priority,
            push=bool(row.push),
            removed_at=as_datetime(row.removed_at),
            source_line=row.source_line,
            created_at=as_datetime(row.created_at),
            updated_at=as_datetime(row.updated_at),
        )
        for row in db.execute(query.sql(), query.params)
    ]
    by_id = {item.id: item for item in items}
    ids = list(by_id)
    for start in range(0, len(ids), 500):
        sql = (
            "SELECT item_id, target, key, url, state FROM links"
            f" WHERE item_id IN ({in_list(ids[start : start + 500])}) ORDER BY id"
        )
        for link in db.execute(sql):
            by_id[link.item_id].links.append(LinkView(link.target, link.key, link.url, link.state))
    return items


def get_item_view(db: ReadConnection, item_id: int) -> ItemView:
    """One item with its links, or a not-found error."""
    found = load_items(db, ItemQuery().where("i.id = :item_id", item_id=item_id))
    if not found:
        raise NotFoundError(f"no action item with id {item_id}", hint="`tracker list` shows the ids")
    return found[0]


def item_history(db: ReadConnection, item_id: int) -> list[dict[str, Any]]:
    """An item's events, oldest first, as `tracker show` gives them."""
    sql = (
        "SELECT field, old, new, source, actor_user, actor_host, run_id, occurred_at, recorded_at"
        " FROM events WHERE item_id = :item_id ORDER BY occurred_at, id"
    )
    return [
        {
            "field": row.field,
            "old": row.old,
            "new": row.new,
            "source": row.source,
            "actor": row.actor_user,
            "host": row.actor_host,
            "run": row.run_id,
            "occurred_at": _iso(row.occurred_at),
            "recorded_at": _iso(row.recorded_at),
        }
        for row in db.execute(sql, {"item_id": item_id})
    ]


def _iso(value: Any) -> str | None:
    when = as_datetime(value)
    return when.isoformat() if when else None
