"""Jira comments listing, epics per postmortem and `parent` on children (issue 9's optional capabilities)."""

from __future__ import annotations

import json
from typing import Any

from tracker.backends.base import CreateOutcome, IssueDraft, RemoteComment, RemoteRef
from tracker.backends.jira_context import JiraContext
from tracker.backends.jira_create import created_issue, describe_errors, post_bulk, prepare
from tracker.backends.jira_http import Refused, Uncertain
from tracker.backends.jira_map import parse_time
from tracker.errors import TrackerError

PAGE = 100


def list_comments(ctx: JiraContext, ref: RemoteRef) -> list[RemoteComment]:
    """Every comment, oldest first: one GET per 100 (Jira's comment listing takes no `since`)."""
    out: list[RemoteComment] = []
    start = 0
    while True:
        page = ctx.http.get(f"issue/{ref.remote_id}/comment", startAt=start, maxResults=PAGE)
        comments = [c for c in (page.get("comments") or []) if isinstance(c, dict)]
        for c in comments:
            body = c.get("body")
            text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
            out.append(RemoteComment(str(c.get("id")), text, None, parse_time(c.get("created"))))
        start += len(comments)
        if not comments or start >= int(page.get("total") or 0):
            return out


def create_parent(ctx: JiraContext, draft: IssueDraft) -> CreateOutcome:
    """One epic (issue type `epic_issue_type`) through issue/bulk, with the draft's marker property."""
    prepared = prepare(ctx, draft)
    prepared.fields["issuetype"] = {"name": ctx.target.epic_issue_type}
    if not ctx.cloud:
        epic_name = epic_field(ctx, "Epic Name")
        if epic_name:
            prepared.fields[epic_name] = draft.title[:255]
    for fid in ("assignee", "duedate"):
        prepared.fields.pop(fid, None)
    try:
        [(kind, value)] = post_bulk(ctx, [prepared])
    except Uncertain as exc:
        return CreateOutcome(draft, error=exc.message, uncertain=True)
    except TrackerError as exc:
        return CreateOutcome(draft, error=exc.message)
    if kind != "ok":
        errors, messages = value
        return CreateOutcome(draft, error=describe_errors(errors, messages))
    return CreateOutcome(draft, issue=created_issue(ctx, prepared, value))


def epic_field(ctx: JiraContext, name: str) -> str | None:
    """The id of a Jira Software field on Data Center ("Epic Link", "Epic Name"): one GET, cached."""
    cache = ctx.epic_fields
    if cache is None:
        listed = ctx.http.get("field")
        cache = {
            str(f.get("name")): str(f.get("id"))
            for f in (listed if isinstance(listed, list) else [])
            if isinstance(f, dict) and f.get("name") in ("Epic Link", "Epic Name")
        }
        ctx.epic_fields = cache
    return cache.get(name)


def attach_child(ctx: JiraContext, parent: RemoteRef, child: RemoteRef) -> str | None:
    """1 PUT of the child's `parent` (Cloud) or Epic Link field (Data Center, where `parent` is for
    sub-tasks only)."""
    link: dict[str, Any] = {"parent": {"key": parent.key} if parent.key else {"id": parent.remote_id}}
    if not ctx.cloud:
        field = epic_field(ctx, "Epic Link")
        if field is None or not parent.key:
            return "this Data Center has no Epic Link field (Jira Software): items not attached to the epic"
        link = {field: parent.key}
    body: dict[str, Any] = {"fields": link}
    try:
        ctx.http.request("PUT", f"issue/{child.remote_id}", json=body)
    except Refused as exc:
        return exc.message + (f" ({'; '.join(exc.field_errors.values())})" if exc.field_errors else "")
    ctx.written.append(child.remote_id)
    return None
