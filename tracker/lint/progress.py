"""Progress rules (database items only): overdue, due after the follow-up review, never linked, gone quiet."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from tracker.lint.model import LintContext, LintItem, Severity
from tracker.lint.registry import rule


def _since_import(item: LintItem, context: LintContext) -> timedelta | None:
    """How long tracker has known the item: from its first recorded event, not its backdated start."""
    seen = item.first_seen_at or item.imported_at
    return None if seen is None else context.today - seen.date()


@rule(
    "progress-overdue",
    "progress",
    Severity.WARNING,
    "open and past its deadline",
    "finish it, or agree a new date with its owner and record it: tracker edit ID --deadline 2026-08-01",
    database_only=True,
)
def overdue(item: LintItem, context: LintContext) -> Iterator[str]:
    when, _ = item.resolved_deadline(context.today)
    if item.is_open and when is not None and when < context.today:
        yield f"overdue by {(context.today - when).days} days (deadline {when.isoformat()})"


@rule(
    "progress-due-after-review",
    "progress",
    Severity.WARNING,
    "still open and due after the follow-up review, so the review will find it unfinished",
    "bring the deadline before the review (tracker edit ID --deadline 2026-07-10) or agree a later review date",
    database_only=True,
)
def due_after_review(item: LintItem, context: LintContext) -> Iterator[str]:
    when, _ = item.resolved_deadline(context.today)
    review = item.review_date
    if not item.is_open or review is None or when is None or review < context.today:
        return
    if when > review:
        yield f"due {when.isoformat()}, after the follow-up review on {review.isoformat()}"


@rule(
    "progress-not-linked",
    "progress",
    Severity.WARNING,
    "no linked issue N days after import ([lint] no_link_days)",
    "run `tracker sync`, or check `tracker report` for why it is held or failing",
    database_only=True,
)
def not_linked(item: LintItem, context: LintContext) -> Iterator[str]:
    days = context.settings.no_link_days
    age = _since_import(item, context)
    if not item.is_open or item.linked is not False or age is None:
        return
    if age > timedelta(days=days):
        yield f"no linked issue {age.days} days after import (limit {days}): nobody outside this database sees it"


@rule(
    "progress-stale",
    "progress",
    Severity.INFO,
    "linked, open, and no remote activity in N days ([lint] stale_days)",
    "ask the owner for a status update in the issue, or close it as won't-do if it is no longer wanted",
    database_only=True,
)
def stale(item: LintItem, context: LintContext) -> Iterator[str]:
    days = context.settings.stale_days
    if not item.is_open or not item.linked or item.last_activity is None:
        return
    quiet = context.today - item.last_activity.date()
    if quiet > timedelta(days=days):
        yield f"no activity on its issue for {quiet.days} days (limit {days})"


@rule(
    "progress-unassigned",
    "progress",
    Severity.WARNING,
    "still without a person as owner N days after import ([sync] assignment_days; 0 turns it off)",
    "name the one person who will do it: tracker edit ID --owner @dana (remind escalates it meanwhile)",
    database_only=True,
)
def unassigned(item: LintItem, context: LintContext) -> Iterator[str]:
    days = context.settings.assignment_days
    age = _since_import(item, context)
    if days <= 0 or not item.is_open or age is None or context.resolver is None:
        return
    from tracker.people import OwnerKind

    if context.resolver.resolve(item.owner_text).kind is OwnerKind.PERSON:
        return
    if age > timedelta(days=days):
        owner = f"owner '{item.owner_text}' is not a person" if item.owner_text else "no owner"
        yield f"{owner} {age.days} days after import (limit {days})"
