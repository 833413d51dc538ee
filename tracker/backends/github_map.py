"""GitHub JSON to our vocabulary: statuses, bot closes, issue references, Link headers, the Deadline line."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from tracker.backends.base import RemoteIssue, RemoteRef
from tracker.backends.block import last_block, parse_markdown_body
from tracker.statuses import Status

WONT_DO_REASONS = ("not_planned", "duplicate")
_NEXT = re.compile(r'<(?P<url>[^>]+)>\s*;\s*rel="next"')
_DEADLINE = re.compile(r"(?m)^Deadline[ \t]*:.*$")
_SHORT = re.compile(r"^(?P<repo>[\w.-]+/[\w.-]+)?#(?P<number>\d+)$")
_URL_PATH = re.compile(r"^(?:/api/v3)?(?:/repos)?/(?P<repo>[\w.-]+/[\w.-]+)/issues/(?P<number>\d+)/?$")


def status_of(item: dict[str, Any]) -> Status:
    """open -> open; closed as not planned or duplicate -> wont_do; closed otherwise (or no reason) -> done."""
    if item.get("state") != "closed":
        return Status.OPEN
    return Status.WONT_DO if item.get("state_reason") in WONT_DO_REASONS else Status.DONE


def is_bot(user: dict[str, Any] | None) -> bool:
    if not user:
        return False
    return user.get("type") == "Bot" or str(user.get("login") or "").lower().endswith("[bot]")


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def format_since(moment: datetime) -> str:
    """GitHub's `since`: UTC, second precision, `Z` (a naive datetime is taken as UTC already)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def repo_of(item: dict[str, Any]) -> str | None:
    """owner/name from the issue's repository_url (an absolute API URL)."""
    url = str(item.get("repository_url") or "")
    _, found, rest = url.partition("/repos/")
    return rest.strip("/") if found else None


def to_remote(
    item: dict[str, Any],
    *,
    tracker_label: str,
    repo_id: int | None = None,
    etag: str | None = None,
    closed_by: dict[str, Any] | None = None,
) -> RemoteIssue:
    """Map one issue object; `closed_by` overrides the item's own (the list endpoint may lack it)."""
    repo = repo_of(item)
    block = parse_markdown_body(item.get("body"))
    labels = tuple(str(lab.get("name") if isinstance(lab, dict) else lab) for lab in item.get("labels") or [])
    assignees = item.get("assignees") or ([item["assignee"]] if item.get("assignee") else [])
    closer = closed_by if closed_by is not None else item.get("closed_by")
    closed = item.get("state") == "closed"
    return RemoteIssue(
        ref=RemoteRef(
            remote_id=str(item["id"]),
            key=f"{repo}#{item['number']}" if repo else f"#{item['number']}",
            number=int(item["number"]),
            url=item.get("html_url"),
            etag=etag,
        ),
        title=str(item.get("title") or ""),
        status=status_of(item),
        status_detail=item.get("state_reason"),
        assignee=assignees[0].get("login") if assignees else None,
        due=block.deadline if block else None,
        labels=labels,
        marker=block.marker if block else None,
        updated_at=parse_time(item.get("updated_at")),
        created_at=parse_time(item.get("created_at")),
        closed_at=parse_time(item.get("closed_at")) if closed else None,
        closed_by=closer.get("login") if closed and closer else None,
        closed_by_bot=closed and is_bot(closer),
        repo_id=repo_id,
        node_id=item.get("node_id"),
        has_tracker_label=any(name.lower() == tracker_label.lower() for name in labels),
        claimed_postmortem=block.postmortem if block else None,
        unreadable_due=block.unreadable_deadline if block else None,
    )


def next_link(header: str | None) -> str | None:
    """The URL of `rel="next"` in a Link header, or None on the last page."""
    if not header:
        return None
    for part in header.split(","):
        match = _NEXT.search(part)
        if match:
            return match.group("url")
    return None


def parse_ref_text(text: str, *, default_repo: str, hosts: set[str]) -> tuple[str, int] | None:
    """(owner/name, number) from an issue URL on `hosts`, `owner/name#12` or `#12` (this repository)."""
    text = text.strip()
    short = _SHORT.match(text)
    if short:
        return short.group("repo") or default_repo, int(short.group("number"))
    if not re.match(r"^https?://", text):
        return None
    parts = urlsplit(text)
    if parts.netloc.lower() not in hosts:
        return None
    match = _URL_PATH.match(parts.path)
    if not match:
        return None
    return match.group("repo"), int(match.group("number"))


def with_deadline(body: str | None, due: date | None) -> str | None:
    """The body with only the tracker block's Deadline line rewritten; None when there is no block."""
    match = last_block(body)
    if body is None or match is None:
        return None
    line = f"Deadline: {due.isoformat() if due else 'none'}"
    inner = match.group("body")
    new_inner, count = _DEADLINE.subn(line, inner, count=1)
    if not count:
        new_inner = inner + line + "\n"
    start, end = match.span("body")
    return body[:start] + new_inner + body[end:]
