"""Lint as sync sees it: labels for flagged items, and the items that `[sync] hold` keeps back."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracker.app import AppContext
    from tracker.lint.model import Finding
    from tracker.models import ActionItem

# Progress findings (overdue, stale) change by the day; labels follow what a person can fix.
LABELLED_CATEGORIES = ("ownership", "deadline", "wording", "structure")


def flags_for_items(
    app: AppContext, item_ids: Iterable[int]
) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """(labels per item, held rule ids per item) for these open items; lint never stops an item otherwise.

    Only the rules that can label an item or hold it run, so an expensive rule nobody acts on here
    (the cross-postmortem duplicate search) costs a sync nothing.
    """
    from tracker.lint.engine import findings_by_item, labels_for
    from tracker.lint.registry import all_rules
    from tracker.lint.sources import lint_database, make_context

    hold = set(app.config.sync.hold)
    wanted = [rid for rid, rule in all_rules().items() if rule.category in LABELLED_CATEGORIES or rid in hold]
    context = make_context(app.config, app.today(), app.resolver)
    with app.session() as session:
        findings = lint_database(session, context, set(item_ids), only=wanted)
    labels: dict[int, list[str]] = {}
    held: dict[int, list[str]] = {}
    for item_id, item_findings in findings_by_item(findings).items():
        labels[item_id] = labels_for(_labelled(item_findings))
        rules = sorted({f.rule for f in item_findings if f.rule in hold})
        if rules:
            held[item_id] = rules
    return labels, held


def _labelled(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.category in LABELLED_CATEGORIES]


def lint_key(item: ActionItem, config_fingerprint: str) -> str:
    """What an item's labels depend on: when this is unchanged, its labels need no new lint run."""
    parts = (item.title, item.owner_text, item.deadline_text, item.deadline, item.status, config_fingerprint)
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
