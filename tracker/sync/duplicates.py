"""Issues two copies of a database created for one item at once: keep the oldest, close the others."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.backends.base import IssueChanges, RateLimited, RemoteError, RemoteIssue, RemoteRef
from tracker.history import record
from tracker.linkstate import LinkState
from tracker.models import ActionItem, Link
from tracker.statuses import Status
from tracker.sync.context import SyncContext
from tracker.sync.plan_links import wrong_claim


@dataclass(frozen=True)
class Duplicate:
    item_id: int
    kept: str  # key of the issue kept (the oldest)
    drop: RemoteRef


def age(remote_id: str | None) -> tuple[int, str]:
    """Issue ids grow with creation on both services (GitHub ids, Jira numeric ids): the smaller is older."""
    text = remote_id or ""
    return (int(text), text) if text.isdigit() else (1 << 62, text)


def settle(
    sync: SyncContext, session: Session, issues: list[RemoteIssue], by_id: dict[str | None, Link]
) -> list[Duplicate]:
    """Find pulled issues carrying the marker of an item linked here to another issue (the listing the
    pull already made: no extra request). The oldest issue wins; when it is the stranger, the link
    moves to it before anything is merged, so the duplicate's close is never pulled as the item's."""
    found: list[Duplicate] = []
    pulled = {issue.ref.remote_id: issue for issue in issues}
    for issue in issues:
        if not issue.marker or issue.ref.remote_id in by_id or issue.status is Status.WONT_DO:
            continue  # ours already, unmarked, or closed as not planned/duplicate (settled before)
        link = session.scalar(
            select(Link)
            .where(
                Link.target == sync.target.name, Link.marker == issue.marker, Link.state == LinkState.LINKED
            )
            .options(selectinload(Link.item).selectinload(ActionItem.postmortem))
        )
        if link is None or link.remote_id == issue.ref.remote_id:
            continue
        if link.origin in ("manual", "document"):
            continue  # a person (relink) or the document chose the linked issue: the other is theirs to keep
        if wrong_claim(issue, link.item.postmortem.slug) is not None:
            continue  # a copied block, not our issue
        if age(issue.ref.remote_id) < age(link.remote_id):
            old = RemoteRef(link.remote_id or "", link.key, link.remote_number, link.url)
            by_id.pop(link.remote_id, None)
            sync.adopt(session, link.item, link, issue)
            by_id[issue.ref.remote_id] = link
            record(
                session,
                link.item,
                "link",
                old.key,
                issue.ref.key,
                source=sync.target.kind,
                actor=sync.actor,
                note="duplicate issues: kept the oldest",
            )
            mine = pulled.get(old.remote_id)
            if mine is None or not mine.status.is_closed:  # a close already made there stands
                found.append(Duplicate(link.item_id, issue.ref.key or issue.ref.remote_id, old))
        elif not issue.status.is_closed:
            found.append(Duplicate(link.item_id, link.key or link.remote_id or "?", issue.ref))
    return found


def close(sync: SyncContext, duplicates: list[Duplicate]) -> None:
    """Close each duplicate as not planned with a comment naming the kept issue, and report it."""
    for dup in duplicates:
        sync.summary.duplicates += 1
        what = (
            f"#{dup.item_id}: {dup.drop.key} duplicates {dup.kept} (two copies of the database created both)"
        )
        if sync.options.dry_run:
            sync.summary.plan.append(f"close {dup.drop.key} as a duplicate of {dup.kept}")
            continue
        if not sync.can_write:
            sync.summary.note(f"warning: {what}; read-only credentials: close {dup.drop.key} by hand")
            continue
        try:
            sync.backend.comment(
                dup.drop,
                f"Duplicate of {dup.kept}: two copies of the tracker database created an issue for the same "
                f"action item at the same moment. `tracker` keeps the oldest, {dup.kept}, and closes this one.",
            )
            if getattr(sync.backend, "pushes_status", True):
                sync.backend.update(dup.drop, IssueChanges(status=Status.WONT_DO))
                sync.summary.note(f"{what}; kept the oldest, closed {dup.drop.key}")
            else:
                sync.summary.note(f"warning: {what}; kept the oldest, close {dup.drop.key} by hand")
        except RateLimited:
            raise
        except RemoteError as exc:
            sync.summary.errors += 1
            sync.summary.note(f"{what}; could not close it: {exc.message}")
