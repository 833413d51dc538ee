"""In-memory state of the fake GitHub: lookups, permissions and every mutation, under one lock."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from tracker.sandbox.github_model import (
    Comment,
    Issue,
    IssueEvent,
    Label,
    Milestone,
    Org,
    Repo,
    Team,
    Token,
    User,
)

# Distinct id ranges per kind make a mixed-up id (an issue id used as a number, a
# label id as an issue id) fail loudly in tests instead of hitting another object.
_ID_BASES = {
    "user": 1_000,
    "org": 9_000_000,
    "team": 100,
    "repo": 700_000_000,
    "issue": 2_000_000_000,
    "label": 5_000_000_000,
    "milestone": 8_000_000,
    "comment": 3_000_000_000,
    "event": 6_000_000_000,
}


class Clock:
    """Server clock: host time plus a configurable skew (which tests may move forward)."""

    def __init__(self, skew: timedelta = timedelta(0)) -> None:
        self.skew = skew
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self.skew

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self.skew += delta


class Store:
    """All fake-GitHub state. Callers hold `lock` around any read-modify-write sequence."""

    def __init__(self, clock: Clock) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.users: dict[str, User] = {}
        self.orgs: dict[str, Org] = {}
        self.teams: dict[tuple[str, str], Team] = {}
        self.repos: dict[str, Repo] = {}
        self.repos_by_id: dict[int, Repo] = {}
        self.issues_by_id: dict[int, Issue] = {}
        self.comments: dict[int, list[Comment]] = {}
        self.events: list[IssueEvent] = []  # oldest first; the feed serves them newest first
        self.tokens: dict[str, Token] = {}
        self.apps: dict[str, Any] = {}  # app id -> github_apps.App
        # Organisation issue fields: org login (lower) -> {field id: (name, data type)}
        self.issue_fields: dict[str, dict[int, tuple[str, str]]] = {}
        self._ids = {kind: itertools.count(base + 1) for kind, base in _ID_BASES.items()}

    def new_id(self, kind: str) -> int:
        return next(self._ids[kind])

    # People and organisations -------------------------------------------------------------
    def ensure_user(self, login: str, type_: str | None = None, name: str | None = None) -> User:
        user = self.users.get(login.lower())
        if user is None:
            kind = type_ or ("Bot" if login.endswith("[bot]") else "User")
            user = User(id=self.new_id("user"), login=login, type=kind, name=name)
            self.users[login.lower()] = user
        elif name is not None:
            user.name = name
        return user

    def user(self, login: str) -> User | None:
        return self.users.get(login.lower())

    def add_org(self, login: str, name: str | None = None) -> Org:
        org = self.orgs.get(login.lower())
        if org is None:
            org = Org(id=self.new_id("org"), login=login, name=name)
            self.orgs[login.lower()] = org
        return org

    def add_team(
        self, org: str, slug: str, name: str | None, members: Iterable[str], maintainers: Iterable[str]
    ) -> Team:
        self.add_org(org)
        team = Team(id=self.new_id("team"), org=org, slug=slug, name=name or slug)
        for login in members:
            self.ensure_user(login)
            team.members.append(login)
        for login in maintainers:
            self.ensure_user(login)
            team.maintainers.append(login)
        self.teams[(org.lower(), slug.lower())] = team
        return team

    def team(self, org: str, slug: str) -> Team | None:
        return self.teams.get((org.lower(), slug.lower()))

    # Repositories and permissions ---------------------------------------------------------
    def add_repo(
        self,
        full_name: str,
        *,
        private: bool = False,
        has_issues: bool = True,
        collaborators: Iterable[str] = (),
        description: str | None = None,
    ) -> Repo:
        owner, _, name = full_name.partition("/")
        if not owner or not name:
            raise ValueError(f"repository must be 'owner/name', got {full_name!r}")
        if owner.lower() not in self.orgs:
            self.ensure_user(owner)
        repo = Repo(
            id=self.new_id("repo"),
            owner=owner,
            name=name,
            private=private,
            has_issues=has_issues,
            description=description,
            created_at=self.clock.now(),
            updated_at=self.clock.now(),
            changed_at=self.clock.now(),
        )
        for login in collaborators:
            self.ensure_user(login)
            repo.collaborators.append(login)
        self.repos[full_name.lower()] = repo
        self.repos_by_id[repo.id] = repo
        return repo

    def repo(self, owner: str, name: str) -> Repo | None:
        return self.repos.get(f"{owner}/{name}".lower())

    def permission(self, repo: Repo, token: Token | None) -> str:
        """Effective access: "push", "read" or "none" (a private repo then answers 404)."""
        if token is None:
            return "none" if repo.private else "read"
        explicit = repo.permissions.get(token.login.lower())
        if explicit is not None:
            granted = explicit
        elif token.login.lower() == repo.owner.lower():
            granted = "push"
        else:
            granted = "push" if token.push else "read"
        if granted == "push" and not token.push:
            granted = "read"  # a read-only token caps whatever its user could do
        return granted

    def assignable(self, repo: Repo, login: str) -> bool:
        """Collaborators (and a user owner) can be assigned; bots, teams and strangers cannot."""
        if login.lower() == repo.owner.lower() and login.lower() not in self.orgs:
            return True
        if any(c.lower() == login.lower() for c in repo.collaborators):
            user = self.user(login)
            return user is not None and user.type == "User"
        return False

    # Labels and milestones -----------------------------------------------------------------
    def create_label(
        self, repo: Repo, name: str, color: str = "ededed", description: str | None = None
    ) -> Label:
        label = Label(id=self.new_id("label"), name=name, color=color.lstrip("#"), description=description)
        repo.labels[name.lower()] = label
        self.changed(repo)
        return label

    def get_or_create_label(self, repo: Repo, name: str) -> Label:
        return repo.label_by_name(name) or self.create_label(repo, name)

    def create_milestone(
        self,
        repo: Repo,
        title: str,
        creator: str,
        *,
        state: str = "open",
        description: str | None = None,
        due_on: datetime | None = None,
    ) -> Milestone:
        now = self.clock.now()
        ms = Milestone(
            id=self.new_id("milestone"),
            number=repo.next_milestone,
            title=title,
            creator=creator,
            created_at=now,
            updated_at=now,
            state=state,
            description=description,
            due_on=due_on,
            closed_at=now if state == "closed" else None,
        )
        repo.next_milestone += 1
        repo.milestones[ms.number] = ms
        self.changed(repo)
        return ms

    def milestone_counts(self, repo: Repo, number: int) -> tuple[int, int]:
        live = [i for i in repo.issues.values() if i.live and i.milestone == number]
        return (sum(i.state == "open" for i in live), sum(i.state == "closed" for i in live))

    # Issues ----------------------------------------------------------------------------------
    def create_issue(
        self,
        repo: Repo,
        title: str,
        body: str | None,
        user: str,
        *,
        labels: Iterable[str] = (),
        assignees: Iterable[str] = (),
        milestone: int | None = None,
    ) -> Issue:
        now = self.clock.now()
        self.ensure_user(user)
        issue = Issue(
            id=self.new_id("issue"),
            repo_id=repo.id,
            number=repo.next_number,
            title=title,
            body=body,
            user=user,
            created_at=now,
            updated_at=now,
            milestone=milestone,
        )
        repo.next_number += 1
        for name in labels:
            label = self.get_or_create_label(repo, name)
            if label.id not in issue.label_ids:
                issue.label_ids.append(label.id)
        for login in assignees:
            if all(a.lower() != login.lower() for a in issue.assignees):
                issue.assignees.append(self.ensure_user(login).login)
        repo.issues[issue.number] = issue
        self.issues_by_id[issue.id] = issue
        self.comments[issue.id] = []
        self.changed(repo)
        return issue

    def touch(self, issue: Issue) -> None:
        """Every change to an issue moves updated_at and the repository's change time."""
        issue.updated_at = self.clock.now()
        self.changed(self.repos_by_id[issue.repo_id])

    def changed(self, repo: Repo) -> None:
        repo.changed_at = self.clock.now()

    def close(self, issue: Issue, reason: str, actor: str) -> None:
        issue.state = "closed"
        issue.state_reason = reason
        issue.closed_at = self.clock.now()
        issue.closed_by = self.ensure_user(actor).login
        self.record_event(issue, "closed", issue.closed_by, at=issue.closed_at)

    def record_event(
        self, issue: Issue, event: str, actor: str, *, label: Label | None = None, at: datetime | None = None
    ) -> None:
        """Append to the repository's issue events feed (GET /repos/{o}/{r}/issues/events)."""
        self.events.append(
            IssueEvent(
                id=self.new_id("event"),
                repo_id=issue.repo_id,
                issue_id=issue.id,
                actor=self.ensure_user(actor).login,
                event=event,
                created_at=at or self.clock.now(),
                label=label.name if label else None,
                label_color=label.color if label else None,
            )
        )

    def reopen(self, issue: Issue, actor: str = "mona") -> None:
        self.record_event(issue, "reopened", actor)
        issue.state = "open"
        issue.state_reason = "reopened"
        issue.closed_at = None
        issue.closed_by = None

    def add_comment(self, issue: Issue, user: str, body: str) -> Comment:
        now = self.clock.now()
        self.ensure_user(user)
        comment = Comment(
            id=self.new_id("comment"), issue_id=issue.id, user=user, body=body, created_at=now, updated_at=now
        )
        self.comments.setdefault(issue.id, []).append(comment)
        issue.comments += 1
        self.touch(issue)
        return comment

    def transfer(self, issue: Issue, target: Repo) -> Issue:
        """Move an issue: a new id and number in `target`; the old number answers 301."""
        source = self.repos_by_id[issue.repo_id]
        names = [lab.name for lab in (source.label_by_id(i) for i in issue.label_ids) if lab]
        moved = self.create_issue(target, issue.title, issue.body, issue.user, labels=names)
        moved.assignees = [a for a in issue.assignees if self.assignable(target, a)]
        moved.created_at = issue.created_at
        moved.state, moved.state_reason = issue.state, issue.state_reason
        moved.closed_at, moved.closed_by = issue.closed_at, issue.closed_by
        self.comments[moved.id] = self.comments.pop(issue.id, [])
        moved.comments = issue.comments
        issue.moved_to = moved.id
        self.touch(moved)
        self.changed(source)
        return moved

    def delete(self, issue: Issue) -> None:
        issue.deleted = True
        self.changed(self.repos_by_id[issue.repo_id])

    def resolve_moved(self, issue: Issue) -> Issue:
        """Follow transfer tombstones to where the issue lives now."""
        while issue.moved_to is not None:
            issue = self.issues_by_id[issue.moved_to]
        return issue
