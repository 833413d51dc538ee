"""Create pacing: a sleeping sliding-window budget per credential, shared by every target that uses it."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from collections.abc import Callable

MINUTE = 60.0
HOUR = 3600.0


class CreateBudget:
    """At most `per_minute` creates in any 60 s, `per_hour` in any hour, `min_interval` s apart.

    `acquire()` sleeps (through the injected `sleep`, on the injected `clock`) until a create is
    allowed, then spends it. Thread-safe: waiters queue on the lock, so one credential's creates are
    serialized across targets and threads. A limit of 0 or less means "no limit".
    """

    def __init__(
        self,
        per_minute: int = 20,
        per_hour: int = 400,
        *,
        min_interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.per_minute = per_minute
        self.per_hour = per_hour
        # By default creates are spread over the minute, at most 1 s apart (GitHub's advice).
        self._derived = min_interval is None
        self.min_interval = spacing(per_minute) if min_interval is None else min_interval
        self.clock = clock
        self.sleep = sleep
        self.waited = 0.0  # total seconds slept, for summaries and tests
        self.spent = 0
        self._stamps: deque[float] = deque()
        self._lock = threading.Lock()

    def tighten(self, per_minute: int, per_hour: int) -> None:
        """Several targets share one credential: the strictest configured limits win."""
        with self._lock:
            self.per_minute = _stricter(self.per_minute, per_minute)
            self.per_hour = _stricter(self.per_hour, per_hour)
            if self._derived:
                self.min_interval = spacing(self.per_minute)

    def wait_needed(self, now: float) -> float:
        """Seconds until the next create is allowed (0 when it is allowed now)."""
        while self._stamps and self._stamps[0] <= now - HOUR:
            self._stamps.popleft()
        return wait_for(list(self._stamps), now, self.per_minute, self.per_hour, self.min_interval)

    def acquire(self) -> float:
        """Block until one create fits the budget and spend it; returns the seconds slept."""
        slept = 0.0
        with self._lock:
            while True:
                now = self.clock()
                wait = self.wait_needed(now)
                if wait <= 0:
                    self._stamps.append(now)
                    self.spent += 1
                    return slept
                self.sleep(wait)
                slept += wait
                self.waited += wait


def spacing(per_minute: int) -> float:
    """The default gap between two creates: 1 s, or less when more than 60 a minute are allowed."""
    return 1.0 if per_minute <= 0 else min(1.0, MINUTE / per_minute)


def wait_for(stamps: list[float], now: float, per_minute: int, per_hour: int, min_interval: float) -> float:
    """Seconds until one more create fits, given the past create times `stamps` (oldest first)."""
    stamps = [s for s in stamps if s > now - HOUR]
    waits = [0.0]
    if stamps and min_interval > 0:
        waits.append(stamps[-1] + min_interval - now)
    if per_minute > 0:
        recent = [s for s in stamps if s > now - MINUTE]
        if len(recent) >= per_minute:
            waits.append(recent[-per_minute] + MINUTE - now)
    if per_hour > 0 and len(stamps) >= per_hour:
        waits.append(stamps[-per_hour] + HOUR - now)
    return max(waits)


def _stricter(a: int, b: int) -> int:
    if a <= 0:
        return b
    if b <= 0:
        return a
    return min(a, b)


_SHARED: dict[str, CreateBudget] = {}
_SHARED_LOCK = threading.Lock()


def shared_budget(credential: str, per_minute: int, per_hour: int) -> CreateBudget:
    """The process-wide budget of one credential (keyed by a hash: the secret itself is never kept)."""
    key = hashlib.sha256(credential.encode()).hexdigest()
    with _SHARED_LOCK:
        budget = _SHARED.get(key)
        if budget is None:
            budget = _SHARED[key] = CreateBudget(per_minute, per_hour)
            return budget
    budget.tighten(per_minute, per_hour)
    return budget
