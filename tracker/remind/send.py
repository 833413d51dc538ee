"""Post comments two-phase under the target's sync lease: record "sending", comment, record "sent"."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.backends.base import (
    CommentReader,
    IssueTracker,
    RateLimited,
    RemoteError,
    RemoteRef,
    TransientError,
)
from tracker.lock import Held, fence
from tracker.models import Reminder, utcnow
from tracker.remind.text import footer

if TYPE_CHECKING:
    from tracker.app import AppContext

# A comment's own timestamp comes from the remote's clock; look a little before our "sending" record.
LOOKBACK = timedelta(minutes=10)


@dataclass
class Comment:
    """One comment to post: where, what, and the reminder rows (keys) it settles."""

    target: str
    ref: RemoteRef
    issue_key: str
    kind: str
    text: str
    marker: str
    rows: list[dict[str, Any]]  # Reminder column values, one per key
    item_id: int | None = None
    mentioned: list[str] = field(default_factory=list)


@dataclass
class TargetOutcome:
    """What happened on one target: comments sent, killed runs resolved, failures, and notes."""

    target: str
    sent: list[dict[str, Any]] = field(default_factory=list)
    planned: list[dict[str, Any]] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)
    stopped: str | None = None
    requests: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed and self.stopped is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "planned": self.planned,
            "resolved": self.resolved,
            "failed": self.failed,
            "uncertain": self.uncertain,
            "stopped": self.stopped,
            "requests": self.requests,
            "ok": self.ok,
        }


class Poster:
    """Sends comments on one target; every database write is fenced by the run's leases."""

    def __init__(
        self, app: AppContext, backend: IssueTracker, leases: list[Held], outcome: TargetOutcome
    ) -> None:
        self.app = app
        self.backend = backend
        self.leases = leases
        self.outcome = outcome
        self.target = app.config.targets.get(outcome.target)

    @contextmanager
    def tx(self) -> Iterator[Session]:
        with self.app.session() as session:
            yield session
            fence(session, self.leases)

    def resolve_pending(self) -> None:
        """Rows a killed run (or a lost answer) left in "sending": found by marker -> sent; else forgotten,
        so the plan decides again whether the reminder is still due."""
        with self.app.session() as session:
            rows = session.scalars(
                select(Reminder).where(Reminder.target == self.outcome.target, Reminder.state == "sending")
            ).all()
            groups: dict[str, tuple[Any, str]] = {}
            for row in rows:
                groups.setdefault(row.marker, (row.created_at, row.issue_key or ""))
        if not groups:
            return
        if not isinstance(self.backend, CommentReader):
            self.outcome.uncertain.extend(
                f"{key}: this backend cannot list comments; not sending again" for _, key in groups.values()
            )
            return
        for marker, (created, key) in groups.items():
            issue_ref = self._ref_for(marker)
            if issue_ref is None:
                continue
            comments = self.backend.list_comments(issue_ref, since=created - LOOKBACK)
            found = next((c for c in comments if marker in c.text), None)
            with self.tx() as session:
                pending = select(Reminder).where(Reminder.marker == marker, Reminder.state == "sending")
                for row in session.scalars(pending):
                    if found is not None:
                        row.state, row.sent_at, row.comment_id = "sent", utcnow(), found.url or found.id
                    else:
                        session.delete(row)
            what = "found the comment of an interrupted run" if found else "an interrupted run posted nothing"
            self.outcome.resolved.append(f"{key}: {what}")

    def _ref_for(self, marker: str) -> RemoteRef | None:
        """The issue a pending comment went to: its link, else (the digest) the issue named in the row."""
        from tracker.models import Link

        with self.app.session() as session:
            row = session.scalar(select(Reminder).where(Reminder.marker == marker).limit(1))
            if row is None:
                return None
            link = session.get(Link, row.link_id) if row.link_id else None
            if link is not None:
                return RemoteRef(link.remote_id or "", link.key, link.remote_number, link.url)
            issue_key = row.issue_key or ""
        return self.backend.parse_ref(issue_key)

    def post(self, comment: Comment) -> bool:
        """Phase one, the comment, phase two; False when the target must stop (rate limit)."""
        with self.tx() as session:
            for values in comment.rows:
                session.add(Reminder(marker=comment.marker, state="sending", **values))
        text = f"{comment.text}\n\n{footer(self.target, comment.marker)}"
        try:
            where = self.backend.comment(comment.ref, text)
        except RateLimited as exc:
            self.outcome.stopped = exc.message + (f" ({exc.hint})" if exc.hint else "")
            return False
        except TransientError as exc:
            # The comment may exist: the next run looks for its marker before anything else.
            self.outcome.uncertain.append(f"{comment.issue_key}: {exc.message} (resolved by the next run)")
            return True
        except RemoteError as exc:
            self.outcome.failed.append(f"{comment.issue_key}: {exc.message}")
            with self.tx() as session:
                for row in session.scalars(select(Reminder).where(Reminder.marker == comment.marker)):
                    row.state = "failed"
            return True
        with self.tx() as session:
            for row in session.scalars(select(Reminder).where(Reminder.marker == comment.marker)):
                row.state, row.sent_at, row.comment_id = "sent", utcnow(), where
        self.outcome.sent.append(
            {
                "kind": comment.kind,
                "item": comment.item_id,
                "issue": comment.issue_key,
                "comment": where,
                "mentioned": comment.mentioned,
            }
        )
        return True


def reminder_rows(keys: list[tuple[str, str, date | None, int]], **common: Any) -> list[dict[str, Any]]:
    return [{"key": key, "kind": kind, "due": due, "round": rnd, **common} for key, kind, due, rnd in keys]
