"""Migration 0010_document_dates: a database imported before the document-date rule upgrades to the figures
and the rows a fresh import with the new code gives, on SQLite and PostgreSQL.

The old shape is written with SQL at the previous revision, as the old importer wrote it (item and
creation events at the import time, a close in the document closed at the import, no note), from
a database the new code filled: after the upgrade every row must be back as the new code wrote it.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tracker import states
from tracker.db import HEAD_REVISION, downgrade, make_engine, schema_state
from tracker.models import ActionItem, Event, Postmortem, utcnow

T = date.today()
PREVIOUS = "0009_owner_names"
# Midnight in New York is 04:00 or 05:00 UTC: a day placed in UTC instead would show.
CONFIG = '[org]\ntimezone = "America/New_York"\n'


def day(offset: int) -> str:
    return (T + timedelta(days=offset)).isoformat()


def document(slug: str, date_row: str, rows: list[str]) -> str:
    head = f"---\nslug: {slug}\n---\n# {slug}\n\n| Field | Value |\n| --- | --- |\n{date_row}| Severity | SEV2 |\n"
    table = "\n## Action Items\n\n| Action Item | Owner | Deadline | Status |\n| --- | --- | --- | --- |\n"
    return head + table + "\n".join(rows) + "\n"


A_ROWS = [
    f"| Add alerting on retry rate | @lena | {day(-50)} | Done |",
    f"| Fix the retry storm in the payment client | @lena | {day(-20)} | Open |",
    "| Drop the legacy payment path | @ravi | | Won't do |",
    f"| Write the runbook for payment retries | @ravi | {day(10)} | Open |",
]


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}"
    return request.getfixturevalue("postgres_url")


def _report(run_cli) -> dict:
    report = json.loads(run_cli.ok("report", "--format", "json", "--no-save", "--months", "24").stdout)
    return {key: report[key] for key in ("summary", "groups", "trend", "manager")}


def _rows(url: str) -> dict[str, list[tuple]]:
    """What the migration may change: items' times, events' times and notes, and the report rows."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            items = session.execute(
                select(ActionItem.id, ActionItem.created_at, ActionItem.done_at).order_by(ActionItem.id)
            ).all()
            events = session.execute(select(Event.id, Event.occurred_at, Event.note).order_by(Event.id)).all()
            rows = session.execute(
                text(
                    "SELECT item_id, valid_from, valid_to, kind, deadline, first_deadline, done_at,"
                    " days_to_done, slips, team, owner_lower FROM report_rows ORDER BY item_id, valid_from"
                )
            ).all()
        return {
            "items": [tuple(r) for r in items],
            "events": [tuple(r) for r in events],
            "rows": [tuple(r) for r in rows],
        }
    finally:
        engine.dispose()


def _shift_back(url: str, since, hours: int) -> None:
    """Move everything written since `since` back `hours` (the first import happened earlier)."""
    engine = make_engine(url)
    gap = timedelta(hours=hours)
    try:
        with Session(engine) as session:
            for item in session.scalars(select(ActionItem)):
                if item.created_at >= since:
                    item.created_at -= gap
            for postmortem in session.scalars(select(Postmortem)):
                postmortem.created_at -= gap
            for event in session.scalars(select(Event)):
                event.recorded_at -= gap
                if event.occurred_at >= since:
                    event.occurred_at -= gap
            session.flush()
            states.rebuild(session.connection())
            session.commit()
    finally:
        engine.dispose()


def _age(url: str) -> None:
    """Rewrite the new importer's creation rows the way the old one wrote them."""
    engine = make_engine(url)
    second = timedelta(seconds=1)
    try:
        with Session(engine) as session:
            for item in session.scalars(select(ActionItem).order_by(ActionItem.id)):
                events = list(
                    session.scalars(select(Event).where(Event.item_id == item.id).order_by(Event.id))
                )
                created = events[0]
                assert created.field == "created" and created.source == "document"
                start = item.created_at
                # The old importer's item INSERT came just before its `created` event, at the import.
                if created.recorded_at - start >= second:
                    item.created_at = created.recorded_at - timedelta(milliseconds=1)
                for event in events:
                    if event.occurred_at == start and event.recorded_at - created.recorded_at < second:
                        event.occurred_at = event.recorded_at
                    if event.note == states.BEFORE_TRACKING:
                        event.note = None
                        statuses = [e for e in events if e.field == "status"]
                        if statuses[-1] is event:
                            item.done_at = event.recorded_at + timedelta(microseconds=5)
            session.flush()
            states.rebuild(session.connection())
            session.commit()
    finally:
        engine.dispose()


def test_an_old_database_upgrades_to_the_figures_and_rows_of_the_new_import(
    database: str, make_config, run_cli, workdir: Path
):
    make_config(f'[database]\nurl = "{database}"\n\n' + CONFIG)
    folder = workdir / "postmortems"
    folder.mkdir()
    inc_a = folder / "inc-a.md"
    inc_a.write_text(document("inc-a", f"| Date | {day(-70)} |\n", A_ROWS))
    dated = T - timedelta(days=30)
    (folder / f"{dated.isoformat()}-db.md").write_text(  # no Date field: the file name's date
        document("db-failover", "", [f"| Fence the old primary | @ravi | {day(-25)} | Done |"])
    )
    (folder / "undated.md").write_text(document("undated", "", ["| Add a dashboard | @ravi | | Done |"]))
    since = utcnow()
    run_cli.ok("init")
    run_cli.ok("import", str(folder))
    _shift_back(database, since, hours=2)  # the first import two hours ago; what follows is now
    # Observed later, at their real times: a document edit adding an item and closing one, an edit.
    inc_a.write_text(
        document(
            "inc-a",
            f"| Date | {day(-70)} |\n",
            [*A_ROWS[:3], A_ROWS[3].replace("| Open |", "| Done |"), "| Add a canary | @ravi | | Done |"],
        )
    )
    run_cli.ok("import", str(inc_a))
    ids = {row["title"]: row["id"] for row in json.loads(run_cli.ok("list", "--format", "json").stdout)}
    run_cli.ok("edit", str(ids["Fix the retry storm in the payment client"]), "--status", "done")
    new = _report(run_cli)
    new_rows = _rows(database)
    summary = new["summary"]
    # The new code's figures: 4 done before tracking (the three first-import closes and the added
    # canary), the runbook done on time by a later import, the retry storm late by an edit.
    assert (summary["done_before_tracking"], summary["on_time"], summary["on_time_base"]) == (4, 1, 2)
    assert summary["median_days_to_done"] > 69  # from the incident, not from the import

    _age(database)
    old = _report(run_cli)  # what such a database reports (re-importing would not change it)
    summary = old["summary"]
    assert (summary["done_before_tracking"], summary["on_time"], summary["on_time_base"]) == (0, 1, 4)
    assert old["trend"][0]["month"] == T.strftime("%Y-%m") != new["trend"][0]["month"]
    engine = make_engine(database)
    try:
        downgrade(engine, PREVIOUS)  # the revision such a database is at
        assert schema_state(engine).current == PREVIOUS
    finally:
        engine.dispose()
    out = run_cli.ok("db", "upgrade").stdout
    assert f"{PREVIOUS} -> {HEAD_REVISION}" in out  # through 0010 (and any later revision)
    assert _rows(database) == new_rows
    assert _report(run_cli) == new

    # Idempotent: running it again over migrated (new-shaped) data changes nothing.
    engine = make_engine(database)
    try:
        downgrade(engine, PREVIOUS)
    finally:
        engine.dispose()
    run_cli.ok("db", "upgrade")
    assert _rows(database) == new_rows


def test_a_merged_postmortem_keeps_its_starts_but_its_closes_lose_the_import_time(
    make_config, run_cli, workdir, db_url
):
    """Conservative reading: after `postmortem merge` the merged items' document date is gone."""
    make_config(CONFIG)
    folder = workdir / "postmortems"
    folder.mkdir()
    (folder / "queue-a.md").write_text(
        document("queue-a", f"| Date | {day(-40)} |\n", [f"| Cap the queue | @ravi | {day(-30)} | Done |"])
    )
    (folder / "queue-b.md").write_text(
        document("queue-b", f"| Date | {day(-40)} |\n", ["| Alert on queue age | @ravi | | Open |"])
    )
    run_cli.ok("init")
    run_cli.ok("import", str(folder))
    _age(db_url)
    run_cli.ok("postmortem", "merge", "queue-b", "queue-a", "--yes")
    aged = _rows(db_url)["items"]
    engine = make_engine(db_url)
    try:
        downgrade(engine, PREVIOUS)
    finally:
        engine.dispose()
    run_cli.ok("db", "upgrade")
    items = _rows(db_url)["items"]
    assert [created for _, created, _ in items] == [created for _, created, _ in aged]  # starts kept
    assert [done for _, _, done in items] == [None, None]  # the close in the document: time unknown
    summary = _report(run_cli)["summary"]
    assert (summary["done_before_tracking"], summary["on_time_base"]) == (1, 0)
