"""Deadline rules: none, not a date, before the incident, already past, implausibly far away."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from tracker.deadlines import not_a_date
from tracker.lint.model import LintContext, LintItem, Severity
from tracker.lint.registry import rule


@rule(
    "deadline-missing",
    "deadline",
    Severity.ERROR,
    "the item has no deadline",
    "give a calendar date before the follow-up review: | ... | @dana | 2026-07-01 |",
)
def deadline_missing(item: LintItem, context: LintContext) -> Iterator[str]:
    if not (item.deadline_text or "").strip() and item.deadline is None:
        yield "no deadline: an undated item slips past the follow-up review"


@rule(
    "deadline-not-a-date",
    "deadline",
    Severity.WARNING,
    "the deadline is not a calendar date",
    "replace 'Ongoing', 'TBD', 'Q3' or 'ASAP' with the day it is due: 2026-07-15 or Jul 15",
)
def deadline_not_a_date(item: LintItem, context: LintContext) -> Iterator[str]:
    when, kind = item.resolved_deadline(context.today)
    if when is not None or not (item.deadline_text or "").strip():
        return
    text = item.deadline_text.strip() if item.deadline_text else ""
    yield not_a_date(text, kind)


@rule(
    "deadline-before-incident",
    "deadline",
    Severity.ERROR,
    "the deadline is before the incident happened",
    "check the year: a fix for an incident on 2026-06-20 is due after it, e.g. 2026-07-15",
)
def deadline_before_incident(item: LintItem, context: LintContext) -> Iterator[str]:
    when, _ = item.resolved_deadline(context.today)
    if when is not None and item.incident_date is not None and when < item.incident_date:
        yield f"deadline {when.isoformat()} is before the incident on {item.incident_date.isoformat()}"


@rule(
    "deadline-past",
    "deadline",
    Severity.WARNING,
    "the deadline had already passed when the item was written down",
    "set the date it will really be done by, e.g. two weeks from today",
)
def deadline_past(item: LintItem, context: LintContext) -> Iterator[str]:
    when, _ = item.resolved_deadline(context.today)
    reference = item.imported_at.date() if item.imported_at else context.today
    if when is None or not item.is_open or when >= reference:
        return
    if item.incident_date is not None and when < item.incident_date:
        return  # deadline-before-incident says it better
    moment = "at import" if item.imported_at else "today"
    yield f"deadline {when.isoformat()} was already past {moment} ({reference.isoformat()})"


@rule(
    "deadline-far",
    "deadline",
    Severity.WARNING,
    "the deadline is implausibly far away ([lint] far_deadline_days)",
    "split the work so the first step is due within weeks, or date it for real: 2026-08-01",
)
def deadline_far(item: LintItem, context: LintContext) -> Iterator[str]:
    when, _ = item.resolved_deadline(context.today)
    start = item.incident_date or (item.imported_at.date() if item.imported_at else context.today)
    limit = context.settings.far_deadline_days
    if when is not None and when > start + timedelta(days=limit):
        yield f"deadline {when.isoformat()} is {(when - start).days} days after {start.isoformat()} (limit {limit})"
