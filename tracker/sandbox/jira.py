"""Loopback fake Jira (Cloud or Data Center) for the demo and the tests: FakeJira and its command line."""

from __future__ import annotations

import argparse
import copy
import threading
from datetime import date, timedelta
from typing import Any

from tracker.sandbox.jira_http import Fault, JiraServer, LoggedRequest, RateLimit, ServerCore
from tracker.sandbox.jira_model import (
    RESOLUTIONS,
    FieldDef,
    Issue,
    IssueTypeSpec,
    JiraUser,
    ProjectSpec,
    default_fields,
    default_projects,
    default_users,
)
from tracker.sandbox.jira_state import JiraState

__all__ = ["FakeJira", "FieldDef", "IssueTypeSpec", "JiraPerson", "JiraUser", "ProjectSpec"]


class FakeJira:
    """A Jira REST server on 127.0.0.1 that the unmodified `jira` library can talk to.

    Cloud: Basic `email:api_token`, REST v2 and v3, /search/jql. Data Center: Bearer `pat` (or Basic
    `username:password`), REST v2 only, /search with startAt/total.
    """

    def __init__(
        self,
        flavor: str = "cloud",
        *,
        port: int = 0,
        email: str = "bot@example.com",
        api_token: str = "cloud-api-token",
        username: str = "tracker-bot",
        pat: str = "dc-personal-access-token",
        password: str | None = None,
        users: list[JiraUser] | None = None,
        projects: list[ProjectSpec] | None = None,
        fields: list[FieldDef] | None = None,
        time_zone: str | None = None,
        search_lag: float = 0.0,
        clock_skew: timedelta = timedelta(0),
        version: tuple[int, int, int] | None = None,
        context_path: str = "",
        rate_limit: int | None = None,
        rate_window: float = 60.0,
    ) -> None:
        if flavor not in ("cloud", "datacenter"):
            raise ValueError(f"flavor must be 'cloud' or 'datacenter', not {flavor!r}")
        self.flavor = flavor
        people = copy.deepcopy(users) if users is not None else default_users()
        if time_zone is not None:
            for person in people:
                if person.name == username or person.email == email:
                    person.time_zone = time_zone
        numbers = version or ((1001, 0, 0) if flavor == "cloud" else (9, 12, 15))
        self.state = JiraState(
            flavor,
            people,
            copy.deepcopy(projects) if projects is not None else default_projects(),
            list(fields) if fields is not None else default_fields(),
            clock_skew,
            search_lag,
            numbers,
        )
        self.core = ServerCore(
            state=self.state,
            context_path=context_path.rstrip("/"),
            cloud_credentials={email: api_token},
            bearer_tokens={pat: username},
            basic_passwords={username: password} if password else {},
        )
        if rate_limit is not None:
            self.set_rate_limit(rate_limit, rate_window)
        self._port = port
        self._server: JiraServer | None = None
        self._thread: threading.Thread | None = None
        self.email, self.api_token, self.username, self.pat = email, api_token, username, pat

    # ---- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeJira:
        if self._server is not None:
            return self
        self.core.stopping.clear()
        self._server = JiraServer(("127.0.0.1", self._port), self.core)
        self.core.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-jira", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self.core.stopping.set()  # wakes requests sleeping in an injected delay
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server, self._thread = None, None

    def __enter__(self) -> FakeJira:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Server URL to hand to `JIRA(server=...)`, including any context path."""
        if self._server is None:
            raise RuntimeError("FakeJira is not started")
        return self.core.base

    @property
    def port(self) -> int:
        return self.core.port

    # ---- clock and consistency ---------------------------------------------------------------
    @property
    def clock_skew(self) -> timedelta:
        return self.state.clock_skew

    @clock_skew.setter
    def clock_skew(self, value: timedelta) -> None:
        self.state.clock_skew = value

    def advance(self, delta: timedelta) -> None:
        """Move the server clock forward (e.g. past the search index lag)."""
        self.state.clock_skew += delta

    @property
    def search_lag(self) -> float:
        return self.state.search_lag

    @search_lag.setter
    def search_lag(self, seconds: float) -> None:
        self.state.search_lag = seconds

    # ---- request log -------------------------------------------------------------------------
    @property
    def requests(self) -> list[LoggedRequest]:
        with self.state.lock:
            return list(self.core.log)

    def count(self, method: str | None = None, path_prefix: str | None = None) -> int:
        """Requests received (including failed, rate-limited and dropped ones) matching both filters."""
        return sum(
            1
            for r in self.requests
            if (method is None or r.method == method.upper())
            and (path_prefix is None or r.path.startswith(self.core.context_path + path_prefix))
        )

    def reset_log(self) -> None:
        with self.state.lock:
            self.core.log.clear()

    # ---- faults and limits -------------------------------------------------------------------
    def fail_next(
        self,
        method: str | None,
        path_pattern: str,
        status: int,
        times: int = 1,
        retry_after: int | None = None,
    ) -> None:
        """Answer the next `times` matching requests (glob on the path) with `status`, unprocessed."""
        self._fault(Fault(method, path_pattern, times, status=status, retry_after=retry_after))

    def drop_next(self, method: str | None, path_pattern: str, times: int = 1) -> None:
        """Close the connection of the next matching requests without processing or answering them."""
        self._fault(Fault(method, path_pattern, times, drop=True))

    def delay_next(self, method: str | None, path_pattern: str, seconds: float, times: int = 1) -> None:
        """Sleep before handling the next matching requests, so a client timeout fires first."""
        self._fault(Fault(method, path_pattern, times, delay=seconds))

    def drop_response_after_bulk(self, times: int = 1) -> None:
        """The next bulk creates ARE applied (those that validate), then the connection closes."""
        pattern = self.core.context_path + "/rest/api/*/issue/bulk"
        self._fault(Fault("POST", pattern, times, drop=True, after_write=True))

    def clear_faults(self) -> None:
        with self.state.lock:
            self.core.faults.clear()

    def _fault(self, fault: Fault) -> None:
        if fault.method:
            fault.method = fault.method.upper()
        with self.state.lock:
            self.core.faults.append(fault)

    def set_rate_limit(self, limit: int | None, window: float = 60.0, retry_after: int | None = None) -> None:
        """Allow `limit` requests per `window` seconds, then 429 with Retry-After; None switches it off."""
        with self.state.lock:
            self.core.rate_limit = RateLimit(limit, window, retry_after) if limit is not None else None

    # ---- configuration and inspection --------------------------------------------------------
    def configure_issue_type(
        self,
        project: str,
        issue_type: str,
        *,
        required: tuple[str, ...] | None = None,
        hidden: tuple[str, ...] | None = None,
        optional: tuple[str, ...] | None = None,
    ) -> None:
        """Change what the create/edit screen of a project's issue type requires or lacks."""
        with self.state.lock:
            spec = self.state.projects[project].issue_type(issue_type)
            if spec is None:
                raise KeyError(f"{project} has no issue type {issue_type}")
            spec.required = required if required is not None else spec.required
            spec.hidden = hidden if hidden is not None else spec.hidden
            spec.optional = optional if optional is not None else spec.optional

    def add_user(self, user: JiraUser) -> None:
        with self.state.lock:
            user.key = user.key or f"JIRAUSER{10000 + len(self.state.users_by_name)}"
            self.state.users_by_name[user.name] = user
            self.state.users_by_account[user.account_id] = user

    def user(self, name: str) -> JiraUser:
        return self.state.users_by_name[name]

    def issue(self, id_or_key: str | int) -> Issue:
        """A snapshot of an issue's server-side state (KeyError-like ApiError 404 when absent)."""
        with self.state.lock:
            return copy.deepcopy(self.state.issue(id_or_key))

    def issues(self) -> list[Issue]:
        with self.state.lock:
            return [copy.deepcopy(i) for i in self.state.issues.values()]

    def seed_issue(
        self,
        project: str = "OPS",
        summary: str = "Seeded issue",
        *,
        issue_type: str = "Task",
        by: str = "alice",
        properties: dict[str, Any] | None = None,
        **fields: Any,
    ) -> Issue:
        """Create an issue directly (not through HTTP and not logged), as a person in the web UI (or, with
        entity `properties`, another app) would."""
        body: dict[str, Any] = {
            "fields": {"project": {"key": project}, "issuetype": {"name": issue_type}, "summary": summary},
            "properties": [{"key": k, "value": v} for k, v in (properties or {}).items()],
        }
        body["fields"].update(fields)
        with self.state.lock:
            spec = self.state.projects[project].issue_type(issue_type)
            assert spec is not None
            saved = (spec.required, spec.hidden)
            # People in the UI are not bound by the API screen configuration being tested.
            spec.required, spec.hidden = (), ()
            try:
                issue = self.state.create_issue(body, "2", self.state.users_by_name[by])
            finally:
                spec.required, spec.hidden = saved
            return copy.deepcopy(issue)

    def person(self, name: str = "alice") -> JiraPerson:
        """Act on issues as someone working in Jira's UI; every action bumps `updated`."""
        return JiraPerson(self, self.state.users_by_name[name])


class JiraPerson:
    """Changes made by a person (not through the tested client): transitions, edits, moves, deletes."""

    def __init__(self, fake: FakeJira, user: JiraUser) -> None:
        self.fake, self.state, self.user = fake, fake.state, user

    def _edit(self, ref: str | int, fn: Any) -> Issue:
        with self.state.lock:
            issue = self.state.issue(ref)
            fn(issue)
            self.state.touch(issue)
            return copy.deepcopy(issue)

    def transition(self, ref: str | int, status: str, resolution: str | None = None) -> Issue:
        """Put the issue in any status (workflow rules do not bind an admin); done needs a resolution."""
        workflow = self.state.projects[self.state.issue(ref).project].workflow
        target = workflow.status(status)
        if target is None:
            raise KeyError(f"no status {status}")
        res_id = None
        if target.category == "done":
            wanted = resolution or "Done"
            res_id = next(r["id"] for r in RESOLUTIONS if wanted in (r["name"], r["id"]))
        return self._edit(ref, lambda i: self.state._enter_status(i, target.id, res_id))

    def reassign(self, ref: str | int, name: str | None) -> Issue:
        return self._edit(ref, lambda i: setattr(i, "assignee", name))

    def set_due_date(self, ref: str | int, due: date | str | None) -> Issue:
        value = due.isoformat() if isinstance(due, date) else due
        return self._edit(ref, lambda i: setattr(i, "duedate", value))

    def edit_summary(self, ref: str | int, summary: str) -> Issue:
        return self._edit(ref, lambda i: setattr(i, "summary", summary))

    def add_label(self, ref: str | int, label: str) -> Issue:
        return self._edit(ref, lambda i: i.labels.append(label) if label not in i.labels else None)

    def remove_label(self, ref: str | int, label: str) -> Issue:
        return self._edit(ref, lambda i: i.labels.remove(label) if label in i.labels else None)

    def comment(self, ref: str | int, body: str) -> Issue:
        return self._edit(ref, lambda i: self.state._comment(i, body, self.user))

    def move(self, ref: str | int, project: str, issue_type: str | None = None) -> Issue:
        """Move to another project: a new key, the same numeric id; the old key still resolves."""
        with self.state.lock:
            issue = self.state.issue(ref)
            self.state.move(issue, project, issue_type)
            return copy.deepcopy(issue)

    def delete(self, ref: str | int) -> None:
        self.state.delete(self.state.issue(ref))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tracker.sandbox.jira", description=FakeJira.__doc__)
    parser.add_argument("--flavor", choices=["cloud", "datacenter"], default="cloud")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--search-lag", type=float, default=0.0, help="seconds before writes show in search")
    args = parser.parse_args(argv)
    fake = FakeJira(args.flavor, port=args.port, search_lag=args.search_lag).start()
    auth = f"email {fake.email} / API token {fake.api_token}" if fake.flavor == "cloud" else f"PAT {fake.pat}"
    print(f"Fake Jira ({fake.flavor}) on {fake.url}  ({auth}); Ctrl-C stops it.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
