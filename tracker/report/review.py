"""The review meeting's view: each item with its facts, lint flags, and what changed since the last report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection, Row

from tracker.coltypes import utcnow
from tracker.report.owners import attribute
from tracker.report.queries import Scope, item_states
from tracker.report.shape import Change, Review, ReviewItem, ReviewLink
from tracker.report.sqlbits import Dialect
from tracker.tables import action_items, events, links, postmortems, report_runs

CHANGE_KINDS = ("new_item", "newly_done", "newly_overdue", "reassigned", "deadline_moved", "reopened")


def postmortems_in_window(connection: Connection, start: date, end: date) -> list[Row[Any]]:
    """Postmortems (id, slug) whose follow-up review date falls in [start, end]."""
    p = postmortems.c
    query = (
        select(p.id, p.slug)
        .where(p.review_date >= start, p.review_date <= end)
        .order_by(p.review_date, p.slug)
    )
    return list(connection.execute(query))


def _snapshot(row: dict[str, Any]) -> dict[str, Any]:
    """What a saved report remembers of an item: enough to say what changed by the next one."""
    return {
        "status": row["status"],
        "deadline": row["deadline"],
        "owner": row["owner_person"] or row["owner_text"],
        "overdue": bool(row["overdue"]),
    }


def previous_snapshots(
    connection: Connection, item_ids: list[int], before: datetime
) -> dict[int, tuple[datetime, dict[str, Any]]]:
    """For each item, its state in the latest saved report before `before` that included it."""
    from tracker.report.manager import is_manager_scope

    wanted = {str(i) for i in item_ids}
    found: dict[int, tuple[datetime, dict[str, Any]]] = {}
    r = report_runs.c
    runs = connection.execute(
        select(r.created_at, r["items"].label("snapshot"))
        .where(r.created_at < before, ~is_manager_scope(r.scope))  # not the manager's runs
        .order_by(r.created_at.desc())
        .limit(200)
    )
    for run in runs:
        for key in wanted & set(run.snapshot):
            found.setdefault(int(key), (run.created_at, run.snapshot[key]))
        wanted -= set(run.snapshot)
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


def lint_flags(app: Any, connection: Connection, item_ids: list[int], today: date) -> dict[int, list[str]]:
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


def lint_rows(connection: Connection, item_ids: list[int]) -> list[Any]:
    """The items as lint reads a database row (its postmortem and links as attributes), read with Core."""
    from types import SimpleNamespace

    i, p, k = action_items.c, postmortems.c, links.c
    query = (
        select(
            i.id, i.title, i.title_text, i.description, i.owner_text, i.deadline_text, i.deadline, i.status,
            i.source_line, i.created_at, p.slug, p.incident_date, p.review_date, p.source_path,
        )
        .select_from(action_items.join(postmortems, p.id == i.postmortem_id))
        .where(i.id.in_(item_ids))
        .order_by(i.postmortem_id, i.position, i.id)
    )  # fmt: skip
    rows = []
    for row in connection.execute(query):
        values = row._asdict()
        postmortem = SimpleNamespace(
            slug=values.pop("slug"),
            incident_date=values.pop("incident_date"),
            review_date=values.pop("review_date"),
            source_path=values.pop("source_path"),
        )
        rows.append(SimpleNamespace(**values, postmortem=postmortem, links=[]))
    by_id = {row.id: row for row in rows}
    found = select(k.item_id, k.state, k.remote_updated_at).where(k.item_id.in_(item_ids)).order_by(k.id)
    for link in connection.execute(found):
        by_id[link.item_id].links.append(link)
    return rows


def first_seen(connection: Connection, item_ids: list[int]) -> dict[int, datetime]:
    """When tracker first recorded each item: its earliest event's recorded time (as lint reads it)."""
    e = events.c
    seen: dict[int, datetime] = {}
    for start in range(0, len(item_ids), 500):
        query = (
            select(e.item_id, func.min(e.recorded_at))
            .where(e.item_id.in_(item_ids[start : start + 500]))
            .group_by(e.item_id)
        )
        seen.update({item_id: when for item_id, when in connection.execute(query) if item_id is not None})
    return seen


def review(
    app: Any,
    connection: Connection,
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
        k = links.c
        query = (
            select(k.item_id, k.target, k.key, k.url, k.state).where(k.item_id.in_(ids)).order_by(k.target)
        )
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
        connection.execute(
            insert(report_runs).values(
                created_at=utcnow(),
                scope=scope_key[:300],
                actor_user=getattr(app.actor, "user", None),
                items={str(row["id"]): _snapshot(row) for row in rows},
            )
        )
    return {
        "scope": scope_key,
        "previous_report_at": previous_at.isoformat() if previous_at else None,
        "items": items,
        "changes": summary,
    }
