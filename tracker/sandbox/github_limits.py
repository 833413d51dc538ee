"""Rate limits (primary and secondary) and injected failures of the fake GitHub."""

from __future__ import annotations

import fnmatch
import math
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from tracker.sandbox.github_store import Clock

RATE_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
SECONDARY_DOCS = f"{RATE_DOCS}#about-secondary-rate-limits"
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit and have been temporarily blocked from content "
    "creation. Please retry your request again later."
)

FaultKind = Literal["status", "timeout", "drop", "delay"]


@dataclass
class Fault:
    """One queued failure for requests whose method and path match."""

    method: str
    pattern: str
    times: int
    kind: FaultKind = "status"
    status: int = 502
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    # True: the request takes effect first, then the failure replaces its response
    # (a create that happened although the client never heard of it).
    apply: bool = False
    # A "delay" that ends as soon as this many held requests wait together (two racing clients meet
    # whatever their start-up took), at the latest after `delay`.
    gather: threading.Barrier | None = None

    def matches(self, method: str, path: str, query: str = "") -> bool:
        if self.method != "*" and self.method.upper() != method.upper():
            return False
        pattern = self.pattern.removeprefix("/api/v3")
        # A pattern with a `?` also matches the query string (e.g. `*page=2*`: hold one page only).
        return fnmatch.fnmatchcase(f"{path}?{query}" if "?" in pattern else path, pattern)


class Faults:
    """Thread-safe FIFO of failures; the first matching entry is used and counted down."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[Fault] = []

    def add(self, fault: Fault) -> None:
        if fault.times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._queue.append(fault)

    def take(self, method: str, path: str, query: str = "") -> Fault | None:
        with self._lock:
            for fault in self._queue:
                if fault.matches(method, path, query):
                    fault.times -= 1
                    if fault.times == 0:
                        self._queue.remove(fault)
                    return fault
        return None

    def pending(self) -> int:
        with self._lock:
            return sum(f.times for f in self._queue)

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()


@dataclass
class Bucket:
    limit: int
    used: int
    reset: int  # epoch seconds on the server's clock

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


class RateLimiter:
    """Primary limits per (identity, resource) and the content-creation secondary limit."""

    def __init__(
        self,
        clock: Clock,
        *,
        core_limit: int,
        search_limit: int,
        window: float,
        search_window: float,
        creations_per_minute: int,
        creations_per_hour: int,
    ) -> None:
        self.clock = clock
        self.limits = {"core": core_limit, "search": search_limit}
        # Unauthenticated callers get GitHub's much smaller per-address budgets.
        self.anonymous_limits = {"core": 60, "search": 10}
        self.windows = {"core": window, "search": search_window}
        self.creations_per_minute = creations_per_minute
        self.creations_per_hour = creations_per_hour
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], Bucket] = {}
        self._creations: dict[str, deque[datetime]] = {}

    def _now_epoch(self) -> float:
        return self.clock.now().timestamp()

    def bucket(self, identity: str, resource: str) -> Bucket:
        """Current bucket, refilled when its reset time has passed."""
        with self._lock:
            now = self._now_epoch()
            bucket = self._buckets.get((identity, resource))
            if bucket is None or now >= bucket.reset:
                limits = self.anonymous_limits if identity.startswith("anon:") else self.limits
                bucket = Bucket(
                    limit=limits[resource],
                    used=0,
                    reset=math.ceil(now + self.windows[resource]),
                )
                self._buckets[(identity, resource)] = bucket
            return bucket

    def consume(self, identity: str, resource: str) -> Bucket:
        bucket = self.bucket(identity, resource)
        with self._lock:
            bucket.used = min(bucket.limit, bucket.used + 1)
        return bucket

    def set_state(
        self,
        identity: str,
        resource: str,
        *,
        limit: int | None,
        remaining: int | None,
        reset_in: float | None,
    ) -> Bucket:
        bucket = self.bucket(identity, resource)
        with self._lock:
            if limit is not None:
                bucket.limit = limit
            if remaining is not None:
                bucket.used = max(0, bucket.limit - remaining)
            if reset_in is not None:
                bucket.reset = math.ceil(self._now_epoch() + reset_in)
        return bucket

    def creation_retry_after(self, identity: str) -> int | None:
        """Seconds until another content creation is allowed, or None when it is allowed now."""
        with self._lock:
            now = self.clock.now()
            stamps = self._creations.setdefault(identity, deque())
            while stamps and stamps[0] <= now - timedelta(hours=1):
                stamps.popleft()
            last_minute = [s for s in stamps if s > now - timedelta(minutes=1)]
            waits: list[float] = []
            if len(last_minute) >= self.creations_per_minute:
                waits.append((last_minute[0] + timedelta(minutes=1) - now).total_seconds())
            if len(stamps) >= self.creations_per_hour:
                waits.append((stamps[0] + timedelta(hours=1) - now).total_seconds())
            if not waits:
                return None
            return max(1, math.ceil(max(waits)))

    def record_creation(self, identity: str) -> None:
        with self._lock:
            self._creations.setdefault(identity, deque()).append(self.clock.now())
