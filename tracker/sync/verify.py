"""Direct, conditional fetches of linked issues: the rolling verification slice and issues that moved."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from tracker.backends.base import FetchKind, FetchResult, RemoteRef
from tracker.history import record
from tracker.linkstate import LinkOrigin, LinkState
from tracker.models import Link, utcnow
from tracker.sync.context import SyncContext
from tracker.sync.plan_links import plan_fetches

# TargetState.cache key: ids of links whose issue moved out of the target's project or repository.
# The pull lists only the target's own project/repository, so these are fetched on every run (one
# conditional request each): a close after a move is seen on the next sync, not when the slice
# comes round (issue 19, point 8).
MOVED = "moved_links"


def _refs(links: list[Link]) -> list[tuple[int, RemoteRef]]:
    return [
        (link.id, RemoteRef(link.remote_id or "", link.key, link.remote_number, link.url, link.etag))
        for link in links
    ]


def verify(sync: SyncContext) -> None:
    size = sync.config.sync.verify_slice
    if size <= 0:
        return
    with sync.app.session() as session:
        state = sync._state(session)
        last = state.cache.get("verified_at")
        due = (
            sync.pull_changed
            or not last
            or (
                datetime.fromisoformat(last)
                < utcnow() - timedelta(minutes=sync.config.sync.verify_interval_minutes)
            )
        )
        if not due:
            return
        moved = set(state.cache.get(MOVED) or ())
        links = session.scalars(
            select(Link)
            .where(Link.target == sync.target.name, Link.state == LinkState.LINKED, Link.id.not_in(moved))
            .order_by(Link.verified_at.is_not(None), Link.verified_at, Link.id)
            .limit(size)
        ).all()
        refs = _refs(list(links))
    results = [(link_id, sync.backend.fetch(ref)) for link_id, ref in refs]
    apply_fetches(sync, results, verified=True)


def follow_moved(sync: SyncContext) -> None:
    """Fetch every linked issue known to live outside the listing (moved or transferred)."""
    with sync.app.session() as session:
        state = sync._state(session)
        ids = list(state.cache.get(MOVED) or ())
        if not ids:
            return
        links = session.scalars(
            select(Link).where(
                Link.id.in_(ids), Link.target == sync.target.name, Link.state == LinkState.LINKED
            )
        ).all()
        refs = _refs(list(links))
    results = [(link_id, sync.backend.fetch(ref)) for link_id, ref in refs]
    apply_fetches(sync, results, verified=False, keep={link_id for link_id, _ in refs})


def apply_fetches(
    sync: SyncContext,
    results: list[tuple[int, FetchResult]],
    verified: bool,
    keep: set[int] | None = None,
) -> None:
    """Merge fetched issues into their links: deleted ones orphan, moved ones are followed."""
    with sync.tx() as session:
        state = sync._state(session)
        moved = set(state.cache.get(MOVED) or ()) if keep is None else set(keep)
        links = {link_id: session.get(Link, link_id) for link_id, _ in results}
        found = [(link_id, links[link_id], result) for link_id, result in results]
        orphans = plan_fetches([(i, link.item_id, link.key, r) for i, link, r in found if link is not None])
        for link_id, result in results:
            link = links[link_id]
            if link is None:
                continue
            if verified:
                link.verified_at = utcnow()
            orphan = orphans.get(link_id)
            if orphan is not None:
                moved.discard(link_id)
                link.state = LinkState.ORPHANED  # the item's status is left as it is
                sync.summary.orphaned += 1
                if sync.options.dry_run:
                    sync.summary.plan.append(orphan.describe())
                sync.summary.note(orphan.reason)
                record(
                    session,
                    link.item,
                    "link",
                    link.key,
                    None,
                    source=sync.target.kind,
                    actor=sync.actor,
                    note="remote issue deleted",
                )
                continue
            if result.kind is FetchKind.NOT_MODIFIED or result.issue is None:
                continue
            issue = result.issue
            if result.kind is FetchKind.MOVED:
                old = link.key
                link.remote_id, link.remote_number = issue.ref.remote_id, issue.ref.number
                link.repo_id, link.remote_node_id = issue.repo_id, issue.node_id
                link.key, link.url = issue.ref.key, issue.ref.url
                moved.add(link_id)
                sync.summary.moved += 1
                sync.summary.note(f"#{link.item_id} {old} was transferred to {issue.ref.key}: link followed")
                record(
                    session,
                    link.item,
                    "link",
                    old,
                    issue.ref.key,
                    source=sync.target.kind,
                    actor=sync.actor,
                    note="remote issue moved",
                )
            link.etag = result.etag
            if result.kind is FetchKind.OK and issue.ref.key and link.key and issue.ref.key != link.key:
                # Same immutable id, new key: a Jira issue moved to another project. It stays linked.
                moved.add(link_id)
                sync.summary.moved += 1
                sync.summary.note(f"#{link.item_id} {link.key} is now {issue.ref.key} (moved); still linked")
                record(
                    session,
                    link.item,
                    "link",
                    link.key,
                    issue.ref.key,
                    source=sync.target.kind,
                    actor=sync.actor,
                    note="remote issue moved to another project",
                )
                link.key, link.url = issue.ref.key, issue.ref.url or link.url
            if not issue.has_tracker_label and link.origin != LinkOrigin.DOCUMENT:
                sync.summary.note(f"#{link.item_id} {issue.ref.key}: someone removed the tracker label")
                link.record = link.record.with_flags(relabel=True)
            if not sync._seen(link, issue):
                sync.merge_one(session, link, issue)
        cache = dict(state.cache)
        if verified:
            cache["verified_at"] = utcnow().isoformat()
        if moved or MOVED in cache:
            cache[MOVED] = sorted(moved)
        state.cache = cache
