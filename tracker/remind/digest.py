"""The weekly digest in Markdown: due this week, overdue, newly done, held, unowned; posted once per ISO week."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.errors import UsageError
from tracker.models import ActionItem, Event, Postmortem, Reminder
from tracker.states import BEFORE_TRACKING

if TYPE_CHECKING:
    from tracker.app import AppContext

OPEN = ("open", "in_progress")
# Each section's key in `digest_data` and its heading, in order (the Markdown and the chat digests).
SECTIONS = (
    ("due", "Due this week"),
    ("overdue", "Overdue"),
    ("done", "Newly done"),
    ("held", "Held back from sync"),
    # Not "without an owner": an owner who is not a person in [people] (a team, a role) counts too.
    ("unowned", "Without a person as owner"),
)


def week_of(day: date) -> tuple[str, date, date]:
    """('2026-W27', Monday, Sunday) of the ISO week holding `day`."""
    year, week, weekday = day.isocalendar()
    monday = day - timedelta(days=weekday - 1)
    return f"{year}-W{week:02d}", monday, monday + timedelta(days=6)


def _line(item: ActionItem, extra: str) -> str:
    link = next((lk for lk in item.links if lk.state == "linked" and (lk.url or lk.key)), None)
    where = (
        f" ([{link.key or 'issue'}]({link.url}))" if link and link.url else (f" ({link.key})" if link else "")
    )
    owner = item.owner_text or "no owner"
    return f"- #{item.id} {item.title} ({item.postmortem.slug}, {owner}{extra}){where}"


def _unowned(app: AppContext, session: Session, opened: list[ActionItem], today: date) -> list[str]:
    """Every open item with no person as owner (today's [people]); `assignment_days` adds the escalation."""
    from tracker.policy import unassigned

    escalated = {u.item_id: u for u in unassigned(session, app.config, app.resolver, today)}
    lines = []
    for item in opened:
        if app.resolver.resolve(item.owner_text).person:
            continue
        found = escalated.get(item.id)
        extra = ""
        if found is not None:
            extra = f", {found.days} days without a person as owner" + (
                f"; escalated to {found.escalate_to}" if found.escalate_to else ""
            )
        elif item.owner_text:
            extra = ", not a person in [people]"
        lines.append(_line(item, extra))
    return lines


def digest_data(app: AppContext, session: Session, today: date) -> dict[str, Any]:
    """The digest's sections as lists of lines, with the week they describe."""
    from tracker.sync.flags import flags_for_items

    week, monday, sunday = week_of(today)
    items = session.scalars(
        select(ActionItem)
        .join(Postmortem)
        .where(ActionItem.removed_at.is_(None), Postmortem.historical.is_(False))
        .options(selectinload(ActionItem.postmortem), selectinload(ActionItem.links))
        .order_by(ActionItem.deadline, ActionItem.id)
    ).all()
    opened = [i for i in items if i.status in OPEN]
    zone = app.config.org.zone
    start = datetime.combine(monday, datetime.min.time(), zone)
    done_ids = set(
        session.scalars(
            # Completions seen happening: an import of work already finished is not news.
            select(Event.item_id).where(
                Event.field == "status",
                Event.new == "done",
                Event.occurred_at >= start,
                Event.note.is_distinct_from(BEFORE_TRACKING),
            )
        )
    )
    held = flags_for_items(app, [i.id for i in opened])[1]
    policy = " (policy deadline)"
    return {
        "week": week,
        "from": monday.isoformat(),
        "to": sunday.isoformat(),
        "due": [
            _line(i, f", due {i.deadline.isoformat()}" + (policy if i.deadline_source == "policy" else ""))
            for i in opened
            if i.deadline is not None and today <= i.deadline <= sunday
        ],
        "overdue": [
            _line(i, f", {(today - i.deadline).days} days overdue")
            for i in opened
            if i.deadline is not None and i.deadline < today
        ],
        "done": [_line(i, "") for i in items if i.status == "done" and i.id in done_ids],
        "held": [_line(i, ", held: " + ", ".join(held[i.id])) for i in opened if i.id in held],
        "unowned": _unowned(app, session, opened, today),
    }


# What one comment may hold (GitHub: 65,536 characters; Jira: 32,767), less room for the marker.
COMMENT_LIMITS = {"github": 65_536 - 1_000, "jira": 32_767 - 1_000}


def render(data: dict[str, Any], org: str | None = None, limit: int | None = None) -> str:
    """Markdown: one heading per section, each listing its items (or saying there are none).

    With `limit` (characters), the longest sections are shortened until it fits, each saying how
    many it left out: a long digest posted whole would be refused every week.
    """
    shown = {key: len(data[key]) for key, _ in SECTIONS}
    text = _markdown(data, org, shown)
    while limit is not None and len(text) > limit and any(shown.values()):
        longest = max(shown, key=lambda key: sum(len(line) + 1 for line in data[key][: shown[key]]))
        shown[longest] //= 2
        text = _markdown(data, org, shown)
    return text


def _markdown(data: dict[str, Any], org: str | None, shown: dict[str, int]) -> str:
    title = f"Postmortem action items: week {data['week']} ({data['from']} to {data['to']})"
    lines = [f"## {title}" + (f" - {org}" if org else ""), ""]
    for key, heading in SECTIONS:
        found = data[key]
        lines.append(f"### {heading} ({len(found)})")
        lines.extend(found[: shown[key]] if found else ["- none"])
        if shown[key] < len(found):
            lines.append(f"- ... and {len(found) - shown[key]} more (`tracker digest` prints them all)")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def parse_destination(app: AppContext, text: str) -> tuple[str, str]:
    """`[remind] digest_issue` as (target, issue reference): `platform#1`, `ops#OPS-12`."""
    target, sep, ref = text.partition("#")
    if not sep or not ref or target not in app.config.targets:
        raise UsageError(
            f"[remind] digest_issue: expected TARGET#NUMBER or TARGET#KEY, got {text!r}",
            hint=f'targets: {", ".join(app.config.targets) or "none"}; e.g. digest_issue = "platform#1"',
        )
    return target, (f"#{ref}" if ref.isdigit() else ref)


def post_digest(app: AppContext, data: dict[str, Any]) -> dict[str, Any]:
    """Comment the digest on the configured issue, once per ISO week, two-phase like reminders."""
    from tracker.remind.run import leased
    from tracker.remind.send import Comment, Poster, TargetOutcome
    from tracker.remind.text import make_marker
    from tracker.sync.runner import default_factory

    destination = app.config.remind.digest_issue
    if not destination:
        raise UsageError(
            "--post needs [remind] digest_issue", hint='set digest_issue = "TARGET#NUMBER" in tracker.toml'
        )
    target, ref_text = parse_destination(app, destination)
    key = f"digest:{destination}:{data['week']}"
    text = render(data, app.config.org.name, COMMENT_LIMITS.get(app.config.targets[target].kind))
    outcome = TargetOutcome(target)
    with leased(app, "digest", [target], False) as (_run, leases):
        backend = default_factory(app, target)
        try:
            poster = Poster(app, backend, leases, outcome)
            poster.resolve_pending()
            with app.session() as session:
                already = session.scalar(select(Reminder).where(Reminder.key == key))
            if already is None:
                ref = backend.parse_ref(ref_text)
                if ref is None:
                    raise UsageError(f"[remind] digest_issue: no issue {ref_text} in {target}")
                row = {"key": key, "kind": "digest", "target": target, "issue_key": ref.key or ref_text}
                poster.post(
                    Comment(target, ref, ref.key or ref_text, "digest", text, make_marker(key), [row])
                )
        finally:
            outcome.requests = backend.requests
            backend.close()
    result = outcome.to_dict()
    result["already_posted"] = already is not None
    return result
