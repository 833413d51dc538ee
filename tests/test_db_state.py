"""The database guard: missing, behind and ahead databases are refused with a hint; SQLite set up for cron."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from tracker.db import make_engine, upgrade


def test_missing_database_is_refused_except_by_init_add_import(run_cli, workdir: Path):
    (workdir / "tracker.toml").write_text('[database]\npath = "state/tracker.db"\n')
    for args in (("list",), ("show", "1"), ("people",), ("done", "1"), ("db", "current")):
        result = run_cli(*args)
        assert result.exit_code == 2, args
        assert "no database at" in result.stderr and "tracker init" in result.stderr
    assert not (workdir / "state").exists()  # refusing never creates anything
    run_cli.ok("add", "Add alert", "-p", "inc-1")
    assert (workdir / "state" / "tracker.db").exists()
    run_cli.ok("list")


def test_uninitialised_server_database_is_refused(run_cli, make_config, postgres_url):
    make_config(f'[database]\nurl = "{postgres_url}"\n')
    result = run_cli("list")
    assert result.exit_code == 2 and "has not been initialised" in result.stderr
    run_cli.ok("db", "upgrade")
    run_cli.ok("list")


def test_database_behind_head_is_refused_with_backup_hint(run_cli, db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    engine.dispose()
    result = run_cli("list")
    assert result.exit_code == 2
    assert "newer than this tracker" in result.stderr  # 0000 is unknown to this code: refused as well


def test_database_ahead_of_code_is_refused(run_cli, db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffff_future'"))
    engine.dispose()
    for args in (("list",), ("add", "x", "-p", "p"), ("db", "upgrade")):
        result = run_cli(*args)
        assert result.exit_code == 2, args
        assert "newer than this tracker" in result.stderr and "upgrade tracker" in result.stderr


def test_database_behind_is_refused_then_upgraded(run_cli, db_url, monkeypatch):
    """Simulate an older schema by pretending the code has a newer head."""
    import tracker.db as db

    engine = make_engine(db_url)
    upgrade(engine)
    engine.dispose()
    _head, known = db._script_info()
    monkeypatch.setattr(db, "_script_info", lambda: ("9999_next", known | {"9999_next"}))
    result = run_cli("list")
    assert result.exit_code == 2
    assert "behind" in result.stderr and "back up" in result.stderr and "tracker db upgrade" in result.stderr


def test_db_current_reports_revision(run_cli):
    run_cli.ok("add", "x", "-p", "p")
    out = run_cli.ok("db", "current", "--format", "json").stdout
    assert '"status": "current"' in out


def test_sqlite_pragmas(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}", busy_timeout_ms=1234)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 1234
    engine.dispose()


def test_database_url_env_overrides_config(run_cli, make_config, workdir, tmp_path, monkeypatch):
    make_config('[database]\npath = "a.db"\n', database=False)
    other = tmp_path / "other.db"
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{other}")
    run_cli.ok("add", "x", "-p", "p")
    assert other.exists() and not (workdir / "a.db").exists()


def test_unreachable_database_is_a_clean_error(run_cli, make_config):
    make_config('[database]\nurl = "postgresql+psycopg://nobody@127.0.0.1:1/none"\n')
    result = run_cli("list")
    assert result.exit_code == 2 and "cannot open the database" in result.stderr
    assert "Traceback" not in result.stderr
