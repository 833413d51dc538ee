"""Rules that flag action items that will never get done; the public API sync, import and report call."""

from tracker.lint.engine import failing, findings_by_item, labels_for, run_rules
from tracker.lint.model import Finding, LintContext, LintItem, Severity
from tracker.lint.settings import LintSettings
from tracker.lint.sources import (
    item_from_model,
    items_from_document,
    lint_database,
    lint_document,
    make_context,
)
from tracker.lint.wording import is_vague, wording_matches

__all__ = [
    "Finding",
    "LintContext",
    "LintItem",
    "LintSettings",
    "Severity",
    "failing",
    "findings_by_item",
    "is_vague",
    "item_from_model",
    "items_from_document",
    "labels_for",
    "lint_database",
    "lint_document",
    "make_context",
    "run_rules",
    "wording_matches",
]
