"""Deadline parsing: the forms teams write, next occurrence for year-less dates, non-dates kept as text."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.deadlines import DeadlineKind, parse_deadline

INCIDENT = date(2026, 6, 19)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-06-25", date(2026, 6, 25)),
        ("Jun 25", date(2026, 6, 25)),
        ("June 25, 2026", date(2026, 6, 25)),
        ("25 Jun", date(2026, 6, 25)),
        ("2026/06/25", date(2026, 6, 25)),
        ("Jun 25th", date(2026, 6, 25)),
        ("Sept. 3", date(2026, 9, 3)),
        ("due 2026-07-01", date(2026, 7, 1)),
        ("by Jul 15", date(2026, 7, 15)),
        ("Jun 1", date(2027, 6, 1)),  # before the incident: the next one
        ("**Jul 1**", date(2026, 7, 1)),
        ("Feb 29", date(2028, 2, 29)),
    ],
)
def test_dates(text: str, expected: date):
    parsed = parse_deadline(text, INCIDENT)
    assert parsed.kind is DeadlineKind.DATE and parsed.date == expected and parsed.text == text


@pytest.mark.parametrize(
    "text", ["Ongoing", "TBD", "Q3", "ASAP", "Q4 2025 - Q1 2026", "next sprint", "H2 2026", "-"]
)
def test_no_date_words_are_kept_as_text(text: str):
    parsed = parse_deadline(text, INCIDENT)
    assert parsed.kind is DeadlineKind.NO_DATE and parsed.date is None and parsed.text == text


@pytest.mark.parametrize("text", ["Feb 30", "2026-13-01", "2026/02/31"])
def test_impossible_dates_are_invalid(text: str):
    parsed = parse_deadline(text, INCIDENT)
    assert parsed.kind is DeadlineKind.INVALID and parsed.reason


def test_free_text_is_unknown():
    assert parse_deadline("before re-enabling ArgoCD sync", INCIDENT).kind is DeadlineKind.UNKNOWN
