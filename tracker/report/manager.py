"""The manager's view: what is overdue and who owns it, unowned work, completion by due date and incident month."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from tracker.readdb import ReadConnection, as_datetime, as_json
from tracker.report.queries import WINDOWS, Scope, params, row_filter
from tracker.report.shape import (
    Figures,
    Group,
    IncidentMonth,
    ListedItem,
    ManagerView,
    SincePrevious,
    TeamOverdue,
)
from tracker.report.sqlbits import Dialect

ORG_SCOPE = "organisation"  # report_runs.scope of a saved organisation-wide report
LIST_CAP = 500  # items listed as overdue or unowned; a longer list is read as its count, which is exact
EPOCH_DAY = date(1970, 1, 1)
# What `unowned` counts: the owner is not resolved to a person through [people] (none, a team, a name).
UNOWNED_MEANS = "open without a person as owner (not in [people])"
CHANGE_FIGURES = ("total", "done", "open", "in_progress", "overdue", "unowned")


def _listed(
    connection: ReadConnection, dialect: Dialect, scope: Scope, condition: str, order: str
) -> list[Any]:
    """The first LIST_CAP items still to do at the cut that meet `condition`, in `order`, with what the
    lists show: the report rows are ranked first (a top-N sort), then only those are joined to their
    item, postmortem and first linked issue."""
    # The ranking reads only what the report rows' indexes hold (key columns and the deadline), so
    # SQLite answers it from a covering index; the 500 chosen rows are then read whole by key.
    sql = f"""
SELECT r.item_id, r.deadline, r.owner_person, r.team, r.owner_lower, i.title, i.owner_text, p.slug,
  l.key AS issue_key, l.url AS issue_url
FROM (
  SELECT r.postmortem_id, r.item_id, r.valid_from, r.deadline FROM report_rows r
  WHERE {row_filter(scope)} AND r.kind < 2 AND {condition} ORDER BY {order} LIMIT {LIST_CAP}
) top
JOIN report_rows r ON r.postmortem_id = top.postmortem_id AND r.item_id = top.item_id
  AND r.valid_from = top.valid_from
JOIN action_items i ON i.id = r.item_id
JOIN postmortems p ON p.id = r.postmortem_id
LEFT JOIN links l ON l.id = (SELECT MIN(k.id) FROM links k WHERE k.item_id = r.item_id AND k.state = 'linked')
ORDER BY {order.replace("r.", "top.")}"""
    return list(connection.execute(sql, params(dialect, scope, rows=True)))


def _owner(owner_text: str | None, owner_lower: str | None) -> str | None:
    """The owner as written at the cut: today's spelling when it is the same name, else as stored then."""
    if owner_lower is None:
        return None
    return owner_text if owner_text and owner_text.lower() == owner_lower else owner_lower


def _entry(row: Any, today: int) -> ListedItem:
    late = row.deadline is not None and row.deadline < today
    return {
        "id": row.item_id,
        "postmortem": row.slug,
        "title": row.title,
        "owner": _owner(row.owner_text, row.owner_lower),
        "person": row.owner_person,
        "team": row.team,
        "deadline": (EPOCH_DAY + timedelta(days=row.deadline)).isoformat()
        if row.deadline is not None
        else None,
        "days_overdue": today - row.deadline if late else 0,
        "issue": {"key": row.issue_key, "url": row.issue_url} if row.issue_key or row.issue_url else None,
    }


def attention(
    connection: ReadConnection, dialect: Dialect, scope: Scope
) -> tuple[list[ListedItem], list[ListedItem]]:
    """(overdue items, most overdue first; open items without a person as owner, oldest first), at most
    LIST_CAP each: the summary's `overdue` and the view's `unowned_count` count them all."""
    today = dialect.day_number(scope.today)
    overdue = _listed(connection, dialect, scope, "r.deadline < :today", "r.deadline, r.item_id")
    unowned = _listed(connection, dialect, scope, "r.owner_person IS NULL", "r.item_id")
    return [_entry(row, today) for row in overdue], [_entry(row, today) for row in unowned]


def by_incident_month(months: list[Group], today: date) -> list[IncidentMonth]:
    """Per month of incidents: the committed items, and how many were done within 30/60/90 days.

    `months` are the figures' "incident_month" groups (`queries.figures`, counted in its pass per
    postmortem). Days count from the incident's date to the local date of the close. Items done
    before tracking have no close time: they count in `done` and `done_time_unknown`, in no window,
    and are left out of the windows' base (`window_base`), as on-time leaves them out. A window's
    share is null until it has passed for every incident of the month (the month's last day + N
    days is before today), so a young month is not read as slow.
    """
    out: list[IncidentMonth] = []
    for row in sorted(months, key=lambda m: m["key"]):
        values = cast(Mapping[str, Any], row)
        year, number = (int(part) for part in row["key"].split("-"))
        last_day = date(year + number // 12, number % 12 + 1, 1) - timedelta(days=1)
        entry: dict[str, Any] = {
            "month": row["key"],
            "items": row["total"] - row["wont_do"],
            "done": row["done"],
            "done_time_unknown": row["done_before_tracking"],
        }
        # Done before tracking, its close time unknown: neither in time nor late, so out of the base.
        entry["window_base"] = entry["items"] - entry["done_time_unknown"]
        for n in WINDOWS:
            within = int(values[f"within_{n}"])
            entry[f"within_{n}"] = within
            complete = last_day + timedelta(days=n) < today
            base = entry["window_base"]
            entry[f"rate_{n}"] = round(within / base, 4) if complete and base else None
        out.append(cast(IncidentMonth, entry))
    return out


def teams_by_overdue(groups: dict[str, list[Group]]) -> list[TeamOverdue]:
    """Teams with overdue items, most overdue first (then most still open)."""
    rows: list[TeamOverdue] = [
        {"team": g["key"], "overdue": g["overdue"], "open": g["open"] + g["in_progress"], "total": g["total"]}
        for g in groups.get("team", [])
        if g["overdue"]
    ]
    return sorted(rows, key=lambda r: (-r["overdue"], -r["open"], str(r["team"])))


def manager_scope(team: str | None, target: str | None, severity: str | None, since: Any) -> str:
    """The saved scope of a manager's report: ORG_SCOPE itself only when nothing narrows it, so a
    report of one team, target, severity or period is never the organisation-wide baseline."""
    narrowed = (("team", team), ("target", target), ("severity", severity), ("since", since))
    return (ORG_SCOPE + "".join(f"|{key}:{value}" for key, value in narrowed if value))[:300]


def is_manager_scope(column: str) -> str:
    """SQL condition: a saved run is a manager's report (organisation-wide or narrowed)."""
    return f"({column} = '{ORG_SCOPE}' OR {column} LIKE '{ORG_SCOPE}|%')"


def save_run(connection: ReadConnection, scope_key: str, actor: str | None, items: dict[str, Any]) -> None:
    """Remember a report (its scope and what it showed) for the next one's "since the previous report"."""
    connection.execute(
        "INSERT INTO report_runs (created_at, scope, actor_user, items) VALUES (:at, :scope, :actor, :items)",
        {"at": datetime.now(UTC), "scope": scope_key[:300], "actor": actor, "items": items},
    )


def changes_since(
    connection: ReadConnection,
    current: dict[str, int],
    before: Any,
    save: bool,
    actor: str | None,
    scope_key: str = ORG_SCOPE,
) -> SincePrevious:
    """The headline counts against the previous saved report of the same scope; this one is saved."""
    row = connection.execute(
        "SELECT created_at, items FROM report_runs WHERE scope = :scope AND created_at < :before"
        " ORDER BY created_at DESC LIMIT 1",
        {"scope": scope_key, "before": before},
    ).first()
    previous = (as_datetime(row.created_at), as_json(row.items)) if row is not None else None
    if save:
        try:  # a read-only database still reports; it just cannot remember this one
            with connection.savepoint():
                save_run(connection, scope_key, actor, {"figures": current})
        except connection.errors:
            pass
    if previous is None or previous[0] is None or not isinstance(previous[1].get("figures"), dict):
        return {"scope": scope_key, "previous_report_at": None, "figures": {}}
    then = previous[1]["figures"]
    return {
        "scope": scope_key,
        "previous_report_at": previous[0].isoformat(),
        "figures": {
            name: {
                "then": then.get(name),
                "now": current[name],
                "change": current[name] - int(then.get(name) or 0),
            }
            for name in CHANGE_FIGURES
        },
    }


def manager_view(
    app: Any,
    connection: ReadConnection,
    dialect: Dialect,
    scope: Scope,
    summary: Figures,
    groups: dict[str, list[Group]],
    save: bool,
    scope_key: str = ORG_SCOPE,
    incident_months: list[Group] | None = None,
) -> ManagerView:
    """Everything the organisation-wide report leads with (docs/report.md, "The manager's view")."""
    overdue, unowned = attention(connection, dialect, scope)
    count = f"SELECT COUNT(*) FROM report_rows r WHERE {row_filter(scope)} AND r.kind < 2 AND r.owner_person IS NULL"
    unowned_count = int(connection.scalar(count, params(dialect, scope, rows=True)) or 0)
    figures = cast(Mapping[str, Any], summary)
    current = {name: int(figures.get(name) or 0) for name in CHANGE_FIGURES if name != "unowned"}
    current["unowned"] = unowned_count
    return {
        "overdue": overdue,
        "unowned": unowned,
        "unowned_count": unowned_count,
        "unowned_means": UNOWNED_MEANS,
        # Counted with the figures (`due`, `due_done`): the items due by today, won't do left out.
        "due_so_far": {
            "done": summary["due_done"],
            "due": summary["due"],
            "rate": round(summary["due_done"] / summary["due"], 4) if summary["due"] else None,
        },
        "by_incident_month": by_incident_month(incident_months or [], scope.today),
        "teams_by_overdue": teams_by_overdue(groups),
        "since_previous": changes_since(
            connection, current, scope.cut, save, getattr(app.actor, "user", None), scope_key
        ),
    }
