"""`tracker remind` and `tracker digest` through the real CLI against the fake GitHub: idempotent reminders."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from ops_support import wait_for
from sqlalchemy import create_engine, select, text

from tracker.models import Reminder, utcnow
from tracker.sandbox.github import FakeGitHub

REPO = "acme/platform"
TOKEN = "ghp_TESTtokenNEVERprinted0123456789abcd"
TOKEN_ENV = "TRACKER_TEST_GH_TOKEN"
COMMENTS = f"/api/v3/repos/{REPO}/issues/*/comments"


def config_text(api_url: str, extra: str = "") -> str:
    return f"""
[org]
timezone = "UTC"

[targets.gh]
kind = "github"
repo = "{REPO}"
api_url = "{api_url}"
token_env = "{TOKEN_ENV}"

[routing]
default = "gh"

[people."dana"]
github = "dana-w"
aliases = ["@dana"]
team = "platform"
manager = "lee"

[people."lee"]
github = "leepark"
aliases = ["@lee"]

[teams.platform]
members = ["dana", "lee"]
default_assignee = "lee"
aliases = ["@platform-eng"]

[sync]
confirm_first_push = false

[remind]
before_days = 2
every_days = 7
escalate_after_days = 14
digest_issue = "gh#1"
{extra}
"""


@pytest.fixture
def gh(monkeypatch):
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    fake = FakeGitHub()
    fake.add_repo(REPO, private=True, collaborators=["dana-w", "leepark"])
    with fake:
        yield fake


@pytest.fixture
def env(gh, run_cli, make_config):
    path = make_config(config_text(gh.api_url))

    def remind(*args: str, code: int = 0) -> dict:
        result = run_cli("remind", "--format", "json", *args)
        assert result.exit_code == code, f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}"
        return json.loads(result.stdout)

    return run_cli, remind, path


def day(offset: int) -> str:
    return (date.today() + timedelta(days=offset)).isoformat()


def comments(gh: FakeGitHub) -> dict[int, list[str]]:
    """Issue number -> comment bodies."""
    out: dict[int, list[str]] = {}
    for issue in gh.issues(REPO):
        bodies = [c.body for c in gh.store.comments.get(issue.id, [])]
        if bodies:
            out[issue.number] = bodies
    return out


def numbers(gh: FakeGitHub) -> dict[str, int]:
    return {issue.title: issue.number for issue in gh.issues(REPO)}


def seed(cli) -> None:
    cli.ok("add", "Add slow-query alerting over 500 ms", "-p", "inc-1", "-o", "@dana", "-d", day(1))
    cli.ok("add", "Add an index on orders.customer_id", "-p", "inc-1", "-o", "@dana", "-d", day(-3))
    cli.ok("add", "Pre-build rollback artifacts in CI", "-p", "inc-1", "-o", "@dana", "-d", day(-20))
    cli.ok("add", "Move risky deploys before 10 AM", "-p", "inc-1", "-o", "@dana", "-d", day(30))
    cli.ok("sync", "--yes")


def test_reminders_mention_escalate_and_never_repeat(env, gh, db_url):
    cli, remind, _ = env
    seed(cli)
    planned = remind("--dry-run")
    kinds = sorted(p["kind"] for p in planned["targets"]["gh"]["planned"])
    assert kinds == ["approaching", "escalation", "overdue"] and comments(gh) == {}
    summary = remind()
    sent = {s["kind"]: s for s in summary["targets"]["gh"]["sent"]}
    assert set(sent) == {"approaching", "overdue", "escalation"} and summary["ok"]
    found = comments(gh)
    n = numbers(gh)
    assert "@dana-w" in found[n["Add slow-query alerting over 500 ms"]][0]
    assert "due in 1 day" in found[n["Add slow-query alerting over 500 ms"]][0]
    assert "overdue by 3 days" in found[n["Add an index on orders.customer_id"]][0]
    escalation = found[n["Pre-build rollback artifacts in CI"]]
    assert len(escalation) == 1 and "Escalation" in escalation[0] and "@leepark" in escalation[0]
    assert "<!-- tracker-reminder-" in escalation[0]
    assert n["Move risky deploys before 10 AM"] not in found
    # Reruns post nothing more: every reminder (and the overdue round the escalation covered) is recorded.
    for _ in range(2):
        again = remind()
        assert again["targets"]["gh"]["sent"] == [] and again["ok"]
    assert comments(gh) == found
    engine = create_engine(db_url)
    with engine.connect() as c:
        rows = c.execute(select(Reminder.kind, Reminder.state)).all()
    engine.dispose()
    assert sorted(rows) == sorted(
        [("approaching", "sent"), ("overdue", "sent"), ("escalation", "sent"), ("overdue", "sent")]
    )
    # A moved deadline is a new commitment: it gets its own reminders.
    item = json.loads(cli.ok("list", "--format", "json").stdout)[1]
    cli.ok("edit", str(item["id"]), "--deadline", day(2))
    cli.ok("sync")
    assert [s["kind"] for s in remind()["targets"]["gh"]["sent"]] == ["approaching"]


def test_lost_answer_and_killed_run_never_post_twice(env, gh, workdir, db_url):
    cli, remind, path = env
    cli.ok("add", "Add an index on orders.customer_id", "-p", "inc-1", "-o", "@dana", "-d", day(-3))
    cli.ok("add", "Pre-build rollback artifacts in CI", "-p", "inc-1", "-o", "@dana", "-d", day(-4))
    cli.ok("sync", "--yes")
    # 1. The comment lands but its answer is lost: the row stays "sending"; the rerun finds the marker.
    gh.drop_next("POST", COMMENTS, apply=True)
    gh.drop_next("POST", COMMENTS, apply=False)  # the second one never reaches the issue
    first = remind()
    assert len(first["targets"]["gh"]["uncertain"]) == 2 and first["targets"]["gh"]["sent"] == []
    assert sum(len(v) for v in comments(gh).values()) == 1
    second = remind()
    resolved = second["targets"]["gh"]["resolved"]
    assert any("found the comment" in r for r in resolved) and any("posted nothing" in r for r in resolved)
    assert len(second["targets"]["gh"]["sent"]) == 1  # only the one that never arrived
    assert sorted(len(v) for v in comments(gh).values()) == [1, 1]
    # 2. A run killed while its comment is in flight: the next run resolves it, nothing is doubled.
    cli.ok("add", "Alert on queue depth over 1000", "-p", "inc-2", "-o", "@dana", "-d", day(-2))
    cli.ok("sync")
    gh.timeout_next("POST", COMMENTS, seconds=30, apply=True)
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("tracker")), "--config", str(path), "remind"],
        cwd=workdir,
        env={**os.environ},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # A state to reach, not a timing: on a loaded machine the process takes a while to start.
    wait_for(lambda: sum(len(v) for v in comments(gh).values()) == 3, 120, "the third comment", process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    gh.clear_faults()
    assert sum(len(v) for v in comments(gh).values()) == 3
    third = remind()
    assert any("found the comment" in r for r in third["targets"]["gh"]["resolved"])
    assert third["targets"]["gh"]["sent"] == [] and third["ok"]
    assert sorted(len(v) for v in comments(gh).values()) == [1, 1, 1]
    assert remind()["targets"]["gh"]["sent"] == []


def test_held_lease_exits_3(env, gh, db_url):
    cli, _remind, _ = env
    cli.ok("add", "Add an index on orders.customer_id", "-p", "inc-1", "-o", "@dana", "-d", day(-3))
    cli.ok("sync", "--yes")
    from tracker.db import session_factory
    from tracker.lock import acquire, release

    engine = create_engine(db_url)
    held = acquire(session_factory(engine), ["sync:gh"], "someone-else:1:abc", 300, None)
    try:
        result = cli("remind")
        assert result.exit_code == 3 and "sync:gh" in result.stdout + result.stderr
    finally:
        release(session_factory(engine), held)
        engine.dispose()
    assert comments(gh) == {}


def test_unassigned_items_escalate_and_digest_posts_once_a_week(env, gh, make_config, workdir, db_url):
    cli, remind, _ = env
    make_config(config_text(gh.api_url, "").replace("[remind]", "assignment_days = 2\n\n[remind]"))
    cli.ok("add", "Weekly digest home issue", "-p", "inc-0", "-o", "@dana", "-d", day(60))
    cli.ok("add", "Add slow-query alerting over 500 ms", "-p", "inc-1", "-o", "@platform-eng", "-d", day(9))
    cli.ok("add", "Add an index on orders.customer_id", "-p", "inc-1", "-o", "@dana", "-d", day(-3))
    cli.ok("sync", "--yes")
    assert remind()["unassigned"] == []  # imported today: not late yet
    engine = create_engine(db_url)
    with engine.begin() as c:  # the team-owned item was imported three days ago
        c.execute(
            text("UPDATE action_items SET created_at = :t WHERE id = 2"), {"t": utcnow() - timedelta(days=3)}
        )
    engine.dispose()
    summary = remind()
    [flag] = summary["unassigned"]
    assert flag["item_id"] == 2 and flag["escalate_to"] == "lee" and flag["days"] == 3
    sent = {s["kind"]: s for s in summary["targets"]["gh"]["sent"]}
    assert sent["unassigned"]["mentioned"] == ["@leepark"]
    assert remind()["targets"]["gh"]["sent"] == []
    text_out = cli.ok("digest").stdout
    assert "### Overdue (1)" in text_out and "Add an index on orders.customer_id" in text_out
    assert "### Without a person as owner (1)" in text_out and "escalated to lee" in text_out
    posted = cli.ok("digest", "--post").stdout
    assert "posted the digest" in posted
    assert "already posted" in cli.ok("digest", "--post").stdout
    digest_comments = [c for c in comments(gh).get(1, []) if "Postmortem action items: week" in c]
    assert len(digest_comments) == 1
    out = workdir / "digest.md"
    cli.ok("digest", "--output", str(out))
    assert out.read_text().startswith("## Postmortem action items: week")
