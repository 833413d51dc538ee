"""Core handles on the tables that read paths query (list, show, report): typed columns, no ORM import.

Importing the ORM models costs more than a whole `tracker list` may take, so the everyday commands
read through these lightweight `table()` clauses instead. Each column carries the type its model
column has (UTC timestamps, dates, JSON, booleans), so rows come back exactly as the ORM returns
them; tests/test_tables.py checks every column here against tracker/models.py.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Date, Integer, String, Text, column, table

from tracker.coltypes import UTCDateTime

postmortems = table(
    "postmortems",
    column("id", Integer),
    column("slug", String),
    column("title", Text),
    column("incident_date", Date),
    column("severity", String),
    column("review_date", Date),
    column("source_path", Text),
    column("extra", JSON),
    column("created_at", UTCDateTime()),
)

action_items = table(
    "action_items",
    column("id", Integer),
    column("postmortem_id", Integer),
    column("position", Integer),
    column("source_line", Integer),
    column("title", Text),
    column("title_text", Text),
    column("description", Text),
    column("owner_text", Text),
    column("owner_person", String),
    column("owner_team", String),
    column("deadline_text", Text),
    column("deadline", Date),
    column("status", String),
    column("status_text", Text),
    column("priority", String),
    column("push", Boolean),
    column("removed_at", UTCDateTime()),
    column("created_at", UTCDateTime()),
    column("updated_at", UTCDateTime()),
)

links = table(
    "links",
    column("id", Integer),
    column("item_id", Integer),
    column("target", String),
    column("state", String),
    column("key", String),
    column("url", Text),
    column("remote_updated_at", UTCDateTime()),
)

events = table(
    "events",
    column("id", Integer),
    column("item_id", Integer),
    column("field", String),
    column("old", Text),
    column("new", Text),
    column("source", String),
    column("actor_user", String),
    column("actor_host", String),
    column("run_id", Integer),
    column("occurred_at", UTCDateTime()),
    column("recorded_at", UTCDateTime()),
)

sync_runs = table(
    "sync_runs",
    column("id", Integer),
    column("target", String),
    column("finished_at", UTCDateTime()),
    column("outcome", String),
)

target_state = table(
    "target_state",
    column("target", String),
    column("kind", String),
    column("last_good_sync_at", UTCDateTime()),
)

report_runs = table(
    "report_runs",
    column("id", Integer),
    column("created_at", UTCDateTime()),
    column("scope", String),
    column("actor_user", String),
    column("items", JSON),
)

trend_points = table(
    "trend_points",
    column("zone", String),
    column("cut", BigInteger),
    column("day", Integer),
    column("open", Integer),
    column("in_progress", Integer),
    column("done", Integer),
    column("wont_do", Integer),
    column("bot", Integer),
    column("overdue", Integer),
)

owner_names = table(
    "owner_names",
    column("owner_lower", Text),
    column("person", String),
    column("team", String),
)

ALL = (
    postmortems,
    action_items,
    links,
    events,
    sync_runs,
    target_state,
    report_runs,
    trend_points,
    owner_names,
)
