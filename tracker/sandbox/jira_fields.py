"""Checking and applying issue field values on create, edit and transition, with Jira's error texts."""

from __future__ import annotations

import re
from typing import Any, Protocol

from tracker.sandbox.jira_adf import check_rich_text
from tracker.sandbox.jira_model import EPIC_LINK, PRIORITIES, RESOLUTIONS, Issue, IssueTypeSpec, JiraUser


class StateView(Protocol):
    """What value checks read of the server's state (jira_state.JiraState has it; no import back)."""

    cloud: bool
    users_by_name: dict[str, JiraUser]
    users_by_account: dict[str, JiraUser]
    issues: dict[int, Issue]

    def field_name(self, field_id: str) -> str: ...

    def issue_type_of(self, issue: Issue) -> IssueTypeSpec: ...


class ApiError(Exception):
    """An answer other than success: the HTTP status and a Jira ErrorCollection body."""

    def __init__(
        self, status: int, messages: list[str] | None = None, errors: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status}: {messages} {errors}")
        self.status = status
        self.body: dict[str, Any] = {"errorMessages": messages or [], "errors": errors or {}}


def not_on_screen(field_id: str) -> str:
    return f"Field '{field_id}' cannot be set. It is not on the appropriate screen, or unknown."


REQUIRED_MESSAGES = {
    "summary": "You must specify a summary of the issue.",
    "project": "Specify a valid project ID or key",
    "issuetype": "Specify an issue type",
    "resolution": "Resolution is required.",
}


def required_message(state: StateView, field_id: str) -> str:
    if field_id in REQUIRED_MESSAGES:
        return REQUIRED_MESSAGES[field_id]
    return f"{state.field_name(field_id)} is required."


def find_user_ref(state: StateView, ref: Any) -> tuple[bool, JiraUser | None]:
    """Resolve an assignee-like reference; (False, None) when it names nobody this flavor knows."""
    if ref is None:
        return True, None
    if not isinstance(ref, dict):
        return False, None
    if state.cloud:
        # The spec's own create example writes the account id under "id".
        account = ref.get("accountId", ref.get("id"))
        if account is None and "accountId" in ref:
            return True, None
        user = state.users_by_account.get(str(account)) if account is not None else None
    else:
        name = ref.get("name", ref.get("key"))
        if name is None and "name" in ref:
            return True, None
        user = state.users_by_name.get(str(name)) if name is not None else None
        if user is None and name is not None:
            user = next((u for u in state.users_by_name.values() if u.key == name), None)
    return user is not None, user


def user_error(state: StateView, ref: Any) -> str:
    if state.cloud:
        return "Specified user does not exist or you do not have required permissions"
    name = ref.get("name", ref.get("key")) if isinstance(ref, dict) else ref
    return f"User '{name}' does not exist."


def lookup_named(options: list[dict[str, str]], ref: Any) -> dict[str, str] | None:
    if not isinstance(ref, dict):
        return None
    for opt in options:
        if ("id" in ref and str(ref["id"]) == opt["id"]) or ("name" in ref and ref["name"] == opt["name"]):
            return opt
    return None


def check_value(state: StateView, field_id: str, value: Any, version: str) -> tuple[str | None, Any]:
    """(error message, value as stored) for one field value."""
    if field_id == "summary":
        if not isinstance(value, str) or not value.strip():
            return REQUIRED_MESSAGES["summary"], None
        if "\n" in value or "\r" in value:
            return "The summary is invalid because it contains newline characters.", None
        if len(value) > 255:
            return "Summary must be less than 255 characters.", None
        return None, value
    if field_id == "description":
        return check_rich_text(value, version), value
    if field_id in ("assignee", "reporter"):
        ok, user = find_user_ref(state, value)
        if not ok:
            return user_error(state, value), None
        if user is not None and not user.active:
            return f"User '{user.display_name}' cannot be assigned issues.", None
        return None, user.name if user else None
    if field_id == "labels":
        if value is None:
            return None, []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return "data was not an array", None
        for label in value:
            if re.search(r"\s", label):
                return f"The label '{label}' contains spaces which is invalid.", None
            if len(label) > 255:
                return "The label must not exceed 255 characters.", None
        return None, list(dict.fromkeys(value))
    if field_id == "duedate":
        if value is None:
            return None, None
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return f"Error parsing date string: {value}", None
        return None, value
    if field_id == "priority":
        if value is None:
            return None, None
        found = lookup_named(PRIORITIES, value)
        return (None, found["id"]) if found else ("The priority selected is invalid.", None)
    if field_id == "resolution":
        if value is None:
            return None, None
        found = lookup_named(RESOLUTIONS, value)
        return (None, found["id"]) if found else ("The resolution selected is invalid.", None)
    if field_id == "parent":
        if not state.cloud:  # Data Center: `parent` is for sub-tasks; epics go through Epic Link
            return "Given parent work item does not belong to appropriate hierarchy.", None
        return check_parent(state, value)
    if field_id == EPIC_LINK and value is not None:
        error, epic_id = check_parent(state, {"key": value} if isinstance(value, str) else value)
        return (error, None) if error else (None, EpicLink(str(value), epic_id))
    if field_id.startswith("customfield_"):
        if value is not None and not isinstance(value, str):
            return "Operation value must be a string", None
        if isinstance(value, str) and len(value) > 255:
            return "The entered text is too long. It exceeds the allowed limit of 255 characters.", None
        return None, value
    return not_on_screen(field_id), None


def check_parent(state: StateView, value: Any) -> tuple[str | None, Any]:
    """`parent: {key|id}` names an epic (a hierarchy level 1 issue); None removes the parent."""
    if value is None:
        return None, None
    ref = value.get("key", value.get("id")) if isinstance(value, dict) else None
    parent = None
    if ref is not None:
        parent = next(
            (i for i in state.issues.values() if str(ref) in (str(i.id), i.key) or str(ref) in i.old_keys),
            None,
        )
    if parent is None:
        return f"Could not find issue by id or key: {ref}", None
    if state.issue_type_of(parent).hierarchy != 1:
        return "Given parent work item does not belong to appropriate hierarchy.", None
    return None, parent.id


class EpicLink(str):
    """An Epic Link value: the epic's key as Jira shows it, remembering the epic's id."""

    epic_id: int

    def __new__(cls, key: str, epic_id: int) -> EpicLink:
        link = super().__new__(cls, key)
        link.epic_id = epic_id
        return link


def store_value(issue: Issue, field_id: str, value: Any) -> None:
    if isinstance(value, EpicLink):
        issue.parent = value.epic_id  # the same link Cloud keeps in `parent`
        issue.custom[field_id] = str(value)
        return
    if field_id.startswith("customfield_"):
        if value is None:
            issue.custom.pop(field_id, None)
        else:
            issue.custom[field_id] = value
    else:
        setattr(issue, field_id, value)


def current_value(issue: Issue, field_id: str) -> Any:
    if field_id.startswith("customfield_"):
        return issue.custom.get(field_id)
    return getattr(issue, field_id, None)


def collect_updates(
    state: StateView,
    issue: Issue | None,
    fields: Any,
    update: Any,
    screen: set[str],
    version: str,
    errors: dict[str, str],
) -> dict[str, Any]:
    """Validate `fields` and `update` operations against a screen; return field id -> new stored value."""
    changes: dict[str, Any] = {}
    if fields is not None and not isinstance(fields, dict):
        raise ApiError(
            400, ["Can not deserialize instance of java.util.LinkedHashMap out of START_ARRAY token"]
        )
    for field_id, value in (fields or {}).items():
        if field_id not in screen:
            errors[field_id] = not_on_screen(field_id)
            continue
        message, stored = check_value(state, field_id, value, version)
        if message:
            errors[field_id] = message
        else:
            changes[field_id] = stored
    for field_id, ops in (update or {}).items():
        if field_id not in screen:
            errors[field_id] = not_on_screen(field_id)
            continue
        if not isinstance(ops, list):
            errors[field_id] = "Operation value must be a list of operations"
            continue
        base = changes.get(field_id, current_value(issue, field_id) if issue else None)
        for op in ops:
            verb, value = next(iter(op.items())) if isinstance(op, dict) and op else ("?", None)
            if field_id == "labels" and verb in ("add", "remove"):
                labels = list(base or [])
                if verb == "add":
                    message, _ = check_value(state, "labels", [value], version)
                    if message:
                        errors[field_id] = message
                    elif value not in labels:
                        labels.append(value)
                elif value in labels:
                    labels.remove(value)
                base = labels
            else:
                errors[field_id] = f"Field {field_id} does not support operation '{verb}'"
        changes[field_id] = base
    return changes
