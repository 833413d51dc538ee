"""Issues documents name (`acme/ops#17`, `OPS-12`): linked and only read, never created, one item each."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.linkstate import LinkState
from tracker.models import ActionItem, Link, TargetState
from tracker.sync.context import SyncContext
from tracker.sync.fields import apply_status


def link_documents(sync: SyncContext) -> None:
    """Link the issues documents name (step 5a of a sync): read them in bulk, never create one."""
    with sync.app.session() as session:
        links = session.scalars(
            # `error` links are not retried every run: the next import of their document resets them.
            select(Link)
            .where(Link.target == sync.target.name, Link.origin == "document", Link.state == "pending")
            # The first item to name an issue keeps it (see _holder)
            .order_by(Link.id)
        ).all()
        wanted = [(link.id, link.key or link.url or "") for link in links]
    named = sync.backend.read_named([text for _, text in wanted]) if wanted else {}
    for link_id, text in wanted:
        result = named.get(text)
        if result is None:
            _fail(sync, link_id, f"cannot find the issue {text} in {sync.target.name}")
            continue
        if result.issue is None:
            _fail(sync, link_id, f"the issue {text} named by the document does not exist")
            continue
        labelled = result.issue.has_tracker_label
        if not labelled and sync.can_write and not sync.options.dry_run:
            labelled = sync.backend.add_tracker_label(result.issue.ref)
        holder = _holder(sync, link_id, result.issue.ref.remote_id)
        if holder is not None:
            _fail(sync, link_id, holder)
            continue
        with sync.tx() as session:
            link = session.get(Link, link_id)
            if link is None:
                continue
            sync.link_to(session, link, result.issue, origin="document")
            link.etag = result.etag
            item = session.get(ActionItem, link.item_id)
            if item is not None and item.status != result.issue.status.value:
                apply_status(session, item, result.issue, sync.actor, sync.target.kind)
            if not labelled:
                state = session.get(TargetState, sync.target.name)
                if state is not None:
                    state.cache = {**state.cache, "unlabelled_document_links": True}
        sync.summary.note(
            f"linked #{link_id and item.id if item else '?'} to {result.issue.ref.key} (named by its document)"
        )


def _holder(sync: SyncContext, link_id: int, remote_id: str) -> str | None:
    """Why this link cannot take the issue: one issue tracks one item per target (issue 19, point 2).
    A second item naming it (a recurring incident, or an issue sync made for another item) is
    refused on that item alone; the target and every other item go on."""
    with sync.app.session() as session:
        mine = session.get(Link, link_id)
        other = session.scalar(
            select(Link)
            .where(Link.target == sync.target.name, Link.remote_id == remote_id, Link.id != link_id)
            .options(selectinload(Link.item))
        )
        if mine is None or other is None:
            return None
        return (
            f"#{mine.item_id} names {other.key}, which already tracks #{other.item_id} "
            f"{other.item.title!r} on {sync.target.name}: not linked (one issue tracks one item; "
            f"`tracker unlink {other.item_id}` first, or name another issue in the document)"
        )


def _fail(sync: SyncContext, link_id: int, message: str) -> None:
    # A dead reference in a document is a finding about the document, not a failed run: cron
    # must not mail every ten minutes until someone edits the postmortem.
    sync.summary.note(f"warning: {message} (fix the document and import it again)")
    with sync.tx() as session:
        link = session.get(Link, link_id)
        if link is not None:
            link.state, link.last_error = LinkState.ERROR, message
