"""The Jira Cloud / Data Center backend: the IssueTracker Protocol on the jira library's HTTP session.

Requests per operation (nothing else; the library's serverInfo, /field and per-issue refetches are
avoided by constructing it with get_server_info=False and calling explicit REST URLs through its
session):
- preflight: 3 (serverInfo, the project's issue types, the issue type's create fields); 0 with a
  valid cache.
- pull: one search page per 100 changed issues, so exactly 1 when idle; the cursor comes from the
  search response's Date header (the server's clock).
- create: one POST issue/bulk per 50 drafts, plus one more for elements retried without a field
  the screen refuses; the created issues are not re-read.
- fetch / parse_ref: 1 GET. read_named (keys documents name): one search per 100 keys (+1 per 400
  naming keys that do not exist), and 1 GET per key the search did not return (moved, missing).
  find_markers / list_tracker_issues: one search page per 100 tracker
  issues. has_tracker_issues: 1.
- update: 1 GET (only when the description or status must be read) + 1 PUT + 2 per workflow step
  (manage_workflow) + 1 GET of the result, which Cloud saves by answering the PUT with the issue
  (returnIssue) when no transition follows. comment, add_tracker_label: 1.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from tracker.backends.base import (
    CreateOutcome,
    FetchKind,
    FetchResult,
    IssueChanges,
    IssueDraft,
    Preflight,
    PullResult,
    RemoteComment,
    RemoteIssue,
    RemoteRef,
)
from tracker.backends.jira_context import JiraContext
from tracker.backends.jira_create import NOT_ON_SCREEN, clean_label, clean_summary, create_issues
from tracker.backends.jira_followup import attach_child, create_parent, list_comments
from tracker.backends.jira_http import JiraCredentials, JiraHttp, NotFound, Refused
from tracker.backends.jira_map import MARKER_PROPERTY, READ_FIELDS
from tracker.backends.jira_named import read_named
from tracker.backends.jira_preflight import cache_valid, run_preflight
from tracker.backends.jira_search import search, tracker_jql
from tracker.backends.jira_text import comment_body, parse_description, replace_block, set_deadline_line
from tracker.backends.jira_workflow import move_to
from tracker.backends.reserve import Reserve
from tracker.config import JiraTarget

MARKER_MARGIN = timedelta(minutes=5)
UNKNOWN_SKEW_MARGIN = timedelta(days=1)
_KEY = re.compile(r"(?i)^(?:(?P<url>https?://\S+?)/browse/)?(?P<key>[A-Z][A-Z0-9_]*-\d+)/?(?:[?#]\S*)?$")


class JiraBackend:
    """One Jira project. Identity is the numeric issue id; the key is display text refreshed on every read.

    Status changes are pushed only with `manage_workflow = true`; otherwise `update` leaves the
    status alone and returns the issue as it is, and the engine reports that it stays unchanged.
    """

    kind = "jira"
    create_batch_size = 50

    @property
    def pushes_status(self) -> bool:
        """Jira statuses move only through the workflow, and only when the config allows it."""
        return bool(self.target.manage_workflow)

    def __init__(
        self,
        target: JiraTarget,
        credentials: JiraCredentials,
        *,
        sleep: Callable[[float], None] = time.sleep,
        max_retries: int = 4,
        max_wait: float = 60.0,
        timeout: float = 30.0,
    ) -> None:
        self.name = target.name
        self.target = target
        self.cloud = target.flavor == "cloud"
        self.http = JiraHttp(
            target, credentials, sleep=sleep, max_retries=max_retries, max_wait=max_wait, timeout=timeout
        )
        # What the create, follow-up and workflow functions share with this class.
        self.ctx = JiraContext(self.http, target, browse_base=target.url.rstrip("/"))
        # Cloud search is eventually consistent: the engine quarantines uncertain creates this long.
        self.index_lag_seconds = 300 if self.cloud else 60

    @property
    def requests(self) -> int:
        return self.http.requests

    def read_named(self, texts: list[str]) -> dict[str, FetchResult | None]:
        """Issue keys documents name, by JQL `key in (...)` searches (see jira_named.read_named)."""
        return read_named(self.ctx, texts, self._named_key)

    def keep_reserve(self, reserve: Reserve | None) -> None:
        """Never spend the account's rate limit below `reserve` (see http_policy.RateGauge)."""
        self.http.rate.keep(reserve)

    # ---- pre-flight ------------------------------------------------------------------------------
    def preflight(self, cache: dict[str, Any] | None, write: bool = True) -> Preflight:
        """Read-only either way (`write` is accepted for the Protocol): Jira labels need no creating."""
        if cache is not None and cache_valid(cache, self.target):
            self._adopt(cache)
            return Preflight(
                ok=True, can_write=True, warnings=tuple(cache.get("warnings") or ()), cache=cache
            )
        report = run_preflight(self.http, self.target)
        if report.ok:
            self._adopt(report.cache)
        return report

    def _adopt(self, cache: dict[str, Any]) -> None:
        self.ctx.screen = set(cache.get("screen") or ())
        self.ctx.issue_type_id = cache.get("issue_type_id")
        self.ctx.browse_base = str(cache.get("base_url") or self.ctx.browse_base)

    # ---- reading ---------------------------------------------------------------------------------
    def _search(self, jql: str, *, limit: int | None = None, reconcile: list[str] | None = None) -> Any:
        return search(
            self.http,
            jql,
            fields=READ_FIELDS,
            properties=(MARKER_PROPERTY,),
            reconcile=reconcile or (),
            limit=limit,
        )

    def pull(self, since: datetime | None, state: dict[str, Any]) -> PullResult:
        label = self.target.tracker_label if state.get("label_filter", True) else None
        reconcile = [*(state.get("reconcile") or []), *self.ctx.written]
        result = self._search(tracker_jql(self.target.project, label, since), reconcile=reconcile)
        issues = [self.ctx.remote(raw) for raw in result.issues]
        return PullResult(issues, result.server_time or self.http.server_now(), not_modified=not issues)

    def fetch(self, ref: RemoteRef) -> FetchResult:
        """By numeric id (Jira has no ETags): 404 is GONE; a moved issue answers with its new key."""
        try:
            raw = self.ctx.get_issue(ref.remote_id)
        except NotFound:
            return FetchResult(FetchKind.GONE)
        issue = self.ctx.remote(raw)
        if ref.etag and ref.etag == issue.ref.etag:
            return FetchResult(FetchKind.NOT_MODIFIED, etag=ref.etag)
        return FetchResult(FetchKind.OK, issue, etag=issue.ref.etag)

    def find_markers(self, markers: set[str], since: datetime | None) -> dict[str, RemoteIssue]:
        """Tracker-labelled issues updated (so also created) since `since`, matched on the marker property
        or, where the property is missing, on the description's tracker block."""
        if not markers:
            return {}
        if since is not None:
            # `since` is our clock (when the engine committed `creating`); Jira stamps its own.
            offset = self.http.clock_offset
            since = since + offset - MARKER_MARGIN if offset is not None else since - UNKNOWN_SKEW_MARGIN
        result = self._search(tracker_jql(self.target.project, self.target.tracker_label, since, order=False))
        found: dict[str, RemoteIssue] = {}
        for raw in result.issues:
            issue = self.ctx.remote(raw)
            if issue.marker in markers and issue.marker not in found:
                found[issue.marker] = issue
        return found

    def has_tracker_issues(self) -> bool:
        jql = tracker_jql(self.target.project, self.target.tracker_label, None, order=False)
        return bool(search(self.http, jql, fields=("id",), limit=1).issues)

    def list_tracker_issues(self) -> list[RemoteIssue]:
        result = self._search(tracker_jql(self.target.project, self.target.tracker_label, None))
        return [self.ctx.remote(raw) for raw in result.issues]

    # ---- writing ---------------------------------------------------------------------------------
    def create(self, drafts: list[IssueDraft]) -> list[CreateOutcome]:
        outcomes = create_issues(self.ctx, drafts)
        self.ctx.written += [o.issue.ref.remote_id for o in outcomes if o.issue is not None]
        return outcomes

    def update(self, ref: RemoteRef, changes: IssueChanges) -> RemoteIssue:
        issue_id = ref.remote_id
        push_status = changes.status is not None and self.target.manage_workflow
        before = None
        if changes.context is not None or changes.due is not None or push_status:
            before = self.ctx.get_issue(issue_id)
        fields: dict[str, Any] = {}
        if changes.title is not None:
            fields["summary"] = clean_summary(changes.title)
        if changes.assignee is not None:
            fields["assignee"] = {"accountId" if self.cloud else "name": changes.assignee[1]}
        if changes.due is not None and self.ctx.due_on_screen() is not False:
            fields["duedate"] = changes.due[1].isoformat() if changes.due[1] else None
        if before is not None and (changes.context is not None or changes.due is not None):
            description = self._new_description(before, changes)
            if description is not None:
                fields["description"] = description
        ops = [{"add": clean_label(x)} for x in changes.add_labels] + [
            {"remove": clean_label(x)} for x in changes.remove_labels
        ]
        body: dict[str, Any] = {"fields": fields} if fields else {}
        if ops:
            body["update"] = {"labels": ops}
        returned = None
        if body:
            # Cloud answers the edit with the issue itself (returnIssue): no second request.
            returned = self._edit(issue_id, body, return_issue=self.cloud and not push_status)
        if push_status and before is not None and changes.status is not None:
            move_to(self.ctx, issue_id, changes.status, (before.get("fields") or {}).get("status") or {})
        self.ctx.written.append(issue_id)
        return self.ctx.remote(returned if returned is not None else self.ctx.get_issue(issue_id))

    def _new_description(self, raw: dict[str, Any], changes: IssueChanges) -> Any | None:
        """Only the tracker block changes; None when a person removed it (their choice is kept)."""
        description = (raw.get("fields") or {}).get("description")
        block = parse_description(description)
        if block is None:
            return None
        due = changes.due[1] if changes.due is not None else block.deadline
        marker = block.marker or self.ctx.remote(raw).marker
        if changes.context is not None and marker:
            return replace_block(description, marker, changes.context, due)
        return set_deadline_line(description, due)

    def _edit(self, issue_id: str, body: dict[str, Any], return_issue: bool) -> dict[str, Any] | None:
        """PUT the edit; a field the edit screen refuses is dropped once (the deadline stays in the block)."""
        params = {"returnIssue": "true", "fields": ",".join(READ_FIELDS)} if return_issue else None
        try:
            response = self.http.request("PUT", f"issue/{issue_id}", json=body, params=params)
        except Refused as exc:
            refused = {f for f, msg in exc.field_errors.items() if NOT_ON_SCREEN in msg}
            fields = body.get("fields") or {}
            if exc.status != 400 or not refused or not refused <= (set(fields) - {"summary", "description"}):
                raise
            self.ctx.hidden |= refused
            rest = (
                {"fields": {k: v for k, v in fields.items() if k not in refused}}
                if set(fields) - refused
                else {}
            )
            if "update" in body:
                rest["update"] = body["update"]
            if not rest:
                return None
            response = self.http.request("PUT", f"issue/{issue_id}", json=rest, params=params)
        if response.status_code == 200 and response.content:
            raw: dict[str, Any] = response.json()
            return raw
        return None

    def comment(self, ref: RemoteRef, body: str) -> str:
        response = self.http.request(
            "POST", f"issue/{ref.remote_id}/comment", json={"body": comment_body(body, self.ctx.adf)}
        )
        comment_id = str(response.json().get("id") or "")
        if ref.key:
            return f"{self.ctx.browse_base}/browse/{ref.key}?focusedCommentId={comment_id}"
        return comment_id

    def add_tracker_label(self, ref: RemoteRef) -> bool:
        body = {"update": {"labels": [{"add": clean_label(self.target.tracker_label)}]}}
        try:
            self.http.request("PUT", f"issue/{ref.remote_id}", json=body)
        except Refused as exc:
            if exc.status in (401, 403):
                return False
            raise
        self.ctx.written.append(ref.remote_id)
        return True

    def _named_key(self, text: str) -> str | None:
        """KEY-123 of this target's project, from the key or a browse URL of this site; no request."""
        match = _KEY.match(text.strip())
        if match is None:
            return None
        key = match.group("key").upper()
        if key.rsplit("-", 1)[0] != self.target.project.upper():
            return None
        if match.group("url"):
            hosts = {urlsplit(self.target.url).netloc.lower(), urlsplit(self.ctx.browse_base).netloc.lower()}
            if urlsplit(match.group("url")).netloc.lower() not in hosts:
                return None
        return key

    def parse_ref(self, text: str) -> RemoteRef | None:
        """A browse URL of this site or KEY-123 of this target's project, resolved to its numeric id (1 GET)."""
        key = self._named_key(text)
        if key is None:
            return None
        try:
            raw = self.http.get(f"issue/{key}", fields="summary")
        except NotFound:
            return None
        current = str(raw.get("key") or key)
        return RemoteRef(
            remote_id=str(raw["id"]),
            key=current,
            number=int(raw["id"]),
            url=f"{self.ctx.browse_base}/browse/{current}",
        )

    # ---- optional capabilities (issue 9) -----------------------------------------------------------
    supports_parents = True

    def list_comments(self, ref: RemoteRef, since: datetime | None = None) -> list[RemoteComment]:
        found = list_comments(self.ctx, ref)
        return [c for c in found if since is None or c.created_at is None or c.created_at >= since]

    def create_parent(self, draft: IssueDraft) -> CreateOutcome:
        return create_parent(self.ctx, draft)

    def attach_child(self, parent: RemoteRef, child: RemoteRef) -> str | None:
        return attach_child(self.ctx, parent, child)

    def close(self) -> None:
        self.http.close()
