"""SQL that reconstructs every item's state at a moment from the events log and aggregates the figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from tracker.report.sqlbits import Dialect

DIMENSIONS = ("postmortem", "team", "severity", "target", "person")
NONE_KEY = "(none)"

FIGURES = (
    "total",
    "open",
    "in_progress",
    "done",
    "wont_do",
    "closed_by_bot",
    "overdue",
    "no_deadline",
    "on_time",
    "on_time_base",
    "deadline_slips",
    "items_slipped",
    "slip_days",
    "max_slip_days",
)


@dataclass(frozen=True)
class Scope:
    """Which items a report covers, and the moment it describes."""

    cut: datetime  # events before this instant have happened; the report describes the state just before it
    today: date  # the local date of the report: "overdue" means a deadline before it
    low: datetime  # earliest moment a local date must be computed for (SQLite offset table)
    postmortem_ids: tuple[int, ...] | None = None  # None: every postmortem
    owner_person: str | None = None
    owner_text: str | None = None  # an owner that resolves to no [people] handle, matched as written
    extra: dict[str, Any] = field(default_factory=dict)


def state_sql(dialect: Dialect, scope: Scope) -> str:
    """CTEs ending in `s`: one row per item that existed at `:cut`, with its state then.

    A field's value at the cut is the `old` of its first event after the cut, else its current value:
    reading backwards from the present keeps the report taken now and `--as-of` today identical, and
    uses when things happened (`occurred_at`), so a late sync moves nothing in the past.
    """
    d = dialect
    filters = ["i.created_at < :cut", "(i.removed_at IS NULL OR i.removed_at >= :cut)"]
    if scope.postmortem_ids is not None:
        ids = ", ".join(str(int(i)) for i in scope.postmortem_ids) or "NULL"
        filters.append(f"i.postmortem_id IN ({ids})")
    owner_filter = ""
    if scope.owner_person is not None:
        owner_filter = "WHERE owner_person = :owner_person"
    elif scope.owner_text is not None:
        owner_filter = "WHERE LOWER(owner_text) = LOWER(:owner_text)"
    local_done = d.local_date("done_at", scope.low, scope.cut)
    return f"""
WITH after_cut AS (
  SELECT item_id, field, old,
         ROW_NUMBER() OVER (PARTITION BY item_id, field ORDER BY occurred_at, id) AS rn
  FROM events
  WHERE field IN ('status', 'deadline', 'owner_text', 'owner_person')
    AND occurred_at >= :cut AND item_id IS NOT NULL
),
back AS (
  SELECT item_id,
    MAX(CASE WHEN field = 'status' THEN COALESCE(old, 'open') END) AS status_then,
    MAX(CASE WHEN field = 'deadline' THEN 1 ELSE 0 END) AS deadline_moved_after,
    MAX(CASE WHEN field = 'deadline' THEN old END) AS deadline_then,
    MAX(CASE WHEN field = 'owner_text' THEN 1 ELSE 0 END) AS owner_moved_after,
    MAX(CASE WHEN field = 'owner_text' THEN old END) AS owner_text_then,
    MAX(CASE WHEN field = 'owner_person' THEN 1 ELSE 0 END) AS person_moved_after,
    MAX(CASE WHEN field = 'owner_person' THEN old END) AS owner_person_then
  FROM after_cut WHERE rn = 1 GROUP BY item_id
),
done_events AS (
  -- Only items whose recorded close is not before the cut need the log: done, reopened, done again.
  SELECT e.item_id, MAX(e.occurred_at) AS done_at FROM events e
  JOIN action_items i ON i.id = e.item_id
  WHERE e.field = 'status' AND e.new = 'done' AND e.occurred_at < :cut
    AND i.done_at IS NOT NULL AND i.done_at >= :cut
  GROUP BY e.item_id
),
slip_events AS (
  SELECT item_id, COUNT(*) AS slips,
    SUM(CASE WHEN new IS NOT NULL THEN {d.days_between_dates("new", "old")} ELSE 0 END) AS slip_days
  FROM events
  WHERE field = 'deadline' AND old IS NOT NULL AND occurred_at < :cut AND item_id IS NOT NULL
    AND source <> 'policy'
    -- replacing a default (policy) deadline with a committed one is a commitment, not a slip
    AND NOT EXISTS (SELECT 1 FROM events pe WHERE pe.item_id = events.item_id AND pe.field = 'deadline'
                    AND pe.source = 'policy' AND pe.new = events.old AND pe.id < events.id)
  GROUP BY item_id
),
base AS (
  SELECT i.id, i.postmortem_id, i.owner_team, i.created_at,
    {d.date_text("i.first_deadline")} AS first_deadline,
    COALESCE(b.status_then, i.status) AS status,
    CASE WHEN b.deadline_moved_after = 1 THEN b.deadline_then ELSE {d.date_text("i.deadline")} END AS deadline,
    CASE WHEN b.owner_moved_after = 1 THEN b.owner_text_then ELSE i.owner_text END AS owner_text,
    CASE WHEN b.person_moved_after = 1 THEN b.owner_person_then ELSE i.owner_person END AS owner_person,
    CASE WHEN i.closed_by_bot THEN 1 ELSE 0 END AS bot,
    CASE WHEN i.done_at < :cut THEN i.done_at ELSE de.done_at END AS done_at,
    COALESCE(se.slips, 0) AS slips,
    COALESCE(se.slip_days, 0) AS slip_days
  FROM action_items i
  LEFT JOIN back b ON b.item_id = i.id
  LEFT JOIN done_events de ON de.item_id = i.id
  LEFT JOIN slip_events se ON se.item_id = i.id
  WHERE {" AND ".join(filters)}
),
owned AS (SELECT * FROM base {owner_filter}),
kinds AS (
  SELECT owned.*,
    CASE WHEN bot = 1 AND status IN ('done', 'wont_do') THEN 'bot' ELSE status END AS kind
  FROM owned
),
s AS MATERIALIZED (
  SELECT kinds.*,
    CASE WHEN kind IN ('open', 'in_progress') AND deadline IS NOT NULL AND deadline < :today
         THEN 1 ELSE 0 END AS overdue,
    CASE WHEN kind = 'done' AND first_deadline IS NOT NULL AND done_at IS NOT NULL
         THEN 1 ELSE 0 END AS on_time_base,
    CASE WHEN kind = 'done' AND first_deadline IS NOT NULL AND done_at IS NOT NULL
              AND {local_done} <= first_deadline
         THEN 1 ELSE 0 END AS on_time,
    CASE WHEN kind = 'done' AND done_at IS NOT NULL
         THEN {d.days_between_times("done_at", "created_at")} END AS days_to_done
  FROM kinds
)"""


_AGGREGATES = """
  COUNT(*) AS total,
  SUM(CASE WHEN s.kind = 'open' THEN 1 ELSE 0 END) AS open,
  SUM(CASE WHEN s.kind = 'in_progress' THEN 1 ELSE 0 END) AS in_progress,
  SUM(CASE WHEN s.kind = 'done' THEN 1 ELSE 0 END) AS done,
  SUM(CASE WHEN s.kind = 'wont_do' THEN 1 ELSE 0 END) AS wont_do,
  SUM(CASE WHEN s.kind = 'bot' THEN 1 ELSE 0 END) AS closed_by_bot,
  SUM(s.overdue) AS overdue,
  SUM(CASE WHEN s.deadline IS NULL THEN 1 ELSE 0 END) AS no_deadline,
  SUM(s.on_time) AS on_time,
  SUM(s.on_time_base) AS on_time_base,
  SUM(s.slips) AS deadline_slips,
  SUM(CASE WHEN s.slips > 0 THEN 1 ELSE 0 END) AS items_slipped,
  SUM(s.slip_days) AS slip_days,
  MAX(s.slip_days) AS max_slip_days"""

# (dimension, key expression, extra FROM clause) for each way the figures are broken down.
_KEYS = {
    "postmortem": ("p.slug", "JOIN postmortems p ON p.id = s.postmortem_id"),
    "severity": (f"COALESCE(p.severity, '{NONE_KEY}')", "JOIN postmortems p ON p.id = s.postmortem_id"),
    "team": (f"COALESCE(s.owner_team, '{NONE_KEY}')", ""),
    "target": (f"COALESCE(l.target, '{NONE_KEY}')", "LEFT JOIN links l ON l.item_id = s.id"),
    "person": (f"COALESCE(s.owner_person, '{NONE_KEY}')", ""),
}


def figures_sql(dialect: Dialect, scope: Scope, dimensions: tuple[str, ...]) -> str:
    """One statement: the figures overall and per key of each dimension, with the median days to done."""
    parts = [f"SELECT 'overall' AS dim, '' AS key, {_AGGREGATES} FROM s"]
    medians = [
        "SELECT 'overall' AS dim, '' AS key, s.days_to_done AS v FROM s WHERE s.days_to_done IS NOT NULL"
    ]
    for dim in dimensions:
        key, join = _KEYS[dim]
        parts.append(f"SELECT '{dim}', {key}, {_AGGREGATES} FROM s {join} GROUP BY {key}")
        medians.append(
            f"SELECT '{dim}', {key}, s.days_to_done FROM s {join} WHERE s.days_to_done IS NOT NULL"
        )
    return (
        state_sql(dialect, scope)
        + ",\nfigures AS (\n"
        + "\nUNION ALL\n".join(parts)
        + "\n),\ndone_days AS (\n"
        + "\nUNION ALL\n".join(medians)
        + """
),
ranked AS (
  SELECT dim, key, v, ROW_NUMBER() OVER (PARTITION BY dim, key ORDER BY v) AS rn,
         COUNT(*) OVER (PARTITION BY dim, key) AS c
  FROM done_days
),
medians AS (
  SELECT dim, key, AVG(v) AS median_days_to_done FROM ranked
  WHERE rn = (c + 1) / 2 OR rn = (c + 2) / 2 GROUP BY dim, key
)
SELECT f.*, m.median_days_to_done FROM figures f
LEFT JOIN medians m ON m.dim = f.dim AND m.key = f.key"""
    )


def params(dialect: Dialect, scope: Scope) -> dict[str, Any]:
    values: dict[str, Any] = {"cut": dialect.ts(scope.cut), "today": dialect.day(scope.today)}
    if scope.owner_person is not None:
        values["owner_person"] = scope.owner_person
    if scope.owner_text is not None:
        values["owner_text"] = scope.owner_text
    return values


def finish(row: dict[str, Any]) -> dict[str, Any]:
    """Counts as ints and the derived rates, from one aggregated row."""
    out: dict[str, Any] = {name: int(row.get(name) or 0) for name in FIGURES}
    if row.get("total") in (None, 0):
        out["max_slip_days"] = 0
    committed = out["total"] - out["wont_do"]
    out["completion_rate"] = round(out["done"] / committed, 4) if committed else None
    out["on_time_rate"] = round(out["on_time"] / out["on_time_base"], 4) if out["on_time_base"] else None
    median = row.get("median_days_to_done")
    out["median_days_to_done"] = round(float(median), 1) if median is not None else None
    return out


def figures(
    session: Session, dialect: Dialect, scope: Scope, dimensions: tuple[str, ...]
) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """(overall figures, {dimension: [figures with their key]}) as of the scope's cut."""
    rows = session.execute(text(figures_sql(dialect, scope, dimensions)), params(dialect, scope)).mappings()
    overall: dict[str, Any] = finish({})
    groups: dict[str, list[dict[str, Any]]] = {dim: [] for dim in dimensions}
    for row in rows:
        data = finish(dict(row))
        if row["dim"] == "overall":
            overall = data
        else:
            groups[row["dim"]].append({"key": row["key"], **data})
    for dim in groups:
        groups[dim].sort(key=lambda g: (g["key"] == NONE_KEY, str(g["key"])))
    return overall, groups


def item_states(session: Session, dialect: Dialect, scope: Scope) -> list[dict[str, Any]]:
    """Each item in scope with its state at the cut (the review meeting's list)."""
    sql = (
        state_sql(dialect, scope)
        + """
SELECT s.id, s.status, s.kind, s.deadline, s.first_deadline, s.owner_text, s.owner_person, s.owner_team,
       s.overdue, s.slips, s.done_at, p.slug AS postmortem, p.title AS postmortem_title, i.title, i.position,
       i.deadline_text, i.description, i.priority
FROM s JOIN postmortems p ON p.id = s.postmortem_id JOIN action_items i ON i.id = s.id
ORDER BY p.slug, i.position, s.id"""
    )
    return [dict(row) for row in session.execute(text(sql), params(dialect, scope)).mappings()]
