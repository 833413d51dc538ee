"""The demo story: a sample postmortem, loopback GitHub and Jira sandboxes, and the commands a team runs."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracker.sandbox.github import FakeGitHub
    from tracker.sandbox.jira import FakeJira

GITHUB_REPO = "demo-corp/checkout"
JIRA_PROJECT = "OPS"
RAVI_ACCOUNT = "5b10a2844c20165700ede21e"
ENV = {
    "TRACKER_DEMO_GITHUB_TOKEN": "demo-github-token",
    "TRACKER_DEMO_JIRA_EMAIL": "bot@example.com",
    "TRACKER_DEMO_JIRA_TOKEN": "cloud-api-token",
}

DEMO_CONFIG = """\
# Demo configuration: a scratch SQLite database beside this file, and two loopback sandboxes.
[database]
path = "tracker.db"

[org]
name = "Demo Corp"
timezone = "UTC"

[targets.checkout]
kind = "github"
repo = "{repo}"
api_url = "{github}"
token_env = "TRACKER_DEMO_GITHUB_TOKEN"
labels = ["postmortem"]

[targets.infra]
kind = "jira"
url = "{jira}"
flavor = "cloud"
project = "{project}"
email_env = "TRACKER_DEMO_JIRA_EMAIL"
token_env = "TRACKER_DEMO_JIRA_TOKEN"

[routing]
default = "checkout"

[people."dana"]
name = "Dana Whitfield"
github = "dana-w"
aliases = ["@dana"]
team = "checkout"

[people."lee"]
name = "Lee Park"
github = "leepark"
aliases = ["@lee"]
team = "checkout"

[people."sam"]
name = "Sam Okafor"
github = "samo"
aliases = ["@sam"]
team = "checkout"

[people."ravi"]
name = "Ravi Shah"
jira = "{ravi}"
aliases = ["@ravi"]
team = "infra"

[teams.checkout]
members = ["dana", "lee", "sam"]
default_assignee = "dana"
aliases = ["@platform-eng", "checkout team"]
target = "checkout"

[teams.infra]
members = ["ravi"]
default_assignee = "ravi"
target = "infra"

[sync]
confirm_first_push = false

# The weekly digest also goes to a chat channel: here a loopback Slack webhook sink.
[notify.team-chat]
kind = "slack"
webhook_url_env = "TRACKER_DEMO_SLACK_WEBHOOK"
"""

Step = Callable[[str, list[str], Path], int]


def sample_postmortem(today: date) -> str:
    """The sample document, dated around `today` so its deadlines make sense whenever the demo runs."""
    text = (resources.files("tracker.sandbox") / "data" / "demo-postmortem.md").read_text(encoding="utf-8")
    incident = today - timedelta(days=9)
    dates = {
        "INCIDENT": incident,
        "REVIEW": incident + timedelta(days=14),
        "D0": incident + timedelta(days=2),
        "D1": today + timedelta(days=3),
        "D2": today + timedelta(days=10),
        "D3": today + timedelta(days=20),
    }
    for key, value in dates.items():
        text = text.replace("{{" + key + "}}", value.isoformat())
    return text


@contextmanager
def sandboxes() -> Iterator[tuple[FakeGitHub, FakeJira]]:
    """A fake GitHub and a fake Jira Cloud on loopback ports, with the demo's people."""
    from tracker.sandbox.github import FakeGitHub
    from tracker.sandbox.jira import FakeJira
    from tracker.sandbox.jira_model import JiraUser

    github = FakeGitHub()
    github.add_repo(GITHUB_REPO, private=True, collaborators=["dana-w", "leepark", "samo"])
    jira = FakeJira("cloud", time_zone="Etc/UTC")
    jira.add_user(JiraUser(RAVI_ACCOUNT, "ravi", "Ravi Shah", "ravi@example.com"))
    github.start()
    jira.start()
    saved = {key: os.environ.get(key) for key in ENV}
    os.environ.update(ENV)
    try:
        yield github, jira
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        github.stop()
        jira.stop()


def run_demo(workdir: Path, step: Step, today: date | None = None) -> None:
    """Play the story; every step is a real tracker command run in `workdir` against the sandboxes."""
    from tracker.cli import COMMANDS

    today = today or date.today()
    document = workdir / "postmortems" / "2026-checkout-cache.md"
    document.parent.mkdir(parents=True, exist_ok=True)
    document.write_text(sample_postmortem(today), encoding="utf-8")
    with sandboxes() as (github, jira):
        config = DEMO_CONFIG.format(
            repo=GITHUB_REPO,
            github=github.api_url,
            jira=jira.url,
            project=JIRA_PROJECT,
            ravi=RAVI_ACCOUNT,
        )
        (workdir / "tracker.toml").write_text(config, encoding="utf-8")
        step("create the database", ["init"], workdir)
        step("what will never get done? (no database needed)", ["lint", "postmortems/"], workdir)
        step("import the action items", ["import", "postmortems/"], workdir)
        step("push them out: GitHub for the checkout team, Jira for infra", ["sync"], workdir)
        _people_work(github, jira)
        step("pull status back (cron runs this)", ["sync"], workdir)
        step("where things stand", ["list"], workdir)
        if "report" in COMMANDS:
            step("before the follow-up review", ["report", "--postmortem", "inc-checkout-cache"], workdir)
        step("write status and links back into the document", ["render", "inc-checkout-cache"], workdir)
        _digest_to_chat(workdir, step)


def _digest_to_chat(workdir: Path, step: Step) -> None:
    """The weekly digest sent to a Slack webhook; the sink is local, so the demo shows what arrived."""
    from tracker.output import echo
    from tracker.sandbox.chat import FakeChat

    sink = FakeChat().start()
    os.environ["TRACKER_DEMO_SLACK_WEBHOOK"] = sink.slack_webhook_url("T0DEMO/B0DEMO/team-chat")
    try:
        step(
            "the weekly digest, sent to the team's Slack channel",
            ["digest", "--notify", "team-chat"],
            workdir,
        )
        for payload in sink.messages():
            sections = [
                b["text"]["text"].splitlines()[0] for b in payload["blocks"] if b["type"] == "section"
            ]
            echo(f"# the local Slack sink at {sink.url} received: {payload['text']!r}")
            echo("#   " + " | ".join(s.strip("*") for s in sections[1:]))
    finally:
        os.environ.pop("TRACKER_DEMO_SLACK_WEBHOOK", None)
        sink.stop()


def _people_work(github: FakeGitHub, jira: FakeJira) -> None:
    """What people do between two syncs: close two issues, reassign one, finish the Jira one."""
    from tracker.output import echo

    issues = github.issues(GITHUB_REPO)
    by_title = {issue.title: issue.number for issue in issues}
    echo("\n# meanwhile, people work in GitHub and Jira:")
    for title, number in by_title.items():
        if title.startswith("Alert when cart-cache"):
            github.close_issue(GITHUB_REPO, number, "completed", actor="dana-w")
            echo(f"#   dana-w closes {GITHUB_REPO}#{number} as completed")
        elif title.startswith("Add a load test"):
            github.reassign(GITHUB_REPO, number, ["leepark"])
            echo(f"#   {GITHUB_REPO}#{number} is reassigned to leepark")
        elif title == "Improve monitoring":
            github.close_issue(GITHUB_REPO, number, "not_planned", bot=True)
            echo(f"#   stale[bot] closes {GITHUB_REPO}#{number} as not planned")
    for issue in jira.issues():
        jira.person("ravi").transition(issue.key, "Done", resolution="Done")
        echo(f"#   ravi moves {issue.key} to Done in Jira")
