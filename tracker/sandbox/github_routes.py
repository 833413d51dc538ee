"""Repository, label, milestone and rate-limit routes, and the fake GitHub's route table: only what tracker sends."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tracker.sandbox import github_issue_parts as parts
from tracker.sandbox import github_issues as issues
from tracker.sandbox.github_api import (
    DOCS,
    Context,
    HttpError,
    Request,
    Response,
    invalid_request,
    validation_failed,
)
from tracker.sandbox.github_apps import create_access_token
from tracker.sandbox.github_events import list_repo_events
from tracker.sandbox.github_limits import RateLimiter
from tracker.sandbox.github_model import parse_iso

LABEL_DOC = f"{DOCS}/issues/labels#create-a-label"
MILESTONE_DOC = f"{DOCS}/issues/milestones#create-a-milestone"
_COLOR = re.compile(r"^[0-9a-fA-F]{6}$")


def get_repo(ctx: Context, req: Request, owner: str, name: str) -> Response:
    repo, perm = ctx.repo(req, owner, name)
    return Response(200, ctx.render.full_repository(repo, perm), last_modified=repo.updated_at)


# Labels ---------------------------------------------------------------------------------------------
def list_labels(ctx: Context, req: Request, owner: str, name: str) -> Response:
    repo, _ = ctx.repo(req, owner, name)
    labels = sorted(repo.labels.values(), key=lambda lab: lab.id)
    response = ctx.paginate(req, labels, lambda lab: ctx.render.label(repo, lab))
    response.last_modified = repo.changed_at
    return response


def create_label(ctx: Context, req: Request, owner: str, name: str) -> Response:
    ctx.require_auth(req, LABEL_DOC)
    repo, perm = ctx.repo(req, owner, name)
    if perm != "push":
        raise HttpError(403, "Must have admin rights to Repository.", doc=LABEL_DOC)
    body = req.body if isinstance(req.body, dict) else {}
    label_name = body.get("name")
    if not isinstance(label_name, str):
        raise invalid_request(LABEL_DOC, '"name" wasn\'t supplied.')
    color = str(body.get("color") or "ededed").lstrip("#")
    description = body.get("description")
    errors: list[dict[str, Any]] = []
    if not label_name.strip():
        errors.append({"resource": "Label", "code": "missing_field", "field": "name"})
    if repo.label_by_name(label_name) is not None:
        errors.append({"resource": "Label", "code": "already_exists", "field": "name"})
    if not _COLOR.match(color):
        errors.append({"resource": "Label", "code": "invalid", "field": "color"})
    if description is not None and (not isinstance(description, str) or len(description) > 100):
        errors.append({"resource": "Label", "code": "invalid", "field": "description"})
    if errors:
        raise validation_failed(LABEL_DOC, *errors)
    label = ctx.store.create_label(repo, label_name, color.lower(), description)
    rendered = ctx.render.label(repo, label)
    return Response(201, rendered, {"Location": rendered["url"]})


# Milestones -----------------------------------------------------------------------------------------
def list_milestones(ctx: Context, req: Request, owner: str, name: str) -> Response:
    repo, _ = ctx.repo(req, owner, name)
    state = req.param("state", "open")
    found = [m for m in repo.milestones.values() if state == "all" or m.state == state]
    if req.param("sort", "due_on") == "completeness":

        def completeness(number: int) -> float:
            open_count, closed = ctx.store.milestone_counts(repo, number)
            return closed / (open_count + closed) if open_count + closed else 0.0

        found.sort(key=lambda m: (completeness(m.number), m.number))
    else:
        # Milestones without a due date sort after dated ones, as on GitHub.
        found.sort(key=lambda m: (m.due_on is None, m.due_on.timestamp() if m.due_on else 0, m.number))
    if req.param("direction", "asc") == "desc":
        found.reverse()
    response = ctx.paginate(req, found, lambda m: ctx.render.milestone(repo, m))
    response.last_modified = repo.changed_at
    return response


def create_milestone(ctx: Context, req: Request, owner: str, name: str) -> Response:
    ctx.require_auth(req, MILESTONE_DOC)
    repo, perm = ctx.repo(req, owner, name)
    if perm != "push":
        raise HttpError(403, "Must have admin rights to Repository.", doc=MILESTONE_DOC)
    body = req.body if isinstance(req.body, dict) else {}
    title = body.get("title")
    if not isinstance(title, str):
        raise invalid_request(MILESTONE_DOC, '"title" wasn\'t supplied.')
    state = body.get("state", "open")
    due_text = body.get("due_on")
    due = parse_iso(due_text) if isinstance(due_text, str) else None
    errors: list[dict[str, Any]] = []
    if any(m.title.lower() == title.lower() for m in repo.milestones.values()):
        errors.append({"resource": "Milestone", "code": "already_exists", "field": "title"})
    if state not in ("open", "closed"):
        errors.append({"resource": "Milestone", "code": "invalid", "field": "state", "value": str(state)})
    if due_text is not None and due is None:
        errors.append({"resource": "Milestone", "code": "invalid", "field": "due_on", "value": str(due_text)})
    if errors:
        raise validation_failed(MILESTONE_DOC, *errors)
    assert req.login is not None
    ms = ctx.store.create_milestone(
        repo, title, req.login, state=state, description=body.get("description"), due_on=due
    )
    rendered = ctx.render.milestone(repo, ms)
    return Response(201, rendered, {"Location": rendered["url"]})


# Assignees ------------------------------------------------------------------------------------------
# People, organisations, teams -----------------------------------------------------------------------
def rate_limit(ctx: Context, req: Request, limiter: RateLimiter, identity: str) -> Response:
    def bucket(resource: str) -> dict[str, int]:
        b = limiter.bucket(identity, resource)
        return {"limit": b.limit, "used": b.used, "remaining": b.remaining, "reset": b.reset}

    core = bucket("core")
    graphql = {**core, "used": 0, "remaining": core["limit"]}
    resources = {
        "core": core,
        "search": bucket("search"),
        "graphql": graphql,
        "integration_manifest": {**graphql},
        "code_search": {"limit": 10, "used": 0, "remaining": 10, "reset": core["reset"]},
    }
    return Response(200, {"resources": resources, "rate": core})


Handler = Callable[..., Response]
_R = r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)"
_I = _R + r"/issues/(?P<number>[^/]+)"
_TABLE: list[tuple[str, str, Handler]] = [
    ("GET", _R, get_repo),
    ("GET", _R + "/issues", issues.list_issues),
    ("GET", _R + "/issues/events", list_repo_events),  # before _I: "events" is not an issue number
    ("POST", _R + "/issues", issues.create_issue),
    ("GET", _I, issues.get_issue),
    ("PATCH", _I, issues.update_issue),
    ("GET", _I + "/comments", parts.list_comments),
    ("POST", _I + "/comments", parts.create_comment),
    ("POST", _I + "/labels", parts.add_issue_labels),
    ("DELETE", _I + "/labels/(?P<label>[^/]+)", parts.remove_issue_label),
    ("POST", _I + "/assignees", parts.add_assignees),
    ("DELETE", _I + "/assignees", parts.remove_assignees),
    ("POST", _I + "/sub_issues", parts.add_sub_issue),
    ("GET", _R + "/labels", list_labels),
    ("POST", _R + "/labels", create_label),
    ("GET", _R + "/milestones", list_milestones),
    ("POST", _R + "/milestones", create_milestone),
    ("POST", r"/app/installations/(?P<installation_id>\d+)/access_tokens", create_access_token),
]
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    (method, re.compile(f"^{pattern}/?$"), handler) for method, pattern, handler in _TABLE
]

# Creates that count against the content-creation secondary limit.
CONTENT_CREATION = [
    re.compile(f"^{_R}/issues/?$"),
    re.compile(f"^{_I}/comments/?$"),
    re.compile(f"^{_R}/labels/?$"),
    re.compile(f"^{_R}/milestones/?$"),
]


def route(method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
    """The handler for a request, or None; a known path with another method is a 404 too."""
    for verb, pattern, handler in ROUTES:
        m = pattern.match(path)
        if m and verb == method:
            return handler, m.groupdict()
    return None
