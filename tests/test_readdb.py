"""The read path's connection (tracker/readdb.py): URLs read as SQLAlchemy reads them, values as the ORM gives them."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import make_url

from tracker.app import AppContext
from tracker.config import config_from_text
from tracker.db import make_engine, session_factory, upgrade
from tracker.item_view import ItemQuery, get_item_view, item_history, load_items
from tracker.readdb import as_date, as_datetime, as_json, open_sqlite, sqlite_target


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///tracker.db",
        "sqlite:////var/lib/tracker/tracker.db",
        "sqlite+pysqlite:////tmp/t.db",
        "sqlite:///file:/tmp/t.db?mode=ro&uri=true",
        "sqlite:///file:/tmp/t.db?mode=ro&cache=shared&uri=true",
    ],
)
def test_sqlite_urls_open_what_sqlalchemy_opens(url: str):
    (filename,), options = SQLiteDialect_pysqlite().create_connect_args(make_url(url))
    found = sqlite_target(url)
    assert found is not None and found[1] == bool(options.get("uri"))
    if found[1]:  # the same file and URI arguments (in whatever order)
        base, _, query = found[0].partition("?")
        theirs, _, their_query = filename.partition("?")
        assert (base, set(query.split("&"))) == (theirs, set(their_query.split("&")))
    else:  # the same file (SQLAlchemy makes a relative path absolute; sqlite3 opens it from here alike)
        assert os.path.abspath(found[0]) == filename


def test_other_databases_are_not_opened_by_sqlite3():
    assert sqlite_target("postgresql+psycopg://postgres@127.0.0.1:5432/test") is None


def _app(db_url: str) -> AppContext:
    return AppContext(
        config=config_from_text(f'[database]\nurl = "{db_url}"\n[people.dana]\naliases = ["@dana"]\n')
    )


def test_items_read_as_the_orm_wrote_them(db_url: str):
    """SQLite and PostgreSQL rows come back as the same Python values the ORM returns."""
    from tracker.models import ActionItem, Event, Link, Postmortem

    engine = make_engine(db_url)
    upgrade(engine)
    created = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
    with session_factory(engine)() as session, session.begin():
        postmortem = Postmortem(slug="inc-1", title="Outage", services=[], extra={"k": [1]})
        session.add(postmortem)
        session.flush()
        item = ActionItem(
            postmortem_id=postmortem.id,
            fingerprint="f1",
            title="Add alerting",
            status="open",
            deadline=date(2026, 4, 1),
            push=False,
            created_at=created,
            updated_at=created,
        )
        session.add(item)
        session.flush()
        session.add(
            Link(item_id=item.id, target="gh", kind="github", state="linked", key="o/r#1", url="https://x/1")
        )
        session.add(
            Event(item_id=item.id, field="created", new="Add alerting", source="manual", occurred_at=created)
        )
    with session_factory(engine)() as session:
        orm = session.get(ActionItem, item.id)
        assert orm is not None
        expected = (orm.deadline, orm.push, orm.created_at, orm.removed_at)
    engine.dispose()
    app = _app(db_url)
    with app.connection() as connection:
        view = get_item_view(connection, item.id)
        history = item_history(connection, item.id)
        extra = as_json(connection.scalar("SELECT extra FROM postmortems WHERE slug = 'inc-1'"))
        listed = load_items(connection, ItemQuery().where("i.deadline < :day", day=date(2026, 5, 1)))
    assert (view.deadline, view.push, view.created_at, view.removed_at) == expected
    assert view.created_at == created and view.push is False
    assert [(link.key, link.state) for link in view.links] == [("o/r#1", "linked")]
    assert history[0]["occurred_at"] == created.isoformat()
    assert extra == {"k": [1]} and [i.id for i in listed] == [item.id]


def test_converters_take_either_storage_form():
    stored = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert as_datetime("2026-01-02 03:04:05.000006") == stored
    assert as_datetime(stored.replace(tzinfo=None)) == stored
    assert as_date("2026-01-02") == as_date(date(2026, 1, 2)) == date(2026, 1, 2)
    assert as_json('{"a": 1}') == as_json({"a": 1}) == {"a": 1}
    assert as_datetime(None) is None and as_date(None) is None


def test_a_failed_write_in_a_savepoint_is_undone_alone(tmp_path: Path):
    path = tmp_path / "t.db"
    with sqlite3.connect(path) as setup:
        setup.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)")
        setup.execute("INSERT INTO t (name) VALUES ('a')")
    conn = open_sqlite(f"sqlite:///{path}", 1000)
    conn.execute("INSERT INTO t (name) VALUES ('b')")
    with pytest.raises(conn.errors), conn.savepoint():
        conn.execute("INSERT INTO t (name) VALUES ('c')")
        conn.execute("INSERT INTO t (name) VALUES ('a')")  # violates UNIQUE
    conn.raw.commit()
    conn.raw.close()
    with sqlite3.connect(path) as check:
        assert [r[0] for r in check.execute("SELECT name FROM t ORDER BY id")] == ["a", "b"]


def test_read_only_sqlite_reads_and_refuses_writes(tmp_path: Path):
    path = tmp_path / "t.db"
    with sqlite3.connect(path) as setup:  # in WAL mode, as every database tracker made is
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    conn = open_sqlite(f"sqlite:///file:{path}?mode=ro&uri=true", 1000)
    assert conn.scalar("SELECT COUNT(*) FROM t") == 0
    with pytest.raises(conn.errors), conn.savepoint():
        conn.execute("INSERT INTO t (id) VALUES (1)")
    assert conn.scalars("SELECT id FROM t") == []
    conn.raw.close()


def test_read_commands_refuse_an_uninitialised_sqlite_file_unchanged(run_cli, make_config, workdir: Path):
    make_config('[database]\npath = "empty.db"\n')
    sqlite3.connect(workdir / "empty.db").close()  # a file, but no tables
    for args in (("list",), ("show", "1"), ("report",)):
        result = run_cli(*args)
        assert result.exit_code == 2, args
        assert "has not been initialised" in result.stderr and "tracker db upgrade" in result.stderr
        assert "Traceback" not in result.stderr
    with sqlite3.connect(workdir / "empty.db") as check:
        assert check.execute("SELECT name FROM sqlite_master").fetchall() == []
