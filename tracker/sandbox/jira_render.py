"""JSON shapes of the fake Jira's resources, per flavor and REST version, as the spec and real servers give them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from tracker.sandbox.jira_adf import for_version
from tracker.sandbox.jira_model import (
    PRIORITIES,
    RESOLUTIONS,
    STATUS_CATEGORIES,
    Comment,
    Issue,
    IssueTypeSpec,
    JiraUser,
    ProjectSpec,
    ScreenField,
    Status,
    Transition,
    jira_time,
)
from tracker.sandbox.jira_state import JiraState

OPERATIONS = {"labels": ["add", "set", "remove"], "issuetype": [], "comment": ["add", "edit", "remove"]}
ISSUE_EXPAND = "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"


def wanted_fields(requested: list[str] | None, state: JiraState, default: str) -> set[str]:
    """Resolve a `fields` parameter (*all, *navigable, ids, -exclusions; comma or repeated) to field ids."""
    parts = [p.strip() for item in (requested or [default]) for p in str(item).split(",") if p.strip()]
    chosen: set[str] = set()
    for part in parts:
        if part in ("*all", "*navigable"):  # everything modelled is navigable
            chosen |= set(state.fields)
        elif not part.startswith("-"):
            chosen.add(part)
    for part in parts:
        if part.startswith("-"):
            chosen.discard(part[1:])
    return chosen


@dataclass
class Renderer:
    state: JiraState
    base: str  # scheme://host:port plus any context path
    version: str  # "2" or "3"
    viewer: JiraUser | None

    @property
    def tz(self) -> str:
        return self.viewer.time_zone if self.viewer else "Etc/UTC"

    def api(self, path: str) -> str:
        return f"{self.base}/rest/api/{self.version}/{path}"

    def time(self, dt: Any) -> str | None:
        return jira_time(dt, self.tz) if dt is not None else None

    # ---- people ------------------------------------------------------------------------------
    def user(self, user: JiraUser | None) -> dict[str, Any] | None:
        if user is None:
            return None
        if self.state.cloud:
            out: dict[str, Any] = {
                "self": self.api(f"user?accountId={user.account_id}"),
                "accountId": user.account_id,
                "accountType": "app" if user.name == "tracker-bot" else "atlassian",
            }
        else:
            out = {"self": self.api(f"user?username={quote(user.name)}"), "key": user.key, "name": user.name}
        if user.email_visible or not self.state.cloud:
            out["emailAddress"] = user.email
        out.update(
            displayName=user.display_name,
            active=user.active,
            timeZone=user.time_zone,
        )
        return out

    def user_named(self, name: str | None) -> dict[str, Any] | None:
        return self.user(self.state.users_by_name.get(name) if name else None)

    # ---- reference data ----------------------------------------------------------------------
    def status_category(self, key: str) -> dict[str, Any]:
        cat = STATUS_CATEGORIES[key]
        return {"self": self.api(f"statuscategory/{cat['id']}"), **cat}

    def status(self, status: Status) -> dict[str, Any]:
        return {
            "self": self.api(f"status/{status.id}"),
            "description": status.description,
            "name": status.name,
            "id": status.id,
            "statusCategory": self.status_category(status.category),
        }

    def resolution(self, res_id: str | None) -> dict[str, Any] | None:
        res = next((r for r in RESOLUTIONS if r["id"] == res_id), None)
        return {"self": self.api(f"resolution/{res['id']}"), **res} if res else None

    def priority(self, prio_id: str | None) -> dict[str, Any] | None:
        prio = next((p for p in PRIORITIES if p["id"] == prio_id), None)
        return (
            {"self": self.api(f"priority/{prio['id']}"), "name": prio["name"], "id": prio["id"]}
            if prio
            else None
        )

    def issue_type(self, itype: IssueTypeSpec) -> dict[str, Any]:
        out: dict[str, Any] = {
            "self": self.api(f"issuetype/{itype.id}"),
            "id": itype.id,
            "description": itype.description,
            "name": itype.name,
            "subtask": itype.subtask,
        }
        if self.state.cloud:
            out["hierarchyLevel"] = -1 if itype.subtask else itype.hierarchy
        return out

    def project_ref(self, project: ProjectSpec) -> dict[str, Any]:
        return {
            "self": self.api(f"project/{project.id}"),
            "id": project.id,
            "key": project.key,
            "name": project.name,
            "projectTypeKey": "software",
            "simplified": False,
        }

    def field(self, field_id: str) -> dict[str, Any]:
        f = self.state.fields[field_id]
        return {"id": f.id, "key": f.id, "name": f.name, "custom": f.custom, "schema": f.schema}

    def field_meta(self, sf: ScreenField) -> dict[str, Any]:
        """A FieldMetadata entry, as createmeta and expanded transitions list their screen fields (with
        allowed values only where tracker reads them: the resolutions a transition offers)."""
        f = self.state.fields.get(sf.field_id)
        schema = dict(f.schema) if f else {"type": "string", "system": sf.field_id}
        out: dict[str, Any] = {
            "required": sf.required,
            "schema": schema,
            "name": f.name if f else sf.field_id,
            "key": sf.field_id,
            "hasDefaultValue": sf.field_id == "priority",
            "operations": OPERATIONS.get(sf.field_id, ["set"]),
        }
        if sf.field_id == "resolution":
            out["allowedValues"] = [self.resolution(r["id"]) for r in RESOLUTIONS]
        return out

    # ---- issues ------------------------------------------------------------------------------
    def comment(self, issue: Issue, comment: Comment) -> dict[str, Any]:
        out: dict[str, Any] = {
            "self": self.api(f"issue/{issue.id}/comment/{comment.id}"),
            "id": comment.id,
            "author": self.user_named(comment.author),
            "body": for_version(comment.body, self.version),
            "updateAuthor": self.user_named(comment.author),
            "created": self.time(comment.created),
            "updated": self.time(comment.updated),
        }
        if self.state.cloud:
            out["jsdPublic"] = True
        return out

    def comments_page(self, issue: Issue, start: int = 0, limit: int = 100) -> dict[str, Any]:
        page = issue.comments[start : start + limit]
        return {
            "comments": [self.comment(issue, c) for c in page],
            "maxResults": limit,
            "total": len(issue.comments),
            "startAt": start,
        }

    def issue_fields(self, issue: Issue, wanted: set[str]) -> dict[str, Any]:
        project = self.state.projects[issue.project]
        status = project.workflow.status(issue.status)
        assert status is not None
        values: dict[str, Any] = {
            "summary": issue.summary,
            "description": for_version(issue.description, self.version),
            "project": self.project_ref(project),
            "issuetype": self.issue_type(self.state.issue_type_of(issue)),
            "status": self.status(status),
            "resolution": self.resolution(issue.resolution),
            "resolutiondate": self.time(issue.resolutiondate),
            "assignee": self.user_named(issue.assignee),
            "priority": self.priority(issue.priority),
            "labels": list(issue.labels),
            "duedate": issue.duedate,
            "created": self.time(issue.created),
            "updated": self.time(issue.updated),
        }
        for fid, f in self.state.fields.items():
            if f.custom:
                values[fid] = issue.custom.get(fid)
        # Only what tracker reads is modelled; a field asked for but not modelled is left out.
        return {k: v for k, v in values.items() if k in wanted}

    def issue(
        self, issue: Issue, wanted: set[str], properties: list[str] | None = None, search: bool = False
    ) -> dict[str, Any]:
        if search and wanted <= {"id"}:
            return {"id": str(issue.id)}  # /search/jql's default: ids only
        out: dict[str, Any] = {
            "expand": ISSUE_EXPAND,
            "id": str(issue.id),
            "self": self.api(f"issue/{issue.id}"),
            "key": issue.key,
        }
        out["fields"] = self.issue_fields(issue, wanted - {"id", "key"})
        keys = [p.strip() for item in properties or [] for p in str(item).split(",") if p.strip()]
        if keys:
            chosen = (
                issue.properties
                if "*all" in keys
                else {k: issue.properties[k] for k in keys if k in issue.properties}
            )
            out["properties"] = dict(chosen)
        return out

    def transition(
        self, issue: Issue, t: Transition, with_fields: bool, project: ProjectSpec
    ) -> dict[str, Any]:
        status = project.workflow.status(t.to_status)
        assert status is not None
        out: dict[str, Any] = {
            "id": t.id,
            "name": t.name,
            "to": self.status(status),
            "hasScreen": bool(t.screen),
            "isGlobal": not t.from_statuses,
            "isInitial": False,
            "isAvailable": True,
            "isConditional": False,
            "isLooped": False,
        }
        if with_fields:
            out["fields"] = {sf.field_id: self.field_meta(sf) for sf in t.screen}
        return out
