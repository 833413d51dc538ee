"""Follow-up policies: default deadlines by severity, and the assignment deadline for unowned items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.history import Actor, apply_change
from tracker.models import ActionItem, Postmortem

if TYPE_CHECKING:
    from tracker.config import Config, Person
    from tracker.importing.results import DocumentResult
    from tracker.people import OwnerResolver

SOURCE = "policy"
OPEN = ("open", "in_progress")


def add_days(start: date, days: int, skip_weekends: bool) -> date:
    """`start` plus `days` calendar days, or business days (Saturday and Sunday not counted)."""
    if not skip_weekends:
        return start + timedelta(days=days)
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    while day.weekday() >= 5:  # zero days from a weekend still lands on a working day
        day += timedelta(days=1)
    return day


def policy_days(config: Config, severity: str | None) -> tuple[str, int] | None:
    """(the key that matched, days) for a postmortem severity; `default` covers the others."""
    table = {key.strip().lower(): days for key, days in config.sync.default_deadline_days.items()}
    if not table:
        return None
    from tracker.importing.metadata import normalise_severity

    for name in (severity, normalise_severity(severity) if severity else None):
        if name and name.lower() in table:
            return name.lower(), table[name.lower()]
    for key, days in table.items():
        if severity and normalise_severity(key) == severity:
            return key, days
    return ("default", table["default"]) if "default" in table else None


def policy_deadline(config: Config, postmortem: Postmortem, today: date) -> tuple[date, str] | None:
    """The default deadline for this postmortem's items and why; counted from the incident date, or
    from `today` when that would already be past (an old postmortem imported late)."""
    found = policy_days(config, postmortem.severity)
    if found is None:
        return None
    key, days = found
    start = postmortem.incident_date or today
    due = add_days(start, days, config.sync.skip_weekends)
    if due < today:
        start, due = today, add_days(today, days, config.sync.skip_weekends)
    unit = "business days" if config.sync.skip_weekends else "days"
    return due, f"policy: severity {key} -> {days} {unit} from {start.isoformat()}"


def apply_deadline_policy(
    session: Session,
    config: Config,
    postmortem: Postmortem,
    actor: Actor,
    today: date,
    result: DocumentResult | None = None,
) -> dict[int, date]:
    """Give undated open items of a pushed postmortem the policy deadline (source `policy`, an event).

    `first_deadline` is left alone: it stays the first *committed* date, so on-time rates never count a
    deadline nobody agreed to. Runs after the importer stored the items; applies once per item.
    """
    if postmortem.historical or not config.sync.default_deadline_days:
        return {}
    chosen = policy_deadline(config, postmortem, today)
    if chosen is None:
        return {}
    due, why = chosen
    applied: dict[int, date] = {}
    for item in postmortem.items:
        if (
            item.deadline is not None
            or item.deadline_source is not None
            or item.removed_at is not None
            or not item.push
            or item.status not in OPEN
        ):
            continue
        apply_change(session, item, "deadline", due, source=SOURCE, actor=actor, note=why)
        item.deadline_source = SOURCE
        applied[item.id] = due
    if result is not None:
        for outcome in result.items:
            if outcome.item_id in applied:
                outcome.notes.append(f"deadline {applied[outcome.item_id].isoformat()} set by {why}")
    return applied


@dataclass(frozen=True)
class Unassigned:
    """An open item that still has no person as owner after `[sync] assignment_days`."""

    item_id: int
    postmortem: str
    title: str
    owner_text: str | None
    days: int
    escalate_to: str | None  # [people] handle: the team's default assignee, else the incident commander


def unassigned(session: Session, config: Config, resolver: OwnerResolver, today: date) -> list[Unassigned]:
    """Items past the assignment deadline; empty when `[sync] assignment_days` is 0 (off)."""
    limit = config.sync.assignment_days
    if limit <= 0:
        return []
    rows = session.scalars(
        select(ActionItem)
        .join(Postmortem)
        .where(
            ActionItem.status.in_(OPEN),
            ActionItem.removed_at.is_(None),
            ActionItem.owner_person.is_(None),
            Postmortem.historical.is_(False),
        )
        .options(selectinload(ActionItem.postmortem))
        .order_by(ActionItem.id)
    ).all()
    out = []
    for item in rows:
        age = (today - item.created_at.astimezone(config.org.zone).date()).days
        if age < limit:
            continue
        resolution = resolver.resolve(item.owner_text)
        if resolution.person:
            continue
        person = escalation_person(config, resolver, resolution.team, item.postmortem.commander)
        out.append(
            Unassigned(
                item.id,
                item.postmortem.slug,
                item.title,
                item.owner_text,
                age,
                person.handle if person else None,
            )
        )
    return out


def escalation_person(
    config: Config, resolver: OwnerResolver, team: str | None, commander: str | None, owner: str | None = None
) -> Person | None:
    """Who an item escalates to: the owner's manager, else the team's default assignee, else the commander."""
    person = config.people.get(owner) if owner else None
    if person is not None and person.manager and person.manager in config.people:
        return config.people[person.manager]
    team_name = team or (person.team if person else None)
    found = config.teams.get(team_name) if team_name else None
    if found and found.default_assignee and found.default_assignee != owner:
        return config.people.get(found.default_assignee)
    if commander:
        resolution = resolver.resolve(commander)
        if resolution.person and resolution.person != owner:
            return config.people.get(resolution.person)
    return None
