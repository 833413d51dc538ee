"""Parse deadlines as teams write them ("Jun 25", "2026/06/25", "Q3", "Ongoing") into local dates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)?"

_PATTERNS = [
    re.compile(rf"^{_YEAR}-(?P<nmonth>\d{{1,2}})-(?P<day>\d{{1,2}})(?:T[\d:.]+Z?)?$"),
    re.compile(rf"^{_YEAR}/(?P<nmonth>\d{{1,2}})/(?P<day>\d{{1,2}})$"),
    re.compile(rf"^{_YEAR}\.(?P<nmonth>\d{{1,2}})\.(?P<day>\d{{1,2}})$"),
    re.compile(rf"^{_WEEKDAY}{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?$"),
    re.compile(rf"^{_WEEKDAY}{_DAY}(?:\s+of)?\s+{_MONTH}(?:,?\s+{_YEAR})?$"),
]

# Words that say "no date was committed": kept as text, flagged by lint, never guessed at.
_NO_DATE = re.compile(
    r"^(?:ongoing|continuous|tbd|tba|tbc|n/?a|none|asap|soon|later|someday|unknown|"
    r"next\s+(?:sprint|week|month|quarter|release)|this\s+(?:sprint|week|month|quarter)|"
    r"end\s+of\s+(?:sprint|week|month|quarter|year)|eo[wmqy]|"
    r"(?:h[12]|q[1-4])(?:\s*(?:fy)?\s*'?\d{2,4})?(?:\s*[-–]\s*(?:h[12]|q[1-4])(?:\s*'?\d{2,4})?)?|"
    r"[-–—]+|\?+)$",
    re.IGNORECASE,
)


# Typed on the command line, only these no-date words are taken: they say "not decided yet" outright,
# where "soon", "Q3" or "someday" read like a commitment nobody can be late on.
UNDECIDED = re.compile(r"^(?:tbd|tba|tbc|none|n/?a)$", re.IGNORECASE)


class DeadlineKind(StrEnum):
    """How a deadline text was understood."""

    DATE = "date"  # a calendar date
    NO_DATE = "no_date"  # a recognised non-date such as "Ongoing", "TBD", "Q3"
    INVALID = "invalid"  # looks like a date but is not one ("Feb 30", "2026-13-01")
    UNKNOWN = "unknown"  # free text we do not read as a date


@dataclass(frozen=True)
class Deadline:
    """A deadline as written and, when it names a day, that day."""

    text: str | None
    date: date | None
    kind: DeadlineKind
    reason: str | None = None


def _clean(text: str) -> str:
    text = text.strip().strip("*_`").strip()
    text = re.sub(r"^(?:due|by|deadline|eta|target)\s*[:\-]?\s+", "", text, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", text)


def parse_deadline(text: str | None, reference: date) -> Deadline:
    """Read `text` as a deadline; a date without a year is its next occurrence on or after `reference`."""
    if text is None or not text.strip():
        return Deadline(None, None, DeadlineKind.UNKNOWN if text else DeadlineKind.NO_DATE)
    raw = text.strip()
    cleaned = _clean(raw)
    if _NO_DATE.match(cleaned):
        return Deadline(raw, None, DeadlineKind.NO_DATE)
    for pattern in _PATTERNS:
        match = pattern.match(cleaned.lower())
        if not match:
            continue
        groups = match.groupdict()
        month = int(groups["nmonth"]) if groups.get("nmonth") else MONTHS[groups["month"]]
        day = int(groups["day"])
        if groups.get("year"):
            return _make(raw, int(groups["year"]), month, day)
        return _next_occurrence(raw, month, day, reference)
    return Deadline(raw, None, DeadlineKind.UNKNOWN)


def _make(raw: str, year: int, month: int, day: int) -> Deadline:
    try:
        return Deadline(raw, date(year, month, day), DeadlineKind.DATE)
    except ValueError as exc:
        return Deadline(raw, None, DeadlineKind.INVALID, str(exc))


def _next_occurrence(raw: str, month: int, day: int, reference: date) -> Deadline:
    for year in (
        reference.year,
        reference.year + 1,
        reference.year + 2,
        reference.year + 3,
        reference.year + 4,
    ):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue  # Feb 29 in a non-leap year: try the next year
        if candidate >= reference:
            return Deadline(raw, candidate, DeadlineKind.DATE)
    return Deadline(raw, None, DeadlineKind.INVALID, f"day is out of range for month {month}")


def not_a_date(text: str, kind: DeadlineKind) -> str:
    """What import and lint say about a deadline that names no day (`Feb 30`, `someday`)."""
    if kind is DeadlineKind.INVALID:
        return f"deadline {text!r} is not a valid date"
    return f"deadline {text!r} is not a date, so nobody can tell when it is late"
