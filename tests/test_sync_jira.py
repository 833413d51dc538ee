"""`tracker sync` to Jira through the real CLI: routing beside GitHub, moves, workflows, screens, bulk."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from backend_harness import jira_sandbox, jira_target

from tracker.sandbox.github import FakeGitHub
from tracker.sandbox.jira import FakeJira

ALICE = {"cloud": "5b10a2844c20165700ede21a", "datacenter": "alice"}
REPO = "acme/platform"
TODO, DONE = "10000", "10001"  # the fake's default workflow status ids


@pytest.fixture
def db_url(migrated_db_url: str) -> str:
    """These tests are about syncing, not how a database is first made: start at head (conftest.migrated_db_url)."""
    return migrated_db_url


@pytest.fixture(params=["cloud", "datacenter"])
def jira(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeJira]:
    with jira_sandbox(request.param, monkeypatch) as fake:
        yield fake


def people(fake: FakeJira) -> str:
    return (
        f'[people."alice"]\nname = "Alice Liddell"\njira = "{ALICE[fake.flavor]}"\ngithub = "alice-gh"\n'
        'aliases = ["@alice"]\nteam = "infra"\n\n'
        '[people."dana"]\nname = "Dana Whitfield"\ngithub = "dana-w"\naliases = ["@dana"]\nteam = "web"\n\n'
        '[teams.infra]\nmembers = ["alice"]\ntarget = "ops"\n\n[teams.web]\nmembers = ["dana"]\n\n'
        "[sync]\nconfirm_first_push = false\nverify_interval_minutes = 0\n"
    )


def sync(cli, *args: str, code: int = 0) -> dict:
    result = cli("sync", "--format", "json", *args)
    assert result.exit_code == code, result.stdout + result.stderr
    return json.loads(result.stdout)


def document(path: Path, rows: list[str], extra_meta: str = "") -> Path:
    path.write_text(
        "# Database failover took 40 minutes\n\n| Field | Value |\n| --- | --- |\n| Date | 2026-06-19 |\n"
        f"| Severity | Critical |\n| Services affected | payments, orders-db |\n{extra_meta}\n## Action Items\n\n"
        "| Action Item | Owner | Deadline | Target |\n| --- | --- | --- | --- |\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
    return path


def test_one_database_feeds_github_and_jira_by_routing(jira, run_cli, make_config, workdir, monkeypatch):
    monkeypatch.setenv("T_GH_TOKEN", "gh-token")
    with FakeGitHub() as gh:
        gh.add_repo(REPO, private=True, collaborators=["dana-w", "alice-gh"])
        make_config(
            jira_target(jira)
            + f'[targets.web]\nkind = "github"\nrepo = "{REPO}"\napi_url = "{gh.api_url}"\ntoken_env = "T_GH_TOKEN"\n\n'
            + '[routing]\ndefault = "web"\nrules = [{ service = "billing", target = "ops" }]\n\n'
            + people(jira)
        )
        doc = document(
            workdir / "pm.md",
            [
                "| Add a failover drill to the quarterly game day | @alice | 2026-07-01 | |",  # infra team -> ops
                "| Alert when failover takes > 5 min | @dana | 2026-07-01 | |",  # web team -> default (web)
                "| Page the DBA on replica lag > 30 s | @dana | 2026-07-01 | ops |",  # explicit Target column
            ],
        )
        run_cli.ok("import", str(doc))
        summary = sync(run_cli)
        assert summary["targets"]["ops"]["created"] == 2 and summary["targets"]["web"]["created"] == 1
        assert sorted(i.summary for i in jira.issues()) == [
            "Add a failover drill to the quarterly game day",
            "Page the DBA on replica lag > 30 s",
        ]
        assert [i.title for i in gh.issues(REPO)] == ["Alert when failover takes > 5 min"]
        again = sync(run_cli)
        assert again["totals"]["created"] == 0


def test_moved_issue_stays_linked_under_its_new_key(jira, run_cli, make_config):
    make_config(jira_target(jira) + '[routing]\ndefault = "ops"\n' + people(jira))
    run_cli.ok("add", "Alert when failover takes > 5 min", "-p", "inc-1", "-o", "@alice")
    sync(run_cli)
    [issue] = jira.issues()
    jira.person().move(issue.id, "PLAT")
    summary = sync(run_cli)
    assert summary["targets"]["ops"]["moved"] == 1
    [row] = json.loads(run_cli.ok("list", "--format", "json").stdout)
    assert row["links"][0]["key"].startswith("PLAT-") and row["links"][0]["state"] == "linked"
    jira.person().transition(jira.issues()[0].id, "Done")
    sync(run_cli)
    [row] = json.loads(run_cli.ok("list", "--format", "json").stdout)
    assert row["status"] == "done" and len(jira.issues()) == 1


def test_local_done_walks_the_workflow_when_allowed(jira, run_cli, make_config):
    make_config(
        jira_target(jira, extra="manage_workflow = true") + '[routing]\ndefault = "ops"\n' + people(jira)
    )
    run_cli.ok("add", "Alert when failover takes > 5 min", "-p", "inc-1", "-o", "@alice")
    sync(run_cli)
    run_cli.ok("done", "1")
    summary = sync(run_cli)
    assert summary["targets"]["ops"]["updated"] == 1
    [issue] = jira.issues()
    assert issue.status == DONE and issue.resolution is not None


def test_local_done_is_not_pushed_without_manage_workflow(jira, run_cli, make_config):
    make_config(jira_target(jira) + '[routing]\ndefault = "ops"\n' + people(jira))
    run_cli.ok("add", "Alert when failover takes > 5 min", "-p", "inc-1", "-o", "@alice")
    sync(run_cli)
    run_cli.ok("done", "1")
    summary = sync(run_cli)
    [issue] = jira.issues()
    assert issue.status == TODO
    assert any("status stays" in m for m in summary["targets"]["ops"]["messages"])


def test_missing_screen_field_creates_without_it_and_says_why(jira, run_cli, make_config):
    make_config(
        jira_target(jira, project="PLAT", extra='fields = { customfield_10050 = "Platform" }')
        + '[routing]\ndefault = "ops"\n'
        + people(jira)
    )
    run_cli.ok("add", "Alert when failover takes > 5 min", "-p", "inc-1", "-o", "@alice", "-d", "2026-07-01")
    summary = sync(run_cli)
    assert summary["targets"]["ops"]["created"] == 1
    assert any("duedate" in m for m in summary["targets"]["ops"]["messages"])
    [issue] = jira.issues()
    assert issue.duedate is None and issue.custom.get("customfield_10050") is not None


def test_required_fields_not_configured_fail_check_and_sync(jira, run_cli, make_config):
    make_config(jira_target(jira, project="PLAT") + '[routing]\ndefault = "ops"\n' + people(jira))
    run_cli.ok("add", "Alert when failover takes > 5 min", "-p", "inc-1", "-o", "@alice")
    result = run_cli("check")
    assert result.exit_code == 1 and "customfield_10050" in result.stdout
    summary = sync(run_cli, code=1)
    assert "customfield_10050" in summary["targets"]["ops"]["stopped"] and not jira.issues()


def test_bulk_partial_failure_is_recorded_on_those_items_only(jira, run_cli, make_config):
    # A field template that overflows for one item: Jira refuses that element of the bulk request only.
    jira.configure_issue_type("OPS", "Task", optional=("customfield_10060",))
    extra = 'fields = { customfield_10060 = "Root cause: $title" }'
    make_config(jira_target(jira, extra=extra) + '[routing]\ndefault = "ops"\n' + people(jira))
    run_cli.ok("add", "Alert when failover takes > 5 min", "-p", "inc-1", "-o", "@alice")
    run_cli.ok("add", "x" * 300, "-p", "inc-1", "-o", "@alice")
    summary = sync(run_cli, code=1)
    ops = summary["targets"]["ops"]
    assert ops["created"] == 1 and ops["errors"] == 1
    rows = {r["title"][:5]: r for r in json.loads(run_cli.ok("list", "--format", "json").stdout)}
    assert rows["Alert"]["links"][0]["state"] == "linked"
    assert rows["xxxxx"]["links"][0]["state"] == "error"
