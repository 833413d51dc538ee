"""What every step of one target's sync shares: app, backend, options, summary, short transactions, flags."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from tracker.backends.base import IssueContext, IssueTracker, RemoteIssue, RemoteRef
from tracker.config import Target
from tracker.history import Actor
from tracker.issue_text import postmortem_url
from tracker.linkstate import LinkOrigin, LinkState
from tracker.lock import Held, fence
from tracker.models import ActionItem, Link, TargetState
from tracker.sync.apply import apply_merge
from tracker.sync.fields import Identities, adopt_remote, link_to, local_values_from
from tracker.sync.plan import LinkSnapshot, MergeDecision, after_merge, plan_merge, seen
from tracker.sync.summary import TargetSummary

if TYPE_CHECKING:
    from tracker.app import AppContext


@dataclass
class SyncOptions:
    push_only: bool = False
    pull_only: bool = False
    dry_run: bool = False
    max_creates: int | None = None
    yes: bool = False
    confirm: Any = None  # callable(question) -> bool on a terminal; None under cron
    progress: Any = None  # callable(target, phase, done, total) for a terminal progress bar

    def report(self, target: str, phase: str, done: int = 0, total: int = 0) -> None:
        if self.progress is not None:
            self.progress(target, phase, done, total)


class SyncContext:
    """The state one target's steps share (the engine, create, verify, duplicates, parents and
    recovery all take this, never the engine); every write to the database is fenced by the leases."""

    def __init__(
        self,
        app: AppContext,
        backend: IssueTracker,
        target: Target,
        run_id: int | None,
        leases: list[Held],
        options: SyncOptions,
    ) -> None:
        self.app = app
        self.backend = backend
        self.target = target
        self.run_id = run_id
        self.leases = leases
        self.options = options
        self.config = app.config
        self.actor = Actor(app.actor.user, app.actor.host, run_id)
        self.identities = Identities(target.kind, app.config)
        self.summary = TargetSummary(target.name, target.kind)
        self.can_write = True
        self.preflight_cache: dict[str, Any] = {}
        self.pull_changed = False
        self._labels: dict[int, list[str]] = {}
        self._held: dict[int, list[str]] = {}
        self._flagged: set[int] = set()
        self.duplicates: list[Any] = []  # tracker.sync.duplicates.Duplicate, found by the pull
        self._merged: dict[int, LinkSnapshot] = {}  # a dry run's planned merges, read by its pushes

    # Transactions --------------------------------------------------------------------------------
    @contextmanager
    def tx(self) -> Iterator[Session]:
        """A short transaction, never held across network I/O; rolled back in a dry run."""
        with self.app.session() as session:
            yield session
            if self.options.dry_run:
                session.rollback()
            else:
                fence(session, self.leases)

    def state(self, session: Session) -> TargetState:
        state = session.get(TargetState, self.target.name)
        if state is None:
            state = TargetState(target=self.target.name, kind=self.target.kind, cache={}, verify_offset=0)
            if not self.options.dry_run:  # a dry run reads a blank state and writes nothing, anywhere
                session.add(state)
                session.flush()
        return state

    _state = state  # the name the engine's older callers use

    def link_to(self, session: Session, link: Link, issue: RemoteIssue, origin: str | None = None) -> None:
        """Record the remote's immutable identity on a link and agree on every field."""
        link_to(link, issue, origin)

    def adopt(self, session: Session, item: ActionItem, link: Link, issue: RemoteIssue) -> list[str]:
        """Link an issue found by marker, taking the remote as the newer side (issue 19, point 3)."""
        return adopt_remote(session, item, link, issue, self.app.resolver, self.identities, self.actor)

    @staticmethod
    def seen(link: Link, issue: RemoteIssue) -> bool:
        """Same update time and same values: GitHub times have one-second precision, so both count."""
        return seen(link.state, link.remote_updated_at, link.record, issue)

    def snapshot(self, link: Link) -> LinkSnapshot:
        """What the database says about a linked item, as the plan's pure functions read it."""
        if link.id in self._merged:
            return self._merged[link.id]  # a dry run: the merge it planned, as if applied
        record = link.record
        return LinkSnapshot(
            link_id=link.id,
            item_id=link.item_id,
            ref=RemoteRef(link.remote_id or "", link.key, link.remote_number, link.url),
            origin=LinkOrigin(link.origin),
            state=LinkState(link.state),
            base=record,
            local=local_values_from(link.item, record, self.app.resolver, self.identities),
            item_status=link.item.status,
            remote_updated_at=link.remote_updated_at,
        )

    def merge_one(self, session: Session, link: Link, issue: RemoteIssue) -> None:
        decision = plan_merge(self.snapshot(link), issue, self.config.sync.conflict_policy)
        self.apply_decision(session, link, issue, decision)

    def apply_decision(
        self, session: Session, link: Link, issue: RemoteIssue, decision: MergeDecision
    ) -> None:
        """Apply a merge; a dry run lists its actions and remembers it for the pushes it plans next."""
        if self.options.dry_run:
            self.summary.plan.extend(action.describe() for action in decision.actions)
            self._merged[link.id] = after_merge(self.snapshot(link), decision)
        apply_merge(session, link, issue, decision, self.identities, self.actor, self.summary)

    _seen = seen

    # Lint flags (each item linted at most once per run) -------------------------------------------
    def ensure_flags(self, item_ids: set[int]) -> None:
        """Lint labels and held rules for these items (each item linted at most once per run)."""
        missing = item_ids - self._flagged
        if not missing:
            return
        from tracker.sync.flags import flags_for_items

        labels, held = flags_for_items(self.app, missing)
        self._labels.update(labels)
        self._held.update(held)
        self._flagged |= missing

    def desired_labels(self, item_id: int) -> set[str]:
        self.ensure_flags({item_id})
        return set(self._labels.get(item_id, ()))

    def held(self, item_ids: set[int]) -> dict[int, list[str]]:
        self.ensure_flags(item_ids)
        return {item_id: rules for item_id, rules in self._held.items() if item_id in item_ids}

    @property
    def tracker_label(self) -> str:
        return self.target.tracker_label

    def context_for(self, item: ActionItem) -> IssueContext:
        return issue_context(self.app, item)


def issue_context(app: AppContext, item: ActionItem) -> IssueContext:
    postmortem = item.postmortem
    return IssueContext(
        postmortem_slug=postmortem.slug,
        postmortem_title=postmortem.title,
        incident_date=postmortem.incident_date,
        severity=postmortem.severity,
        postmortem_url=postmortem_url(app.config, postmortem.slug),
        owner_text=item.owner_text,
        deadline_text=item.deadline_text,
        item_id=item.id,
    )
