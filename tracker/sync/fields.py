"""The synced fields of an item (title, assignee, due, status): local values, remote values, applying pulls."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from tracker.backends.base import RemoteIssue
from tracker.config import Config, Person
from tracker.history import Actor, apply_change, record
from tracker.linkstate import FIELDS, PULL_ONLY_ORIGINS, LinkOrigin, LinkState, SyncBase
from tracker.models import ActionItem, Link
from tracker.people import OwnerResolver
from tracker.statuses import Status
from tracker.sync.plan import base_from_remote, remote_values

# The longest title each service stores (GitHub answers 422 beyond 256; Jira's summary holds 255).
TITLE_LIMITS = {"github": 256, "jira": 255}

__all__ = ["FIELDS", "PULL_ONLY_ORIGINS", "base_from_remote", "remote_values"]


@dataclass(frozen=True)
class Identities:
    """Maps people to their identity on one kind of remote, and back."""

    kind: str
    config: Config

    def of(self, person: Person | None) -> str | None:
        if person is None:
            return None
        if self.kind == "github":
            return person.github
        if self.kind == "jira":
            return person.jira
        return person.github or person.handle

    def person_for(self, identity: str | None) -> Person | None:
        if not identity:
            return None
        wanted = identity.lower()
        for person in self.config.people.values():
            mine = self.of(person)
            if mine and mine.lower() == wanted:
                return person
        return None


def local_values(
    item: ActionItem, link: Link, resolver: OwnerResolver, identities: Identities
) -> dict[str, Any]:
    """What the database says each synced field should be on the remote."""
    return local_values_from(item, link.record, resolver, identities)


def local_values_from(
    item: ActionItem, record: SyncBase, resolver: OwnerResolver, identities: Identities
) -> dict[str, Any]:
    if record.flags.owner_pulled and item.owner_text == record.flags.owner_text:
        # The owner came from the remote (someone reassigned it there, perhaps to a login that is
        # not in [people]) and nobody changed it here since: the remote's assignee stands.
        assignee = record.merge.assignee
    else:
        resolution = resolver.resolve(item.owner_text)
        assignee = identities.of(resolver.assignee_for(resolution, item.postmortem.commander))
    base_status = record.merge.status
    # A status typed into the document after linking is reported, not applied: only manual and
    # remote-sourced statuses count as ours.
    status = (
        item.status if item.status_source in (None, "manual", "github", "jira", "memory") else base_status
    )
    return {
        "title": remote_title(identities.kind, item.title),
        "assignee": assignee,
        "due": item.deadline.isoformat() if item.deadline else None,
        "status": status or item.status,
    }


def remote_title(kind: str, title: str) -> str:
    """The title as the service can hold it: cut once to its limit (with an ellipsis), so that what we
    send, what we record and what we compare with on every later sync are the same value."""
    limit = TITLE_LIMITS.get(kind)
    if kind == "jira":
        title = re.sub(r"\s+", " ", title).strip()  # Jira keeps a summary on one line
    if limit is None or len(title) <= limit:
        return title
    return title[: limit - 1].rstrip() + "\u2026"


def link_to(
    link: Link, issue: RemoteIssue, origin: str | None = None, labels: list[str] | None = None
) -> None:
    """Record the remote's immutable identity on a link and agree on every field (the merge base).

    `labels` are the lint labels already on the issue that are ours; by default the link keeps its own.
    """
    link.state = LinkState.LINKED
    link.remote_id = issue.ref.remote_id
    link.remote_number = issue.ref.number
    link.remote_node_id = issue.node_id
    link.repo_id = issue.repo_id
    link.key = issue.ref.key
    link.url = issue.ref.url
    link.etag = None
    link.remote_updated_at = issue.updated_at
    link.last_error = None
    link.marker = issue.marker or link.marker
    kept = sorted(link.record.merge.labels) if labels is None else sorted(labels)
    link.record = SyncBase().with_fields(**base_from_remote(issue), labels=kept)  # flags start afresh
    if origin:
        link.origin = LinkOrigin(origin)


def adopt_remote(
    session: Session,
    item: ActionItem,
    link: Link,
    issue: RemoteIssue,
    resolver: OwnerResolver,
    identities: Identities,
    actor: Actor,
    labels: list[str] | None = None,
) -> list[str]:
    """Link an issue found by its marker, taking the remote as the newer side: this database lost
    (or never had) the history, so whatever differs was changed there by a person, or by this
    tracker before the database was lost or restored. Returns the fields taken from the remote."""
    local = local_values(item, link, resolver, identities)
    link_to(link, issue, "adopted", labels=labels)
    remote = remote_values(issue, SyncBase().with_fields(due=local["due"]))
    taken = []
    for field in FIELDS:
        if remote[field] == local[field]:
            continue
        if field == "assignee" and remote[field] is None:
            # Nobody assigned there: refused, or unassigned by a person. Either way not pushed again
            # until the owner changes here.
            link.record = link.record.with_flags(rejected_assignee=local["assignee"])
            continue
        apply_remote_field(
            session, item, field, remote[field], issue, identities, actor, "adopted: the remote is newer"
        )
        if field == "assignee":
            link.record = link.record.with_flags(owner_text=item.owner_text, owner_pulled=True)
        taken.append(field)
    if issue.unreadable_due is not None:
        link.record = link.record.with_fields(due=local["due"]).with_flags(repair_due=True)
    return taken


def apply_remote_field(
    session: Session,
    item: ActionItem,
    field: str,
    value: Any,
    issue: RemoteIssue,
    identities: Identities,
    actor: Actor,
    note: str | None = None,
) -> None:
    """Write a pulled value into the item, recording when it happened by the remote's clock."""
    source = identities.kind
    when = issue.updated_at
    if field == "title":
        apply_change(session, item, "title", value, source=source, actor=actor, occurred_at=when, note=note)
    elif field == "assignee":
        person = identities.person_for(value)
        if person is not None and item.owner_person == person.handle:
            return  # same person, written another way in the document: keep the document's text
        text = display_name(person, value, identities.kind)
        apply_change(
            session, item, "owner_text", text, source=source, actor=actor, occurred_at=when, note=note
        )
        apply_change(
            session,
            item,
            "owner_person",
            person.handle if person else None,
            source=source,
            actor=actor,
            occurred_at=when,
            note=note,
        )
        item.owner_team = person.team if person else None
    elif field == "due":
        new_date = date.fromisoformat(value) if value else None
        apply_change(
            session, item, "deadline", new_date, source=source, actor=actor, occurred_at=when, note=note
        )
        apply_change(session, item, "deadline_text", value, source=source, actor=actor, occurred_at=when)
        item.deadline_source = source
        if new_date and item.first_deadline is None:
            item.first_deadline = new_date
    elif field == "status":
        apply_status(session, item, issue, actor, source, note)


def apply_status(
    session: Session, item: ActionItem, issue: RemoteIssue, actor: Actor, source: str, note: str | None = None
) -> None:
    when: datetime | None = issue.closed_at if issue.status.is_closed else issue.updated_at
    remote_actor = issue.closed_by if issue.status.is_closed else None
    if issue.closed_by_bot and issue.status.is_closed:
        note = (note + "; " if note else "") + f"closed by bot {issue.closed_by}"
    changed = apply_change(
        session,
        item,
        "status",
        issue.status.value,
        source=source,
        actor=actor,
        occurred_at=when,
        remote_actor=remote_actor,
        note=note,
    )
    if changed:
        item.status_source = source
        item.status_text = STATUS_WORDS[issue.status]
        item.closed_by_bot = bool(issue.closed_by_bot and issue.status.is_closed)
        item.done_at = issue.closed_at if issue.status.is_closed else None


STATUS_WORDS = {
    Status.OPEN: "Open",
    Status.IN_PROGRESS: "In progress",
    Status.DONE: "Done",
    Status.WONT_DO: "Won't do",
}


def display_name(person: Person | None, identity: str | None, kind: str) -> str | None:
    """How a pulled assignee is written back: the person's @alias when we know them, else the login."""
    if person is not None:
        handle_alias = next((a for a in person.aliases if a.startswith("@")), None)
        return handle_alias or f"@{person.handle}"
    if identity and kind == "github":
        return f"@{identity}"
    return identity


def record_conflict(
    session: Session, item: ActionItem, field: str, kept: Any, lost: Any, winner: str, actor: Actor
) -> None:
    """The losing value of a conflict is never lost: it stays in the events log."""
    record(
        session,
        item,
        f"conflict:{field}",
        lost,
        kept,
        source="sync",
        actor=actor,
        note=f"both sides changed {field}; kept the {winner} value",
    )


def status_of(value: str | None) -> Status | None:
    return Status(value) if value else None
