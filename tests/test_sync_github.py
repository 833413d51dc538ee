"""`tracker sync` through the real CLI against the loopback fake GitHub: push, pull, costs, failures."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from backend_harness import github_config, github_sandbox
from sqlalchemy import create_engine, func, select

from tracker.models import Event, Link
from tracker.sandbox.github import FakeGitHub

REPO = "acme/platform"
TOKEN = "ghp_TESTtokenNEVERprinted0123456789abcd"
TOKEN_ENV = "TRACKER_TEST_GH_TOKEN"


PEOPLE = """
[people."dana"]
name = "Dana Whitfield"
github = "dana-w"
aliases = ["@dana"]

[people."lee"]
name = "Lee Park"
github = "leepark"
aliases = ["@lee"]

[people."ghost"]
github = "ghost-user"
aliases = ["@ghost"]
"""


@pytest.fixture
def db_url(migrated_db_url: str) -> str:
    """These tests are about syncing, not how a database is first made: start at head (conftest.migrated_db_url)."""
    return migrated_db_url


def config_text(api_url: str, extra: str = "") -> str:
    return github_config(
        api_url,
        repo=REPO,
        token_env=TOKEN_ENV,
        target='labels = ["postmortem"]\n',
        people=PEOPLE,
        sync=f"verify_slice = 3\n{extra}",
    )


@pytest.fixture
def gh(monkeypatch):
    with github_sandbox(monkeypatch, REPO, TOKEN_ENV, TOKEN, ("dana-w", "leepark")) as fake:
        yield fake


@pytest.fixture
def env(gh, run_cli, make_config):
    path = make_config(config_text(gh.api_url))

    def sync(*args: str, code: int = 0) -> dict:
        result = run_cli("sync", "--format", "json", *args)
        assert result.exit_code == code, f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}"
        assert TOKEN not in result.stdout + result.stderr
        return json.loads(result.stdout)

    return run_cli, sync, path


def creates(gh: FakeGitHub) -> int:
    """Issue-create requests only (not label or assignee POSTs below the issue path)."""
    return sum(
        1 for r in gh.requests if r.method == "POST" and r.path.rstrip("/").endswith(f"/repos/{REPO}/issues")
    )


def _db(db_url: str):
    return create_engine(db_url)


def test_push_creates_issues_with_owner_deadline_labels_and_block(env, gh, db_url):
    cli, sync, _ = env
    cli.ok(
        "add",
        "Alert when orders-db p95 > 500 ms for 5 min",
        "-p",
        "inc-214",
        "-o",
        "@dana",
        "-d",
        "2026-07-01",
        "--incident-date",
        "2026-06-19",
    )
    cli.ok("add", "Be more careful", "-p", "inc-214", "-o", "@platform-eng")
    summary = sync()
    target = summary["targets"]["gh"]
    assert target["created"] == 2 and target["errors"] == 0 and summary["ok"]
    issues = {i.title: i for i in gh.issues(REPO)}
    first = gh.issue_json(REPO, issues["Alert when orders-db p95 > 500 ms for 5 min"].number)
    assert [a["login"] for a in first["assignees"]] == ["dana-w"]
    labels = {label["name"] for label in first["labels"]}
    assert {"postmortem-action", "postmortem"} <= labels
    assert "Deadline: 2026-07-01" in first["body"] and "Marker: tracker-" in first["body"]
    vague = gh.issue_json(REPO, issues["Be more careful"].number)
    assert {"needs-owner", "needs-rewording"} & {label["name"] for label in vague["labels"]}
    assert target["flagged"] >= 1  # flagged items are pushed, and are not failures
    rows = json.loads(cli.ok("list", "--format", "json").stdout)
    assert all(
        (row["links"] and row["links"][0]["url"].startswith("https://github.com/")) or row["links"][0]["url"]
        for row in rows
    )


def test_idle_sync_costs_one_request(env, gh):
    cli, sync, _ = env
    for n in range(12):
        cli.ok("add", f"Add alert number {n} on queue depth > 1000", "-p", "inc-1", "-o", "@dana")
    sync()
    sync()  # settles the pull window after our own writes
    gh.reset_log()
    summary = sync()
    assert summary["targets"]["gh"]["requests"] == 1 == len(gh.requests)
    assert gh.requests[0].status == 304


def test_k_changed_costs_the_documented_bound(env, gh):
    cli, sync, _ = env
    for n in range(8):
        cli.ok("add", f"Add alert number {n} on queue depth > 1000", "-p", "inc-1", "-o", "@dana")
    sync()
    sync()
    numbers = [i.number for i in gh.issues(REPO)][:5]
    for number in numbers:
        gh.close_issue(REPO, number, "completed", actor="dana-w")
    gh.reset_log()
    summary = sync()
    k, slice_size = len(numbers), 3
    assert summary["targets"]["gh"]["pulled"] == k
    assert len(gh.requests) == summary["targets"]["gh"]["requests"]
    assert len(gh.requests) <= 1 + math.ceil(k / 100) + slice_size
    assert all(r.method == "GET" for r in gh.requests)


def test_first_push_cost_is_n_creates_plus_a_constant(env, gh):
    cli, sync, _ = env
    n = 6
    for i in range(n):
        cli.ok("add", f"Add alert number {i} on queue depth > 1000", "-p", "inc-1", "-o", "@dana")
    summary = sync()
    assert creates(gh) == n
    # preflight (repo, labels, + label creates), lost-database guard, marker check, pull
    assert summary["targets"]["gh"]["requests"] <= n + 8


def test_person_edits_come_back(env, gh, db_url):
    cli, sync, _ = env
    cli.ok("add", "A: add alert on queue depth > 1000", "-p", "inc-1", "-o", "@dana", "-d", "2026-07-01")
    cli.ok("add", "B: add alert on disk > 90%", "-p", "inc-1", "-o", "@dana")
    cli.ok("add", "C: add alert on error rate > 2%", "-p", "inc-1", "-o", "@dana")
    sync()
    numbers = {i.title[0]: i.number for i in gh.issues(REPO)}
    gh.close_issue(REPO, numbers["A"], "completed", actor="leepark")
    gh.reassign(REPO, numbers["B"], ["leepark"])
    gh.close_issue(REPO, numbers["C"], "not_planned", bot=True)
    summary = sync()
    assert summary["targets"]["gh"]["pulled"] == 3, (summary, cli.ok("list", "--format", "json").stdout)
    rows = {r["title"][0]: r for r in json.loads(cli.ok("list", "--format", "json").stdout)}
    assert rows["A"]["status"] == "done"
    assert rows["B"]["owner_person"] == "lee"
    assert rows["C"]["status"] == "wont_do"
    assert any("closed by a bot" in m for m in summary["targets"]["gh"]["messages"])
    engine = _db(db_url)
    with engine.connect() as c:
        event = c.execute(select(Event).where(Event.field == "status", Event.source == "github")).first()
    engine.dispose()
    assert event is not None and event.occurred_at is not None
    gh.reopen_issue(REPO, numbers["A"])
    sync()
    rows = {r["title"][0]: r for r in json.loads(cli.ok("list", "--format", "json").stdout)}
    assert rows["A"]["status"] == "open"


def test_local_done_closes_the_issue_and_edits_touch_only_what_changed(env, gh):
    cli, sync, _ = env
    cli.ok("add", "Add alert on queue depth > 1000", "-p", "inc-1", "-o", "@dana", "-d", "2026-07-01")
    sync()
    sync()
    number = gh.issues(REPO)[0].number
    gh.comment(REPO, number, "human comment")
    body_before = gh.issue_json(REPO, number)["body"]
    gh.reset_log()
    cli.ok("done", "1")
    sync()
    issue = gh.issue_json(REPO, number)
    assert issue["state"] == "closed" and issue["state_reason"] == "completed"
    assert issue["body"] == body_before
    writes = [r for r in gh.requests if r.method != "GET"]
    assert len(writes) == 1 and writes[0].method == "PATCH"
    cli.ok("edit", "1", "--deadline", "2026-08-01")
    sync()
    body = gh.issue_json(REPO, number)["body"]
    # Only the deadline moves, in the block and in our intro line (issue 19, point 11)
    assert "Deadline: 2026-08-01" in body and body.split("```tracker")[0] == body_before.split("```tracker")[
        0
    ].replace("2026-07-01", "2026-08-01")


def test_skewed_server_clock_cursor_comes_from_the_server(env, gh):
    cli, sync, _ = env
    gh.clock_skew = timedelta(hours=-3)  # the server's clock is 3 h behind ours
    cli.ok("add", "Add alert on queue depth > 1000", "-p", "inc-1", "-o", "@dana")
    sync()
    sync()
    number = gh.issues(REPO)[0].number
    gh.close_issue(REPO, number, "completed", actor="dana-w")
    summary = sync()
    assert summary["targets"]["gh"]["pulled"] == 1


def test_dropped_create_response_makes_no_duplicate(env, gh):
    cli, sync, _ = env
    cli.ok("add", "Add alert on queue depth > 1000", "-p", "inc-1", "-o", "@dana")
    gh.drop_response_after_create(f"/repos/{REPO}/issues")
    sync()
    sync()
    assert len(gh.issues(REPO)) == 1
    assert creates(gh) == 1
    rows = json.loads(cli.ok("list", "--format", "json").stdout)
    assert rows[0]["links"][0]["state"] == "linked"


def test_killed_run_then_rerun_creates_no_duplicate(env, gh, workdir, db_url):
    cli, sync, path = env
    for n in range(3):
        cli.ok("add", f"Add alert number {n} on queue depth > 1000", "-p", "inc-1", "-o", "@dana")
    gh.timeout_next("POST", f"/repos/{REPO}/issues", seconds=8, apply=True)
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("tracker")), "--config", str(path), "sync"],
        cwd=workdir,
        env={**os.environ},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while not gh.issues(REPO) and time.monotonic() < deadline:  # applied, its answer held back
        time.sleep(0.05)
    time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert len(gh.issues(REPO)) == 1  # the create landed, its answer never came back
    gh.clear_faults()
    summary = sync()
    assert len(gh.issues(REPO)) == 3
    assert summary["targets"]["gh"]["created"] == 2
    engine = _db(db_url)
    with engine.connect() as c:
        states = [row.state for row in c.execute(select(Link))]
        assert states == ["linked"] * 3
    engine.dispose()


def test_lost_database_refuses_then_adopt_relinks(env, gh, workdir, make_config, db_url, tmp_path):
    cli, sync, _ = env
    for n in range(2):
        cli.ok("add", f"Add alert number {n} on queue depth > 1000", "-p", "inc-1", "-o", "@dana")
    sync()
    engine = _db(db_url)
    with engine.begin() as c:
        c.execute(Link.__table__.delete())
    engine.dispose()
    result = cli("sync")
    assert result.exit_code == 1 and "tracker adopt gh" in result.stdout + result.stderr
    assert len(gh.issues(REPO)) == 2
    out = cli.ok("adopt", "gh").stdout
    assert "2 issue(s) adopted" in out
    summary = sync()
    assert summary["targets"]["gh"]["created"] == 0 and len(gh.issues(REPO)) == 2


def test_transfer_is_followed_and_deletion_orphans(env, gh, make_config):
    cli, sync, _path = env
    make_config(
        config_text(gh.api_url, "verify_interval_minutes = 0\n").replace(
            "verify_slice = 3", "verify_slice = 10"
        )
    )
    gh.add_repo("acme/archive", private=True)
    cli.ok("add", "A: add alert on queue depth > 1000", "-p", "inc-1", "-o", "@dana")
    cli.ok("add", "B: add alert on disk > 90%", "-p", "inc-1", "-o", "@dana")
    sync()
    numbers = {i.title[0]: i.number for i in gh.issues(REPO)}
    gh.transfer_issue(REPO, numbers["A"], "acme/archive")
    gh.delete_issue(REPO, numbers["B"])
    summary = sync()
    target = summary["targets"]["gh"]
    assert target["moved"] == 1 and target["orphaned"] == 1
    rows = {r["title"][0]: r for r in json.loads(cli.ok("list", "--format", "json").stdout)}
    assert rows["A"]["links"][0]["key"].startswith("acme/archive#")
    assert rows["B"]["links"][0]["state"] == "orphaned" and rows["B"]["status"] == "open"


def test_dry_run_makes_no_write_request(env, gh, db_url):
    cli, sync, _ = env
    cli.ok("add", "Add alert on queue depth > 1000", "-p", "inc-1", "-o", "@dana")
    summary = sync("--dry-run")
    assert summary["targets"]["gh"]["plan"]
    assert all(r.method == "GET" for r in gh.requests), [(r.method, r.path) for r in gh.requests]
    assert not gh.issues(REPO)
    engine = _db(db_url)
    with engine.connect() as c:
        assert c.execute(select(func.count()).select_from(Link)).scalar() == 0
    engine.dispose()


def test_rate_limit_stops_cleanly_and_next_run_finishes(env, gh):
    cli, sync, _ = env
    for n in range(3):
        cli.ok("add", f"Add alert number {n} on queue depth > 1000", "-p", "inc-1", "-o", "@dana")
    gh.exhaust_rate_limit("tracker-bot", reset_in=600)
    result = cli("sync")
    assert result.exit_code == 1
    assert (
        "rate limit" in (result.stdout + result.stderr).lower()
        and "resets at" in result.stdout + result.stderr
    )
    gh.set_rate_limit("tracker-bot", remaining=5000)
    sync()
    assert len(gh.issues(REPO)) == 3


def test_server_errors_are_retried(env, gh):
    cli, sync, _ = env
    cli.ok("add", "Add alert on queue depth > 1000", "-p", "inc-1", "-o", "@dana")
    gh.fail_next("GET", f"/repos/{REPO}", status=502, times=2)
    summary = sync()
    assert summary["targets"]["gh"]["created"] == 1


def test_unassignable_owner_still_creates_with_a_finding(env, gh):
    cli, sync, _ = env
    cli.ok("add", "Add alert on queue depth > 1000", "-p", "inc-1", "-o", "@ghost")
    summary = sync()
    assert summary["ok"] and summary["targets"]["gh"]["created"] == 1
    assert any("ghost-user" in m for m in summary["targets"]["gh"]["messages"])
    assert len(gh.issues(REPO)) == 1


def test_second_sync_exits_3_while_the_lease_is_held(env, gh, db_url):
    cli, _sync, _path = env
    cli.ok("add", "Add alert on queue depth > 1000", "-p", "inc-1", "-o", "@dana")
    from tracker.db import make_engine, session_factory
    from tracker.lock import acquire

    engine = make_engine(db_url)
    acquire(session_factory(engine), ["sync:gh"], "cron-7f:123:abcd", 300, None)
    engine.dispose()
    result = cli("sync")
    assert result.exit_code == 3 and "another sync is running since" in result.stderr
    assert "cron-7f:123:abcd" in result.stderr
    assert cli("list").exit_code == 0  # listings work while a sync holds the lease


def test_read_only_token_pulls_but_never_writes(env, gh):
    cli, sync, _ = env
    cli.ok("add", "Add alert on queue depth > 1000", "-p", "inc-1", "-o", "@dana")
    gh.add_token(TOKEN, "reader", push=False)
    summary = sync()
    assert summary["ok"]
    assert any("read-only" in m for m in summary["targets"]["gh"]["messages"])
    assert not gh.issues(REPO) and all(r.method == "GET" for r in gh.requests)


def test_metrics_file(env, gh, workdir):
    cli, sync, _ = env
    cli.ok("add", "Add alert on queue depth > 1000", "-p", "inc-1", "-o", "@dana")
    metrics = workdir / "tracker.prom"
    sync("--metrics-file", str(metrics))
    text = metrics.read_text()
    assert 'tracker_sync_created{target="gh"} 1' in text
    assert 'tracker_sync_last_success_timestamp_seconds{target="gh"}' in text
    assert TOKEN not in text


def test_check_preflights_without_writing(env, gh):
    cli, _, _ = env
    result = cli("check", "--format", "json")
    assert result.exit_code == 0, result.stdout + result.stderr
    [entry] = json.loads(result.stdout)
    assert entry["ok"] and entry["can_write"]
    assert all(r.method == "GET" for r in gh.requests)


def test_missing_token_is_a_clear_error(env, gh, monkeypatch):
    cli, _, _ = env
    monkeypatch.delenv(TOKEN_ENV)
    cli.ok("add", "Add alert on queue depth > 1000", "-p", "inc-1", "-o", "@dana")
    result = cli("sync")
    assert result.exit_code == 2 and "[targets.gh] token_env" in result.stdout  # a configuration error
    assert TOKEN_ENV not in result.output  # the key is named, never its value (issue 19 point 9)


def test_unpush_closes_what_a_run_created(env, gh):
    cli, sync, _ = env
    cli.ok("add", "Add alert on queue depth > 1000", "-p", "inc-1", "-o", "@dana")
    summary = sync()
    run = summary["run"]
    out = cli.ok("unpush", "--run", str(run), "--yes").stdout
    assert "closed" in out
    issue = gh.issues(REPO)[0]
    assert issue.state == "closed" and issue.state_reason == "not_planned"
    sync()
    assert len(gh.issues(REPO)) == 1  # not created again


def test_held_items_are_not_pushed(env, gh, make_config):
    cli, sync, _ = env
    make_config(config_text(gh.api_url, 'hold = ["owner-missing"]\n'))
    cli.ok("add", "Add alert on queue depth > 1000", "-p", "inc-1")
    summary = sync()
    assert summary["targets"]["gh"]["held"] == 1 and not gh.issues(REPO)
    assert summary["ok"]


def _document(workdir: Path, rows: list[str]) -> Path:
    path = workdir / "pm.md"
    table = "\n".join(rows)
    path.write_text(
        "# Orders API outage\n\n| Field | Value |\n| --- | --- |\n| Date | 2026-06-19 |\n\n## Action Items\n\n"
        "| Action Item | Owner | Deadline | Issue |\n| --- | --- | --- | --- |\n" + table + "\n",
        encoding="utf-8",
    )
    return path


def test_issues_named_by_the_document_are_linked_not_created(env, gh, workdir):
    cli, sync, _ = env
    existing = gh.create_issue(REPO, "Index orders.customer_id (filed by hand)")
    doc = _document(
        workdir,
        [
            f"| Add index on orders.customer_id | @dana | 2026-07-01 | {REPO}#{existing} |",
            "| Alert when orders-db p95 > 500 ms for 5 min | @dana | 2026-07-01 | |",
        ],
    )
    cli.ok("import", str(doc))
    summary = sync()
    assert summary["targets"]["gh"]["created"] == 1  # only the item without an issue
    assert len(gh.issues(REPO)) == 2
    labels = {label["name"] for label in gh.issue_json(REPO, existing)["labels"]}
    assert "postmortem-action" in labels  # labelled so batched pulls see it
    assert (
        gh.issue_json(REPO, existing)["title"] == "Index orders.customer_id (filed by hand)"
    )  # never renamed
    gh.close_issue(REPO, existing, "completed", actor="dana-w")
    sync()
    rows = {r["title"]: r for r in json.loads(cli.ok("list", "--format", "json").stdout)}
    assert rows["Add index on orders.customer_id"]["status"] == "done"
    assert rows["Add index on orders.customer_id"]["links"][0]["key"] == f"{REPO}#{existing}"


def test_read_only_token_reports_from_documents_that_name_their_issues(env, gh, workdir):
    """The zero-risk start: a read-only token and postmortems that already name their issues."""
    cli, sync, _ = env
    gh.add_token(TOKEN, "reader", push=False)
    first = gh.create_issue(REPO, "Filed by hand A")
    second = gh.create_issue(REPO, "Filed by hand B")
    doc = _document(
        workdir,
        [
            f"| Add index on orders.customer_id | @dana | 2026-07-01 | https://github.com/{REPO}/issues/{first} |",
            f"| Alert when orders-db p95 > 500 ms for 5 min | @dana | 2026-07-01 | {REPO}#{second} |",
        ],
    )
    cli.ok("import", str(doc))
    assert sync()["ok"]
    gh.close_issue(REPO, first, "completed", actor="dana-w")
    gh.close_issue(REPO, second, "not_planned", actor="dana-w")
    sync()
    rows = {r["title"]: r["status"] for r in json.loads(cli.ok("list", "--format", "json").stdout)}
    assert rows == {
        "Add index on orders.customer_id": "done",
        "Alert when orders-db p95 > 500 ms for 5 min": "wont_do",
    }
    assert all(r.method == "GET" for r in gh.requests)  # nothing written, ever


def test_milestone_and_date_field_carry_the_deadline(env, gh, make_config):
    cli, sync, _ = env
    make_config(
        config_text(gh.api_url).replace(
            'labels = ["postmortem"]',
            'labels = ["postmortem"]\nmilestones = true\ndate_field = "Due date"\ndate_field_id = 77',
        )
    )
    gh.add_issue_field("acme", 77, "Due date")
    cli.ok("add", "Add alert on queue depth > 1000", "-p", "inc-1", "-o", "@dana", "-d", "2026-07-01")
    summary = sync()
    assert not any("date field" in m for m in summary["targets"]["gh"]["messages"])
    issue = gh.issue_json(REPO, gh.issues(REPO)[0].number)
    assert issue["milestone"]["title"] == "Due 2026-07-01"
    assert issue["milestone"]["due_on"] == "2026-07-01T12:00:00Z"  # noon: GitHub shows midnight a day early
    assert [(f["issue_field_name"], f["value"]) for f in issue["issue_field_values"]] == [
        ("Due date", "2026-07-01")
    ]
    cli.ok("edit", "1", "--deadline", "2026-08-01")
    sync()
    issue = gh.issue_json(REPO, issue["number"])
    assert issue["milestone"]["title"] == "Due 2026-08-01"
    assert issue["issue_field_values"][0]["value"] == "2026-08-01"
    assert "Deadline: 2026-08-01" in issue["body"]


def test_a_dropped_date_field_is_reported(env, gh, make_config):
    cli, sync, _ = env
    make_config(
        config_text(gh.api_url).replace(
            'labels = ["postmortem"]', 'labels = ["postmortem"]\ndate_field_id = 99'
        )
    )
    cli.ok("add", "Add alert on queue depth > 1000", "-p", "inc-1", "-o", "@dana", "-d", "2026-07-01")
    summary = sync()
    assert summary["ok"] and summary["targets"]["gh"]["created"] == 1
    assert any("did not set the date field" in m for m in summary["targets"]["gh"]["messages"])


def test_confidential_postmortems_never_reach_a_public_repository(env, gh, workdir, make_config):
    cli, sync, _ = env
    gh.add_repo("acme/public-site", private=False, collaborators=["dana-w"])
    make_config(config_text(gh.api_url).replace(f'repo = "{REPO}"', 'repo = "acme/public-site"'))
    secret = workdir / "secret.md"
    secret.write_text(
        "# Breach of the billing export\n\n| Field | Value |\n| --- | --- |\n| Date | 2026-06-19 |\n"
        "| Confidential | yes |\n\n## Action Items\n\n| Action Item | Owner | Deadline |\n| --- | --- | --- |\n"
        "| Rotate the billing export credentials | @dana | 2026-07-01 |\n",
        encoding="utf-8",
    )
    public = _document(workdir, ["| Alert when orders-db p95 > 500 ms for 5 min | @dana | 2026-07-01 | |"])
    cli.ok("import", str(secret), str(public))
    summary = sync()
    target = summary["targets"]["gh"]
    assert target["created"] == 1 and target["held"] == 1
    assert [i.title for i in gh.issues("acme/public-site")] == ["Alert when orders-db p95 > 500 ms for 5 min"]
    assert any("confidential" in m for m in target["messages"])
    check = json.loads(cli("check", "--format", "json").stdout)
    assert any("public" in w for w in check[0]["warnings"])


def test_reassigned_to_someone_not_in_people_is_not_reverted(env, gh):
    cli, sync, _ = env
    gh.add_collaborator(REPO, "newcomer")
    cli.ok("add", "Add alert on queue depth > 1000", "-p", "inc-1", "-o", "@dana")
    sync()
    number = gh.issues(REPO)[0].number
    gh.reassign(REPO, number, ["newcomer"])
    sync()
    sync()
    assert [a["login"] for a in gh.issue_json(REPO, number)["assignees"]] == ["newcomer"]
    [row] = json.loads(cli.ok("list", "--format", "json").stdout)
    assert row["owner"] == "@newcomer" and row["owner_person"] is None
    gh.reassign(REPO, number, [])  # and unassigning there sticks too
    sync()
    sync()
    assert gh.issue_json(REPO, number)["assignees"] == []
    cli.ok("edit", "1", "--owner", "@lee")  # a local change still wins over the pulled owner
    sync()
    assert [a["login"] for a in gh.issue_json(REPO, number)["assignees"]] == ["leepark"]


def test_lost_database_and_a_reworded_item_still_make_no_duplicate(env, gh, workdir):
    cli, sync, _ = env
    doc = _document(
        workdir,
        [
            "| Alert when orders-db p95 > 500 ms for 5 min | @dana | 2026-07-01 | |",
            "| Add an index on orders.customer_id | @dana | 2026-07-01 | |",
        ],
    )
    cli.ok("import", str(doc))
    sync()
    # The database is lost; the document is reworded, then imported into a brand-new database.
    text = doc.read_text().replace(
        "Add an index on orders.customer_id", "Add an index on orders.customer_id (btree)"
    )
    doc.write_text(text)
    fresh = workdir / "fresh.toml"
    fresh.write_text(config_text(gh.api_url) + '\n[database]\npath = "fresh.db"\n')
    cli.ok("--config", str(fresh), "import", str(doc))
    refused = cli("--config", str(fresh), "sync")
    assert refused.exit_code == 1 and "tracker adopt" in refused.stdout
    out = cli.ok("--config", str(fresh), "adopt", "gh").stdout
    assert "matched #2 by its title" in out and "2 issue(s) adopted" in out
    result = cli("--config", str(fresh), "sync", "--format", "json")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["targets"]["gh"]["created"] == 0
    assert len(gh.issues(REPO)) == 2
