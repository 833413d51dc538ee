"""HTTP plumbing of the fake Jira: request parsing, auth, injected faults, rate limits and the request log."""

from __future__ import annotations

import base64
import email.utils
import fnmatch
import json
import math
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tracker.sandbox import jira_routes_meta, jira_routes_search  # noqa: F401  (they register routes)
from tracker.sandbox.jira_fields import ApiError
from tracker.sandbox.jira_model import JiraUser
from tracker.sandbox.jira_render import Renderer
from tracker.sandbox.jira_routes import ROUTES, Ctx, Resp
from tracker.sandbox.jira_state import JiraState
from tracker.sandbox.server_base import LoopbackServer

UNAUTHENTICATED = "You are not authenticated. Authentication required to perform this operation."


@dataclass
class Fault:
    """An injected misbehaviour for the next `remaining` requests that match method and path glob."""

    method: str | None
    pattern: str
    remaining: int
    status: int | None = None
    retry_after: int | None = None
    drop: bool = False
    delay: float = 0.0
    # Fire only once the request's write has been applied (a lost reply to a successful create).
    after_write: bool = False

    def matches(self, method: str, path: str, query: str = "") -> bool:
        # A pattern with a `?` also matches the query string (e.g. `*startAt=100*`: one page only).
        target = f"{path}?{query}" if "?" in self.pattern else path
        return (self.method in (None, "*", method)) and fnmatch.fnmatchcase(target, self.pattern)


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    status: int | None = None  # None when the connection was dropped without an answer
    response: Any = None


@dataclass
class RateLimit:
    """A fixed window of `limit` requests per `window` seconds (real time, not the skewed clock)."""

    limit: int
    window: float
    retry_after: int | None = None
    started: float = field(default_factory=time.monotonic)
    used: int = 0

    def take(self) -> int | None:
        """Count one request; None when allowed, else the seconds until the window resets."""
        now = time.monotonic()
        if now - self.started >= self.window:
            self.started, self.used = now, 0
        if self.used >= self.limit:
            return max(1, math.ceil(self.window - (now - self.started)))
        self.used += 1
        return None


@dataclass
class ServerCore:
    """What the request handler needs from the FakeJira that owns the server."""

    state: JiraState
    context_path: str
    cloud_credentials: dict[str, str]  # e-mail -> API token
    bearer_tokens: dict[str, str]  # PAT -> user name
    basic_passwords: dict[str, str]  # user name -> password (Data Center)
    faults: list[Fault] = field(default_factory=list)
    log: list[LoggedRequest] = field(default_factory=list)
    rate_limit: RateLimit | None = None
    stopping: threading.Event = field(default_factory=threading.Event)
    port: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.context_path}"

    def take_fault(self, method: str, path: str, after_write: bool, query: str = "") -> Fault | None:
        with self.state.lock:
            for fault in self.faults:
                if (
                    fault.remaining > 0
                    and fault.after_write == after_write
                    and fault.matches(method, path, query)
                ):
                    fault.remaining -= 1
                    return fault
        return None

    def authenticate(self, header: str | None) -> tuple[bool, JiraUser | None]:
        """(credentials acceptable, user); no header is acceptable and anonymous."""
        state = self.state
        if not header:
            return True, None
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "basic":
            try:
                login, _, secret = base64.b64decode(value).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return False, None
            if state.cloud and self.cloud_credentials.get(login) == secret:
                return True, next((u for u in state.users_by_name.values() if u.email == login), None)
            if not state.cloud and self.basic_passwords.get(login) == secret:
                return True, state.users_by_name.get(login)
        elif scheme.lower() == "bearer" and not state.cloud and value in self.bearer_tokens:
            return True, state.users_by_name.get(self.bearer_tokens[value])
        return False, None


class JiraHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without TCP_NODELAY each keep-alive reply waits ~40 ms.
    disable_nagle_algorithm = True
    server: JiraServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # tests assert on the request log, not stderr

    def date_time_string(self, timestamp: float | None = None) -> str:
        # The Date header follows the server's (possibly skewed) clock, as sync cursors read it.
        return email.utils.formatdate(self.server.core.state.now().timestamp(), usegmt=True)

    def do_GET(self) -> None:
        self.handle_any()

    def do_POST(self) -> None:
        self.handle_any()

    def do_PUT(self) -> None:
        self.handle_any()

    def handle_any(self) -> None:
        core = self.server.core
        latency = float(getattr(core, "latency", 0) or 0)
        if latency > 0:
            core.stopping.wait(latency)  # benchmarks: a far-away server
        split = urlsplit(self.path)
        path, query = split.path, parse_qs(split.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        entry = LoggedRequest(self.command, path, query, dict(self.headers.items()), None)
        with core.state.lock:
            core.log.append(entry)
        try:
            entry.body = json.loads(raw) if raw.strip() else None
        except ValueError:
            entry.body = raw.decode(errors="replace")
            return self.answer(
                entry, Resp(400, {"errorMessages": ["Unexpected character in the request body."]})
            )
        fault = core.take_fault(self.command, path, after_write=False, query=split.query)
        if fault is not None:
            if fault.delay:
                core.stopping.wait(fault.delay)
            if fault.drop:
                return self.drop()
            if fault.status is not None:
                headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
                return self.answer(
                    entry, Resp(fault.status, {"errorMessages": [self.reason(fault.status)]}, headers)
                )
        self.answer(entry, self.dispatch(core, entry, path))

    def dispatch(self, core: ServerCore, entry: LoggedRequest, path: str) -> Resp | None:
        state = core.state
        if not path.startswith(core.context_path + "/rest/api/"):
            return Resp(
                404, {"errorMessages": [f"null for uri: {core.base}{path[len(core.context_path) :]}"]}
            )
        version, _, rest = path[len(core.context_path) + len("/rest/api/") :].partition("/")
        version = "2" if version == "latest" else version
        ok, viewer = core.authenticate(self.headers.get("Authorization"))
        headers = {"X-AREQUESTID": uuid.uuid4().hex[:12]}
        if not ok or (viewer is None and rest != "serverInfo"):
            if not state.cloud:
                headers["X-Seraph-LoginReason"] = (
                    "AUTHENTICATED_FAILED" if not ok else "AUTHENTICATION_DENIED"
                )
            headers["WWW-Authenticate"] = 'Basic realm="protected-area"'
            return Resp(401, {"errorMessages": [UNAUTHENTICATED], "errors": {}}, headers)
        if core.rate_limit is not None:
            with state.lock:
                wait = core.rate_limit.take()
                headers.update(self.rate_headers(core, wait))
            if wait is not None:
                return Resp(429, {"errorMessages": ["Rate limit exceeded."]}, headers)
        if version not in ("2", "3") or (version == "3" and not state.cloud):
            return Resp(
                404, {"errorMessages": [f"null for uri: {core.base}{path[len(core.context_path) :]}"]}
            )
        render = Renderer(state, core.base, version, viewer)
        anonymous = JiraUser("", "anonymous", "Anonymous", "", time_zone="Etc/UTC")
        ctx = Ctx(state, self.command, entry.query, entry.body, version, viewer or anonymous, render)
        allowed = []
        for method, pattern, handler, flavor in ROUTES:
            match = pattern.match(rest)
            if match is None or flavor not in ("any", state.flavor):
                continue
            allowed.append(method)
            if method != self.command:
                continue
            try:
                resp = handler(ctx, match)
            except ApiError as e:
                resp = Resp(e.status, e.body)
            resp.headers = {**headers, **resp.headers}
            if viewer is not None:
                resp.headers["X-AACCOUNTID" if state.cloud else "X-AUSERNAME"] = (
                    viewer.account_id if state.cloud else viewer.name
                )
            if ctx.wrote and core.take_fault(self.command, path, after_write=True):
                return None
            return resp
        if allowed:
            return Resp(405, {"errorMessages": [f"Method {self.command} is not allowed here."]}, headers)
        return Resp(
            404, {"errorMessages": [f"null for uri: {core.base}{path[len(core.context_path) :]}"]}, headers
        )

    def rate_headers(self, core: ServerCore, wait: int | None) -> dict[str, str]:
        rl = core.rate_limit
        assert rl is not None
        reset = datetime.now(UTC) + timedelta(seconds=rl.window - (time.monotonic() - rl.started))
        headers = {
            "X-RateLimit-Limit": str(rl.limit),
            "X-RateLimit-Remaining": str(max(0, rl.limit - rl.used)),
        }
        if core.state.cloud:
            headers["X-RateLimit-Reset"] = reset.strftime("%Y-%m-%dT%H:%MZ")
            headers["X-RateLimit-NearLimit"] = (
                "true" if rl.limit - rl.used <= max(1, rl.limit // 5) else "false"
            )
        else:
            headers["X-RateLimit-Interval-Seconds"] = str(int(rl.window))
            headers["X-RateLimit-FillRate"] = str(rl.limit)
        if wait is not None:
            headers["Retry-After"] = str(rl.retry_after if rl.retry_after is not None else wait)
            if core.state.cloud:
                headers["RateLimit-Reason"] = "jira-burst-based"
        return headers

    @staticmethod
    def reason(status: int) -> str:
        return {
            429: "Rate limit exceeded.",
            500: "Internal server error",
            502: "Bad gateway",
            503: "Service Unavailable",
            504: "Gateway timeout",
        }.get(status, f"Injected failure {status}")

    def answer(self, entry: LoggedRequest, resp: Resp | None) -> None:
        if resp is None:
            return self.drop()
        entry.status, entry.response = resp.status, resp.body
        payload = b"" if resp.status == 204 or resp.body is None else json.dumps(resp.body).encode()
        self.send_response(resp.status)
        for name, value in resp.headers.items():
            self.send_header(name, value)
        if payload:
            self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def drop(self) -> None:
        """Close the connection with no answer at all, as a proxy or a crashed node would."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class JiraServer(LoopbackServer):
    def __init__(self, address: tuple[str, int], core: ServerCore) -> None:
        self.core = core
        super().__init__(address, JiraHandler)
