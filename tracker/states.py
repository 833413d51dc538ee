"""Item states: each item's stretches of status, deadline and owner, rebuilt in each write transaction.

`item_states` is derived data: one row per stretch (valid_from, valid_to] of an item's history, with
the values the report reads backwards from the events log (a field's value at a moment is the `old`
of its first event at or after it, else the current value) and the per-item facts the figures need
(slips so far, close time, days to done). It is rebuilt per item from the events log and the item's
row, so out-of-order `occurred_at` (a remote close recorded after a later local change) needs no
special case. Whatever writes an item through a tracker Session keeps it current (the hooks of
`tracker.states_session`, attached by `tracker.db.session_factory`: rebuilt once per transaction,
before it commits); bulk loads and Core writes call `rebuild`. This module imports no ORM. `tests/test_report_states.py`
checks the maintained table equals a rebuild.
`report_rows` holds the same stretches in the narrow integer form the report aggregates, with each
item's link targets; it is rebuilt with them (a new link touches its item).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session

BEFORE_TRACKING = "closed before tracking"  # events.note of a close seen already made (importing.upsert)

# The fields whose history the report reconstructs; an event for one of them starts a new stretch.
TRACKED_FIELDS = ("status", "deadline", "owner_text", "owner_person")
# Item columns copied into the stretches (taken as they are now, see docs/report.md).
ITEM_COLUMNS = (
    "postmortem_id",
    "status",
    "deadline",
    "owner_text",
    "owner_person",
    "owner_team",
    "first_deadline",
    "closed_by_bot",
    "done_at",
    "created_at",
    "removed_at",
)

COLUMNS = (
    "item_id, postmortem_id, valid_from, valid_to, status, kind, deadline, owner_text, owner_person, "
    "owner_team, first_deadline, created_at, done_at, days_to_done, slips, slip_days"
)


def rebuild_sql(dialect: str, item_ids: Iterable[int] | None = None) -> str:
    """INSERT ... SELECT that derives the stretches of the given items (all items when None).

    Each tracked event ends a stretch. A stretch's value of a field is the `old` of that field's
    first event at or after the stretch's end, else the item's current value; the counts of slips and
    the last close before the stretch travel with it. The item's `done_at` is a boundary too, so each
    stretch has one close time (the item's `done_at` once it has passed, else the last close event
    before it). Stretches are clipped to (created_at, removed_at]; empty ones are dropped.
    """
    sqlite = dialect == "sqlite"
    if item_ids is None:
        on_event, on_item = "e.item_id IS NOT NULL", "1 = 1"
    else:
        ids = ", ".join(str(int(i)) for i in item_ids) or "NULL"
        on_event, on_item = f"e.item_id IN ({ids})", f"i.id IN ({ids})"
    if sqlite:
        moved = "CAST(julianday(new) - julianday(old) AS INTEGER)"
        days = "(julianday(done_at) - julianday(created_at))"
        deadline, first_deadline = "i.deadline", "i.first_deadline"
    else:
        moved = "(CAST(new AS DATE) - CAST(old AS DATE))"
        days = "(EXTRACT(EPOCH FROM (done_at - created_at)) / 86400.0)"
        deadline, first_deadline = "CAST(i.deadline AS TEXT)", "CAST(i.first_deadline AS TEXT)"
    fields = ", ".join(f"'{f}'" for f in TRACKED_FIELDS)
    # SQLite (no statistics) would read every tracked event through the index on `field` once a few
    # items are rebuilt, so one import grew with all before it: `+` keeps it on the item's index.
    by_item = "+" if sqlite else ""
    return f"""
INSERT INTO item_states ({COLUMNS})
WITH ev AS (
  SELECT e.item_id, e.id, e.occurred_at AS t, e.field, e.old, e.new,
    CASE WHEN e.note = '{BEFORE_TRACKING}' THEN 1 ELSE 0 END AS unknown_close,
    CASE WHEN e.field = 'deadline' AND e.old IS NOT NULL AND e.source <> 'policy'
          -- replacing a default (policy) deadline with a committed one is a commitment, not a slip
          AND NOT EXISTS (SELECT 1 FROM events pe WHERE pe.item_id = e.item_id AND {by_item}pe.field = 'deadline'
                          AND pe.source = 'policy' AND pe.new = e.old AND pe.id < e.id)
         THEN 1 ELSE 0 END AS slip
  FROM events e
  WHERE {by_item}e.field IN ({fields}) AND {on_event}
  UNION ALL
  SELECT i.id, 0, i.done_at, '', NULL, NULL, 0, 0 FROM action_items i
  WHERE i.done_at IS NOT NULL AND {on_item}
),
steps AS (
  SELECT ev.*,
    CASE WHEN slip = 1 AND new IS NOT NULL THEN {moved} ELSE 0 END AS moved,
    -- a close seen already made (a document's Done at first import) has no known time: no close time
    CASE WHEN field = 'status' AND new = 'done' AND unknown_close = 0 THEN t END AS done_t,
    CASE WHEN field = 'status' THEN 1 ELSE 0 END AS is_s,
    CASE WHEN field = 'deadline' THEN 1 ELSE 0 END AS is_d,
    CASE WHEN field = 'owner_text' THEN 1 ELSE 0 END AS is_t,
    CASE WHEN field = 'owner_person' THEN 1 ELSE 0 END AS is_p
  FROM ev
),
counted AS (
  SELECT steps.*,
    SUM(is_s) OVER later AS cs, SUM(is_d) OVER later AS cd,
    SUM(is_t) OVER later AS ct, SUM(is_p) OVER later AS cp,
    LAG(t) OVER earlier AS t_prev,
    SUM(slip) OVER earlier - slip AS slips_before,
    SUM(moved) OVER earlier - moved AS moved_before,
    MAX(done_t) OVER (PARTITION BY item_id ORDER BY t, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
      AS done_before
  FROM steps
  WINDOW later AS (PARTITION BY item_id ORDER BY t DESC, id DESC ROWS UNBOUNDED PRECEDING),
         earlier AS (PARTITION BY item_id ORDER BY t, id ROWS UNBOUNDED PRECEDING)
),
stretches AS (
  -- c* counts a field's events from this one on: rows sharing it end at the same next event of the field
  SELECT item_id, t_prev AS t_from, t AS t_to, slips_before AS slips, moved_before AS moved_days,
    done_before, cs, cd, ct, cp,
    MAX(CASE WHEN is_s = 1 THEN COALESCE(old, 'open') END) OVER (PARTITION BY item_id, cs) AS s_then,
    MAX(CASE WHEN is_d = 1 THEN old END) OVER (PARTITION BY item_id, cd) AS d_then,
    MAX(CASE WHEN is_t = 1 THEN old END) OVER (PARTITION BY item_id, ct) AS t_then,
    MAX(CASE WHEN is_p = 1 THEN old END) OVER (PARTITION BY item_id, cp) AS p_then
  FROM counted
  UNION ALL
  SELECT item_id, MAX(t), NULL, SUM(slip), SUM(moved), MAX(done_t), 0, 0, 0, 0, NULL, NULL, NULL, NULL
  FROM steps GROUP BY item_id
),
clipped AS (
  SELECT i.id AS item_id, i.postmortem_id,
    CASE WHEN s.t_from IS NULL OR s.t_from < i.created_at THEN i.created_at ELSE s.t_from END AS valid_from,
    CASE WHEN i.removed_at IS NOT NULL AND (s.t_to IS NULL OR s.t_to > i.removed_at)
         THEN i.removed_at ELSE s.t_to END AS valid_to,
    CASE WHEN COALESCE(s.cs, 0) = 0 THEN i.status ELSE s.s_then END AS status,
    CASE WHEN COALESCE(s.cd, 0) = 0 THEN {deadline} ELSE s.d_then END AS deadline,
    CASE WHEN COALESCE(s.ct, 0) = 0 THEN i.owner_text ELSE s.t_then END AS owner_text,
    CASE WHEN COALESCE(s.cp, 0) = 0 THEN i.owner_person ELSE s.p_then END AS owner_person,
    i.owner_team, {first_deadline} AS first_deadline, i.created_at, i.closed_by_bot, i.done_at AS item_done_at,
    s.done_before, COALESCE(s.slips, 0) AS slips, COALESCE(s.moved_days, 0) AS slip_days
  FROM action_items i LEFT JOIN stretches s ON s.item_id = i.id
  WHERE {on_item}
),
final_rows AS (
  SELECT clipped.*,
    CASE WHEN closed_by_bot AND status IN ('done', 'wont_do') THEN 'bot' ELSE status END AS kind,
    CASE WHEN item_done_at IS NULL THEN NULL WHEN item_done_at <= valid_from THEN item_done_at
         ELSE done_before END AS done_at
  FROM clipped
  WHERE valid_to IS NULL OR valid_from < valid_to
)
SELECT item_id, postmortem_id, valid_from, valid_to, status, kind, deadline, owner_text, owner_person,
  owner_team, first_deadline, created_at, done_at,
  CASE WHEN kind = 'done' AND done_at IS NOT NULL THEN {days} END,
  slips, slip_days
FROM final_rows"""


# The report's integer code of each kind (report_rows.kind): open and in progress first, so
# "still to do" is `kind < 2`.
KIND_CODES = {"open": 0, "in_progress": 1, "done": 2, "wont_do": 3, "bot": 4}

ROW_COLUMNS = (
    "postmortem_id, item_id, valid_from, valid_to, kind, deadline, first_deadline, done_at, days_to_done, "
    "slips, slip_days, team, targets, severity, owner_person, owner_lower"
)


def rows_sql(dialect: str, item_ids: Iterable[int] | None = None) -> str:
    """INSERT ... SELECT that copies the given items' stretches into `report_rows` (all when None).

    Timestamps become microseconds since the epoch (exact: SQLite stores them as text with six
    fractional digits, PostgreSQL's EXTRACT is numeric), ISO dates day numbers, the kind its code,
    the item's link targets one ",a,b," text, and the postmortem's severity is copied.
    """
    if dialect == "sqlite":

        def micros(column: str) -> str:
            # SQLite reads a time to the millisecond: strftime('%s') of the whole text would round
            # a fraction of .9995 s or more up to the next second (migration 0011 mends old rows).
            return (
                f"(CAST(strftime('%s', substr({column}, 1, 19)) AS INTEGER) * 1000000"
                f" + CAST(substr({column}, 21, 6) AS INTEGER))"
            )

        def day(column: str) -> str:
            return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"

        joined = "',' || group_concat(target, ',') || ','"
    else:

        def micros(column: str) -> str:
            return f"CAST(EXTRACT(EPOCH FROM {column}) * 1000000 AS BIGINT)"

        def day(column: str) -> str:
            return (
                f"CASE WHEN {column} ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$'"
                f" THEN CAST({column} AS DATE) - DATE '1970-01-01' END"
            )

        joined = "',' || string_agg(target, ',' ORDER BY target) || ','"
    if item_ids is None:
        on_state, on_link = "1 = 1", "1 = 1"
    else:
        ids = ", ".join(str(int(i)) for i in item_ids) or "NULL"
        on_state, on_link = f"st.item_id IN ({ids})", f"item_id IN ({ids})"
    kinds = " ".join(f"WHEN '{name}' THEN {code}" for name, code in KIND_CODES.items())
    return f"""
INSERT INTO report_rows ({ROW_COLUMNS})
SELECT st.postmortem_id, st.item_id, {micros("st.valid_from")}, {micros("st.valid_to")},
  CASE st.kind {kinds} END, {day("st.deadline")}, {day("st.first_deadline")}, {micros("st.done_at")},
  st.days_to_done, st.slips, st.slip_days, o.team, tg.targets, p.severity, o.person, LOWER(st.owner_text)
FROM item_states st
JOIN postmortems p ON p.id = st.postmortem_id
LEFT JOIN owner_names o ON o.owner_lower = LOWER(st.owner_text)
LEFT JOIN (
  SELECT item_id, {joined} AS targets
  FROM (SELECT item_id, target FROM links WHERE {on_link} ORDER BY item_id, target) ordered
  GROUP BY item_id
) tg ON tg.item_id = st.item_id
WHERE {on_state}"""


def names_sql(item_ids: Iterable[int] | None = None) -> str:
    """INSERT ... SELECT of the owner spellings of the given items' stretches not yet in `owner_names`,
    attributed as the item holds them; a report re-resolves them against the configuration."""
    on_state = "1 = 1"
    if item_ids is not None:
        on_state = f"st.item_id IN ({', '.join(str(int(i)) for i in item_ids) or 'NULL'})"
    return f"""
INSERT INTO owner_names (owner_lower, person, team)
SELECT LOWER(st.owner_text), MAX(st.owner_person), MAX(st.owner_team) FROM item_states st
WHERE {on_state} AND st.owner_text IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM owner_names o WHERE o.owner_lower = LOWER(st.owner_text))
GROUP BY LOWER(st.owner_text)
ON CONFLICT (owner_lower) DO NOTHING"""  # another writer's transaction may add the same spelling


def rebuild(connection: Connection | Session, item_ids: Iterable[int] | None = None) -> None:
    """Replace the stretches (and report rows) of the given items (every item when None) afresh.

    Cached trend points (`trend_points`) after the earliest moment at which a rebuilt item's kind or
    deadline changed are deleted: a late remote close can rewrite last month.
    """
    ids = None if item_ids is None else sorted(set(item_ids))
    if ids == []:
        return
    dialect = dialect_name(connection)
    if ids is None:
        connection.execute(text("DELETE FROM trend_points"))
    earliest: int | None = None
    for start in range(0, len(ids) if ids is not None else 1, 500):
        chunk = None if ids is None else ids[start : start + 500]
        where = "" if chunk is None else f" WHERE item_id IN ({', '.join(str(i) for i in chunk)})"
        before = _spans(connection, where) if chunk is not None else {}
        connection.execute(text(f"DELETE FROM report_rows{where}"))
        connection.execute(text(f"DELETE FROM item_states{where}"))
        connection.execute(text(rebuild_sql(dialect, chunk)))
        connection.execute(text(names_sql(chunk)))
        connection.execute(text(rows_sql(dialect, chunk)))
        if chunk is not None:
            after = _spans(connection, where)
            for item_id in chunk:
                changed = first_difference(before.get(item_id, []), after.get(item_id, []))
                if changed is not None and (earliest is None or changed < earliest):
                    earliest = changed
    if earliest is not None:
        connection.execute(text("DELETE FROM trend_points WHERE cut > :earliest"), {"earliest": earliest})


Span = tuple[int, int | None, int, int | None]  # valid_from, valid_to, kind, deadline (report rows)


def _spans(connection: Connection | Session, where: str) -> dict[int, list[Span]]:
    rows = connection.execute(
        text(
            f"SELECT item_id, valid_from, valid_to, kind, deadline FROM report_rows{where} ORDER BY item_id, valid_from"
        )
    )
    spans: dict[int, list[Span]] = {}
    for item_id, valid_from, valid_to, kind, deadline in rows:
        spans.setdefault(item_id, []).append((valid_from, valid_to, kind, deadline))
    return spans


def first_difference(old: list[Span], new: list[Span]) -> int | None:
    """The instant after which an item's (kind, deadline) first differs between two histories, if any.

    Both are stretches (valid_from, valid_to] in microseconds. Between consecutive boundaries of
    either, each history holds one value (or none), so comparing just after each boundary suffices;
    a stretch split in two with the same values is no difference.
    """
    if old == new:
        return None

    def value(spans: list[Span], moment: int) -> tuple[int, int | None] | None:
        for valid_from, valid_to, kind, deadline in spans:
            if valid_from < moment and (valid_to is None or moment <= valid_to):
                return kind, deadline
        return None

    boundaries = sorted({b for span in old + new for b in span[:2] if b is not None})
    for boundary in boundaries:
        if value(old, boundary + 1) != value(new, boundary + 1):
            return boundary
    return None


def dialect_name(connection: Connection | Session) -> str:
    """sqlite or postgresql, from a Core connection or an ORM session alike."""
    get_bind = getattr(connection, "get_bind", None)
    bind: Any = get_bind() if get_bind is not None else connection
    return str(bind.dialect.name)
