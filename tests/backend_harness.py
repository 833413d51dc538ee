"""Backends under test, a "person" acting on each remote, and the CLI tests' sandbox configs (GitHub, Jira)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from tracker.backends.base import IssueContext, IssueDraft
from tracker.backends.github import GitHubBackend
from tracker.backends.memory import MemoryBackend, MemoryIssue, MemoryRemote
from tracker.backends.pacing import CreateBudget
from tracker.config import GitHubTarget
from tracker.sandbox.github import FakeGitHub
from tracker.sandbox.jira import FakeJira

REPO = "octo-org/ops"
OTHER = "octo-org/archive"
TOKEN = "ghp_contractSECRETtoken0123456789"
TOKEN_ENV = "TRACKER_TEST_GH_TOKEN"
LABEL = "postmortem-action"
SKEW = timedelta(hours=3)  # the remote's clock runs 3 h ahead of ours
ASSIGNABLE = ("alice", "bob")
_markers = itertools.count(1)


class FakeClock:
    """Monotonic time that only moves when slept on: pacing and backoff without waiting."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds


def draft(
    title: str = "Add an alert on queue depth",
    *,
    assignee: str | None = "alice",
    due: date | None = date(2030, 5, 1),
    labels: tuple[str, ...] = ("postmortem",),
) -> IssueDraft:
    marker = f"tracker-{next(_markers):016x}"
    context = IssueContext("2030-04-01-db-outage", "Database outage", owner_text=assignee, item_id=1)
    return IssueDraft(
        marker=marker,
        title=title,
        context=context,
        intro="From the postmortem.",
        assignee=assignee,
        due=due,
        labels=labels,
    )


class MemoryPerson:
    """Acts on a MemoryRemote the way people act on GitHub or Jira."""

    faults = False

    def __init__(self, remote: MemoryRemote) -> None:
        self.remote = remote

    def now(self) -> datetime:
        return self.remote.now()

    def advance(self, seconds: float) -> None:
        self.remote.clock_offset += timedelta(seconds=seconds)

    def close(self, number: int, reason: str = "completed", *, bot: bool = False) -> None:
        self.remote.close(number, reason, by="stale[bot]" if bot else "mona", bot=bot)

    def reopen(self, number: int) -> None:
        self.remote.reopen(number)

    def reassign(self, number: int, login: str | None) -> None:
        self.remote.reassign(number, login)

    def add_label(self, number: int, name: str) -> None:
        issue = self.remote.by_number(number)
        issue.labels.add(name)
        self.remote.touch(issue)

    def labels(self, number: int) -> set[str]:
        return set(self.remote.by_number(number).labels)

    def delete(self, number: int) -> None:
        self.remote.delete(number)

    def transfer(self, number: int) -> None:
        old = self.remote.by_number(number)
        new = replace(
            old, id=next(self.remote._ids), number=next(self.remote._numbers), labels=set(old.labels)
        )
        self.remote.issues[new.id] = new
        old.moved_to = new.id

    def drop_next_create(self) -> None:
        self.remote.fail_creates.append("drop")

    def issue_count(self) -> int:
        return sum(1 for i in self.remote.issues.values() if not i.deleted and i.moved_to is None)

    def issue(self, number: int) -> MemoryIssue:
        return self.remote.by_number(number)


class GitHubPerson:
    """Acts on the fake GitHub (as "mona", or as the stale[bot] Bot account)."""

    faults = True

    def __init__(self, gh: FakeGitHub, clock: FakeClock) -> None:
        self.gh = gh
        self.clock = clock

    def now(self) -> datetime:
        return self.gh.now()

    def advance(self, seconds: float) -> None:
        self.gh.advance(seconds)

    def close(self, number: int, reason: str = "completed", *, bot: bool = False) -> None:
        self.gh.close_issue(REPO, number, reason, bot=bot)

    def reopen(self, number: int) -> None:
        self.gh.reopen_issue(REPO, number)

    def reassign(self, number: int, login: str | None) -> None:
        self.gh.reassign(REPO, number, [login] if login else [])

    def add_label(self, number: int, name: str) -> None:
        self.gh.add_issue_label(REPO, number, name)

    def labels(self, number: int) -> set[str]:
        return {label["name"] for label in self.gh.issue_json(REPO, number)["labels"]}

    def delete(self, number: int) -> None:
        self.gh.delete_issue(REPO, number)

    def transfer(self, number: int) -> None:
        self.gh.transfer_issue(REPO, number, OTHER)

    def drop_next_create(self) -> None:
        self.gh.drop_response_after_create(f"/repos/{REPO}/issues")

    def issue_count(self) -> int:
        return len(self.gh.issues(REPO))

    # Transport faults (remote backends only) ----------------------------------------------------------
    def fail_reads(self, times: int, status: int = 502) -> None:
        self.gh.fail_next("GET", f"/repos/{REPO}/issues/*", status=status, times=times)

    def exhaust_rate_limit(self, reset_in: float) -> datetime:
        bucket = self.gh.exhaust_rate_limit(reset_in=reset_in)
        return datetime.fromtimestamp(bucket.reset, UTC)


def github_target(gh: FakeGitHub, **overrides: object) -> GitHubTarget:
    values: dict[str, object] = {
        "name": "gh",
        "kind": "github",
        "repo": REPO,
        "api_url": gh.api_url,
        "token_env": TOKEN_ENV,
        "labels": ("postmortem",),
    }
    values.update(overrides)
    return GitHubTarget(**values)  # type: ignore[arg-type]


def github_backend(
    gh: FakeGitHub, clock: FakeClock, token: str = TOKEN, **overrides: object
) -> GitHubBackend:
    budget = CreateBudget(20, 400, clock=clock.now, sleep=clock.sleep)
    return GitHubBackend(github_target(gh, **overrides), token, sleep=clock.sleep, budget=budget)


@contextmanager
def fake_github(**kwargs: object) -> Iterator[FakeGitHub]:
    with FakeGitHub(clock_skew=SKEW, **kwargs) as gh:  # type: ignore[arg-type]
        gh.add_org("octo-org")
        gh.add_repo(REPO, private=True, collaborators=ASSIGNABLE)
        gh.add_repo(OTHER, private=True, collaborators=ASSIGNABLE)
        yield gh


@contextmanager
def memory_backend() -> Iterator[tuple[MemoryBackend, MemoryPerson]]:
    remote = MemoryRemote("memory", tracker_label=LABEL)
    remote.clock_offset = SKEW
    remote.assignable = set(ASSIGNABLE)
    backend = MemoryBackend("mem", remote)
    yield backend, MemoryPerson(remote)
    backend.close()


@contextmanager
def github_pair() -> Iterator[tuple[GitHubBackend, GitHubPerson]]:
    with fake_github() as gh:
        clock = FakeClock()
        backend = github_backend(gh, clock)
        try:
            yield backend, GitHubPerson(gh, clock)
        finally:
            backend.close()


# Configs for the CLI tests: one builder per kind of sandbox, each test file adding what it is about.
def github_config(
    api_url: str,
    *,
    repo: str,
    token_env: str,
    target: str = "",
    people: str = "",
    sync: str = "",
    after: str = "",
    paced: tuple[int, int] | None = (6000, 100000),
) -> str:
    """tracker.toml text: one GitHub target `gh` on the fake at `api_url`, routed to by default, no
    first-push question. `target` adds `[targets.gh]` lines, `people` tables ([people], [teams])
    before `[sync]`, `sync` lines to `[sync]`, `after` tables after it; `paced` is
    (creates_per_minute, creates_per_hour), fast so no test waits; None keeps the defaults."""
    pacing = f"creates_per_minute = {paced[0]}\ncreates_per_hour = {paced[1]}\n" if paced else ""
    return f"""
[org]
timezone = "UTC"

[targets.gh]
kind = "github"
repo = "{repo}"
api_url = "{api_url}"
token_env = "{token_env}"
{target}{pacing}
[routing]
default = "gh"
{people}
[sync]
confirm_first_push = false
{sync}
{after}"""


@contextmanager
def github_sandbox(
    monkeypatch: Any,
    repo: str,
    token_env: str,
    token: str,
    collaborators: tuple[str, ...] = (),
    **kwargs: Any,
) -> Iterator[FakeGitHub]:
    """A running fake GitHub with one private repository, its token in the environment."""
    monkeypatch.setenv(token_env, token)
    fake = FakeGitHub(**kwargs)
    fake.add_repo(repo, private=True, collaborators=collaborators)
    with fake:
        yield fake


JIRA_TOKEN_ENV = "T_JIRA_TOKEN"
JIRA_EMAIL_ENV = "T_JIRA_EMAIL"


def jira_target(fake: FakeJira, name: str = "ops", project: str = "OPS", extra: str = "") -> str:
    """A `[targets.NAME]` table for the fake Jira (Cloud signs in with an e-mail and an API token,
    Data Center with a personal access token); `extra` adds lines to it."""
    email = f'email_env = "{JIRA_EMAIL_ENV}"\n' if fake.flavor == "cloud" else ""
    return (
        f'[targets.{name}]\nkind = "jira"\nurl = "{fake.url}"\nflavor = "{fake.flavor}"\nproject = "{project}"\n'
        f'{email}token_env = "{JIRA_TOKEN_ENV}"\n{extra}\n'
    )


@contextmanager
def jira_sandbox(flavor: str, monkeypatch: Any, **kwargs: Any) -> Iterator[FakeJira]:
    """A running fake Jira of `flavor` (cloud, datacenter) in UTC, its credentials in the environment."""
    with FakeJira(flavor, time_zone="Etc/UTC", **kwargs) as fake:
        monkeypatch.setenv(JIRA_TOKEN_ENV, fake.api_token if fake.flavor == "cloud" else fake.pat)
        monkeypatch.setenv(JIRA_EMAIL_ENV, fake.email)
        yield fake


def documents_naming(workdir: Path, refs: list[tuple[str, str]], per_document: int = 50) -> list[Path]:
    """Postmortems whose action items name existing issues, `per_document` rows each: one row per
    (words, reference), titled "Fix the thing filed as <words>", its Issue column the reference."""
    paths = []
    for start in range(0, len(refs), per_document):
        rows = "\n".join(
            f"| Fix the thing filed as {words} | @dana | 2027-01-01 | {ref} |"
            for words, ref in refs[start : start + per_document]
        )
        path = workdir / f"pm-{start // per_document:03d}.md"
        path.write_text(
            f"# Outage {start // per_document}\n\n| Field | Value |\n| --- | --- |\n| Date | 2026-06-19 |\n\n"
            "## Action Items\n\n| Action Item | Owner | Deadline | Issue |\n| --- | --- | --- | --- |\n"
            f"{rows}\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def linked_count(db_url: str) -> int:
    """Links in state `linked`, read from the test database."""
    from sqlalchemy import create_engine, func, select

    from tracker.models import Link

    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(Link).where(Link.state == "linked")) or 0)
    finally:
        engine.dispose()
