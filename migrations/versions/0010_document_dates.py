"""document dates: items imported before the document-date rule start at their incident's date

Revision ID: 0010_document_dates
Revises: 0009_owner_names
Create Date: 2026-12-06 08:30:00

A data migration (no schema change). Before issue 14 an import dated everything at the moment of
import: an item's `created_at` and the events that created it (`created` and the document's values,
source "document") were the import time, and an item already done or won't do in its document got
`done_at` = the import time. Since then (tracker.importing.upsert) the items of a postmortem's first
import begin at the start of its document's day in [org] timezone (never after the import) and the
creation events carry that time; a close already made in the document has no close time (`done_at`
NULL, the status event's note "closed before tracking"). This migration rewrites the items written
the old way into that shape, and only those:

- Old-way items are told apart by their row alone: the old code set `created_at` (at the item's
  INSERT) a moment before the `created` event it then recorded, the new code gives both one value.
  So an item whose "document" `created` event is later than its `created_at` is rewritten, and
  after rewriting it no longer is: running this again changes nothing, and items imported by the
  new code, added by hand or by sync are never touched.
- The creation events are the `created` event and the document's values recorded right after it
  (the fields the importer writes, in its order, source "document", within a second): a later
  import's edit of the same fields comes after another transaction and is left alone.
- Only the items of a postmortem's first import move back to the document's day. They are the old-way
  items created one after another (no pause of a second or more) from the postmortem's own creation;
  an item a later import added keeps its import time, as the new code gives it. Conservative reading:
  when this cannot be told (a pause inside one import), the item keeps its import time, the old and
  safe meaning. Postmortems that received a `postmortem merge` keep their items' starts (the merged
  items came from another document, whose date is gone).
- The document's day is the rule the new code uses, from what the database keeps: the incident date,
  else a YYYY-MM-DD in the file name (the base name of `source_path`: the name as typed at import is
  not stored, and a date in a parent folder is not taken) or in the slug it was first imported under.
- The day starts in [org] timezone: `tracker db upgrade` passes the configured zone (attribute
  `org_timezone`); plain `alembic upgrade` takes `-x timezone=Area/City`; without either, UTC (the
  configuration's default). The stored value is what the new code stores: the UTC instant of that
  local midnight, and never after the old start (the import).
- A close in the creation events (done / won't do) gets the note "closed before tracking", and the
  item's `done_at` becomes NULL when that close is still its last status change; a close made later
  (sync, edit, another import) keeps its real time.
- Times observed later (sync, manual edits, later imports, policy deadlines) are not touched. The
  rewritten items' stretches and report rows are rebuilt with frozen copies of
  `tracker.states.rebuild_sql`, `rows_sql` and `names_sql` as of this revision (a migration must not
  change when the application does), and the cached trend points are dropped (reports refill them).

Downgrading leaves the data as it is: the import times it replaced are not kept anywhere.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import context, op

revision = "0010_document_dates"
down_revision = "0009_owner_names"
branch_labels = None
depends_on = None

BEFORE_TRACKING = "closed before tracking"
# What the importer writes for a new item after its `created` event, in this order.
CREATE_FIELDS = (
    "title_text",
    "description",
    "owner_text",
    "owner_person",
    "owner_team",
    "deadline_text",
    "deadline",
    "status",
    "status_text",
    "priority",
    "route",
)
ONE_TRANSACTION = timedelta(seconds=1)
_DATED_NAME = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")

# Frozen copies of tracker.states (rebuild_sql, rows_sql, names_sql) as of this revision.
TRACKED_FIELDS = ("status", "deadline", "owner_text", "owner_person")
COLUMNS = (
    "item_id, postmortem_id, valid_from, valid_to, status, kind, deadline, owner_text, owner_person, "
    "owner_team, first_deadline, created_at, done_at, days_to_done, slips, slip_days"
)
KIND_CODES = {"open": 0, "in_progress": 1, "done": 2, "wont_do": 3, "bot": 4}
ROW_COLUMNS = (
    "postmortem_id, item_id, valid_from, valid_to, kind, deadline, first_deadline, done_at, days_to_done, "
    "slips, slip_days, team, targets, severity, owner_person, owner_lower"
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
    return f"""
INSERT INTO item_states ({COLUMNS})
WITH ev AS (
  SELECT e.item_id, e.id, e.occurred_at AS t, e.field, e.old, e.new,
    CASE WHEN e.note = '{BEFORE_TRACKING}' THEN 1 ELSE 0 END AS unknown_close,
    CASE WHEN e.field = 'deadline' AND e.old IS NOT NULL AND e.source <> 'policy'
          -- replacing a default (policy) deadline with a committed one is a commitment, not a slip
          AND NOT EXISTS (SELECT 1 FROM events pe WHERE pe.item_id = e.item_id AND pe.field = 'deadline'
                          AND pe.source = 'policy' AND pe.new = e.old AND pe.id < e.id)
         THEN 1 ELSE 0 END AS slip
  FROM events e
  WHERE e.field IN ({fields}) AND {on_event}
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


def rows_sql(dialect: str, item_ids: Iterable[int] | None = None) -> str:
    """INSERT ... SELECT that copies the given items' stretches into `report_rows` (all when None).

    Timestamps become microseconds since the epoch (exact: SQLite stores them as text with six
    fractional digits, PostgreSQL's EXTRACT is numeric), ISO dates day numbers, the kind its code,
    the item's link targets one ",a,b," text, and the postmortem's severity is copied.
    """
    if dialect == "sqlite":

        def micros(column: str) -> str:
            return (
                f"(CAST(strftime('%s', {column}) AS INTEGER) * 1000000"
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


def _utc(value: Any) -> datetime | None:
    """A stored timestamp as an aware UTC datetime (SQLite returns it naive, in UTC)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _zone() -> ZoneInfo:
    name = context.config.attributes.get("org_timezone") or context.get_x_argument(as_dictionary=True).get(
        "timezone"
    )
    return ZoneInfo(name or "UTC")


def _document_day(incident: Any, source_path: str | None, slug: str) -> date | None:
    if incident is not None:
        return incident if isinstance(incident, date) else date.fromisoformat(str(incident)[:10])
    for text in (os.path.basename(source_path or ""), slug):
        found = _DATED_NAME.search(text)
        if found:
            try:
                return date(int(found[1]), int(found[2]), int(found[3]))
            except ValueError:
                continue
    return None


def _chunks(ids: Sequence[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def _in(ids: Iterable[int]) -> str:
    return ", ".join(str(int(i)) for i in ids) or "NULL"


def upgrade() -> None:
    bind = op.get_bind()
    stamp = sa.DateTime(timezone=True)
    items = bind.execute(
        sa.text(
            "SELECT i.id, i.postmortem_id, i.created_at, c.id AS created_id, c.recorded_at"
            " FROM action_items i JOIN events c ON c.item_id = i.id"
            " WHERE c.field = 'created' AND c.source = 'document' AND c.occurred_at > i.created_at"
            " ORDER BY i.postmortem_id, c.id"
        ).columns(created_at=stamp, recorded_at=stamp)
    ).all()
    if not items:
        return
    zone = _zone()
    postmortems = {
        row.id: row
        for row in bind.execute(
            sa.text("SELECT id, slug, incident_date, source_path, created_at FROM postmortems").columns(
                incident_date=sa.Date(), created_at=stamp
            )
        )
    }
    first_slug: dict[int, str] = {}
    merged: set[int] = set()
    for row in bind.execute(
        sa.text(
            "SELECT postmortem_id, field, old FROM events WHERE item_id IS NULL"
            " AND field IN ('slug', 'merged') ORDER BY id"
        )
    ):
        if row.field == "merged":
            merged.add(row.postmortem_id)
        else:
            first_slug.setdefault(row.postmortem_id, row.old)

    # The first import's items: created one after another from the postmortem's own creation.
    starts: dict[int, datetime] = {}
    previous: dict[int, datetime | None] = {}
    for item in items:
        created_at = _utc(item.created_at)
        assert created_at is not None
        starts[item.id] = created_at
        pm = postmortems[item.postmortem_id]
        before = previous.get(pm.id, _utc(pm.created_at))
        if before is None or created_at - before >= ONE_TRANSACTION:
            previous[pm.id] = None  # the first import ended: later items keep their import time
            continue
        previous[pm.id] = created_at
        day = _document_day(pm.incident_date, pm.source_path, first_slug.get(pm.id, pm.slug))
        if day is None or pm.id in merged:
            continue
        midnight = datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
        starts[item.id] = min(midnight, created_at)

    ids = [item.id for item in items]
    by_item = {item.id: item for item in items}
    for chunk in _chunks(ids):
        events: dict[int, list[Any]] = {}
        for row in bind.execute(
            sa.text(
                "SELECT id, item_id, field, new, source, recorded_at FROM events"
                f" WHERE item_id IN ({_in(chunk)}) ORDER BY item_id, id"
            ).columns(recorded_at=stamp)
        ):
            events.setdefault(row.item_id, []).append(row)
        moves: list[dict[str, Any]] = []
        items_moved: list[dict[str, Any]] = []
        notes: list[dict[str, Any]] = []
        unknown: list[dict[str, Any]] = []
        for item_id in chunk:
            item = by_item[item_id]
            moved, closed, last_status = [item.created_id], None, None
            position = -1
            in_block = True
            for row in events.get(item_id, []):
                if row.id <= item.created_id:
                    continue
                if in_block and (
                    row.source == "document"
                    and row.field in CREATE_FIELDS
                    and CREATE_FIELDS.index(row.field) > position
                    and _utc(row.recorded_at) - _utc(item.recorded_at) < ONE_TRANSACTION  # type: ignore[operator]
                ):
                    position = CREATE_FIELDS.index(row.field)
                    moved.append(row.id)
                    if row.field == "status" and row.new in ("done", "wont_do"):
                        closed = row.id
                else:
                    in_block = False
                if row.field == "status":
                    last_status = row.id
            moves.extend({"id": event_id, "start": starts[item_id]} for event_id in moved)
            items_moved.append({"id": item_id, "start": starts[item_id]})
            if closed is not None:
                notes.append({"id": closed, "note": BEFORE_TRACKING})
                if last_status == closed:
                    unknown.append({"id": item_id})
        # One executemany per statement and chunk, not a round trip per item.
        at = sa.bindparam("start", type_=stamp)
        bind.execute(sa.text("UPDATE events SET occurred_at = :start WHERE id = :id").bindparams(at), moves)
        bind.execute(
            sa.text("UPDATE action_items SET created_at = :start WHERE id = :id").bindparams(at), items_moved
        )
        if notes:
            bind.execute(sa.text("UPDATE events SET note = :note WHERE id = :id"), notes)
        if unknown:
            bind.execute(sa.text("UPDATE action_items SET done_at = NULL WHERE id = :id"), unknown)
        where = f" WHERE item_id IN ({_in(chunk)})"
        bind.execute(sa.text(f"DELETE FROM report_rows{where}"))
        bind.execute(sa.text(f"DELETE FROM item_states{where}"))
        bind.execute(sa.text(rebuild_sql(bind.dialect.name, chunk)))
        bind.execute(sa.text(names_sql(chunk)))
        bind.execute(sa.text(rows_sql(bind.dialect.name, chunk)))
    bind.execute(sa.text("DELETE FROM trend_points"))


def downgrade() -> None:
    """The import times replaced by the upgrade are not kept: the data stays as it is."""
