"""Issue 15 points 1-3 against the fake GitHub: bulk adoption, the rate-limit reserve, cheap pulls (request counts)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from backend_harness import documents_naming, github_config, github_sandbox, linked_count
from sqlalchemy import create_engine, func, select

from tracker.models import ActionItem, SyncRun
from tracker.sandbox.github import FakeGitHub

REPO = "acme/ops"
TOKEN = "ghp_SCALEtokenNEVERprinted0123456789abcd"
TOKEN_ENV = "TRACKER_TEST_GH_TOKEN"
SLICE = 3


@pytest.fixture
def db_url(migrated_db_url: str) -> str:
    """These tests are about adopting issues at scale, not how a database is first made: start at head (conftest.migrated_db_url)."""
    return migrated_db_url


def config_text(api_url: str, sync_extra: str = "") -> str:
    return github_config(
        api_url,
        repo=REPO,
        token_env=TOKEN_ENV,
        sync=f"max_creates = 1000\nverify_slice = {SLICE}\n{sync_extra}",
        paced=(100000, 1000000),
    )


@pytest.fixture
def gh(monkeypatch):
    with github_sandbox(monkeypatch, REPO, TOKEN_ENV, TOKEN, ("dana-w",), rate_limit=5000) as fake:
        yield fake


def write_documents(workdir: Path, numbers: list[int], per_document: int = 50) -> list[Path]:
    """Postmortems whose action items name existing issues (`acme/ops#17`), `per_document` rows each."""
    return documents_naming(workdir, [(f"issue {n}", f"{REPO}#{n}") for n in numbers], per_document)


def sync(run_cli, *args: str) -> dict:
    result = run_cli("sync", "--format", "json", *args)
    assert result.exit_code == 0, f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}"
    assert TOKEN not in result.stdout + result.stderr
    return json.loads(result.stdout)["targets"]["gh"]


def single_gets(gh: FakeGitHub) -> int:
    return sum(1 for r in gh.requests if r.method == "GET" and r.path.rstrip("/").split("/")[-1].isdigit())


def test_linking_500_existing_issues_keeps_the_reserve_and_resumes(gh, run_cli, make_config, workdir, db_url):
    n = 500
    numbers = [gh.create_issue(REPO, f"Filed by hand {i}") for i in range(n)]
    make_config(config_text(gh.api_url))
    for path in write_documents(workdir, numbers):
        run_cli.ok("import", str(path))
    # Other automation shares the token: 600 an hour, 20% (120) of it is theirs.
    gh.set_rate_limit(limit=600, remaining=600, reset_in=3600)
    metrics = workdir / "tracker.prom"
    first = sync(run_cli, "--metrics-file", str(metrics))
    bucket = gh.rate_limit_state()
    assert bucket.remaining == 120  # spent down to the reserve, never below it
    assert first["paused"] and "rate-limit reserve" in first["paused"] and first["ok"]
    assert first["resume_at"] is not None and first["stopped"] is None
    assert first["requests"] == 480 == len(gh.requests)
    assert all(r.status < 400 for r in gh.requests)  # no 403/429 wall
    text = metrics.read_text()
    assert 'tracker_sync_paused{target="gh"} 1' in text and 'tracker_sync_ok{target="gh"} 1' in text
    assert 'tracker_sync_resume_timestamp_seconds{target="gh"}' in text
    done_first = linked_count(db_url)
    assert 0 < done_first < n

    human = run_cli("sync")  # the operator's view of a run that pauses (0 requests: the reserve)
    assert human.exit_code == 0 and "paused:" in human.stdout and "resumes after" in human.stdout

    gh.advance(3601)  # the hour is over: the budget refills
    gh.set_rate_limit(limit=5000, remaining=5000, reset_in=3600)
    gh.reset_log()
    second = sync(run_cli)
    assert second["paused"] is None and second["ok"]
    assert linked_count(db_url) == n
    labelled = [i for i in gh.issues(REPO) if i.label_ids]
    assert len(labelled) == n
    # Requests per linked issue, over both runs, with the label write: <= 1.2.
    total = first["requests"] + second["requests"]
    assert total / n <= 1.2, total
    posts = sum(1 for r in gh.requests if r.method == "POST")
    assert posts == n - done_first  # one label write per issue, nothing else written
    assert single_gets(gh) <= SLICE  # status came from listing pages, not a GET each


def test_150_closes_cost_pages_and_bot_closes_are_still_told_apart(gh, run_cli, make_config, workdir, db_url):
    n, k, bots = 200, 150, 20
    numbers = [gh.create_issue(REPO, f"Filed by hand {i}") for i in range(n)]
    make_config(config_text(gh.api_url))
    for path in write_documents(workdir, numbers):
        run_cli.ok("import", str(path))
    sync(run_cli)
    sync(run_cli)  # settles the pull window after our own label writes
    for number in numbers[:bots]:
        gh.close_issue(REPO, number, "not_planned", bot=True)
    for number in numbers[bots:k]:
        gh.close_issue(REPO, number, "completed", actor="dana-w")
    gh.reset_log()
    summary = sync(run_cli)
    assert summary["pulled"] == k
    pages = math.ceil(k / 100)
    events = sum(1 for r in gh.requests if r.path.endswith("/issues/events"))
    listing = sum(1 for r in gh.requests if r.path.rstrip("/").endswith(f"/repos/{REPO}/issues"))
    assert (listing, events) == (pages, pages)
    assert single_gets(gh) == SLICE  # the verification slice only: no GET to learn who closed
    assert summary["requests"] == len(gh.requests) == 2 * pages + SLICE
    assert summary["requests"] <= 1 + 2 * math.ceil(k / 100) + SLICE  # issue 15's bound
    engine = create_engine(db_url)
    with engine.connect() as conn:
        bot_closed = conn.scalar(select(func.count()).select_from(ActionItem).where(ActionItem.closed_by_bot))
        done = conn.scalar(select(func.count()).select_from(ActionItem).where(ActionItem.status == "done"))
    engine.dispose()
    assert bot_closed == bots and done == k - bots


def test_read_only_token_writes_nothing_and_reads_status_in_pages(gh, run_cli, make_config, workdir, db_url):
    n = 150
    gh.add_token(TOKEN, "reader", push=False)
    numbers = [gh.create_issue(REPO, f"Filed by hand {i}") for i in range(n)]
    for number in numbers[:30]:
        gh.close_issue(REPO, number, "completed", actor="dana-w")
    make_config(config_text(gh.api_url))
    for path in write_documents(workdir, numbers):
        run_cli.ok("import", str(path))
    summary = sync(run_cli)
    assert summary["ok"] and linked_count(db_url) == n
    assert all(r.method == "GET" for r in gh.requests)
    listing = sum(1 for r in gh.requests if r.path.rstrip("/").endswith(f"/repos/{REPO}/issues"))
    events = sum(1 for r in gh.requests if r.path.endswith("/issues/events"))
    assert listing >= math.ceil(n / 100) and events == 1 and single_gets(gh) == 0
    assert summary["requests"] <= 0.1 * n
    rows = json.loads(run_cli.ok("list", "--format", "json").stdout)
    assert sum(r["status"] == "done" for r in rows) == 30


def test_a_bad_reserve_is_a_config_error(gh, run_cli, make_config):
    for bad, words in (('"120%"', "below 100%"), ('"lots"', "a percentage"), ("-5", "cannot be negative")):
        make_config(config_text(gh.api_url, f"rate_reserve = {bad}"))
        result = run_cli("sync")
        assert result.exit_code == 2, result.output
        assert "[sync] rate_reserve" in result.stderr and words in result.stderr
        assert "Traceback" not in result.output and not gh.requests


def test_reserve_zero_spends_to_the_last_request_and_pauses_before_the_wall(gh, run_cli, make_config):
    make_config(config_text(gh.api_url, "rate_reserve = 0"))
    run_cli.ok("add", "Add alert on queue depth > 1000", "-p", "inc-1")
    gh.set_rate_limit(limit=5000, remaining=2, reset_in=600)
    summary = sync(run_cli)
    assert summary["paused"] and "0 of 5000" in summary["paused"] and summary["requests"] == 2
    assert all(r.status < 400 for r in gh.requests) and gh.rate_limit_state().remaining == 0
    # Exhausted before the first answer told us: the one request that finds out gets the 403.
    gh.reset_log()
    gh.set_rate_limit(limit=5000, remaining=0, reset_in=600)
    result = run_cli("sync", "--format", "json")
    assert result.exit_code == 1 and "resets at" in result.stdout, result.output
    assert len(gh.requests) == 1 and gh.requests[0].status == 403


def run_outcomes(db_url: str) -> list[str]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return list(conn.scalars(select(SyncRun.outcome).order_by(SyncRun.id)))
    finally:
        engine.dispose()


def test_a_paused_run_says_so_under_quiet_and_is_recorded_paused_not_as_a_good_sync(
    gh, run_cli, make_config, db_url
):
    make_config(config_text(gh.api_url, "rate_reserve = 0"))
    run_cli.ok("add", "Add alert on queue depth > 1000", "-p", "inc-1")
    gh.set_rate_limit(limit=5000, remaining=2, reset_in=600)
    quiet = run_cli("sync", "-q")  # as cron runs it: any output is mailed
    assert quiet.exit_code == 0, quiet.output
    [line] = quiet.stdout.splitlines()  # the one line, not the "before it paused" chatter
    assert line.startswith("gh (github): paused: ") and "resumes after" in line
    assert run_outcomes(db_url) == ["paused"]
    [fresh] = json.loads(run_cli.ok("report", "--no-save", "--format", "json").stdout)["freshness"]
    assert fresh["last_good_sync_at"] is None and fresh["stale"]  # a pause is not a good sync

    gh.advance(601)  # the budget refills: the next run finishes
    gh.set_rate_limit(limit=5000, remaining=5000, reset_in=3600)
    again = run_cli("sync", "-q")
    assert again.exit_code == 0 and "paused" not in again.stdout, again.output
    assert run_outcomes(db_url) == ["paused", "ok"]
    [fresh] = json.loads(run_cli.ok("report", "--no-save", "--format", "json").stdout)["freshness"]
    assert fresh["last_good_sync_at"] is not None and not fresh["stale"]
