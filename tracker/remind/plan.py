"""Which reminders are due today: approaching, overdue (repeated), escalation and unassigned, per linked issue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.backends.base import RemoteRef
from tracker.models import ActionItem, Link, Reminder
from tracker.policy import escalation_person, unassigned
from tracker.remind.text import body, make_marker, mention

if TYPE_CHECKING:
    from tracker.app import AppContext

OPEN = ("open", "in_progress")
# When several reminders fall due at once, one comment carries the most important and covers the rest.
PRIORITY = ("escalation", "overdue", "approaching", "unassigned")


@dataclass
class Planned:
    """One comment to post, and every reminder key it settles."""

    kind: str
    keys: list[tuple[str, str, date | None, int]]  # (key, kind, due, round); the first is this comment's
    item_id: int
    link_id: int
    target: str
    ref: RemoteRef
    issue_key: str
    title: str
    due: date | None
    mentioned: list[str] = field(default_factory=list)
    text: str = ""

    @property
    def marker(self) -> str:
        return make_marker(self.keys[0][0])

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "item": self.item_id,
            "title": self.title,
            "issue": self.issue_key,
            "due": self.due.isoformat() if self.due else None,
            "mentioned": self.mentioned,
            "covers": [key for key, *_ in self.keys],
        }


def due_kinds(
    deadline: date | None, today: date, before: int, every: int, escalate: int
) -> list[tuple[str, int]]:
    """(kind, round) due for a deadline today, most important first; rounds number the overdue repeats."""
    if deadline is None:
        return []
    left = (deadline - today).days
    if 0 <= left <= before:
        return [("approaching", 0)]
    if left >= 0:
        return []
    late = -left
    found = [("overdue", (late - 1) // max(1, every))]
    if escalate > 0 and late >= escalate:
        found.insert(0, ("escalation", 0))
    return found


def plan_target(app: AppContext, session: Session, target_name: str, today: date) -> list[Planned]:
    """The comments due on one target's linked issues, leaving out every key already recorded."""
    config = app.config
    target = config.targets[target_name]
    settings = config.remind
    recorded = set(session.scalars(select(Reminder.key).where(Reminder.target == target_name)))
    unowned = {u.item_id: u for u in unassigned(session, config, app.resolver, today)}
    links = session.scalars(
        select(Link)
        .join(ActionItem)
        .where(
            Link.target == target_name,
            Link.state == "linked",
            ActionItem.status.in_(OPEN),
            ActionItem.removed_at.is_(None),
        )
        .options(selectinload(Link.item).selectinload(ActionItem.postmortem))
        .order_by(Link.id)
    ).all()
    planned = []
    for link in links:
        item = link.item
        kinds = due_kinds(
            item.deadline, today, settings.before_days, settings.every_days, settings.escalate_after_days
        )
        if item.id in unowned:
            kinds.append(("unassigned", 0))
        keys = []
        for kind, rnd in kinds:
            due = item.deadline if kind != "unassigned" else None
            key = f"{kind}:{target_name}:{link.remote_id}:{due.isoformat() if due else '-'}:{rnd}"
            if key not in recorded:
                keys.append((key, kind, due, rnd))
        if not keys:
            continue
        keys.sort(key=lambda k: PRIORITY.index(k[1]))
        kind = keys[0][1]
        resolution = app.resolver.resolve(item.owner_text)
        owner = config.people.get(resolution.person) if resolution.person else None
        who = mention(target, link.base.get("assignee"), owner)
        boss_person = escalation_person(
            config, app.resolver, resolution.team, item.postmortem.commander, resolution.person
        )
        boss = mention(target, None, boss_person) if boss_person else None
        late = item.deadline is not None and (today - item.deadline).days >= settings.escalate_after_days > 0
        text = body(
            kind,
            postmortem=item.postmortem.title or item.postmortem.slug,
            title=item.title,
            due=item.deadline,
            today=today,
            who=who,
            boss=boss,
            owner_text=item.owner_text,
            age=unowned[item.id].days if item.id in unowned else 0,
        )
        mentioned = [m for m in (who if kind != "unassigned" else None, boss) if m]
        if kind == "overdue" and late and boss:
            text += f"\n\ncc {boss}"
        if kind in ("approaching", "overdue") and not late:
            mentioned = [m for m in (who,) if m]
        planned.append(
            Planned(
                kind=kind,
                keys=keys,
                item_id=item.id,
                link_id=link.id,
                target=target_name,
                ref=RemoteRef(link.remote_id or "", link.key, link.remote_number, link.url),
                issue_key=link.key or link.url or "",
                title=item.title,
                due=keys[0][2],
                mentioned=mentioned,
                text=text,
            )
        )
    return planned
