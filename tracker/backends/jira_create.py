"""Jira bulk create: one POST issue/bulk per 50 drafts, never repeated; per-item errors; screen-field fallback."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from string import Template
from typing import Any

from tracker.backends.base import CreateOutcome, IssueDraft, RateLimited, RemoteIssue, RemoteRef
from tracker.backends.jira_context import JiraContext
from tracker.backends.jira_http import Uncertain
from tracker.backends.jira_map import MARKER_PROPERTY
from tracker.backends.jira_text import compose_description
from tracker.errors import TrackerError
from tracker.statuses import Status

BULK_MAX = 50
CORE = {"summary", "project", "issuetype", "description", "labels"}
NOT_ON_SCREEN = "not on the appropriate screen"


@dataclass
class Prepared:
    """One draft's create payload, and what was left out of it (with the reason shown to people)."""

    draft: IssueDraft
    fields: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    retried: bool = False


def _template_values(draft: IssueDraft) -> dict[str, str]:
    ctx = draft.context
    return {
        "postmortem_slug": ctx.postmortem_slug,
        "postmortem_title": ctx.postmortem_title,
        "postmortem_url": ctx.postmortem_url or "",
        "incident_date": ctx.incident_date.isoformat() if ctx.incident_date else "",
        "severity": ctx.severity or "",
        "owner": ctx.owner_text or "",
        "deadline": draft.due.isoformat() if draft.due else (ctx.deadline_text or ""),
        "item_id": str(ctx.item_id) if ctx.item_id is not None else "",
        "title": draft.title,
    }


def render_value(value: Any, values: dict[str, str]) -> Any:
    """A configured field value with $placeholders filled in (strings anywhere inside lists and tables)."""
    if isinstance(value, str):
        return Template(value).safe_substitute(values)
    if isinstance(value, list):
        return [render_value(v, values) for v in value]
    if isinstance(value, dict):
        return {k: render_value(v, values) for k, v in value.items()}
    return value


def clean_label(label: str) -> str:
    return re.sub(r"\s+", "-", label.strip())


def clean_summary(title: str) -> str:
    return re.sub(r"\s+", " ", title).strip()[:255]


def prepare(ctx: JiraContext, draft: IssueDraft) -> Prepared:
    target = ctx.target
    screen = ctx.screen
    issuetype = {"id": ctx.issue_type_id} if ctx.issue_type_id else {"name": target.issue_type}
    labels = list(dict.fromkeys(clean_label(x) for x in (target.tracker_label, *draft.labels) if x.strip()))
    fields: dict[str, Any] = {
        "project": {"key": target.project},
        "issuetype": issuetype,
        "summary": clean_summary(draft.title),
        "description": compose_description(draft.intro, draft.marker, draft.context, draft.due, ctx.adf),
        "labels": labels,
    }
    prepared = Prepared(draft, fields)
    optional: dict[str, Any] = {}
    if draft.assignee:
        optional["assignee"] = {"accountId": draft.assignee} if ctx.cloud else {"name": draft.assignee}
    if draft.due:
        optional["duedate"] = draft.due.isoformat()
    if draft.priority:
        optional["priority"] = {"name": draft.priority}
    if target.components:
        optional["components"] = [{"name": c} for c in target.components]
    values = _template_values(draft)
    for fid, value in {**target.fields, **draft.fields}.items():
        optional[fid] = render_value(value, values)
    for fid, value in optional.items():
        if (screen is not None and fid not in screen) or fid in ctx.hidden:
            prepared.warnings.append(left_out(fid, "it is not on the create screen"))
        else:
            fields[fid] = value
    return prepared


def left_out(fid: str, why: str) -> str:
    if fid == "duedate":
        return f"duedate not set ({why}); the deadline stays in the description's tracker block"
    return f"{fid} not set ({why})"


def _droppable(errors: dict[str, str], messages: list[str], fields: dict[str, Any]) -> bool:
    return (
        bool(errors)
        and not messages
        and all(
            fid in fields and fid not in CORE and (NOT_ON_SCREEN in str(msg) or fid == "assignee")
            for fid, msg in errors.items()
        )
    )


def _element_error(raw: Any) -> tuple[dict[str, str], list[str]]:
    found = raw.get("elementErrors") if isinstance(raw, dict) else None
    body: dict[str, Any] = found if isinstance(found, dict) else {}
    listed = body.get("errors")
    errors: dict[str, Any] = listed if isinstance(listed, dict) else {}
    return {str(k): str(v) for k, v in errors.items()}, [str(m) for m in body.get("errorMessages") or []]


def describe_errors(errors: dict[str, str], messages: list[str]) -> str:
    return "; ".join([*messages, *(f"{k}: {v}" for k, v in errors.items())]) or "rejected by Jira"


def post_bulk(ctx: JiraContext, batch: list[Prepared]) -> list[tuple[str, Any]]:
    """One POST issue/bulk; per element ("ok", {id, key}) or ("error", (errors, messages))."""
    body = {
        "issueUpdates": [
            {
                "fields": p.fields,
                "properties": [{"key": MARKER_PROPERTY, "value": {"marker": p.draft.marker}}],
            }
            for p in batch
        ]
    }
    response = ctx.http.request("POST", "issue/bulk", json=body, ok_statuses=(400,))
    try:
        data = response.json()
    except ValueError:
        data = {}
    created = [c for c in data.get("issues") or [] if isinstance(c, dict)] if isinstance(data, dict) else []
    failures = {
        int(e["failedElementNumber"]): _element_error(e)
        for e in (data.get("errors") or [] if isinstance(data, dict) else [])
        if isinstance(e, dict) and isinstance(e.get("failedElementNumber"), int)
    }
    succeeded = [n for n in range(len(batch)) if n not in failures]
    if response.status_code == 400 and not failures:
        message = "; ".join(str(m) for m in data.get("errorMessages") or []) if isinstance(data, dict) else ""
        return [("error", ({}, [message or "Jira refused the bulk create (400)"]))] * len(batch)
    if len(succeeded) != len(created):
        # The answer does not say which element became which issue: let recovery find them by marker.
        raise Uncertain(
            f"Jira's bulk create answer lists {len(created)} issues for {len(succeeded)} elements"
        )
    results: list[tuple[str, Any]] = [
        ("error", failures[n]) if n in failures else ("", None) for n in range(len(batch))
    ]
    for n, issue in zip(succeeded, created, strict=True):
        results[n] = ("ok", issue)
    return results


def created_issue(ctx: JiraContext, p: Prepared, created: dict[str, Any]) -> RemoteIssue:
    """What was created, from what was sent (a refetch per issue would cost N requests)."""
    key = str(created.get("key") or "") or None
    assignee = p.fields.get("assignee")
    return RemoteIssue(
        ref=RemoteRef(
            remote_id=str(created["id"]),
            key=key,
            number=int(created["id"]),
            url=f"{ctx.browse_base}/browse/{key}",
        ),
        title=p.fields["summary"],
        status=Status.OPEN,
        assignee=(assignee.get("accountId") or assignee.get("name")) if isinstance(assignee, dict) else None,
        due=p.draft.due,
        labels=tuple(p.fields["labels"]),
        marker=p.draft.marker,
        has_tracker_label=True,
    )


def create_issues(ctx: JiraContext, drafts: list[IssueDraft]) -> list[CreateOutcome]:
    """Create in requests of up to 50; a lost answer makes every outcome of that request uncertain."""
    outcomes: list[CreateOutcome] = []
    for start in range(0, len(drafts), BULK_MAX):
        outcomes += _create_chunk(ctx, drafts[start : start + BULK_MAX])
    return outcomes


def _create_chunk(ctx: JiraContext, drafts: list[IssueDraft]) -> list[CreateOutcome]:
    prepared = [prepare(ctx, d) for d in drafts]
    done: dict[int, CreateOutcome] = {}
    todo = list(range(len(prepared)))
    first = True
    while todo:
        batch = [prepared[n] for n in todo]
        try:
            results = post_bulk(ctx, batch)
        except Uncertain as exc:
            for n in todo:
                done[n] = CreateOutcome(prepared[n].draft, error=exc.message, uncertain=True)
            break
        except RateLimited:
            if first:
                raise  # nothing of this request was applied; the engine stops the target cleanly
            for n in todo:
                done[n] = CreateOutcome(
                    prepared[n].draft, error="rate limited while retrying without a field"
                )
            break
        except TrackerError as exc:
            for n in todo:
                done[n] = CreateOutcome(prepared[n].draft, error=exc.message)
            break
        retry = []
        for n, (kind, value) in zip(todo, results, strict=True):
            p = prepared[n]
            if kind == "ok":
                done[n] = CreateOutcome(
                    p.draft, issue=created_issue(ctx, p, value), warnings=tuple(p.warnings)
                )
                continue
            errors, messages = value
            if not p.retried and _droppable(errors, messages, p.fields):
                # Retry this element once without the fields the screen refuses (or the unassignable person).
                for fid, msg in errors.items():
                    p.fields.pop(fid, None)
                    if NOT_ON_SCREEN in msg:
                        ctx.hidden.add(fid)
                    what = f"assignee {p.draft.assignee}" if fid == "assignee" else fid
                    p.warnings.append(left_out(what, msg.rstrip(".")))
                p.retried = True
                retry.append(n)
            else:
                done[n] = CreateOutcome(
                    p.draft, error=describe_errors(errors, messages), warnings=tuple(p.warnings)
                )
        todo, first = retry, False
    return [done[n] for n in range(len(prepared))]
