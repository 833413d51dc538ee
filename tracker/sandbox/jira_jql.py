"""The JQL shapes tracker's Jira backend sends (tracker_jql, jira_named.key_jql), matched exactly; else Jira's 400."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.sandbox.jira_model import Issue, epoch_ms

UNBOUNDED = "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
_STRING = r'"((?:[^"\\]|\\.)*)"'
SHAPE = re.compile(
    rf"^project = {_STRING}(?: AND labels = {_STRING})?(?: AND updated >= (-?\d+))?( ORDER BY updated ASC)?$"
)
SHAPE_TEXT = 'project = "KEY" [AND labels = "label"] [AND updated >= <epoch ms>] [ORDER BY updated ASC]'
KEYS_SHAPE = re.compile(r'^key in \(("[A-Z][A-Z0-9_]*-\d+"(?:, "[A-Z][A-Z0-9_]*-\d+")*)\)$')
KEYS_TEXT = 'key in ("OPS-1", "OPS-2", ...)'


class JqlError(ValueError):
    """A query Jira answers with 400 and this message in errorMessages."""


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


@dataclass(frozen=True)
class Query:
    """`project = P [AND labels = L] [AND updated >= ms] [ORDER BY updated ASC]`, or `key in (K, ...)`."""

    project: str | None
    label: str | None
    since_ms: int | None
    by_updated: bool
    keys: tuple[str, ...] | None = None  # in the query's order

    def matches(self, issue: Issue) -> bool:
        if self.keys is not None:
            # A moved issue still answers to its old keys, and comes back under its new one.
            return issue.key in self.keys or any(k in self.keys for k in issue.old_keys)
        # Jira compares project keys and labels case-insensitively; `updated >=` is inclusive.
        return (
            self.project is not None
            and issue.project.lower() == self.project.lower()
            and (self.label is None or self.label.lower() in {x.lower() for x in issue.labels})
            and (self.since_ms is None or epoch_ms(issue.updated) >= self.since_ms)
        )

    def order(self, issues: list[Issue]) -> list[Issue]:
        """Without ORDER BY Jira answers newest first; ORDER BY updated ASC keeps that for ties."""
        newest = sorted(issues, key=lambda i: -i.id)
        return sorted(newest, key=lambda i: i.updated) if self.by_updated else newest


def parse_jql(text: str, project_keys: set[str], cloud: bool) -> Query:
    """The query, or JqlError with the message a real Jira gives (or, for another shape, says why not)."""
    if cloud and (not text.strip() or text.strip().lower().startswith("order by")):
        raise JqlError(UNBOUNDED)
    keys = KEYS_SHAPE.match(text)
    if keys is not None:
        return Query(None, None, None, False, tuple(k.strip('"') for k in keys.group(1).split(", ")))
    match = SHAPE.match(text)
    if match is None:
        raise JqlError(
            f"Error in the JQL Query: this sandbox understands only {SHAPE_TEXT} or {KEYS_TEXT}, "
            f"the query tracker sends; got {text!r}."
        )
    project, label, since, order = match.groups()
    project = _unquote(project)
    if project.upper() not in project_keys:
        raise JqlError(f"The value '{project}' does not exist for the field 'project'.")
    return Query(
        project, _unquote(label) if label is not None else None, int(since) if since else None, bool(order)
    )
