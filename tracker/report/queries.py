"""SQL that reconstructs every item's state at a moment from the events log and aggregates the figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from tracker.report.sqlbits import Dialect, register_median

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


def state_sql(dialect: Dialect, scope: Scope, narrow: bool = False) -> str:
    """CTEs ending in `s`: one row per item that existed at `:cut`, with its state then.

    Each item's history is kept as stretches in `item_states` (tracker/states.py), derived from the
    events log by reading backwards from the present: a field's value at the cut is the `old` of its
    first event after the cut, else its current value, using when things happened (`occurred_at`).
    The state at the cut is the one stretch per item with valid_from < cut <= valid_to.

    `narrow`: only what the figures add up, each per-row test computed once as a 0/1 column, so every
    breakdown pass sums small integers instead of re-evaluating the tests over wide rows.
    """
    d = dialect
    filters = ["st.valid_from < :cut", "(st.valid_to IS NULL OR st.valid_to >= :cut)"]
    if scope.postmortem_ids is not None:
        ids = ", ".join(str(int(i)) for i in scope.postmortem_ids) or "NULL"
        filters.append(f"st.postmortem_id IN ({ids})")
    if scope.owner_person is not None:
        filters.append("st.owner_person = :owner_person")
    elif scope.owner_text is not None:
        filters.append("LOWER(st.owner_text) = LOWER(:owner_text)")
    local_done = d.local_date("st.done_at", scope.low, scope.cut)
    if narrow:
        columns = """st.item_id AS id, st.postmortem_id, st.owner_team, st.owner_person, st.slips, st.slip_days,
    st.days_to_done,
    CASE WHEN st.kind = 'open' THEN 1 ELSE 0 END AS k_open,
    CASE WHEN st.kind = 'in_progress' THEN 1 ELSE 0 END AS k_in_progress,
    CASE WHEN st.kind = 'done' THEN 1 ELSE 0 END AS k_done,
    CASE WHEN st.kind = 'wont_do' THEN 1 ELSE 0 END AS k_wont_do,
    CASE WHEN st.kind = 'bot' THEN 1 ELSE 0 END AS k_bot,
    CASE WHEN st.deadline IS NULL THEN 1 ELSE 0 END AS no_deadline,
    CASE WHEN st.slips > 0 THEN 1 ELSE 0 END AS slipped,"""
    else:
        columns = """st.item_id AS id, st.postmortem_id, st.owner_team, st.owner_text, st.owner_person, st.status,
    st.kind, st.deadline, st.first_deadline, st.done_at, st.slips, st.slip_days, st.days_to_done,"""
    return f"""
WITH s AS MATERIALIZED (
  SELECT {columns}
    CASE WHEN st.kind IN ('open', 'in_progress') AND st.deadline < :today THEN 1 ELSE 0 END AS overdue,
    CASE WHEN st.kind = 'done' AND st.first_deadline IS NOT NULL AND st.done_at IS NOT NULL
         THEN 1 ELSE 0 END AS on_time_base,
    CASE WHEN st.kind = 'done' AND st.first_deadline IS NOT NULL AND st.done_at IS NOT NULL
              AND {local_done} <= st.first_deadline
         THEN 1 ELSE 0 END AS on_time
  FROM item_states st
  WHERE {" AND ".join(filters)}
)"""


_AGGREGATES = """
  COUNT(*) AS total,
  SUM(s.k_open) AS open,
  SUM(s.k_in_progress) AS in_progress,
  SUM(s.k_done) AS done,
  SUM(s.k_wont_do) AS wont_do,
  SUM(s.k_bot) AS closed_by_bot,
  SUM(s.overdue) AS overdue,
  SUM(s.no_deadline) AS no_deadline,
  SUM(s.on_time) AS on_time,
  SUM(s.on_time_base) AS on_time_base,
  SUM(s.slips) AS deadline_slips,
  SUM(s.slipped) AS items_slipped,
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


_NAMES = [line.split(" AS ")[-1].strip(",") for line in _AGGREGATES.strip().splitlines()]
# Severity and the overall figures add up the per-postmortem ones (a postmortem has one severity).
_ROLLED_UP = ", ".join(
    f"{'MAX' if name == 'max_slip_days' else 'SUM'}(pm.{name}) AS {name}" for name in _NAMES
)
_PM_JOIN = "JOIN postmortems p ON p.id = s.postmortem_id"


def median_expr(dialect: Dialect, column: str) -> str:
    """The median of a column as an aggregate: the mean of the two middle values (the middle one if odd).

    PostgreSQL: the lower and upper middle values as ordered-set aggregates sharing one sort. SQLite
    has no median before 3.47, so `tracker_median` is registered on the connection (see
    `sqlbits.register_median`): an aggregate like SUM, fed by SQLite's own GROUP BY.
    """
    if dialect.sqlite:
        # FILTER: the Python step runs for the values only, not for every row of the group.
        return f"tracker_median({column}) FILTER (WHERE {column} IS NOT NULL)"
    return (
        f"((percentile_disc(0.5) WITHIN GROUP (ORDER BY {column})"
        f" + percentile_disc(0.5000000001) WITHIN GROUP (ORDER BY {column})) / 2.0)"
    )


def figures_sql(dialect: Dialect, scope: Scope, dimensions: tuple[str, ...]) -> str:
    """One statement: the figures overall and per key of each dimension, with the median days to done.

    One pass per postmortem gives the postmortem figures, which add up to the severity and overall
    ones (whose medians take one pass over the done items); team, target and person take one pass each.
    """
    names = ", ".join(_NAMES)
    median = median_expr(dialect, "s.days_to_done")
    parts = [f"SELECT 'overall' AS dim, '' AS key, {_ROLLED_UP}, NULL AS median_days_to_done FROM pm"]
    medians = [
        f"SELECT 'overall' AS dim, '' AS key, {median} AS median_days_to_done FROM s WHERE s.days_to_done IS NOT NULL"
    ]
    for dim in dimensions:
        key, join = _KEYS[dim]
        if dim == "postmortem":
            parts.append(
                f"SELECT 'postmortem', p.slug, {names}, pm.median_days_to_done FROM pm"
                " JOIN postmortems p ON p.id = pm.postmortem_id"
            )
        elif dim == "severity":
            parts.append(
                f"SELECT 'severity', {key}, {_ROLLED_UP}, NULL FROM pm JOIN postmortems p ON p.id = pm.postmortem_id"
                f" GROUP BY {key}"
            )
            medians.append(
                f"SELECT 'severity', {key}, {median} FROM s {join} WHERE s.days_to_done IS NOT NULL GROUP BY {key}"
            )
        else:
            parts.append(f"SELECT '{dim}', {key}, {_AGGREGATES}, {median} FROM s {join} GROUP BY {key}")
    return (
        state_sql(dialect, scope, narrow=True)
        + f""",
pm AS MATERIALIZED (
  SELECT s.postmortem_id, {_AGGREGATES}, {median} AS median_days_to_done FROM s GROUP BY s.postmortem_id
),
figures AS (
"""
        + "\nUNION ALL\n".join(parts)
        + "\n),\nmedians AS (\n"
        + "\nUNION ALL\n".join(medians)
        + """
)
SELECT f.dim, f.key, """
        + ", ".join(f"f.{name}" for name in _NAMES)
        + """, COALESCE(f.median_days_to_done, m.median_days_to_done) AS median_days_to_done FROM figures f
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
    register_median(session, dialect)
    result = session.execute(text(figures_sql(dialect, scope, dimensions)), params(dialect, scope))
    names = list(result.keys())
    overall: dict[str, Any] = finish({})
    groups: dict[str, list[dict[str, Any]]] = {dim: [] for dim in dimensions}
    # Plain tuples zipped with the names once: ten thousand postmortem rows add up in Python otherwise.
    for values in result:
        row = dict(zip(names, values, strict=True))
        data = finish(row)
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
