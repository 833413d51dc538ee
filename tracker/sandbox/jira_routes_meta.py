"""Fake Jira endpoints for server, account and reference data, including all three createmeta forms."""

from __future__ import annotations

import re
from typing import Any

from tracker.sandbox.jira_fields import ApiError
from tracker.sandbox.jira_model import PRIORITIES, RESOLUTIONS, STATUS_CATEGORIES, IssueTypeSpec, ProjectSpec
from tracker.sandbox.jira_routes import Ctx, Resp, route


def null_for_uri(ctx: Ctx, path: str) -> ApiError:
    """Jersey's answer for a path the server does not serve."""
    return ApiError(404, [f"null for uri: {ctx.render.base}/rest/api/{ctx.version}/{path}"])


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


@route("GET", "myself")
def myself(ctx: Ctx, m: re.Match[str]) -> Resp:
    return Resp(200, ctx.render.user(ctx.viewer, full=True))


@route("GET", "field")
def fields(ctx: Ctx, m: re.Match[str]) -> Resp:
    return Resp(200, [ctx.render.field(fid) for fid in ctx.state.fields])


def _project(ctx: Ctx, ref: str) -> ProjectSpec:
    project = ctx.state.project(ref)
    if project is None:
        raise ApiError(404, [f"No project could be found with key '{ref}'."])
    return project


@route("GET", "project")
def projects(ctx: Ctx, m: re.Match[str]) -> Resp:
    return Resp(200, [ctx.render.project_ref(p) for p in ctx.state.projects.values()])


@route("GET", r"project/([^/]+)")
def project(ctx: Ctx, m: re.Match[str]) -> Resp:
    return Resp(200, ctx.render.project(_project(ctx, m.group(1))))


def _fields_meta(ctx: Ctx, project: ProjectSpec, itype: IssueTypeSpec) -> dict[str, Any]:
    return {sf.field_id: ctx.render.field_meta(sf, project, itype) for sf in itype.screen_fields()}


@route("GET", "issue/createmeta")
def createmeta(ctx: Ctx, m: re.Match[str]) -> Resp:
    if not ctx.state.cloud and ctx.state.version_numbers[0] >= 9:
        raise null_for_uri(ctx, "issue/createmeta")  # removed in Data Center 9.0
    keys, ids = set(ctx.qlist("projectKeys")), set(ctx.qlist("projectIds"))
    type_names, type_ids = set(ctx.qlist("issuetypeNames")), set(ctx.qlist("issuetypeIds"))
    with_fields = "projects.issuetypes.fields" in (ctx.q("expand") or "")
    out = []
    for p in ctx.state.projects.values():
        if (keys or ids) and p.key not in keys and p.id not in ids:
            continue
        types = []
        for it in p.issue_types:
            if (type_names or type_ids) and it.name not in type_names and it.id not in type_ids:
                continue
            entry: dict[str, Any] = {
                **ctx.render.issue_type(it),
                "untranslatedName": it.name,
                "expand": "fields",
            }
            if with_fields:
                entry["fields"] = _fields_meta(ctx, p, it)
            types.append(entry)
        out.append({**ctx.render.project_ref(p), "expand": "issuetypes", "issuetypes": types})
    return Resp(200, {"expand": "projects", "projects": out})


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
    items = [{**meta, "fieldId": fid} for fid, meta in _fields_meta(ctx, p, it).items()]
    return Resp(200, _page(ctx, items, "fields"))


@route("GET", "statuscategory")
def status_categories(ctx: Ctx, m: re.Match[str]) -> Resp:
    return Resp(200, [ctx.render.status_category(k) for k in STATUS_CATEGORIES])


@route("GET", "status")
def statuses(ctx: Ctx, m: re.Match[str]) -> Resp:
    seen: dict[str, Any] = {}
    for p in ctx.state.projects.values():
        for s in p.workflow.statuses:
            seen.setdefault(s.id, ctx.render.status(s))
    return Resp(200, list(seen.values()))


@route("GET", "resolution")
def resolutions(ctx: Ctx, m: re.Match[str]) -> Resp:
    return Resp(200, [ctx.render.resolution(r["id"]) for r in RESOLUTIONS])


@route("GET", "priority")
def priorities(ctx: Ctx, m: re.Match[str]) -> Resp:
    return Resp(200, [ctx.render.priority(p["id"]) for p in PRIORITIES])


@route("GET", "issuetype")
def issue_types(ctx: Ctx, m: re.Match[str]) -> Resp:
    seen: dict[str, Any] = {}
    for p in ctx.state.projects.values():
        for it in p.issue_types:
            seen.setdefault(it.id, ctx.render.issue_type(it))
    return Resp(200, list(seen.values()))
