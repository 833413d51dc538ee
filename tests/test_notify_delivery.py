"""Bounded retries: Retry-After is waited for, long waits are left to the next run, uncertain is never retried."""

from __future__ import annotations

import pytest

from tracker.notify.delivery import DeliveryError, with_retries


def failing(*errors: DeliveryError):
    pending = list(errors)
    calls: list[int] = []

    def send() -> str:
        calls.append(1)
        if pending:
            raise pending.pop(0)
        return "sent"

    return send, calls


def test_retry_after_is_waited_for_then_backoff_without_it():
    waits: list[float] = []
    send, calls = failing(
        DeliveryError("429", retryable=True, retry_after=7), DeliveryError("503", retryable=True)
    )
    assert with_retries(send, 3, waits.append) == ("sent", 3)
    assert waits == [7.0, 2.0] and len(calls) == 3


def test_a_long_retry_after_is_left_to_the_next_run():
    waits: list[float] = []
    send, calls = failing(DeliveryError("429", retryable=True, retry_after=600))
    with pytest.raises(DeliveryError, match="asked to wait 600 s"):
        with_retries(send, 3, waits.append)
    assert waits == [] and len(calls) == 1


@pytest.mark.parametrize(
    "error", [DeliveryError("timeout", retryable=True, uncertain=True), DeliveryError("400 no_text")]
)
def test_uncertain_and_definite_failures_are_not_retried(error):
    send, calls = failing(error)
    with pytest.raises(DeliveryError):
        with_retries(send, 3, lambda _s: None)
    assert len(calls) == 1


def test_attempts_are_bounded():
    send, calls = failing(*[DeliveryError("500", retryable=True) for _ in range(5)])
    with pytest.raises(DeliveryError, match="500"):
        with_retries(send, 3, lambda _s: None)
    assert len(calls) == 3
