"""Who closed a batch of GitHub issues, read in pages from the repository's issue events feed."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from tracker.backends.github_map import repo_of

Pages = Iterator[list[dict[str, Any]]]

PER_PAGE = 100
CLOSED_BY_FETCH_LIMIT = 20  # single-issue GETs per pull for closes the feed did not reach
PAGES_PER_100 = 2  # feed pages allowed per 100 closes to learn: other events (labels...) share the feed


def learn_closers(
    repo: str, items: list[dict[str, Any]], closes: dict[str, Any], read_feed: Callable[[str, int], Pages]
) -> int:
    """Fill `closes` (issue id -> [closed_at, login, is_bot]) for listed closed issues lacking `closed_by`.

    GitHub's listings omit `closed_by`; the repository's events feed (GET .../issues/events, newest
    first, 100 a page) names the actor of each `closed` event. The newest `closed` event of an
    issue, if not older than its `closed_at`, is its close. The walk stops once every close is
    found, at the first event older than the oldest close wanted (the cursor), on the last page, or
    after PAGES_PER_100 pages per 100 closes; what it missed is left to single GETs. Returns the
    number of feed pages read. `read_feed(what, per_page)` yields the feed's pages, lazily.
    """
    wanted: dict[str, datetime] = {}
    texts: dict[str, str] = {}
    for item in items:
        if item.get("state") != "closed" or "closed_by" in item:
            continue
        if (repo_of(item) or repo).lower() != repo.lower():
            continue
        ident = str(item["id"])
        seen = closes.get(ident)
        closed_at = _when(item.get("closed_at"))
        if (seen and seen[0] == item.get("closed_at")) or closed_at is None:
            continue
        wanted[ident], texts[ident] = closed_at, str(item.get("closed_at"))
    if not wanted:
        return 0
    oldest = min(wanted.values())
    limit = PAGES_PER_100 * math.ceil(len(wanted) / PER_PAGE)
    what = f"read who closed {len(wanted)} issue(s) in {repo}"
    pages = 0
    done: set[str] = set()  # issues whose newest close was seen (an older one must not override it)
    for page in read_feed(what, PER_PAGE):  # a generator: no page is read past a break
        pages += 1
        for event in page:
            created = _when(event.get("created_at"))
            if created is not None and created < oldest:
                return pages  # older than every close wanted: the rest of the feed cannot help
            issue = event.get("issue") or {}
            ident = str(issue.get("id"))
            if event.get("event") != "closed" or ident not in wanted or ident in done:
                continue
            done.add(ident)
            if created is None or created < wanted[ident]:
                continue  # an earlier close; the latest one is not in the feed yet
            actor = event.get("actor") or {}
            closes[ident] = [texts[ident], actor.get("login"), actor.get("type") == "Bot"]
        if len(done) == len(wanted) or pages >= limit:
            break
    return pages


def _when(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
