"""HTTP to GitHub through PyGithub's requester, under the shared policy (tracker/backends/http_policy.py)."""

from __future__ import annotations

import functools
import json
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from tracker import progress
from tracker.backends.base import PermanentError, RateLimited, TransientError
from tracker.backends.http_policy import (
    Attempts,
    RateGauge,
    Reserve,
    RetryPolicy,
    parse_reset,
    retry_after_seconds,
)

if TYPE_CHECKING:
    from github import Github

DEFAULT_TIMEOUT = 30.0
DEFAULT_ATTEMPTS = 4  # for idempotent calls: the first try and three retries
DEFAULT_BACKOFF = 0.5  # seconds before the first retry; doubles each time
DEFAULT_SECONDARY_WAIT = 60.0  # GitHub: without Retry-After, wait at least a minute
MAX_SECONDARY_WAIT = 120.0  # longer than this and the target stops with RateLimited instead


@dataclass(frozen=True)
class AppCredentials:
    """A GitHub App installation: the bot identity security teams prefer to a person's token."""

    app_id: str
    installation_id: int
    private_key: str  # PEM text, read from the configured file; never printed

    def __repr__(self) -> str:  # keep the key out of tracebacks and logs
        return f"AppCredentials(app_id={self.app_id!r}, installation_id={self.installation_id!r})"


@dataclass(frozen=True)
class Reply:
    """One HTTP answer: status, lower-cased headers and the parsed JSON body (None when empty)."""

    status: int
    headers: dict[str, str]
    data: Any

    @property
    def message(self) -> str:
        return str(self.data.get("message") or "") if isinstance(self.data, dict) else ""

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def server_time(self) -> datetime | None:
        """The server's clock from the `Date` header (never ours)."""
        text = self.headers.get("date")
        if not text:
            return None
        try:
            return parsedate_to_datetime(text).astimezone(UTC)
        except (TypeError, ValueError):
            return None


class GitHubTransport:
    """Owns the PyGithub clients (one per concurrent caller) and maps answers to our errors.

    urllib3 never retries (so no POST is ever re-sent and every attempt goes through here and is
    counted); the shared `RetryPolicy` decides: idempotent calls are retried on 5xx, timeouts and
    dropped connections with bounded exponential backoff; rate limits become `RateLimited` at once
    (primary) or after one bounded wait (secondary, with Retry-After); 401 becomes a
    `PermanentError` naming the credential's source. `rate` (a RateGauge) reads the budget from every
    answer and refuses to spend the configured reserve.
    """

    def __init__(
        self,
        api_url: str,
        credentials: str | AppCredentials,
        *,
        credential_source: str,
        timeout: float = DEFAULT_TIMEOUT,
        attempts: int = DEFAULT_ATTEMPTS,
        backoff: float = DEFAULT_BACKOFF,
        max_secondary_wait: float = MAX_SECONDARY_WAIT,
        sleep: Callable[[float], None] = time.sleep,
        reserve: Reserve | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self._credentials = credentials
        self.credential_source = credential_source  # "$GITHUB_TOKEN" or "the GitHub App 123": safe to print
        self.timeout = timeout
        self.policy = RetryPolicy(attempts=max(1, attempts), backoff=backoff, max_wait=max_secondary_wait)
        self.sleep = sleep
        self.attempts = Attempts()
        self.rate = RateGauge("GitHub", reserve)
        self._pool_lock = threading.Lock()
        self._idle: list[Github] = []
        self._all: list[Github] = []

    # Counting -------------------------------------------------------------------------------------
    @property
    def requests(self) -> int:
        return self.attempts.total

    # Clients ----------------------------------------------------------------------------------------
    def _auth(self) -> Any:
        from github import Auth

        if isinstance(self._credentials, AppCredentials):
            app_id: int | str = (
                int(self._credentials.app_id)
                if self._credentials.app_id.isdigit()
                else self._credentials.app_id
            )
            return Auth.AppAuth(app_id, self._credentials.private_key).get_installation_auth(
                self._credentials.installation_id
            )
        return Auth.Token(self._credentials)

    def _build(self) -> Github:
        from github import Github

        quiet_pygithub_logging()

        # No urllib3 retries at all: a POST is never re-sent behind our back. urllib3 asks the Retry
        # object `is_retry` once for every answer it receives (PyGithub's 301 follow included), which
        # is where each request on the wire is counted: a public hook, no private attribute.
        no_retry = counting_retry(
            self.attempts,
            total=0,
            connect=0,
            read=0,
            redirect=0,
            status=0,
            other=0,
            status_forcelist=frozenset(),
            raise_on_status=False,
            respect_retry_after_header=False,
        )
        client = Github(
            base_url=self.api_url,
            auth=self._auth(),
            timeout=max(1, math.ceil(self.timeout)),  # PyGithub asserts an int
            retry=no_retry,
            per_page=100,
            seconds_between_requests=0,
            seconds_between_writes=0,  # creates and labels are paced by CreateBudget, per credential
        )
        return client

    @contextmanager
    def client(self) -> Iterator[Github]:
        """A client for this thread's call: PyGithub connections hold per-request state."""
        with self._pool_lock:
            client = self._idle.pop() if self._idle else None
        if client is None:
            client = self._build()
            with self._pool_lock:
                self._all.append(client)
        try:
            yield client
        finally:
            with self._pool_lock:
                self._idle.append(client)

    def close(self) -> None:
        with self._pool_lock:
            clients, self._all, self._idle = self._all, [], []
        for client in clients:
            client.close()

    # Secrets --------------------------------------------------------------------------------------------
    def safe(self, text: str) -> str:
        """Belt and braces: no message we build may carry the secret, whatever a library put in it."""
        secret = self._credentials if isinstance(self._credentials, str) else self._credentials.private_key
        if secret and secret in text:
            text = text.replace(secret, "***")
        return text

    # Requests ---------------------------------------------------------------------------------------------
    def request(
        self,
        verb: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        body: Any = None,
        idempotent: bool = True,
        what: str,
    ) -> Reply:
        """Send one logical request; returns any answer below 500 that is not a rate limit or a 401."""
        import requests
        from github import GithubException

        attempt = 0
        waited_secondary = False
        while True:
            attempt += 1
            self.rate.check(what)  # raises ReserveReached instead of spending the reserve
            progress.request("GitHub", what, attempt)
            try:
                with self.client() as client:
                    status, raw_headers, text = client.requester.requestJson(
                        verb, url, parameters=params, headers=dict(headers or {}), input=body
                    )
            except GithubException as exc:  # only raised by App auth, fetching its installation token
                detail = exc.data.get("message") if isinstance(exc.data, dict) else None
                raise PermanentError(
                    self.safe(
                        f"{what}: could not authenticate as {self.credential_source}: {exc.status} {detail or ''}"
                    ),
                    hint="check the App id, the installation id and the private key, and that the App is installed",
                ) from None
            except requests.exceptions.RequestException as exc:
                self.attempts.count()  # sent, but no answer reached urllib3's Retry hook
                reason = "timed out" if isinstance(exc, requests.exceptions.Timeout) else "connection failed"
                if self.policy.may_retry(attempt, idempotent=idempotent):
                    self._backoff(attempt, what, f"GitHub {reason}")
                    continue
                raise TransientError(
                    self.safe(f"{what}: {reason} ({type(exc).__name__}) after {attempt} attempt(s)"),
                    hint="GitHub or the network is unwell; the next run retries",
                ) from None
            reply = Reply(status, {k.lower(): v for k, v in raw_headers.items()}, _parse(text))
            self.rate.observe(reply.headers, reply.server_time)
            if status >= 500:
                if self.policy.may_retry(attempt, idempotent=idempotent):
                    self._backoff(attempt, what, f"GitHub answered {status}")
                    continue
                raise TransientError(
                    self.safe(
                        f"{what}: GitHub answered {status} {reply.message}".rstrip()
                        + f" after {attempt} attempt(s)"
                    ),
                    hint="GitHub is unwell; the next run retries",
                )
            if status in (403, 429):
                limit = self._rate_limit(reply)
                if limit is not None:
                    kind, wait, reset_at = limit
                    if kind == "secondary" and not waited_secondary and self.policy.honours(wait):
                        # A 403/429 for a secondary limit was not applied: sending it again is safe.
                        progress.waiting(what, wait, "GitHub secondary rate limit")
                        self.sleep(wait)
                        waited_secondary = True
                        continue
                    raise RateLimited(
                        self.safe(f"{what}: GitHub {kind} rate limit exceeded: {reply.message}"), reset_at
                    )
            if status == 401:
                raise PermanentError(
                    self.safe(f"{what}: GitHub rejected the credentials (401 {reply.message})"),
                    hint=f"check the credential in {self.credential_source}: it is missing, expired or revoked",
                )
            return reply

    def _backoff(self, attempt: int, what: str, reason: str) -> None:
        wait = self.policy.delay(attempt)
        progress.waiting(what, wait, f"{reason} (attempt {attempt} of {self.policy.attempts})")
        self.sleep(wait)

    @staticmethod
    def _rate_limit(reply: Reply) -> tuple[str, float, datetime | None] | None:
        """("primary" | "secondary", seconds to wait, reset time) when the answer is a rate limit."""
        from github.Requester import Requester

        message = reply.message
        remaining = reply.headers.get("x-ratelimit-remaining")
        retry_after = reply.headers.get("retry-after")
        reset = parse_reset(reply.headers.get("x-ratelimit-reset"))
        if retry_after is not None or Requester.isSecondaryRateLimitError(message):
            now = reply.server_time or datetime.now(UTC)
            seconds = retry_after_seconds(retry_after, now)
            wait = seconds if seconds is not None else DEFAULT_SECONDARY_WAIT
            return "secondary", wait, now + timedelta(seconds=wait)
        if remaining == "0" or Requester.isPrimaryRateLimitError(message):
            return "primary", 0.0, reset
        if reply.status == 429:
            now = reply.server_time or datetime.now(UTC)
            return "secondary", DEFAULT_SECONDARY_WAIT, now + timedelta(seconds=DEFAULT_SECONDARY_WAIT)
        return None

    # Errors -------------------------------------------------------------------------------------------------
    def error(self, reply: Reply, what: str) -> PermanentError:
        """The refusal GitHub gave, as a PermanentError carrying its message and field errors."""
        detail = reply.message or f"HTTP {reply.status}"
        errors = field_errors(reply)
        if errors:
            detail += ": " + "; ".join(errors)
        hint = None
        if reply.status in (403, 404):
            hint = (
                f"check that the credential in {self.credential_source} can see and write to the repository"
            )
        return PermanentError(self.safe(f"{what}: GitHub answered {reply.status}: {detail}"), hint=hint)


def field_errors(reply: Reply) -> list[str]:
    """GitHub's validation errors as short texts: "assignees invalid (value ['ghost'])"."""
    errors = reply.data.get("errors") if isinstance(reply.data, dict) else None
    texts: list[str] = []
    for error in errors or []:
        if not isinstance(error, dict):
            texts.append(str(error))
            continue
        text = " ".join(str(error[k]) for k in ("field", "code") if error.get(k))
        if error.get("message"):
            text += f": {error['message']}"
        if "value" in error:
            text += f" (value {error['value']!r})"
        texts.append(text or json.dumps(error))
    return texts


def _parse(text: str) -> Any:
    if not text or not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return {"message": text[:200]}


@functools.cache
def _counting_retry_class() -> type[Any]:
    """A urllib3 Retry that counts each answer urllib3 receives (it asks `is_retry` once per answer)."""
    from urllib3.util.retry import Retry

    class CountingRetry(Retry):
        counter: Attempts | None = None

        def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
            if self.counter is not None:
                self.counter.count()
            return bool(super().is_retry(method, status_code, has_retry_after))

        def new(self, **kw: Any) -> CountingRetry:
            copy = super().new(**kw)
            copy.counter = self.counter
            return copy

    return CountingRetry


def counting_retry(counter: Attempts, **kwargs: Any) -> Any:
    """urllib3 `Retry(**kwargs)` that counts every answer into `counter`."""
    retry = _counting_retry_class()(**kwargs)
    retry.counter = counter
    return retry


def quiet_pygithub_logging() -> None:
    """Undo what importing PyGithub does to logging: it sets the `github` logger to INFO with its own
    stderr handler, so a transferred issue's "Following Github server redirection" reached cron mail
    twice (once per handler). The CLI's -v/-q decide instead: PyGithub speaks only at -vv."""
    import logging

    logger = logging.getLogger("github")
    for handler in list(logger.handlers):
        if type(handler) is logging.StreamHandler:
            logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET if logging.getLogger().isEnabledFor(logging.DEBUG) else logging.WARNING)
