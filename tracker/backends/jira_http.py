"""HTTP to one Jira site through the jira library's session, under the shared policy (http_policy.py)."""

from __future__ import annotations

import email.utils
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from tracker import progress
from tracker.backends.base import PermanentError, RateLimited, TransientError
from tracker.backends.http_policy import (
    IDEMPOTENT,
    Attempts,
    RateGauge,
    Reserve,
    RetryPolicy,
    retry_after_seconds,
)
from tracker.config import JiraTarget
from tracker.errors import ConfigError

if TYPE_CHECKING:
    from jira import JIRA
    from requests import Response


@dataclass(frozen=True)
class JiraCredentials:
    """Cloud: e-mail and API token (Basic); Data Center: a personal access token (Bearer)."""

    token: str
    email: str | None = None

    def __repr__(self) -> str:  # never show the secret, even in a traceback's locals
        return f"JiraCredentials(email={self.email!r}, token=<hidden>)"


def jira_credentials(target: JiraTarget, env: Mapping[str, str] | None = None) -> JiraCredentials:
    """Read the secret (and the Cloud e-mail) from the environment variables the config names."""
    env = os.environ if env is None else env
    where = f"targets.{target.name}"
    token = env.get(target.token_env or "", "").strip() if target.token_env else ""
    if not token:
        kind = "an Atlassian API token" if target.flavor == "cloud" else "a personal access token"
        raise ConfigError(
            # Never echo the name: a token pasted into token_env would be printed to cron mail.
            f"[{where}] token_env: the environment variable it names is not set or empty",
            hint=f"export that variable with {kind} for {target.url}",
        )
    if target.flavor != "cloud":
        return JiraCredentials(token)
    email_addr = env.get(target.email_env or "", "").strip() if target.email_env else ""
    if not email_addr:
        raise ConfigError(
            f"[{where}] email_env: the environment variable it names is not set or empty",
            hint="Jira Cloud authenticates with the account's e-mail address and an API token",
        )
    return JiraCredentials(token, email_addr)


class Refused(PermanentError):
    """A 4xx answer, with Jira's per-field errors kept for callers that can act on them."""

    def __init__(
        self, message: str, status: int, field_errors: dict[str, str], hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.field_errors = field_errors


class NotFound(Refused):
    """404: the issue (or project) does not exist or is invisible to this account."""


class Uncertain(TransientError):
    """A write whose answer never arrived: it may have been applied."""


def _field_errors(response: Response | None) -> dict[str, str]:
    try:
        body = response.json() if response is not None else None
    except ValueError:
        return {}
    errors = body.get("errors") if isinstance(body, dict) else None
    return {str(k): str(v) for k, v in errors.items()} if isinstance(errors, dict) else {}


def _messages(response: Response | None) -> str:
    """Jira's errorMessages and per-field errors, as one line (never headers or request details)."""
    if response is None:
        return ""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200].strip()
    if not isinstance(body, dict):
        return ""
    parts = [str(m) for m in body.get("errorMessages") or []]
    errors = body.get("errors")
    if isinstance(errors, dict):
        parts += [f"{field}: {message}" for field, message in errors.items()]
    if body.get("message"):
        parts.append(str(body["message"]))
    return "; ".join(parts)


def retry_after(response: Response | None, now: datetime) -> float | None:
    """Retry-After as seconds, in either of its forms (integer seconds or an HTTP date)."""
    return retry_after_seconds(response.headers.get("Retry-After") if response is not None else None, now)


class JiraHttp:
    """Every request the backend makes, counted; the library's own retries are off (max_retries=0).

    Retries here, by the shared RetryPolicy: 429 for any method (the server refused it, so it was
    not applied), honouring Retry-After up to `max_wait` seconds; 5xx and dropped connections only
    for idempotent methods, with exponential backoff. A POST that gets no answer raises `Uncertain`.
    `rate` reads X-RateLimit-* from every answer and refuses to spend the configured reserve.
    """

    def __init__(
        self,
        target: JiraTarget,
        credentials: JiraCredentials,
        *,
        sleep: Callable[[float], None] = time.sleep,
        max_retries: int = 4,
        max_wait: float = 60.0,
        timeout: float = 30.0,
        reserve: Reserve | None = None,
    ) -> None:
        self.target = target
        self.api = "2" if target.flavor != "cloud" else target.api_version
        self._credentials = credentials
        self.sleep = sleep
        self.policy = RetryPolicy(attempts=max_retries + 1, backoff=1.0, max_backoff=30.0, max_wait=max_wait)
        self.timeout = timeout
        self.attempts = Attempts()
        self.rate = RateGauge("Jira", reserve)
        self.clock_offset: timedelta | None = None  # server clock minus ours, from the first Date header
        self._client: JIRA | None = None

    @property
    def client(self) -> JIRA:
        if self._client is None:
            from jira import JIRA

            auth: dict[str, Any]
            if self._credentials.email is not None:
                auth = {"basic_auth": (self._credentials.email, self._credentials.token)}
            else:
                auth = {"token_auth": self._credentials.token}
            # get_server_info=False: no serverInfo request at construction; max_retries=0: the
            # library never repeats a request (a repeated POST could duplicate up to 50 issues).
            self._client = JIRA(
                server=self.target.url.rstrip("/"),
                options={"rest_api_version": self.api, "check_update": False},
                get_server_info=False,
                max_retries=0,
                timeout=self.timeout,
                logging=False,
                **auth,
            )
        return self._client

    @property
    def requests(self) -> int:
        return self.attempts.total

    @property
    def max_retries(self) -> int:
        return self.policy.attempts - 1

    @property
    def max_wait(self) -> float:
        return self.policy.max_wait

    def url(self, path: str, version: str | None = None) -> str:
        base = self.target.url.rstrip("/")
        return f"{base}/rest/api/{version or self.api}/{path}"

    def server_now(self) -> datetime:
        return datetime.now(UTC) + (self.clock_offset or timedelta(0))

    def _note_date(self, response: Response) -> None:
        if self.clock_offset is not None:
            return
        try:
            when = email.utils.parsedate_to_datetime(response.headers.get("Date", ""))
        except (TypeError, ValueError):
            return
        if when.tzinfo is not None:
            self.clock_offset = when - datetime.now(UTC)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        version: str | None = None,
        ok_statuses: tuple[int, ...] = (),
    ) -> Response:
        """One logical request; returns the response for 2xx (or a status in `ok_statuses`)."""
        import requests as rq
        from jira import JIRAError

        method = method.upper()
        url = self.url(path, version)
        what = f"{method} {path}"
        attempt = 0
        while True:
            attempt += 1
            self.rate.check(what)  # raises ReserveReached instead of spending the reserve
            self.attempts.count()
            progress.request("Jira", what, attempt)
            response: rq.Response | None = None
            try:
                response = self.client._session.request(method, url, params=params, json=json)
            except JIRAError as exc:
                response = exc.response if isinstance(exc.response, rq.Response) else None
                status = exc.status_code or (response.status_code if response is not None else 0)
            except (rq.exceptions.InvalidURL, rq.exceptions.MissingSchema, rq.exceptions.InvalidSchema):
                raise Refused(f"{self.target.url} is not a usable Jira URL", 0, {}) from None
            except rq.RequestException:  # dropped connection, timeout, truncated answer
                if method not in IDEMPOTENT:
                    raise Uncertain(f"Jira did not answer {what} (it may have been applied)") from None
                if not self.policy.may_retry(attempt, idempotent=True):
                    raise TransientError(f"Jira did not answer {what} after {attempt} attempts") from None
                wait = self.policy.delay(attempt)
                progress.waiting(
                    what, wait, f"Jira did not answer (attempt {attempt} of {self.max_retries + 1})"
                )
                self.sleep(wait)
                continue
            else:
                self._note_date(response)
                self._observe(response)
                return response
            if response is not None:
                self._note_date(response)
                self._observe(response)
            if status in ok_statuses and response is not None:
                return response
            self._raise_or_wait(method, what, status, response, attempt)

    def _observe(self, response: Response) -> None:
        self.rate.observe({k.lower(): v for k, v in response.headers.items()}, self.server_now())

    def _raise_or_wait(
        self, method: str, what: str, status: int, response: Response | None, attempt: int
    ) -> None:
        detail = _messages(response)
        suffix = f": {detail}" if detail else ""
        if status == 429:
            wait = retry_after(response, datetime.now(UTC))
            wait = wait if wait is not None else min(10.0 * 2 ** (attempt - 1), self.max_wait)
            # A refused request was not applied: any method may be sent again (idempotent=True).
            if not self.policy.may_retry(attempt, idempotent=True) or not self.policy.honours(wait):
                reset = datetime.now(UTC) + timedelta(seconds=wait)
                raise RateLimited(
                    f"Jira rate limit on {what} (429, retry after {wait:.0f} s)", reset_at=reset
                )
            progress.waiting(what, wait, "Jira rate limit (429)")
            self.sleep(wait)
            return
        if status >= 500 or status == 0:
            if method not in IDEMPOTENT:
                raise Uncertain(f"Jira answered {status} to {what} (it may have been applied){suffix}")
            if not self.policy.may_retry(attempt, idempotent=True):
                raise TransientError(f"Jira answered {status} to {what} after {attempt} attempts{suffix}")
            wait = retry_after(response, datetime.now(UTC))
            wait = min(wait if wait is not None else self.policy.delay(attempt), self.max_wait)
            progress.waiting(what, wait, f"Jira answered {status or 'nothing'} (attempt {attempt})")
            self.sleep(wait)
            return
        if status == 401:
            env = (
                f"${self.target.email_env} and ${self.target.token_env}"
                if self.target.flavor == "cloud"
                else f"${self.target.token_env}"
            )
            raise Refused(
                f"Jira refused the credentials for {what} (401)",
                401,
                {},
                hint=f"check {env} for {self.target.url}",
            )
        if status == 404:
            raise NotFound(f"Jira has no {what.split(' ', 1)[1]} (404){suffix}", 404, _field_errors(response))
        raise Refused(f"Jira refused {what} ({status}){suffix}", status, _field_errors(response))

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params={k: v for k, v in params.items() if v is not None}).json()

    def close(self) -> None:
        if self._client is not None:
            self._client._session.close()
            self._client = None
