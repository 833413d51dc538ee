"""Issue routes of the fake GitHub: list, create, get and update."""

from __future__ import annotations

from typing import Any

from tracker.sandbox.github_api import (
    DOCS,
    Context,
    HttpError,
    Request,
    Response,
    invalid_request,
    validation_failed,
)
from tracker.sandbox.github_model import Issue, Repo, floor_second, parse_iso

CREATE_DOC = f"{DOCS}/issues/issues#create-an-issue"
UPDATE_DOC = f"{DOCS}/issues/issues#update-an-issue"
LIST_DOC = f"{DOCS}/issues/issues#list-repository-issues"
STATE_REASONS = ("completed", "not_planned", "duplicate", "reopened")


def list_issues(ctx: Context, req: Request, owner: str, name: str) -> Response:
    repo, _ = ctx.repo(req, owner, name)
    state = req.param("state", "open")
    sort = req.param("sort", "created")
    direction = req.param("direction", "desc")
    for field, value, allowed in (
        ("state", state, ("open", "closed", "all")),
        ("sort", sort, ("created", "updated", "comments")),
        ("direction", direction, ("asc", "desc")),
    ):
        if value not in allowed:
            raise validation_failed(LIST_DOC, {"resource": "Issue", "field": field, "code": "invalid"})
    issues = [i for i in repo.issues.values() if i.live and (state == "all" or i.state == state)]
    since_text = req.param("since")
    if since_text is not None:
        since = parse_iso(since_text)
        if since is None:
            raise validation_failed(LIST_DOC, {"resource": "Issue", "field": "since", "code": "invalid"})
        # Second precision, inclusive: an issue updated at 12:00:00.7 matches since=12:00:00.
        issues = [i for i in issues if floor_second(i.updated_at) >= floor_second(since)]
    issues = [i for i in issues if _matches_filters(ctx, repo, req, i)]
    key = {
        "created": lambda i: (i.created_at, i.id),
        "updated": lambda i: (floor_second(i.updated_at), i.id),
        "comments": lambda i: (i.comments, i.id),
    }[sort or "created"]
    issues.sort(key=key, reverse=direction == "desc")
    # GitHub's list endpoints leave `closed_by` out: only the single-issue answer has it.
    response = ctx.paginate(req, issues, lambda issue: listed(ctx, issue))
    response.last_modified = repo.changed_at
    return response


def listed(ctx: Context, issue: Issue) -> dict[str, Any]:
    """An issue as list endpoints send it: without `closed_by` (GET of a single issue has it)."""
    body = ctx.render.issue(issue)
    del body["closed_by"]
    return body


def _matches_filters(ctx: Context, repo: Repo, req: Request, issue: Issue) -> bool:
    labels = req.param("labels")
    if labels:
        have = {lab.name.lower() for lab in (repo.label_by_id(i) for i in issue.label_ids) if lab}
        if not all(n.strip().lower() in have for n in labels.split(",") if n.strip()):
            return False
    creator = req.param("creator")
    if creator and issue.user.lower() != creator.lower():
        return False
    assignee = req.param("assignee")
    if assignee == "none" and issue.assignees:
        return False
    if assignee == "*" and not issue.assignees:
        return False
    if assignee not in (None, "none", "*") and all(a.lower() != assignee.lower() for a in issue.assignees):
        return False
    milestone = req.param("milestone")
    if milestone == "none" and issue.milestone is not None:
        return False
    if milestone == "*" and issue.milestone is None:
        return False
    if milestone not in (None, "none", "*") and str(issue.milestone) != milestone:
        return False
    mentioned = req.param("mentioned")
    return not mentioned or f"@{mentioned.lower()}" in (issue.body or "").lower()


def get_issue(ctx: Context, req: Request, owner: str, name: str, number: str) -> Response:
    repo, _ = ctx.repo(req, owner, name)
    issue = ctx.issue(repo, number)
    return Response(200, ctx.render.issue(issue), last_modified=issue.updated_at)


def _label_names(raw: Any, doc: str) -> list[str]:
    if not isinstance(raw, list):
        raise invalid_request(doc, "For 'properties/labels', \"labels\" is not an array.")
    names: list[str] = []
    for item in raw:
        name = item.get("name") if isinstance(item, dict) else item
        if not isinstance(name, str) or not name.strip():
            raise validation_failed(doc, {"resource": "Label", "field": "name", "code": "invalid"})
        names.append(name)
    return names


def _assignee_logins(ctx: Context, repo: Repo, body: dict[str, Any], doc: str) -> list[str] | None:
    """The requested assignees (None when not sent); 422 naming the non-assignable logins."""
    if "assignees" in body:
        raw = body["assignees"]
        field = "assignees"
    elif "assignee" in body:
        raw = [] if body["assignee"] in (None, "") else [body["assignee"]]
        field = "assignee"
    else:
        return None
    if not isinstance(raw, list) or not all(isinstance(a, str) for a in raw):
        raise invalid_request(doc, f"For 'properties/{field}', {raw!r} is not an array of strings.")
    rejected = [a for a in raw if not ctx.store.assignable(repo, a)]
    if rejected:
        value: Any = rejected if field == "assignees" else rejected[0]
        raise validation_failed(doc, {"value": value, "resource": "Issue", "field": field, "code": "invalid"})
    logins: list[str] = []
    for login in raw:
        canonical = ctx.store.ensure_user(login).login
        if canonical not in logins:
            logins.append(canonical)
    return logins


def _milestone(repo: Repo, body: dict[str, Any], doc: str) -> tuple[bool, int | None]:
    """(sent, number); "" and null clear the milestone, as PyGithub's `milestone=None` sends ""."""
    if "milestone" not in body:
        return False, None
    raw = body["milestone"]
    if raw in (None, ""):
        return True, None
    try:
        number = int(raw)
    except (TypeError, ValueError):
        number = -1
    if number not in repo.milestones:
        raise validation_failed(
            doc, {"value": raw, "resource": "Issue", "field": "milestone", "code": "invalid"}
        )
    return True, number


def _json_object(req: Request, doc: str) -> dict[str, Any]:
    if not isinstance(req.body, dict):
        raise invalid_request(doc, f"{req.body!r} is not an object.")
    return req.body


def create_issue(ctx: Context, req: Request, owner: str, name: str) -> Response:
    ctx.require_auth(req, CREATE_DOC)
    repo, perm = ctx.repo(req, owner, name)
    if not repo.has_issues:
        raise HttpError(410, "Issues are disabled for this repo", doc=CREATE_DOC)
    body = _json_object(req, CREATE_DOC)
    title = body.get("title")
    if title is None:
        raise invalid_request(CREATE_DOC, '"title" wasn\'t supplied.')
    if isinstance(title, bool) or not isinstance(title, str | int):
        raise invalid_request(CREATE_DOC, f"For 'properties/title', {title!r} is not a string or integer.")
    if not str(title).strip():
        raise validation_failed(CREATE_DOC, {"resource": "Issue", "field": "title", "code": "missing_field"})
    _title_length(str(title), CREATE_DOC)
    text = body.get("body")
    if text is not None and not isinstance(text, str):
        raise invalid_request(CREATE_DOC, f"For 'properties/body', {text!r} is not a string.")
    labels: list[str] = []
    assignees: list[str] = []
    milestone: int | None = None
    # Without push access these are silently dropped (GH-OAS request-body text), before validation.
    if perm == "push":
        if "labels" in body:
            labels = _label_names(body["labels"], CREATE_DOC)
        assignees = _assignee_logins(ctx, repo, body, CREATE_DOC) or []
        milestone = _milestone(repo, body, CREATE_DOC)[1]
    assert req.login is not None
    issue = ctx.store.create_issue(
        repo, str(title), text, req.login, labels=labels, assignees=assignees, milestone=milestone
    )
    if perm == "push":
        _apply_field_values(ctx, repo, issue, body)
    rendered = ctx.render.issue(issue)
    return Response(201, rendered, {"Location": rendered["url"]})


def update_issue(ctx: Context, req: Request, owner: str, name: str, number: str) -> Response:
    ctx.require_auth(req, UPDATE_DOC)
    repo, perm = ctx.repo(req, owner, name)
    issue = ctx.issue(repo, number)
    body = _json_object(req, UPDATE_DOC)
    if perm != "push" and issue.user.lower() != (req.login or "").lower():
        raise HttpError(403, "Must have admin rights to Repository.", doc=UPDATE_DOC)
    changed = False
    if "title" in body:
        title = body["title"]
        if (
            title is None
            or isinstance(title, bool)
            or not isinstance(title, str | int)
            or not str(title).strip()
        ):
            raise validation_failed(
                UPDATE_DOC, {"resource": "Issue", "field": "title", "code": "missing_field"}
            )
        _title_length(str(title), UPDATE_DOC)
        changed |= _set(issue, "title", str(title))
    if "body" in body:
        if body["body"] is not None and not isinstance(body["body"], str):
            raise invalid_request(UPDATE_DOC, f"For 'properties/body', {body['body']!r} is not a string.")
        changed |= _set(issue, "body", body["body"])
    if perm == "push":
        changed |= _apply_push_fields(ctx, repo, issue, body)
    changed |= _apply_state(ctx, req, issue, body)
    if changed:
        ctx.store.touch(issue)
    return Response(200, ctx.render.issue(issue))


def _apply_push_fields(ctx: Context, repo: Repo, issue: Issue, body: dict[str, Any]) -> bool:
    changed = False
    assignees = _assignee_logins(ctx, repo, body, UPDATE_DOC)
    if assignees is not None:
        changed |= _set(issue, "assignees", assignees)
    sent, milestone = _milestone(repo, body, UPDATE_DOC)
    if sent:
        changed |= _set(issue, "milestone", milestone)
    changed |= _apply_field_values(ctx, repo, issue, body)
    if "labels" in body:
        names = _label_names(body["labels"], UPDATE_DOC)
        ids: list[int] = []
        for label_name in names:
            label_id = ctx.store.get_or_create_label(repo, label_name).id
            if label_id not in ids:
                ids.append(label_id)
        changed |= _set(issue, "label_ids", ids)
    return changed


def _apply_field_values(ctx: Context, repo: Repo, issue: Issue, body: dict[str, Any]) -> bool:
    """Organisation issue fields: values for fields the repository's owner does not have are
    silently dropped, as GitHub does (GH-OAS `issue_field_values`)."""
    values = body.get("issue_field_values")
    if not isinstance(values, list):
        return False
    fields = ctx.store.issue_fields.get(repo.owner.lower(), {})
    changed = False
    for entry in values:
        if not isinstance(entry, dict) or not isinstance(entry.get("field_id"), int):
            raise invalid_request(UPDATE_DOC, "For 'items', each issue field value needs field_id and value.")
        field_id = entry["field_id"]
        if field_id in fields and issue.field_values.get(field_id) != entry.get("value"):
            issue.field_values[field_id] = entry.get("value")
            changed = True
    return changed


def _apply_state(ctx: Context, req: Request, issue: Issue, body: dict[str, Any]) -> bool:
    state = body.get("state")
    reason = body.get("state_reason")
    if state is None:
        return False  # state_reason alone is ignored unless the state changes
    if state not in ("open", "closed"):
        raise validation_failed(
            UPDATE_DOC, {"value": state, "resource": "Issue", "field": "state", "code": "invalid"}
        )
    if reason is not None and reason not in STATE_REASONS:
        raise validation_failed(
            UPDATE_DOC, {"value": reason, "resource": "Issue", "field": "state_reason", "code": "invalid"}
        )
    if state == issue.state:
        return False  # GH-OAS: state_reason is "ignored unless `state` is changed"
    if state == "closed":
        assert req.login is not None
        ctx.store.close(issue, reason if reason not in (None, "reopened") else "completed", req.login)
    else:
        assert req.login is not None
        ctx.store.reopen(issue, req.login)
    return True


def _set(issue: Issue, attr: str, value: Any) -> bool:
    if getattr(issue, attr) == value:
        return False
    setattr(issue, attr, value)
    return True


TITLE_MAX = 256  # GitHub answers 422 to a longer title (issue 19, point 7)


def _title_length(title: str, doc: str) -> None:
    if len(title) > TITLE_MAX:
        raise validation_failed(
            doc,
            {
                "resource": "Issue",
                "field": "title",
                "code": "custom",
                "message": f"title is too long (maximum is {TITLE_MAX} characters)",
            },
        )
