"""The report's documented shape as types (docs/report.md): what `build_report` returns, every renderer reads.

TypedDicts, not classes: the report's contract is its JSON, and these describe exactly that, key for
key, so mypy checks every producer and reader while `--format json` writes the values as they are
(no conversion pass over ten thousand group rows). `tracker.recurrence` owns the two recurrence
lists' rows; they stay plain mappings here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict, cast


class Figures(TypedDict):
    """One group's figures (`queries.FIGURES` counts, then the rates and the median)."""

    total: int
    open: int
    in_progress: int
    done: int
    wont_do: int
    closed_by_bot: int
    overdue: int
    no_deadline: int
    on_time: int
    on_time_base: int
    deadline_slips: int
    items_slipped: int
    slip_days: int
    max_slip_days: int
    done_before_tracking: int
    due: int
    due_done: int
    completion_rate: float | None
    on_time_rate: float | None
    median_days_to_done: float | None


class Group(Figures):
    """The figures of one key of a breakdown (a team, a severity, a target, a postmortem, a person)."""

    key: str


class Freshness(TypedDict):
    target: str
    kind: str | None
    last_good_sync_at: str | None
    age_hours: float | None
    stale: bool


class TrendPoint(TypedDict):
    month: str
    date: str
    total: int
    open: int
    in_progress: int
    done: int
    wont_do: int
    closed_by_bot: int
    overdue: int
    completion_rate: float | None


class IssueRef(TypedDict):
    key: str | None
    url: str | None


class ListedItem(TypedDict):
    """An overdue or unowned item in the manager's view."""

    id: int
    postmortem: str
    title: str
    owner: str | None
    person: str | None
    team: str | None
    deadline: str | None
    days_overdue: int
    issue: IssueRef | None


class DueSoFar(TypedDict):
    done: int
    due: int
    rate: float | None


class IncidentMonth(TypedDict):
    month: str
    items: int
    done: int
    done_time_unknown: int
    window_base: int
    within_30: int
    rate_30: float | None
    within_60: int
    rate_60: float | None
    within_90: int
    rate_90: float | None


def window(month: IncidentMonth, days: int) -> tuple[int, float | None]:
    """(done within `days` of the incident, its share or None until the window has passed)."""
    values = cast(Mapping[str, Any], month)  # the keys are named by the window: within_30, rate_30, ...
    return values[f"within_{days}"], values[f"rate_{days}"]


class TeamOverdue(TypedDict):
    team: str
    overdue: int
    open: int
    total: int


class FigureChange(TypedDict):
    then: int | None
    now: int
    change: int


class SincePrevious(TypedDict):
    scope: str
    previous_report_at: str | None
    figures: dict[str, FigureChange]


class ManagerView(TypedDict):
    overdue: list[ListedItem]
    unowned: list[ListedItem]
    unowned_count: int
    unowned_means: str
    due_so_far: DueSoFar
    by_incident_month: list[IncidentMonth]
    teams_by_overdue: list[TeamOverdue]
    since_previous: SincePrevious


class ReviewLink(TypedDict):
    target: str
    key: str | None
    url: str | None
    state: str


# What changed for an item since the previous report: `kind`, and `from`/`to` for some kinds
# (`from` is a keyword, hence the functional form).
Change = TypedDict("Change", {"kind": str, "from": Any, "to": Any}, total=False)


class ReviewItem(TypedDict):
    id: int
    postmortem: str
    title: str
    owner: str | None
    owner_person: str | None
    owner_team: str | None
    status: str
    closed_by_bot: bool
    deadline: str | None
    first_deadline: str | None
    deadline_slips: int
    overdue: bool
    days_overdue: int
    links: list[ReviewLink]
    lint: list[str]
    changes: list[Change]


class Review(TypedDict, total=False):
    scope: str
    previous_report_at: str | None
    items: list[ReviewItem]
    changes: dict[str, list[int]]
    postmortems: list[str]  # added by build_report, after the items


class ReportScope(TypedDict):
    postmortem: str | None
    review_window: list[str] | None
    owner: str | None
    per_person: bool
    team: str | None
    target: str | None
    severity: str | None
    since: str | None


class Report(TypedDict):
    """The whole report, in the documented key order (`--format json` writes it as it is)."""

    report_version: int
    generated_at: str
    as_of: str | None
    date: str
    timezone: str
    organisation: str | None
    scope: ReportScope
    freshness: list[Freshness]
    warnings: list[str]
    summary: Figures
    groups: dict[str, list[Group]]
    trend: list[TrendPoint]
    manager: ManagerView | None
    review: Review | None
    recurrence: list[dict[str, Any]]  # kept recurrence.Match rows with their sentence (build._kept)
    same_service: list[dict[str, Any]]  # kept recurrence.StillOpen rows with their sentence
