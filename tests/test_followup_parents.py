"""Parent issues per postmortem (opt-in) on GitHub and Jira, and Jira reminders, through the real CLI."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, select

from tracker.models import ParentLink
from tracker.sandbox.github import FakeGitHub
from tracker.sandbox.jira import FakeJira, IssueTypeSpec, ProjectSpec

REPO = "acme/platform"
TOKEN_ENV = "TRACKER_TEST_GH_TOKEN"
ISSUES = f"/api/v3/repos/{REPO}/issues"


def day(offset: int) -> str:
    return (date.today() + timedelta(days=offset)).isoformat()


GITHUB = """
[org]
timezone = "UTC"

[targets.gh]
kind = "github"
repo = "{repo}"
api_url = "{api}"
token_env = "{env}"
parent_issues = {parents}

[routing]
default = "gh"

[people."dana"]
github = "dana-w"
aliases = ["@dana"]

[sync]
confirm_first_push = false
"""


@pytest.fixture
def gh(monkeypatch):
    monkeypatch.setenv(TOKEN_ENV, "ghp_TESTtokenNEVERprinted0123456789abcd")
    fake = FakeGitHub()
    fake.add_repo(REPO, private=True, collaborators=["dana-w"])
    with fake:
        yield fake


def parents_of(gh: FakeGitHub) -> dict[str, list[str]]:
    """Parent title -> titles of its sub-issues."""
    store = gh.store
    return {
        issue.title: sorted(store.issues_by_id[i].title for i in issue.sub_issue_ids)
        for issue in gh.issues(REPO)
        if issue.title.startswith("Postmortem:")
    }


def test_github_parent_issue_per_postmortem_with_sub_issues(gh, run_cli, make_config, db_url):
    make_config(GITHUB.format(repo=REPO, api=gh.api_url, env=TOKEN_ENV, parents="false"))
    run_cli.ok("add", "Add slow-query alerting over 500 ms", "-p", "inc-1", "-o", "@dana", "-d", day(5))
    run_cli.ok("add", "Add an index on orders.customer_id", "-p", "inc-1", "-o", "@dana", "-d", day(5))
    run_cli.ok("add", "Alert on queue depth over 1000", "-p", "inc-2", "-o", "@dana", "-d", day(5))
    run_cli.ok("sync", "--yes")
    assert parents_of(gh) == {}  # opt-in
    make_config(GITHUB.format(repo=REPO, api=gh.api_url, env=TOKEN_ENV, parents="true"))
    gh.drop_next("POST", ISSUES, apply=True)  # the first parent is created but its answer is lost
    out = json.loads(run_cli.ok("sync", "--format", "json").stdout)
    notes = "\n".join(out["targets"]["gh"]["messages"])
    assert "recovered parent" in notes, notes
    assert parents_of(gh) == {
        "Postmortem: inc-1": ["Add an index on orders.customer_id", "Add slow-query alerting over 500 ms"],
        "Postmortem: inc-2": ["Alert on queue depth over 1000"],
    }
    # Idle: no new parent, no attach call.
    gh.reset_log()
    run_cli.ok("sync")
    assert gh.count("POST", f"/repos/{REPO}/issues") == 0
    assert len([i for i in gh.issues(REPO) if i.title.startswith("Postmortem:")]) == 2
    # A new item joins its postmortem's parent; a finished postmortem closes its parent.
    run_cli.ok("add", "Pre-build rollback artifacts in CI", "-p", "inc-1", "-o", "@dana", "-d", day(5))
    items = json.loads(run_cli.ok("list", "--format", "json").stdout)
    run_cli.ok("done", str(next(i["id"] for i in items if i["postmortem"] == "inc-2")))
    run_cli.ok("sync")
    assert len(parents_of(gh)["Postmortem: inc-1"]) == 3
    closed = {i.title: i.state for i in gh.issues(REPO) if i.title.startswith("Postmortem:")}
    assert closed == {"Postmortem: inc-1": "open", "Postmortem: inc-2": "closed"}
    engine = create_engine(db_url)
    with engine.connect() as c:
        rows = c.execute(select(ParentLink.state, ParentLink.closed)).all()
    engine.dispose()
    assert sorted(rows) == [("linked", False), ("linked", True)]
    # Forgotten parents (a lost or copied database) are found by their marker and adopted, never recreated.
    engine = create_engine(db_url)
    with engine.begin() as c:
        c.execute(ParentLink.__table__.delete())
    engine.dispose()
    out = json.loads(run_cli.ok("sync", "--format", "json").stdout)
    assert "adopted parent" in "\n".join(out["targets"]["gh"]["messages"])
    assert len([i for i in gh.issues(REPO) if i.title.startswith("Postmortem:")]) == 2


JIRA = """
[org]
timezone = "UTC"

[targets.ops]
kind = "jira"
url = "{url}"
flavor = "{flavor}"
project = "OPS"
email_env = "TRACKER_TEST_JIRA_EMAIL"
token_env = "TRACKER_TEST_JIRA_TOKEN"
parent_issues = true
epic_issue_type = "Epic"

[routing]
default = "ops"

[people."alice"]
jira = "{alice}"
aliases = ["@alice"]
team = "sre"
manager = "bob"

[people."bob"]
jira = "{bob}"
aliases = ["@bob"]

[teams.sre]
members = ["alice", "bob"]
default_assignee = "bob"

[sync]
confirm_first_push = false
"""


@pytest.mark.parametrize("flavor", ["cloud", "datacenter"])
def test_jira_epic_per_postmortem_and_reminders_with_mentions(flavor, monkeypatch, run_cli, make_config):
    project = ProjectSpec(
        "OPS",
        "Operations",
        "10000",
        [IssueTypeSpec("10001", "Task", "A task."), IssueTypeSpec("10002", "Epic", "An epic.", hierarchy=1)],
    )
    with FakeJira(flavor, projects=[project]) as fake:
        cloud = flavor == "cloud"
        monkeypatch.setenv("TRACKER_TEST_JIRA_EMAIL", fake.email)
        monkeypatch.setenv("TRACKER_TEST_JIRA_TOKEN", fake.api_token if cloud else fake.pat)
        users = fake.state.users_by_name
        alice = users["alice"].account_id if cloud else "alice"
        bob = users["bob"].account_id if cloud else "bob"
        make_config(JIRA.format(url=fake.url, flavor=flavor, alice=alice, bob=bob))
        run_cli.ok("add", "Add slow-query alerting over 500 ms", "-p", "inc-1", "-o", "@alice", "-d", day(1))
        run_cli.ok("add", "Add an index on orders.customer_id", "-p", "inc-1", "-o", "@alice", "-d", day(-15))
        run_cli.ok("sync", "--yes")
        issues = {i.summary: i for i in fake.state.issues.values()}
        epic = issues["Postmortem: inc-1"]
        assert fake.state.issue_type_of(epic).name == "Epic"
        children = [i for i in issues.values() if i.parent == epic.id]
        assert len(children) == 2
        run_cli.ok("sync")
        assert len(fake.state.issues) == 3  # no second epic
        result = run_cli("remind", "--format", "json")
        assert result.exit_code == 0, result.stdout + result.stderr
        sent = {s["kind"]: s for s in json.loads(result.stdout)["targets"]["ops"]["sent"]}
        assert set(sent) == {"approaching", "escalation"}
        mention = f"[~accountid:{alice}]" if cloud else "[~alice]"
        boss = f"[~accountid:{bob}]" if cloud else "[~bob]"
        soon = issues["Add slow-query alerting over 500 ms"].comments
        late = issues["Add an index on orders.customer_id"].comments
        assert len(soon) == 1 and mention in soon[0].body and "tracker-reminder-" in soon[0].body
        assert len(late) == 1 and boss in late[0].body
        again = json.loads(run_cli.ok("remind", "--format", "json").stdout)
        assert again["targets"]["ops"]["sent"] == [] and len(soon) == 1 and len(late) == 1
