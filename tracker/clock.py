"""Time as a dependency: the clock tracker reads and the sleep it waits with, so tests can pass a fake."""

from __future__ import annotations

import time as _time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Clock:
    """`time`: wall-clock seconds (the create budget shared through the database compares them across
    hosts); `sleep`: how waits happen (a retry's backoff, Retry-After, create pacing)."""

    time: Callable[[], float] = _time.time
    sleep: Callable[[float], None] = _time.sleep


SYSTEM = Clock()
