"""Issues a document names: link the item to them (pending, resolved by sync) or report them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tracker.config import Config
from tracker.history import Actor, apply_change
from tracker.importing.drafts import ItemDraft
from tracker.importing.refs import target_for
from tracker.importing.results import ItemOutcome
from tracker.linkstate import LinkState
from tracker.models import ActionItem, Link

SOURCE = "document"


def link_refs(
    session: Session,
    config: Config,
    actor: Actor,
    item: ActionItem,
    draft: ItemDraft,
    outcome: ItemOutcome,
    changes: dict[str, tuple[Any, Any]] | None = None,
) -> None:
    """A reference the document names links the item to that issue: no new issue is created for it."""
    if not draft.refs:
        return  # reading item.links would load them, and flush the whole session first
    known = item_refs(item)
    first = True
    for ref in draft.refs:
        if ref.key.lower() in known or (ref.url and ref.url.lower() in known):
            continue
        if first:
            first = False
            old = item.tracking_ref
            applied = apply_change(session, item, "tracking_ref", ref.text, source=SOURCE, actor=actor)
            if applied and changes is not None:
                changes["tracking_ref"] = (old, ref.text)
        target = target_for(ref, config.targets)
        if target is None:
            outcome.notes.append(
                f"names {ref.key}, which is in no configured target: kept as its tracking reference"
            )
            continue
        link = next((existing for existing in item.links if existing.target == target), None)
        holder = _held_by_another(session, item, target, ref.key)
        if holder is not None and (link is None or link.state in ("pending", "error")):
            # One issue tracks one item per target (docs/sync.md): the item keeps the reference as
            # text, the other items of the document are imported as usual.
            outcome.notes.append(
                f"names {ref.key}, which already tracks item #{holder.item_id} on {target}: not linked "
                f"(one issue tracks one item; unlink #{holder.item_id} first to move it here)"
            )
            known.add(ref.key.lower())
            continue
        if link is None:
            link = Link(
                item=item,
                target=target,
                kind=config.targets[target].kind,
                state="pending",
                origin=SOURCE,
                key=ref.key,
                url=ref.url,
                remote_number=ref.number,
                base={},
            )
            session.add(link)
            outcome.notes.append(f"linked to {ref.key} on {target} (sync resolves it)")
            if changes is not None:
                changes["link"] = (None, ref.key)
        elif link.origin == SOURCE and link.state in ("pending", "error"):
            # Not resolved yet (or the named issue was not found): the document's correction wins.
            if changes is not None:
                changes["link"] = (link.key, ref.key)
            link.key, link.url, link.remote_number = ref.key, ref.url, ref.number
            link.state, link.last_error = LinkState.PENDING, None
        else:
            outcome.notes.append(
                f"names {ref.key} but is already linked to {link.key} on {target}: not changed"
            )
        known.add(ref.key.lower())


def item_refs(item: ActionItem) -> set[str]:
    keys: set[str] = set()
    for link in item.links:
        for value in (link.key, link.url):
            if value:
                keys.add(value.lower())
    if item.tracking_ref:
        keys.add(item.tracking_ref.lower())
    return keys


def _held_by_another(session: Session, item: ActionItem, target: str, key: str) -> Link | None:
    """Another item's live link to the issue `key` on `target` (matched on the key we know it by).
    The query flushes the session, so an earlier row of the same document counts too."""
    from sqlalchemy import func, select

    query = select(Link).where(
        Link.target == target,
        func.lower(Link.key) == key.lower(),
        Link.state.in_(("linked", "pending", "creating", "orphaned")),
    )
    if item.id is not None:
        query = query.where(Link.item_id != item.id)
    return session.scalar(query.order_by(Link.id).limit(1))
