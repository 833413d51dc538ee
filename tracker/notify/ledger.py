"""The sent-messages ledger: claim keys as "sending" before a message leaves, then settle them."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker.models import Notification, utcnow

if TYPE_CHECKING:
    from tracker.app import AppContext


def states(app: AppContext, keys: list[str]) -> dict[str, str]:
    """The recorded state of each key that has a row: sending, sent or failed."""
    if not keys:
        return {}
    with app.session() as session:
        rows = session.execute(
            select(Notification.key, Notification.state).where(Notification.key.in_(keys))
        ).all()
    return {key: state for key, state in rows}


def claim(app: AppContext, rows: list[dict[str, Any]], message_id: str) -> list[str]:
    """Commit "sending" rows for the keys nobody sent, is sending, or may have sent; return those keys.

    A "failed" row (the service said no) is claimed again. The unique key makes two hosts racing
    for one message end with one claim: the loser's commit fails and it claims nothing.
    """
    host = socket.gethostname()
    try:
        with app.session() as session:
            found = {
                row.key: row
                for row in session.scalars(
                    select(Notification).where(Notification.key.in_([r["key"] for r in rows]))
                )
            }
            claimed = []
            for values in rows:
                old = found.get(values["key"])
                if old is not None and old.state != "failed":
                    continue
                if old is not None:
                    session.delete(old)
                    session.flush()
                session.add(Notification(message_id=message_id, state="sending", host=host, **values))
                claimed.append(values["key"])
    except IntegrityError:
        return []
    return claimed


def settle(app: AppContext, message_id: str, state: str, error: str | None = None) -> None:
    with app.session() as session:
        for row in session.scalars(select(Notification).where(Notification.message_id == message_id)):
            row.state = state
            row.error = error
            if state == "sent":
                row.sent_at = utcnow()


def last_sent_detail(app: AppContext, channel: str, kind: str, scope: str) -> dict[str, Any] | None:
    """What the latest message of this kind and scope on this channel reported (its `detail`)."""
    with app.session() as session:
        row = session.scalar(
            select(Notification)
            .where(
                Notification.channel == channel,
                Notification.kind == kind,
                Notification.state == "sent",
                Notification.key.like(f"{kind}:{channel}:{scope}:%"),
            )
            .order_by(Notification.sent_at.desc(), Notification.id.desc())
            .limit(1)
        )
        return dict(row.detail) if row is not None and row.detail else None


def covered(app: AppContext, channel: str, kind: str) -> set[str]:
    """Keys of this kind on this channel already sent, being sent, or possibly sent."""
    with app.session() as session:
        return set(
            session.scalars(
                select(Notification.key).where(
                    Notification.channel == channel, Notification.kind == kind, Notification.state != "failed"
                )
            )
        )
