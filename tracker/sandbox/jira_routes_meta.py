"""Fake Jira metadata tracker reads: serverInfo, the field list, and the paged createmeta forms."""

from __future__ import annotations

import re
from typing import Any

from tracker.sandbox.jira_fields import ApiError
from tracker.sandbox.jira_model import IssueTypeSpec, ProjectSpec
from tracker.sandbox.jira_routes import Ctx, Resp, route


@route("GET", "serverInfo")
def server_info(ctx: Ctx, m: re.Match[str]) -> Resp:
    numbers = ctx.state.version_numbers
    cloud = ctx.state.cloud
    body: dict[str, Any] = {
        "baseUrl": ctx.render.base,
        "version": "1001.0.0-SNAPSHOT" if cloud else ".".join(map(str, numbers)),
        "versionNumbers": list(numbers),
        "deploymentType": "Cloud" if cloud else "Server",
        "buildNumber": 100289 if cloud else numbers[0] * 1000000 + numbers[1] * 1000 + numbers[2],
        "buildDate": "2025-07-24T04:10:06.000+0000",
        "serverTime": ctx.render.time(ctx.state.now()),
        "scmInfo": "0b3a2e9cb2b1e1f0a6d0c0a9b9c0e1d2f3a4b5c6",
        "serverTitle": "Jira",
    }
    return Resp(200, body)


@route("GET", "field")
def fields(ctx: Ctx, m: re.Match[str]) -> Resp:
    return Resp(200, [ctx.render.field(fid) for fid in ctx.state.fields])


def _project(ctx: Ctx, ref: str) -> ProjectSpec:
    project = ctx.state.project(ref)
    if project is None:
        raise ApiError(404, [f"No project could be found with key '{ref}'."])
    return project


def _fields_meta(ctx: Ctx, itype: IssueTypeSpec) -> dict[str, Any]:
    return {sf.field_id: ctx.render.field_meta(sf) for sf in itype.screen_fields()}


def _page(ctx: Ctx, items: list[Any], cloud_key: str) -> dict[str, Any]:
    """Cloud pages as {<key>, startAt, maxResults, total}; Data Center as {values, ..., isLast}."""
    start, limit = ctx.qint("startAt", 0), ctx.qint("maxResults", 50)
    chunk = items[start : start + limit]
    if ctx.state.cloud:
        return {cloud_key: chunk, "maxResults": limit, "startAt": start, "total": len(items)}
    is_last = start + len(chunk) >= len(items)
    return {"maxResults": limit, "startAt": start, "total": len(items), "isLast": is_last, "values": chunk}


@route("GET", r"issue/createmeta/([^/]+)/issuetypes")
def createmeta_types(ctx: Ctx, m: re.Match[str]) -> Resp:
    p = _project(ctx, m.group(1))
    return Resp(200, _page(ctx, [ctx.render.issue_type(it) for it in p.issue_types], "issueTypes"))


@route("GET", r"issue/createmeta/([^/]+)/issuetypes/([^/]+)")
def createmeta_fields(ctx: Ctx, m: re.Match[str]) -> Resp:
    p = _project(ctx, m.group(1))
    it = p.issue_type(m.group(2))
    if it is None:
        raise ApiError(404, ["Issue type with id " + m.group(2) + " does not exist."])
    items = [{**meta, "fieldId": fid} for fid, meta in _fields_meta(ctx, it).items()]
    return Resp(200, _page(ctx, items, "fields"))
