"""The everyday read commands import only what they use: no ORM, models, Alembic or importer (issue 15.4).

Each command runs in a new interpreter, as a user runs it, against the test database (SQLite or
the PostgreSQL of TRACKER_TEST_DATABASE_URL); what it imported is read from `sys.modules` after it.
On SQLite they read through stdlib sqlite3, so SQLAlchemy itself is not imported either.
Timings are in bench/startup.py; this checks the reason they hold.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CLI

# Modules that cost start-up time and that none of these commands needs.
HEAVY = (
    "sqlalchemy.orm",
    "tracker.models",
    "tracker.history",
    "tracker.items",
    "tracker.recurrence",
    "tracker.importing",
    "tracker.backends",
    "tracker.sync",
    "tracker.states",
    "alembic",
    "markdown_it",
    "mistune",
)
# On SQLite (the embedded default) the read path is stdlib sqlite3: not even SQLAlchemy Core.
SQLITE_HEAVY = ("sqlalchemy",)
PROGRAM = """
import json, sys
from tracker.cli import main
sys.argv = ["tracker", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit as stop:
    if stop.code:
        raise
print("MODULES " + json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def run(*args: str, cwd: Path) -> tuple[str, list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM, json.dumps(list(args))],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stderr.splitlines() if x.startswith("MODULES "))
    return result.stdout, json.loads(line.removeprefix("MODULES "))


def heavy(modules: list[str], url: str = "") -> list[str]:
    names = HEAVY + (SQLITE_HEAVY if url.startswith("sqlite") else ())
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in names)]


@pytest.fixture
def database(tmp_path: Path, db_url: str) -> Path:
    config = tmp_path / "tracker.toml"
    # `--severity sev1` and `--team ops` below must be known (an unknown one is a usage error).
    config.write_text(
        f'[database]\nurl = "{db_url}"\n[people.dana]\naliases = ["@dana"]\n[teams.ops]\nmembers = ["dana"]\n'
        '[report]\nseverity_aliases = { "sev-1" = "sev1" }\n',
        encoding="utf-8",
    )
    # The writes that seed it run in-process (the real CLI all the same): only the read commands under
    # test need a new interpreter, and three more per test were 94% of this file's time in CI.
    cli = CLI(lambda: config)
    cli.ok("add", "Add alerting", "-p", "inc-1", "--new", "-o", "@dana", "-d", "2026-01-10")
    cli.ok("add", "Write the runbook", "-p", "inc-1", "-o", "@sam")
    cli.ok("done", "1")
    return config


@pytest.mark.parametrize(
    "args",
    [
        ("list",),
        ("list", "--format", "json", "--since", "30d", "--severity", "sev1"),
        ("show", "1"),
        ("report", "-p", "inc-1", "--no-save"),
        ("report",),
        ("report", "--format", "json", "--no-save"),
        ("report", "--format", "html", "--no-save", "--as-of", "2026-01-31"),
        ("report", "--review-window", "2026-01-01..2026-12-31", "--format", "csv"),
        ("report", "--owner", "@dana", "--team", "ops", "--target", "gh", "--since", "2026-01-01"),
    ],
    ids=lambda args: " ".join(args),
)
def test_read_commands_import_neither_the_orm_nor_the_models(
    database: Path, db_url: str, args: tuple[str, ...]
):
    out, modules = run("--config", str(database), *args, cwd=database.parent)
    assert out.strip()
    assert heavy(modules, db_url) == []
    if db_url.startswith("sqlite"):
        assert "sqlite3" in modules and "sqlalchemy" not in modules


def test_help_imports_no_database_code(tmp_path: Path):
    _out, modules = run("--help", cwd=tmp_path)
    assert not [m for m in modules if m.startswith("sqlalchemy") or m.startswith("tracker.report")]


def test_show_and_list_read_what_the_orm_wrote(database: Path):
    """The Core path gives the documented shape: links, history and dates as the ORM stores them."""
    out, _ = run("--config", str(database), "show", "1", "--format", "json", cwd=database.parent)
    shown = json.loads(out)
    assert shown["status"] == "done" and shown["deadline"] == "2026-01-10" and shown["push"] is True
    assert shown["owner_person"] == "dana" and shown["created_at"].endswith("+00:00")
    assert [e["field"] for e in shown["events"]][:1] == ["created"]
    listed, _ = run("--config", str(database), "list", "--format", "json", cwd=database.parent)
    assert [row["id"] for row in json.loads(listed)] == [1, 2]


def test_report_shows_kept_recurrences_without_the_importer(database: Path, db_url: str):
    """What import kept in a postmortem's `extra` is read back and worded with no ORM or recurrence module."""
    from sqlalchemy import text

    from tracker.db import make_engine

    kept = {
        "recurrence": [
            {
                "item_id": 2,
                "postmortem": "inc-0",
                "title": "Write the runbook",
                "owner": "@sam",
                "team": None,
                "deadline": "2026-02-03",
                "score": 0.5,
                "why": "the same cause",
            }
        ]
    }
    engine = make_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE postmortems SET extra = :extra"), {"extra": json.dumps(kept)})
    engine.dispose()
    out, modules = run(
        "--config", str(database), "report", "--format", "json", "--no-save", cwd=database.parent
    )
    assert heavy(modules, db_url) == []
    [row] = json.loads(out)["recurrence"]
    assert row["incident"] == "inc-1" and row["item_id"] == 2
    assert row["sentence"] == (
        "inc-0's item 'Write the runbook' (@sam, due Feb 3, 2026) was still open when this incident happened"
        " (the same cause)"
    )
