"""Fake Jira search (/search/jql on Cloud, /search on Data Center) and user-search endpoints."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any

from tracker.sandbox.jira_fields import ApiError
from tracker.sandbox.jira_model import JiraUser
from tracker.sandbox.jira_render import wanted_fields
from tracker.sandbox.jira_routes import Ctx, Resp, route

CHANGE_2046 = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)
UNBOUNDED = "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
JQL_BEAN_KEYS = {
    "jql", "nextPageToken", "maxResults", "fields", "expand", "properties", "fieldsByKeys", "failFast",
    "reconcileIssues",
}  # fmt: skip


def _params(ctx: Ctx) -> dict[str, Any]:
    """Search parameters from the query string (GET) or the JSON body (POST), in one shape."""
    if ctx.method == "GET":
        return {
            "jql": ctx.q("jql", ""),
            "nextPageToken": ctx.q("nextPageToken"),
            "maxResults": ctx.q("maxResults"),
            "startAt": ctx.q("startAt"),
            "fields": ctx.query.get("fields"),
            "expand": ctx.q("expand"),
            "properties": ctx.query.get("properties"),
            "reconcileIssues": ctx.qlist("reconcileIssues"),
        }
    if not isinstance(ctx.body, dict):
        raise ApiError(400, ["No content to map to Object due to end of input"])
    return dict(ctx.body)


def _int(value: Any, name: str, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, [f"The value '{value}' is not a valid number for '{name}'."]) from None


def _token(jql: str, offset: int) -> str:
    digest = hashlib.sha1(jql.encode()).hexdigest()[:12]
    raw = json.dumps({"q": digest, "o": offset}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _offset(token: str | None, jql: str) -> int:
    if not token:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if data["q"] == hashlib.sha1(jql.encode()).hexdigest()[:12]:
            return int(data["o"])
    except (ValueError, KeyError, TypeError):
        pass
    raise ApiError(400, ["The provided next page token is invalid or expired."])


@route("GET", "search/jql", flavor="cloud")
@route("POST", "search/jql", flavor="cloud")
def search_jql(ctx: Ctx, m: re.Match[str]) -> Resp:
    params = _params(ctx)
    if ctx.method == "POST":
        unknown = sorted(set(params) - JQL_BEAN_KEYS)
        if unknown:
            raise ApiError(400, [f'Unrecognized field "{unknown[0]}" (class SearchAndReconcileRequestBean)'])
    jql = params.get("jql") or ""
    query = ctx.state.parse(jql, ctx.viewer)
    if not query.bounded:
        raise ApiError(400, [UNBOUNDED])
    wanted = wanted_fields(params.get("fields"), ctx.state, "id")
    # Cloud silently lowers maxResults: up to 5000 ids/keys per page, fewer with real fields.
    cap = 5000 if wanted <= {"id", "key"} else 100
    limit = max(1, min(_int(params.get("maxResults"), "maxResults", 50), cap))
    reconcile = {int(x) for x in params.get("reconcileIssues") or [] if str(x).isdigit()}
    offset = _offset(params.get("nextPageToken"), jql)
    found = ctx.state.search(query, ctx.viewer, lagging=True, reconcile=reconcile)
    page = found[offset : offset + limit]
    props = params.get("properties")
    body: dict[str, Any] = {"issues": [ctx.render.issue(i, wanted, props, search=True) for i in page]}
    if offset + limit < len(found):
        body["nextPageToken"] = _token(jql, offset + limit)
    body["isLast"] = offset + limit >= len(found)
    if "names" in str(params.get("expand") or ""):
        body["names"] = {fid: ctx.state.field_name(fid) for fid in wanted if fid in ctx.state.fields}
    return Resp(200, body)


@route("POST", "search/approximate-count", flavor="cloud")
def approximate_count(ctx: Ctx, m: re.Match[str]) -> Resp:
    jql = ctx.body.get("jql", "") if isinstance(ctx.body, dict) else ""
    query = ctx.state.parse(jql, ctx.viewer)
    if not query.bounded:
        raise ApiError(400, [UNBOUNDED])
    return Resp(200, {"count": len(ctx.state.search(query, ctx.viewer, lagging=True, reconcile=set()))})


@route("GET", "search")
@route("POST", "search")
def search(ctx: Ctx, m: re.Match[str]) -> Resp:
    if ctx.state.cloud:
        raise ApiError(410, [CHANGE_2046])
    params = _params(ctx)
    query = ctx.state.parse(params.get("jql") or "", ctx.viewer)
    start = _int(params.get("startAt"), "startAt", 0)
    limit = max(0, min(_int(params.get("maxResults"), "maxResults", 50), 1000))
    found = ctx.state.search(query, ctx.viewer, lagging=False, reconcile=set())
    wanted = wanted_fields(params.get("fields"), ctx.state, "*navigable")
    issues = [ctx.render.issue(i, wanted, params.get("properties")) for i in found[start : start + limit]]
    body = {
        "expand": "schema,names",
        "startAt": start,
        "maxResults": limit,
        "total": len(found),
        "issues": issues,
    }
    return Resp(200, body)


def _matches(user: JiraUser, needle: str, cloud: bool) -> bool:
    needle = needle.lower()
    words = [w.lower() for w in user.display_name.split()] + [user.display_name.lower()]
    if any(w.startswith(needle) for w in words):
        return True
    # Cloud still finds a person by the exact address when their e-mail is hidden.
    if user.email.lower().startswith(needle) and (
        user.email_visible or user.email.lower() == needle or not cloud
    ):
        return True
    return user.account_id.lower() == needle if cloud else user.name.lower().startswith(needle)


def _people(ctx: Ctx, candidates: list[JiraUser]) -> list[dict[str, Any]]:
    start, limit = ctx.qint("startAt", 0), min(ctx.qint("maxResults", 50), 1000 if ctx.state.cloud else 100)
    return [ctx.render.user(u) or {} for u in candidates[start : start + limit]]


def _needle(ctx: Ctx) -> str:
    if ctx.state.cloud:
        if ctx.q("username"):
            raise ApiError(400, ["The query parameter 'username' is not supported in GDPR strict mode."])
        needle = ctx.q("query") or ctx.q("accountId")
        if not needle:
            raise ApiError(
                400, ["One of 'query', 'accountId' or 'property' query parameters must be provided."]
            )
        return needle
    needle = ctx.q("username")
    if not needle:
        raise ApiError(400, ["The username query parameter was not provided"])
    return needle


@route("GET", "user/search")
def user_search(ctx: Ctx, m: re.Match[str]) -> Resp:
    needle = _needle(ctx)
    active, inactive = ctx.qbool("includeActive", True), ctx.qbool("includeInactive", False)
    found = [
        u
        for u in ctx.state.users_by_name.values()
        if _matches(u, needle, ctx.state.cloud)
        and (u.active if ctx.state.cloud else (active and u.active) or (inactive and not u.active))
    ]
    return Resp(200, _people(ctx, found))


@route("GET", "user/assignable/search")
def assignable_search(ctx: Ctx, m: re.Match[str]) -> Resp:
    needle = (ctx.q("query") or "") if ctx.state.cloud else (ctx.q("username") or "")
    if ctx.state.cloud and ctx.q("username"):
        raise ApiError(400, ["The query parameter 'username' is not supported in GDPR strict mode."])
    project_key = ctx.q("project")
    issue_ref = ctx.q("issueKey") or ctx.q("issueId")
    if issue_ref:
        project_key = ctx.state.issue(issue_ref).project
    project = ctx.state.project(project_key) if project_key else None
    if project is None:
        raise ApiError(
            400,
            ["You must provide a project key, issue key or issue id."]
            if not project_key
            else [f"No project could be found with key '{project_key}'."],
        )
    found = [
        u
        for u in ctx.state.users_by_name.values()
        if ctx.state.assignable(project.key, u) and (not needle or _matches(u, needle, ctx.state.cloud))
    ]
    return Resp(200, _people(ctx, found))


@route("GET", "user")
def get_user(ctx: Ctx, m: re.Match[str]) -> Resp:
    if ctx.state.cloud:
        user = ctx.state.users_by_account.get(ctx.q("accountId") or "")
        if user is None:
            raise ApiError(404, ["Specified user does not exist or you do not have required permissions"])
    else:
        ref = ctx.q("username") or ctx.q("key") or ""
        user = ctx.state.users_by_name.get(ref) or next(
            (u for u in ctx.state.users_by_name.values() if u.key == ref), None
        )
        if user is None:
            raise ApiError(404, [f"The user named '{ref}' does not exist"])
    return Resp(200, ctx.render.user(user, full=True))
