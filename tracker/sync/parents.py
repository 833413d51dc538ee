"""Sync step (opt-in `parent_issues`): one parent issue or epic per postmortem, its items attached as children.

The parent gets the same guarantees as an item's issue: a marker derived from target and postmortem
slug, a two-phase create (`creating` committed before the request), recovery by marker after a killed
run or a lost answer, and never a second parent for one postmortem.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.backends.base import (
    IssueChanges,
    IssueContext,
    IssueDraft,
    RateLimited,
    RemoteError,
    RemoteRef,
    supports_parents,
)
from tracker.issue_text import make_marker, postmortem_url
from tracker.linkstate import LinkState
from tracker.models import ActionItem, Link, ParentLink, Postmortem, utcnow
from tracker.statuses import Status
from tracker.sync.context import SyncContext

PARENT_FINGERPRINT = "\x00postmortem-parent"
OPEN = ("open", "in_progress")


def parent_marker(target: str, slug: str) -> str:
    return make_marker(target, slug, PARENT_FINGERPRINT)


def sync_parents(sync: SyncContext) -> None:
    """Create missing parents, attach new children, follow the postmortem's title and completion."""
    if not getattr(sync.target, "parent_issues", False) or not sync.can_write:
        return
    if not supports_parents(sync.backend):
        sync.summary.note(
            f"{sync.target.name}: this backend cannot make parent issues ([targets] parent_issues)"
        )
        return
    try:
        Parents(sync).run()
    except RateLimited:
        raise
    except RemoteError as exc:
        sync.summary.errors += 1
        sync.summary.note(f"parent issues: {exc.message}")


class Parents:
    def __init__(self, sync: SyncContext) -> None:
        self.sync = sync
        self.backend = sync.backend
        self.name = sync.target.name

    def run(self) -> None:
        self.recover()
        for postmortem_id in self.postmortems():
            self.ensure(postmortem_id)

    def postmortems(self) -> list[int]:
        """Postmortems with at least one item this target tracks (created or adopted issues)."""
        with self.sync.app.session() as session:
            rows = session.scalars(
                select(ActionItem.postmortem_id)
                .join(Link, Link.item_id == ActionItem.id)
                .join(Postmortem)
                .where(
                    Link.target == self.name,
                    Link.state == LinkState.LINKED,
                    Link.origin.in_(("created", "adopted")),
                    Postmortem.historical.is_(False),
                )
                .distinct()
            )
            return sorted(rows)

    def recover(self) -> None:
        """Parents a killed run left in `creating`: linked when their marker is found, else retried."""
        with self.sync.app.session() as session:
            pending = session.scalars(
                select(ParentLink).where(ParentLink.target == self.name, ParentLink.state == "creating")
            ).all()
            markers = {row.marker: row.id for row in pending}
            oldest = min((row.updated_at for row in pending), default=None)
        if not markers:
            return
        since = oldest - timedelta(seconds=self.sync.config.sync.pull_overlap_seconds) if oldest else None
        found = self.backend.find_markers(set(markers), since)
        lag = timedelta(seconds=getattr(self.backend, "index_lag_seconds", 0))
        with self.sync.tx() as session:
            for marker, row_id in markers.items():
                row = session.get(ParentLink, row_id)
                if row is None or row.state != "creating":
                    continue
                issue = found.get(marker)
                if issue is not None:
                    self._linked(row, issue.ref)
                    self.sync.summary.note(f"recovered parent {issue.ref.key}: created by an interrupted run")
                elif row.updated_at < utcnow() - lag:
                    row.state = "pending"  # nothing was created: safe to create it now

    @staticmethod
    def _linked(row: ParentLink, ref: RemoteRef) -> None:
        row.state, row.remote_id, row.remote_number = "linked", ref.remote_id, ref.number
        row.key, row.url, row.last_error = ref.key, ref.url, None

    def draft(self, postmortem: Postmortem) -> IssueDraft:
        app = self.sync.app
        context = IssueContext(
            postmortem_slug=postmortem.slug,
            postmortem_title=postmortem.title,
            incident_date=postmortem.incident_date,
            severity=postmortem.severity,
            postmortem_url=postmortem_url(app.config, postmortem.slug),
        )
        when = postmortem.incident_date.isoformat() if postmortem.incident_date else "date unknown"
        link = f"\n{context.postmortem_url}\n" if context.postmortem_url else ""
        intro = (
            f"The action items of the postmortem **{postmortem.title}** ({when}), as sub-issues.\n{link}\n"
            "Created and kept current by `tracker sync`; it closes when every item is closed.\n"
        )
        return IssueDraft(
            marker=parent_marker(self.name, postmortem.slug),
            title=self.title(postmortem),
            context=context,
            intro=intro,
            labels=tuple(getattr(self.sync.target, "labels", ())),
        )

    @staticmethod
    def title(postmortem: Postmortem) -> str:
        return f"Postmortem: {postmortem.title}"[:250]

    def ensure(self, postmortem_id: int) -> None:
        with self.sync.app.session() as session:
            postmortem = session.get(Postmortem, postmortem_id)
            assert postmortem is not None
            row = session.scalar(
                select(ParentLink).where(
                    ParentLink.postmortem_id == postmortem_id, ParentLink.target == self.name
                )
            )
            state = row.state if row is not None else None
            draft = self.draft(postmortem)
            slug = postmortem.slug
        if state == "creating":
            return  # quarantined until recovery finds it or the index lag has passed
        if state in (None, "pending", "error"):
            if self.sync.options.dry_run:
                self.sync.summary.plan.append(f"create parent {draft.title!r} in {self.name}")
                return
            if not self.create(postmortem_id, draft):
                return
        self.children(postmortem_id, slug)

    def create(self, postmortem_id: int, draft: IssueDraft) -> bool:
        # A parent another database (or a lost one) made carries the same marker: adopt it, never duplicate.
        existing = self.backend.find_markers({draft.marker}, None).get(draft.marker)
        with self.sync.tx() as session:
            row = session.scalar(
                select(ParentLink).where(
                    ParentLink.postmortem_id == postmortem_id, ParentLink.target == self.name
                )
            )
            if existing is not None:
                if row is None:
                    row = ParentLink(
                        postmortem_id=postmortem_id, target=self.name, marker=draft.marker, children=[]
                    )
                    session.add(row)
                self._linked(row, existing.ref)
                row.title = existing.title
                self.sync.summary.note(f"adopted parent {existing.ref.key}: it already carried the marker")
                return True
            if row is None:
                row = ParentLink(
                    postmortem_id=postmortem_id, target=self.name, marker=draft.marker, children=[]
                )
                session.add(row)
            row.state, row.marker, row.title, row.updated_at = "creating", draft.marker, draft.title, utcnow()
        outcome = self.backend.create_parent(draft)  # type: ignore[attr-defined]
        with self.sync.tx() as session:
            row = session.scalar(
                select(ParentLink).where(
                    ParentLink.postmortem_id == postmortem_id, ParentLink.target == self.name
                )
            )
            assert row is not None
            if outcome.issue is not None:
                self._linked(row, outcome.issue.ref)
                self.sync.summary.note(
                    f"created parent {outcome.issue.ref.key} for {draft.context.postmortem_slug}"
                )
                return True
            if outcome.uncertain:
                self.sync.summary.note(
                    f"parent for {draft.context.postmortem_slug}: no answer; looking for its marker"
                )
            else:
                row.state, row.last_error = "error", outcome.error
                self.sync.summary.errors += 1
                self.sync.summary.note(
                    f"error creating the parent for {draft.context.postmortem_slug}: {outcome.error}"
                )
        if not outcome.uncertain:
            return False
        self.recover()
        with self.sync.app.session() as session:
            state = session.scalar(
                select(ParentLink.state).where(
                    ParentLink.postmortem_id == postmortem_id, ParentLink.target == self.name
                )
            )
        return state == "linked"

    def children(self, postmortem_id: int, slug: str) -> None:
        """Attach linked items not yet attached; follow the title; close or reopen with the items."""
        with self.sync.app.session() as session:
            row = session.scalar(
                select(ParentLink).where(
                    ParentLink.postmortem_id == postmortem_id, ParentLink.target == self.name
                )
            )
            if row is None or row.state != "linked":
                return
            postmortem = session.get(Postmortem, postmortem_id, options=[selectinload(Postmortem.items)])
            assert postmortem is not None
            parent = RemoteRef(row.remote_id or "", row.key, row.remote_number, row.url)
            attached = set(row.children or [])
            links = session.scalars(
                select(Link)
                .join(ActionItem)
                .where(
                    ActionItem.postmortem_id == postmortem_id,
                    Link.target == self.name,
                    Link.state == LinkState.LINKED,
                    Link.origin.in_(("created", "adopted")),
                )
            ).all()
            todo = [
                RemoteRef(link.remote_id or "", link.key, link.remote_number, link.url)
                for link in links
                if link.remote_id not in attached
            ]
            title = self.title(postmortem) if row.title != self.title(postmortem) else None
            live = [i for i in postmortem.items if i.removed_at is None]
            all_closed = bool(live) and all(Status(i.status).is_closed for i in live)
            status = None
            if all_closed != row.closed:
                status = Status.DONE if all_closed else Status.OPEN
        if self.sync.options.dry_run:
            self.sync.summary.plan.extend(f"attach {ref.key} to parent {parent.key}" for ref in todo)
            return
        done = []
        for ref in todo:
            problem = self.backend.attach_child(parent, ref)  # type: ignore[attr-defined]
            if problem is None:
                done.append(ref.remote_id)
            else:
                self.sync.summary.note(f"could not attach {ref.key} to parent {parent.key}: {problem}")
        if title is not None or status is not None:
            self.backend.update(parent, IssueChanges(title=title, status=status))
        with self.sync.tx() as session:
            row = session.scalar(
                select(ParentLink).where(
                    ParentLink.postmortem_id == postmortem_id, ParentLink.target == self.name
                )
            )
            assert row is not None
            row.children = sorted({*(row.children or []), *done})
            if title is not None:
                row.title = title
            if status is not None:
                row.closed = status is Status.DONE
        if done:
            self.sync.summary.note(f"attached {len(done)} item(s) of {slug} to parent {parent.key}")
