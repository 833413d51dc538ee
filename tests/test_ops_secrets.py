"""Secrets: on every error path the tokens and e-mail never reach output, logs, database or metrics."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ops_support import (
    FAST_SYNC,
    GH_ENV,
    GH_TOKEN,
    JIRA_EMAIL,
    JIRA_TOKEN,
    JIRA_TOKEN_ENV,
    REPO,
    RecordingClock,
    github_config,
    jira_config,
    start_github,
    start_jira,
    write_items,
)
from sqlalchemy import create_engine, inspect, text

from tracker.backends import open_backend
from tracker.config import config_from_text
from tracker.errors import TrackerError

BAD_GH = "ghp_WRONGbutSTILLsecret9876543210zyxwvu"
BAD_JIRA = "jira-WRONG-but-still-secret-token-77"
SECRETS = (GH_TOKEN, JIRA_TOKEN, JIRA_EMAIL, BAD_GH, BAD_JIRA)
SYNC = FAST_SYNC + "request_timeout_seconds = 1\nmax_retries = 1\n"


def assert_clean(*texts: str) -> None:
    for blob in texts:
        for secret in SECRETS:
            assert secret not in blob, f"a secret leaked: ...{blob[max(0, blob.find(secret) - 80) :][:200]}"


def database_text(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            return "\n".join(
                repr(row)
                for table in inspect(c).get_table_names()
                for row in c.execute(text(f'SELECT * FROM "{table}"'))
            )
    finally:
        engine.dispose()


def run_all(cli: Any, workdir: Path, target: str, env: dict[str, str] | None = None, full: bool = False) -> list[str]:  # fmt: skip
    """Sync (-vv: every log line, tracebacks on) and check, plus doctor and adopt when `full`."""
    metrics = workdir / "tracker.prom"
    texts = []
    commands = [
        ("-vv", "sync", "--yes", "--format", "json", "--metrics-file", str(metrics)),
        ("-vv", "check"),
    ]
    if full:
        commands += [("-vv", "doctor"), ("-vv", "adopt", "--dry-run", target)]
    clock = RecordingClock()  # retries and Retry-After are waited for on it, not in real time
    cli.clock = clock.clock()
    for args in commands:
        result = cli(*args, env=env)
        texts += [result.stdout, result.stderr]
    if metrics.exists():
        texts.append(metrics.read_text())
    return texts


GITHUB_PATHS: dict[str, Callable[[Any], dict[str, str] | None]] = {
    "success": lambda gh: None,
    "wrong token (401)": lambda gh: {GH_ENV: BAD_GH},
    "5xx everywhere": lambda gh: gh.fail_next("*", "/repos/*", status=502, times=5) and None,
    "timeouts": lambda gh: gh.timeout_next("*", "/repos/*", seconds=2, times=2) and None,
    "dropped connections": lambda gh: gh.drop_next("*", "/repos/*", times=4) and None,
    "rate limit exhausted": lambda gh: gh.exhaust_rate_limit("tracker-bot", reset_in=600) and None,
    "read-only token": lambda gh: gh.add_token(GH_TOKEN, "reader", push=False),
    "secondary limit": lambda gh: gh.secondary_limit_next(
        "POST", f"/repos/{REPO}/issues", retry_after=1, times=3
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("path", list(GITHUB_PATHS))
def test_github_error_paths_never_leak(path, monkeypatch, make_config, workdir, run_cli, db_url):
    gh = start_github(monkeypatch, strict_auth=True)
    try:
        make_config(github_config(gh.api_url, sync=SYNC))
        run_cli.ok("import", str(write_items(workdir / "pm", 3)))
        env = GITHUB_PATHS[path](gh)
        texts = run_all(run_cli, workdir, "gh", env, full=path == "success")
        logged = [str(r.headers) + str(r.body) + str(r.response_headers) for r in gh.requests]
        assert_clean(*texts, database_text(db_url))
        assert any("***" in h for h in logged)  # the fake saw (and masked) the credential in its own log
    finally:
        gh.stop()


JIRA_PATHS: dict[str, Callable[[Any], dict[str, str] | None]] = {
    "success": lambda j: None,
    "wrong token (401)": lambda j: {JIRA_TOKEN_ENV: BAD_JIRA},
    "5xx bursts": lambda j: j.fail_next(None, "/rest/api/*", 503, times=40),
    "timeouts": lambda j: j.delay_next(None, "/rest/api/*", seconds=2, times=2),
    "429": lambda j: j.fail_next(None, "/rest/api/*", 429, times=40, retry_after=1),
    "missing project": lambda j: None,
}


@pytest.mark.slow
@pytest.mark.parametrize("path", list(JIRA_PATHS))
def test_jira_error_paths_never_leak(path, monkeypatch, make_config, workdir, run_cli, db_url):
    jira = start_jira(monkeypatch)
    try:
        body = jira_config(jira, sync=SYNC)
        if path == "missing project":
            body = body.replace('project = "OPS"', 'project = "NOPE"')
        make_config(body)
        run_cli.ok("import", str(write_items(workdir / "pm", 3)))
        env = JIRA_PATHS[path](jira)
        assert_clean(*run_all(run_cli, workdir, "ops", env, full=path == "success"), database_text(db_url))
    finally:
        jira.stop()


def test_exception_messages_never_carry_the_token(monkeypatch):
    """Errors raised by the backends themselves (what -v tracebacks and logs would show)."""
    gh = start_github(monkeypatch, strict_auth=True)
    try:
        config = config_from_text(github_config(gh.api_url, sync=SYNC))
        monkeypatch.setenv(GH_ENV, BAD_GH)  # refused: 401
        backend = open_backend(config, "gh")
        errors = [_raised(lambda: backend.pull(None, {})), _raised(backend.list_tracker_issues)]
        backend.close()
        monkeypatch.setenv(GH_ENV, GH_TOKEN)  # accepted, then the server fails
        gh.fail_next("*", "/repos/*", status=500, times=8)
        clock = RecordingClock()
        backend = open_backend(config, "gh", clock=clock.clock())
        errors.append(_raised(backend.has_tracker_issues))
        backend.close()
        for error in errors:
            assert_clean(
                str(error), repr(error), str(error.hint), repr(error.__cause__), repr(error.__context__)
            )
    finally:
        gh.stop()


def _raised(call: Callable[[], Any]) -> TrackerError:
    with pytest.raises(TrackerError) as caught:
        call()
    return caught.value


def test_a_literal_token_in_the_config_is_refused_with_a_hint(workdir, run_cli, make_config):
    make_config(
        github_config("https://api.github.com").replace(f'token_env = "{GH_ENV}"', f'token = "{GH_TOKEN}"')
    )
    result = run_cli("list")
    assert result.exit_code == 2 and "secrets never go in the config file" in result.stderr
    assert "token_env" in result.stderr and GH_TOKEN not in result.output
    make_config(
        github_config("https://api.github.com").replace(
            f'token_env = "{GH_ENV}"', f'token_env = "{GH_TOKEN}"'
        )
    )
    result = run_cli("list")
    assert result.exit_code == 2 and "looks like a literal credential" in result.stderr
    assert GH_TOKEN not in result.output


def test_config_permissions_warn(workdir, run_cli, make_config, tmp_path):
    """Writable by others: always a warning. Readable by others: only when it holds a database password."""
    config = make_config(f'[database]\npath = "{tmp_path / "x.db"}"\n')
    run_cli.ok("add", "Add an alert on queue depth", "-p", "inc-1")
    os.chmod(config, 0o644)
    assert "WARNING" not in run_cli.ok("list").stderr  # a world-readable config holds no secret
    os.chmod(config, 0o666)
    assert "writable by others" in run_cli.ok("list").stderr
    password = "pg-SECRET-pass-31337"
    config.write_text(
        f'[database]\nurl = "postgresql+psycopg://tracker:{password}@127.0.0.1:9/x"\n', encoding="utf-8"
    )
    os.chmod(config, 0o644)
    result = run_cli("list")
    assert "holds a database password and is readable by others" in result.stderr
    assert password not in result.stdout + result.stderr
    os.chmod(config, 0o600)
    assert "readable by others" not in run_cli("list").stderr
