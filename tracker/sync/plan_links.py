"""The sync's pure decisions about which issue a link points to: adopt by marker, orphan, the create guard.

Like tracker/sync/plan.py (whose actions these are), nothing here reads the database or the network
(tests/test_sync_plan.py checks both modules): the steps gather the inputs, these functions decide
and give their reasons, the steps apply the answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tracker.backends.base import FetchKind, FetchResult, RemoteIssue
from tracker.linkstate import LinkState
from tracker.sync.plan import Action, ActionKind


@dataclass(frozen=True)
class CreateGuard:
    """Whether this run may create issues on a target: "go", "refuse" or "ask" first, and why."""

    verdict: str
    reason: str = ""


def plan_create_guard(
    own_links: bool, unknown_marked: bool, ask_first: bool, target: str, label: str, count: int
) -> CreateGuard:
    """The lost-database guard and the first-push confirmation.

    A database with a link of its own making (created or adopted) to the target creates. One
    without, facing issues that carry a tracker marker it has not linked (`unknown_marked`), is a
    lost, new or copied database: it refuses and `tracker adopt` decides. Otherwise the first push
    asks when `ask_first` (a confirmation is configured and neither --yes nor --dry-run was given).
    """
    if own_links:
        return CreateGuard("go")
    if unknown_marked:
        return CreateGuard(
            "refuse",
            f"refusing to create issues: {target} already holds issues with the tracker label "
            f"'{label}' but this database has no links to it (a lost, new or copied "
            f"database?). Run `tracker adopt {target}` to relink them from their markers",
        )
    if ask_first:
        return CreateGuard("ask", f"First push to {target}: create {count} issue(s)?")
    return CreateGuard("go")


def wrong_claim(issue: RemoteIssue, slug: str) -> str | None:
    """Why an issue carrying an item's marker is not that item's (its block names another postmortem):
    markers are computable by anyone, so a copied block must not make us adopt the wrong issue."""
    if issue.claimed_postmortem is None or issue.claimed_postmortem == slug:
        return None
    return (
        f"{issue.ref.key} carries the marker of an item of {slug} but its block names postmortem "
        f"{issue.claimed_postmortem}: not adopted"
    )


# A link in one of these states keeps its item from adopting a marked issue during the pull: linked
# elsewhere already, or a person detached it on purpose (unlink, unpush) and decides again.
KEEPS_ITEM = frozenset({LinkState.LINKED, LinkState.UNLINKED, LinkState.UNPUSHED})


@dataclass(frozen=True)
class MarkerOwner:
    """The item whose marker an issue carries, as the database describes it on this target."""

    item_id: int
    slug: str
    link_state: str | None = None  # the item's own link on this target, if it has one
    held_by: int | None = None  # another item whose link already holds the issue


@dataclass
class AdoptPlan:
    adopt: list[tuple[Action, RemoteIssue]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # issues refused: their block names another postmortem
    held: list[tuple[int, RemoteIssue, int]] = field(default_factory=list)  # (item, issue, item holding it)


def plan_adoptions(
    issues: list[RemoteIssue], owners: dict[str, MarkerOwner], own_links: bool = True
) -> AdoptPlan:
    """Which unlinked issues are linked to the item whose marker they carry, and why; which are refused.

    `owners` maps a marker to its item. `own_links` is False when this database has no link of its
    own making (created or adopted) to the target: a new or lost database adopts nothing during a
    sync (the create guard refuses and `tracker adopt` decides). An issue whose block names another
    postmortem is refused with a warning; one another item already holds is reported (one issue
    tracks one item); an item linked, unlinked or unpushed on this target keeps its link; an item
    adopts at most one issue per run (a second is left to the duplicate check).
    """
    plan = AdoptPlan()
    if not own_links:
        return plan
    taken: set[int] = set()
    for issue in issues:
        owner = owners.get(issue.marker or "")
        if owner is None:
            continue
        refused = wrong_claim(issue, owner.slug)
        if refused is not None:
            plan.warnings.append(refused)
            continue
        if owner.held_by is not None:
            plan.held.append((owner.item_id, issue, owner.held_by))
            continue
        if owner.link_state in KEEPS_ITEM or owner.item_id in taken:
            continue
        taken.add(owner.item_id)
        reason = f"{issue.ref.key} for #{owner.item_id}: it already carried the item's marker"
        plan.adopt.append((Action(ActionKind.ADOPT, reason, owner.item_id, issue.ref.key), issue))
    return plan


def plan_fetches(fetched: list[tuple[int, int, str | None, FetchResult]]) -> dict[int, Action]:
    """The links whose direct fetch (link id, item id, key, result) says the issue is gone, each
    with its ORPHAN action.

    Only a 404/410 orphans (FetchKind.GONE), and the item keeps its status: nothing is closed
    because it is absent. A transferred issue (MOVED) is followed and stays linked; an unchanged
    (304) or readable one is merged as usual.
    """
    return {
        link_id: Action(
            ActionKind.ORPHAN,
            f"#{item_id} {key}: the issue was deleted; link orphaned (status kept)",
            item_id,
            key,
        )
        for link_id, item_id, key, result in fetched
        if result.kind is FetchKind.GONE
    }
