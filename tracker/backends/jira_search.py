"""JQL searches: Cloud's /search/jql with nextPageToken, Data Center's /search with startAt and total."""

from __future__ import annotations

import email.utils
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tracker.backends.jira_http import JiraHttp

PAGE_SIZE = 100  # what Cloud allows with fields; Data Center's default cap is 1,000
RECONCILE_MAX = 50  # Cloud accepts up to 50 ids in reconcileIssues


def quote(value: str) -> str:
    """A JQL string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def epoch_ms(when: datetime) -> int:
    """JQL reads an unquoted number as epoch milliseconds: no account time zone gets involved."""
    return int(when.timestamp() * 1000)


def tracker_jql(project: str, label: str | None, since: datetime | None, order: bool = True) -> str:
    clauses = [f"project = {quote(project)}"]
    if label:
        clauses.append(f"labels = {quote(label)}")
    if since is not None:
        clauses.append(f"updated >= {epoch_ms(since)}")
    return " AND ".join(clauses) + (" ORDER BY updated ASC" if order else "")


@dataclass
class SearchResult:
    issues: list[dict[str, Any]] = field(default_factory=list)
    server_time: datetime | None = None  # the Date header of the first page (the server's clock)
    requests: int = 0


def _date(headers: Any) -> datetime | None:
    try:
        return email.utils.parsedate_to_datetime(headers.get("Date", ""))
    except (TypeError, ValueError):
        return None


def search(
    http: JiraHttp,
    jql: str,
    *,
    fields: Iterable[str],
    properties: Iterable[str] = (),
    reconcile: Iterable[str] = (),
    page_size: int = PAGE_SIZE,
    limit: int | None = None,
) -> SearchResult:
    """Every matching issue (or the first `limit`), one request per page."""
    cloud = http.target.flavor == "cloud"
    params: dict[str, Any] = {
        "jql": jql,
        "fields": ",".join(fields),
        "maxResults": min(page_size, limit or page_size),
    }
    props = ",".join(properties)
    if props:
        params["properties"] = props
    ids = [i for i in dict.fromkeys(reconcile) if str(i).isdigit()][-RECONCILE_MAX:]
    if cloud and ids:
        params["reconcileIssues"] = ",".join(ids)
    result = SearchResult()
    token: str | None = None
    while True:
        page_params = dict(params)
        if cloud:
            if token:
                page_params["nextPageToken"] = token
            path = "search/jql"
        else:
            page_params["startAt"] = len(result.issues)
            path = "search"
        before = http.requests
        response = http.request("GET", path, params=page_params)
        result.requests += http.requests - before
        if result.server_time is None:
            result.server_time = _date(response.headers)
        body = response.json()
        chunk = [i for i in body.get("issues") or [] if isinstance(i, dict)]
        result.issues += chunk
        if limit is not None and len(result.issues) >= limit:
            result.issues = result.issues[:limit]
            return result
        if cloud:
            token = body.get("nextPageToken")
            if not token or body.get("isLast") or not chunk:
                return result
        else:
            total = body.get("total")
            if not chunk or not isinstance(total, int) or len(result.issues) >= total:
                return result
