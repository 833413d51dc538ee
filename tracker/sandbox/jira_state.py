"""The fake Jira's state and the operations on it, shared by the HTTP routes and the acting-as-person API."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from tracker.sandbox.jira_adf import check_rich_text
from tracker.sandbox.jira_fields import (
    REQUIRED_MESSAGES,
    ApiError,
    collect_updates,
    not_on_screen,
    required_message,
    store_value,
)
from tracker.sandbox.jira_jql import JqlError, Query, parse_jql
from tracker.sandbox.jira_model import (
    EPIC_LINK,
    EPIC_NAME,
    Comment,
    FieldDef,
    Issue,
    IssueTypeSpec,
    JiraUser,
    ProjectSpec,
    Transition,
)

NOT_FOUND = "Issue does not exist or you do not have permission to see it."


class JiraState:
    """Everything the server knows; every public method takes the lock, so routes may run in threads."""

    def __init__(
        self,
        flavor: str,
        users: list[JiraUser],
        projects: list[ProjectSpec],
        fields: list[FieldDef],
        clock_skew: timedelta,
        search_lag: float,
        version_numbers: tuple[int, int, int],
    ) -> None:
        self.flavor = flavor
        self.version_numbers = version_numbers
        self.cloud = flavor == "cloud"
        self.lock = threading.RLock()
        self.users_by_name = {u.name: u for u in users}
        for n, u in enumerate(users):
            u.key = u.key or f"JIRAUSER{10000 + n}"
        self.users_by_account = {u.account_id: u for u in users}
        self.projects = {p.key: p for p in projects}
        self.fields = {f.id: f for f in fields}
        self.clock_skew = clock_skew
        self.search_lag = search_lag
        self.issues: dict[int, Issue] = {}
        self.next_issue_id = 10001
        self.next_comment_id = 10100
        self.counters: dict[str, int] = {}

    # ---- clock and lookups -------------------------------------------------------------------
    def now(self) -> datetime:
        return datetime.now(UTC) + self.clock_skew

    def field_name(self, field_id: str) -> str:
        found = self.fields.get(field_id)
        return found.name if found else field_id

    def project(self, id_or_key: str) -> ProjectSpec | None:
        for p in self.projects.values():
            if id_or_key in (p.key, p.id):
                return p
        return None

    def issue(self, id_or_key: str | int) -> Issue:
        ref = str(id_or_key)
        with self.lock:
            if ref.isdigit() and int(ref) in self.issues:
                return self.issues[int(ref)]
            for issue in self.issues.values():
                # A moved issue keeps answering to its old keys, as in real Jira.
                if ref.upper() == issue.key or ref.upper() in issue.old_keys:
                    return issue
        raise ApiError(404, [NOT_FOUND])

    def issue_type_of(self, issue: Issue) -> IssueTypeSpec:
        spec = self.projects[issue.project].issue_type(issue.issuetype)
        assert spec is not None
        return spec

    def touch(self, issue: Issue) -> None:
        now = self.now()
        # Keep `updated` strictly increasing so cursors on it never miss two quick writes.
        issue.updated = max(now, issue.updated + timedelta(milliseconds=1))
        issue.written_at = now

    # ---- writes ------------------------------------------------------------------------------
    def create_issue(self, body: Any, version: str, actor: JiraUser) -> Issue:
        with self.lock:
            if not isinstance(body, dict) or not isinstance(body.get("fields"), dict):
                raise ApiError(400, [], {"project": REQUIRED_MESSAGES["project"]})
            fields = dict(body["fields"])
            errors: dict[str, str] = {}
            proj_ref = fields.pop("project", None)
            project = None
            if isinstance(proj_ref, dict):
                project = self.project(str(proj_ref.get("id", proj_ref.get("key", ""))))
            if project is None:
                errors["project"] = REQUIRED_MESSAGES["project"]
            type_ref = fields.pop("issuetype", None)
            itype = None
            if project is not None:
                if not isinstance(type_ref, dict):
                    errors["issuetype"] = REQUIRED_MESSAGES["issuetype"]
                else:
                    itype = project.issue_type(str(type_ref.get("id", type_ref.get("name", ""))))
                    if itype is None:
                        errors["issuetype"] = "The issue type selected is invalid."
            if project is None or itype is None:
                raise ApiError(400, [], errors)
            screen = {f.field_id for f in itype.screen_fields()} | self.hierarchy_fields(itype)
            changes = collect_updates(self, None, fields, body.get("update"), screen, version, errors)
            for sf in itype.screen_fields():
                if (
                    sf.required
                    and sf.field_id not in ("project", "issuetype")
                    and (changes.get(sf.field_id) in (None, "", []) and sf.field_id not in errors)
                ):
                    errors[sf.field_id] = required_message(self, sf.field_id)
            if (
                not self.cloud
                and itype.hierarchy == 1
                and not changes.get(EPIC_NAME)
                and EPIC_NAME not in errors
            ):
                errors[EPIC_NAME] = "Epic Name is required."
            if errors:
                raise ApiError(400, [], errors)
            now = self.now()
            number = self.counters.get(project.key, 0) + 1
            self.counters[project.key] = number
            issue = Issue(
                id=self.next_issue_id,
                key=f"{project.key}-{number}",
                project=project.key,
                issuetype=itype.id,
                summary=changes.pop("summary"),
                status=project.workflow.initial_status,
                created=now,
                updated=now,
                written_at=now,
            )
            self.next_issue_id += 1
            for field_id, value in changes.items():
                store_value(issue, field_id, value)
            # Entity properties given with the create (tracker's marker) are stored with the issue.
            for prop in body.get("properties") or []:
                if isinstance(prop, dict) and prop.get("key"):
                    issue.properties[str(prop["key"])] = prop.get("value")
            self.issues[issue.id] = issue
            return issue

    def hierarchy_fields(self, itype: Any) -> set[str]:
        """Cloud links any issue to its epic with `parent`; Data Center with the Epic Link field, and an
        epic needs an Epic Name there."""
        if self.cloud:
            return {"parent"}
        return {EPIC_NAME} if itype.hierarchy == 1 else {EPIC_LINK}

    def edit_issue(self, issue: Issue, body: Any, version: str) -> None:
        with self.lock:
            if not isinstance(body, dict):
                raise ApiError(400, ["No content to map to Object due to end of input"])
            itype = self.issue_type_of(issue)
            screen = (
                {f.field_id for f in itype.screen_fields()} - {"project", "issuetype"}
            ) | self.hierarchy_fields(itype)
            errors: dict[str, str] = {}
            changes = collect_updates(
                self, issue, body.get("fields"), body.get("update"), screen, version, errors
            )
            if "summary" in changes and not changes["summary"]:
                errors["summary"] = REQUIRED_MESSAGES["summary"]
            for sf in itype.screen_fields():
                if sf.required and sf.field_id in changes and changes[sf.field_id] in (None, "", []):
                    errors[sf.field_id] = required_message(self, sf.field_id)
            if errors:
                raise ApiError(400, [], errors)
            for field_id, value in changes.items():
                store_value(issue, field_id, value)
            if changes:
                self.touch(issue)

    def transition(self, issue: Issue, body: Any, version: str) -> None:
        with self.lock:
            ref = body.get("transition") if isinstance(body, dict) else None
            tid = str(ref.get("id", "")) if isinstance(ref, dict) else ""
            workflow = self.projects[issue.project].workflow
            chosen = next((t for t in workflow.available(issue.status) if t.id == tid), None)
            if chosen is None:
                if self.cloud:
                    raise ApiError(400, [f"Transition id '{tid}' is not valid for this issue."])
                raise ApiError(
                    400,
                    [
                        f"It seems that you have tried to perform a workflow operation ({tid}) that is not "
                        f"valid for the current state of this issue ({issue.key}). The likely cause is that "
                        "somebody has changed the issue recently, please look at the issue history for details."
                    ],
                )
            screen = {sf.field_id for sf in chosen.screen}
            errors: dict[str, str] = {}
            changes = collect_updates(
                self, issue, body.get("fields"), body.get("update"), screen, version, errors
            )
            for sf in chosen.screen:
                if sf.required and changes.get(sf.field_id) in (None, "", []) and sf.field_id not in errors:
                    errors[sf.field_id] = required_message(self, sf.field_id)
            if errors:
                raise ApiError(400, [], errors)
            self._enter_status(issue, chosen.to_status, changes.pop("resolution", None))
            for field_id, value in changes.items():
                store_value(issue, field_id, value)
            self.touch(issue)

    def _enter_status(self, issue: Issue, status_id: str, resolution: str | None) -> None:
        workflow = self.projects[issue.project].workflow
        status = workflow.status(status_id)
        assert status is not None
        now = self.now()
        issue.status = status.id
        if status.category == "done":
            if resolution is not None or issue.resolution is None:
                issue.resolution = resolution
            issue.resolutiondate = now if issue.resolution else None
        else:
            # The reopen post-function of a standard workflow clears the resolution.
            issue.resolution = None
            issue.resolutiondate = None

    def available_transitions(self, issue: Issue) -> list[Transition]:
        return self.projects[issue.project].workflow.available(issue.status)

    def add_comment(self, issue: Issue, body: Any, version: str, actor: JiraUser) -> Comment:
        with self.lock:
            text = body.get("body") if isinstance(body, dict) else None
            message = check_rich_text(text, version) if text is not None else "Comment body can not be empty!"
            if message:
                raise ApiError(400, [], {"comment": message})
            comment = self._comment(issue, text, actor)
            self.touch(issue)
            return comment

    def _comment(self, issue: Issue, body: Any, actor: JiraUser) -> Comment:
        now = self.now()
        comment = Comment(str(self.next_comment_id), actor.name, body, now, now)
        self.next_comment_id += 1
        issue.comments.append(comment)
        return comment

    def delete(self, issue: Issue) -> None:
        with self.lock:
            self.issues.pop(issue.id, None)

    def move(self, issue: Issue, project_key: str, issue_type: str | None = None) -> None:
        with self.lock:
            target = self.project(project_key)
            if target is None:
                raise KeyError(f"no project {project_key}")
            itype = target.issue_type(issue_type or self.issue_type_of(issue).name) or target.issue_types[0]
            number = self.counters.get(target.key, 0) + 1
            self.counters[target.key] = number
            issue.old_keys.append(issue.key)
            issue.key = f"{target.key}-{number}"
            issue.project = target.key
            issue.issuetype = itype.id
            if target.workflow.status(issue.status) is None:
                self._enter_status(issue, target.workflow.initial_status, None)
            self.touch(issue)

    # ---- search ------------------------------------------------------------------------------
    def parse(self, jql: str) -> Query:
        try:
            query = parse_jql(jql, set(self.projects), self.cloud)
        except JqlError as e:
            raise ApiError(400, [str(e)]) from None
        if query.keys is not None:
            # Jira fails the whole query for a key no issue answers to (old keys of moved issues do).
            with self.lock:
                known = {k for i in self.issues.values() for k in (i.key, *i.old_keys)}
            missing = [k for k in dict.fromkeys(query.keys) if k not in known]
            if missing:
                raise ApiError(
                    400, [f"An issue with key '{k}' does not exist for field 'key'." for k in missing]
                )
        return query

    def search(self, query: Query, lagging: bool, reconcile: set[int]) -> list[Issue]:
        """Matching issues in order; with `lagging`, recent writes are not yet indexed unless reconciled."""
        with self.lock:
            cutoff = self.now() - timedelta(seconds=self.search_lag)
            found = [
                issue
                for issue in self.issues.values()
                if query.matches(issue)
                and not (
                    lagging
                    and self.search_lag > 0
                    and issue.written_at > cutoff
                    and issue.id not in reconcile
                )
            ]
            return query.order(found)


__all__ = ["NOT_FOUND", "ApiError", "JiraState", "not_on_screen"]
