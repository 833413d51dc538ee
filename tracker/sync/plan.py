"""The sync's decisions as pure functions: from a link's snapshot and the remote issue, the actions and why.

Nothing here reads the database or the network (tests/test_sync_plan.py checks that this module
imports neither SQLAlchemy nor an HTTP client). The engine takes snapshots in short read
transactions, asks these functions what to do, and applies the answer through the backend
(`tracker/sync/apply.py`); `--dry-run` prints the same actions and applies none.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

from tracker.backends.base import IssueChanges, RemoteIssue, RemoteRef
from tracker.linkstate import FIELDS, PULL_ONLY_ORIGINS, LinkOrigin, LinkState, SyncBase
from tracker.merge import Outcome, merge_field
from tracker.statuses import Status

OPEN_STATUSES = (Status.OPEN.value, Status.IN_PROGRESS.value)


class ActionKind(StrEnum):
    CREATE = "create"  # a new issue for an item
    UPDATE = "update"  # send local field changes to a linked issue
    CLOSE = "close"  # an update that closes the issue (the item is done or won't do)
    REOPEN = "reopen"  # an update that reopens it
    PULL = "pull"  # take the remote's value of a field into the item
    ADOPT = "adopt"  # link an existing issue that carries the item's marker
    CONFLICT = "conflict"  # both sides changed a field; the policy picked one, the other is logged
    ORPHAN = "orphan"  # the remote deleted the issue: the link is orphaned, the item keeps its status
    FLAG = "flag"  # lint labels follow the item's problems
    HOLD = "hold"  # the item is kept back ([sync] hold, a confidential postmortem, read-only keys)


@dataclass(frozen=True)
class Action:
    """One thing a run does (or, under --dry-run, would do), and why."""

    kind: ActionKind
    reason: str
    item_id: int | None = None
    key: str | None = None
    field: str | None = None
    value: Any = None

    def describe(self) -> str:
        return f"{self.kind.value} {self.reason}"


@dataclass(frozen=True)
class LinkSnapshot:
    """What the database says about one linked item, read in a short transaction."""

    link_id: int
    item_id: int
    ref: RemoteRef
    origin: LinkOrigin
    state: LinkState
    base: SyncBase
    local: dict[str, Any]  # tracker.sync.fields.local_values: what each field should be remotely
    item_status: str
    remote_updated_at: Any = None


@dataclass(frozen=True)
class MergeDecision:
    """The three-way merge of one pulled issue into one item."""

    base: SyncBase  # the new merge base (the owner text is filled in when an assignee is pulled)
    pulls: tuple[tuple[str, Any], ...] = ()  # (field, remote value) to write into the item
    actions: tuple[Action, ...] = ()  # pulls and conflicts, with their reasons (also the messages)
    conflicts: tuple[tuple[str, Any, Any, str], ...] = ()  # (field, kept, lost, winner) for the log
    bot_close: bool = False  # the issue was closed by a bot: reported, not counted as work done


@dataclass(frozen=True)
class PushDecision:
    """What a linked issue needs to match the item, and what the base should say once it does."""

    changes: IssueChanges
    labels: tuple[str, ...]
    assignee: str | None
    status_held: str | None
    needs_context: bool  # the block is rewritten: the engine attaches the item's context
    actions: tuple[Action, ...] = ()

    @property
    def empty(self) -> bool:
        return self.changes == IssueChanges()


def remote_values(issue: RemoteIssue, base: SyncBase) -> dict[str, Any]:
    """What the remote says; a tracker block a person deleted means 'deadline unknown', not 'none'."""
    due = issue.due.isoformat() if issue.due else None
    if (issue.marker is None and issue.due is None) or issue.unreadable_due is not None:
        due = base.merge.due  # unknown: an unreadable value never erases ours (reported as a conflict)
    return {"title": issue.title, "assignee": issue.assignee, "due": due, "status": issue.status.value}


def base_from_remote(issue: RemoteIssue) -> dict[str, Any]:
    return {
        "title": issue.title,
        "assignee": issue.assignee,
        "due": issue.due.isoformat() if issue.due else None,
        "status": issue.status.value,
    }


def seen(snapshot_state: str, remote_updated_at: Any, base: SyncBase, issue: RemoteIssue) -> bool:
    """Same update time and same values: GitHub times have one-second precision, so both count."""
    if snapshot_state != LinkState.LINKED or remote_updated_at != issue.updated_at:
        return False
    if issue.unreadable_due is not None and not base.flags.repair_due:
        return False  # its value reads as "unchanged", but it is news to report
    remote = remote_values(issue, base)
    return all(remote[name] == base.merge.get(name) for name in FIELDS)


def plan_merge(snap: LinkSnapshot, issue: RemoteIssue, policy: str) -> MergeDecision:
    """Merge each field three ways (tracker/merge.py); the base becomes what both sides now hold."""
    base = snap.base
    local = snap.local
    remote = remote_values(issue, base)
    pushing = base.flags.status_pushing
    if pushing != local["status"] or remote["status"] == pushing:
        base = base.with_flags(status_pushing=None)  # done, or wanted no more: the remote's is news
    elif remote["status"] == Status.IN_PROGRESS.value:
        # Our own workflow push, stopped part-way (killed or refused mid-path): not a person's change.
        remote = {**remote, "status": base.merge.status}
    pull_only = snap.origin in PULL_ONLY_ORIGINS
    pulls: list[tuple[str, Any]] = []
    actions: list[Action] = []
    conflicts: list[tuple[str, Any, Any, str]] = []
    who, key = snap.item_id, snap.ref.key
    for name in ("status",) if pull_only else FIELDS:
        merged = merge_field(name, base.merge.get(name), local[name], remote[name], policy)
        if merged.outcome in (Outcome.PULL, Outcome.CONFLICT_PULL):
            if merged.conflict:
                conflicts.append((name, merged.remote, merged.local, "remote"))
                actions.append(
                    Action(
                        ActionKind.CONFLICT,
                        f"on #{who} {name}: kept remote {merged.remote!r}, local was {merged.local!r}",
                        who,
                        key,
                        name,
                        merged.remote,
                    )
                )
            else:
                actions.append(
                    Action(ActionKind.PULL, f"#{who} {name} <- {merged.remote!r} from {key}", who, key, name)
                )
            pulls.append((name, merged.remote))
            base = base.with_fields(**{name: merged.remote})
            if name == "assignee":
                base = base.with_flags(owner_pulled=True)
        elif merged.outcome is Outcome.AGREED:
            base = base.with_fields(**{name: merged.remote})
        elif merged.outcome is Outcome.CONFLICT_PUSH:
            conflicts.append((name, merged.local, merged.remote, "local"))
            actions.append(
                Action(
                    ActionKind.CONFLICT,
                    f"on #{who} {name}: kept local {merged.local!r}, remote was {merged.remote!r}",
                    who,
                    key,
                    name,
                    merged.local,
                )
            )
    if issue.unreadable_due is not None and not pull_only:
        # A Deadline line nobody can read is a conflict the local value wins: recorded, reported,
        # and the block is rewritten with our date by the push that follows.
        conflicts.append(("due", local["due"], issue.unreadable_due, "local"))
        actions.append(
            Action(
                ActionKind.CONFLICT,
                f"on #{who} due: kept local {local['due']!r}, the remote deadline "
                f"{issue.unreadable_due!r} is not a date",
                who,
                key,
                "due",
                local["due"],
            )
        )
        base = base.with_flags(repair_due=True)
    if pull_only:
        base = base.with_fields(**{name: remote[name] for name in FIELDS if name != "status"})
    bot_close = bool(
        issue.closed_by_bot and issue.status.is_closed and base.merge.status == issue.status.value
    )
    return MergeDecision(base, tuple(pulls), tuple(actions), tuple(conflicts), bot_close)


def after_merge(snap: LinkSnapshot, decision: MergeDecision) -> LinkSnapshot:
    """The snapshot as it reads once a merge is applied (what a dry run plans its pushes from)."""
    local = {**snap.local, **dict(decision.pulls)}
    status = dict(decision.pulls).get("status", snap.item_status)
    return replace(snap, base=decision.base, local=local, item_status=status)


def plan_pull(
    snapshots: dict[str, LinkSnapshot], issues: list[RemoteIssue], policy: str
) -> list[tuple[int, RemoteIssue, MergeDecision]]:
    """The pulled issues that carry news, each with its merge, in listing order.

    Only what the listing holds is decided: a link whose issue is absent gets no action at all
    (absence closes or changes nothing). Issues of no link here are left to adoption. An issue
    listed twice (it changed while the listing was read) is merged on top of its first merge.
    """
    current = dict(snapshots)
    out: list[tuple[int, RemoteIssue, MergeDecision]] = []
    for issue in issues:
        snap = current.get(issue.ref.remote_id)
        if snap is None or seen(snap.state, snap.remote_updated_at, snap.base, issue):
            continue  # not ours, or seen already (the overlap of the pull window)
        decision = plan_merge(snap, issue, policy)
        out.append((snap.link_id, issue, decision))
        current[issue.ref.remote_id] = replace(
            after_merge(snap, decision), remote_updated_at=issue.updated_at
        )
    return out


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def plan_push(
    snap: LinkSnapshot,
    desired_labels: set[str] | None,
    pushes_status: bool,
    tracker_label: str,
) -> PushDecision:
    """The changes that bring the issue to the item. `desired_labels` is None when the item's lint
    labels need no recomputing (unchanged, or closed: closing an issue must not churn its labels)."""
    base, local = snap.base, snap.local
    ours = set(base.merge.labels)
    desired = desired_labels if desired_labels is not None and snap.item_status in OPEN_STATUSES else ours
    title = local["title"] if local["title"] != base.merge.title else None
    assignee = None
    if local["assignee"] != base.merge.assignee and local["assignee"] != base.flags.rejected_assignee:
        assignee = (base.merge.assignee, local["assignee"])
    due = None
    if local["due"] != base.merge.due or base.flags.repair_due:
        due = (_date(base.merge.due), _date(local["due"]))
    status = Status(local["status"]) if local["status"] != base.merge.status else None
    held_status = None
    if status is not None and not pushes_status:
        # The remote keeps its own status (Jira without manage_workflow): nothing to send, and
        # said once per new local status instead of on every run (issue 19, point 10).
        held_status, status = status.value, None
    add = set(desired - ours)
    if base.flags.relabel:
        add.add(tracker_label)
    changes = IssueChanges(
        title=title,
        assignee=assignee,
        due=due,
        status=status,
        add_labels=tuple(sorted(add)),
        remove_labels=tuple(sorted(ours - desired)),
    )
    actions: tuple[Action, ...] = ()
    if changes != IssueChanges():
        kind = ActionKind.UPDATE
        if status is not None and status.is_closed and not Status(base.merge.status or "open").is_closed:
            kind = ActionKind.CLOSE
        elif status is not None and not status.is_closed and Status(base.merge.status or "open").is_closed:
            kind = ActionKind.REOPEN
        elif not (title or assignee or due or status) and changes.add_labels and desired - ours:
            kind = ActionKind.FLAG
        actions = (Action(kind, f"{snap.ref.key}: {describe(changes)}", snap.item_id, snap.ref.key),)
    return PushDecision(
        changes,
        tuple(sorted(desired)),
        local["assignee"],
        held_status,
        needs_context=due is not None,
        actions=actions,
    )


@dataclass(frozen=True)
class CreateCandidate:
    """An item that routes to this target and has no issue yet."""

    item_id: int
    title: str
    held_rules: tuple[str, ...] = ()
    confidential: bool = False


@dataclass
class CreatePlan:
    ready: list[int] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)  # the holds, with why
    creates: dict[int, Action] = field(default_factory=dict)  # item id -> its create, for the ready ones
    held: int = 0
    waiting: int = 0


def plan_creates(candidates: list[CreateCandidate], target: str, public: bool, cap: int) -> CreatePlan:
    """Which new items are created this run, which are held back and why, and what waits for the cap."""
    plan = CreatePlan()
    for item in candidates:
        if item.held_rules:
            plan.held += 1
            plan.actions.append(
                Action(
                    ActionKind.HOLD,
                    f"#{item.item_id} {item.title!r}: fix {', '.join(item.held_rules)} first ([sync] hold)",
                    item.item_id,
                )
            )
        elif item.confidential and public:
            plan.held += 1
            plan.actions.append(
                Action(
                    ActionKind.HOLD,
                    f"#{item.item_id}: its postmortem is confidential and {target} is public",
                    item.item_id,
                )
            )
        else:
            plan.ready.append(item.item_id)
    if len(plan.ready) > cap:
        plan.waiting = len(plan.ready) - cap
        plan.ready = plan.ready[:cap]
    titles = {item.item_id: item.title for item in candidates}
    plan.creates = {
        item_id: Action(ActionKind.CREATE, f"#{item_id} {titles[item_id]!r} in {target}", item_id)
        for item_id in plan.ready
    }
    return plan


def describe(changes: IssueChanges) -> str:
    parts = []
    if changes.title is not None:
        parts.append(f"title -> {changes.title!r}")
    if changes.assignee is not None:
        parts.append(f"assignee {changes.assignee[0] or '-'} -> {changes.assignee[1] or '-'}")
    if changes.due is not None:
        parts.append(f"due {changes.due[0] or '-'} -> {changes.due[1] or '-'}")
    if changes.status is not None:
        parts.append(f"status -> {changes.status.value}")
    if changes.add_labels:
        parts.append("+labels " + ",".join(changes.add_labels))
    if changes.remove_labels:
        parts.append("-labels " + ",".join(changes.remove_labels))
    return "; ".join(parts)
