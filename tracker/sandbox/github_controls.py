"""Test controls of the fake GitHub: its clock, rate limits, injected failures and request log."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from tracker.sandbox.github_http import PREFIX, Engine, RequestRecord
from tracker.sandbox.github_limits import (
    SECONDARY_DOCS,
    SECONDARY_MESSAGE,
    Bucket,
    Fault,
    Faults,
    RateLimiter,
)
from tracker.sandbox.github_store import Clock, Store


class ServerControls:
    """Knobs for tests: all thread-safe, usable while PyGithub talks to the server."""

    store: Store
    clock: Clock
    limiter: RateLimiter
    faults: Faults
    engine: Engine
    default_login: str

    # Clock ----------------------------------------------------------------------------------------
    def now(self) -> datetime:
        """The server's current time (host clock plus skew)."""
        return self.clock.now()

    @property
    def clock_skew(self) -> timedelta:
        return self.clock.skew

    @clock_skew.setter
    def clock_skew(self, value: timedelta) -> None:
        self.clock.skew = value

    def advance(self, delta: timedelta | float) -> None:
        """Move the server clock forward (rate-limit windows) without sleeping."""
        self.clock.advance(delta if isinstance(delta, timedelta) else timedelta(seconds=delta))

    # Rate limits ----------------------------------------------------------------------------------
    def set_rate_limit(
        self,
        login: str | None = None,
        *,
        limit: int | None = None,
        remaining: int | None = None,
        reset_in: float | None = None,
        resource: str = "core",
    ) -> Bucket:
        """Adjust a user's bucket (default: the default user); `reset_in` is seconds from now."""
        return self.limiter.set_state(
            self._identity(login), resource, limit=limit, remaining=remaining, reset_in=reset_in
        )

    def exhaust_rate_limit(
        self, login: str | None = None, *, reset_in: float = 1.0, resource: str = "core"
    ) -> Bucket:
        return self.set_rate_limit(login, remaining=0, reset_in=reset_in, resource=resource)

    def rate_limit_state(self, login: str | None = None, resource: str = "core") -> Bucket:
        return self.limiter.bucket(self._identity(login), resource)

    def _identity(self, login: str | None) -> str:
        return f"user:{(login or self.default_login).lower()}"

    # Failure injection ------------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        path: str,
        *,
        status: int = 502,
        times: int = 1,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        apply: bool = False,
    ) -> None:
        """Answer the next `times` matching requests with `status`. `path` is an fnmatch pattern
        (`*` matches across slashes) without the query; `method` may be "*". With `apply`, the
        request takes effect before the failure is sent. Injected answers cost no rate limit."""
        self.faults.add(Fault(method, path, times, "status", status, body, dict(headers or {}), apply=apply))

    def secondary_limit_next(
        self, method: str, path: str, *, retry_after: int = 1, status: int | None = None, times: int = 1
    ) -> None:
        """The next matching requests hit a secondary rate limit (403 by default, integer Retry-After)."""
        code = status or self.engine.secondary_limit_status
        body = {"message": SECONDARY_MESSAGE, "documentation_url": SECONDARY_DOCS, "status": str(code)}
        self.fail_next(
            method, path, status=code, times=times, body=body, headers={"Retry-After": str(int(retry_after))}
        )

    def timeout_next(
        self, method: str, path: str, *, seconds: float, times: int = 1, apply: bool = False
    ) -> None:
        """Hold the next matching requests for `seconds` (past the client's timeout), then hang up."""
        self.faults.add(Fault(method, path, times, "timeout", delay=seconds, apply=apply))

    def delay_next(
        self, method: str, path: str, *, seconds: float, times: int = 1, together: int | None = None
    ) -> None:
        """Hold the next matching requests for `seconds`, then answer them as usual (a slow server:
        two clients racing on one create). With `together`, they are answered as soon as that many
        are held at once (at most `seconds`): a race that does not depend on how fast clients start."""
        gather = threading.Barrier(together) if together else None
        self.faults.add(Fault(method, path, times, "delay", delay=seconds, gather=gather))

    def drop_next(self, method: str, path: str, *, times: int = 1, apply: bool = False) -> None:
        """Close the connection of the next matching requests without any response."""
        self.faults.add(Fault(method, path, times, "drop", apply=apply))

    def drop_response_after_create(self, path: str = "/repos/*/issues", *, times: int = 1) -> None:
        """The next creates are applied, then the connection closes without a response."""
        self.drop_next("POST", path, times=times, apply=True)

    def clear_faults(self) -> None:
        self.faults.clear()

    # Request log ------------------------------------------------------------------------------
    @property
    def requests(self) -> list[RequestRecord]:
        with self.engine.log_lock:
            return list(self.engine.log)

    def count(
        self, method: str | None = None, path_prefix: str | None = None, status: int | None = None
    ) -> int:
        """Logged requests matching a method, a path prefix (without /api/v3) and a status."""
        prefix = path_prefix.removeprefix(PREFIX) if path_prefix else None
        return sum(
            1
            for r in self.requests
            if (method is None or r.method == method.upper())
            and (prefix is None or r.path.startswith(prefix))
            and (status is None or r.status == status)
        )

    def reset_log(self) -> None:
        with self.engine.log_lock:
            self.engine.log.clear()
