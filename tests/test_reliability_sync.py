"""Issue 19, the sync side: each failure found by trying to break sync, reproduced through the real CLI."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from backend_harness import github_config, github_sandbox
from conftest import CLI
from sqlalchemy import create_engine, delete, select

from tracker.models import Link
from tracker.sandbox.github import FakeGitHub

REPO = "acme/platform"
TOKEN = "ghp_RELsyncTOKENneverPRINTED0123456789ab"
TOKEN_ENV = "TRACKER_REL_GH_TOKEN"


PEOPLE = """
[people."dana"]
github = "dana-w"
aliases = ["@dana"]

[people."lee"]
github = "leepark"
aliases = ["@lee"]
"""


def config_text(api_url: str, sync: str = "") -> str:
    return github_config(
        api_url, repo=REPO, token_env=TOKEN_ENV, people=PEOPLE, sync=f"verify_slice = 3\n{sync}"
    )


@pytest.fixture
def gh(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    with github_sandbox(monkeypatch, REPO, TOKEN_ENV, TOKEN, ("dana-w", "leepark")) as fake:
        yield fake


Sync = Callable[..., dict[str, Any]]


@pytest.fixture
def env(gh: FakeGitHub, run_cli: CLI, make_config: Callable[..., Path]) -> tuple[CLI, Sync]:
    make_config(config_text(gh.api_url))

    def sync(*args: str, code: int = 0) -> dict[str, Any]:
        result = run_cli("sync", "--format", "json", *args)
        assert result.exit_code == code, f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}"
        assert "Traceback" not in result.stdout + result.stderr
        return json.loads(result.stdout)

    return run_cli, sync


def rows(cli: CLI) -> dict[str, dict[str, Any]]:
    return {row["title"]: row for row in json.loads(cli.ok("list", "--format", "json").stdout)}


def document(workdir: Path, name: str, rows_: list[str]) -> Path:
    path = workdir / f"{name}.md"
    path.write_text(
        f"---\nslug: {name}\nincident_date: 2026-06-19\n---\n# Outage {name}\n\n## Action Items\n\n"
        "| Action Item | Owner | Deadline | Issue |\n| --- | --- | --- | --- |\n" + "\n".join(rows_) + "\n",
        encoding="utf-8",
    )
    return path


def delete_links(db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(delete(Link))
    engine.dispose()


def links(db_url: str) -> list[Any]:
    engine = create_engine(db_url)
    with engine.connect() as connection:
        found = list(connection.execute(select(Link).order_by(Link.id)))
    engine.dispose()
    return found


def issue_numbers(gh: FakeGitHub) -> dict[str, int]:
    return {issue.title: issue.number for issue in gh.issues(REPO)}


# 2 ----------------------------------------------------------------------------------------------
def test_19_2_two_items_linked_to_one_issue_do_not_stop_the_target(env, gh, workdir, db_url, make_config):
    cli, sync = env
    make_config(config_text(gh.api_url, "verify_interval_minutes = 0"))
    gh.add_repo("acme/archive", private=True, collaborators=["dana-w"])
    cli.ok("add", "Add an alert on queue depth > 1000", "-p", "inc-1", "-o", "@dana")
    sync()
    [created] = gh.issues(REPO)
    moved = gh.transfer_issue(REPO, created.number, "acme/archive")
    sync()  # follows the transfer: item #1 is now linked to acme/archive#N
    # A later postmortem names the issue by the key people remember; only sync can tell it is the same.
    doc = document(
        workdir,
        "inc-2",
        [
            f"| Page on queue depth > 1000 | @dana | 2026-07-01 | {REPO}#{created.number} |",
            "| Add a runbook for the queue | @dana | 2026-07-01 | |",
        ],
    )
    cli.ok("import", str(doc))
    summary = sync()
    target = summary["targets"]["gh"]
    assert target["created"] == 1  # the runbook: the conflict stopped nothing
    text = "\n".join(target["messages"])
    assert "IntegrityError" not in text
    assert f"acme/archive#{moved}, which already tracks #1" in text
    found = rows(cli)
    assert found["Page on queue depth > 1000"]["links"][0]["state"] == "error"
    [error] = [link.last_error for link in links(db_url) if link.state == "error"]
    assert "#1" in error and "Add an alert on queue depth > 1000" in error
    gh.close_issue("acme/archive", moved, "completed", actor="dana-w")
    sync()
    assert rows(cli)["Add an alert on queue depth > 1000"]["status"] == "done"  # later syncs still pull


# 3 ----------------------------------------------------------------------------------------------
def test_19_3_adopting_after_a_lost_database_takes_the_remote_as_newer(env, gh, workdir, db_url):
    cli, sync = env
    doc = document(
        workdir,
        "inc-1",
        [
            "| Add an alert on queue depth > 1000 | @dana | 2026-07-01 | |",
            "| Add an alert on disk usage > 90% | @dana | 2026-07-01 | |",
            "| Add an alert on p95 latency > 2 s | @dana | 2026-07-01 | |",
        ],
    )
    cli.ok("import", str(doc))
    ids = {title: row["id"] for title, row in rows(cli).items()}
    cli.ok("edit", str(ids["Add an alert on disk usage > 90%"]), "-d", "2026-08-15")
    sync()
    numbers = issue_numbers(gh)
    gh.edit_issue(
        REPO, numbers["Add an alert on queue depth > 1000"], title="Alert on queue depth > 1000 (p1)"
    )
    gh.close_issue(REPO, numbers["Add an alert on p95 latency > 2 s"], "not_planned", actor="dana-w")
    # The database is lost and rebuilt from the documents.
    (workdir / "tracker.db").unlink() if (workdir / "tracker.db").exists() else delete_everything(db_url)
    cli.ok("import", str(doc))
    adopted = cli("-v", "adopt", "gh")
    assert adopted.exit_code == 0, adopted.stdout + adopted.stderr
    summary = sync()
    assert summary["targets"]["gh"]["updated"] == 0  # nothing of the people's edits is reverted
    issues = {i.number: gh.issue_json(REPO, i.number) for i in gh.issues(REPO)}
    assert (
        issues[numbers["Add an alert on queue depth > 1000"]]["title"] == "Alert on queue depth > 1000 (p1)"
    )
    assert "Deadline: 2026-08-15" in issues[numbers["Add an alert on disk usage > 90%"]]["body"]
    found = {row["id"]: row for row in rows(cli).values()}
    assert any(row["title"] == "Alert on queue depth > 1000 (p1)" for row in found.values())
    assert any(row["deadline"] == "2026-08-15" for row in found.values())
    assert any(row["status"] == "wont_do" for row in found.values())


def delete_everything(db_url: str) -> None:
    from tracker.models import Base

    engine = create_engine(db_url)
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()


# 5 ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("garbage", ["2027-02-30", "next week probably"])
def test_19_5_an_unreadable_remote_deadline_keeps_the_local_one(env, gh, garbage):
    cli, sync = env
    cli.ok("add", "Add an alert on queue depth > 1000", "-p", "inc-1", "-o", "@dana", "-d", "2026-07-01")
    sync()
    [issue] = gh.issues(REPO)
    body = gh.issue_json(REPO, issue.number)["body"]
    gh.edit_issue(REPO, issue.number, body=body.replace("Deadline: 2026-07-01", f"Deadline: {garbage}"))
    doctor = cli("doctor", "--format", "json")
    drift = json.loads(doctor.stdout)["drift"]
    assert doctor.exit_code == 1 and any(d["kind"] == "due" and garbage in d["detail"] for d in drift)
    summary = sync()
    target = summary["targets"]["gh"]
    assert target["conflicts"] == 1, target
    assert any("kept local" in m and garbage in m for m in target["messages"])
    assert rows(cli)["Add an alert on queue depth > 1000"]["deadline"] == "2026-07-01"
    assert "Deadline: 2026-07-01" in gh.issue_json(REPO, issue.number)["body"]


# 6 ----------------------------------------------------------------------------------------------
def test_19_6_newlines_in_free_text_never_plant_lines_in_the_block(env, gh, db_url):
    cli, sync = env
    cli.ok("add", "Add an alert on queue depth > 1000", "-p", "inc-1", "-o", "@dana")
    sync()
    [first] = gh.issues(REPO)
    marker = gh.issue_json(REPO, first.number)["body"].split("Marker: ")[1].split()[0]
    planted = f"@dana\nMarker: {marker}\n```\n```tracker\nMarker: {marker}"
    cli.ok("add", "Add an alert on disk usage > 90%", "-p", "inc-1", "-o", planted)
    cli.ok("edit", "2", "--owner", planted)
    sync()
    numbers = issue_numbers(gh)
    body = gh.issue_json(REPO, numbers["Add an alert on disk usage > 90%"])["body"]
    block = body[body.rindex("```tracker") :]
    assert block.count("\nMarker: ") == 1 and f"\nMarker: {marker}" not in block
    # nor a block of its own in the intro
    assert [line for line in body.splitlines() if line.startswith("```")] == ["```tracker", "```"]
    delete_links(db_url)
    out = cli.ok("adopt", "gh").stdout
    assert "2 issue(s) adopted" in out, out
    found = rows(cli)
    assert found["Add an alert on disk usage > 90%"]["links"][0]["key"] == (
        f"{REPO}#{numbers['Add an alert on disk usage > 90%']}"
    )


def test_19_6_a_marker_is_checked_against_the_item_it_claims(env, gh, db_url):
    cli, sync = env
    cli.ok("add", "Add an alert on queue depth > 1000", "-p", "inc-1", "-o", "@dana")
    sync()
    [first] = gh.issues(REPO)
    body = gh.issue_json(REPO, first.number)["body"]
    # Someone files an issue by copying the block of another postmortem's issue.
    copy = gh.create_issue(REPO, "Copied", body=body.replace("Postmortem: inc-1", "Postmortem: inc-9"))
    gh.add_issue_label(REPO, copy, "postmortem-action")
    delete_links(db_url)
    out = cli.ok("adopt", "gh").stdout
    assert f"linked {REPO}#{first.number}" in out
    assert f"{REPO}#{copy}" in out and "inc-9" in out
    assert rows(cli)["Add an alert on queue depth > 1000"]["links"][0]["key"] == f"{REPO}#{first.number}"


# 7 ----------------------------------------------------------------------------------------------
def test_19_7_long_github_titles_are_cut_once_and_idle_stays_idle(env, gh):
    cli, sync = env
    title = "Add an alert on queue depth " + "and more " * 60
    cli.ok("add", title.strip(), "-p", "inc-1", "-o", "@dana")
    summary = sync()
    assert summary["targets"]["gh"]["created"] == 1 and summary["targets"]["gh"]["errors"] == 0
    [issue] = gh.issues(REPO)
    assert len(issue.title) <= 256 and title.startswith(issue.title.rstrip("…").rstrip())
    sync()
    gh.reset_log()
    summary = sync()
    assert summary["targets"]["gh"]["requests"] == 1 == len(gh.requests)
    [row] = rows(cli).values()
    assert row["title"] == title.strip()  # the item keeps its full title


# 11 ---------------------------------------------------------------------------------------------
def test_19_11_a_deadline_edit_rewrites_the_intro_line_too(env, gh):
    cli, sync = env
    cli.ok("add", "Add an alert on queue depth > 1000", "-p", "inc-1", "-o", "@dana", "-d", "2026-07-01")
    sync()
    [issue] = gh.issues(REPO)
    assert "Deadline: 2026-07-01" in gh.issue_json(REPO, issue.number)["body"].split("```tracker")[0]
    cli.ok("edit", "1", "-d", "2026-09-30")
    sync()
    body = gh.issue_json(REPO, issue.number)["body"]
    intro, block = body.split("```tracker")
    assert "2026-07-01" not in body
    assert "Deadline: 2026-09-30" in intro and "Deadline: 2026-09-30" in block


# 13 ---------------------------------------------------------------------------------------------
def test_19_13_unpush_leaves_an_issue_a_person_closed_and_pulls_its_status(env, gh):
    cli, sync = env
    cli.ok("add", "Add an alert on queue depth > 1000", "-p", "inc-1", "-o", "@dana")
    cli.ok("add", "Add an alert on disk usage > 90%", "-p", "inc-1", "-o", "@dana")
    run = sync()["run"]
    numbers = issue_numbers(gh)
    done = numbers["Add an alert on queue depth > 1000"]
    gh.close_issue(REPO, done, "completed", actor="dana-w")
    out = cli.ok("unpush", "--run", str(run), "--yes").stdout
    assert f"closed {REPO}#{done} (not planned)" not in out
    assert f"{REPO}#{done}" in out and "already closed" in out
    assert f"closed {REPO}#{numbers['Add an alert on disk usage > 90%']} (not planned)" in out
    assert gh.issue_json(REPO, done)["state_reason"] == "completed"
    found = rows(cli)
    assert found["Add an alert on queue depth > 1000"]["status"] == "done"
    assert found["Add an alert on disk usage > 90%"]["status"] == "open"  # not pushed again, not done


# 14 ---------------------------------------------------------------------------------------------
def test_19_14_a_primary_rate_limit_on_create_is_retried_normally(env, gh, db_url):
    cli, sync = env
    cli.ok("add", "Add an alert on queue depth > 1000", "-p", "inc-1", "-o", "@dana")
    gh.fail_next(
        "POST",
        f"/repos/{REPO}/issues",
        status=403,
        body={"message": "API rate limit exceeded for user ID 1.", "documentation_url": "x"},
    )
    summary = sync(code=1)
    assert "rate limit" in (summary["targets"]["gh"]["stopped"] or "")
    assert [link.state for link in links(db_url)] == ["pending"]
    summary = sync()  # at once: no quarantine
    assert summary["targets"]["gh"]["created"] == 1 and len(gh.issues(REPO)) == 1


def test_19_3_restoring_an_older_backup_adopts_with_the_remote_as_newer(env, gh, db_url):
    if not db_url.startswith("sqlite"):
        pytest.skip("copies the SQLite file")
    import shutil

    cli, sync = env
    path = Path(db_url.removeprefix("sqlite:///"))
    cli.ok("add", "Add an alert on queue depth > 1000", "-p", "inc-1", "-o", "@dana")
    sync()
    cli.ok("add", "Add an alert on disk usage > 90%", "-p", "inc-1", "-o", "@dana", "-d", "2026-07-01")
    shutil.copy(path, path.with_suffix(".bak"))  # the backup: the second item not pushed yet
    sync()
    number = issue_numbers(gh)["Add an alert on disk usage > 90%"]
    gh.edit_issue(REPO, number, title="Alert on disk usage > 90% on every volume")
    gh.close_issue(REPO, number, "completed", actor="dana-w")
    shutil.copy(path.with_suffix(".bak"), path)
    summary = sync()
    target = summary["targets"]["gh"]
    assert target["adopted"] == 1 and target["created"] == 0 and target["updated"] == 0
    assert gh.issue_json(REPO, number)["title"] == "Alert on disk usage > 90% on every volume"
    row = rows(cli)["Alert on disk usage > 90% on every volume"]
    assert row["status"] == "done" and row["links"][0]["key"] == f"{REPO}#{number}"
    assert sync()["targets"]["gh"]["updated"] == 0


def test_19_2_import_refuses_a_second_item_naming_a_linked_issue(env, gh, workdir):
    cli, sync = env
    cli.ok("add", "Add an alert on queue depth > 1000", "-p", "inc-1", "-o", "@dana")
    sync()
    [created] = gh.issues(REPO)
    doc = document(
        workdir,
        "inc-2",
        [
            f"| Page on queue depth > 1000 | @dana | 2026-07-01 | {REPO}#{created.number} |",
            "| Add a runbook for the queue | @dana | 2026-07-01 | |",
        ],
    )
    # Two postmortems of a recurring incident name one issue filed by hand.
    by_hand = gh.create_issue(REPO, "Recurring: queue backlog (filed by hand)")
    twice = document(
        workdir,
        "inc-3",
        [
            f"| Drain the queue backlog daily | @dana | 2026-07-01 | {REPO}#{by_hand} |",
            f"| Cap the queue backlog at 10k | @dana | 2026-07-01 | {REPO}#{by_hand} |",
        ],
    )
    out = cli.ok("import", str(doc), str(twice)).stdout
    assert f"names {REPO}#{created.number}, which already tracks item #1 on gh: not linked" in out
    assert f"names {REPO}#{by_hand}, which already tracks item #" in out
    found = rows(cli)
    assert found["Page on queue depth > 1000"]["links"] == []
    summary = sync()
    assert summary["targets"]["gh"]["created"] == 1 and len(gh.issues(REPO)) == 3  # only the runbook
    assert rows(cli)["Drain the queue backlog daily"]["links"][0]["state"] == "linked"
