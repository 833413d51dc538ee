"""Which postmortem a document belongs to when its slug has none: the one it was renamed or merged to."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from tracker.models import Event, Postmortem

# Built once and reading plain columns: every new document of a folder's import asks both, and for almost
# all of them the answer is "none" (building the statements and loading ORM objects cost more than that).
_SAME_FILE = (
    select(Postmortem.id)
    .where(Postmortem.source_path == bindparam("path"), Postmortem.slug != bindparam("slug"))
    .limit(2)  # more than one: ambiguous, so none
)
_LAST_MOVE = (
    select(Event.field, Event.postmortem_id)
    .where(Event.item_id.is_(None), Event.field.in_(("slug", "merged")), Event.old == bindparam("slug"))
    .order_by(Event.id.desc())
    .limit(1)
)


def moved_postmortem(session: Session, slug: str, source_path: str | None) -> tuple[Postmortem | None, bool]:
    """(postmortem, merged) for a slug that has none: the postmortem it was renamed to (the same source file,
    or its history says so when the document has no file), or merged into (`tracker postmortem merge`)."""
    session.flush()  # then read on the session's connection: its ORM path costs more than the query
    connection = session.connection()
    if source_path is not None:
        same_file = connection.scalars(_SAME_FILE, {"path": source_path, "slug": slug}).all()
        if len(same_file) == 1:
            return session.get(Postmortem, same_file[0]), False
    event = connection.execute(_LAST_MOVE, {"slug": slug}).first()
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
