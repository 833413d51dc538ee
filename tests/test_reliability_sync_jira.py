"""Issue 19 on Jira and across moves: long summaries, a status Jira keeps, moved and transferred issues."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from backend_harness import jira_sandbox, jira_target
from conftest import CLI

from tracker.sandbox.github import FakeGitHub
from tracker.sandbox.jira import FakeJira

ALICE = {"cloud": "5b10a2844c20165700ede21a", "datacenter": "alice"}
TODO = "10000"  # the fake's default workflow status id for To Do


@pytest.fixture
def db_url(migrated_db_url: str) -> str:
    """These tests are about syncing, not how a database is first made: start at head (conftest.migrated_db_url)."""
    return migrated_db_url


@pytest.fixture(params=["cloud", "datacenter"])
def jira(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeJira]:
    with jira_sandbox(request.param, monkeypatch) as fake:
        yield fake


def config(fake: FakeJira, extra: str = "", sync: str = "") -> str:
    return (
        f'{jira_target(fake, extra=extra)}\n[routing]\ndefault = "ops"\n\n'
        f'[people."alice"]\njira = "{ALICE[fake.flavor]}"\naliases = ["@alice"]\n\n'
        f"[sync]\nconfirm_first_push = false\n{sync}\n"
    )


def sync(cli: CLI, *args: str, code: int = 0) -> dict[str, Any]:
    result = cli("sync", "--format", "json", *args)
    assert result.exit_code == code, result.stdout + result.stderr
    return json.loads(result.stdout)["targets"]


def rows(cli: CLI) -> dict[str, dict[str, Any]]:
    return {row["title"]: row for row in json.loads(cli.ok("list", "--format", "json").stdout)}


def idle_cost(cli: CLI, fake: FakeJira) -> int:
    """Requests of a sync with nothing to do, measured on this very database."""
    sync(cli)
    fake.reset_log()
    sync(cli)
    return len(fake.requests)


# 7 ----------------------------------------------------------------------------------------------
def test_19_7_long_jira_summaries_are_cut_once_and_idle_stays_idle(jira, run_cli, make_config):
    make_config(config(jira))
    title = "Add an alert on queue depth " + "and more " * 40
    run_cli.ok("add", title.strip(), "-p", "inc-1", "-o", "@alice")
    run_cli.ok("add", "Add an alert on disk usage > 90%", "-p", "inc-1", "-o", "@alice")
    target = sync(run_cli)["ops"]
    assert target["created"] == 2 and any("title cut to 255" in m for m in target["messages"])
    summaries = sorted(issue.summary for issue in jira.issues())
    assert len(summaries[1]) == 255
    sync(run_cli)
    jira.reset_log()
    again = sync(run_cli)["ops"]
    assert again["updated"] == 0 and not [r for r in jira.requests if r.method == "PUT"]
    assert rows(run_cli)[title.strip()]["title"] == title.strip()


# 10 ---------------------------------------------------------------------------------------------
def test_19_10_a_status_jira_keeps_is_reported_once_and_costs_nothing(jira, run_cli, make_config):
    make_config(config(jira))
    run_cli.ok("add", "Add an alert on queue depth > 1000", "-p", "inc-1", "-o", "@alice")
    sync(run_cli)
    idle = idle_cost(run_cli, jira)
    run_cli.ok("done", "1")
    jira.reset_log()
    first = sync(run_cli)["ops"]
    assert first["updated"] == 0 and len(jira.requests) == idle
    assert sum("status stays" in m for m in first["messages"]) == 1
    assert "manage_workflow" in " ".join(first["messages"])
    jira.reset_log()
    second = sync(run_cli)["ops"]
    assert second["updated"] == 0 and len(jira.requests) == idle
    assert not any("status stays" in m for m in second["messages"])
    [issue] = jira.issues()
    assert issue.status == TODO and rows(run_cli)["Add an alert on queue depth > 1000"]["status"] == "done"


# 8 ----------------------------------------------------------------------------------------------
def test_19_8_a_close_after_a_jira_move_is_seen_on_the_next_sync(jira, run_cli, make_config):
    make_config(config(jira, sync="verify_slice = 1\nverify_interval_minutes = 0"))
    for n in range(3):
        run_cli.ok("add", f"Add an alert on queue {n} depth > 1000", "-p", "inc-1", "-o", "@alice")
    sync(run_cli)
    issue = next(i for i in jira.issues() if i.summary == "Add an alert on queue 0 depth > 1000")
    jira.person().move(issue.id, "PLAT")
    for _ in range(3):  # until the rolling verification has found the move
        sync(run_cli)
        if rows(run_cli)["Add an alert on queue 0 depth > 1000"]["links"][0]["key"].startswith("PLAT-"):
            break
    else:
        pytest.fail("the move was never followed")
    jira.person().transition(issue.id, "Done")
    sync(run_cli)
    assert rows(run_cli)["Add an alert on queue 0 depth > 1000"]["status"] == "done"


def test_19_8_a_close_after_a_github_transfer_is_seen_on_the_next_sync(run_cli, make_config, monkeypatch):
    monkeypatch.setenv("T_GH_TOKEN", "gh-token")
    with FakeGitHub() as gh:
        gh.add_repo("acme/platform", private=True, collaborators=["dana-w"])
        gh.add_repo("acme/archive", private=True, collaborators=["dana-w"])
        make_config(
            '[targets.gh]\nkind = "github"\nrepo = "acme/platform"\n'
            f'api_url = "{gh.api_url}"\ntoken_env = "T_GH_TOKEN"\n\n[routing]\ndefault = "gh"\n\n'
            '[people."dana"]\ngithub = "dana-w"\naliases = ["@dana"]\n\n'
            "[sync]\nconfirm_first_push = false\nverify_slice = 1\nverify_interval_minutes = 0\n"
        )
        for n in range(3):
            run_cli.ok("add", f"Add an alert on queue {n} depth > 1000", "-p", "inc-1", "-o", "@dana")
        sync(run_cli)
        first = next(
            i for i in gh.issues("acme/platform") if i.title == "Add an alert on queue 0 depth > 1000"
        )
        moved = gh.transfer_issue("acme/platform", first.number, "acme/archive")
        for _ in range(3):
            sync(run_cli)
            if rows(run_cli)["Add an alert on queue 0 depth > 1000"]["links"][0]["key"].startswith(
                "acme/archive"
            ):
                break
        else:
            pytest.fail("the transfer was never followed")
        gh.close_issue("acme/archive", moved, "completed", actor="dana-w")
        gh.reset_log()
        sync(run_cli)
        assert rows(run_cli)["Add an alert on queue 0 depth > 1000"]["status"] == "done"
        gh.reset_log()
        sync(run_cli)
        # Following costs one conditional GET of the moved issue per run (a 304 once it is quiet).
        followed = [r for r in gh.requests if r.path == f"/repos/acme/archive/issues/{moved}"]
        assert [r.status for r in followed] == [304]
