"""The shared HTTP policy of both backends: retries, Retry-After, reset times and the rate reserve."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tracker.backends.base import RateLimited
from tracker.backends.http_policy import (
    RateGauge,
    ReserveReached,
    RetryPolicy,
    is_idempotent,
    parse_reset,
    retry_after_seconds,
)
from tracker.backends.reserve import Reserve, parse_reserve

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "kept_of_5000"),
    [("20%", 1000), ("0%", 0), ("12.5 %", 625), (500, 500), ("750", 750), (0, 0)],
)
def test_reserve_is_a_share_or_a_count(value: object, kept_of_5000: int) -> None:
    assert parse_reserve(value).of(5000) == kept_of_5000


def test_a_share_rounds_down_so_a_tiny_limit_keeps_nothing() -> None:
    assert parse_reserve("20%").of(4) == 0 and parse_reserve("20%").of(5) == 1


@pytest.mark.parametrize(
    ("value", "words"),
    [("100%", "below 100%"), (-1, "cannot be negative"), ("lots", "a percentage"), (True, "a percentage")],
)
def test_bad_reserves_say_what_is_wrong(value: object, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_reserve(value)


def test_retry_after_in_both_forms_and_reset_as_epoch_or_iso() -> None:
    assert retry_after_seconds("7", NOW) == 7.0
    assert retry_after_seconds("Sun, 06 Dec 2026 10:01:30 GMT", NOW) == 90.0
    assert retry_after_seconds("yesterday", NOW) is None and retry_after_seconds(None, NOW) is None
    assert parse_reset(str(int(NOW.timestamp()))) == NOW
    assert parse_reset("2026-12-06T10:00Z") == NOW  # Jira Cloud's form
    assert parse_reset("soon") is None


def test_retry_policy_retries_only_idempotent_calls_within_the_cap() -> None:
    policy = RetryPolicy(attempts=3, backoff=0.5, max_backoff=1.5, max_wait=60)
    assert policy.may_retry(1, idempotent=True) and policy.may_retry(2, idempotent=True)
    assert not policy.may_retry(3, idempotent=True) and not policy.may_retry(1, idempotent=False)
    assert [policy.delay(n) for n in (1, 2, 3)] == [0.5, 1.0, 1.5]
    assert policy.honours(60) and not policy.honours(61)
    assert is_idempotent("get") and is_idempotent("PUT") and not is_idempotent("POST")


def test_gauge_spends_down_to_the_reserve_then_pauses_with_the_reset_time() -> None:
    gauge = RateGauge("GitHub", Reserve(count=2))
    gauge.check("before any answer")  # nothing known: nothing refused
    reset = NOW + timedelta(hours=1)
    gauge.observe(
        {
            "x-ratelimit-limit": "10",
            "x-ratelimit-remaining": "4",
            "x-ratelimit-reset": str(int(reset.timestamp())),
        }
    )
    gauge.check("one")
    gauge.check("two")  # remaining 4 -> 2 counted before the answers come
    with pytest.raises(ReserveReached) as caught:
        gauge.check("three")
    assert isinstance(caught.value, RateLimited) and caught.value.reset_at == reset
    assert "2 of 10 GitHub requests left, 2 kept" in caught.value.message
    assert gauge.paused is caught.value


def test_gauge_ignores_other_resources_and_keeps_nothing_without_a_reserve() -> None:
    gauge = RateGauge("GitHub", Reserve(percent=20))
    gauge.observe({"x-ratelimit-limit": "30", "x-ratelimit-remaining": "0", "x-ratelimit-resource": "search"})
    gauge.check("a core request")  # the search bucket says nothing about core
    free = RateGauge("Jira")
    free.observe({"x-ratelimit-limit": "10", "x-ratelimit-remaining": "0"})
    free.check("no reserve configured")
