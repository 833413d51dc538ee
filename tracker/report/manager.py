"""The manager's view: what is overdue and who owns it, unowned work, completion by due date and incident month."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from tracker.models import ActionItem, Link, Postmortem, ReportRun
from tracker.report.queries import Scope, params, row_filter
from tracker.report.sqlbits import Dialect

WINDOWS = (30, 60, 90)  # days after the incident by which an item counts as done in time
ORG_SCOPE = "organisation"  # report_runs.scope of a saved organisation-wide report
CHANGE_FIGURES = ("total", "done", "open", "in_progress", "overdue", "unowned")


def _attention_rows(session: Session, dialect: Dialect, scope: Scope) -> list[Any]:
    """Report rows at the cut that are still to do and either overdue or without a person as owner."""
    sql = (
        "SELECT r.item_id, r.deadline, r.owner_person, r.team, r.owner_lower FROM report_rows r"
        f" WHERE {row_filter(scope)} AND r.kind < 2 AND (r.deadline < :today OR r.owner_person IS NULL)"
    )
    return list(session.execute(text(sql), params(dialect, scope, rows=True)))


def _item_facts(session: Session, ids: list[int]) -> dict[int, dict[str, Any]]:
    """Title, postmortem, owner as written and first linked issue of each item."""
    facts: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = session.execute(
            select(ActionItem.id, ActionItem.title, ActionItem.owner_text, Postmortem.slug)
            .join(Postmortem, Postmortem.id == ActionItem.postmortem_id)
            .where(ActionItem.id.in_(chunk))
        )
        for item_id, title, owner_text, slug in rows:
            facts[item_id] = {"title": title, "owner_text": owner_text, "postmortem": slug, "issue": None}
        links = session.execute(
            select(Link.item_id, Link.key, Link.url)
            .where(Link.item_id.in_(chunk), Link.state == "linked")
            .order_by(Link.item_id, Link.target)
        )
        for item_id, key, url in links:
            if facts.get(item_id) and facts[item_id]["issue"] is None:
                facts[item_id]["issue"] = {"key": key, "url": url}
    return facts


def _owner(fact: dict[str, Any], owner_lower: str | None) -> str | None:
    """The owner as written at the cut: today's spelling when it is the same name, else as stored then."""
    written = fact.get("owner_text")
    if owner_lower is None:
        return None
    return written if written and written.lower() == owner_lower else owner_lower


def attention(
    session: Session, dialect: Dialect, scope: Scope
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(overdue items, most overdue first; open items without a person as owner, oldest first)."""
    rows = _attention_rows(session, dialect, scope)
    facts = _item_facts(session, sorted({row.item_id for row in rows}))
    epoch = date(1970, 1, 1)
    overdue, unowned = [], []
    for row in rows:
        fact = facts.get(row.item_id, {})
        entry = {
            "id": row.item_id,
            "postmortem": fact.get("postmortem"),
            "title": fact.get("title"),
            "owner": _owner(fact, row.owner_lower),
            "person": row.owner_person,
            "team": row.team,
            "deadline": (epoch + timedelta(days=row.deadline)).isoformat()
            if row.deadline is not None
            else None,
            "days_overdue": 0,
            "issue": fact.get("issue"),
        }
        if row.deadline is not None and row.deadline < dialect.day_number(scope.today):
            entry["days_overdue"] = dialect.day_number(scope.today) - row.deadline
            overdue.append(entry)
        if row.owner_person is None:
            unowned.append(entry)
    overdue.sort(key=lambda e: (-e["days_overdue"], e["id"]))
    unowned.sort(key=lambda e: e["id"])
    return overdue, unowned


def due_so_far(session: Session, dialect: Dialect, scope: Scope) -> dict[str, Any]:
    """Of the items whose deadline (at the cut) is today or earlier, how many are done (won't do left out)."""
    sql = (
        "SELECT COUNT(*) FILTER (WHERE r.kind = 2) AS done, COUNT(*) FILTER (WHERE r.kind <> 3) AS committed"
        f" FROM report_rows r WHERE {row_filter(scope)} AND r.deadline <= :today"
    )
    done, committed = session.execute(text(sql), params(dialect, scope, rows=True)).one()
    done, committed = int(done or 0), int(committed or 0)
    return {"done": done, "due": committed, "rate": round(done / committed, 4) if committed else None}


def by_incident_month(session: Session, dialect: Dialect, scope: Scope) -> list[dict[str, Any]]:
    """Per month of incidents: the committed items, and how many were done within 30/60/90 days.

    Days count from the incident's date to the local date of the close. Items done before tracking
    have no close time: they count in `done` and `done_time_unknown`, in no window. A window's share
    is null until it has passed for every incident of the month (the month's last day + N days is
    before today), so a young month is not read as slow.
    """
    if dialect.sqlite:
        month = "substr(p.incident_date, 1, 7)"
        incident_day = "CAST(julianday(p.incident_date) - 2440587.5 AS INTEGER)"
    else:
        month = "to_char(p.incident_date, 'YYYY-MM')"
        incident_day = "(p.incident_date - DATE '1970-01-01')"
    close_day = dialect.local_day("r.done_at", scope.low, scope.cut)
    windows = ", ".join(
        f"COUNT(*) FILTER (WHERE r.kind = 2 AND r.done_at IS NOT NULL AND {close_day} - {incident_day} <= {n})"
        f" AS within_{n}"
        for n in WINDOWS
    )
    sql = f"""
SELECT {month} AS month, COUNT(*) FILTER (WHERE r.kind <> 3) AS committed,
  COUNT(*) FILTER (WHERE r.kind = 2) AS done, COUNT(*) FILTER (WHERE r.kind = 2 AND r.done_at IS NULL) AS unknown,
  {windows}
FROM report_rows r JOIN postmortems p ON p.id = r.postmortem_id
WHERE {row_filter(scope)} AND p.incident_date IS NOT NULL
GROUP BY {month} ORDER BY {month}"""
    out = []
    for row in session.execute(text(sql), params(dialect, scope, rows=True)).mappings():
        year, number = (int(part) for part in row["month"].split("-"))
        last_day = date(year + number // 12, number % 12 + 1, 1) - timedelta(days=1)
        entry: dict[str, Any] = {
            "month": row["month"],
            "items": int(row["committed"]),
            "done": int(row["done"]),
            "done_time_unknown": int(row["unknown"]),
        }
        for n in WINDOWS:
            within = int(row[f"within_{n}"])
            entry[f"within_{n}"] = within
            complete = last_day + timedelta(days=n) < scope.today
            entry[f"rate_{n}"] = round(within / entry["items"], 4) if complete and entry["items"] else None
        out.append(entry)
    return out


def teams_by_overdue(groups: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Teams with overdue items, most overdue first (then most still open)."""
    rows = [
        {"team": g["key"], "overdue": g["overdue"], "open": g["open"] + g["in_progress"], "total": g["total"]}
        for g in groups.get("team", [])
        if g["overdue"]
    ]
    return sorted(rows, key=lambda r: (-r["overdue"], -r["open"], str(r["team"])))


def changes_since(
    session: Session, current: dict[str, int], before: Any, save: bool, actor: str | None
) -> dict[str, Any]:
    """The headline counts against the previous saved organisation-wide report; this one is saved."""
    previous = session.scalars(
        select(ReportRun)
        .where(ReportRun.scope == ORG_SCOPE, ReportRun.created_at < before)
        .order_by(ReportRun.created_at.desc())
        .limit(1)
    ).first()
    if save:
        try:  # a read-only database still reports; it just cannot remember this one
            with session.begin_nested():
                session.add(ReportRun(scope=ORG_SCOPE, actor_user=actor, items={"figures": current}))
                session.flush()
        except SQLAlchemyError:
            pass
    if previous is None or not isinstance(previous.items.get("figures"), dict):
        return {"previous_report_at": None, "figures": {}}
    then = previous.items["figures"]
    return {
        "previous_report_at": previous.created_at.isoformat(),
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
    session: Session,
    dialect: Dialect,
    scope: Scope,
    summary: dict[str, Any],
    groups: dict[str, list[dict[str, Any]]],
    save: bool,
) -> dict[str, Any]:
    """Everything the organisation-wide report leads with (docs/report.md, "The manager's view")."""
    overdue, unowned = attention(session, dialect, scope)
    current = {name: int(summary.get(name) or 0) for name in CHANGE_FIGURES if name != "unowned"}
    current["unowned"] = len(unowned)
    return {
        "overdue": overdue,
        "unowned": unowned,
        "due_so_far": due_so_far(session, dialect, scope),
        "by_incident_month": by_incident_month(session, dialect, scope),
        "teams_by_overdue": teams_by_overdue(groups),
        "since_previous": changes_since(session, current, scope.cut, save, getattr(app.actor, "user", None)),
    }
