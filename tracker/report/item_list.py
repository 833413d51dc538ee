"""The items in scope with their state at the cut: the review meeting's list."""

from __future__ import annotations

from typing import Any

from tracker.readdb import ReadConnection
from tracker.report.queries import Scope, params, scope_filters
from tracker.report.sqlbits import Dialect


def state_sql(dialect: Dialect, scope: Scope) -> str:
    """CTEs ending in `s`: one row per item that existed at `:cut`, with its state then (the item list).

    Each item's history is kept as stretches in `item_states` (tracker/states.py), derived from the
    events log by reading backwards from the present: a field's value at the cut is the `old` of its
    first event after the cut, else its current value, using when things happened (`occurred_at`).
    The state at the cut is the one stretch per item with valid_from < cut <= valid_to.
    """
    d = dialect
    filters = ["st.valid_from < :cut", "(st.valid_to IS NULL OR st.valid_to >= :cut)"]
    filters += scope_filters(scope, "st")
    local_done = d.local_date("st.done_at", scope.low, scope.cut)
    return f"""
WITH s AS MATERIALIZED (
  SELECT st.item_id AS id, st.postmortem_id, st.owner_team, st.owner_text, st.owner_person, st.status,
    st.kind, st.deadline, st.first_deadline, st.done_at, st.slips, st.slip_days, st.days_to_done,
    CASE WHEN st.kind IN ('open', 'in_progress') AND st.deadline < :today THEN 1 ELSE 0 END AS overdue,
    CASE WHEN st.kind = 'done' AND st.first_deadline IS NOT NULL AND st.done_at IS NOT NULL
              AND {local_done} <= st.first_deadline
         THEN 1 ELSE 0 END AS on_time
  FROM item_states st
  WHERE {" AND ".join(filters)}
)"""


def item_states(connection: ReadConnection, dialect: Dialect, scope: Scope) -> list[dict[str, Any]]:
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
    return connection.execute(sql, params(dialect, scope)).mappings()
