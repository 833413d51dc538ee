"""Route table of the fake Jira, and the issue endpoints tracker calls (bulk create, read, edit, transitions, comments)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tracker.sandbox.jira_fields import ApiError
from tracker.sandbox.jira_model import Issue, JiraUser
from tracker.sandbox.jira_render import Renderer, wanted_fields
from tracker.sandbox.jira_state import JiraState


@dataclass
class Ctx:
    """One request as a route sees it."""

    state: JiraState
    method: str
    query: dict[str, list[str]]
    body: Any
    version: str
    viewer: JiraUser
    render: Renderer
    # Set by a route whose write has been applied, so a "drop after write" fault may fire.
    wrote: bool = False

    def q(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def qlist(self, name: str) -> list[str]:
        return [p for v in self.query.get(name, []) for p in v.split(",") if p]

    def qbool(self, name: str, default: bool) -> bool:
        raw = self.q(name)
        # The jira library sends Python's True/False spelling; Jira's parser is case-insensitive.
        return default if raw is None else raw.lower() == "true"

    def qint(self, name: str, default: int) -> int:
        raw = self.q(name)
        if raw is None or raw == "":
            return default
        try:
            return int(raw)
        except ValueError:
            raise ApiError(400, [f"The value '{raw}' is not a valid number for '{name}'."]) from None


@dataclass
class Resp:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Ctx, re.Match[str]], Resp]
ROUTES: list[tuple[str, re.Pattern[str], Handler, str]] = []


def route(method: str, pattern: str, flavor: str = "any") -> Callable[[Handler], Handler]:
    """Register a handler for METHOD and a path (after /rest/api/{version}/) regex."""

    def register(fn: Handler) -> Handler:
        ROUTES.append((method, re.compile(f"^{pattern}$"), fn, flavor))
        return fn

    return register


def _created(ctx: Ctx, issue: Issue) -> dict[str, Any]:
    return {"id": str(issue.id), "key": issue.key, "self": ctx.render.api(f"issue/{issue.id}")}


@route("POST", "issue/bulk")
def create_issues(ctx: Ctx, m: re.Match[str]) -> Resp:
    updates = ctx.body.get("issueUpdates") if isinstance(ctx.body, dict) else None
    if not isinstance(updates, list):
        raise ApiError(400, ["Issue list cannot be null or empty"])
    if len(updates) > 50:
        raise ApiError(400, ["The number of issues to create exceeds the maximum of 50 issues."])
    created: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for n, upd in enumerate(updates):
        try:
            issue = ctx.state.create_issue(upd, ctx.version, ctx.viewer)
        except ApiError as e:
            failed.append({"status": e.status, "elementErrors": e.body, "failedElementNumber": n})
        else:
            created.append(_created(ctx, issue))
    ctx.wrote = bool(created)
    return Resp(201 if created else 400, {"issues": created, "errors": failed})


# The literal siblings issue/createmeta and issue/bulk are not issue keys.
ISSUE = r"issue/(?!createmeta$|bulk$)([^/]+)"


def _issue(ctx: Ctx, m: re.Match[str]) -> Issue:
    return ctx.state.issue(m.group(1))


@route("GET", ISSUE)
def get_issue(ctx: Ctx, m: re.Match[str]) -> Resp:
    issue = _issue(ctx, m)
    wanted = wanted_fields(ctx.query.get("fields"), ctx.state, "*all")
    return Resp(200, ctx.render.issue(issue, wanted, ctx.query.get("properties")))


@route("PUT", ISSUE)
def edit_issue(ctx: Ctx, m: re.Match[str]) -> Resp:
    issue = _issue(ctx, m)
    ctx.state.edit_issue(issue, ctx.body, ctx.version)
    ctx.wrote = True
    if ctx.qbool("returnIssue", False):
        return Resp(200, ctx.render.issue(issue, wanted_fields(None, ctx.state, "*all")))
    return Resp(204)


@route("GET", r"issue/([^/]+)/transitions")
def get_transitions(ctx: Ctx, m: re.Match[str]) -> Resp:
    issue = _issue(ctx, m)
    project = ctx.state.projects[issue.project]
    with_fields = "transitions.fields" in (ctx.q("expand") or "")
    items = [
        ctx.render.transition(issue, t, with_fields, project) for t in ctx.state.available_transitions(issue)
    ]
    return Resp(200, {"expand": "transitions", "transitions": items})


@route("POST", r"issue/([^/]+)/transitions")
def do_transition(ctx: Ctx, m: re.Match[str]) -> Resp:
    ctx.state.transition(_issue(ctx, m), ctx.body, ctx.version)
    ctx.wrote = True
    return Resp(204)


@route("GET", r"issue/([^/]+)/comment")
def get_comments(ctx: Ctx, m: re.Match[str]) -> Resp:
    issue = _issue(ctx, m)
    start, limit = ctx.qint("startAt", 0), min(ctx.qint("maxResults", 100), 100)
    return Resp(200, ctx.render.comments_page(issue, start, limit))


@route("POST", r"issue/([^/]+)/comment")
def add_comment(ctx: Ctx, m: re.Match[str]) -> Resp:
    issue = _issue(ctx, m)
    comment = ctx.state.add_comment(issue, ctx.body, ctx.version, ctx.viewer)
    ctx.wrote = True
    return Resp(201, ctx.render.comment(issue, comment))
