"""Items as commands show them (the documented JSON shape), read with Core for `list` and `show`.

`tracker list` and `tracker show` are run by hand many times a day: they read through the Core
tables of `tracker.tables`, so neither the ORM nor the models are imported. `item_to_dict` takes an
ORM item or an `ItemView` alike (the same attributes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from tracker import tables
from tracker.errors import NotFoundError, UsageError
from tracker.statuses import CANONICAL_WORDS, Status

if TYPE_CHECKING:
    from sqlalchemy import Select

    from tracker.people import OwnerResolver

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
    """The error for an unknown slug, with the closest known slugs as a hint (Session or Connection)."""
    import difflib

    postmortems = tables.postmortems
    known = list(db.scalars(select(postmortems.c.slug).order_by(postmortems.c.slug).limit(200)))
    close = difflib.get_close_matches(slug, known, n=3)
    hint = f"did you mean {', '.join(close)}?" if close else "`tracker postmortems` lists them"
    return NotFoundError(f"no postmortem with slug {slug!r}", hint=hint)


def postmortem_id(db: Any, slug: str) -> int:
    """The id of the postmortem with this slug, or a not-found error with suggestions."""
    postmortems = tables.postmortems
    found = db.scalar(select(postmortems.c.id).where(postmortems.c.slug == slug))
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
    """An item row with its postmortem and links, read with Core: what `item_to_dict` reads."""

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


def items_query() -> Select[Any]:
    """Every item with its postmortem's slug and severity, in the order lists show them; add filters."""
    i, p = tables.action_items, tables.postmortems
    return (
        select(*(i.c[name] for name in _ITEM_COLUMNS), p.c.slug, p.c.severity)
        .select_from(i.join(p, p.c.id == i.c.postmortem_id))
        .order_by(p.c.slug, i.c.position, i.c.id)
    )


def load_items(db: Any, query: Select[Any]) -> list[ItemView]:
    """The items a query from `items_query` selects, each with its links (one more query per 500)."""
    items = [
        ItemView(
            **{name: getattr(row, name) for name in _ITEM_COLUMNS},
            postmortem=PostmortemRef(row.slug, row.severity),
        )
        for row in db.execute(query)
    ]
    by_id = {item.id: item for item in items}
    for link in _links(db, list(by_id)):
        by_id[link.item_id].links.append(LinkView(link.target, link.key, link.url, link.state))
    return items


def _links(db: Any, item_ids: Sequence[int]) -> Iterable[Any]:
    links = tables.links
    columns = (links.c.item_id, links.c.target, links.c.key, links.c.url, links.c.state)
    for start in range(0, len(item_ids), 500):
        chunk = item_ids[start : start + 500]
        yield from db.execute(select(*columns).where(links.c.item_id.in_(chunk)).order_by(links.c.id))


def get_item_view(db: Any, item_id: int) -> ItemView:
    """One item with its links, or a not-found error."""
    found = load_items(db, items_query().where(tables.action_items.c.id == item_id))
    if not found:
        raise NotFoundError(f"no action item with id {item_id}", hint="`tracker list` shows the ids")
    return found[0]
