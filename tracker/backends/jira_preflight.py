"""Jira pre-flight: flavor versus serverInfo, create metadata (required fields, screen), cached between runs."""

from __future__ import annotations

from typing import Any

from tracker.backends.base import Preflight
from tracker.backends.jira_http import JiraHttp, NotFound
from tracker.config import JiraTarget
from tracker.errors import TrackerError

CACHE_VERSION = 1
# Fields the backend always fills (or Jira fills by default), so a screen requiring them is fine.
ALWAYS_SET = {"summary", "project", "issuetype", "description", "labels", "reporter"}


def cache_valid(cache: dict[str, Any] | None, target: JiraTarget) -> bool:
    return bool(
        cache
        and cache.get("version") == CACHE_VERSION
        and cache.get("ok")
        and cache.get("flavor") == target.flavor
        and cache.get("project") == target.project
        and cache.get("issue_type") == target.issue_type
    )


def _explain(exc: TrackerError) -> str:
    return f"{exc.message} ({exc.hint})" if exc.hint else exc.message


def _values(page: Any, key: str) -> list[dict[str, Any]]:
    """Cloud pages carry the list under `key`; Data Center under `values`."""
    if not isinstance(page, dict):
        return []
    items = page.get(key, page.get("values"))
    return [i for i in items or [] if isinstance(i, dict)]


def _paged(http: JiraHttp, path: str, key: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = http.get(path, startAt=len(items), maxResults=200)
        chunk = _values(page, key)
        items += chunk
        total = page.get("total") if isinstance(page, dict) else None
        if not chunk or page.get("isLast") or (isinstance(total, int) and len(items) >= total):
            return items


def run_preflight(http: JiraHttp, target: JiraTarget) -> Preflight:
    """Three requests: serverInfo, the project's issue types, and the issue type's create fields."""
    problems: list[str] = []
    warnings: list[str] = []
    where = f"[targets.{target.name}]"
    try:
        info = http.get("serverInfo")
    except TrackerError as exc:
        return Preflight(ok=False, can_write=False, problems=(f"cannot reach {target.url}: {_explain(exc)}",))
    deployment = str(info.get("deploymentType") or "Server")
    actual = "cloud" if deployment == "Cloud" else "datacenter"
    if actual != target.flavor:
        problems.append(
            f'{where} flavor = "{target.flavor}" but {target.url} says it is '
            f"{'Jira Cloud' if actual == 'cloud' else 'Jira Server/Data Center'} (deploymentType {deployment!r}); "
            f'set flavor = "{actual}"'
        )
        return Preflight(ok=False, can_write=False, problems=tuple(problems))
    try:
        types = _paged(http, f"issue/createmeta/{target.project}/issuetypes", "issueTypes")
    except NotFound:
        return Preflight(
            ok=False,
            can_write=False,
            problems=(
                f"{where} project: {target.project} does not exist or this account cannot create issues in it",
            ),
        )
    except TrackerError as exc:
        return Preflight(ok=False, can_write=False, problems=(_explain(exc),))
    chosen = next((t for t in types if t.get("name") == target.issue_type), None)
    if chosen is None:
        known = ", ".join(sorted(str(t.get("name")) for t in types)) or "none"
        return Preflight(
            ok=False,
            can_write=False,
            problems=(
                f"{where} issue_type: {target.project} has no issue type {target.issue_type!r} (it has: {known})",
            ),
        )
    try:
        meta = _paged(http, f"issue/createmeta/{target.project}/issuetypes/{chosen['id']}", "fields")
    except TrackerError as exc:
        return Preflight(ok=False, can_write=False, problems=(_explain(exc),))
    screen = {str(f.get("fieldId") or f.get("key")): f for f in meta}
    configured = set(target.fields)
    ours = set(ALWAYS_SET) | {"assignee", "duedate"} | configured
    if target.priorities:
        ours.add("priority")
    if target.components:
        ours.add("components")
    missing = [
        f"{fid} ({f.get('name') or fid})"
        for fid, f in screen.items()
        if f.get("required") and not f.get("hasDefaultValue") and fid not in ours
    ]
    if missing:
        problems.append(
            f"{where} fields: {target.project} {target.issue_type} requires {', '.join(sorted(missing))}; "
            f"give a value or template for each in [targets.{target.name}.fields]"
        )
    if "labels" not in screen:
        problems.append(
            f"{where}: labels are not on the create screen of {target.project} {target.issue_type}; "
            "the tracker label is how sync finds its issues"
        )
    if "duedate" not in screen:
        warnings.append(
            f"duedate is not on the create screen of {target.project} {target.issue_type}: "
            "issues are created without it and the deadline stays in the description's tracker block"
        )
    if "priority" not in screen and target.priorities:
        warnings.append(
            f"priority is not on the create screen of {target.project} {target.issue_type}: not set"
        )
    if "components" not in screen and target.components:
        warnings.append(
            f"components are not on the create screen of {target.project} {target.issue_type}: not set"
        )
    for fid in sorted(configured - set(screen)):
        warnings.append(
            f"{where} fields: {fid} is not on the create screen of {target.project}: it is left out"
        )
    cache = {
        "version": CACHE_VERSION,
        "ok": not problems,
        "flavor": target.flavor,
        "project": target.project,
        "issue_type": target.issue_type,
        "issue_type_id": str(chosen["id"]),
        "screen": sorted(screen),
        "base_url": str(info.get("baseUrl") or target.url).rstrip("/"),
        "warnings": warnings,
    }
    return Preflight(
        ok=not problems, can_write=True, problems=tuple(problems), warnings=tuple(warnings), cache=cache
    )
