"""Past month ends' counts kept in `trend_points`: read when stored, counted and stored under a lock when not."""

from __future__ import annotations

from collections.abc import Callable

from tracker.readdb import ReadConnection, in_list
from tracker.report.months import MonthEnd, Tally
from tracker.report.queries import Scope
from tracker.report.shape import Figures
from tracker.report.sqlbits import Dialect

# How the trend counts month ends (tracker.report.trend.count_points), passed in.
Counter = Callable[[ReadConnection, Dialect, Scope, list[MonthEnd]], list[Tally]]

KIND_COLUMNS = ("open", "in_progress", "done", "wont_do", "bot")
LOCK_WAIT_MS = 2000  # how long a report waits to store counts behind a writer before it gives up storing


def cached_tallies(
    connection: ReadConnection,
    dialect: Dialect,
    scope: Scope,
    points: list[MonthEnd],
    overall: Figures | None,
    count: Counter,
) -> list[Tally]:
    """The tallies of every point; the whole organisation's past month ends from the store when there.

    A stored month end stays right until history before it changes, and `tracker.states.rebuild`
    deletes the points after the earliest change it makes. So a report counts only the month ends
    never counted before (a new month, a changed past) and takes its own point from the figures.
    """
    zone = dialect.zone.key
    past, last = points[:-1], points[-1]
    stored = _read(connection, zone, [dialect.micros(point.cut) for point in past])
    tallies: dict[MonthEnd, Tally] = {}
    missing: list[MonthEnd] = []
    for point in past:
        found = stored.get(dialect.micros(point.cut))
        if found is not None and found[0] == dialect.day_number(point.day):
            tallies[point] = found[1]
        else:
            missing.append(point)
    if missing:
        for point, tally in zip(
            missing, _count_and_store(connection, dialect, scope, missing, count), strict=True
        ):
            tallies[point] = tally
    if overall is not None:
        kinds = {"open": overall["open"], "in_progress": overall["in_progress"], "done": overall["done"]}
        kinds |= {"wont_do": overall["wont_do"], "bot": overall["closed_by_bot"]}
        tallies[last] = (kinds, overall["overdue"])
    else:
        tallies[last] = count(connection, dialect, scope, [last])[0]
    return [tallies[point] for point in points]


def _read(connection: ReadConnection, zone: str, cuts: list[int]) -> dict[int, tuple[int, Tally]]:
    sql = (
        f"SELECT cut, day, {', '.join(KIND_COLUMNS)}, overdue FROM trend_points"
        f" WHERE zone = :zone AND cut IN ({in_list(cuts)})"
    )
    return {
        point.cut: (point.day, ({kind: getattr(point, kind) for kind in KIND_COLUMNS}, point.overdue))
        for point in connection.execute(sql, {"zone": zone})
    }


def _count_and_store(
    connection: ReadConnection, dialect: Dialect, scope: Scope, points: list[MonthEnd], count: Counter
) -> list[Tally]:
    """Count past month ends and store their counts.

    No writer may commit between counting and storing, or a change it made to the past would be
    stored as if it had not happened: on SQLite the first statement takes the write lock (writers
    wait), on PostgreSQL a table lock that every rebuild's delete waits for. A database that cannot
    be written (read-only file, read-only role, a lock held too long) gets the counts, unstored.
    """
    zone = dialect.zone.key
    cuts = [dialect.micros(point.cut) for point in points]
    waited = None
    columns = ("zone", "cut", "day", *KIND_COLUMNS, "overdue")
    try:
        if dialect.sqlite:
            # A busy writer is waited for as briefly as PostgreSQL's lock timeout below, not for the
            # whole busy timeout: the counts are wanted now, storing them can wait for another report.
            waited = connection.scalar("PRAGMA busy_timeout")
            connection.execute(f"PRAGMA busy_timeout = {min(int(waited or 0), LOCK_WAIT_MS)}")
        with connection.savepoint():
            if not dialect.sqlite:
                connection.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT_MS}ms'")
                connection.execute("LOCK TABLE trend_points IN SHARE ROW EXCLUSIVE MODE")
            connection.execute(
                f"DELETE FROM trend_points WHERE zone = :zone AND cut IN ({in_list(cuts)})", {"zone": zone}
            )
            tallies = count(connection, dialect, scope, points)
            rows = [
                {"zone": zone, "cut": cut, "day": dialect.day_number(point.day), **kinds, "overdue": late}
                for point, cut, (kinds, late) in zip(points, cuts, tallies, strict=True)
            ]
            connection.executemany(
                f"INSERT INTO trend_points ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})",
                rows,
            )
        return tallies
    except connection.errors:
        return count(connection, dialect, scope, points)
    finally:
        if waited is not None:
            connection.execute(f"PRAGMA busy_timeout = {int(waited)}")
