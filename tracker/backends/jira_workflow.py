"""Driving a Jira workflow to a status category, over several transitions, filling their screens from config."""

from __future__ import annotations

import re
from typing import Any

from tracker.backends.base import PermanentError
from tracker.backends.jira_context import JiraContext
from tracker.backends.jira_map import WONT_DO_RESOLUTIONS
from tracker.statuses import Status

MAX_STEPS = 8
TARGET_CATEGORY = {
    Status.OPEN: "new",
    Status.IN_PROGRESS: "indeterminate",
    Status.DONE: "done",
    Status.WONT_DO: "done",
}
RANK = {"new": 0, "indeterminate": 1, "done": 2}
_GIVE_UP = re.compile(r"cancel|won'?t|reject|declin|abandon|duplicate|obsolete|invalid", re.IGNORECASE)


def _category(t: dict[str, Any]) -> str:
    return str(((t.get("to") or {}).get("statusCategory") or {}).get("key") or "new")


def _gives_up(t: dict[str, Any]) -> bool:
    return bool(_GIVE_UP.search(f"{t.get('name', '')} {(t.get('to') or {}).get('name', '')}"))


def _choose_direct(direct: list[dict[str, Any]], status: Status) -> dict[str, Any] | None:
    if status is Status.WONT_DO:
        return next((t for t in direct if _gives_up(t)), direct[0] if direct else None)
    if status is Status.DONE:
        return next((t for t in direct if not _gives_up(t)), None)  # never "Cancel" finished work
    return direct[0] if direct else None


def _resolution(ctx: JiraContext, meta: dict[str, Any], status: Status) -> str | None:
    offered = [str(v.get("name")) for v in meta.get("allowedValues") or [] if isinstance(v, dict)]
    if status is Status.WONT_DO:
        wanted = next((r for r in offered if r.lower() in WONT_DO_RESOLUTIONS), None) or "Won't Do"
    elif status is Status.DONE:
        wanted = ctx.target.done_resolution
    else:
        return None
    if offered and wanted not in offered:
        raise PermanentError(
            f"the transition offers no resolution {wanted!r} (it offers: {', '.join(offered)})",
            hint=f"set [targets.{ctx.target.name}] done_resolution to one of them",
        )
    return wanted


def _transition(ctx: JiraContext, issue_id: str, t: dict[str, Any], status: Status) -> None:
    """POST one transition, with the resolution and configured screen fields; refuse when a required one is missing."""
    fields: dict[str, Any] = {}
    missing = []
    configured = ctx.target.transition_fields
    for fid, meta in (t.get("fields") or {}).items():
        meta = meta if isinstance(meta, dict) else {}
        if fid == "resolution" and TARGET_CATEGORY[status] == "done" and _category(t) == "done":
            resolution = _resolution(ctx, meta, status)
            if resolution:
                fields["resolution"] = {"name": resolution}
                continue
        if fid in configured:
            fields[fid] = configured[fid]
        elif meta.get("required") and not meta.get("hasDefaultValue"):
            missing.append(f"{fid} ({meta.get('name') or fid})")
    to = (t.get("to") or {}).get("name") or "?"
    if missing:
        raise PermanentError(
            f"the transition {t.get('name')!r} to {to} requires {', '.join(missing)}, which the config does not give",
            hint=f"add values for them to [targets.{ctx.target.name}] transition_fields",
        )
    body: dict[str, Any] = {"transition": {"id": str(t["id"])}}
    if fields:
        body["fields"] = fields
    ctx.http.request("POST", f"issue/{issue_id}/transitions", json=body)


def move_to(ctx: JiraContext, issue_id: str, status: Status, current: dict[str, Any]) -> None:
    """Walk transitions (two requests a step) until the issue's status category is the wanted one.

    `current` is the issue's `status` field. Jira shows only the transitions available from the
    current status, so the path is found step by step: a direct transition to the wanted category
    when one is offered, else the unvisited status nearest to it.
    """
    want = TARGET_CATEGORY[status]
    here = str(((current.get("statusCategory") or {}).get("key")) or "new")
    if here == want:
        return
    visited = {str(current.get("id"))}
    for _ in range(MAX_STEPS):
        page = ctx.http.get(f"issue/{issue_id}/transitions", expand="transitions.fields")
        offered = [
            t for t in page.get("transitions") or [] if isinstance(t, dict) and t.get("isAvailable", True)
        ]
        chosen = _choose_direct([t for t in offered if _category(t) == want], status)
        if chosen is not None:
            _transition(ctx, issue_id, chosen, status)
            return
        onward = [
            t for t in offered if str((t.get("to") or {}).get("id")) not in visited and _category(t) != "done"
        ]
        if not onward:
            names = (
                ", ".join(f"{t.get('name')} -> {(t.get('to') or {}).get('name')}" for t in offered) or "none"
            )
            raise PermanentError(
                f"no workflow path to a {want} status (transitions offered: {names})",
                hint="move the issue by hand in Jira, or check the workflow",
            )
        onward.sort(key=lambda t: abs(RANK[want] - RANK.get(_category(t), 0)))
        step = onward[0]
        _transition(ctx, issue_id, step, status)
        visited.add(str((step.get("to") or {}).get("id")))
    raise PermanentError(f"no workflow path to a {want} status within {MAX_STEPS} transitions")
