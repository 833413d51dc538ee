"""HTTP layer of the fake GitHub: auth, faults, rate limits, conditional requests, headers, log."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

from tracker.sandbox.github_api import DOCS, Context, HttpError, Request, Response, not_found
from tracker.sandbox.github_limits import (
    RATE_DOCS,
    SECONDARY_DOCS,
    SECONDARY_MESSAGE,
    Fault,
    Faults,
    RateLimiter,
)
from tracker.sandbox.github_model import Token, http_date, parse_http_date
from tracker.sandbox.github_render import Renderer
from tracker.sandbox.github_routes import CONTENT_CREATION, rate_limit, route
from tracker.sandbox.github_store import Store
from tracker.sandbox.server_base import LoopbackServer

PREFIX = "/api/v3"
_REPO_ALIAS = re.compile(r"^/repositories/(\d+)(/.*)?$")


class RequestRecord(NamedTuple):
    """One logged request. `status` is 0 when the connection was dropped without an answer."""

    method: str
    path: str  # without the /api/v3 prefix
    query: dict[str, str]
    status: int
    headers: dict[str, str]  # request headers, lower-cased, Authorization value masked
    body: Any
    login: str | None
    response_headers: dict[str, str]
    response_body: Any = None  # kept only when the fake records responses


class Engine:
    """Server-side logic shared by all handler threads."""

    def __init__(
        self,
        store: Store,
        limiter: RateLimiter,
        faults: Faults,
        *,
        strict_auth: bool,
        default_login: str,
        primary_limit_status: int,
        secondary_limit_status: int,
        record_responses: bool = False,
    ) -> None:
        self.store = store
        self.limiter = limiter
        self.faults = faults
        self.strict_auth = strict_auth
        self.default_login = default_login
        self.primary_limit_status = primary_limit_status
        self.secondary_limit_status = secondary_limit_status
        self.record_responses = record_responses
        self.render: Renderer | None = None
        self.log: list[RequestRecord] = []
        self.log_lock = threading.Lock()
        self.stopping = threading.Event()
        self.latency = 0.0  # seconds added to every request (benchmarks: a far-away server)

    def authenticate(self, headers: dict[str, str]) -> tuple[Token | None, bool]:
        """(token, bad_credentials). Unknown tokens act as the default user unless strict."""
        value = headers.get("authorization", "")
        scheme, _, secret = value.partition(" ")
        if scheme.lower() not in ("token", "bearer") or not secret.strip():
            return None, False
        token = self.store.tokens.get(secret.strip())
        if token is not None:
            return token, False
        if self.strict_auth:
            return None, True
        return Token(secret.strip(), self.default_login, push=True), False

    def process(
        self, method: str, path: str, query: list[tuple[str, str]], headers: dict[str, str], raw: bytes
    ) -> tuple[Response, str | None, Any]:
        """Answer one request; returns the response, the acting login and the parsed body."""
        assert self.render is not None
        token, bad = self.authenticate(headers)
        identity = f"user:{token.login.lower()}" if token else "anon:127.0.0.1"
        resource = "search" if path.startswith("/search/") else "core"
        body: Any = None
        with self.store.lock:
            bucket = self.limiter.bucket(identity, resource)
            if bad and not path.startswith("/app/"):  # Apps authenticate with a JWT instead
                return (
                    self._with_rate(
                        Response(401, HttpError(401, "Bad credentials").body()), identity, resource, False
                    ),
                    None,
                    None,
                )
            if path == "/rate_limit":  # free of charge, as on GitHub
                return (
                    self._with_rate(
                        rate_limit(
                            self._ctx(),
                            Request(method, path, query, headers, None, token),
                            self.limiter,
                            identity,
                        ),
                        identity,
                        resource,
                        False,
                    ),
                    token.login if token else None,
                    None,
                )
            if bucket.remaining == 0:
                return (
                    self._with_rate(self._primary_limited(token), identity, resource, False),
                    token.login if token else None,
                    None,
                )
            creates = method == "POST" and any(p.match(path) for p in CONTENT_CREATION)
            retry_after = self.limiter.creation_retry_after(identity) if creates else None
            if retry_after is not None:
                error = HttpError(self.secondary_limit_status, SECONDARY_MESSAGE, doc=SECONDARY_DOCS)
                response = Response(error.status, error.body(), {"Retry-After": str(retry_after)})
                return (
                    self._with_rate(response, identity, resource, True),
                    token.login if token else None,
                    None,
                )
            try:
                body = json.loads(raw) if raw.strip() else None
            except ValueError:
                error = HttpError(400, "Problems parsing JSON", doc=DOCS)
                return self._with_rate(Response(400, error.body()), identity, resource, True), None, None
            request = Request(method, path, query, headers, body, token)
            response = self._dispatch(request)
            if creates and response.status == 201:
                self.limiter.record_creation(identity)
            if method in ("GET", "HEAD") and response.status == 200:
                self._add_validators(response)
                if self._not_modified(response, headers):
                    not_modified = Response(
                        304,
                        None,
                        {k: v for k, v in response.headers.items() if k in ("ETag", "Last-Modified")},
                    )
                    return self._with_rate(not_modified, identity, resource, False), request.login, body
            return self._with_rate(response, identity, resource, True), request.login, body

    def _ctx(self) -> Context:
        assert self.render is not None
        return Context(self.store, self.render)

    def _dispatch(self, req: Request) -> Response:
        try:
            alias = _REPO_ALIAS.match(req.path)
            if alias:  # /repositories/{id}/... is how GitHub addresses moved things
                repo = self.store.repos_by_id.get(int(alias.group(1)))
                if repo is None:
                    raise not_found()
                req.path = f"/repos/{repo.full_name}{alias.group(2) or ''}"
            found = route("GET" if req.method == "HEAD" else req.method, req.path)
            if found is None:
                raise not_found()
            handler, params = found
            return handler(self._ctx(), req, **params)
        except HttpError as error:
            return Response(error.status, error.body(), dict(error.headers))

    def _primary_limited(self, token: Token | None) -> Response:
        if token is None:
            message = (
                "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated "
                "requests get a higher rate limit. Check out the documentation for more details.)"
            )
        else:
            user = self.store.ensure_user(token.login)
            message = (
                f"API rate limit exceeded for user ID {user.id}. If you reach out to GitHub Support "
                "for help, please include the request ID and timestamp."
            )
        error = HttpError(self.primary_limit_status, message, doc=RATE_DOCS)
        return Response(error.status, error.body())

    @staticmethod
    def _add_validators(response: Response) -> None:
        payload = (
            json.dumps(response.body, sort_keys=True).encode() + response.headers.get("Link", "").encode()
        )
        response.headers["ETag"] = f'"{hashlib.sha256(payload).hexdigest()[:40]}"'
        if response.last_modified is not None:
            response.headers["Last-Modified"] = http_date(response.last_modified)
        response.headers["Cache-Control"] = "private, max-age=60, s-maxage=60"

    @staticmethod
    def _not_modified(response: Response, headers: dict[str, str]) -> bool:
        if "if-none-match" in headers:  # takes precedence over If-Modified-Since (RFC 9110)
            wanted = {t.strip().removeprefix("W/") for t in headers["if-none-match"].split(",")}
            return "*" in wanted or response.headers["ETag"] in wanted
        since = parse_http_date(headers.get("if-modified-since", ""))
        if since is None or response.last_modified is None:
            return False
        return response.last_modified.replace(microsecond=0) <= since

    def _with_rate(self, response: Response, identity: str, resource: str, consume: bool) -> Response:
        bucket = (
            self.limiter.consume(identity, resource) if consume else self.limiter.bucket(identity, resource)
        )
        response.headers.update(
            {
                "X-RateLimit-Limit": str(bucket.limit),
                "X-RateLimit-Remaining": str(bucket.remaining),
                "X-RateLimit-Used": str(bucket.used),
                "X-RateLimit-Reset": str(bucket.reset),
                "X-RateLimit-Resource": resource,
            }
        )
        return response

    def rate_headers(self, headers: dict[str, str], path: str) -> dict[str, str]:
        """Current x-ratelimit-* values for the caller, without spending anything."""
        token, _ = self.authenticate(headers)
        identity = f"user:{token.login.lower()}" if token else "anon:127.0.0.1"
        resource = "search" if path.startswith("/search/") else "core"
        return self._with_rate(Response(0), identity, resource, False).headers

    def common_headers(self) -> dict[str, str]:
        return {
            "Date": http_date(self.store.clock.now()),
            "Server": "GitHub.com",
            "X-GitHub-Media-Type": "github.v3; format=json",
            "X-GitHub-Api-Version-Selected": "2022-11-28",
            "X-GitHub-Request-Id": uuid.uuid4().hex[:20].upper(),
            "Vary": "Accept, Authorization, Cookie, X-GitHub-OTP",
        }

    def record(self, record: RequestRecord) -> None:
        with self.log_lock:
            self.log.append(record)


class GitHubHTTPServer(LoopbackServer):
    def __init__(self, address: tuple[str, int], engine: Engine) -> None:
        self.engine = engine
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as PyGithub's pooled session expects
    server: GitHubHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        return  # the request log replaces stderr chatter

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = do_GET

    def _handle(self) -> None:
        engine = self.server.engine
        if engine.latency > 0:
            engine.stopping.wait(engine.latency)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        query = parse_qsl(split.query, keep_blank_values=True)
        headers = {k.lower(): v for k, v in self.headers.items()}
        method = self.command
        path = split.path.removeprefix(PREFIX) if split.path.startswith(PREFIX) else None
        logged = {k: (v.split(" ")[0] + " ***" if k == "authorization" else v) for k, v in headers.items()}
        token, _ = engine.authenticate(headers)
        login = token.login if token else None
        try:
            body_for_log: Any = json.loads(raw) if raw.strip() else None
        except ValueError:
            body_for_log = raw.decode(errors="replace")

        def log(status: int, response: Response | None) -> None:
            # Recorded before the bytes go out: a client that has its answer must find it logged.
            headers_out, payload = self._prepare(response) if response is not None else ({}, b"")
            kept = response.body if response is not None and engine.record_responses else None
            engine.record(
                RequestRecord(
                    method,
                    path or split.path,
                    dict(query),
                    status,
                    logged,
                    body_for_log,
                    login,
                    headers_out,
                    kept,
                )
            )
            if response is not None:
                self._write(response.status, headers_out, payload)

        if path is None:
            log(404, Response(404, not_found().body(), engine.rate_headers(headers, split.path)))
            return
        fault = engine.faults.take(method, path, split.query)
        if fault is not None and fault.kind == "delay":
            if fault.gather is not None:
                try:
                    fault.gather.wait(timeout=fault.delay)
                except threading.BrokenBarrierError:
                    pass  # the others never came: answer late, as a plain delay would
            else:
                engine.stopping.wait(fault.delay)  # a slow answer, then the request as usual
            fault = None
        if fault is not None and fault.apply:
            engine.process(method, path, query, headers, raw)
        if fault is not None:
            failure = self._fail(fault, engine.rate_headers(headers, path))
            log(failure.status if failure else 0, failure)
            return
        response, _, _ = engine.process(method, path, query, headers, raw)
        log(response.status, response)

    def _fail(self, fault: Fault, rate: dict[str, str]) -> Response | None:
        """The injected answer, or None when the connection is to be closed unanswered."""
        if fault.kind in ("timeout", "drop"):
            if fault.kind == "timeout":
                self.server.engine.stopping.wait(fault.delay)
            self.close_connection = True  # no answer at all: the client sees a dead connection
            return None
        body = fault.body
        if body is None:
            body = HttpError(fault.status, HTTPStatus(fault.status).phrase).body()
        return Response(fault.status, body, {**rate, **fault.headers})

    def _prepare(self, response: Response) -> tuple[dict[str, str], bytes]:
        headers = {**self.server.engine.common_headers(), **response.headers}
        payload = b""
        if response.status not in (204, 304) and response.body is not None:
            payload = json.dumps(response.body).encode()
            headers["Content-Type"] = "application/json; charset=utf-8"
        if response.status not in (204, 304):
            headers["Content-Length"] = str(len(payload))
        return headers, payload

    def _write(self, status: int, headers: dict[str, str], payload: bytes) -> None:
        self.send_response_only(status)  # send_response would add a second Date and Server
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if payload and self.command != "HEAD":
            self.wfile.write(payload)
