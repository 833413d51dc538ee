"""Item operations shared by commands: look up, create, edit owner/deadline/status with events, JSON shape."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.deadlines import DeadlineKind, parse_deadline
from tracker.errors import NotFoundError, UsageError
from tracker.history import Actor, apply_change
from tracker.models import ActionItem, Link, Postmortem
from tracker.people import OwnerResolver
from tracker.statuses import CANONICAL_WORDS, Status

STATUS_CHOICES = [s.value for s in Status]


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
        known = session.scalars(select(Postmortem.slug).order_by(Postmortem.slug).limit(200)).all()
        import difflib

        close = difflib.get_close_matches(slug, known, n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "`tracker postmortems` lists them"
        raise NotFoundError(f"no postmortem with slug {slug!r}", hint=hint)
    return postmortem


def parse_status_option(text: str) -> Status:
    """A status typed on the command line: one of the four names (or open/todo synonyms), nothing fuzzy."""
    key = re.sub(r"[\s\-']+", "_", text.strip().lower()).replace("won_t", "wont")
    status = CANONICAL_WORDS.get(key) or CANONICAL_WORDS.get(key.replace("_", ""))
    if status is None:
        raise UsageError(f"unknown status {text!r}", hint=f"use one of {', '.join(STATUS_CHOICES)}")
    return status


def parse_deadline_option(text: str, reference: date) -> tuple[str | None, date | None]:
    """A deadline typed on the command line: a date, or an explicit no-date word; anything else is an error."""
    if text.strip() == "":
        return None, None
    parsed = parse_deadline(text, reference)
    if parsed.kind is DeadlineKind.INVALID:
        raise UsageError(
            f"bad deadline {text!r}: {parsed.reason}", hint="use a date such as 2026-07-15 or 'Jul 15'"
        )
    if parsed.kind is DeadlineKind.UNKNOWN:
        raise UsageError(
            f"bad deadline {text!r}: not a date",
            hint="use a date such as 2026-07-15, 'Jul 15' or 'July 15, 2026' (or 'TBD' to record none)",
        )
    return parsed.text, parsed.date


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


def item_to_dict(item: ActionItem, resolver: OwnerResolver, today: date | None = None) -> dict[str, Any]:
    """The documented JSON shape of an item (fields are added over time, never removed)."""
    resolution = resolver.resolve(item.owner_text)
    overdue = bool(
        today and item.deadline and item.deadline < today and item.status in (Status.OPEN, Status.IN_PROGRESS)
    )
    return {
        "id": item.id,
        "postmortem": item.postmortem.slug,
        "title": item.title,
        "owner": item.owner_text,
        "owner_person": resolution.person,
        "owner_kind": resolution.kind.value,
        "owner_team": resolution.team,
        "deadline": item.deadline.isoformat() if item.deadline else None,
        "deadline_text": item.deadline_text,
        "status": item.status,
        "status_text": item.status_text,
        "overdue": overdue,
        "priority": item.priority,
        "push": item.push,
        "removed": item.removed_at is not None,
        "source_line": item.source_line,
        "links": [link_to_dict(link) for link in item.links],
        "created_at": item.created_at.isoformat() if item.created_at else None,
        "updated_at": item.updated_at.isoformat() if item.updated_at else None,
    }


def link_to_dict(link: Link) -> dict[str, Any]:
    return {"target": link.target, "key": link.key, "url": link.url, "state": link.state}
