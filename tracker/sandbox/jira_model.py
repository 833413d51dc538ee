"""Data model and default configuration of the fake Jira: users, projects, workflow, fields, issues."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

# Real Jira status categories (ids and keys as /rest/api/2/statuscategory answers on Cloud and DC);
# the spec's examples use placeholder keys ("in-flight", "completed") that no server sends.
STATUS_CATEGORIES: dict[str, dict[str, Any]] = {
    "new": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    "indeterminate": {"id": 4, "key": "indeterminate", "colorName": "yellow", "name": "In Progress"},
    "done": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}

RESOLUTIONS: list[dict[str, str]] = [
    {"id": "10000", "name": "Done", "description": "Work has been completed on this issue."},
    {"id": "10001", "name": "Won't Do", "description": "This issue won't be actioned."},
    {"id": "10002", "name": "Duplicate", "description": "The problem is a duplicate of an existing issue."},
    {"id": "10003", "name": "Declined", "description": "This issue was not approved."},
    {"id": "10004", "name": "Cannot Reproduce", "description": "This issue couldn't be reproduced."},
]

PRIORITIES: list[dict[str, str]] = [
    {"id": "1", "name": "Highest", "statusColor": "#d04437"},
    {"id": "2", "name": "High", "statusColor": "#f15C75"},
    {"id": "3", "name": "Medium", "statusColor": "#f79232"},
    {"id": "4", "name": "Low", "statusColor": "#707070"},
    {"id": "5", "name": "Lowest", "statusColor": "#999999"},
]
DEFAULT_PRIORITY_ID = "3"

# Data Center links a story to its epic through these Jira Software fields (Cloud uses `parent`).
EPIC_LINK = "customfield_10101"
EPIC_NAME = "customfield_10102"


@dataclass
class JiraUser:
    """A person or bot; Cloud identifies them by account_id, Data Center by name."""

    account_id: str
    name: str
    display_name: str
    email: str
    active: bool = True
    time_zone: str = "Australia/Sydney"
    # Cloud hides e-mail addresses of people whose profile visibility says so.
    email_visible: bool = True
    # Data Center's internal user key; the server assigns JIRAUSER1xxxx when left empty.
    key: str = ""


@dataclass(frozen=True)
class Status:
    id: str
    name: str
    category: str
    description: str = ""


@dataclass(frozen=True)
class ScreenField:
    """A field on a create or transition screen; `required` makes the server insist on it."""

    field_id: str
    required: bool = False


@dataclass(frozen=True)
class Transition:
    id: str
    name: str
    to_status: str
    # Empty means a global transition, available from every status.
    from_statuses: tuple[str, ...] = ()
    screen: tuple[ScreenField, ...] = ()


@dataclass
class Workflow:
    statuses: list[Status]
    transitions: list[Transition]
    initial_status: str

    def status(self, status_id_or_name: str) -> Status | None:
        for s in self.statuses:
            if s.id == status_id_or_name or s.name.lower() == status_id_or_name.lower():
                return s
        return None

    def available(self, status_id: str) -> list[Transition]:
        return [t for t in self.transitions if not t.from_statuses or status_id in t.from_statuses]


def default_workflow() -> Workflow:
    """To Do -> In Progress -> In Review -> Done; Done only from In Review; Cancel from anywhere open."""
    todo, prog, review, done, cancelled = "10000", "3", "10002", "10001", "10003"
    resolution_required = (ScreenField("resolution", required=True),)
    return Workflow(
        statuses=[
            Status(todo, "To Do", "new", "Work that has not been started."),
            Status(prog, "In Progress", "indeterminate", "The issue is currently being worked on."),
            Status(review, "In Review", "indeterminate", "Waiting for a review."),
            Status(done, "Done", "done", "Work has been completed on this issue."),
            Status(cancelled, "Cancelled", "done", "Work on this issue has been stopped."),
        ],
        transitions=[
            Transition("11", "Start Progress", prog, (todo,)),
            Transition("21", "Submit for Review", review, (prog,)),
            Transition("31", "Done", done, (review,), resolution_required),
            Transition("41", "Stop Progress", todo, (prog,)),
            Transition("51", "Back to In Progress", prog, (review,)),
            Transition("61", "Cancel", cancelled, (todo, prog, review), resolution_required),
            Transition("71", "Reopen", todo, (done, cancelled)),
        ],
        initial_status=todo,
    )


@dataclass(frozen=True)
class FieldDef:
    """One entry of GET /field; `schema` follows JsonTypeBean."""

    id: str
    name: str
    schema: dict[str, Any]
    custom: bool = False


def default_fields() -> list[FieldDef]:
    def system(fid: str, name: str, typ: str, items: str | None = None) -> FieldDef:
        schema: dict[str, Any] = {"type": typ, "system": fid}
        if items:
            schema["items"] = items
        return FieldDef(fid, name, schema)

    def custom(fid: str, name: str, typ: str, plugin: str) -> FieldDef:
        return FieldDef(
            fid, name, {"type": typ, "custom": plugin, "customId": int(fid.rsplit("_", 1)[1])}, True
        )

    text = "com.atlassian.jira.plugin.system.customfieldtypes:textfield"

    return [
        FieldDef("issuekey", "Key", {"type": "string"}),
        system("summary", "Summary", "string"),
        system("description", "Description", "string"),
        system("project", "Project", "project"),
        system("issuetype", "Issue Type", "issuetype"),
        system("status", "Status", "status"),
        system("resolution", "Resolution", "resolution"),
        system("resolutiondate", "Resolved", "datetime"),
        system("assignee", "Assignee", "user"),
        system("reporter", "Reporter", "user"),
        system("priority", "Priority", "priority"),
        system("labels", "Labels", "array", items="string"),
        system("duedate", "Due date", "date"),
        system("created", "Created", "datetime"),
        system("updated", "Updated", "datetime"),
        custom("customfield_10050", "Team", "string", text),
        custom(EPIC_LINK, "Epic Link", "any", "com.pyxis.greenhopper.jira:gh-epic-link"),
        custom(EPIC_NAME, "Epic Name", "string", "com.pyxis.greenhopper.jira:gh-epic-label"),
        custom("customfield_10060", "Root cause", "string", text),
    ]


# Fields a create screen offers unless a configuration hides them.
DEFAULT_CREATE_SCREEN: tuple[str, ...] = (
    "summary",
    "issuetype",
    "project",
    "description",
    "assignee",
    "reporter",
    "labels",
    "duedate",
    "priority",
)


@dataclass
class IssueTypeSpec:
    id: str
    name: str
    description: str = ""
    subtask: bool = False
    # Custom (or system) fields that must be present on create, beyond summary/project/issuetype.
    required: tuple[str, ...] = ()
    # Fields missing from the create and edit screens (e.g. duedate, priority).
    hidden: tuple[str, ...] = ()
    # Extra custom fields on the screen that are optional.
    optional: tuple[str, ...] = ()
    hierarchy: int = 0  # 1 for an epic: the issue types whose issues may be a `parent` of others

    def screen_fields(self) -> list[ScreenField]:
        ids = [f for f in DEFAULT_CREATE_SCREEN if f not in self.hidden]
        ids += [f for f in (*self.required, *self.optional) if f not in ids]
        return [ScreenField(f, f in self.required or f in ("summary", "issuetype", "project")) for f in ids]


@dataclass
class ProjectSpec:
    key: str
    name: str
    id: str
    issue_types: list[IssueTypeSpec]
    workflow: Workflow = field(default_factory=default_workflow)

    def issue_type(self, id_or_name: str) -> IssueTypeSpec | None:
        for it in self.issue_types:
            if it.id == id_or_name or it.name == id_or_name:
                return it
        return None


def default_users() -> list[JiraUser]:
    return [
        JiraUser("712020:bot-0001", "tracker-bot", "Tracker Bot", "bot@example.com"),
        JiraUser("5b10a2844c20165700ede21a", "alice", "Alice Liddell", "alice@example.com"),
        JiraUser("5b10a2844c20165700ede21b", "bob", "Bob Builder", "bob@example.com"),
        JiraUser(
            "5b10a2844c20165700ede21c", "carol", "Carol Danvers", "carol@example.com", email_visible=False
        ),
        JiraUser("5b10a2844c20165700ede21d", "dave", "Dave Former", "dave@example.com", active=False),
    ]


def default_projects() -> list[ProjectSpec]:
    """OPS accepts everything; PLAT requires a Team and has no due date or priority on its screen."""
    return [
        ProjectSpec(
            "OPS",
            "Operations",
            "10000",
            [
                IssueTypeSpec("10001", "Task", "A small piece of work."),
                IssueTypeSpec("10004", "Bug", "A problem."),
            ],
        ),
        ProjectSpec(
            "PLAT",
            "Platform",
            "10001",
            [
                IssueTypeSpec(
                    "10001",
                    "Task",
                    "A small piece of work.",
                    required=("customfield_10050",),
                    hidden=("duedate", "priority"),
                )
            ],
        ),
    ]


@dataclass
class Comment:
    id: str
    author: str
    body: Any  # plain string (written through v2) or an ADF document (written through v3)
    created: datetime
    updated: datetime


@dataclass
class Issue:
    """Server-side state of one issue; `body`-like fields keep the form they were written in."""

    id: int
    key: str
    project: str
    issuetype: str
    summary: str
    status: str
    created: datetime
    updated: datetime
    description: Any = None
    assignee: str | None = None
    labels: list[str] = field(default_factory=list)
    duedate: str | None = None
    priority: str | None = DEFAULT_PRIORITY_ID
    resolution: str | None = None
    resolutiondate: datetime | None = None
    custom: dict[str, Any] = field(default_factory=dict)
    properties: dict[str, Any] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)
    old_keys: list[str] = field(default_factory=list)
    parent: int | None = None  # id of the epic this issue belongs to (the `parent` field)
    # Server time of the last write, for the search index lag.
    written_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def jira_time(dt: datetime, tz: str) -> str:
    """Jira's timestamp format, e.g. 2023-06-24T19:24:50.000+0000, in the caller's profile zone."""
    local = dt.astimezone(ZoneInfo(tz))
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}" + local.strftime("%z")


def epoch_ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)
