"""item_states (the report's stretches of each item's history) stays equal to a rebuild from the events log."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session
from test_import_cli import DOC  # the Orders API postmortem: three items
from test_report_data import ACTOR, CONFIG, build, link_on_jira, utc

from tracker.db import downgrade, make_engine, upgrade
from tracker.history import record
from tracker.models import ActionItem, ItemState, Postmortem, ReportRow, utcnow
from tracker.states import rebuild
from tracker.states_session import maintain

COLUMNS = [c.name for c in ItemState.__table__.columns if c.name != "id"]
ROW_COLUMNS = [c.name for c in ReportRow.__table__.columns]


def _rows(session: Session) -> list[tuple]:
    query = select(*(ItemState.__table__.c[name] for name in COLUMNS)).order_by(
        ItemState.item_id, ItemState.valid_from
    )
    return [tuple(row) for row in session.execute(query)]


def _report_rows(session: Session) -> list[tuple]:
    query = select(*(ReportRow.__table__.c[name] for name in ROW_COLUMNS)).order_by(
        ReportRow.item_id, ReportRow.valid_from
    )
    return [tuple(row) for row in session.execute(query)]


def _assert_maintained_equals_rebuilt(db_url: str) -> list[tuple]:
    engine = create_engine(db_url)
    try:
        with maintain(Session(engine)) as session:
            maintained, maintained_rows = _rows(session), _report_rows(session)
            rebuild(session)
            rebuilt, rebuilt_rows = _rows(session), _report_rows(session)
            session.rollback()
    finally:
        engine.dispose()
    assert maintained == rebuilt
    assert maintained_rows == rebuilt_rows
    assert len(maintained_rows) == len(maintained)  # one report row per stretch
    return maintained


def test_states_follow_imports_edits_and_late_remote_events(make_config, run_cli, db_url, tmp_path):
    make_config(CONFIG)
    doc = tmp_path / "inc-100.md"
    doc.write_text(DOC, encoding="utf-8")
    run_cli.ok("import", str(doc))
    run_cli.ok("add", "Item I", "-p", "inc-3", "-o", "@sam", "-d", "2099-01-01")
    ids = build(db_url)
    listed = {r["title"]: r["id"] for r in json.loads(run_cli.ok("list", "--format", "json").stdout)}
    run_cli.ok("edit", str(listed["Item I"]), "--owner", "@dana", "--deadline", "2099-02-01")
    run_cli.ok("done", str(listed["Item I"]))
    run_cli.ok("reopen", str(ids["E"]))
    # The document changes: an item goes, one is reworded, a deadline moves.
    doc.write_text(
        DOC.replace(
            "| Alert on connection pool saturation above 80% | @lee | Jul 1 | In progress |\n", ""
        ).replace("Jul 15", "Jul 29"),
        encoding="utf-8",
    )
    run_cli.ok("import", str(doc))
    _assert_maintained_equals_rebuilt(db_url)
    engine = create_engine(db_url)
    with maintain(Session(engine)) as session:
        g = session.get(ActionItem, ids["G"])
        assert g is not None
        # A local change, then sync records a remote close that happened before it (out of order),
        # and an event in the future (a remote clock ahead of ours).
        record(
            session, g, "status", "open", "in_progress", source="manual", actor=ACTOR, occurred_at=utcnow()
        )
        g.status = "in_progress"
        session.flush()
        earlier = utc("2026-04-01T10:00:00")
        record(session, g, "status", "in_progress", "done", source="github", actor=ACTOR, occurred_at=earlier)
        g.status, g.done_at, g.closed_by_bot = "done", earlier, True
        record(
            session,
            g,
            "deadline",
            "2026-03-20",
            "2026-04-15",
            source="github",
            actor=ACTOR,
            occurred_at=utcnow() + timedelta(days=2),
        )
        g.deadline = g.deadline.replace(month=4, day=15)
        session.commit()
    engine.dispose()
    rows = _assert_maintained_equals_rebuilt(db_url)
    stretches = [row for row in rows if row[0] == ids["G"]]
    # Stretches: created, 02-15 (owner change), 04-01 (remote close), today (local start), in two days
    # (deadline). Read backwards as docs/report.md defines: before the late close its `old` holds.
    statuses = [row[COLUMNS.index("status")] for row in stretches]
    assert statuses == ["in_progress", "in_progress", "open", "done", "done"]
    assert [row[COLUMNS.index("kind")] for row in stretches][-1] == "bot"
    assert stretches[-2][COLUMNS.index("deadline")] == "2026-03-20"
    assert stretches[-1][COLUMNS.index("valid_to")] is None


def test_removing_an_item_cascades_to_its_states(make_config, run_cli, db_url):
    make_config(CONFIG)
    run_cli.ok("add", "Item I", "-p", "inc-3", "-o", "@sam", "-d", "2099-01-01")
    engine = make_engine(db_url)  # foreign keys on, as the application runs SQLite
    with engine.begin() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM item_states")).scalar() >= 1
        connection.execute(text("DELETE FROM action_items"))
        assert connection.execute(text("SELECT COUNT(*) FROM item_states")).scalar() == 0
        assert connection.execute(text("SELECT COUNT(*) FROM report_rows")).scalar() == 0
    engine.dispose()


def _row_of(session: Session, item_id: int) -> ReportRow:
    return session.scalars(
        select(ReportRow).where(ReportRow.item_id == item_id).order_by(ReportRow.valid_from.desc())
    ).first()


def test_report_rows_follow_new_links_and_severity_changes(make_config, run_cli, db_url):
    make_config(CONFIG)
    run_cli.ok("add", "Item I", "-p", "inc-3", "-o", "@sam", "-d", "2099-01-01")
    ids = build(db_url)
    engine = create_engine(db_url)
    with maintain(Session(engine)) as session:
        assert _row_of(session, ids["C"]).targets == ",gh,"
        assert _row_of(session, ids["B"]).targets is None
        assert _row_of(session, ids["A"]).severity == "sev1"
    link_on_jira(db_url, ids["C"])
    with maintain(Session(engine)) as session:
        postmortem = session.scalar(select(Postmortem).where(Postmortem.slug == "inc-1"))
        postmortem.severity = "sev3"
        session.commit()
        assert set(_row_of(session, ids["C"]).targets.strip(",").split(",")) == {"gh", "jr"}
        assert {
            row.severity
            for row in session.scalars(select(ReportRow).where(ReportRow.postmortem_id == postmortem.id))
        } == {"sev3"}
    engine.dispose()
    _assert_maintained_equals_rebuilt(db_url)


def test_migration_0007_backfill_equals_the_maintained_rows(make_config, run_cli, db_url):
    make_config(CONFIG)
    run_cli.ok("add", "Item I", "-p", "inc-3", "-o", "@sam", "-d", "2099-01-01")
    build(db_url)
    run_cli.ok("report", "--no-save")  # attributes every owner spelling by the config
    engine = make_engine(db_url)
    try:
        with maintain(Session(engine)) as session:
            maintained = _report_rows(session)
        downgrade(engine, "0006")
        upgrade(engine)
        run_cli.ok("report", "--no-save")  # the same attribution after the migrations' backfill
        with maintain(Session(engine)) as session:
            assert _report_rows(session) == maintained
    finally:
        engine.dispose()
