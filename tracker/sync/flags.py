"""Lint as sync sees it: labels for flagged items, and the items that `[sync] hold` keeps back."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracker.app import AppContext
    from tracker.lint.model import Finding


def flags_for_items(
    app: AppContext, item_ids: Iterable[int] | None = None
) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """(labels per item, held rule ids per item) for open items; lint never stops an item otherwise."""
    from tracker.lint.engine import findings_by_item, labels_for
    from tracker.lint.sources import lint_database, make_context

    context = make_context(app.config, app.today(), app.resolver)
    with app.session() as session:
        findings = lint_database(session, context, item_ids)
    hold = set(app.config.sync.hold)
    labels: dict[int, list[str]] = {}
    held: dict[int, list[str]] = {}
    for item_id, item_findings in findings_by_item(findings).items():
        labels[item_id] = labels_for(_labelled(item_findings))
        rules = sorted({f.rule for f in item_findings if f.rule in hold})
        if rules:
            held[item_id] = rules
    return labels, held


def _labelled(findings: list[Finding]) -> list[Finding]:
    # Progress findings (overdue, stale) change by the day; labels follow what a person can fix.
    return [f for f in findings if f.category in ("ownership", "deadline", "wording", "structure")]
