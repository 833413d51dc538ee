"""One target's sync: pre-flight, recover, pull, verify a rolling slice, merge, push updates, create."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.backends.base import (
    IssueChanges,
    RateLimited,
    RemoteError,
    RemoteIssue,
    RemoteRef,
)
from tracker.linkstate import PULL_ONLY_ORIGINS, LinkOrigin, LinkState
from tracker.models import ActionItem, Link, utcnow
from tracker.sync.apply import record_write
from tracker.sync.context import SyncContext, SyncOptions
from tracker.sync.create import Creator
from tracker.sync.documents import link_documents
from tracker.sync.duplicates import close as close_duplicates
from tracker.sync.duplicates import settle
from tracker.sync.parents import sync_parents
from tracker.sync.plan import (
    OPEN_STATUSES,
    PushDecision,
    describe,
    plan_pull,
    plan_push,
)
from tracker.sync.plan_links import MarkerOwner, plan_adoptions
from tracker.sync.recover import recover
from tracker.sync.summary import TargetSummary
from tracker.sync.verify import follow_moved, verify

PREFLIGHT_TTL = timedelta(hours=12)


class TargetSync(SyncContext):
    """Runs the steps of one target in order; what to do is decided by tracker/sync/plan.py."""

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
                    close_duplicates(self, self.duplicates)
                self.follow_moved()
                self.options.report(self.target.name, "verifying")
                self.verify()
            if not self.options.pull_only:
                self.options.report(self.target.name, "pushing changes")
                self.push_updates()
                link_documents(self)
                Creator(self).create()
                sync_parents(self)  # issue 9: opt-in parent per postmortem
        except RateLimited as exc:
            if not self.summary.pause(exc):  # the reserve: pacing, not a failure
                self.summary.stopped = f"{exc.message}" + (f" ({exc.hint})" if exc.hint else "")
        except RemoteError as exc:
            self.summary.stopped = exc.message
        finally:
            self.summary.requests = self.backend.requests
        if not self.summary.failed and not self.summary.paused and not self.options.dry_run:
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
        recover(self)

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
            snapshots = {remote_id: self.snapshot(link) for remote_id, link in by_id.items() if remote_id}
            links = {link.id: link for link in by_id.values()}
            for link_id, issue, decision in plan_pull(snapshots, issues, self.config.sync.conflict_policy):
                news += 1
                self.apply_decision(session, links[link_id], issue, decision)
        return news

    def adopt_known_markers(self, session: Session, issues: list[RemoteIssue]) -> int:
        """Issues carrying the marker of an item with no link here (another copy of the database, or
        a restored backup, made them) are linked instead of being created again. The step gathers
        the markers and the items' links; `plan_adoptions` decides."""
        from tracker.issue_text import make_marker
        from tracker.models import Postmortem

        own_links = session.scalar(
            select(Link.id)
            .where(Link.target == self.target.name, Link.origin.in_((LinkOrigin.CREATED, LinkOrigin.ADOPTED)))
            .limit(1)
        )
        owners: dict[str, MarkerOwner] = {}
        if own_links is not None:
            rows = session.execute(
                select(ActionItem.id, Postmortem.slug, ActionItem.fingerprint).join(Postmortem)
            ).all()
            wanted = {issue.marker for issue in issues}
            owners = {
                marker: MarkerOwner(item_id, slug)
                for item_id, slug, fingerprint in rows
                if (marker := make_marker(self.target.name, slug, fingerprint)) in wanted
            }
            states = dict(
                session.execute(
                    select(Link.item_id, Link.state).where(
                        Link.target == self.target.name,
                        Link.item_id.in_([owner.item_id for owner in owners.values()]),
                    )
                ).all()
            )
            owners = {m: replace(o, link_state=states.get(o.item_id)) for m, o in owners.items()}
        plan = plan_adoptions(issues, owners, own_links=own_links is not None)
        for warning in plan.warnings:
            self.summary.note(f"warning: {warning}")
        for action, issue in plan.adopt:
            assert action.item_id is not None
            link = session.scalar(
                select(Link).where(Link.item_id == action.item_id, Link.target == self.target.name)
            )
            if link is None:
                link = Link(item_id=action.item_id, target=self.target.name, kind=self.target.kind, base={})
                session.add(link)
            link.marker = issue.marker
            item = session.get(ActionItem, action.item_id)
            assert item is not None
            if self.options.dry_run:
                self.summary.plan.append(action.describe())
            taken = self.adopt(session, item, link, issue)
            session.flush()
            self.summary.adopted += 1
            self.summary.note(
                f"adopted {action.reason}"
                + (f" (took {', '.join(taken)} from it: the remote is the newer side)" if taken else "")
            )
        return len(plan.adopt)

    # Step 3b: the rolling slice of direct, conditional re-verification, and moved issues -------------
    def verify(self) -> None:
        verify(self)

    def follow_moved(self) -> None:
        follow_moved(self)

    # Step 5a: push local changes to linked issues -----------------------------------------------------
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


__all__ = ["SyncOptions", "TargetSync", "describe", "replace"]
