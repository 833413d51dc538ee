"""Jira issue JSON to RemoteIssue: status by category and resolution, people, dates, key and browse URL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from tracker.backends.base import RemoteIssue, RemoteRef
from tracker.backends.jira_text import parse_description
from tracker.statuses import Status

MARKER_PROPERTY = "tracker.marker"
# What a read asks for: enough to merge, nothing else (no comments, no changelog, no *all).
READ_FIELDS = (
    "summary", "status", "resolution", "resolutiondate", "assignee", "duedate", "labels", "created",
    "updated", "description", "project",
)  # fmt: skip
WONT_DO_RESOLUTIONS = {"won't do", "wont do", "duplicate", "declined", "cannot reproduce"}
CATEGORY_STATUS = {"new": Status.OPEN, "indeterminate": Status.IN_PROGRESS, "done": Status.DONE}


def parse_time(value: Any) -> datetime | None:
    """Jira's `2023-06-24T19:24:50.000+1000` (any zone) as an aware UTC datetime."""
    if not isinstance(value, str) or not value:
        return None
    for pattern in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return datetime.strptime(value, pattern).astimezone(UTC)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def parse_day(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def map_status(fields: dict[str, Any]) -> tuple[Status, str | None]:
    """Status category decides; a done issue resolved as Won't Do / Duplicate / Declined / ... is wont_do."""
    status = fields.get("status") or {}
    category = ((status.get("statusCategory") or {}).get("key")) or "new"
    resolution = (fields.get("resolution") or {}).get("name")
    mapped = CATEGORY_STATUS.get(category, Status.OPEN)
    if mapped is Status.DONE and resolution and resolution.lower() in WONT_DO_RESOLUTIONS:
        mapped = Status.WONT_DO
    name = status.get("name")
    detail = " / ".join(part for part in (name, resolution) if part) or None
    return mapped, detail


def person_id(user: Any, cloud: bool) -> str | None:
    if not isinstance(user, dict):
        return None
    return user.get("accountId") if cloud else (user.get("name") or user.get("key"))


def version_tag(raw: dict[str, Any]) -> str | None:
    """Jira has no ETags: the `updated` timestamp stands in, so a re-read can say "not modified"."""
    updated = (raw.get("fields") or {}).get("updated")
    return f'"{updated}"' if isinstance(updated, str) and updated else None


def marker_of(raw: dict[str, Any], description_block: Any) -> str | None:
    prop = (raw.get("properties") or {}).get(MARKER_PROPERTY)
    if isinstance(prop, dict) and isinstance(prop.get("marker"), str):
        return prop["marker"]
    if isinstance(prop, str):
        return prop
    return description_block.marker if description_block is not None else None


def to_remote(
    raw: dict[str, Any],
    *,
    cloud: bool,
    browse_base: str,
    tracker_label: str,
    duedate_on_screen: bool | None,
) -> RemoteIssue:
    """One issue as the engine sees it. `duedate_on_screen` False: the block's Deadline line is the due date."""
    fields = raw.get("fields") or {}
    key = raw.get("key")
    status, detail = map_status(fields)
    block = parse_description(fields.get("description"))
    duedate = parse_day(fields.get("duedate"))
    block_due = block.deadline if block is not None else None
    if duedate_on_screen is False:
        due = block_due
    elif duedate_on_screen is True:
        due = duedate
    else:
        due = duedate or block_due
    labels = tuple(fields.get("labels") or ())
    return RemoteIssue(
        ref=RemoteRef(
            remote_id=str(raw["id"]),
            key=key,
            number=int(raw["id"]),
            url=f"{browse_base}/browse/{key}" if key else None,
            etag=version_tag(raw),
        ),
        title=fields.get("summary") or "",
        status=status,
        status_detail=detail,
        assignee=person_id(fields.get("assignee"), cloud),
        due=due,
        labels=labels,
        marker=marker_of(raw, block),
        updated_at=parse_time(fields.get("updated")),
        created_at=parse_time(fields.get("created")),
        closed_at=parse_time(fields.get("resolutiondate")) if status.is_closed else None,
        has_tracker_label=tracker_label in labels,
        claimed_postmortem=block.postmortem if block is not None else None,
        unreadable_due=block.unreadable_deadline if block is not None and due is None else None,
    )
