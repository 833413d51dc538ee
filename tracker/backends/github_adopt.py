"""Issues that documents name, read in bulk: pages of a repository's listing instead of one GET each."""

from __future__ import annotations

import math
from collections.abc import Iterator
from functools import partial
from typing import Any

from tracker.backends.base import FetchKind, FetchResult, RemoteIssue, RemoteRef
from tracker.backends.github_events import CLOSED_BY_FETCH_LIMIT, learn_closers
from tracker.backends.github_map import parse_ref_text

PER_PAGE = 100
FEW = 2  # this many issues or fewer in a repository: single GETs are cheaper than a listing


class GitHubBulkRead:
    """The bulk half of GitHubBackend's document links (mixed in; relies on its listing and fetch)."""

    name: str
    repo: str
    _hosts: set[str]

    def _remote(
        self, item: dict[str, Any], etag: str | None = None, closed_by: dict[str, Any] | None = None
    ) -> RemoteIssue:
        raise NotImplementedError

    def _repo_listing(self, repo: str, params: dict[str, Any], what: str) -> Iterator[list[dict[str, Any]]]:
        raise NotImplementedError

    def fetch(self, ref: RemoteRef) -> FetchResult:
        raise NotImplementedError

    def _pulled(self, item: dict[str, Any], closes: dict[str, Any], budget: list[int]) -> RemoteIssue:
        raise NotImplementedError

    def _events(self, what: str, per_page: int, repo: str | None = None) -> Iterator[list[dict[str, Any]]]:
        raise NotImplementedError

    def read_named(self, texts: list[str]) -> dict[str, FetchResult | None]:
        """Each text (URL, owner/name#12, #12) -> the issue it names; None when it names nothing here.

        Per repository: with more than FEW issues named, its listing (`state=all`, newest first, 100 a
        page) is read until every named number is found or the numbers fall below the smallest one
        named; after the first page, when the pages still to read outnumber the issues still missing,
        those are read by single GETs instead. Issues the listing did not hold (transferred, deleted,
        pull requests) are read by a single GET, which follows a transfer as `fetch` does.
        Cost: about ceil(span / 100) listing pages per repository, `span` being the range of issue
        numbers named, never more than one request per issue plus one.
        """
        found: dict[str, FetchResult | None] = {}
        by_repo: dict[str, dict[int, list[str]]] = {}
        spelled: dict[str, str] = {}  # owner/name as first written
        for text in dict.fromkeys(texts):
            where = parse_ref_text(text, default_repo=self.repo, hosts=self._hosts)
            if where is None:
                found[text] = None
                continue
            repo, number = where
            spelled.setdefault(repo.lower(), repo)
            by_repo.setdefault(repo.lower(), {}).setdefault(number, []).append(text)
        budget = [CLOSED_BY_FETCH_LIMIT]
        for repo_key, numbers in by_repo.items():
            repo = spelled[repo_key]
            listed = self._listed(repo, set(numbers)) if len(numbers) > FEW else {}
            # Listings leave `closed_by` out: closers come from the events feed, then (up to the
            # pull's limit) single GETs, as in a pull; the rest are learnt by re-verification.
            closes: dict[str, Any] = {}
            learn_closers(repo, list(listed.values()), closes, partial(self._events, repo=repo))
            for number, named in numbers.items():
                item = listed.get(number)
                if item is not None:
                    result = FetchResult(FetchKind.OK, self._pulled(item, closes, budget))
                else:
                    result = self.fetch(RemoteRef(remote_id="", key=f"{repo}#{number}", number=number))
                    if result.issue is None:
                        result = FetchResult(FetchKind.GONE)
                for text in named:
                    found[text] = result
        return found

    def _listed(self, repo: str, wanted: set[int]) -> dict[int, dict[str, Any]]:
        """The named issues found in `repo`'s listing, newest first, stopping as early as it can."""
        params = {"state": "all", "sort": "created", "direction": "desc", "per_page": PER_PAGE}
        lowest = min(wanted)
        items: dict[int, dict[str, Any]] = {}
        what = f"{self.name}: read {len(wanted)} issues named by documents in {repo}"
        for page_number, page in enumerate(self._repo_listing(repo, params, what), start=1):
            numbers = [int(item["number"]) for item in page]
            for item in page:
                if int(item["number"]) in wanted:
                    items[int(item["number"])] = item
            missing = len(wanted) - len(items)
            if not missing or not numbers or min(numbers) <= lowest:
                break
            if page_number == 1 and math.ceil((min(numbers) - lowest) / PER_PAGE) > missing:
                break  # a sparse choice in a long history: single GETs cost less than the pages
        return items
