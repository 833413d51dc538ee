"""Searching the fake Jira: the JQL field schema, value checks and one comparable record per issue."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from tracker.sandbox.jira_jql import JqlSchema
from tracker.sandbox.jira_model import PRIORITIES, RESOLUTIONS, STATUS_CATEGORIES, Issue, JiraUser, epoch_ms

if TYPE_CHECKING:
    from tracker.sandbox.jira_state import JiraState

# Fields that JQL can search and how their values compare.
JQL_KINDS = {
    "project": "ident", "labels": "ident", "status": "ident", "statuscategory": "ident",
    "issuetype": "ident", "priority": "ident", "resolution": "ident", "assignee": "ident",
    "reporter": "ident", "key": "ident", "id": "number", "created": "date", "updated": "date",
    "resolutiondate": "date", "duedate": "date", "summary": "text", "description": "text",
}  # fmt: skip
SORTABLE = {"key", "id", "created", "updated", "resolutiondate", "duedate", "priority", "summary"}


def jql_schema(state: JiraState, viewer: JiraUser) -> JqlSchema:
    names: dict[str, tuple[str, str]] = {}
    for f in state.fields.values():
        for clause in f.clause_names:
            canonical = "key" if f.id == "issuekey" else f.id.lower()
            if clause.lower() == "id":
                names["id"] = ("id", "number")
                continue
            kind = JQL_KINDS.get(canonical, "text" if f.custom else "")
            if kind:
                names[clause.lower()] = (canonical, kind)
    return JqlSchema(names, state.now(), viewer.time_zone, partial(check_jql_value, state), SORTABLE)


def check_jql_value(state: JiraState, canonical: str, name: str, value: str) -> str | None:
    known: set[str] | None = None
    if canonical == "project":
        known = {x.lower() for p in state.projects.values() for x in (p.key, p.id, p.name)}
    elif canonical == "status":
        known = {
            x.lower() for p in state.projects.values() for s in p.workflow.statuses for x in (s.id, s.name)
        }
    elif canonical == "resolution":
        known = {x.lower() for r in RESOLUTIONS for x in (r["id"], r["name"])} | {"unresolved"}
    elif canonical == "priority":
        known = {x.lower() for p in PRIORITIES for x in (p["id"], p["name"])}
    if known is not None and value.lower() not in known:
        return f"The value '{value}' does not exist for the field '{name}'."
    return None


def record(state: JiraState, issue: Issue, viewer: JiraUser) -> dict[str, Any]:
    project = state.projects[issue.project]
    status = project.workflow.status(issue.status)
    assert status is not None
    cat = STATUS_CATEGORIES[status.category]
    itype = state.issue_type_of(issue)
    res = next((r for r in RESOLUTIONS if r["id"] == issue.resolution), None)
    prio = next((p for p in PRIORITIES if p["id"] == issue.priority), None)

    def people(name: str | None) -> set[str]:
        user = state.users_by_name.get(name) if name else None
        return {x.lower() for x in (user.account_id, user.name, user.email, user.key)} if user else set()

    due = None
    if issue.duedate:
        # A due date is a calendar day; JQL reads dates in the searcher's zone, so compare there.
        due = epoch_ms(datetime.fromisoformat(issue.duedate).replace(tzinfo=ZoneInfo(viewer.time_zone)))
    number = int(issue.key.rsplit("-", 1)[1])
    return {
        "project": {project.key.lower(), project.id, project.name.lower()},
        "labels": {label.lower() for label in issue.labels},
        "status": {status.id, status.name.lower()},
        "statuscategory": {str(cat["id"]), cat["key"], cat["name"].lower()},
        "issuetype": {itype.id, itype.name.lower()},
        "priority": {prio["id"], prio["name"].lower()} if prio else set(),
        "resolution": {res["id"], res["name"].lower()} if res else set(),
        "assignee": people(issue.assignee),
        "reporter": people(issue.reporter),
        "key": {issue.key.lower(), *(k.lower() for k in issue.old_keys)},
        "id": issue.id,
        "created": epoch_ms(issue.created),
        "updated": epoch_ms(issue.updated),
        "resolutiondate": epoch_ms(issue.resolutiondate) if issue.resolutiondate else None,
        "duedate": due,
        "summary": issue.summary,
        "description": str(issue.description or ""),
        **{cf: str(v) for cf, v in issue.custom.items()},
        "\x00currentuser": viewer.account_id.lower() if state.cloud else viewer.name.lower(),
        "\x00issue": issue,
        "\x00sort": {
            "key": (project.key, number),
            "id": issue.id,
            "created": epoch_ms(issue.created),
            "updated": epoch_ms(issue.updated),
            "resolutiondate": epoch_ms(issue.resolutiondate) if issue.resolutiondate else None,
            "duedate": issue.duedate,
            "priority": int(issue.priority) if issue.priority else None,
            "summary": issue.summary.lower(),
        },
    }
