"""Server and database faults: each sync completes or stops cleanly; the next finishes; no stray writes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from ops_support import (
    FAST_SYNC,
    REPO,
    RecordingClock,
    age_creating,
    github_config,
    github_markers,
    jira_config,
    jira_markers,
    link_rows,
    read_only_role,
    start_github,
    start_jira,
    write_items,
    writes,
)
from sqlalchemy import text

from tracker.db import downgrade, make_engine

ITEMS = 6
SYNC = FAST_SYNC + "request_timeout_seconds = 1\nmax_retries = 3\n"
CREATE = f"/repos/{REPO}/issues"

GITHUB_FAULTS: dict[str, Callable[[Any], None]] = {
    "5xx bursts": lambda gh: (
        gh.fail_next("GET", f"/repos/{REPO}", status=500, times=2),
        gh.fail_next("GET", CREATE, status=503, times=2),
        gh.fail_next("POST", CREATE, status=502, times=2),  # a create's 5xx is uncertain: looked up
    ),
    "timeouts": lambda gh: (
        gh.timeout_next("GET", CREATE, seconds=3, times=2),
        gh.timeout_next("POST", CREATE, seconds=3, apply=True),  # it landed; its answer never came
    ),
    "dropped connections": lambda gh: (
        gh.drop_next("GET", f"/repos/{REPO}/labels*"),
        gh.drop_next("POST", CREATE, times=2),
    ),
    "secondary 403 with Retry-After": lambda gh: gh.secondary_limit_next("POST", CREATE, retry_after=1),
    "429 with Retry-After": lambda gh: gh.fail_next(
        "GET", CREATE, status=429, headers={"Retry-After": "1"}, body={"message": "slow down"}
    ),
    "primary limit runs out mid-run": lambda gh: gh.set_rate_limit("tracker-bot", remaining=9, reset_in=900),
}

# What the first run waits (on the test's clock, so the test does not): a number is how many backoff
# waits (one per retry of an idempotent request; a create is never retried blind), a list is exactly
# the waits the server asked for with Retry-After. A limit that resets in 15 minutes is not waited for.
GITHUB_WAITS: dict[str, int | list[float]] = {
    "5xx bursts": 4,  # the repository and the issue listing, each failing twice
    "timeouts": 2,  # the listing timed out twice; the create that timed out is looked up, not resent
    "dropped connections": 1,  # the labels read once; the two dropped creates are looked up
    "secondary 403 with Retry-After": [1.0],
    "429 with Retry-After": [1.0],
    "primary limit runs out mid-run": [],
}


def _waited_as_told(slept: list[float], expected: int | list[float]) -> None:
    if isinstance(expected, list):
        assert slept == expected, slept
    else:
        assert len(slept) == expected and all(0 < wait <= 30 for wait in slept), slept


def _finishes(cli: Any, first: Any, markers: Callable[[], Any], db_url: str) -> None:
    out = first.stdout + first.stderr
    # (The fake's own threads may print a BrokenPipe traceback for a client that hung up: not ours.)
    assert "Traceback" not in first.stdout and "tracker/cli.py" not in out and "tracker/sync/" not in out
    if first.exit_code != 0:
        assert first.exit_code == 1 and first.stderr.startswith("error: sync failed"), out
        assert json.loads(first.stdout)["targets"], out  # a clear per-target message came first
    age_creating(db_url)  # unanswered creates wait out the search-index quarantine
    second = cli("sync", "--yes", "--format", "json")
    assert second.exit_code == 0, second.output
    found = markers()
    assert len(found) == ITEMS and set(found.values()) == {1}, found
    assert {r.state for r in link_rows(db_url)} == {"linked"} and len(link_rows(db_url)) == ITEMS


@pytest.mark.parametrize("fault", list(GITHUB_FAULTS))
def test_github_faults_stop_cleanly_and_the_next_run_finishes(fault, monkeypatch, run_cli, make_config, workdir, db_url):  # fmt: skip
    gh = start_github(monkeypatch)
    try:
        make_config(github_config(gh.api_url, sync=SYNC))
        run_cli.ok("import", str(write_items(workdir / "pm", ITEMS)))
        GITHUB_FAULTS[fault](gh)
        clock = RecordingClock()
        run_cli.clock = clock.clock()
        first = run_cli("sync", "--yes", "--format", "json")
        _waited_as_told(clock.slept, GITHUB_WAITS[fault])
        if fault.startswith("primary"):
            # The rate reserve (issue 15) stops the run before the 403 wall: a pause, not a failure.
            assert first.exit_code == 0 and json.loads(first.stdout)["targets"]["gh"]["paused"], first.output
            gh.set_rate_limit("tracker-bot", remaining=5000)
        gh.clear_faults()
        _finishes(run_cli, first, lambda: github_markers(gh), db_url)
    finally:
        gh.stop()


JIRA_FAULTS: dict[str, Callable[[Any], None]] = {
    "5xx bursts": lambda j: (
        j.fail_next("GET", "/rest/api/*/search/jql", 503, times=2),
        j.fail_next("POST", "/rest/api/*/issue/bulk", 502),  # uncertain: recovered by marker
    ),
    "timeouts": lambda j: j.delay_next("GET", "/rest/api/*/search/jql", seconds=3, times=2),
    "dropped connections": lambda j: j.drop_next("GET", "/rest/api/*/search/jql", times=2),
    "429 with Retry-After": lambda j: j.fail_next(None, "/rest/api/*/issue/bulk", 429, retry_after=1),
    "rate limit runs out mid-run": lambda j: j.set_rate_limit(4, window=900, retry_after=900),
}

JIRA_WAITS: dict[str, int | list[float]] = {
    "5xx bursts": 2,  # the search failing twice; the bulk create's 502 is looked up by marker
    "timeouts": 2,
    "dropped connections": 2,
    "429 with Retry-After": [1.0],  # a 429 was not applied: the bulk create is sent again
    "rate limit runs out mid-run": [],
}


@pytest.mark.parametrize("fault", list(JIRA_FAULTS))
def test_jira_faults_stop_cleanly_and_the_next_run_finishes(fault, monkeypatch, run_cli, make_config, workdir, db_url):  # fmt: skip
    jira = start_jira(monkeypatch)
    try:
        make_config(jira_config(jira, sync=SYNC))
        run_cli.ok("import", str(write_items(workdir / "pm", ITEMS)))
        JIRA_FAULTS[fault](jira)
        clock = RecordingClock()
        run_cli.clock = clock.clock()
        first = run_cli("sync", "--yes", "--format", "json")
        _waited_as_told(clock.slept, JIRA_WAITS[fault])
        if fault.startswith("rate"):
            # The last request of the window is kept (the reserve): a pause before the 429, exit 0.
            paused = [t["paused"] for t in json.loads(first.stdout)["targets"].values()]
            assert first.exit_code == 0 and all(paused), first.output
            jira.set_rate_limit(None)
        jira.clear_faults()
        _finishes(run_cli, first, lambda: jira_markers(jira), db_url)
    finally:
        jira.stop()


# The database: unreachable, read-only, behind or ahead of the code -----------------------------------
@pytest.fixture
def gh(monkeypatch):
    fake = start_github(monkeypatch)
    yield fake
    fake.stop()


def _refused_without_remote_writes(result: Any, gh: Any, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and "Traceback" not in result.output
    assert all(w in result.stderr for w in words), result.stderr
    assert writes(gh.requests) == []


def test_unreachable_database_writes_nothing_remote(gh, run_cli, make_config, workdir):
    make_config(
        '[database]\nurl = "postgresql+psycopg://tracker@127.0.0.1:9/none"\n' + github_config(gh.api_url)
    )
    result = run_cli("sync", "--yes")
    _refused_without_remote_writes(result, gh, "cannot open the database")
    assert gh.requests == []


def test_read_only_sqlite_database_writes_nothing_remote(gh, run_cli, make_config, workdir, tmp_path):
    path = tmp_path / "ro.db"
    make_config(f'[database]\npath = "{path}"\n' + github_config(gh.api_url))
    run_cli.ok("import", str(write_items(workdir / "pm", 2)))
    # A read-only open (root ignores chmod 0444, so the URI's mode=ro stands in for it).
    make_config(f'[database]\nurl = "sqlite:///file:{path}?mode=ro&uri=true"\n' + github_config(gh.api_url))
    assert run_cli.ok("list").stdout.count("inc-ops") == 2  # reading still works
    result = run_cli("sync", "--yes")
    _refused_without_remote_writes(result, gh, "readonly database")


def test_read_only_postgresql_role_writes_nothing_remote(gh, run_cli, make_config, workdir, postgres_url):
    make_config(f'[database]\nurl = "{postgres_url}"\n' + github_config(gh.api_url))
    run_cli.ok("import", str(write_items(workdir / "pm", 2)))
    with read_only_role(postgres_url) as reader:
        make_config(f'[database]\nurl = "{reader}"\n' + github_config(gh.api_url))
        assert run_cli.ok("list").stdout.count("inc-ops") == 2
        result = run_cli("sync", "--yes")
        _refused_without_remote_writes(result, gh, "permission denied")


@pytest.mark.parametrize("where", ["behind", "ahead"])
def test_schema_behind_or_ahead_is_refused_before_any_request(where, gh, run_cli, make_config, workdir, db_url):  # fmt: skip
    make_config(github_config(gh.api_url))
    run_cli.ok("import", str(write_items(workdir / "pm", 2)))
    engine = make_engine(db_url)
    try:
        if where == "behind":
            downgrade(engine, "0002")
        else:
            with engine.begin() as c:
                c.execute(text("UPDATE alembic_version SET version_num = '9999_from_a_newer_tracker'"))
    finally:
        engine.dispose()
    result = run_cli("sync", "--yes")
    assert result.exit_code == 2 and result.stderr.startswith("error: "), result.output
    assert ("tracker db upgrade" in result.output) if where == "behind" else ("newer" in result.output)
    assert gh.requests == []  # not even a read


def test_a_change_after_a_burst_of_more_than_a_page_is_still_pulled(
    gh, run_cli, make_config, workdir, db_url
):
    """After 101 changes (a two-page pull window), one more change must not hide behind a 304 on page 1."""
    make_config(github_config(gh.api_url))
    run_cli.ok("import", str(write_items(workdir / "pm", 104)))
    run_cli.ok("sync", "--yes")
    run_cli.ok("sync", "--yes")
    numbers = sorted(r.remote_number for r in link_rows(db_url))
    for number in numbers[:101]:
        gh.close_issue(REPO, number, "completed", actor="dana-w")
    assert '"pulled": 101' in run_cli.ok("sync", "--format", "json").stdout
    run_cli.ok("sync")
    gh.close_issue(REPO, numbers[-1], "not_planned", actor="dana-w")  # lands at the end of the window
    summary = run_cli.ok("sync", "--format", "json").stdout
    assert '"pulled": 1' in summary, summary


@pytest.mark.parametrize("retries", [0, 2])
def test_github_retries_follow_sync_max_retries(retries, monkeypatch, run_cli, make_config, workdir):
    gh = start_github(monkeypatch)
    try:
        sync = FAST_SYNC + f"request_timeout_seconds = 1\nmax_retries = {retries}\n"
        make_config(github_config(gh.api_url, sync=sync))
        run_cli.ok("import", str(write_items(workdir / "pm", 2)))
        gh.fail_next("GET", f"/repos/{REPO}", status=500, times=10)
        clock = RecordingClock()
        run_cli.clock = clock.clock()
        result = run_cli("sync", "--yes")
        assert result.exit_code == 1, result.output
        assert len(clock.slept) == retries  # a backoff before each retry, none after the last try
        tries = [r for r in gh.requests if r.method == "GET" and r.path.endswith(f"/repos/{REPO}")]
        assert len(tries) == retries + 1  # the first try and max_retries retries, like Jira
        assert writes(gh.requests) == []
    finally:
        gh.stop()
