"""Ownership rules: no owner, a team or role instead of a person, an owner sync cannot assign."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tracker.lint.model import LintContext, LintItem, Severity
from tracker.lint.registry import rule

# Role titles name a seat, not a person: when the seat changes hands the item silently loses its owner.
_ROLE = re.compile(
    r"(?:^|[\s\-_/])(?:lead|leads|leader|manager|mgr|owner|commander|director|head|captain|champion|"
    r"architect|vp|cto|ic)(?:$|[\s\-_/.])",
    re.IGNORECASE,
)


def _resolve(item: LintItem, context: LintContext):  # -> tracker.people.Resolution
    if context.resolver is None:
        from tracker.config import Config
        from tracker.people import OwnerResolver

        context.resolver = OwnerResolver(Config())
    return context.resolver.resolve(item.owner_text)


@rule(
    "owner-missing",
    "ownership",
    Severity.ERROR,
    "the item has no owner",
    "name one person who will do it: | Add slow-query alerting (> 500 ms) | @dana | Jul 1 |",
)
def owner_missing(item: LintItem, context: LintContext) -> Iterator[str]:
    from tracker.people import OwnerKind

    if _resolve(item, context).kind is OwnerKind.NONE:
        written = (item.owner_text or "").strip()
        yield (
            f"no owner (the owner is {written!r})"
            if written
            else "no owner: nobody owns it, so nobody does it"
        )


@rule(
    "owner-team",
    "ownership",
    Severity.WARNING,
    "the owner is a team or a role, not a person",
    "name the person in that team who will do it (@dana rather than @platform-eng); sync assigns the team's "
    "default_assignee from [teams] meanwhile",
)
def owner_team(item: LintItem, context: LintContext) -> Iterator[str]:
    from tracker.people import OwnerKind

    resolution = _resolve(item, context)
    if resolution.kind is not OwnerKind.TEAM:
        return
    owner = (item.owner_text or "").strip()
    if resolution.team and context.resolver and resolution.team in context.resolver.config.teams:
        yield f"owner {owner!r} is the team {resolution.team!r} in [teams], not a person"
    elif _ROLE.search(owner.lstrip("@")):
        yield f"owner {owner!r} is a role, not a person: when the role changes hands the item has no owner"
    else:
        yield f"owner {owner!r} reads as a team ({resolution.reason or 'a group name'}), not a person"


@rule(
    "owner-unmapped",
    "ownership",
    Severity.WARNING,
    "the owner is not in [people], so it cannot be assigned",
    'add the person to the config: [people.dana] github = "dana-w", jira = "dana.w@example.com", '
    'aliases = ["Dana Whitfield"]',
)
def owner_unmapped(item: LintItem, context: LintContext) -> Iterator[str]:
    from tracker.people import OwnerKind

    if not context.people_configured:
        return  # without a [people] table every owner would be flagged; sync then assigns nobody anyway
    resolution = _resolve(item, context)
    if resolution.kind is OwnerKind.UNKNOWN:
        owner = (item.owner_text or "").strip()
        close = f"; did you mean {', '.join(resolution.suggestions)}?" if resolution.suggestions else ""
        yield f"owner {owner!r} is not in [people], so it cannot be assigned in GitHub or Jira{close}"
