"""GitHub pulls: batched conditional listings of changed tracker issues, and who closed them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from tracker.backends.base import PullResult, RemoteIssue
from tracker.backends.github_events import CLOSED_BY_FETCH_LIMIT, learn_closers
from tracker.backends.github_map import format_since, repo_of

if TYPE_CHECKING:
    from tracker.backends.github_http import Reply

PER_PAGE = 100
KEPT_ETAGS = 4  # pull URLs whose ETag we remember (the `since` of a cursor changes the URL)
KEPT_CLOSES = 5000


class GitHubPull:
    """The pull half of GitHubBackend (mixed in; relies on its transport helpers and mapping)."""

    name: str
    repo: str
    tracker_label: str

    def _get(self, url: str, what: str, **kwargs: Any) -> Reply:
        raise NotImplementedError

    def _pages(self, first: Reply, what: str) -> Iterator[list[dict[str, Any]]]:
        raise NotImplementedError

    def _events(self, what: str, per_page: int, repo: str | None = None) -> Iterator[list[dict[str, Any]]]:
        raise NotImplementedError

    def _remote(
        self, item: dict[str, Any], etag: str | None = None, closed_by: dict[str, Any] | None = None
    ) -> RemoteIssue:
        raise NotImplementedError

    def pull(self, since: datetime | None, state: dict[str, Any]) -> PullResult:
        """Tracker issues updated since `since`, newest first, 100 a page, conditional on the last ETag.

        Newest first because the ETag covers page 1 only: oldest first, a change to an issue past
        page 1 of a window holding more than 100 issues would hide behind a 304 for good.

        `state` (JSON, kept by the engine) holds `etags` per exact URL and `closes` (who closed what,
        learnt by single GETs). It is updated only when every page succeeded; a failed page raises.
        With `state["label_filter"] = False` the listing is unfiltered (read-only tokens).
        """
        params: dict[str, Any] = {
            "state": "all",
            "sort": "updated",
            "direction": "desc",
            "per_page": PER_PAGE,
        }
        if state.get("label_filter", True):
            params["labels"] = self.tracker_label
        if since is not None:
            params["since"] = format_since(since)
        path = f"/repos/{self.repo}/issues"
        key = f"{path}?{urlencode(sorted(params.items()))}"
        etags = dict(state.get("etags") or {})
        headers = {"If-None-Match": etags[key]} if key in etags else None
        what = f"{self.name}: list issues of {self.repo}"
        first = self._get(path, what, params=params, headers=headers)
        server_time = first.server_time
        if first.status == 304:
            return PullResult([], server_time, not_modified=True)
        items: dict[str, dict[str, Any]] = {}
        shifted = False
        for page in self._pages(first, what):
            for item in page:
                shifted |= str(item["id"]) in items
                items[str(item["id"])] = item  # de-duplicate: an issue updated mid-listing can show twice
        closes = dict(state.get("closes") or {})
        learn_closers(self.repo, list(items.values()), closes, self._events)  # pages, not a GET each
        budget = [CLOSED_BY_FETCH_LIMIT]
        issues = [self._pulled(item, closes, budget) for item in items.values()]
        etags.pop(key, None)
        if first.etag:
            etags[key] = first.etag
        state["etags"] = dict(list(etags.items())[-KEPT_ETAGS:])
        state["closes"] = dict(list(closes.items())[-KEPT_CLOSES:])
        return PullResult(issues, server_time, not_modified=not issues, shifted=shifted)

    def _pulled(self, item: dict[str, Any], closes: dict[str, Any], budget: list[int]) -> RemoteIssue:
        """Map a listed issue; learn who closed it with one GET when the listing does not say."""
        ident = str(item["id"])
        if item.get("state") != "closed":
            closes.pop(ident, None)
            return self._remote(item)
        if "closed_by" in item:
            return self._remote(item)
        seen = closes.get(ident)
        if seen and seen[0] == item.get("closed_at"):
            return self._remote(item, closed_by={"login": seen[1], "type": "Bot" if seen[2] else "User"})
        if budget[0] <= 0:
            return self._remote(item)  # the rolling re-verification (fetch) learns it later
        budget[0] -= 1
        repo = repo_of(item) or self.repo
        reply = self._get(
            f"/repos/{repo}/issues/{item['number']}", f"{self.name}: read {repo}#{item['number']}"
        )
        if reply.status != 200 or not isinstance(reply.data, dict):
            return self._remote(item)
        closer = reply.data.get("closed_by")
        remote = self._remote(item, closed_by=closer)
        closes[ident] = [item.get("closed_at"), remote.closed_by, remote.closed_by_bot]
        return remote
