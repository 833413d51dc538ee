"""The manager's summary from the report's JSON (one adapter, docs/report.md's public shape) as a message."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.models import ActionItem, Postmortem
from tracker.notify.message import Attachment, Entry, Message, Section

if TYPE_CHECKING:
    from tracker.app import AppContext

FIGURES = ("total", "open", "in_progress", "done", "wont_do", "overdue", "no_deadline", "completion_rate")
OPEN = ("open", "in_progress")


def open_items(app: AppContext, session: Session, today: date) -> list[dict[str, Any]]:
    """Open items over the whole organisation in the report's review-item shape (the summary report
    lists none): id, postmortem, title, owner, owner_person, status, deadline, overdue, days_overdue, links."""
    items = session.scalars(
        select(ActionItem)
        .join(Postmortem)
        .where(ActionItem.removed_at.is_(None), ActionItem.status.in_(OPEN), Postmortem.historical.is_(False))
        .options(selectinload(ActionItem.postmortem), selectinload(ActionItem.links))
        .order_by(ActionItem.deadline, ActionItem.id)
    ).all()
    rows = []
    for item in items:
        overdue = item.deadline is not None and item.deadline < today
        rows.append(
            {
                "id": item.id,
                "postmortem": item.postmortem.slug,
                "title": item.title,
                "owner": item.owner_text,
                "owner_person": app.resolver.resolve(item.owner_text).person,
                "status": item.status,
                "deadline": item.deadline.isoformat() if item.deadline else None,
                "overdue": overdue,
                "days_overdue": (today - item.deadline).days if overdue and item.deadline else 0,
                "links": [
                    {"target": lk.target, "key": lk.key, "url": lk.url, "state": lk.state}
                    for lk in item.links
                ],
            }
        )
    return rows


def manager_summary(report: dict[str, Any], items: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The adapter: everything the summary needs, read from a report dict (report_version 1).

    Items come from the report's review view when it has one, else from `items` (same shape).
    """
    review = report.get("review")
    rows = list(review["items"]) if review else list(items or [])
    figures = {key: report["summary"].get(key) for key in FIGURES}
    figures["on_time_rate"] = report["summary"].get("on_time_rate")
    opened = [row for row in rows if row.get("status") in OPEN]
    scope = report.get("scope") or {}
    scope_key = next((f"{k}={v}" for k, v in scope.items() if v and k != "per_person"), "all")
    return {
        "date": report["date"],
        "organisation": report.get("organisation"),
        "scope": scope_key.replace(" ", ""),
        "figures": figures,
        "warnings": list(report.get("warnings") or []),
        "overdue": sorted(
            (r for r in opened if r.get("overdue")), key=lambda r: -int(r.get("days_overdue") or 0)
        ),
        "unowned": [r for r in opened if not r.get("owner_person")],
    }


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.0f}%"


def _entry(row: dict[str, Any], extra: str) -> Entry:
    link = next((lk for lk in row.get("links") or [] if lk.get("state") == "linked" and lk.get("url")), None)
    owner = row.get("owner") or "no owner"
    text = f"#{row['id']} {row['title']} ({row['postmortem']}, {owner}{extra})"
    return Entry(text, link["url"] if link else None, (link.get("key") or "issue") if link else None)


def _changes(now: dict[str, Any], before: dict[str, Any] | None) -> str:
    if before is None:
        return "First summary on this channel."
    parts = []
    for key, label in (("done", "done"), ("open", "open"), ("overdue", "overdue"), ("total", "items")):
        delta = (now["figures"].get(key) or 0) - (before["figures"].get(key) or 0)
        if delta:
            parts.append(f"{label} {delta:+d}")
    rate_now, rate_then = now["figures"]["completion_rate"], before["figures"].get("completion_rate")
    if rate_now is not None and rate_then is not None and round(rate_now - rate_then, 4):
        parts.append(f"completion {(rate_now - rate_then) * 100:+.0f} points")
    return f"Since the last summary ({before['date']}): " + (", ".join(parts) if parts else "no change") + "."


def summary_message(
    summary: dict[str, Any], before: dict[str, Any] | None, url: str | None, html: str | None
) -> Message:
    """Headline figures, what changed since the last summary sent here, overdue and unowned items."""
    f = summary["figures"]
    org = summary["organisation"]
    title = f"Postmortem follow-up {summary['date']}" + (f": {org}" if org else "")
    intro = (
        f"Completion {_percent(f['completion_rate'])}, on time {_percent(f['on_time_rate'])}.",
        f"{f['total']} items: {f['open']} open, {f['in_progress']} in progress, {f['done']} done, "
        f"{f['wont_do']} won't do; {f['overdue']} overdue, {f['no_deadline']} without a deadline.",
        _changes(summary, before),
        *summary["warnings"],
    )
    sections = (
        Section(
            "Overdue",
            tuple(_entry(r, f", {r.get('days_overdue')} days overdue") for r in summary["overdue"]),
        ),
        Section("Without a person as owner", tuple(_entry(r, "") for r in summary["unowned"])),
    )
    attachments: tuple[Attachment, ...] = ()
    if url is None and html is not None:
        attachments = (Attachment(f"tracker-report-{summary['date']}.html", "text/html", html),)
    return Message(
        kind="report",
        title=title,
        intro=intro,
        sections=sections,
        link=("Full report", url) if url else None,
        attachments=attachments,
        footer="Sent by tracker report --notify."
        + ("" if url else " Full report: tracker report --format html."),
    )
