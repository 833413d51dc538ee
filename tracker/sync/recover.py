"""Step 2 of a sync: links a killed run left in `creating` are linked by their marker, or retried."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tracker.linkstate import LinkState
from tracker.models import Link, utcnow
from tracker.sync.claims import holder, shared_marker
from tracker.sync.context import SyncContext
from tracker.sync.plan_links import wrong_claim


def recover(ctx: SyncContext) -> None:
    """Link each `creating` link whose marker is found; free the others once the index lag has passed."""
    with ctx.app.session() as session:
        pending = session.scalars(
            select(Link).where(Link.target == ctx.target.name, Link.state == LinkState.CREATING)
        ).all()
        markers = {link.marker: link.id for link in pending if link.marker}
    if not markers:
        return
    # No `since`: our clock may run ahead of the remote's, and a killed run is rare enough to
    # afford one unbounded listing (backends stop early once every marker is found).
    found = ctx.backend.find_markers(set(markers), None)
    lag = timedelta(seconds=getattr(ctx.backend, "index_lag_seconds", 0))
    with ctx.tx() as session:
        for marker, link_id in markers.items():
            link = session.get(Link, link_id)
            if link is None or link.state != LinkState.CREATING:
                continue
            issue = found.get(marker)
            if issue is not None and link.item is not None:
                refused = wrong_claim(issue, link.item.postmortem.slug)
                if refused is not None:
                    ctx.summary.note(f"warning: {refused}")
                    issue = None
            other = holder(session, ctx.target.name, issue.ref.remote_id, link.item_id) if issue else None
            if issue is not None and other is not None and link.item is not None:
                item = link.item
                message = shared_marker(
                    item.id,
                    item.title,
                    item.postmortem.slug,
                    issue.ref.key or issue.ref.remote_id,
                    other,
                    ctx.target.name,
                )
                link.state, link.last_error = LinkState.ERROR, message
                link.record = link.record.with_flags(
                    held_by_item=other.item_id, held_remote_id=issue.ref.remote_id
                )
                ctx.summary.errors += 1
                ctx.summary.note(f"error: {message}")
            elif issue is not None:
                ctx.link_to(session, link, issue, origin="created")
                ctx.summary.note(f"recovered {issue.ref.key}: created by an interrupted run, now linked")
            elif link.updated_at < utcnow() - lag:
                link.state = LinkState.PENDING  # nothing was created: safe to try again
            # else: the remote's index may lag; keep it quarantined until the next run.
