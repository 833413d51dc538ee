"""Issue keys documents name, read in bulk: one JQL `key in (...)` search per 100 keys."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tracker.backends.base import FetchKind, FetchResult
from tracker.backends.jira_context import JiraContext
from tracker.backends.jira_http import NotFound, Refused
from tracker.backends.jira_map import MARKER_PROPERTY, READ_FIELDS
from tracker.backends.jira_search import PAGE_SIZE, quote, search

BATCH = PAGE_SIZE  # keys per search: one page of issues with their fields
# Jira (Data Center, older Cloud) fails a whole `key in (...)` naming a key that does not exist or
# that this account cannot see, one such message per key in errorMessages.
_NO_SUCH_KEY = re.compile(r"An issue with key '([^']+)' does not exist for field '(?:key|issuekey)'", re.I)


def key_jql(keys: list[str]) -> str:
    """The one JQL shape of a bulk read (the sandbox accepts exactly this)."""
    return "key in (" + ", ".join(quote(k) for k in keys) + ")"


def read_named(
    ctx: JiraContext, texts: list[str], key_of: Callable[[str], str | None]
) -> dict[str, FetchResult | None]:
    """Each text -> the issue it names (None when it names nothing of this target's project or site).

    Keys are read by search, BATCH at a time. A key the search did not return (a moved issue comes
    back under its new key; a missing one is not there; Cloud's index may lag a fresh issue) is read
    by one GET, which follows a move and answers 404 for a missing issue (GONE), as `fetch` does;
    a key the search's 400 said does not exist is GONE without one.
    """
    found: dict[str, FetchResult | None] = {}
    by_key: dict[str, list[str]] = {}
    for text in dict.fromkeys(texts):
        key = key_of(text)
        if key is None:
            found[text] = None
        else:
            by_key.setdefault(key, []).append(text)
    keys = list(by_key)
    listed: dict[str, dict[str, Any]] = {}
    missing: set[str] = set()
    for start in range(0, len(keys), BATCH):
        listed_here, missing_here = _search_keys(ctx, keys[start : start + BATCH])
        listed.update(listed_here)
        missing |= missing_here
    for key, named in by_key.items():
        raw = listed.get(key)
        if raw is None and key not in missing:
            try:
                raw = ctx.get_issue(key)
            except NotFound:
                raw = None
        if raw is None:
            result = FetchResult(FetchKind.GONE)
        else:
            issue = ctx.remote(raw)
            result = FetchResult(FetchKind.OK, issue, etag=issue.ref.etag)
        for text in named:
            found[text] = result
    return found


def _search_keys(ctx: JiraContext, keys: list[str]) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """(KEY -> raw issue for the keys the search returns under the key asked for, keys Jira says do not exist).

    A 400 naming keys that do not exist is answered by searching again without them (each retry
    drops at least one key); a 400 that names none of ours leaves the whole batch to single GETs.
    """
    wanted = list(keys)
    gone: set[str] = set()
    while wanted:
        try:
            result = search(ctx.http, key_jql(wanted), fields=READ_FIELDS, properties=(MARKER_PROPERTY,))
        except Refused as exc:
            if exc.status != 400:
                raise
            missing = {k.upper() for k in _NO_SUCH_KEY.findall(str(exc))} & set(wanted)
            if not missing:
                return {}, gone
            gone |= missing
            wanted = [k for k in wanted if k not in missing]
            continue
        return {str(raw.get("key") or "").upper(): raw for raw in result.issues}, gone
    return {}, gone
