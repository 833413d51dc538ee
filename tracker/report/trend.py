"""Month-by-month trend from the events log: status counts, overdue and completion at each month's end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from tracker.report.queries import Scope
from tracker.report.sqlbits import Dialect, local_day_start

KINDS = ("open", "in_progress", "done", "wont_do", "bot")


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


def _bucket(column: str, bounds: list[str]) -> str:
    """How many bounds are at or before the value: CASE over the (increasing) bounds."""
    branches = " ".join(f"WHEN {column} < {b} THEN {i}" for i, b in enumerate(bounds))
    return f"CASE {branches} ELSE {len(bounds)} END"


def trend_sql(dialect: Dialect, scope: Scope, points: list[MonthEnd]) -> tuple[str, dict[str, Any]]:
    """Segments of constant (status, deadline) per item, bucketed by the month ends they span.

    Each status or deadline event starts a segment; a field's value on a segment is the `old` of that
    field's next event (else the current value), or the event's own `new` right after it: the same
    backwards reading as `--as-of`, so a trend point equals the report as of that month's end.
    """
    d = dialect
    values: dict[str, Any] = {}
    cut_bounds, day_bounds = [], []
    for index, point in enumerate(points):
        values[f"e{index}"] = d.ts(point.cut)
        values[f"d{index}"] = d.day(point.day)
        cut_bounds.append(f":e{index}")
        day_bounds.append(f":d{index}")
    filters = ""
    if scope.postmortem_ids is not None:
        ids = ", ".join(str(int(i)) for i in scope.postmortem_ids) or "NULL"
        filters = f" AND i.postmortem_id IN ({ids})"
    if scope.owner_person is not None:
        filters += " AND i.owner_person = :owner_person"
        values["owner_person"] = scope.owner_person
    elif scope.owner_text is not None:
        filters += " AND LOWER(i.owner_text) = LOWER(:owner_text)"
        values["owner_text"] = scope.owner_text
    sql = f"""
WITH changes AS (
  SELECT e.item_id,
    CASE WHEN e.occurred_at < i.created_at THEN i.created_at ELSE e.occurred_at END AS t,
    1 AS k, e.id AS eid,
    CASE WHEN e.field = 'status' THEN 1 ELSE 0 END AS is_s,
    CASE WHEN e.field = 'deadline' THEN 1 ELSE 0 END AS is_d,
    CASE WHEN e.field = 'status' THEN COALESCE(e.old, 'open') END AS s_old,
    CASE WHEN e.field = 'status' THEN e.new END AS s_new,
    CASE WHEN e.field = 'deadline' THEN COALESCE(e.old, '-') END AS d_old,
    CASE WHEN e.field = 'deadline' THEN COALESCE(e.new, '-') END AS d_new
  FROM events e JOIN action_items i ON i.id = e.item_id
  WHERE e.field IN ('status', 'deadline') AND i.created_at < :e_last{filters}
  UNION ALL
  SELECT i.id, i.created_at, 0, 0, 0, 0, NULL, NULL, NULL, NULL
  FROM action_items i WHERE i.created_at < :e_last{filters}
),
ordered AS (
  SELECT changes.*,
    LAG(t) OVER w AS t_end,
    SUM(is_s) OVER w AS cs,
    SUM(is_d) OVER w AS cd
  FROM changes
  WINDOW w AS (PARTITION BY item_id ORDER BY t DESC, k DESC, eid DESC ROWS UNBOUNDED PRECEDING)
),
filled AS (
  SELECT item_id, t, t_end, is_s, is_d, s_new, d_new,
    MAX(s_old) OVER (PARTITION BY item_id, cs) AS s_next,
    MAX(d_old) OVER (PARTITION BY item_id, cd) AS d_next
  FROM ordered
),
segments AS (
  SELECT f.t,
    CASE WHEN i.removed_at IS NOT NULL AND (f.t_end IS NULL OR f.t_end > i.removed_at)
         THEN i.removed_at ELSE f.t_end END AS t_end,
    CASE WHEN f.is_s = 1 THEN f.s_new ELSE COALESCE(f.s_next, i.status) END AS status,
    CASE WHEN f.is_d = 1 THEN f.d_new ELSE COALESCE(f.d_next, {d.date_text("i.deadline")}, '-') END AS deadline,
    CASE WHEN i.closed_by_bot THEN 1 ELSE 0 END AS bot
  FROM filled f JOIN action_items i ON i.id = f.item_id
),
bucketed AS (
  SELECT {_bucket("t", cut_bounds)} AS a,
    CASE WHEN t_end IS NULL THEN {len(points)} ELSE {_bucket("t_end", cut_bounds)} END AS b,
    CASE WHEN bot = 1 AND status IN ('done', 'wont_do') THEN 'bot' ELSE status END AS kind,
    CASE WHEN status IN ('open', 'in_progress') AND deadline <> '-'
         THEN {_bucket("deadline", day_bounds)} END AS c
  FROM segments
)
SELECT a, b, kind, c, COUNT(*) AS n FROM bucketed WHERE a < b GROUP BY a, b, kind, c"""
    values["e_last"] = d.ts(points[-1].cut)
    return sql, values


def trend(session: Session, dialect: Dialect, scope: Scope, months: int) -> list[dict[str, Any]]:
    """[{month, date, total, open, in_progress, done, wont_do, closed_by_bot, overdue, completion_rate}]."""
    if months <= 0:
        return []
    points = month_ends(scope, months, dialect)
    sql, values = trend_sql(dialect, scope, points)
    counts = [dict.fromkeys(KINDS, 0) for _ in points]
    overdue = [0] * len(points)
    # The rows are a few hundred aggregates (bucket pairs), not items: folding them is cheap.
    for a, b, kind, c, n in session.execute(text(sql), values):
        for m in range(a, b):
            counts[m][kind] = counts[m].get(kind, 0) + n
        if c is not None:
            # Overdue from the first month end whose date is after the deadline: c counts the dates
            # not after it (deadline < day is what "overdue" means).
            for m in range(max(a, c), b):
                overdue[m] += n
    rows = []
    for point, count, late in zip(points, counts, overdue, strict=True):
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
