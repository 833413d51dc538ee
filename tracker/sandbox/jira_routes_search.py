"""Fake Jira search: GET /search/jql on Cloud (token paging), GET /search on Data Center (startAt/total)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any

from tracker.sandbox.jira_fields import ApiError
from tracker.sandbox.jira_render import wanted_fields
from tracker.sandbox.jira_routes import Ctx, Resp, route

CHANGE_2046 = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)


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
def search_jql(ctx: Ctx, m: re.Match[str]) -> Resp:
    """No `total`, no `startAt`: `nextPageToken` until `isLast`; eventually consistent unless reconciled."""
    jql = ctx.q("jql", "") or ""
    query = ctx.state.parse(jql)
    wanted = wanted_fields(ctx.query.get("fields"), ctx.state, "id")
    # Cloud silently lowers maxResults: up to 5000 ids/keys per page, fewer with real fields.
    cap = 5000 if wanted <= {"id", "key"} else 100
    limit = max(1, min(_int(ctx.q("maxResults"), "maxResults", 50), cap))
    reconcile = {int(x) for x in ctx.qlist("reconcileIssues") if x.isdigit()}
    offset = _offset(ctx.q("nextPageToken"), jql)
    found = ctx.state.search(query, lagging=True, reconcile=reconcile)
    page = found[offset : offset + limit]
    props = ctx.query.get("properties")
    body: dict[str, Any] = {"issues": [ctx.render.issue(i, wanted, props, search=True) for i in page]}
    if offset + limit < len(found):
        body["nextPageToken"] = _token(jql, offset + limit)
    body["isLast"] = offset + limit >= len(found)
    return Resp(200, body)


@route("GET", "search")
def search(ctx: Ctx, m: re.Match[str]) -> Resp:
    """Data Center's search; Cloud removed it (410, CHANGE-2046)."""
    if ctx.state.cloud:
        raise ApiError(410, [CHANGE_2046])
    query = ctx.state.parse(ctx.q("jql", "") or "")
    start = _int(ctx.q("startAt"), "startAt", 0)
    limit = max(0, min(_int(ctx.q("maxResults"), "maxResults", 50), 1000))
    found = ctx.state.search(query, lagging=False, reconcile=set())
    wanted = wanted_fields(ctx.query.get("fields"), ctx.state, "*navigable")
    issues = [ctx.render.issue(i, wanted, ctx.query.get("properties")) for i in found[start : start + limit]]
    body = {
        "expand": "schema,names",
        "startAt": start,
        "maxResults": limit,
        "total": len(found),
        "issues": issues,
    }
    return Resp(200, body)
