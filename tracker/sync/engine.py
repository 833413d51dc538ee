"""One target's sync: pre-flight, recover, pull, verify a rolling slice, merge, push updates, create."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.backends.base import (
    IssueChanges,
    IssueTracker,
    RateLimited,
    RemoteError,
    RemoteIssue,
    RemoteRef,
)
from tracker.config import Target
from tracker.history import Actor
from tracker.linkstate import PULL_ONLY_ORIGINS, LinkOrigin, LinkState
from tracker.lock import Held, fence
from tracker.models import ActionItem, Link, TargetState, utcnow
from tracker.sync.apply import apply_merge, record_write
from tracker.sync.claims import HELD, holder, shared_marker
from tracker.sync.fields import Identities, adopt_remote, link_to, local_values_from, wrong_claim
from tracker.sync.plan import (
    OPEN_STATUSES,
    LinkSnapshot,
    PushDecision,
    after_merge,
    describe,
    plan_merge,
    plan_push,
    seen,
)
from tracker.sync.summary import TargetSummary

if TYPE_CHECKING:
    from tracker.app import AppContext

PREFLIGHT_TTL = timedelta(hours=12)


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


class TargetSync:
    """Runs the steps for one target; every write to the database is fenced by the run's leases."""

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

    def _state(self, session: Session) -> TargetState:
        state = session.get(TargetState, self.target.name)
        if state is None:
            state = TargetState(target=self.target.name, kind=self.target.kind, cache={}, verify_offset=0)
            if not self.options.dry_run:  # a dry run reads a blank state and writes nothing, anywhere
                session.add(state)
                session.flush()
        return state

    # The run ------------------------------------------------------------------------------------
    def run(self) -> TargetSummary:
        try:
            if not self.preflight():
                return self.summary
            self.recover()
            if not self.options.push_only:
                self.options.report(self.target.name, "pulling")
                self.pull()
                if self.duplicates:
                    from tracker.sync.duplicates import close

                    close(self, self.duplicates)
                self.follow_moved()
                self.options.report(self.target.name, "verifying")
                self.verify()
            if not self.options.pull_only:
                from tracker.sync.create import Creator

                self.options.report(self.target.name, "pushing changes")
                self.push_updates()
                creator = Creator(self)
                creator.link_documents()
                creator.create()
                from tracker.sync.parents import sync_parents  # issue 9: opt-in parent per postmortem

                sync_parents(self)
        except RateLimited as exc:
            self.summary.stopped = f"{exc.message}" + (f" ({exc.hint})" if exc.hint else "")
        except RemoteError as exc:
            self.summary.stopped = exc.message
        finally:
            self.summary.requests = self.backend.requests
        if not self.summary.failed and not self.options.dry_run:
            with self.tx() as session:
                state = self._state(session)
                state.last_good_sync_at = utcnow()
                state.last_good_run_id = self.run_id
        return self.summary

    def preflight(self) -> bool:
        with self.app.session() as session:
            state = self._state(session)
            cache = dict(state.cache.get("preflight") or {})
            checked = state.cache.get("preflight_at")
        fresh = checked and datetime.fromisoformat(checked) > utcnow() - PREFLIGHT_TTL
        usable = cache if fresh and cache.get("config") == self.config.fingerprint else None
        report = self.backend.preflight(usable, write=not self.options.dry_run)
        for warning in report.warnings:
            self.summary.note(f"warning: {warning}")
        if not report.ok:
            self.summary.stopped = "pre-flight failed: " + "; ".join(report.problems)
            return False
        self.can_write = report.can_write
        self.preflight_cache = report.cache
        if not self.can_write:
            self.summary.note("read-only credentials: pulling only (nothing is created or changed)")
        if report.cache is not cache:
            with self.tx() as session:
                state = self._state(session)
                state.cache = {
                    **state.cache,
                    "preflight": {**report.cache, "config": self.config.fingerprint},
                    "preflight_at": utcnow().isoformat(),
                }
        return True

    # Step 2: links a killed run left in `creating` -------------------------------------------------
    def recover(self) -> None:
        with self.app.session() as session:
            pending = session.scalars(
                select(Link).where(Link.target == self.target.name, Link.state == "creating")
            ).all()
            markers = {link.marker: link.id for link in pending if link.marker}
        if not markers:
            return
        # No `since`: our clock may run ahead of the remote's, and a killed run is rare enough to
        # afford one unbounded listing (backends stop early once every marker is found).
        found = self.backend.find_markers(set(markers), None)
        lag = timedelta(seconds=getattr(self.backend, "index_lag_seconds", 0))
        with self.tx() as session:
            for marker, link_id in markers.items():
                link = session.get(Link, link_id)
                if link is None or link.state != "creating":
                    continue
                issue = found.get(marker)
                if issue is not None and link.item is not None:
                    refused = wrong_claim(issue, link.item.postmortem.slug)
                    if refused is not None:
                        self.summary.note(f"warning: {refused}")
                        issue = None
                other = (
                    holder(session, self.target.name, issue.ref.remote_id, link.item_id) if issue else None
                )
                if issue is not None and other is not None and link.item is not None:
                    item = link.item
                    message = shared_marker(
                        item.id,
                        item.title,
                        item.postmortem.slug,
                        issue.ref.key or issue.ref.remote_id,
                        other,
                        self.target.name,
                    )
                    link.state, link.last_error = "error", message
                    link.base = {
                        **(link.base or {}),
                        HELD: other.item_id,
                        "held_remote_id": issue.ref.remote_id,
                    }
                    self.summary.errors += 1
                    self.summary.note(f"error: {message}")
                elif issue is not None:
                    self.link_to(session, link, issue, origin="created")
                    self.summary.note(f"recovered {issue.ref.key}: created by an interrupted run, now linked")
                elif link.updated_at < utcnow() - lag:
                    link.state = "pending"  # nothing was created: safe to try again
                # else: the remote's index may lag; keep it quarantined until the next run.

    def link_to(self, session: Session, link: Link, issue: RemoteIssue, origin: str | None = None) -> None:
        """Record the remote's immutable identity on a link and agree on every field."""
        link_to(link, issue, origin)

    def adopt(self, session: Session, item: ActionItem, link: Link, issue: RemoteIssue) -> list[str]:
        """Link an issue found by marker, taking the remote as the newer side (issue 19, point 3)."""
        return adopt_remote(session, item, link, issue, self.app.resolver, self.identities, self.actor)

    # Step 3: pull -------------------------------------------------------------------------------
    def pull(self) -> None:
        with self.app.session() as session:
            state = self._state(session)
            cursor = state.pull_cursor
            etags = dict(state.cache.get("pull") or {})
            # Issues a document named that we could not label (read-only token) only show unfiltered.
            etags["label_filter"] = not state.cache.get("unlabelled_document_links")
        since = cursor - timedelta(seconds=self.config.sync.pull_overlap_seconds) if cursor else None
        result = self.backend.pull(since, etags)
        news = 0 if result.not_modified else self.merge_remote(result.issues)
        self.pull_changed = news > 0
        ids = [issue.ref.remote_id for issue in result.issues]
        shifted = result.shifted or len(ids) != len(set(ids))
        # Keep the same `since` (and so the same URL and ETag) until something new arrives: an idle
        # target then costs one 304 per run. The first pull always sets a cursor. A listing that
        # shifted under us may have skipped an issue: keep the cursor so the next run lists again.
        advance = (news > 0 or cursor is None) and not shifted
        self._save_pull_state(etags, result.server_time if advance else None)

    def _save_pull_state(self, etags: dict[str, Any], cursor: datetime | None) -> None:
        with self.tx() as session:
            state = self._state(session)
            state.cache = {**state.cache, "pull": etags}
            if cursor is not None:
                state.pull_cursor = cursor

    def merge_remote(self, issues: list[RemoteIssue]) -> int:
        """Merge pulled issues into their items; returns how many carried news (unseen updates)."""
        if not issues:
            return 0
        news = 0
        with self.tx() as session:
            by_id = {
                link.remote_id: link
                for link in session.scalars(
                    select(Link)
                    .where(
                        Link.target == self.target.name, Link.remote_id.in_([i.ref.remote_id for i in issues])
                    )
                    .options(selectinload(Link.item).selectinload(ActionItem.postmortem))
                )
            }
            strangers = [i for i in issues if i.ref.remote_id not in by_id and i.marker]
            if strangers:
                from tracker.sync.duplicates import settle

                news += self.adopt_known_markers(session, strangers)
                session.flush()
                self.duplicates += settle(self, session, issues, dict(by_id))
                by_id = {
                    link.remote_id: link
                    for link in session.scalars(
                        select(Link).where(
                            Link.target == self.target.name,
                            Link.remote_id.in_([i.ref.remote_id for i in issues]),
                        )
                    )
                }
            for issue in issues:
                link = by_id.get(issue.ref.remote_id)
                if link is None:
                    continue  # not ours, or adopted just above
                if self._seen(link, issue):
                    continue  # seen already (the overlap of the pull window)
                news += 1
                self.merge_one(session, link, issue)
        return news

    def adopt_known_markers(self, session: Session, issues: list[RemoteIssue]) -> int:
        """Issues carrying the marker of an item with no link here (another copy of the database, or
        a restored backup, made them) are linked instead of being created again."""
        from tracker.issue_text import make_marker
        from tracker.models import Postmortem

        has_links = session.scalar(
            select(Link.id)
            .where(Link.target == self.target.name, Link.origin.in_(("created", "adopted")))
            .limit(1)
        )
        if has_links is None:
            return 0  # a new or lost database: the create guard refuses and `tracker adopt` decides
        rows = session.execute(
            select(ActionItem.id, Postmortem.slug, ActionItem.fingerprint).join(Postmortem)
        ).all()
        markers = {
            make_marker(self.target.name, slug, fingerprint): (item_id, slug)
            for item_id, slug, fingerprint in rows
        }
        adopted = 0
        for issue in issues:
            item_id, slug = markers.get(issue.marker or "", (None, ""))
            if item_id is None:
                continue
            refused = wrong_claim(issue, slug)
            if refused is not None:
                self.summary.note(f"warning: {refused}")
                continue
            link = session.scalar(
                select(Link).where(Link.item_id == item_id, Link.target == self.target.name)
            )
            if link is not None and link.state in ("linked", "unlinked", "unpushed"):
                continue  # linked elsewhere, or a person detached it on purpose: leave it to them
            if link is None:
                link = Link(item_id=item_id, target=self.target.name, kind=self.target.kind, base={})
                session.add(link)
            link.marker = issue.marker
            item = session.get(ActionItem, item_id)
            assert item is not None
            taken = self.adopt(session, item, link, issue)
            session.flush()
            self.summary.adopted += 1
            self.summary.note(
                f"adopted {issue.ref.key} for #{item_id}: it already carried the item's marker"
                + (f" (took {', '.join(taken)} from it: the remote is the newer side)" if taken else "")
            )
            adopted += 1
        return adopted

    @staticmethod
    def _seen(link: Link, issue: RemoteIssue) -> bool:
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
        snap = self.snapshot(link)
        decision = plan_merge(snap, issue, self.config.sync.conflict_policy)
        if self.options.dry_run:
            self.summary.plan.extend(action.describe() for action in decision.actions)
            self._merged[link.id] = after_merge(snap, decision)
        apply_merge(session, link, issue, decision, self.identities, self.actor, self.summary)

    # Step 3b: the rolling slice of direct, conditional re-verification, and moved issues -------------
    def verify(self) -> None:
        from tracker.sync.verify import verify

        verify(self)

    def follow_moved(self) -> None:
        from tracker.sync.verify import follow_moved

        follow_moved(self)

    # Step 5a: push local changes to linked issues -----------------------------------------------------
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

    def push_updates(self) -> None:
        if not self.can_write:
            return
        plans: list[tuple[int, RemoteRef, IssueChanges, PushDecision]] = []
        with self.app.session() as session:
            links = session.scalars(
                select(Link)
                .where(Link.target == self.target.name, Link.state == LinkState.LINKED)
                .options(selectinload(Link.item).selectinload(ActionItem.postmortem))
            ).all()
            from tracker.sync.flags import lint_key

            ours = [link for link in links if link.origin not in PULL_ONLY_ORIGINS]
            snaps = {link.id: self.snapshot(link) for link in ours}
            keys = {link.id: lint_key(link.item, self.config.fingerprint) for link in ours}
            # Labels are recomputed only for open items whose lint-relevant fields changed: an idle
            # sync lints nothing.
            fresh = {
                link.id
                for link in ours
                if snaps[link.id].item_status in OPEN_STATUSES
                and snaps[link.id].base.flags.lint_key != keys[link.id]
            }
            self.ensure_flags({link.item_id for link in ours if link.id in fresh})
            rekey: list[int] = []
            held: dict[int, str] = {}
            for link in ours:
                snap = snaps[link.id]
                desired = self.desired_labels(link.item_id) if link.id in fresh else None
                decision = plan_push(
                    snap, desired, getattr(self.backend, "pushes_status", True), self.tracker_label
                )
                held_status = decision.status_held
                if held_status and held_status != snap.base.flags.status_held:
                    held[link.id] = held_status
                    self.summary.note(
                        f"#{link.item_id} {link.key}: status stays {snap.base.merge.status} on the remote "
                        f"(here {held_status}; manage_workflow = false: tracker does not move "
                        "issues through the workflow)"
                    )
                if not decision.empty:
                    changes = decision.changes
                    if decision.needs_context:
                        changes = replace(changes, context=self.context_for(link.item))
                    plans.append((link.id, snap.ref, changes, decision))
                elif link.id in fresh:
                    rekey.append(link.id)
        if (rekey or held) and not self.options.dry_run:
            with self.tx() as session:
                for link_id in rekey:
                    rekeyed = session.get(Link, link_id)
                    if rekeyed is not None:
                        rekeyed.record = rekeyed.record.with_flags(lint_key=keys[link_id])
                for link_id, value in held.items():
                    noted = session.get(Link, link_id)
                    if noted is not None:
                        noted.record = noted.record.with_flags(status_held=value)
        for link_id, ref, changes, decision in plans:
            if self.options.dry_run:
                self.summary.plan.extend(action.describe() for action in decision.actions)
                continue
            if changes.status is not None:
                # A status push can take several workflow steps; a run killed part-way leaves the issue
                # in a middle status that must read as ours next time, not as a person's change.
                with self.tx() as session:
                    pushing = session.get(Link, link_id)
                    if pushing is not None:
                        pushing.record = pushing.record.with_flags(status_pushing=changes.status.value)
            try:
                issue = self.backend.update(ref, changes)
            except RateLimited:
                raise
            except RemoteError as exc:
                self.summary.errors += 1
                self.summary.note(f"error updating {ref.key}: {exc.message}")
                with self.tx() as session:
                    failed = session.get(Link, link_id)
                    if failed is not None:
                        failed.last_error = exc.message
                continue
            with self.tx() as session:
                written = session.get(Link, link_id)
                if written is None:
                    continue
                record_write(
                    written, issue, changes, decision, keys.get(link_id), self.target.kind, self.summary
                )
            self.summary.updated += 1
            if decision.labels:
                self.summary.flagged += 1

    @property
    def tracker_label(self) -> str:
        return self.target.tracker_label

    def context_for(self, item: ActionItem) -> Any:
        from tracker.sync.create import issue_context

        return issue_context(self.app, item)


__all__ = ["SyncOptions", "TargetSync", "describe", "replace"]
