"""Helpers for the operations tests: configs for both fakes, a subprocess CLI, and remote invariants."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select

from tracker.clock import Clock
from tracker.models import Link
from tracker.sandbox.github import FakeGitHub
from tracker.sandbox.jira import FakeJira

REPO = "acme/platform"
GH_TOKEN = "ghp_OPSsecretTOKENneverSHOWN0123456789ab"
GH_ENV = "TRACKER_OPS_GH_TOKEN"
JIRA_TOKEN = "jira-OPS-secret-TOKEN-never-shown-42"
JIRA_EMAIL = "ops-secret-bot@example.com"
JIRA_TOKEN_ENV = "TRACKER_OPS_JIRA_TOKEN"
JIRA_EMAIL_ENV = "TRACKER_OPS_JIRA_EMAIL"
TRACKER = str(Path(sys.executable).with_name("tracker"))
MARKER = re.compile(r"Marker: (tracker-[0-9a-f]+)")

FAST_SYNC = """
[sync]
confirm_first_push = false
max_creates = 1000
verify_slice = 3
lease_seconds = 300
"""


def github_config(api_url: str, *, name: str = "gh", repo: str = REPO, extra_target: str = "", sync: str = FAST_SYNC) -> str:  # fmt: skip
    return f"""
[org]
timezone = "UTC"

[targets.{name}]
kind = "github"
repo = "{repo}"
api_url = "{api_url}"
token_env = "{GH_ENV}"
creates_per_minute = 100000
creates_per_hour = 100000
{extra_target}

[routing]
default = "{name}"

[people."dana"]
github = "dana-w"
jira = "alice"
aliases = ["@dana"]
{sync}
"""


def jira_config(fake: FakeJira, *, extra_target: str = "", sync: str = FAST_SYNC) -> str:
    return f"""
[org]
timezone = "UTC"

[targets.ops]
kind = "jira"
url = "{fake.url}"
flavor = "{fake.flavor}"
project = "OPS"
email_env = "{JIRA_EMAIL_ENV}"
token_env = "{JIRA_TOKEN_ENV}"
{extra_target}

[routing]
default = "ops"

[people."dana"]
jira = "{"5b10a2844c20165700ede21a" if fake.flavor == "cloud" else "alice"}"
aliases = ["@dana"]
{sync}
"""


def start_github(monkeypatch: Any, **options: Any) -> FakeGitHub:
    """The fake GitHub with its content-creation limit lifted (200-item runs; pacing has its own tests)."""
    monkeypatch.setenv(GH_ENV, GH_TOKEN)
    options.setdefault("content_creation_per_minute", 100_000)
    options.setdefault("content_creation_per_hour", 100_000)
    fake = FakeGitHub(**options)
    fake.add_token(GH_TOKEN, "tracker-bot")
    fake.add_repo(REPO, private=True, collaborators=["dana-w", "tracker-bot"])
    return fake.start()


def start_jira(monkeypatch: Any, flavor: str = "cloud") -> FakeJira:
    monkeypatch.setenv(JIRA_TOKEN_ENV, JIRA_TOKEN)
    monkeypatch.setenv(JIRA_EMAIL_ENV, JIRA_EMAIL)
    from dataclasses import replace

    from tracker.sandbox.jira_model import default_users

    users = default_users()  # the bot signs in with a recognisable e-mail it never shows others
    users[0] = replace(users[0], email=JIRA_EMAIL, email_visible=False)
    fake = FakeJira(flavor, email=JIRA_EMAIL, api_token=JIRA_TOKEN, pat=JIRA_TOKEN, users=users)
    return fake.start()


def postmortem(slug: str, count: int, start: int = 0) -> str:
    """A postmortem document with `count` specific, owned, dated action items."""
    rows = "\n".join(
        f"| Add an alert when queue {n} depth exceeds {1000 + n} for 5 min | @dana | 2030-06-10 | Open |"
        for n in range(start, start + count)
    )
    return (
        f"---\nslug: {slug}\nincident_date: 2030-06-01\n---\n# Outage {slug}\n\n## Action Items\n\n"
        f"| Action Item | Owner | Deadline | Status |\n| --- | --- | --- | --- |\n{rows}\n"
    )


def write_items(folder: Path, count: int, slug: str = "inc-ops", start: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug}.md"
    path.write_text(postmortem(slug, count, start), encoding="utf-8")
    return path


def tracker(config: Path, *args: str, timeout: float = 120, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """The installed `tracker` as a separate process (what cron runs)."""
    return subprocess.run(
        [TRACKER, "--config", str(config), *args],
        cwd=config.parent,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def spawn(config: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [TRACKER, "--config", str(config), *args],
        cwd=config.parent,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(
    condition: Callable[[], bool],
    timeout: float = 60,
    what: str = "condition",
    process: subprocess.Popen[str] | None = None,
) -> None:
    """Poll until `condition()` holds (a state to reach, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            out, err = process.communicate()
            raise AssertionError(
                f"the process ended (exit {process.returncode}) before {what}:\n{out}\n{err}"
            )
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def sync_json(config: Path, *args: str, code: int | None = 0) -> dict[str, Any]:
    result = tracker(config, "sync", "--yes", "--format", "json", *args)
    if code is not None:
        assert result.returncode == code, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}


# Remote invariants ------------------------------------------------------------------------------------
def github_markers(fake: FakeGitHub, repo: str = REPO) -> Counter[str]:
    """How many live issues carry each marker: any count above 1 is a duplicate."""
    found: Counter[str] = Counter()
    for issue in fake.issues(repo):
        match = MARKER.search(issue.body or "")
        if match:
            found[match.group(1)] += 1
    return found


def jira_markers(fake: FakeJira) -> Counter[str]:
    found: Counter[str] = Counter()
    for issue in fake.issues():
        marker = (issue.properties.get("tracker.marker") or {}).get("marker")
        match = MARKER.search(json.dumps(issue.description))  # plain text or ADF
        if marker or match:
            found[marker or match.group(1)] += 1  # type: ignore[union-attr]
    return found


def link_rows(db_url: str) -> list[Link]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(select(Link)).all())
    finally:
        engine.dispose()


def age_creating(db_url: str, minutes: int = 10) -> int:
    """Make links left `creating` look older: the next run is "a few minutes later", past the
    quarantine that allows for a remote's search-index lag (60 s on GitHub, up to 300 s on Jira)."""
    from datetime import timedelta

    from sqlalchemy import update

    engine = create_engine(db_url)
    try:
        with engine.begin() as connection:
            rows = connection.execute(select(Link.id, Link.updated_at).where(Link.state == "creating")).all()
            for row in rows:
                stamp = row.updated_at - timedelta(minutes=minutes)
                connection.execute(update(Link).where(Link.id == row.id).values(updated_at=stamp))
        return len(rows)
    finally:
        engine.dispose()


class RecordingClock:
    """The clock a test gives the CLI (`run_cli.clock = clock.clock()`): each wait is recorded and moves
    its time forward instead of sleeping, so a test checks how long tracker would have waited."""

    def __init__(self) -> None:
        self.slept: list[float] = []
        self._ahead = 0.0

    def time(self) -> float:
        return time.time() + self._ahead

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self._ahead += seconds

    def clock(self) -> Clock:
        return Clock(time=self.time, sleep=self.sleep)


def writes(requests: list[Any]) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in requests if r.method not in ("GET", "HEAD")]


@contextmanager
def read_only_role(postgres_url: str, prefix: str = "ro") -> Iterator[str]:
    """A login role that may only read the test schema; yields its database URL, then drops it."""
    from sqlalchemy import text

    from tracker.db import make_engine

    role = f"{prefix}_{abs(hash(postgres_url)) % 10**8}"
    schema = postgres_url.split("search_path%3D", 1)[1].split("%20", 1)[0]  # options may follow
    engine = make_engine(postgres_url)
    with engine.begin() as c:
        c.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        c.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        c.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"'))
        c.execute(text(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"'))
    try:
        yield postgres_url.replace("postgres@", f"{role}@", 1)
    finally:
        with engine.begin() as c:
            c.execute(text(f'DROP OWNED BY "{role}"'))
            c.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        engine.dispose()
