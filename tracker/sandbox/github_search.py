"""Issue search of the fake GitHub: the `q` qualifier language over a lagging index."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tracker.sandbox.github_api import (
    DOCS,
    Context,
    HttpError,
    Request,
    Response,
    int_param,
    validation_failed,
)
from tracker.sandbox.github_model import Issue, Repo, parse_iso

SEARCH_DOC = f"{DOCS}/search/search#search-issues-and-pull-requests"
_TOKEN = re.compile(r'(-?)([A-Za-z_-]+):("([^"]*)"|\S+)|"([^"]*)"|(\S+)')
_RANGE = re.compile(r"^(>=|<=|>|<)?(.+)$")


@dataclass
class Query:
    """A parsed `q`: qualifiers are ANDed (repeated repo:/user: are ORed, as on GitHub)."""

    terms: list[str] = field(default_factory=list)
    repos: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    checks: list[Callable[[Issue, Repo], bool]] = field(default_factory=list)
    scopes: set[str] = field(default_factory=set)
    wants_prs: bool = False


def parse_query(q: str) -> Query:
    query = Query()
    for m in _TOKEN.finditer(q):
        negate, key, _, quoted, phrase, word = m.groups()
        if key is None:
            text = phrase if phrase is not None else word
            if text:
                query.terms.append(text.lower())
            continue
        value = quoted if quoted is not None else m.group(3)
        check = _qualifier(query, key.lower(), value)
        if check is not None:
            query.checks.append((lambda c: lambda i, r: not c(i, r))(check) if negate else check)
    return query


def _qualifier(query: Query, key: str, value: str) -> Callable[[Issue, Repo], bool] | None:
    low = value.lower()
    if key == "repo":
        query.repos.append(low)
    elif key in ("user", "org", "owner"):
        query.owners.append(low)
    elif key in ("is", "type", "state"):
        if low in ("pr", "pull-request"):
            query.wants_prs = True
        elif low in ("open", "closed"):
            return lambda i, r: i.state == low
    elif key == "in":
        query.scopes.update(s.strip() for s in low.split(","))
    elif key == "label":
        names = {n.strip() for n in low.split(",")}
        return lambda i, r: bool(_label_names(i, r) & names)
    elif key == "no":
        return {
            "label": lambda i, r: not i.label_ids,
            "assignee": lambda i, r: not i.assignees,
            "milestone": lambda i, r: i.milestone is None,
        }.get(low)
    elif key in ("author", "assignee", "mentions"):
        return {
            "author": lambda i, r: i.user.lower() == low,
            "assignee": lambda i, r: low in {a.lower() for a in i.assignees},
            "mentions": lambda i, r: f"@{low}" in (i.body or "").lower(),
        }[key]
    elif key in ("created", "updated", "closed"):
        return _date_check(key, value)
    elif key == "milestone":
        return lambda i, r: i.milestone is not None and r.milestones[i.milestone].title.lower() == low
    return None


def _label_names(issue: Issue, repo: Repo) -> set[str]:
    return {lab.name.lower() for lab in (repo.label_by_id(i) for i in issue.label_ids) if lab}


def _date_check(key: str, value: str) -> Callable[[Issue, Repo], bool]:
    def stamp(issue: Issue) -> datetime | None:
        return {"created": issue.created_at, "updated": issue.updated_at, "closed": issue.closed_at}[key]

    if ".." in value:
        lo_text, hi_text = value.split("..", 1)
        lo = parse_iso(lo_text) if lo_text not in ("", "*") else None
        hi = _end(hi_text) if hi_text not in ("", "*") else None
        return lambda i, r: (s := stamp(i)) is not None and (lo is None or s >= lo) and (hi is None or s < hi)
    m = _RANGE.match(value)
    assert m is not None
    op, text = m.groups()
    at = parse_iso(text)
    if at is None:
        return lambda i, r: False
    if op is None:  # a bare date means that whole day (or that exact second)
        end = _end(text) or at
        return lambda i, r: (s := stamp(i)) is not None and at <= s < end
    end = _end(text) or at
    compare: dict[str, Callable[[datetime], bool]] = {
        ">=": lambda s: s >= at,
        ">": lambda s: s >= end,
        "<=": lambda s: s < end,
        "<": lambda s: s < at,
    }
    return lambda i, r: (s := stamp(i)) is not None and compare[op](s)


def _end(text: str) -> datetime | None:
    """Exclusive end of the period a date or timestamp names (a day, or one second)."""
    at = parse_iso(text)
    if at is None:
        return None
    return at + (timedelta(days=1) if "T" not in text.upper() else timedelta(seconds=1))


def _text_matches(query: Query, issue: Issue, comments: list[str]) -> bool:
    scopes = query.scopes or {"title", "body", "comments"}
    haystack = " ".join(
        [issue.title if "title" in scopes else "", issue.body or "" if "body" in scopes else ""]
        + (comments if "comments" in scopes else [])
    ).lower()
    return all(term in haystack for term in query.terms)


def search_issues(ctx: Context, req: Request) -> Response:
    q = req.param("q")
    if not q:
        raise validation_failed(SEARCH_DOC, {"resource": "Search", "field": "q", "code": "missing"})
    query = parse_query(q)
    found: list[Issue] = []
    if not query.wants_prs:
        for issue in ctx.store.search_view():
            repo = ctx.store.repos_by_id[issue.repo_id]
            if ctx.store.permission(repo, req.token) == "none":
                continue
            if query.repos and repo.full_name.lower() not in query.repos:
                continue
            if query.owners and repo.owner.lower() not in query.owners:
                continue
            if not all(check(issue, repo) for check in query.checks):
                continue
            comments = [c.body for c in ctx.store.comments.get(issue.id, [])]
            if _text_matches(query, issue, comments):
                found.append(issue)
    sort = req.param("sort")
    descending = req.param("order", "desc") != "asc"
    key: Callable[[Issue], Any] = {
        "created": lambda i: (i.created_at, i.id),
        "updated": lambda i: (i.updated_at, i.id),
        "comments": lambda i: (i.comments, i.id),
    }.get(sort or "", lambda i: i.id)
    found.sort(key=key, reverse=descending)
    per_page = min(max(int_param(req.param("per_page"), 30), 1), 100)
    page = max(int_param(req.param("page"), 1), 1)
    if (page - 1) * per_page >= 1000:
        raise HttpError(422, "Only the first 1000 search results are available", doc=SEARCH_DOC)
    paged = ctx.paginate(req, found[:1000], lambda i: ctx.render.issue(i, search_score=1.0))
    body = {
        "total_count": len(found),
        "incomplete_results": False,
        "search_type": "lexical",
        "items": paged.body,
    }
    return Response(200, body, paged.headers, last_modified=ctx.store.clock.now())
