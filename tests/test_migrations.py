"""Migrations: empty to head and back on SQLite and PostgreSQL, no drift against the models, one head."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from tracker.db import downgrade, make_engine, migrations_dir, schema_state, upgrade
from tracker.models import Base


def _round_trip(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine)
        state = schema_state(engine)
        assert state.is_current
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            assert set(Base.metadata.tables) <= tables
            drift = compare_metadata(
                MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
            )
            assert drift == [], f"models and migrations differ: {drift}"
        downgrade(engine, "base")
        with engine.connect() as connection:
            assert not set(Base.metadata.tables) & set(inspect(connection).get_table_names())
        assert schema_state(engine).current is None
        upgrade(engine)  # and up again from base
        assert schema_state(engine).is_current
    finally:
        engine.dispose()


def test_round_trip_on_the_main_database(db_url: str):
    _round_trip(db_url)


def test_round_trip_on_sqlite(tmp_path):
    _round_trip(f"sqlite:///{tmp_path / 'm.db'}")


def test_round_trip_on_postgresql(postgres_url: str):
    _round_trip(postgres_url)


def test_exactly_one_head_and_fast_reader_agrees_with_alembic():
    from tracker.db import _script_info

    script = ScriptDirectory(str(migrations_dir()))
    assert len(script.get_heads()) == 1
    head, known = _script_info()
    assert head == script.get_current_head()
    assert known == {rev.revision for rev in script.walk_revisions()}


def test_migrations_ship_in_the_wheel(tmp_path):
    """The wheel carries migrations/ as tracker/_migrations, so an installed tracker can upgrade."""
    import subprocess
    import sys
    import zipfile
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    out = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(repo),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = list(out.glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "tracker/_migrations/env.py" in names
    assert any(n.startswith("tracker/_migrations/versions/") and n.endswith(".py") for n in names)
