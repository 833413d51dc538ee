"""Bounded retries of one message: Retry-After honoured, definite failures told apart from uncertain ones."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# A rate limit asking for longer than this is left to the next cron run rather than slept through.
MAX_WAIT_SECONDS = 60.0


class DeliveryError(Exception):
    """A message that did not go out. `uncertain`: it may have (a timeout after the request was sent)."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = False,
        retry_after: float | None = None,
        uncertain: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after
        self.uncertain = uncertain


def with_retries(
    send: Callable[[], T], attempts: int, sleep: Callable[[float], None] = time.sleep
) -> tuple[T, int]:
    """Call `send` up to `attempts` times while the failure is retryable; (result, attempts used).

    Waits Retry-After when the service gives one, else 1, 2, 4... seconds. An uncertain failure is
    never retried: sending again could post the message twice.
    """
    for attempt in range(1, max(1, attempts) + 1):
        try:
            return send(), attempt
        except DeliveryError as exc:
            if exc.uncertain or not exc.retryable or attempt >= attempts:
                raise
            wait = exc.retry_after if exc.retry_after is not None else float(2 ** (attempt - 1))
            if wait > MAX_WAIT_SECONDS:
                exc.message += f" (asked to wait {wait:.0f} s; the next run retries)"
                exc.args = (exc.message,)
                raise
            sleep(max(0.0, wait))
    raise AssertionError("unreachable")
