"""`tracker sync --dry-run` prints the plan and writes nothing: the database is byte-for-byte unchanged."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, select
from test_sync_github import REPO, TOKEN, TOKEN_ENV, config_text

from tracker.sandbox.github import FakeGitHub


def _sqlite_path(db_url: str) -> Path | None:
    return Path(db_url.removeprefix("sqlite:///")) if db_url.startswith("sqlite:///") else None


def snapshot(db_url: str) -> tuple[str | None, dict[str, list[tuple]]]:
    """A checksum of the SQLite file (None on PostgreSQL) and every row of every table."""
    path = _sqlite_path(db_url)
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path is not None else None
    engine = create_engine(db_url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        with engine.connect() as connection:
            rows = {
                name: sorted(map(repr, connection.execute(select(table)).all()))
                for name, table in meta.tables.items()
            }
    finally:
        engine.dispose()
    return digest, rows


@pytest.fixture
def gh(monkeypatch):
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    fake = FakeGitHub()
    fake.add_repo(REPO, private=True, collaborators=["dana-w", "leepark"])
    with fake:
        yield fake


def _sync(cli, *args: str) -> dict:
    result = cli("sync", "--format", "json", *args)
    assert result.exit_code == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def _writes(gh: FakeGitHub) -> list[str]:
    return [f"{r.method} {r.path}" for r in gh.requests if r.method not in ("GET", "HEAD")]


def test_dry_run_on_a_fresh_database_leaves_the_file_unchanged(gh, run_cli, make_config, db_url):
    make_config(config_text(gh.api_url))
    run_cli.ok("add", "Alert when orders-db p95 > 500 ms", "-p", "inc-1", "-o", "@dana", "-d", "2026-07-01")
    run_cli.ok("add", "Be more careful", "-p", "inc-1", "-o", "@platform-eng")
    before = snapshot(db_url)
    gh.reset_log()
    summary = _sync(run_cli, "--dry-run")
    plan = summary["targets"]["gh"]["plan"]
    assert summary["dry_run"] and len([p for p in plan if p.startswith("create ")]) == 2
    assert snapshot(db_url) == before  # not even a target_state row
    assert _writes(gh) == [] and not gh.issues(REPO)


def test_dry_run_with_pulls_pushes_and_conflicts_pending_changes_nothing(gh, run_cli, make_config, db_url):
    make_config(config_text(gh.api_url))
    for title in ("Add an alert on queue depth", "Write the failover runbook", "Rotate the on-call keys"):
        run_cli.ok("add", title, "-p", "inc-1", "-o", "@dana", "-d", "2026-07-01")
    _sync(run_cli)
    _sync(run_cli)
    issues = {i.title: i.number for i in gh.issues(REPO)}
    gh.close_issue(REPO, issues["Add an alert on queue depth"], "completed", actor="leepark")
    gh.edit_issue(REPO, issues["Write the failover runbook"], title="Write the failover runbook (v2)")
    run_cli.ok("edit", "2", "--title", "Write the failover runbook, and test it")
    run_cli.ok("done", "3")
    run_cli.ok("add", "A new item", "-p", "inc-1", "-o", "@lee")
    before = snapshot(db_url)
    gh.reset_log()
    plan = _sync(run_cli, "--dry-run")["targets"]["gh"]["plan"]
    assert snapshot(db_url) == before
    assert _writes(gh) == []
    text = "\n".join(plan)
    assert "create #4" in text and "close" in text and "conflict" in text and "pull" in text, text
    # The real run then does what the plan said.
    after = _sync(run_cli)["targets"]["gh"]
    assert (after["created"], after["conflicts"]) == (1, 1) and after["updated"] >= 1
