"""Creating issues without ever duplicating one: guards, markers, two-phase commits, document links."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, selectinload

from tracker.backends.base import IssueDraft, RateLimited, RemoteError, RemoteIssue
from tracker.issue_text import make_marker, render_intro
from tracker.linkstate import LinkOrigin, LinkState, SyncBase
from tracker.models import ActionItem, Link, Postmortem, TargetState, utcnow
from tracker.routing import route_item
from tracker.statuses import Status
from tracker.sync.claims import holder, shared_marker, still_held
from tracker.sync.context import SyncContext, issue_context
from tracker.sync.fields import remote_title
from tracker.sync.plan import CreateCandidate, plan_creates
from tracker.sync.plan_links import MarkerOwner, plan_adoptions, plan_create_guard
from tracker.sync.recover import recover


class Creator:
    """Step 5b of a sync: create what is new and routable (after `documents.link_documents`)."""

    def __init__(self, sync: SyncContext) -> None:
        self.sync = sync
        self.app = sync.app
        self.target = sync.target
        self.summary = sync.summary

    # New issues ----------------------------------------------------------------------------------
    def candidates(self) -> list[ActionItem]:
        with self.app.session() as session:
            rows = session.scalars(
                select(ActionItem)
                .join(Postmortem)
                .outerjoin(Link, and_(Link.item_id == ActionItem.id, Link.target == self.target.name))
                .where(
                    ActionItem.push.is_(True),
                    ActionItem.removed_at.is_(None),
                    ActionItem.status.in_((Status.OPEN.value, Status.IN_PROGRESS.value)),
                    Postmortem.historical.is_(False),
                    (Link.id.is_(None))
                    | (Link.state.in_(("pending", "error")) & (Link.origin != LinkOrigin.DOCUMENT)),
                )
                .options(selectinload(ActionItem.postmortem), selectinload(ActionItem.links))
                .order_by(ActionItem.id)
            ).all()
            blocked = still_held(session, self.target.name, rows)
        if blocked:
            self.summary.note(
                f"{len(blocked)} item(s) not created: the issue carrying their marker tracks another item "
                f"({', '.join(f'#{i}' for i in sorted(blocked))}; `tracker show ID` says which)"
            )
        chosen = []
        for item in rows:
            if item.id in blocked:
                continue
            if any(
                link.target != self.target.name and link.state != LinkState.PENDING for link in item.links
            ):
                continue  # already tracked elsewhere
            if item.tracking_ref or any(link.origin == LinkOrigin.DOCUMENT for link in item.links):
                continue  # the document names its issue: never create a second one
            owner = self.app.resolver.resolve(item.owner_text)
            if route_item(item, item.postmortem, self.app.config, owner) == self.target.name:
                chosen.append(item)
        return chosen

    def create(self) -> None:
        items = self.candidates()
        if not items:
            return
        if not self.sync.can_write:
            self.summary.note(f"{len(items)} item(s) not pushed: the credentials are read-only")
            return
        held = self.sync.held({item.id for item in items})
        decided = plan_creates(
            [
                CreateCandidate(
                    item.id, item.title, tuple(held.get(item.id, ())), item.postmortem.confidential
                )
                for item in items
            ],
            self.target.name,
            public=self.sync.preflight_cache.get("private") is False,
            cap=self.sync.options.max_creates
            if self.sync.options.max_creates is not None
            else self.app.config.sync.max_creates,
        )
        self.summary.held += decided.held
        for action in decided.actions:
            self.summary.note(f"held {action.reason}")
            if self.sync.options.dry_run:
                self.summary.plan.append(action.describe())
        ready_ids = set(decided.ready)
        if not (ready_ids or decided.waiting) or not self._guards(len(ready_ids) + decided.waiting):
            return
        if decided.waiting:
            self.summary.waiting = decided.waiting
            cap = len(decided.ready)
            self.summary.note(f"{self.summary.waiting} item(s) wait for the next run (create cap {cap})")
        ready = [item for item in items if item.id in ready_ids]
        drafts = {item.id: self.draft(item) for item in ready}
        ready = self._adopt_existing(ready, drafts)
        uncertain = False
        size = max(1, self.sync.backend.create_batch_size)
        for start in range(0, len(ready), size):
            self.sync.options.report(self.target.name, "creating issues", start, len(ready))
            batch = ready[start : start + size]
            if self.sync.options.dry_run:
                self.summary.plan.extend(decided.creates[i.id].describe() for i in batch)
                continue
            uncertain |= self._create_batch(batch, drafts)
        if uncertain:
            recover(self.sync)

    def _guards(self, count: int) -> bool:
        """Gather what the lost-database guard and the first-push confirmation read; `plan_create_guard`
        decides (a question is put to the terminal only when it says "ask")."""
        with self.app.session() as session:
            linked_before = session.scalar(
                select(Link.id)
                .where(Link.target == self.target.name, Link.origin.in_(("created", "adopted")))
                .limit(1)
            )
        own_links = linked_before is not None
        options = self.sync.options
        guard = plan_create_guard(
            own_links,
            # Only a database with no links of its own pays for these two lookups.
            not own_links and self.sync.backend.has_tracker_issues() and self._unknown_tracker_issues(),
            not (options.dry_run or options.yes or not self.app.config.sync.confirm_first_push),
            self.target.name,
            self.target.tracker_label,
            count,
        )
        if guard.verdict == "refuse":
            self.summary.stopped = guard.reason
            return False
        if guard.verdict == "go" or (options.confirm is not None and options.confirm(guard.reason)):
            return True
        self.summary.stopped = (
            f"first push to {self.target.name} needs confirmation: run `tracker sync --yes` once"
        )
        return False

    def _unknown_tracker_issues(self) -> bool:
        """Issues carrying a tracker marker that this database has not linked (issues a document
        named and we labelled carry no marker and do not count)."""
        with self.app.session() as session:
            known = set(
                session.scalars(
                    select(Link.remote_id).where(Link.target == self.target.name, Link.remote_id.is_not(None))
                )
            )
        return any(
            issue.marker and issue.ref.remote_id not in known
            for issue in self.sync.backend.list_tracker_issues()
        )

    def draft(self, item: ActionItem) -> IssueDraft:
        target = self.target
        context = issue_context(self.app, item)
        resolution = self.app.resolver.resolve(item.owner_text)
        assignee = self.sync.identities.of(
            self.app.resolver.assignee_for(resolution, item.postmortem.commander)
        )
        labels = [*target.labels]
        severity = item.postmortem.severity
        if getattr(target, "severity_labels", False) and severity:
            labels.append(f"severity:{severity}")
        lint_labels = self.sync.desired_labels(item.id)
        labels.extend(sorted(lint_labels))
        priorities = getattr(target, "priorities", {}) or {}
        return IssueDraft(
            marker=make_marker(target.name, item.postmortem.slug, item.fingerprint),
            title=remote_title(target.kind, item.title),
            context=context,
            intro=render_intro(context, self.app.config, getattr(target, "body_template", None)),
            assignee=assignee,
            due=item.deadline,
            labels=tuple(dict.fromkeys(labels)),
            priority=priorities.get(severity or "") if severity else None,
            status=Status(item.status),
        )

    def _adopt_existing(self, items: list[ActionItem], drafts: dict[int, IssueDraft]) -> list[ActionItem]:
        """Issues that already carry an item's marker (another copy of the database made them) are adopted."""
        markers = {drafts[item.id].marker: item for item in items}
        # Bounded by what this database last saw of the remote (its pull cursor, from the server's
        # clock): a restored backup's cursor is old, so issues made since then are listed too.
        with self.app.session() as session:
            state = session.get(TargetState, self.target.name)
            cursor = state.pull_cursor if state is not None else None
        oldest = min(item.created_at for item in items)
        bound = min(cursor, oldest) if cursor is not None else None
        since = bound - timedelta(seconds=self.app.config.sync.pull_overlap_seconds) if bound else None
        found = self.sync.backend.find_markers(set(markers), since)
        if not found:
            return items
        # What the database says of each marked issue: another item may already hold it.
        owners: dict[str, MarkerOwner] = {}
        refusals: dict[int, str] = {}
        with self.app.session() as session:
            for marker, issue in found.items():
                item = markers[marker]
                other = holder(session, self.target.name, issue.ref.remote_id, item.id)
                if other is not None:
                    key = issue.ref.key or issue.ref.remote_id
                    refusals[item.id] = shared_marker(
                        item.id, item.title, item.postmortem.slug, key, other, self.target.name
                    )
                owners[marker] = MarkerOwner(
                    item.id, item.postmortem.slug, held_by=other.item_id if other else None
                )
        plan = plan_adoptions(list(found.values()), owners)
        for warning in plan.warnings:
            self.summary.note(f"warning: {warning}")
        for item_id, issue, other_id in plan.held:
            self._hold(item_id, drafts[item_id], issue, other_id, refusals[item_id])
        if self.sync.options.dry_run:
            self.summary.plan.extend(action.describe() for action, _ in plan.adopt)
        elif plan.adopt:
            with self.sync.tx() as session:
                for action, issue in plan.adopt:
                    adopted_id = action.item_id
                    assert adopted_id is not None
                    link = self._link_new(
                        session, adopted_id, drafts[adopted_id], issue, origin=LinkOrigin.ADOPTED
                    )
                    adopted = session.get(ActionItem, adopted_id)
                    assert adopted is not None
                    taken = self.sync.adopt(session, adopted, link, issue)
                    self.summary.adopted += 1
                    self.summary.note(
                        f"adopted {action.reason}"
                        + (
                            f" (took {', '.join(taken)} from it: the remote is the newer side)"
                            if taken
                            else ""
                        )
                    )
        done = {action.item_id for action, _ in plan.adopt} | {item_id for item_id, _, _ in plan.held}
        return [item for item in items if item.id not in done]

    def _hold(self, item_id: int, draft: IssueDraft, issue: RemoteIssue, other_id: int, message: str) -> None:
        """The issue carrying this item's marker already tracks another item: this item's link is
        marked `error` (it is not created again while the other link holds the issue), and the run
        goes on for every other item."""
        self.summary.errors += 1
        self.summary.note(f"error: {message}")
        if self.sync.options.dry_run:
            return
        with self.sync.tx() as session:
            link = session.scalar(
                select(Link).where(Link.item_id == item_id, Link.target == self.target.name)
            )
            if link is None:
                link = Link(
                    item_id=item_id,
                    target=self.target.name,
                    kind=self.target.kind,
                    base={},
                    origin=LinkOrigin.CREATED,
                )
                session.add(link)
            link.state, link.last_error, link.marker = LinkState.ERROR, message, draft.marker
            link.record = link.record.with_flags(held_by_item=other_id, held_remote_id=issue.ref.remote_id)
            link.updated_at = utcnow()

    def _link_new(
        self, session: Session, item_id: int, draft: IssueDraft, issue: RemoteIssue, origin: str
    ) -> Link:
        link = session.scalar(select(Link).where(Link.item_id == item_id, Link.target == self.target.name))
        if link is None:
            link = Link(
                item_id=item_id, target=self.target.name, kind=self.target.kind, marker=draft.marker, base={}
            )
            session.add(link)
        link.marker = draft.marker
        link.record = SyncBase().with_fields(labels=sorted(self.sync.desired_labels(item_id)))
        self.sync.link_to(session, link, issue, origin=origin)
        return link

    def _create_batch(self, batch: list[ActionItem], drafts: dict[int, IssueDraft]) -> bool:
        """Phase one commits `creating` with the marker; phase two the ids. Returns True if any is uncertain."""
        with self.sync.tx() as session:
            for item in batch:
                link = session.scalar(
                    select(Link).where(Link.item_id == item.id, Link.target == self.target.name)
                )
                if link is None:
                    link = Link(
                        item_id=item.id,
                        target=self.target.name,
                        kind=self.target.kind,
                        base={},
                        origin=LinkOrigin.CREATED,
                    )
                    session.add(link)
                link.state, link.marker = LinkState.CREATING, drafts[item.id].marker
                link.attempts = (link.attempts or 0) + 1
                link.created_run_id = self.sync.run_id
                link.updated_at = utcnow()
        try:
            outcomes = self.sync.backend.create([drafts[item.id] for item in batch])
        except RateLimited:
            # Backends raise this from a create only when the request was refused whole (a primary
            # or secondary limit answers before anything is written): nothing exists to recover,
            # so the links go back to `pending` and the next run simply creates them.
            with self.sync.tx() as session:
                for item in batch:
                    link = session.scalar(
                        select(Link).where(Link.item_id == item.id, Link.target == self.target.name)
                    )
                    if link is not None and link.state == LinkState.CREATING:
                        link.state = LinkState.PENDING
            raise
        except RemoteError as exc:
            self.summary.errors += len(batch)
            self.summary.note(f"error creating {len(batch)} issue(s): {exc.message}")
            return True
        uncertain = False
        by_marker = {drafts[item.id].marker: item for item in batch}
        with self.sync.tx() as session:
            for outcome in outcomes:
                item = by_marker[outcome.draft.marker]
                link = session.scalar(
                    select(Link).where(Link.item_id == item.id, Link.target == self.target.name)
                )
                assert link is not None
                if outcome.issue is not None:
                    link = self._link_new(
                        session, item.id, outcome.draft, outcome.issue, origin=LinkOrigin.CREATED
                    )
                    if outcome.draft.assignee and outcome.issue.assignee != outcome.draft.assignee:
                        # The remote refused this person: do not ask again every run until the owner changes.
                        link.record = link.record.with_flags(rejected_assignee=outcome.draft.assignee)
                    self.summary.created += 1
                    if outcome.draft.title != item.title:
                        link.record = link.record.with_flags(title_cut=len(outcome.draft.title))
                        self.summary.note(
                            f"#{item.id} {outcome.issue.ref.key}: title cut to {len(outcome.draft.title)} "
                            f"characters ({self.target.kind}'s limit); the item keeps its full title"
                        )
                    if self.sync.desired_labels(item.id):
                        self.summary.flagged += 1
                    if outcome.warnings:
                        link.record = link.record.with_flags(warnings=tuple(outcome.warnings))
                        for warning in outcome.warnings:
                            self.summary.note(f"#{item.id} {outcome.issue.ref.key}: {warning}")
                elif outcome.uncertain:
                    uncertain = True
                    self.summary.note(
                        f"#{item.id}: no answer to the create ({outcome.error}); looking for its marker"
                    )
                else:
                    link.state, link.last_error = LinkState.ERROR, outcome.error
                    self.summary.errors += 1
                    self.summary.note(f"error creating #{item.id} {item.title!r}: {outcome.error}")
        return uncertain
