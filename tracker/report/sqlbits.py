"""Portable SQL pieces for reports: parameters in storage form, local dates, day differences."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from tracker.readdb import SQLITE_TS  # how SQLAlchemy stores DateTime on SQLite (text compares in order)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DAY_MICROS = 86_400_000_000


@dataclass(frozen=True)
class Dialect:
    """The SQL spelling of the few things SQLite and PostgreSQL write differently."""

    name: str  # sqlite | postgresql
    zone: ZoneInfo

    @property
    def sqlite(self) -> bool:
        return self.name == "sqlite"

    def ts(self, value: datetime) -> Any:
        """A timestamp parameter compared with stored timestamps."""
        value = value.astimezone(UTC)
        return value.strftime(SQLITE_TS) if self.sqlite else value

    def day(self, value: date) -> Any:
        """A date parameter compared with stored dates (and with ISO dates stored as text in events)."""
        return value.isoformat()

    def micros(self, value: datetime) -> int:
        """A timestamp as report rows hold it: microseconds since 1970-01-01 UTC."""
        return (value.astimezone(UTC) - EPOCH) // timedelta(microseconds=1)

    def day_number(self, value: date) -> int:
        """A date as report rows hold it: days since 1970-01-01."""
        return (value - EPOCH.date()).days

    def contains(self, targets: str, name: str) -> str:
        """Whether a ",a,b," set of target names holds a name."""
        position = "instr" if self.sqlite else "strpos"
        return f"{position}({targets}, ',' || {name} || ',') > 0"

    def local_day(self, micros: str, low: datetime, high: datetime) -> str:
        """The local day number (days since 1970-01-01 in [org] timezone) of a microsecond timestamp.

        The same integer arithmetic on both databases: the UTC offsets in force between `low` and
        `high` become a binary search of CASEs over their changes, so no row converts time zones.
        """
        spans = offset_spans(self.zone, low, high)
        changes = [str(self.micros(until)) for until, _offset in spans[:-1]]
        offsets = [str(offset // timedelta(microseconds=1)) for _until, offset in spans]
        return f"(({micros} + {bucket(micros, changes, offsets.__getitem__)}) / {DAY_MICROS})"

    def date_text(self, column: str) -> str:
        """A Date column as ISO text, so it compares with the ISO text that events hold."""
        return column if self.sqlite else f"CAST({column} AS TEXT)"

    def days_between_dates(self, later: str, earlier: str) -> str:
        """Whole days between two ISO date texts."""
        if self.sqlite:
            return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"
        return f"(CAST({later} AS DATE) - CAST({earlier} AS DATE))"

    def days_between_times(self, later: str, earlier: str) -> str:
        """Fractional days between two timestamps."""
        if self.sqlite:
            return f"(julianday({later}) - julianday({earlier}))"
        return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0)"

    def local_date(self, column: str, low: datetime, high: datetime) -> str:
        """The ISO text of a timestamp's date in [org] timezone.

        PostgreSQL converts with the time zone database. SQLite has none, so the UTC offsets in force
        between `low` and `high` (the span the report can look at) become a CASE over their changes.
        """
        if not self.sqlite:
            name = self.zone.key.replace("'", "")
            return f"CAST(CAST(timezone('{name}', {column}) AS DATE) AS TEXT)"
        spans = offset_spans(self.zone, low, high)
        if len(spans) == 1:
            return f"date({column}, '{_minutes(spans[0][1])}')"
        branches = " ".join(
            f"WHEN {column} < '{until.strftime(SQLITE_TS)}' THEN '{_minutes(offset)}'"
            for until, offset in spans[:-1]
        )
        return f"date({column}, CASE {branches} ELSE '{_minutes(spans[-1][1])}' END)"


def bucket(column: str, bounds: list[str], value: Callable[[int], str] = str, start: int = 0) -> str:
    """A nested CASE giving `value(i)`, i the number of the (increasing) bounds at or before the column.

    A binary search: about log2(len(bounds)) comparisons per row instead of up to one per bound.
    """
    if not bounds:
        return value(start)
    middle = len(bounds) // 2
    return (
        f"CASE WHEN {column} < {bounds[middle]} THEN {bucket(column, bounds[:middle], value, start)}"
        f" ELSE {bucket(column, bounds[middle + 1 :], value, start + middle + 1)} END"
    )


class _Median:
    """SQLite aggregate: the mean of the two middle values, as AVG over them would give; NULLs skipped."""

    def __init__(self) -> None:
        self.values: list[float | None] = []
        # SQLite calls `step` once per row: a bound C method costs a third of a Python one.
        self.step = self.values.append

    def finalize(self) -> float | None:
        ordered: list[float]
        try:
            ordered = sorted(cast("list[float]", self.values))  # the report's calls FILTER out NULLs
        except TypeError:
            ordered = sorted(value for value in self.values if value is not None)
        if not ordered:
            return None
        middle = len(ordered) // 2
        if len(ordered) % 2:
            return ordered[middle]
        return (ordered[middle - 1] + ordered[middle]) / 2


def register_median(connection: Any, dialect: Dialect) -> None:
    """Make `tracker_median` available on a read connection to SQLite (PostgreSQL needs nothing)."""
    if dialect.sqlite:
        connection.raw.create_aggregate("tracker_median", 1, _Median)


def median_expr(dialect: Dialect, column: str) -> str:
    """The median of a column as an aggregate: the mean of the two middle values (the middle one if odd).

    PostgreSQL: the lower and upper middle values as ordered-set aggregates sharing one sort. SQLite
    has no median before 3.47, so `tracker_median` is registered on the connection (see
    `sqlbits.register_median`): an aggregate like SUM, fed by SQLite's own GROUP BY.
    """
    if dialect.sqlite:
        # FILTER: the Python step runs for the values only, not for every row of the group.
        return f"tracker_median({column}) FILTER (WHERE {column} IS NOT NULL)"
    return (
        f"((percentile_disc(0.5) WITHIN GROUP (ORDER BY {column})"
        f" + percentile_disc(0.5000000001) WITHIN GROUP (ORDER BY {column})) / 2.0)"
    )


def _minutes(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    return f"{minutes:+d} minutes"


def offset_spans(zone: ZoneInfo, low: datetime, high: datetime) -> list[tuple[datetime, timedelta]]:
    """[(until, offset)]: the zone's UTC offset holds before `until`; the last entry runs on past `high`."""
    spans: list[tuple[datetime, timedelta]] = []
    step = timedelta(days=1)
    cursor = low.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    end = high.astimezone(UTC) + step
    current = _offset(zone, cursor)
    while cursor < end:
        following = cursor + step
        offset = _offset(zone, following)
        if offset != current:
            change = _find_change(zone, cursor, following, current)
            spans.append((change, current))
            current = offset
        cursor = following
    spans.append((end, current))
    return spans


def _offset(zone: ZoneInfo, moment: datetime) -> timedelta:
    return moment.astimezone(zone).utcoffset() or timedelta(0)


def _find_change(zone: ZoneInfo, start: datetime, stop: datetime, before: timedelta) -> datetime:
    """The first minute in (start, stop] whose offset differs from `before` (binary search)."""
    low, high = start, stop
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        if _offset(zone, middle) == before:
            low = middle
        else:
            high = middle
    return high.replace(second=0, microsecond=0)


def local_day_start(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which a local date begins."""
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
