"""Loopback fake GitHub REST server (`FakeGitHub`) for the demo and the tests."""

from __future__ import annotations

import argparse
import threading
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Any

from tracker.sandbox.github_controls import ServerControls
from tracker.sandbox.github_http import PREFIX, Engine, GitHubHTTPServer, RequestRecord
from tracker.sandbox.github_limits import Faults, RateLimiter
from tracker.sandbox.github_model import Issue, Token, parse_iso
from tracker.sandbox.github_people import PeopleActions
from tracker.sandbox.github_render import Renderer
from tracker.sandbox.github_store import Clock, Store

__all__ = ["FakeGitHub", "RequestRecord"]


class FakeGitHub(PeopleActions, ServerControls):
    """A stateful GitHub REST API on 127.0.0.1, served from a daemon thread under /api/v3.

    Setup and inspection live here; acting as a person in `PeopleActions`; clock, rate limits,
    failure injection and the request log in `ServerControls`.

    Unknown tokens act as `default_login` with push access unless `strict_auth`; requests without
    a token are anonymous (read-only, 60 requests per window). `record_responses` keeps each
    response body in the request log (tests validate them against the OpenAPI description).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock_skew: timedelta = timedelta(0),
        strict_auth: bool = False,
        default_login: str = "tracker-bot",
        tokens: Mapping[str, str] | None = None,
        rate_limit: int = 5000,
        rate_limit_window: float = 3600.0,
        search_rate_limit: int = 30,
        content_creation_per_minute: int = 80,
        content_creation_per_hour: int = 500,
        primary_limit_status: int = 403,
        secondary_limit_status: int = 403,
        record_responses: bool = False,
    ) -> None:
        self._host, self._requested_port = host, port
        self.clock = Clock(clock_skew)
        self.store = Store(self.clock)
        self.limiter = RateLimiter(
            self.clock,
            core_limit=rate_limit,
            search_limit=search_rate_limit,
            window=rate_limit_window,
            search_window=60.0,
            creations_per_minute=content_creation_per_minute,
            creations_per_hour=content_creation_per_hour,
        )
        self.faults = Faults()
        self.engine = Engine(
            self.store,
            self.limiter,
            self.faults,
            strict_auth=strict_auth,
            default_login=default_login,
            primary_limit_status=primary_limit_status,
            secondary_limit_status=secondary_limit_status,
            record_responses=record_responses,
        )
        self.default_login = default_login
        self.store.ensure_user(default_login)
        for token, login in (tokens or {}).items():
            self.add_token(token, login)
        self._server: GitHubHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None

    # Lifecycle ----------------------------------------------------------------------------------
    def start(self) -> FakeGitHub:
        if self._server is not None:
            return self
        self._server = GitHubHTTPServer((self._host, self._requested_port), self.engine)
        self._port = int(self._server.server_address[1])
        self.engine.render = Renderer(self.store, self.api_url, self.url)
        self.engine.stopping.clear()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True, name="fake-github"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self.engine.stopping.set()  # wakes handlers sleeping in an injected timeout
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound port (still known after stop(), so logs can be checked afterwards)."""
        if self._port is None:
            raise RuntimeError("FakeGitHub was never started; call start() first")
        return self._port

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}{PREFIX}"

    # Setup --------------------------------------------------------------------------------------
    def add_token(self, token: str, login: str | None = None, *, push: bool = True) -> None:
        """Register a credential; `push=False` makes it read-only on every repository."""
        with self.store.lock:
            user = self.store.ensure_user(login or self.default_login)
            self.store.tokens[token] = Token(token, user.login, push)

    def add_app(self, app_id: str, public_key: str, installations: dict[int, str]) -> None:
        """Register a GitHub App (PEM public key) and its installations (id -> the bot's login)."""
        from tracker.sandbox.github_apps import App

        with self.store.lock:
            self.store.apps[str(app_id)] = App(str(app_id), public_key, dict(installations))
            for login in installations.values():
                self.store.ensure_user(login)

    def add_issue_field(self, org: str, field_id: int, name: str, data_type: str = "date") -> None:
        """An organisation issue field (e.g. a "Due date" date field) that issues in its repos can carry."""
        with self.store.lock:
            self.store.issue_fields.setdefault(org.lower(), {})[field_id] = (name, data_type)

    def add_user(
        self, login: str, *, name: str | None = None, email: str | None = None, type: str = "User"
    ) -> None:
        with self.store.lock:
            user = self.store.ensure_user(login, type, name)
            user.email = email if email is not None else user.email

    def add_org(self, login: str, *, name: str | None = None) -> None:
        with self.store.lock:
            self.store.add_org(login, name)

    def add_team(
        self,
        org: str,
        slug: str,
        *,
        name: str | None = None,
        members: Iterable[str] = (),
        maintainers: Iterable[str] = (),
    ) -> None:
        with self.store.lock:
            self.store.add_team(org, slug, name, members, maintainers)

    def add_repo(
        self,
        full_name: str,
        *,
        private: bool = False,
        has_issues: bool = True,
        collaborators: Iterable[str] = (),
        description: str | None = None,
    ) -> int:
        """Create a repository; returns its id. Collaborators are the assignable users."""
        with self.store.lock:
            return self.store.add_repo(
                full_name,
                private=private,
                has_issues=has_issues,
                collaborators=collaborators,
                description=description,
            ).id

    def add_collaborator(self, full_name: str, login: str) -> None:
        with self.store.lock:
            repo = self._repo(full_name)
            self.store.ensure_user(login)
            if all(c.lower() != login.lower() for c in repo.collaborators):
                repo.collaborators.append(login)

    def set_permission(self, full_name: str, login: str, permission: str) -> None:
        """Override a user's access to one repository: "push", "read" or "none"."""
        if permission not in ("push", "read", "none"):
            raise ValueError(f"permission must be push, read or none, not {permission!r}")
        with self.store.lock:
            self._repo(full_name).permissions[login.lower()] = permission

    def add_label(
        self, full_name: str, name: str, color: str = "ededed", description: str | None = None
    ) -> None:
        with self.store.lock:
            self.store.create_label(self._repo(full_name), name, color, description)

    def add_milestone(
        self,
        full_name: str,
        title: str,
        *,
        due_on: datetime | date | None = None,
        state: str = "open",
        description: str | None = None,
    ) -> int:
        due = parse_iso(due_on.isoformat()) if due_on is not None else None
        with self.store.lock:
            repo = self._repo(full_name)
            return self.store.create_milestone(
                repo, title, repo.owner, state=state, description=description, due_on=due
            ).number

    def create_issue(
        self,
        full_name: str,
        title: str,
        body: str | None = None,
        *,
        user: str | None = None,
        labels: Iterable[str] = (),
        assignees: Iterable[str] = (),
        milestone: int | None = None,
    ) -> int:
        """Create an issue as a person would (no validation, no rate limits); returns its number."""
        with self.store.lock:
            return self.store.create_issue(
                self._repo(full_name),
                title,
                body,
                user or "mona",
                labels=labels,
                assignees=assignees,
                milestone=milestone,
            ).number

    # Inspection ---------------------------------------------------------------------------------
    def issue(self, full_name: str, number: int) -> Issue:
        """A copy of the stored issue (tombstones included: see `deleted` and `moved_to`)."""
        with self.store.lock:
            return self._issue(full_name, number, live=False).snapshot()

    def issues(self, full_name: str) -> list[Issue]:
        """Copies of the live issues of a repository, by number."""
        with self.store.lock:
            repo = self._repo(full_name)
            return [i.snapshot() for _, i in sorted(repo.issues.items()) if i.live]

    def issue_json(self, full_name: str, number: int) -> dict[str, Any]:
        """The issue as the API renders it."""
        with self.store.lock:
            assert self.engine.render is not None, "start() the server first"
            return self.engine.render.issue(self._issue(full_name, number))

    def repo_id(self, full_name: str) -> int:
        with self.store.lock:
            return self._repo(full_name).id


def main(argv: list[str] | None = None) -> None:
    """Run the fake standalone for manual tries: `python -m tracker.sandbox.github --port 8765`."""
    parser = argparse.ArgumentParser(prog="python -m tracker.sandbox.github", description=main.__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--repo", action="append", default=[], help="owner/name to create (repeatable)")
    parser.add_argument("--collaborator", action="append", default=[], help="assignable login (repeatable)")
    parser.add_argument("--token", action="append", default=[], help="token to accept in strict mode")
    args = parser.parse_args(argv)
    fake = FakeGitHub(
        host=args.host,
        port=args.port,
        strict_auth=bool(args.token),
        tokens=dict.fromkeys(args.token, "tracker-bot"),
    )
    for full_name in args.repo or ["octo-org/demo"]:
        fake.add_repo(full_name, collaborators=args.collaborator)
    fake.start()
    print(fake.api_url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
