"""Resolve owners as documents write them ("@dana", "Dana Whitfield", "SRE team") to people and teams."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import StrEnum

from tracker.config import Config, Person, Team, normalise_name, person_keys


class OwnerKind(StrEnum):
    PERSON = "person"
    TEAM = "team"
    UNKNOWN = "unknown"
    NONE = "none"


@dataclass(frozen=True)
class Resolution:
    """What an owner text resolves to: a person handle, a team name, or neither."""

    text: str | None
    kind: OwnerKind
    person: str | None = None
    team: str | None = None
    suggestions: tuple[str, ...] = ()
    reason: str | None = None  # why it reads as a team, for lint messages


# Words that make an owner read as a group rather than a person ("SRE team", "@platform-eng").
_TEAM_WORDS = (
    r"team|teams|squad|group|guild|eng|engineering|infra|infrastructure|sre|ops|devops|platform|"
    r"backend|frontend|mobile|security|secops|netops|dba|dbas|oncall|on-call|support|qa|data|"
    r"networking|network|database|core|product|marketing|sales|legal|everyone|all|folks|staff"
)
_TEAM_LIKE = re.compile(rf"(?:^|[\s\-_/])(?:{_TEAM_WORDS})(?:$|[\s\-_/])", re.IGNORECASE)
_GITHUB_TEAM = re.compile(r"^@[\w.-]+/[\w.-]+$")
_SPLIT = re.compile(r"\s*(?:,|;|/|&|\+|\band\b)\s*", re.IGNORECASE)
_NO_OWNER = {"", "-", "--", "—", "n/a", "na", "none", "tbd", "tba", "?", "??", "unassigned", "nobody"}


def looks_like_team(text: str) -> str | None:
    """Why `text` reads as a team rather than a person, or None."""
    stripped = text.strip()
    if _GITHUB_TEAM.match(stripped):
        return "a GitHub team mention (@org/team)"
    if _TEAM_LIKE.search(stripped.lstrip("@")):
        return "a group name, not a person"
    return None


class OwnerResolver:
    """Exact resolution through [people] and [teams] after normalisation; never fuzzy."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._people: dict[str, Person] = {}
        for person in config.people.values():
            for key in person_keys(person):
                self._people[key] = person
        self._teams: dict[str, Team] = {}
        for team in config.teams.values():
            for name in (team.name, *team.aliases, team.github_team):
                if name:
                    self._teams[normalise_name(name)] = team
        # A person's team: `[people.X] team`, else the first `[teams]` entry (by name) listing them.
        self._team_of: dict[str, str] = {}
        for name in sorted(config.teams, reverse=True):
            for member in config.teams[name].members:
                self._team_of[member] = name
        for person in config.people.values():
            if person.team:
                self._team_of[person.handle] = person.team
        # Owners repeat (a thousand items, a few hundred spellings) and the config is frozen: each
        # spelling is resolved once per command (an unknown one costs a fuzzy search for suggestions).
        self._resolved: dict[str | None, Resolution] = {}

    def person(self, handle: str | None) -> Person | None:
        return self.config.people.get(handle) if handle else None

    def resolve(self, text: str | None) -> Resolution:
        found = self._resolved.get(text)
        if found is None:
            found = self._resolved[text] = self._resolve(text)
        return found

    def _resolve(self, text: str | None) -> Resolution:
        if text is None or normalise_name(text) in _NO_OWNER:
            return Resolution(text, OwnerKind.NONE)
        cleaned = text.strip().strip("*_`").strip()
        whole = self._exact(cleaned)
        if whole is not None:
            return Resolution(text, *whole)
        parts = [part for part in _SPLIT.split(cleaned) if part]
        if len(parts) > 1:
            for part in parts:
                found = self._exact(part)
                if found is not None and found[0] is OwnerKind.PERSON:
                    return Resolution(text, *found)
        team_reason = looks_like_team(cleaned)
        if team_reason:
            return Resolution(text, OwnerKind.TEAM, reason=team_reason)
        return Resolution(text, OwnerKind.UNKNOWN, suggestions=self.suggest(cleaned))

    def _exact(self, text: str) -> tuple[OwnerKind, str | None, str | None] | None:
        key = normalise_name(text)
        person = self._people.get(key)
        if person is not None:
            return OwnerKind.PERSON, person.handle, self._team_of.get(person.handle)
        team = self._teams.get(key)
        if team is not None:
            return OwnerKind.TEAM, None, team.name
        return None

    def suggest(self, text: str) -> tuple[str, ...]:
        """Close matches for an unknown owner: a hint for the config, never a resolution."""
        key = normalise_name(text)
        candidates = {alias: person.handle for alias, person in self._people.items()}
        matches = difflib.get_close_matches(key, list(candidates), n=3, cutoff=0.75)
        return tuple(dict.fromkeys(candidates[m] for m in matches))

    def assignee_for(self, resolution: Resolution, commander: str | None = None) -> Person | None:
        """The person to assign: the owner, else the team's default assignee, else the commander."""
        if resolution.person:
            return self.config.people.get(resolution.person)
        if resolution.team:
            team = self.config.teams.get(resolution.team)
            if team and team.default_assignee:
                return self.config.people.get(team.default_assignee)
        if commander:
            found = self._exact(commander)
            if found and found[0] is OwnerKind.PERSON and found[1]:
                return self.config.people.get(found[1])
        return None
