"""The report tables' upkeep in ORM sessions: the items each transaction touched are rebuilt before it commits.

Attached where sessions are made (`tracker.db.session_factory`), never by importing a module: code
that makes its own Session (tests, benches) calls `maintain` on it, or `states.rebuild` itself.
"""

from __future__ import annotations

import weakref
from typing import Any, TypeVar

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from tracker.models import ActionItem, Event, Link, Postmortem
from tracker.states import ITEM_COLUMNS, TRACKED_FIELDS, rebuild

M = TypeVar("M")


def touched_items(session: Session) -> set[int]:
    """Items whose stretches this flush may change: a tracked event, or a copied column written."""
    ids: set[int] = set()
    regraded: list[int] = []
    for obj in session.new:
        if isinstance(obj, Event) and obj.item_id is not None and obj.field in TRACKED_FIELDS:
            ids.add(obj.item_id)
        elif isinstance(obj, ActionItem) and obj.id is not None:
            ids.add(obj.id)
        elif isinstance(obj, Link) and obj.item_id is not None:
            ids.add(obj.item_id)  # the report rows carry the item's targets
    for obj in session.dirty:
        if isinstance(obj, ActionItem) and obj.id is not None:
            state: Any = inspect(obj)
            if any(state.attrs[name].history.has_changes() for name in ITEM_COLUMNS):
                ids.add(obj.id)
        elif isinstance(obj, Link) and obj.item_id is not None:
            link_state: Any = inspect(obj)
            if link_state.attrs.target.history.has_changes():
                ids.add(obj.item_id)
        elif isinstance(obj, Postmortem) and obj.id is not None:
            postmortem_state: Any = inspect(obj)
            if postmortem_state.attrs.severity.history.has_changes():
                regraded.append(obj.id)  # the report rows carry the postmortem's severity
    if regraded:
        ids.update(
            session.connection().scalars(select(ActionItem.id).where(ActionItem.postmortem_id.in_(regraded)))
        )
    return ids


# What `maintain` has hooked: weak, so an entry goes with its object before the address is reused.
_MAINTAINED: weakref.WeakSet[Any] = weakref.WeakSet()

PENDING = "tracker_states_pending"  # session.info key: items flushed since the last rebuild


def _after_flush(session: Session, _context: Any) -> None:
    ids = touched_items(session)
    if ids:
        session.info.setdefault(PENDING, set()).update(ids)


def _before_commit(session: Session) -> None:
    # One rebuild per transaction, not per flush (an import flushes each new item to get its id) nor
    # per savepoint released (`tracker import` keeps each document of a batch in one).
    if session.in_nested_transaction():
        return
    session.flush()
    ids = session.info.pop(PENDING, None)
    if ids:
        rebuild(session.connection(), ids)


def _after_soft_rollback(session: Session, previous: Any) -> None:
    # Only the whole transaction's rollback forgets: a savepoint rolled back (`tracker import` keeps
    # each document of a batch in one) leaves the items of the rest of the transaction to rebuild. The
    # rolled-back savepoint's own items stay listed; rebuilding an item from its rows is idempotent.
    if previous.parent is None and not previous.nested:
        session.info.pop(PENDING, None)


def maintain(sessions: M) -> M:
    """Keep `item_states` and `report_rows` current in these sessions (a sessionmaker, a Session or
    the Session class; idempotent): the items each flush touched are rebuilt once, in the same
    transaction, just before it commits. Returns `sessions`, so `maintain(Session(engine))` reads."""
    # Not `event.contains`: SQLAlchemy's registry keys listeners by id(target), and an entry of a
    # collected Session or sessionmaker can outlive it, so a new one at the same address looked
    # maintained and got no hooks (its derived rows then went stale: intermittent report failures).
    if sessions in _MAINTAINED:
        return sessions
    for name, listener in (
        ("after_flush", _after_flush),
        ("before_commit", _before_commit),
        ("after_soft_rollback", _after_soft_rollback),
    ):
        event.listen(sessions, name, listener)
    _MAINTAINED.add(sessions)
    return sessions
