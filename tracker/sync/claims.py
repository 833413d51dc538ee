"""One issue tracks one item per target: find the item that already holds an issue, and say so."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.linkstate import LinkState
from tracker.models import ActionItem, Link


def holder(session: Session, target: str, remote_id: str, item_id: int) -> Link | None:
    """The link of another item on `target` that holds the issue `remote_id`, if any."""
    return session.scalar(
        select(Link)
        .where(Link.target == target, Link.remote_id == remote_id, Link.item_id != item_id)
        .options(selectinload(Link.item))
        .limit(1)
    )


def shared_marker(item_id: int, title: str, slug: str, key: str, other: Link, target: str) -> str:
    """Why an item found by its marker cannot take the issue: another item already tracks it."""
    other_title = other.item.title if other.item is not None else "?"
    return (
        f"#{item_id} {title!r} carries the marker of {key}, which already tracks #{other.item_id} "
        f"{other_title!r} on {target}: not linked (one issue tracks one item). The two items share a "
        f"marker: was postmortem {slug} renamed and its document imported again? Drop the copy "
        f"(`tracker edit {item_id} --status wont_do`, or `tracker postmortem remove {slug}` if the whole "
        f"postmortem is a copy), or `tracker unlink {other.item_id}` first"
    )


def still_held(session: Session, target: str, rows: Sequence[ActionItem]) -> set[int]:
    """Items whose link failed because their marked issue tracks another item, while it still does:
    they are not tried again every run (the error stays on their link until someone acts)."""
    wanted: dict[str, int] = {}
    for item in rows:
        for link in item.links:
            flags = link.record.flags
            if link.target == target and link.state == LinkState.ERROR and flags.held_by_item is not None:
                wanted[str(flags.held_remote_id)] = item.id
    if not wanted:
        return set()
    held = session.scalars(
        select(Link.remote_id).where(Link.target == target, Link.remote_id.in_(list(wanted)))
    ).all()
    return {wanted[remote_id] for remote_id in held if remote_id is not None}
