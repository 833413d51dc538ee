"""The review meeting's view: each item with its facts, lint flags, and what changed since the last report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from tracker.readdb import ReadConnection, as_date, as_datetime, as_json, in_list
from tracker.report.item_list import item_states
from tracker.report.owners import attribute
from tracker.report.queries import Scope
from tracker.report.shape import Change, Review, ReviewItem, ReviewLink
from tracker.report.sqlbits import Dialect

CHANGE_KINDS = ("new_item", "newly_done", "newly_overdue", "reassigned", "deadline_moved", "reopened")


def postmortems_in_window(connection: ReadConnection, start: date, end: date) -> list[Any]:
    """Postmortems (id, slug) whose follow-up review date falls in [start, end]."""
    return list(
        connection.execute(
            "SELECT id, slug FROM postmortems WHERE review_date >= :start AND review_date <= :end"
            " ORDER BY review_date, slug",
            {"start": start, "end": end},
        )
    )


def _snapshot(row: dict[str, Any]) -> dict[str, Any]:
    """What a saved report remembers of an item: enough to say what changed by the next one."""
    return {
        "status": row["status"],
        "deadline": row["deadline"],
        "owner": row["owner_person"] or row["owner_text"],
        "overdue": bool(row["overdue"]),
    }


def previous_snapshots(
    connection: ReadConnection, item_ids: list[int], before: datetime
) -> dict[int, tuple[datetime, dict[str, Any]]]:
    """For each item, its state in the latest saved report before `before` that included it."""
    from tracker.report.manager import is_manager_scope

    wanted = {str(i) for i in item_ids}
    found: dict[int, tuple[datetime, dict[str, Any]]] = {}
    runs = connection.execute(
        "SELECT created_at, items FROM report_runs"
        f" WHERE created_at < :before AND NOT {is_manager_scope('scope')}"  # not the manager's runs
        " ORDER BY created_at DESC LIMIT 200",
        {"before": before},
    )
    for run in runs:
        snapshot, created_at = as_json(run.items), as_datetime(run.created_at)
        for key in wanted & set(snapshot):
            found.setdefault(int(key), (created_at, snapshot[key]))  # type: ignore[arg-type]
        wanted -= set(snapshot)
        if not wanted:
            break
    return found


def changes(
    now: dict[str, Any], then: dict[str, Any] | None, who: Callable[[str | None], str | None] = str
) -> list[Change]:
    """What changed for one item between the previous report (`then`) and this one.

    `who` names the person behind an owner as saved (a handle or the text as written) by today's
    configuration, so resolving a spelling ("@lena" -> lena) is not a reassignment.
    """
    if then is None:
        return [{"kind": "new_item"}]
    found: list[Change] = []
    if now["status"] == "done" and then["status"] != "done":
        found.append({"kind": "newly_done", "from": then["status"]})
    elif now["status"] in ("open", "in_progress") and then["status"] in ("done", "wont_do"):
        found.append({"kind": "reopened", "from": then["status"]})
    if now["overdue"] and not then["overdue"]:
        found.append({"kind": "newly_overdue"})
    if who(now["owner"]) != who(then["owner"]):
        found.append({"kind": "reassigned", "from": then["owner"], "to": now["owner"]})
    if now["deadline"] != then["deadline"]:
        found.append({"kind": "deadline_moved", "from": then["deadline"], "to": now["deadline"]})
    return found


def lint_flags(
    app: Any, connection: ReadConnection, item_ids: list[int], today: date
) -> dict[int, list[str]]:
    """Rule ids flagged on each open item in scope now (lint judges the items as they stand today).

    Only the items in scope are checked (the cross-postmortem duplicate rule compares every open item
    with every other one, which a report over one postmortem has no business paying for).
    """
    if not item_ids:
        return {}
    from tracker.lint.engine import findings_by_item, run_rules
    from tracker.lint.sources import item_from_model, make_context

    rows = lint_rows(connection, item_ids)
    seen = first_seen(connection, [row.id for row in rows])
    items = [item_from_model(row, seen.get(row.id)) for row in rows]
    context = make_context(app.config, today, app.resolver)
    context.from_database = True
    grouped = findings_by_item(run_rules(items, context))
    return {item_id: list(dict.fromkeys(f.rule for f in found)) for item_id, found in grouped.items()}


def lint_rows(connection: ReadConnection, item_ids: list[int]) -> list[Any]:
    """The items as lint reads a database row (its postmortem and links as attributes), read with SQL text."""
    from types import SimpleNamespace

    ids = in_list(item_ids)
    query = f"""
SELECT i.id, i.title, i.title_text, i.description, i.owner_text, i.deadline_text, i.deadline, i.status,
  i.source_line, i.created_at, p.slug, p.incident_date, p.review_date, p.source_path
FROM action_items i JOIN postmortems p ON p.id = i.postmortem_id
WHERE i.id IN ({ids}) ORDER BY i.postmortem_id, i.position, i.id"""
    rows = []
    for row in connection.execute(query):
        postmortem = SimpleNamespace(
            slug=row.slug,
            incident_date=as_date(row.incident_date),
            review_date=as_date(row.review_date),
            source_path=row.source_path,
        )
        values = row._asdict()
        for name in ("slug", "incident_date", "review_date", "source_path"):
            del values[name]
        values["deadline"], values["created_at"] = as_date(row.deadline), as_datetime(row.created_at)
        rows.append(SimpleNamespace(**values, postmortem=postmortem, links=[]))
    by_id = {row.id: row for row in rows}
    found = f"SELECT item_id, state, remote_updated_at FROM links WHERE item_id IN ({ids}) ORDER BY id"
    for link in connection.execute(found):
        by_id[link.item_id].links.append(
            SimpleNamespace(
                item_id=link.item_id, state=link.state, remote_updated_at=as_datetime(link.remote_updated_at)
            )
        )
    return rows


def first_seen(connection: ReadConnection, item_ids: list[int]) -> dict[int, datetime]:
    """When tracker first recorded each item: its earliest event's recorded time (as lint reads it)."""
    seen: dict[int, datetime] = {}
    for start in range(0, len(item_ids), 500):
        query = (
            "SELECT item_id, MIN(recorded_at) AS seen FROM events"
            f" WHERE item_id IN ({in_list(item_ids[start : start + 500])}) GROUP BY item_id"
        )
        for row in connection.execute(query):
            when = as_datetime(row.seen)
            if row.item_id is not None and when is not None:
                seen[row.item_id] = when
    return seen


def review(
    app: Any,
    connection: ReadConnection,
    dialect: Dialect,
    scope: Scope,
    *,
    scope_key: str,
    save: bool,
    include_lint: bool = True,
) -> Review:
    """Items in scope with status, owner, deadline, days overdue, links, lint flags and changes."""
    rows = item_states(connection, dialect, scope)
    for row in rows:  # attributed by today's configuration, like every figure
        row["owner_person"], row["owner_team"] = attribute(app.config, app.resolver, row["owner_text"])

    def who(owner: str | None) -> str | None:
        return attribute(app.config, app.resolver, owner)[0] or (owner.lower() if owner else None)

    ids = [row["id"] for row in rows]
    item_links: dict[int, list[ReviewLink]] = {}
    if ids:
        query = f"SELECT item_id, target, key, url, state FROM links WHERE item_id IN ({in_list(ids)}) ORDER BY target"
        for link in connection.execute(query):
            item_links.setdefault(link.item_id, []).append(
                {"target": link.target, "key": link.key, "url": link.url, "state": link.state}
            )
    flags = lint_flags(app, connection, ids, scope.today) if include_lint else {}
    previous = previous_snapshots(connection, ids, scope.cut)
    previous_at = max((when for when, _ in previous.values()), default=None)
    items: list[ReviewItem] = []
    summary: dict[str, list[int]] = {kind: [] for kind in CHANGE_KINDS}
    for row in rows:
        snap = _snapshot(row)
        then = previous.get(row["id"])
        found = changes(snap, then[1] if then else None, who) if previous else []
        for change in found:
            summary[change["kind"]].append(row["id"])
        deadline = row["deadline"]
        days_overdue = (scope.today - date.fromisoformat(deadline)).days if row["overdue"] else 0
        items.append(
            {
                "id": row["id"],
                "postmortem": row["postmortem"],
                "title": row["title"],
                "owner": row["owner_text"],
                "owner_person": row["owner_person"],
                "owner_team": row["owner_team"],
                "status": row["status"],
                "closed_by_bot": row["kind"] == "bot",
                "deadline": deadline,
                "first_deadline": row["first_deadline"],
                "deadline_slips": int(row["slips"] or 0),
                "overdue": bool(row["overdue"]),
                "days_overdue": days_overdue,
                "links": item_links.get(row["id"], []),
                "lint": flags.get(row["id"], []),
                "changes": found,
            }
        )
    if save:
        from tracker.report.manager import save_run

        save_run(
            connection,
            scope_key,
            getattr(app.actor, "user", None),
            {str(row["id"]): _snapshot(row) for row in rows},
        )
    return {
        "scope": scope_key,
        "previous_report_at": previous_at.isoformat() if previous_at else None,
        "items": items,
        "changes": summary,
    }
