"""The events log: every change to an item is recorded with its source, actor and two times.

Writing through a session from `tracker.db.session_factory` also keeps `item_states` (the report's
stretches of each item's history) current: the hooks `tracker.states_session.maintain` attaches
there rebuild, before each commit, the stretches of every item that got a status, deadline or owner
event or had a column they copy written (item creation included). Importing this module installs
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from tracker.actor import Actor
from tracker.models import ActionItem, Event, utcnow

__all__ = ["Actor", "ChangeSet", "apply_change", "as_text", "record"]


def as_text(value: Any) -> str | None:
    """Events store values as text: dates in ISO form, enums by value."""
    if value is None:
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "value"):
        return str(value.value)
    return str(value)


@dataclass
class ChangeSet:
    """The fields that one operation changed on one item, for output and tests."""

    item_id: int | None
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.changes)


def record(
    session: Session,
    item: ActionItem,
    field_name: str,
    old: Any,
    new: Any,
    *,
    source: str,
    actor: Actor,
    occurred_at: datetime | None = None,
    remote_actor: str | None = None,
    note: str | None = None,
) -> Event:
    """Append one event for `item`; `occurred_at` is when it happened (the remote's time), else now."""
    now = utcnow()
    event = Event(
        item_id=item.id,
        postmortem_id=item.postmortem_id,
        field=field_name,
        old=as_text(old),
        new=as_text(new),
        source=source,
        actor_user=actor.user,
        actor_host=actor.host,
        run_id=actor.run_id,
        remote_actor=remote_actor,
        note=note,
        occurred_at=occurred_at or now,
        recorded_at=now,
    )
    session.add(event)
    return event


def apply_change(
    session: Session,
    item: ActionItem,
    field_name: str,
    new: Any,
    *,
    source: str,
    actor: Actor,
    occurred_at: datetime | None = None,
    remote_actor: str | None = None,
    note: str | None = None,
) -> bool:
    """Set `item.<field_name>` to `new` and record the event; returns False when nothing changed."""
    old = getattr(item, field_name)
    if old == new:
        return False
    setattr(item, field_name, new)
    if item.id is None:
        session.flush()
    record(
        session,
        item,
        field_name,
        old,
        new,
        source=source,
        actor=actor,
        occurred_at=occurred_at,
        remote_actor=remote_actor,
        note=note,
    )
    return True
