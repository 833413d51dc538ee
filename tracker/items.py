"""Item operations shared by commands: look up, create, edit owner/deadline/status with events, JSON shape."""

from __future__ import annotations

import hashlib
import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.deadlines import UNDECIDED, DeadlineKind, not_a_date, parse_deadline
from tracker.errors import NotFoundError, UsageError
from tracker.history import Actor, apply_change

# Shared with `list` and `show`, which read with Core and do not import this module.
from tracker.item_view import STATUS_CHOICES as STATUS_CHOICES
from tracker.item_view import item_to_dict as item_to_dict
from tracker.item_view import link_to_dict as link_to_dict
from tracker.item_view import parse_status_option as parse_status_option
from tracker.item_view import postmortem_not_found
from tracker.models import ActionItem, Postmortem
from tracker.people import OwnerResolver
from tracker.statuses import Status


def manual_fingerprint(title: str) -> str:
    """Items added by hand get a fingerprint from their first title (later edits keep it)."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    return "m-" + hashlib.sha256(" ".join(words).encode()).hexdigest()[:20]


def get_item(session: Session, item_id: int) -> ActionItem:
    item = session.get(ActionItem, item_id, options=[selectinload(ActionItem.links)])
    if item is None:
        raise NotFoundError(f"no action item with id {item_id}", hint="`tracker list` shows the ids")
    return item


def get_postmortem(session: Session, slug: str) -> Postmortem:
    postmortem = session.scalar(select(Postmortem).where(Postmortem.slug == slug))
    if postmortem is None:
        raise postmortem_not_found(session, slug)
    return postmortem


def parse_deadline_option(text: str, reference: date) -> tuple[str | None, date | None]:
    """A deadline typed on the command line: a date, or TBD (none decided); anything else is an error.

    Documents may say "Q3" or "someday" (import keeps it and lint flags it); a person typing a deadline
    gets the same words as an error instead, so no vague deadline is written by hand.
    """
    if text.strip() == "":
        return None, None
    parsed = parse_deadline(text, reference)
    if parsed.kind is DeadlineKind.DATE or UNDECIDED.match(text.strip()):
        return parsed.text, parsed.date
    reason = f"{parsed.reason}; " if parsed.reason else ""
    raise UsageError(
        not_a_date(text.strip(), parsed.kind),
        hint=f"{reason}use a date such as 2026-07-15, 'Jul 15' or 'July 15, 2026' (or TBD to record none)",
    )


def set_owner(
    session: Session,
    item: ActionItem,
    text: str | None,
    resolver: OwnerResolver,
    *,
    source: str,
    actor: Actor,
) -> bool:
    resolution = resolver.resolve(text)
    changed = apply_change(session, item, "owner_text", text, source=source, actor=actor)
    changed |= apply_change(session, item, "owner_person", resolution.person, source=source, actor=actor)
    item.owner_team = resolution.team
    return changed


def set_deadline(
    session: Session, item: ActionItem, text: str | None, when: date | None, *, source: str, actor: Actor
) -> bool:
    changed = apply_change(session, item, "deadline_text", text, source=source, actor=actor)
    changed |= apply_change(session, item, "deadline", when, source=source, actor=actor)
    if changed:
        item.deadline_source = source if when else None
    if when is not None and item.first_deadline is None:
        item.first_deadline = when
    return changed


def set_status(
    session: Session, item: ActionItem, status: Status, text: str | None, *, source: str, actor: Actor
) -> bool:
    changed = apply_change(session, item, "status", status.value, source=source, actor=actor)
    if text is not None:
        apply_change(session, item, "status_text", text, source=source, actor=actor)
    if changed:
        item.status_source = source
        if status is Status.DONE or status is Status.WONT_DO:
            from tracker.models import utcnow

            item.done_at = utcnow()
        else:
            item.done_at = None
    return changed
