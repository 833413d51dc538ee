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


# Plural roles and people in general ("Leads", "Devs", "SREs"): a group, whoever is in it.
_GROUP = re.compile(
    r"^(?:the\s+|all\s+)?(?:\w+\s+)?(?:leads|devs|developers|engineers|admins|administrators|maintainers|managers|"
    r"owners|sres|operators|reviewers|responders|on-?callers|contributors|members|people|everybody|everyone)$",
    re.IGNORECASE,
)
# Two or more names joined ("Ed and Caroline", "Ops + Dev", "alice/bob", "@kim, @lee", "Kim, Lee, Park"):
# nobody in particular owns it. Two names and one comma may be "Last, First", so that alone is not joined.
_JOINED = re.compile(
    r"\s(?:and|&|\+)\s|\s*\+\s*|(?<=\w)/(?=\w)|@[\w.-]+[\s,;]+@?[\w.-]+|^[^,]+,[^,]+,[^,]+$", re.IGNORECASE
)


def _confirmed_team(item: LintItem, context: LintContext) -> str | None:
    """The [teams] entry (or GitHub team mention) the owner names, when it is certainly a team."""
    from tracker.people import OwnerKind

    resolution = _resolve(item, context)
    if resolution.kind is not OwnerKind.TEAM:
        return None
    if resolution.team and context.resolver and resolution.team in context.resolver.config.teams:
        return f"the team {resolution.team!r} in [teams]"
    if resolution.reason and "GitHub team" in resolution.reason:
        return resolution.reason
    return None


def _likely_team(item: LintItem, context: LintContext) -> str | None:
    """Why the owner reads as a team, a role or several people, when [teams] does not confirm it."""
    from tracker.people import OwnerKind

    owner = (item.owner_text or "").strip().strip("*_`").strip()
    if not owner or _confirmed_team(item, context):
        return None
    resolution = _resolve(item, context)
    if resolution.kind in (OwnerKind.NONE, OwnerKind.PERSON):
        return None
    if _ROLE.search(owner.lstrip("@")):
        return "a role, not a person: when the role changes hands the item has no owner"
    if _GROUP.match(owner.lstrip("@")):
        return "a group of people, not one person"
    if resolution.kind is OwnerKind.TEAM:
        return f"reads as a team ({(resolution.reason or 'a group name').removesuffix(', not a person')}), not a person"
    if _JOINED.search(owner):
        return "several people: when two own it, each expects the other to do it"
    return None


@rule(
    "owner-team",
    "ownership",
    Severity.WARNING,
    "the owner is a team in [teams] (or a GitHub team), not a person",
    "name the person in that team who will do it (@dana rather than @platform-eng); sync assigns the team's "
    "default_assignee from [teams] meanwhile",
)
def owner_team(item: LintItem, context: LintContext) -> Iterator[str]:
    team = _confirmed_team(item, context)
    if team:
        yield f"owner {(item.owner_text or '').strip()!r} is {team}, not a person"


@rule(
    "owner-team-likely",
    "ownership",
    Severity.WARNING,
    "the owner looks like a team, a role or several people ('SRE', 'Platform team', 'Leads', 'X + Y')",
    "name one person who will do it; if it really is a team, add it to [teams] with a default_assignee",
)
def owner_team_likely(item: LintItem, context: LintContext) -> Iterator[str]:
    why = _likely_team(item, context)
    if why:
        yield f"owner {(item.owner_text or '').strip()!r} {why if why.startswith('reads') else 'is ' + why}"


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
    if resolution.kind is OwnerKind.UNKNOWN and not _likely_team(item, context):
        owner = (item.owner_text or "").strip()
        close = f"; did you mean {', '.join(resolution.suggestions)}?" if resolution.suggestions else ""
        yield f"owner {owner!r} is not in [people], so it cannot be assigned in GitHub or Jira{close}"
