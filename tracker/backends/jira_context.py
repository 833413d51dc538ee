"""What the Jira backend's parts share: the HTTP session, the target, and what pre-flight and writes learnt."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracker.backends.base import RemoteIssue
from tracker.backends.jira_http import JiraHttp
from tracker.backends.jira_map import MARKER_PROPERTY, READ_FIELDS, to_remote
from tracker.config import JiraTarget


@dataclass
class JiraContext:
    """One Jira target's session and knowledge; jira.py composes the create, follow-up and workflow
    functions over it, and none of them imports the backend class."""

    http: JiraHttp
    target: JiraTarget
    browse_base: str
    screen: set[str] | None = None  # create-screen field ids, from pre-flight
    hidden: set[str] = field(default_factory=set)  # fields a write was refused for: not on the screen
    issue_type_id: str | None = None
    written: list[str] = field(default_factory=list)  # ids this process wrote, for Cloud's reconcileIssues
    epic_fields: dict[str, str] | None = None  # Data Center's "Epic Link"/"Epic Name" ids, read once

    @property
    def cloud(self) -> bool:
        return self.target.flavor == "cloud"

    @property
    def adf(self) -> bool:
        """Cloud's REST v3 speaks Atlassian Document Format; v2 and Data Center speak wiki text."""
        return self.cloud and self.target.api_version == "3"

    def due_on_screen(self) -> bool | None:
        """False when the screen refuses duedate, None when pre-flight has not said."""
        if "duedate" in self.hidden:
            return False
        return None if self.screen is None else "duedate" in self.screen

    def remote(self, raw: dict[str, Any]) -> RemoteIssue:
        return to_remote(
            raw,
            cloud=self.cloud,
            browse_base=self.browse_base,
            tracker_label=self.target.tracker_label,
            duedate_on_screen=self.due_on_screen(),
        )

    def get_issue(self, id_or_key: str) -> dict[str, Any]:
        """One GET of what a read needs (the marker property included)."""
        result: dict[str, Any] = self.http.get(
            f"issue/{id_or_key}", fields=",".join(READ_FIELDS), properties=MARKER_PROPERTY
        )
        return result
