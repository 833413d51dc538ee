"""Assemble a report: scope from the options, figures, trend, review view and sync freshness."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tracker.errors import UsageError
from tracker.readdb import ReadConnection, as_datetime, as_json, in_list
from tracker.report import owners, queries
from tracker.report.manager import manager_scope, manager_view
from tracker.report.queries import Scope
from tracker.report.shape import Freshness, Report, TrendPoint
from tracker.report.sqlbits import Dialect, local_day_start
from tracker.report.trend import trend

# Where import keeps recurrences in a postmortem's `extra` (tracker.recurrence's EXTRA_KEY and
# SAME_SERVICE_KEY, checked by tests/test_report_core.py): not imported from there, since that
# module imports the ORM and the models.
RECURRENCE_KEY = "recurrence"
SAME_SERVICE_KEY = "same_service"


@dataclass(frozen=True)
class Options:
    """What the user asked for on the command line."""

    postmortem: str | None = None
    review_window: tuple[date, date] | None = None
    owner: str | None = None
    as_of: date | None = None
    months: int = 12
    per_person: bool | None = None  # None: `[report] per_person`
    save: bool = True
    limit: int = 20
    team: str | None = None  # only this team's items
    target: str | None = None  # only items linked on this target
    severity: str | None = None  # only postmortems of this severity (after severity_aliases)
    since: date | None = None  # only postmortems of incidents on or after this date
    # A relative --since as written (30d): saved runs key on it, not on the date it means today, so
    # "since the previous report" of a rolling window finds yesterday's run.
    since_text: str | None = None


def parse_window(text: str) -> tuple[date, date]:
    """FROM..TO, both ISO dates, inclusive."""
    start, sep, end = text.partition("..")
    try:
        if not sep:
            raise ValueError
        window = (date.fromisoformat(start.strip()), date.fromisoformat(end.strip()))
    except ValueError:
        raise UsageError(
            f"bad review window {text!r}", hint="use FROM..TO with ISO dates, e.g. 2026-07-01..2026-07-31"
        ) from None
    if window[0] > window[1]:
        raise UsageError(f"bad review window {text!r}: FROM is after TO", hint="use FROM..TO")
    return window


def _cut_and_today(app: Any, options: Options) -> tuple[datetime, date]:
    zone = app.config.org.zone
    now = app.now()
    today = now.astimezone(zone).date()
    if options.as_of is None:
        return now, today
    if options.as_of > today:
        raise UsageError(
            f"--as-of {options.as_of} is in the future", hint=f"today is {today} in [org] timezone"
        )
    if options.as_of == today:
        return now, today
    return local_day_start(options.as_of + timedelta(days=1), zone), options.as_of


def freshness(app: Any, connection: ReadConnection, cut: datetime, as_of: bool) -> list[Freshness]:
    """The last good sync of every configured target, flagged when stale.

    A target removed from the config is left out: it will never sync again, so a warning about it
    would repeat on every report forever (`tracker doctor` lists such targets once).
    """
    limit = timedelta(hours=app.config.report.stale_sync_hours)
    states = {
        row.target: row
        for row in connection.execute("SELECT target, kind, last_good_sync_at FROM target_state")
    }
    names = list(app.config.targets)
    rows: list[Freshness] = []
    for name in names:
        target = app.config.targets.get(name)
        state = states.get(name)
        if as_of:
            found = connection.scalar(
                "SELECT MAX(finished_at) FROM sync_runs WHERE outcome = 'ok' AND finished_at < :cut"
                " AND (target = :target OR target IS NULL)",
                {"cut": cut, "target": name},
            )
        else:
            found = state.last_good_sync_at if state else None
        last = as_datetime(found)
        age = (cut - last).total_seconds() / 3600 if last else None
        rows.append(
            {
                "target": name,
                "kind": target.kind if target else (state.kind if state else None),
                "last_good_sync_at": last.astimezone(UTC).isoformat() if last else None,
                "age_hours": round(age, 1) if age is not None else None,
                "stale": last is None or cut - last > limit,
            }
        )
    return rows


def build_report(app: Any, connection: ReadConnection, options: Options) -> Report:
    """The whole report, typed (`shape.Report`: the documented JSON shape, docs/report.md)."""
    # The review view's modules are imported by the reports that show it: the organisation-wide
    # report's process does not load them.
    dialect = Dialect(connection.name, app.config.org.zone)
    if not dialect.sqlite:
        # Compiling the report's few big statements with JIT costs ~0.1 s more than it saves.
        connection.execute("SET LOCAL jit = off")
    cut, today = _cut_and_today(app, options)
    earliest = as_datetime(connection.scalar("SELECT MIN(occurred_at) FROM events"))
    low = min(earliest, cut) if earliest else cut
    postmortem_ids: tuple[int, ...] | None = None
    scope_key = None
    review_postmortems: list[str] = []
    if options.postmortem:
        from tracker.item_view import postmortem_id

        postmortem_ids = (postmortem_id(connection, options.postmortem),)
        scope_key = f"postmortem:{options.postmortem}"
        review_postmortems = [options.postmortem]
    elif options.review_window:
        from tracker.report.review import postmortems_in_window

        start, end = options.review_window
        found_all = postmortems_in_window(connection, start, end)
        postmortem_ids = tuple(p.id for p in found_all)
        scope_key = f"window:{start}..{end}"
        review_postmortems = [p.slug for p in found_all]
    if options.severity is not None or options.since is not None:
        postmortem_ids = _narrowed(app, connection, postmortem_ids, options)
        scope_key = None if scope_key is None else f"{scope_key}|{_filter_key(options)}"
    names, attribution_warning = owners.refresh(app, connection)
    owner_spellings = None
    if options.owner:
        owner_person = app.resolver.resolve(options.owner).person
        owner_spellings = owners.spellings(names, owner_person, options.owner)
        scope_key = scope_key or f"owner:{owner_person or options.owner}"
    scope = Scope(
        cut=cut,
        today=today,
        low=low - timedelta(days=1),
        postmortem_ids=postmortem_ids,
        owner_spellings=owner_spellings,
        team=options.team,
        target=options.target,
        severity_aliases=tuple(sorted(app.config.report.severity_aliases.items())),
    )
    if scope_key is not None and (options.team or options.target):
        scope_key += "".join(
            f"|{k}:{v}" for k, v in (("team", options.team), ("target", options.target)) if v
        )
    per_person = app.config.report.per_person if options.per_person is None else options.per_person
    dimensions: tuple[str, ...] = ("postmortem", "team", "severity", "target") + (
        ("person",) if per_person or options.owner else ()
    )
    months = options.months
    if options.postmortem:
        # One postmortem: its items and its figures once; every group would be one identical row.
        dimensions, months = (), 0
    # The organisation-wide view (no review scope) has the manager's view, and its incident months.
    overall, groups = queries.figures(
        connection, dialect, scope, dimensions, incident_months=scope_key is None
    )
    incident_months = groups.pop("incident_month", [])
    fresh = freshness(
        app,
        connection,
        cut,
        options.as_of is not None and options.as_of != app.now().astimezone(app.config.org.zone).date(),
    )
    warnings = [
        f"target {f['target']}: "
        + (f"last good sync {f['age_hours']} hours ago" if f["last_good_sync_at"] else "never synced")
        + f" (threshold {app.config.report.stale_sync_hours} h): issue status may be out of date"
        for f in fresh
        if f["stale"]
    ] + ([attribution_warning] if attribution_warning else [])
    review_data = None
    if scope_key is not None:
        from tracker.report.review import review

        review_data = review(
            app,
            connection,
            dialect,
            scope,
            scope_key=scope_key,
            save=options.save and options.as_of is None,
        )
        review_data["postmortems"] = review_postmortems
    manager = None
    if scope_key is None:
        manager = manager_view(
            app,
            connection,
            dialect,
            scope,
            overall,
            groups,
            options.save and options.as_of is None,
            manager_scope(
                options.team, options.target, options.severity, options.since_text or options.since
            ),
            incident_months,
        )
    return {
        "report_version": 1,
        "generated_at": app.now().astimezone(UTC).isoformat(),
        "as_of": options.as_of.isoformat() if options.as_of else None,
        "date": today.isoformat(),
        "timezone": app.config.org.timezone,
        "organisation": app.config.org.name,
        "scope": {
            "postmortem": options.postmortem,
            "review_window": [d.isoformat() for d in options.review_window]
            if options.review_window
            else None,
            "owner": options.owner,
            "per_person": bool(per_person or options.owner),
            "team": options.team,
            "target": options.target,
            "severity": options.severity,
            "since": options.since.isoformat() if options.since else None,
        },
        "freshness": fresh,
        "warnings": warnings,
        "summary": overall,
        "groups": groups,
        "trend": _from_first_item(trend(connection, dialect, scope, months, overall)),
        "manager": manager,
        "review": review_data,
        "recurrence": _recurrence(connection, postmortem_ids),
        "same_service": _same_service(connection, postmortem_ids),
    }


def _narrowed(
    app: Any, connection: ReadConnection, ids: tuple[int, ...] | None, options: Options
) -> tuple[int, ...]:
    """The postmortems in scope that also match --severity and --since."""
    from tracker.commands.filters import severities_for
    from tracker.item_view import any_of, since_condition

    conditions: list[str] = []
    values: dict[str, Any] = {}
    if ids is not None:
        conditions.append(f"p.id IN ({in_list(ids)})")
    if options.severity is not None:
        condition, values = any_of(
            "severity", severities_for(options.severity, app.config.report.severity_aliases)
        )
        conditions.append(f"p.severity {condition}")
    if options.since is not None:
        condition, since_values = since_condition(options.since, app.config.org.zone)
        conditions.append(condition)
        values |= since_values
    where = " AND ".join(conditions) or "1 = 1"
    return tuple(connection.scalars(f"SELECT p.id FROM postmortems p WHERE {where} ORDER BY p.id", values))


def _filter_key(options: Options) -> str:
    since = options.since_text or options.since or ""
    parts = [f"severity:{options.severity}" if options.severity else "", f"since:{since}"]
    return ",".join(p for p in parts if p)


def _from_first_item(points: list[TrendPoint]) -> list[TrendPoint]:
    """The trend from the first month end that has an item: months before any incident say nothing."""
    for index, point in enumerate(points):
        if point["total"]:
            return points[index:]
    return points[-1:]


def _recurrence(connection: ReadConnection, postmortem_ids: tuple[int, ...] | None) -> list[dict[str, Any]]:
    """Items of earlier postmortems still open when an incident in scope happened (issue 9)."""
    return _kept(connection, postmortem_ids, RECURRENCE_KEY)


def _same_service(connection: ReadConnection, postmortem_ids: tuple[int, ...] | None) -> list[dict[str, Any]]:
    """Items of earlier postmortems still open on a service an incident in scope hit again (issue 14)."""
    return _kept(connection, postmortem_ids, SAME_SERVICE_KEY)


def _kept(
    connection: ReadConnection, postmortem_ids: tuple[int, ...] | None, key: str
) -> list[dict[str, Any]]:
    """What import kept under `key` in postmortems' `extra`, loading only postmortems that name it."""
    # The text test is a superset (the reader decides), so the other ten thousand are not loaded.
    sql = "SELECT slug, extra FROM postmortems WHERE CAST(extra AS TEXT) LIKE :pattern"
    if postmortem_ids is not None:
        sql += f" AND id IN ({in_list(postmortem_ids)})"
    rows = connection.execute(sql + " ORDER BY incident_date, slug", {"pattern": f'%"{key}"%'})
    kept = [(row.slug, (as_json(row.extra) or {}).get(key) or []) for row in rows]
    if not any(entries for _slug, entries in kept):
        return []
    from tracker.recurrence_text import Match, StillOpen

    kind: Callable[..., Any] = Match if key == RECURRENCE_KEY else StillOpen
    return [
        {"incident": slug, **raw, "sentence": kind(**raw).sentence()}
        for slug, entries in kept
        for raw in entries
    ]
