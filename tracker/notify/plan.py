"""What each command sends: the digest, the manager summary, and one reminder per owner, with ledger keys."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.models import ActionItem, Postmortem
from tracker.notify import ledger
from tracker.notify.channels import EmailChannel, SlackChannel, TeamsChannel
from tracker.notify.message import Entry, Message, Recipient, Section, entry_from_markdown
from tracker.notify.run import Outgoing
from tracker.remind.digest import SECTIONS

if TYPE_CHECKING:
    from tracker.app import AppContext
    from tracker.report.shape import Report


def digest_outgoing(app: AppContext, data: dict[str, Any], names: list[str]) -> list[Outgoing]:
    """The week's digest (from `tracker.remind.digest.digest_data`), once per ISO week per channel."""
    org = app.config.org.name
    message = Message(
        kind="digest",
        title=f"Postmortem action items: week {data['week']}" + (f" - {org}" if org else ""),
        intro=(f"{data['from']} to {data['to']}",),
        sections=tuple(
            Section(heading, tuple(entry_from_markdown(line) for line in data[key]))
            for key, heading in SECTIONS
        ),
        link=("Full report", app.config.report.url) if app.config.report.url else None,
        footer="Sent by tracker digest --notify.",
    )
    return [
        Outgoing(
            name,
            message,
            [
                {
                    "key": f"digest:{name}:{data['week']}",
                    "channel": name,
                    "kind": "digest",
                    "period": data["week"],
                }
            ],
            f"the digest for {data['week']}",
        )
        for name in names
    ]


def report_outgoing(app: AppContext, report: dict[str, Any], names: list[str], limit: int) -> list[Outgoing]:
    """The manager's summary, once per day and scope per channel, with the change since the last one."""
    from tracker.notify.summary import manager_summary, open_items, summary_message

    items = None
    if not report.get("review"):
        with app.session() as session:
            items = open_items(app, session, date.fromisoformat(report["date"]))
    summary = manager_summary(report, items)
    html = None
    url = app.config.report.url
    if url is None and any(isinstance(app.config.notify[n], EmailChannel) for n in names):
        from tracker.report.render_html import to_html

        html = to_html(cast("Report", report), limit)  # the report as build_report typed it
    out = []
    for name in names:
        before = ledger.last_sent_detail(app, name, "report", summary["scope"])
        channel = app.config.notify[name]
        message = summary_message(summary, before, url, html if isinstance(channel, EmailChannel) else None)
        key = f"report:{name}:{summary['scope']}:{summary['date']}"
        detail = {"date": summary["date"], "figures": summary["figures"]}
        row = {"key": key, "channel": name, "kind": "report", "period": summary["date"], "detail": detail}
        out.append(Outgoing(name, message, [row], f"the summary for {summary['date']}"))
    return out


def _recipient(app: AppContext, handle: str) -> Recipient:
    person = app.config.people[handle]
    return Recipient(handle, person.name or handle, person.slack, person.email)


def remind_outgoing(
    app: AppContext, names: list[str], today: date
) -> tuple[list[Outgoing], dict[str, list[str]]]:
    """One message per owner and channel listing their due and overdue items, when one of those items has
    a reminder due today (`[remind]` schedule) that this channel has not carried yet."""
    from tracker.remind.plan import due_kinds

    settings = app.config.remind
    with app.session() as session:
        items = session.scalars(
            select(ActionItem)
            .join(Postmortem)
            .where(
                ActionItem.removed_at.is_(None),
                ActionItem.status.in_(("open", "in_progress")),
                ActionItem.deadline.is_not(None),
                Postmortem.historical.is_(False),
            )
            .options(selectinload(ActionItem.postmortem), selectinload(ActionItem.links))
            .order_by(ActionItem.deadline, ActionItem.id)
        ).all()
        by_person: dict[str, list[tuple[ActionItem, list[tuple[str, int]]]]] = {}
        for item in items:
            handle = app.resolver.resolve(item.owner_text).person
            kinds = due_kinds(
                item.deadline, today, settings.before_days, settings.every_days, settings.escalate_after_days
            )
            if handle and kinds:
                by_person.setdefault(handle, []).append((item, kinds))
        out: list[Outgoing] = []
        notes: dict[str, list[str]] = {}
        for name in names:
            channel = app.config.notify[name]
            done = ledger.covered(app, name, "remind")
            for handle, entries in sorted(by_person.items()):
                person = _recipient(app, handle)
                rows = [
                    {
                        "key": f"remind:{name}:{handle}:{kind}:{item.id}:{item.deadline}:{rnd}",
                        "channel": name,
                        "kind": "remind",
                        "period": today.isoformat(),
                        "recipient": handle,
                        "item_id": item.id,
                    }
                    for item, kinds in entries
                    for kind, rnd in kinds
                ]
                if all(row["key"] in done for row in rows):
                    continue
                if isinstance(channel, EmailChannel) and not person.email:
                    notes.setdefault(name, []).append(f"{handle}: no [people] email; reminder not sent")
                    continue
                out.append(
                    Outgoing(
                        name, _reminder(app, person, entries, today, channel), rows, f"{handle}'s reminder"
                    )
                )
    return out, notes


def _reminder(
    app: AppContext,
    person: Recipient,
    entries: list[tuple[ActionItem, list[tuple[str, int]]]],
    today: date,
    channel: SlackChannel | TeamsChannel | EmailChannel,
) -> Message:
    def entry(item: ActionItem, extra: str) -> Entry:
        link = next((lk for lk in item.links if lk.state == "linked" and lk.url), None)
        text = f"#{item.id} {item.title} ({item.postmortem.slug}{extra})"
        return Entry(text, link.url if link else None, (link.key or "issue") if link else None)

    overdue = [e for e in entries if e[0].deadline and e[0].deadline < today]
    due = [e for e in entries if e[0].deadline and e[0].deadline >= today]
    return Message(
        kind="remind",
        title=f"Your postmortem action items: {len(overdue)} overdue, {len(due)} due soon",
        sections=(
            Section(
                "Overdue",
                tuple(
                    entry(i, f", due {i.deadline}, {(today - i.deadline).days} days overdue")
                    for i, _ in overdue
                    if i.deadline
                ),
            ),
            Section("Due soon", tuple(entry(i, f", due {i.deadline}") for i, _ in due)),
        ),
        recipient=person,
        link=("Full report", app.config.report.url) if app.config.report.url else None,
        footer="Sent by tracker remind. Close the issue, or `tracker done ID`, when it is finished.",
        subject=f"[tracker] {person.name}: {len(overdue)} overdue, {len(due)} due soon",
    )
