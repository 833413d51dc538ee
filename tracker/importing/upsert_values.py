"""What a document asks of its items, normalised, and the days its items are read against."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.config import Config
from tracker.deadlines import parse_deadline
from tracker.importing.drafts import ItemDraft
from tracker.importing.metadata import name_day
from tracker.models import Event, Postmortem
from tracker.people import OwnerResolver
from tracker.statuses import Status

SOURCE = "document"
INITIAL = {"status": Status.OPEN.value}  # what a new item holds before the document's values are applied
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
    return name_day(name, postmortem.slug)


def life_start(config: Config, postmortem: Postmortem, name: str | None, now: datetime) -> datetime:
    """When the items of a postmortem's first import begin: the start of its document's day in
    [org] timezone (never after now), so a report does not date the work from the import."""
    day = document_day(postmortem, name)
    if day is None:
        return now
    start = datetime(day.year, day.month, day.day, tzinfo=config.org.zone)
    return min(start, now)


def draft_values(draft: ItemDraft, resolver: OwnerResolver, reference: date) -> Values:
    """What a draft asks of its item: owner resolved, deadline read against `reference`."""
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


def document_base(session: Session, item_ids: list[int]) -> dict[tuple[int, str], str | None]:
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
