"""The month ends a trend reports on, and the tally counted at each (shared by the trend and its store)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tracker.report.queries import Scope
from tracker.report.sqlbits import Dialect, local_day_start

# report_rows.kind's codes in order (tracker.states.KIND_CODES, checked by tests/test_report_core.py):
# not imported from there, which would import SQLAlchemy into every report.
KINDS = ("open", "in_progress", "done", "wont_do", "bot")
Tally = tuple[dict[str, int], int]  # counts per kind, overdue: one trend point


@dataclass(frozen=True)
class MonthEnd:
    """One point of the trend: the state just before `cut` (the start of the next local day)."""

    label: str  # YYYY-MM
    day: date  # the local date the point describes: the month's last day, or the report's date
    cut: datetime


def month_ends(scope: Scope, months: int, dialect: Dialect) -> list[MonthEnd]:
    """The last `months` month ends up to the report's date; the last point is the report itself."""
    points: list[MonthEnd] = []
    year, month = scope.today.year, scope.today.month
    for back in range(months):
        y, m = divmod((year * 12 + month - 1) - back, 12)
        m += 1
        if back == 0:
            points.append(MonthEnd(f"{y:04d}-{m:02d}", scope.today, scope.cut))
            continue
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        first_next = date(ny, nm, 1)
        points.append(
            MonthEnd(
                f"{y:04d}-{m:02d}", first_next - timedelta(days=1), local_day_start(first_next, dialect.zone)
            )
        )
    return list(reversed(points))
