"""Decide which target an item goes to: explicit field, rules, the owner's team, then the default."""

from __future__ import annotations

from tracker.config import Config
from tracker.models import ActionItem, Postmortem
from tracker.people import Resolution


def route_item(item: ActionItem, postmortem: Postmortem, config: Config, owner: Resolution) -> str | None:
    """The target name for `item`, or None when nothing routes it (reported, never guessed)."""
    if item.route and item.route in config.targets:
        return item.route
    team = owner.team
    if team is None and owner.person:
        person = config.people.get(owner.person)
        team = person.team if person else None
    services = {s.lower() for s in (postmortem.services or [])}
    severity = (postmortem.severity or "").lower()
    for rule in config.routing.rules:
        if rule.team is not None and rule.team != team:
            continue
        if rule.service is not None and rule.service.lower() not in services:
            continue
        if rule.severity is not None and rule.severity.lower() != severity:
            continue
        return rule.target
    if config.routing.by_team and team and team in config.teams and config.teams[team].target:
        return config.teams[team].target
    if config.routing.default:
        return config.routing.default
    if len(config.targets) == 1:
        return next(iter(config.targets))
    return None
