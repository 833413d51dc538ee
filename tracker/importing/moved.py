"""Which postmortem a document belongs to when its slug has none: the one it was renamed or merged to."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import Event, Postmortem


def moved_postmortem(session: Session, slug: str, source_path: str | None) -> tuple[Postmortem | None, bool]:
    """(postmortem, merged) for a slug that has none: the postmortem it was renamed to (the same source file,
    or its history says so when the document has no file), or merged into (`tracker postmortem merge`)."""
    if source_path is not None:
        same_file = session.scalars(
            select(Postmortem).where(Postmortem.source_path == source_path, Postmortem.slug != slug)
        ).all()
        if len(same_file) == 1:
            return same_file[0], False
    event = session.scalar(
        select(Event)
        .where(Event.item_id.is_(None), Event.field.in_(("slug", "merged")), Event.old == slug)
        .order_by(Event.id.desc())
        .limit(1)
    )
    if event is None or event.postmortem_id is None:
        return None, False
    target = session.get(Postmortem, event.postmortem_id)
    if target is None:
        return None, False
    if event.field == "merged":
        return target, True
    # Renamed: follow it unless the renamed postmortem belongs to another file.
    if source_path is None or target.source_path in (None, source_path):
        return target, False
    return None, False
