"""Apply the plan's decisions to the database: pulled fields, conflicts, and the base after a write."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tracker.backends.base import IssueChanges, RemoteIssue
from tracker.history import Actor
from tracker.linkstate import FIELDS
from tracker.models import Link
from tracker.sync.fields import Identities, apply_remote_field, record_conflict
from tracker.sync.plan import MergeDecision, PushDecision, base_from_remote
from tracker.sync.summary import TargetSummary


def apply_merge(
    session: Session,
    link: Link,
    issue: RemoteIssue,
    decision: MergeDecision,
    identities: Identities,
    actor: Actor,
    summary: TargetSummary,
) -> None:
    """Write a merge decision: the losing value of each conflict into the events log, pulled values
    into the item (by the remote's clock), and the new base with the remote's display key."""
    item = link.item
    for name, kept, lost, winner in decision.conflicts:
        record_conflict(session, item, name, kept, lost, winner, actor)
        summary.conflicts += 1
    for action in decision.actions:
        if action.kind == "conflict":
            summary.note(f"conflict {action.reason}")
    base = decision.base
    conflicted = {name for name, *_ in decision.conflicts}
    for name, value in decision.pulls:
        note = "conflict: remote won" if name in conflicted else None
        apply_remote_field(session, item, name, value, issue, identities, actor, note)
        if name == "assignee":
            base = base.with_flags(owner_text=item.owner_text, owner_pulled=True)
    if decision.bot_close:
        if not item.closed_by_bot and item.status == issue.status.value:
            item.closed_by_bot = True
        summary.note(
            f"#{item.id} {issue.ref.key} was closed by a bot ({issue.closed_by}): not counted as done work"
        )
    link.record = base
    link.remote_updated_at = issue.updated_at
    link.key, link.url = issue.ref.key or link.key, issue.ref.url or link.url
    if decision.pulls:
        summary.pulled += 1


def record_write(
    link: Link,
    issue: RemoteIssue,
    changes: IssueChanges,
    decision: PushDecision,
    lint_key: str | None,
    kind: str,
    summary: TargetSummary,
) -> None:
    """Set the base from what the remote now has, so our own write never reads as theirs next pull."""
    record = link.record
    remote = base_from_remote(issue)
    record = record.with_fields(**{name: remote[name] for name in FIELDS}, labels=decision.labels)
    flags: dict[str, object] = {"relabel": False, "repair_due": False, "status_pushing": None}
    if lint_key is not None:
        flags["lint_key"] = lint_key
    if changes.assignee is not None:
        flags["owner_pulled"] = False  # our owner won: it is the document's (or a person's here) again
        if issue.assignee != decision.assignee:
            flags["rejected_assignee"] = decision.assignee
            summary.note(
                f"#{link.item_id} {issue.ref.key}: {kind} did not assign {decision.assignee} "
                "(no push access, or not a collaborator)"
            )
    if changes.status is not None and issue.status is not changes.status:
        summary.note(f"#{link.item_id} {issue.ref.key}: status stays {issue.status.value} on the remote")
    link.record = record.with_flags(**flags)
    link.remote_updated_at = issue.updated_at
    link.key, link.url = issue.ref.key or link.key, issue.ref.url or link.url
    link.last_error = None
