"""One HTTP policy for both backends: what may be retried, how long to wait, attempts counted, the rate reserve."""

from __future__ import annotations

import email.utils
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tracker.backends.base import RateLimited
from tracker.backends.reserve import Reserve

# Methods whose repetition cannot duplicate anything (RFC 9110 section 9.2.2). A POST is retried only
# when the server refused it whole (a rate limit answered before anything was written).
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with exponential backoff, and the longest Retry-After worth waiting for in-process.

    `attempts` counts the first try: 4 means the first try and three retries.
    """

    attempts: int = 4
    backoff: float = 0.5  # seconds before the first retry; doubles each time
    max_backoff: float = 8.0
    max_wait: float = 120.0  # a longer Retry-After stops the target (RateLimited) instead of sleeping

    def may_retry(self, attempt: int, *, idempotent: bool) -> bool:
        """Whether a failed attempt (5xx, timeout, dropped connection) may be sent again."""
        return idempotent and attempt < max(1, self.attempts)

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        return min(self.max_backoff, self.backoff * 2 ** (attempt - 1))

    def honours(self, wait: float) -> bool:
        """Whether a Retry-After of `wait` seconds is short enough to sleep through."""
        return wait <= self.max_wait


def is_idempotent(method: str) -> bool:
    return method.upper() in IDEMPOTENT


class Attempts:
    """Every request on the wire, counted once (thread-safe): tests and metrics assert it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0

    def count(self) -> None:
        with self._lock:
            self._count += 1

    @property
    def total(self) -> int:
        with self._lock:
            return self._count


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """A Retry-After header as seconds, in either of its forms (integer seconds or an HTTP date)."""
    if not value or not value.strip():
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            return None
        return max(0.0, (when - now).total_seconds())


def parse_reset(value: str | None) -> datetime | None:
    """X-RateLimit-Reset: UTC epoch seconds (GitHub) or ISO 8601 such as 2026-03-01T10:00Z (Jira Cloud)."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        return datetime.fromtimestamp(int(float(text)), UTC)
    except (ValueError, OverflowError):
        pass
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


class ReserveReached(RateLimited):
    """The run stopped itself before spending the reserve: pacing, not a failure (exit 0)."""


class RateGauge:
    """The primary budget as the last answers reported it, and the check that keeps the reserve.

    `observe` reads X-RateLimit-Limit/Remaining/Reset from every answer (GitHub's `core` resource;
    answers about another resource, such as search, are ignored). `check` runs before each request:
    once the reported remaining (less the requests sent since) is at or below the reserve, it raises
    ReserveReached instead of sending, so the budget never drops below the reserve. Without a
    reserve, or before any answer carried the headers, nothing is refused.
    """

    def __init__(self, service: str, reserve: Reserve | None = None) -> None:
        self.service = service
        self.reserve = reserve
        self.limit: int | None = None
        self.remaining: int | None = None
        self.reset_at: datetime | None = None
        self.paused: ReserveReached | None = None
        self._lock = threading.Lock()

    def keep(self, reserve: Reserve | None) -> None:
        with self._lock:
            self.reserve = reserve

    def observe(self, headers: Mapping[str, str], now: datetime | None = None) -> None:
        """Note what one answer said; `headers` has lower-case names."""
        resource = headers.get("x-ratelimit-resource")
        if resource and resource != "core":
            return
        limit, remaining = _int(headers.get("x-ratelimit-limit")), _int(headers.get("x-ratelimit-remaining"))
        if remaining is None:
            return
        with self._lock:
            self.limit = limit if limit is not None else self.limit
            self.remaining = remaining
            reset = parse_reset(headers.get("x-ratelimit-reset"))
            if reset is None and headers.get("retry-after"):
                wait = retry_after_seconds(headers.get("retry-after"), now or datetime.now(UTC))
                reset = (now or datetime.now(UTC)) + timedelta(seconds=wait or 0)
            self.reset_at = reset or self.reset_at

    def kept(self) -> int:
        if self.reserve is None or self.limit is None:
            return 0
        return self.reserve.of(self.limit)

    def check(self, what: str) -> None:
        """Raise ReserveReached rather than spend the reserve; otherwise count one request as spent."""
        with self._lock:
            if self.reserve is None or self.remaining is None:
                return
            kept = self.reserve.of(self.limit) if self.limit is not None else 0
            if self.remaining <= kept:
                limit = f" of {self.limit}" if self.limit is not None else ""
                error = ReserveReached(
                    f"{what}: paused at the rate-limit reserve ({self.remaining}{limit} {self.service} "
                    f"requests left, {kept} kept for other tools by [sync] rate_reserve = {self.reserve})",
                    self.reset_at,
                )
                self.paused = error
                raise error
            self.remaining -= 1  # until the answer tells (concurrent callers see the spend at once)


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None and text.strip() else None
    except ValueError:
        return None
