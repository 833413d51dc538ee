"""The review meeting's view: each item with its facts, lint flags, and what changed since the last report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import Link, Postmortem, ReportRun
from tracker.report.owners import attribute
from tracker.report.queries import Scope, item_states
from tracker.report.sqlbits import Dialect

CHANGE_KINDS = ("new_item", "newly_done", "newly_overdue", "reassigned", "deadline_moved", "reopened")


def postmortems_in_window(session: Session, start: date, end: date) -> list[Postmortem]:
    """Postmortems whose follow-up review date falls in [start, end]."""
    query = (
        select(Postmortem)
        .where(Postmortem.review_date >= start, Postmortem.review_date <= end)
        .order_by(Postmortem.review_date, Postmortem.slug)
    )
    return list(session.scalars(query))


def _snapshot(row: dict[str, Any]) -> dict[str, Any]:
    """What a saved report remembers of an item: enough to say what changed by the next one."""
    return {
        "status": row["status"],
        "deadline": row["deadline"],
        "owner": row["owner_person"] or row["owner_text"],
        "overdue": bool(row["overdue"]),
    }


def previous_snapshots(
    session: Session, item_ids: list[int], before: datetime
) -> dict[int, tuple[datetime, dict[str, Any]]]:
    """For each item, its state in the latest saved report before `before` that included it."""
    from tracker.report.manager import is_manager_scope

    wanted = {str(i) for i in item_ids}
    found: dict[int, tuple[datetime, dict[str, Any]]] = {}
    runs = session.scalars(
        select(ReportRun)
        .where(ReportRun.created_at < before, ~is_manager_scope(ReportRun.scope))  # not the manager's runs
        .order_by(ReportRun.created_at.desc())
        .limit(200)
    )
    for run in runs:
        for key in wanted & set(run.items):
            found.setdefault(int(key), (run.created_at, run.items[key]))
        wanted -= set(run.items)
        if not wanted:
            break
    return found


def changes(
    now: dict[str, Any], then: dict[str, Any] | None, who: Callable[[str | None], str | None] = str
) -> list[dict[str, Any]]:
    """What changed for one item between the previous report (`then`) and this one.

    `who` names the person behind an owner as saved (a handle or the text as written) by today's
    configuration, so resolving a spelling ("@lena" -> lena) is not a reassignment.
    """
    if then is None:
        return [{"kind": "new_item"}]
    found: list[dict[str, Any]] = []
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


def lint_flags(app: Any, session: Session, item_ids: list[int], today: date) -> dict[int, list[str]]:
    """Rule ids flagged on each open item in scope now (lint judges the items as they stand today).

    Only the items in scope are checked (the cross-postmortem duplicate rule compares every open item
    with every other one, which a report over one postmortem has no business paying for).
    """
    if not item_ids:
        return {}
    from sqlalchemy.orm import selectinload

    from tracker.lint.engine import findings_by_item, run_rules
    from tracker.lint.sources import first_seen, item_from_model, make_context
    from tracker.models import ActionItem

    rows = list(
        session.scalars(
            select(ActionItem)
            .where(ActionItem.id.in_(item_ids))
            .options(selectinload(ActionItem.postmortem), selectinload(ActionItem.links))
            .order_by(ActionItem.postmortem_id, ActionItem.position, ActionItem.id)
        )
    )
    seen = first_seen(session, [row.id for row in rows])
    items = [item_from_model(row, seen.get(row.id)) for row in rows]
    context = make_context(app.config, today, app.resolver)
    context.from_database = True
    grouped = findings_by_item(run_rules(items, context))
    return {item_id: list(dict.fromkeys(f.rule for f in found)) for item_id, found in grouped.items()}


def review(
    app: Any,
    session: Session,
    dialect: Dialect,
    scope: Scope,
    *,
    scope_key: str,
    save: bool,
    include_lint: bool = True,
) -> dict[str, Any]:
    """Items in scope with status, owner, deadline, days overdue, links, lint flags and changes."""
    rows = item_states(session, dialect, scope)
    for row in rows:  # attributed by today's configuration, like every figure
        row["owner_person"], row["owner_team"] = attribute(app.config, app.resolver, row["owner_text"])

    def who(owner: str | None) -> str | None:
        return attribute(app.config, app.resolver, owner)[0] or (owner.lower() if owner else None)

    ids = [row["id"] for row in rows]
    links: dict[int, list[dict[str, Any]]] = {}
    if ids:
        for link in session.scalars(select(Link).where(Link.item_id.in_(ids)).order_by(Link.target)):
            links.setdefault(link.item_id, []).append(
                {"target": link.target, "key": link.key, "url": link.url, "state": link.state}
            )
    flags = lint_flags(app, session, ids, scope.today) if include_lint else {}
    previous = previous_snapshots(session, ids, scope.cut)
    previous_at = max((when for when, _ in previous.values()), default=None)
    items: list[dict[str, Any]] = []
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
                "links": links.get(row["id"], []),
                "lint": flags.get(row["id"], []),
                "changes": found,
            }
        )
    if save:
        session.add(
            ReportRun(
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
