"""Month-by-month trend from the report rows: status counts, overdue and completion at each month's end."""

from __future__ import annotations

from typing import Any

from tracker.readdb import ReadConnection
from tracker.report.months import KINDS, MonthEnd, Tally, month_ends
from tracker.report.queries import Scope, scope_filters, scope_values
from tracker.report.shape import Figures, TrendPoint
from tracker.report.sqlbits import Dialect, bucket
from tracker.report.trend_cache import cached_tallies

__all__ = ["KINDS", "MonthEnd", "Tally", "count_points", "month_ends", "trend", "trend_sql"]


def trend_sql(dialect: Dialect, scope: Scope, points: list[MonthEnd]) -> tuple[str, dict[str, Any]]:
    """The report rows bucketed by the month ends their stretches span, by kind and deadline.

    A stretch (valid_from, valid_to] counts at every month end inside it: the same stretches as
    `--as-of`, so a trend point equals the report as of that month's end.
    """
    d = dialect
    values: dict[str, Any] = {}
    cut_bounds, day_bounds = [], []
    for index, point in enumerate(points):
        values[f"e{index}"] = d.micros(point.cut)
        values[f"d{index}"] = d.day_number(point.day)
        cut_bounds.append(f":e{index}")
        day_bounds.append(f":d{index}")
    filters = "".join(f" AND {condition}" for condition in scope_filters(scope))
    values |= scope_values(scope)
    last = len(points)
    base = last + 2  # a, b and c are 0..last; c is last + 1 when the stretch cannot be overdue
    # One small integer per (a, b, kind, c): SQLite's GROUP BY sorts its rows, and one integer key
    # sorts much faster than four columns (`trend` takes the key apart again). The kind is already
    # its code (KINDS order).
    sql = f"""
SELECT ((a * {base} + b) * {len(KINDS)} + kind) * {base} + COALESCE(c, {last + 1}) AS g,
  COUNT(*) AS n FROM (
  SELECT {bucket("r.valid_from", cut_bounds)} AS a,
    CASE WHEN r.valid_to IS NULL THEN {last} ELSE {bucket("r.valid_to", cut_bounds)} END AS b,
    r.kind,
    CASE WHEN r.kind < 2 AND r.deadline IS NOT NULL THEN {bucket("r.deadline", day_bounds)} END AS c
  FROM report_rows r
  WHERE r.valid_from < :e_last AND (r.valid_to IS NULL OR r.valid_to >= :e_first){filters}
) spans
WHERE a < b GROUP BY g"""
    values["e_first"] = d.micros(points[0].cut)
    values["e_last"] = d.micros(points[-1].cut)
    return sql, values


def count_points(
    connection: ReadConnection, dialect: Dialect, scope: Scope, points: list[MonthEnd]
) -> list[Tally]:
    """Each point's counts per kind and overdue count, in one pass over the report rows."""
    sql, values = trend_sql(dialect, scope, points)
    counts = [dict.fromkeys(KINDS, 0) for _ in points]
    overdue = [0] * len(points)
    # The rows are a few hundred aggregates (bucket pairs), not items: folding them is cheap.
    base = len(points) + 2
    for g, n in connection.execute(sql, values):
        rest, closing = divmod(int(g), base)
        rest, code = divmod(rest, len(KINDS))
        a, b = divmod(rest, base)
        kind = KINDS[code]
        c: int | None = None if closing == len(points) + 1 else closing
        for m in range(a, b):
            counts[m][kind] = counts[m].get(kind, 0) + n
        if c is not None:
            # Overdue from the first month end whose date is after the deadline: c counts the dates
            # not after it (deadline < day is what "overdue" means).
            for m in range(max(a, c), b):
                overdue[m] += n
    return list(zip(counts, overdue, strict=True))


def trend(
    connection: ReadConnection, dialect: Dialect, scope: Scope, months: int, overall: Figures | None = None
) -> list[TrendPoint]:
    """[{month, date, total, open, in_progress, done, wont_do, closed_by_bot, overdue, completion_rate}].

    The whole organisation's past month ends come from `trend_points` when stored (see trend_cache);
    the last point is the report itself, so its counts are the overall figures when given.
    """
    if months <= 0:
        return []
    points = month_ends(scope, months, dialect)
    whole = scope.postmortem_ids is None and scope.owner_spellings is None
    if whole and scope.team is None and scope.target is None:
        tallies = cached_tallies(connection, dialect, scope, points, overall, count_points)
    else:
        tallies = count_points(connection, dialect, scope, points)
    rows: list[TrendPoint] = []
    for point, (count, late) in zip(points, tallies, strict=True):
        total = sum(count.values())
        committed = total - count["wont_do"]
        rows.append(
            {
                "month": point.label,
                "date": point.day.isoformat(),
                "total": total,
                "open": count["open"],
                "in_progress": count["in_progress"],
                "done": count["done"],
                "wont_do": count["wont_do"],
                "closed_by_bot": count["bot"],
                "overdue": late,
                "completion_rate": round(count["done"] / committed, 4) if committed else None,
            }
        )
    return rows
