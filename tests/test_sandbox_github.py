"""The loopback fake GitHub, driven by unmodified PyGithub and checked against GitHub's OpenAPI description."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from github import (
    Auth,
    BadCredentialsException,
    Github,
    GithubException,
    RateLimitExceededException,
    UnknownObjectException,
)
from github.GithubRetry import GithubRetry

from tracker.sandbox.github import FakeGitHub, RequestRecord
from tracker.sandbox.github_routes import route

REPO = "octo-org/tracker"
OTHER = "octo-org/archive"
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def client(gh: FakeGitHub, token: str = "tok", *, retry: Any = None, **kwargs: Any) -> Github:
    return Github(
        base_url=gh.api_url,
        auth=Auth.Token(token),
        seconds_between_requests=0,
        seconds_between_writes=0,
        retry=retry,
        **kwargs,
    )


def raw(
    g: Github,
    verb: str,
    url: str,
    *,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    body: Any = None,
) -> tuple[int, dict[str, Any], Any]:
    """PyGithub's own escape hatch: status, lower-cased headers and the parsed body."""
    status, resp_headers, text = g.requester.requestJson(
        verb, url, parameters=params, headers=headers, input=body
    )
    return status, resp_headers, json.loads(text) if text else None


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    fake = FakeGitHub(record_responses=True)
    fake.add_org("octo-org", name="Octo Org")
    fake.add_repo(REPO, collaborators=["alice", "bob"])
    fake.add_repo(OTHER, collaborators=["alice"])
    fake.add_token("tok", "tracker-bot")
    fake.add_token("reader", "rita", push=False)
    with fake:
        yield fake
    _assert_urls_point_home(fake)


def _assert_urls_point_home(fake: FakeGitHub) -> None:
    """Every absolute API URL the fake wrote must lead back to it (PyGithub follows them)."""
    api = "/api/v3/"

    def walk(value: Any) -> Iterator[str]:
        if isinstance(value, dict):
            for key, item in value.items():
                if key.endswith("url") and isinstance(item, str) and api in item:
                    yield item
                yield from walk(item)
        elif isinstance(value, list):
            for item in value:
                yield from walk(item)

    for record in fake.requests:
        for url in walk(record.response_body):
            assert url.startswith(fake.api_url + "/"), url
        for part in record.response_headers.get("Link", "").split(", "):
            assert not part or part.startswith(f"<{fake.api_url}/"), part


# Lifecycle, repository, auth ---------------------------------------------------------------------------
def test_start_stop_and_context_manager() -> None:
    fake = FakeGitHub().start()
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api/v3", fake.api_url)
        api_url = fake.api_url
        assert requests.get(f"{api_url}/rate_limit", timeout=5).status_code == 200
    finally:
        fake.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{api_url}/rate_limit", timeout=1)
    with FakeGitHub() as other:
        assert requests.get(f"{other.url}/not-api", timeout=5).status_code == 404


def test_get_repo_reports_permissions_per_token(gh: FakeGitHub) -> None:
    repo = client(gh).get_repo(REPO)
    assert (repo.full_name, repo.id, repo.private) == (REPO, gh.repo_id(REPO), False)
    assert repo.permissions.push is True
    assert client(gh, "reader").get_repo(REPO).permissions.push is False
    with pytest.raises(UnknownObjectException):
        client(gh).get_repo("octo-org/missing")


def test_private_repo_hidden_without_access(gh: FakeGitHub) -> None:
    gh.add_repo("octo-org/secret", private=True)
    gh.set_permission("octo-org/secret", "rita", "none")
    assert client(gh).get_repo("octo-org/secret").private is True
    with pytest.raises(UnknownObjectException):
        client(gh, "reader").get_repo("octo-org/secret")


def test_strict_auth_bad_credentials_and_bearer() -> None:
    with FakeGitHub(strict_auth=True, tokens={"good": "alice"}) as fake:
        fake.add_repo(REPO)
        with pytest.raises(BadCredentialsException):
            client(fake, "nope").get_repo(REPO)
        status, headers, _ = raw(client(fake, "nope"), "GET", "/rate_limit")
        assert status == 401 and "x-ratelimit-remaining" in headers
        assert client(fake, "good").get_repo(REPO).create_issue("t").user.login == "alice"
        r = requests.get(f"{fake.api_url}/repos/{REPO}", headers={"Authorization": "Bearer good"}, timeout=5)
        assert r.status_code == 200 and r.json()["full_name"] == REPO
        anonymous = requests.post(f"{fake.api_url}/repos/{REPO}/issues", json={"title": "t"}, timeout=5)
        assert anonymous.status_code == 401 and anonymous.json()["message"] == "Requires authentication"
        assert anonymous.headers["X-RateLimit-Limit"] == "60"


# Issues: create, push access, validation ------------------------------------------------------------
def test_create_issue_201_location_and_labels_created_on_the_fly(gh: FakeGitHub) -> None:
    g = client(gh)
    status, headers, body = raw(
        g,
        "POST",
        f"/repos/{REPO}/issues",
        body={"title": "Add alert", "body": "b", "labels": ["postmortem"], "assignees": ["alice"]},
    )
    assert status == 201
    assert headers["location"] == body["url"] == f"{gh.api_url}/repos/{REPO}/issues/1"
    assert [lab["name"] for lab in body["labels"]] == ["postmortem"]
    assert body["assignee"]["login"] == "alice" and body["user"]["login"] == "tracker-bot"
    assert body["state"] == "open" and body["state_reason"] is None and body["closed_at"] is None
    assert TS.match(body["created_at"]) and body["created_at"] == body["updated_at"]
    assert [(lab.name, lab.color) for lab in g.get_repo(REPO).get_labels()] == [("postmortem", "ededed")]
    issue = g.get_repo(REPO).create_issue("Second", labels=["postmortem"], assignees=["bob"])
    assert issue.number == 2 and issue.id != body["id"] and issue.node_id


def test_without_push_access_assignees_labels_milestone_are_dropped(gh: FakeGitHub) -> None:
    number = gh.add_milestone(REPO, "Q3")
    g = client(gh, "reader")
    status, _, body = raw(
        g,
        "POST",
        f"/repos/{REPO}/issues",
        body={"title": "t", "labels": ["x"], "assignees": ["ghost"], "milestone": number},
    )
    assert status == 201
    assert (body["labels"], body["assignees"], body["milestone"]) == ([], [], None)
    assert body["user"]["login"] == "rita"
    issue = g.get_repo(REPO).get_issue(body["number"])
    issue.edit(assignees=["alice"], labels=["y"], title="renamed")  # own issue: title allowed
    assert (issue.title, issue.assignees, issue.labels) == ("renamed", [], [])
    other = gh.create_issue(REPO, "someone else's")
    with pytest.raises(GithubException) as err:
        g.get_repo(REPO).get_issue(other).edit(title="no")
    assert err.value.status == 403


def test_non_assignable_login_gives_exact_422(gh: FakeGitHub) -> None:
    repo = client(gh).get_repo(REPO)
    with pytest.raises(GithubException) as err:
        repo.create_issue("t", assignees=["alice", "ghost"])
    assert err.value.status == 422
    assert err.value.data == {
        "message": "Validation Failed",
        "errors": [{"value": ["ghost"], "resource": "Issue", "field": "assignees", "code": "invalid"}],
        "documentation_url": "https://docs.github.com/rest/issues/issues#create-an-issue",
        "status": "422",
    }
    assert gh.issues(REPO) == []
    issue = repo.create_issue("t")
    with pytest.raises(GithubException) as err:
        issue.edit(assignees=["stale[bot]"])
    assert err.value.data["documentation_url"].endswith("#update-an-issue")


def test_create_validation_errors(gh: FakeGitHub) -> None:
    g = client(gh)
    status, _, body = raw(g, "POST", f"/repos/{REPO}/issues", body={"body": "no title"})
    assert status == 422 and body["message"].startswith("Invalid request.")
    status, _, body = raw(g, "POST", f"/repos/{REPO}/issues", body={"title": "t", "milestone": 99})
    assert status == 422 and body["errors"][0]["field"] == "milestone"
    status, _, body = raw(g, "POST", f"/repos/{REPO}/issues", body={"title": 42})
    assert status == 201 and body["title"] == "42"
    r = requests.post(
        f"{gh.api_url}/repos/{REPO}/issues", data="{nope", timeout=5, headers={"Authorization": "token tok"}
    )
    assert r.status_code == 400 and r.json()["message"] == "Problems parsing JSON"
    gh.add_repo("octo-org/no-issues", has_issues=False)
    assert raw(g, "POST", "/repos/octo-org/no-issues/issues", body={"title": "t"})[0] == 410


def test_duplicate_label_is_422_already_exists(gh: FakeGitHub) -> None:
    repo = client(gh).get_repo(REPO)
    label = repo.create_label("tracker", "0e8a16", "managed by tracker")
    assert (label.name, label.color, label.description) == ("tracker", "0e8a16", "managed by tracker")
    with pytest.raises(GithubException) as err:
        repo.create_label("Tracker", "ffffff")
    assert err.value.status == 422
    assert err.value.data["errors"] == [{"resource": "Label", "code": "already_exists", "field": "name"}]
    with pytest.raises(GithubException):
        repo.create_label("long", "ffffff", "x" * 101)
    assert [lab.name for lab in repo.get_labels()] == ["tracker"]


# Update, state and people acting ---------------------------------------------------------------------
def test_edit_close_reopen_and_milestone(gh: FakeGitHub) -> None:
    repo = client(gh).get_repo(REPO)
    ms = repo.create_milestone("Review", due_on=date(2030, 5, 1), description="follow-up")
    assert ms.due_on == datetime(2030, 5, 1, tzinfo=UTC) and ms.number == 1
    issue = repo.create_issue("t", milestone=ms)
    assert issue.milestone.number == 1 and [m.open_issues for m in repo.get_milestones()] == [1]
    issue.edit(state="closed", state_reason="not_planned")
    assert (issue.state, issue.state_reason, issue.closed_by.login) == (
        "closed",
        "not_planned",
        "tracker-bot",
    )
    assert issue.closed_at is not None
    issue.edit(state="open")
    assert (issue.state, issue.state_reason, issue.closed_at) == ("open", "reopened", None)
    issue.edit(state="closed")
    assert issue.state_reason == "completed"
    issue.edit(milestone=None)
    assert issue.milestone is None
    assert [m.title for m in repo.get_milestones(state="all")] == ["Review"]
    with pytest.raises(UnknownObjectException):
        repo.get_milestone(7)


def test_people_actions_bump_updated_at(gh: FakeGitHub) -> None:
    number = gh.create_issue(
        REPO, "Rotate keys", "Owner: alice\n**Due:** 2030-01-01\n", labels=["tracker"], assignees=["alice"]
    )
    repo = client(gh).get_repo(REPO)
    seen = [repo.get_issue(number).updated_at]

    def step(action: Any, *args: Any, **kwargs: Any) -> Any:
        gh.advance(2)  # updated_at has second precision: make each change visibly later
        action(REPO, number, *args, **kwargs)
        issue = repo.get_issue(number)
        assert issue.updated_at > seen[-1], action
        seen.append(issue.updated_at)
        return issue

    issue = step(gh.close_issue, "not_planned", bot=True)
    assert (issue.state_reason, issue.closed_by.login, issue.closed_by.type) == (
        "not_planned",
        "stale[bot]",
        "Bot",
    )
    assert step(gh.reopen_issue).state == "open"
    issue = step(gh.close_issue, "duplicate", actor="bob")
    assert (issue.state_reason, issue.closed_by.login) == ("duplicate", "bob")
    assert [a.login for a in step(gh.reassign, ["bob"]).assignees] == ["bob"]
    assert step(gh.edit_issue, title="Rotate all keys").title == "Rotate all keys"
    assert step(gh.remove_issue_label, "tracker").labels == []
    assert "**Due:** 2030-02-15" in step(gh.set_due_date, date(2030, 2, 15)).body
    assert step(gh.comment, "done?", actor="alice").comments == 1
    gh.set_due_date(REPO, number, "2031-01-01")
    gh.edit_issue(REPO, number, body="no date here")
    gh.set_due_date(REPO, number, "2031-01-01")
    assert gh.issue(REPO, number).body == "no date here\n\nDue: 2031-01-01"


def test_transfer_answers_301_and_delete_410(gh: FakeGitHub) -> None:
    g = client(gh)
    old = g.get_repo(REPO).create_issue("moving")
    gh.create_issue(OTHER, "already there")
    new_number = gh.transfer_issue(REPO, old.number, OTHER)
    r = requests.get(
        f"{gh.api_url}/repos/{REPO}/issues/{old.number}",
        allow_redirects=False,
        timeout=5,
        headers={"Authorization": "token tok"},
    )
    assert r.status_code == 301 and r.json()["message"] == "Moved Permanently"
    assert r.headers["Location"] == f"{gh.api_url}/repositories/{gh.repo_id(OTHER)}/issues/{new_number}"
    moved = g.get_repo(REPO).get_issue(old.number)  # PyGithub follows the 301
    assert (moved.number, moved.repository_url) == (new_number, f"{gh.api_url}/repos/{OTHER}")
    assert moved.id != old.id and new_number == 2
    gh.delete_issue(OTHER, new_number)
    with pytest.raises(GithubException) as err:
        g.get_repo(OTHER).get_issue(new_number)
    assert err.value.status == 410
    assert [i.title for i in g.get_repo(REPO).get_issues(state="all")] == []


# Listing, pagination, since ----------------------------------------------------------------------------
def test_list_filters_and_link_header(gh: FakeGitHub) -> None:
    for n in range(5):
        gh.create_issue(
            REPO,
            f"i{n}",
            labels=["tracker"] if n % 2 == 0 else [],
            assignees=["alice"] if n else [],
            user="bob" if n == 4 else None,
        )
    gh.close_issue(REPO, 2)
    g = client(gh)
    status, headers, body = raw(
        g, "GET", f"/repos/{REPO}/issues", params={"per_page": 2, "state": "all", "labels": "tracker,x"}
    )
    assert (status, body) == (200, [])
    status, headers, body = raw(
        g, "GET", f"/repos/{REPO}/issues", params={"per_page": 2, "page": 2, "state": "all"}
    )
    base = f"{gh.api_url}/repos/{REPO}/issues?per_page=2&state=all&page="
    assert headers["link"] == (
        f'<{base}1>; rel="prev", <{base}3>; rel="next", <{base}3>; rel="last", <{base}1>; rel="first"'
    )
    assert [i["number"] for i in body] == [3, 2]
    status, headers, _ = raw(g, "GET", f"/repos/{REPO}/issues", params={"per_page": 2})
    assert headers["link"] == (
        f'<{gh.api_url}/repos/{REPO}/issues?per_page=2&page=2>; rel="next", '
        f'<{gh.api_url}/repos/{REPO}/issues?per_page=2&page=2>; rel="last"'
    )
    repo = client(gh, per_page=2).get_repo(REPO)
    assert [i.number for i in repo.get_issues(state="all")] == [5, 4, 3, 2, 1]
    assert repo.get_issues(state="all").totalCount == 5
    assert [i.number for i in repo.get_issues()] == [5, 4, 3, 1]  # default: open, newest first
    assert [i.number for i in repo.get_issues(state="closed")] == [2]
    assert [i.number for i in repo.get_issues(state="all", labels=["tracker"])] == [5, 3, 1]
    assert [i.number for i in repo.get_issues(creator="bob")] == [5]
    assert [i.number for i in repo.get_issues(assignee="none")] == [1]
    assert [i.number for i in repo.get_issues(state="all", assignee="alice", direction="asc")] == [2, 3, 4, 5]
    gh.advance(5)
    gh.edit_issue(REPO, 1, body="touched")
    assert next(i.number for i in repo.get_issues(sort="updated")) == 1
    status, _, body = raw(g, "GET", f"/repos/{REPO}/issues", params={"state": "bogus"})
    assert status == 422 and body["errors"][0]["field"] == "state"


def test_since_filters_updated_at_inclusive_at_second_precision(gh: FakeGitHub) -> None:
    first = gh.create_issue(REPO, "old")
    gh.advance(10)
    second = gh.create_issue(REPO, "new")
    repo = client(gh).get_repo(REPO)
    stamp = repo.get_issue(second).updated_at  # whole seconds, as the API shows it
    assert [i.number for i in repo.get_issues(since=stamp)] == [second]
    assert [i.number for i in repo.get_issues(since=stamp - timedelta(seconds=11))] == [second, first]
    assert list(repo.get_issues(since=stamp + timedelta(seconds=1))) == []
    status, _, _ = raw(client(gh), "GET", f"/repos/{REPO}/issues", params={"since": "yesterday"})
    assert status == 422


# Conditional requests and rate limits --------------------------------------------------------------
def test_etag_304_is_free_and_changes_with_content(gh: FakeGitHub) -> None:
    gh.create_issue(REPO, "one")
    g = client(gh)
    url = f"/repos/{REPO}/issues"
    status, headers, _ = raw(g, "GET", url, params={"state": "all"})
    etag, remaining = headers["etag"], int(headers["x-ratelimit-remaining"])
    assert status == 200 and re.fullmatch(r'"[0-9a-f]+"', etag) and "last-modified" in headers
    status, headers, body = raw(g, "GET", url, params={"state": "all"}, headers={"If-None-Match": etag})
    assert (status, body) == (304, None)
    assert int(headers["x-ratelimit-remaining"]) == remaining and headers["etag"] == etag
    gh.close_issue(REPO, 1)
    status, headers, _ = raw(g, "GET", url, params={"state": "all"}, headers={"If-None-Match": etag})
    assert status == 200 and headers["etag"] != etag
    assert int(headers["x-ratelimit-remaining"]) == remaining - 1
    issue = g.get_repo(REPO).get_issue(1)
    assert issue.update() is False  # PyGithub's If-None-Match + If-Modified-Since
    gh.advance(2)
    gh.edit_issue(REPO, 1, title="changed")
    assert issue.update() is True and issue.title == "changed"


def test_rate_limit_headers_on_every_response(gh: FakeGitHub) -> None:
    g = client(gh)
    g.get_repo(REPO)
    gh.fail_next("GET", f"/repos/{REPO}", status=502)
    with pytest.raises(GithubException):
        g.get_repo(REPO)
    raw(g, "GET", "/repos/octo-org/missing")
    raw(g, "GET", "/search/issues", params={"q": "x"})
    for record in gh.requests:
        names = {k.lower() for k in record.response_headers}
        assert {
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-used",
            "x-ratelimit-reset",
            "x-ratelimit-resource",
            "date",
        } <= names, record
    assert gh.requests[-1].response_headers["X-RateLimit-Resource"] == "search"
    assert gh.requests[-1].response_headers["X-RateLimit-Limit"] == "30"
    rate = g.get_rate_limit()
    assert rate.resources.core.limit == 5000 and rate.resources.core.used == 2
    assert g.get_rate_limit().resources.core.used == 2  # /rate_limit itself is free


def test_primary_rate_limit_exhaustion(gh: FakeGitHub) -> None:
    gh.exhaust_rate_limit("tracker-bot", reset_in=30)
    with pytest.raises(RateLimitExceededException) as err:
        client(gh).get_repo(REPO)
    assert err.value.status == 403
    assert err.value.data["message"].startswith("API rate limit exceeded for user ID ")
    assert err.value.headers["x-ratelimit-remaining"] == "0"
    assert client(gh, "reader").get_repo(REPO)  # another user's bucket is untouched
    gh.set_rate_limit("tracker-bot", remaining=0, reset_in=1)
    start = time.monotonic()
    assert client(gh, retry=GithubRetry(total=3)).get_repo(REPO).full_name == REPO  # waits for the reset
    assert time.monotonic() - start >= 0.5
    with FakeGitHub(rate_limit=2, primary_limit_status=429) as fake:
        fake.add_repo(REPO)
        g = client(fake)
        g.get_repo(REPO)
        g.get_repo(REPO)
        with pytest.raises(GithubException) as err:
            g.get_repo(REPO)
        assert err.value.status == 429 and err.value.headers["x-ratelimit-remaining"] == "0"


def test_secondary_limit_on_content_creation(gh: FakeGitHub) -> None:
    with FakeGitHub(content_creation_per_minute=2) as fake:
        fake.add_repo(REPO)
        repo = client(fake).get_repo(REPO)
        repo.create_issue("a")
        repo.create_issue("b")
        with pytest.raises(RateLimitExceededException) as err:
            repo.create_issue("c")
        assert err.value.status == 403
        assert err.value.data["message"].startswith("You have exceeded a secondary rate limit")
        assert 1 <= int(err.value.headers["retry-after"]) <= 60
        fake.advance(61)
        assert repo.create_issue("c").number == 3
    gh.secondary_limit_next("POST", f"/repos/{REPO}/issues", retry_after=1, status=429)
    repo = client(gh, retry=GithubRetry(total=3)).get_repo(REPO)
    assert repo.create_issue("after wait").number == 1
    assert gh.count("POST", f"/repos/{REPO}/issues") == 2
    assert [r.status for r in gh.requests if r.method == "POST"] == [429, 201]


# Failure injection ------------------------------------------------------------------------------------
def test_fail_next_5xx_is_retried_by_pyGithub(gh: FakeGitHub) -> None:
    gh.fail_next("POST", "/repos/*/issues", status=502, times=2)
    repo = client(gh, retry=GithubRetry(total=3)).get_repo(REPO)
    assert repo.create_issue("eventually").number == 1
    assert gh.count("POST", f"/repos/{REPO}/issues") == 3 and len(gh.issues(REPO)) == 1
    gh.fail_next("*", f"/api/v3/repos/{REPO}", status=503, body={"message": "down"})
    with pytest.raises(GithubException) as err:
        client(gh).get_repo(REPO)
    assert (err.value.status, err.value.data) == (503, {"message": "down"})


def test_drop_response_after_create_applies_the_create(gh: FakeGitHub) -> None:
    gh.drop_response_after_create()
    repo = client(gh).get_repo(REPO)
    with pytest.raises(requests.exceptions.ConnectionError):
        repo.create_issue("lost reply")
    assert [i.title for i in gh.issues(REPO)] == ["lost reply"]
    assert gh.requests[-1].status == 0
    # A retried POST duplicates the issue: what the tracker's recovery marker must prevent.
    gh.drop_response_after_create()
    client(gh, retry=GithubRetry(total=2)).get_repo(REPO).create_issue("dup")
    assert [i.title for i in gh.issues(REPO)] == ["lost reply", "dup", "dup"]


def test_drop_and_timeout_without_effect(gh: FakeGitHub) -> None:
    gh.drop_next("POST", f"/repos/{REPO}/issues")
    repo = client(gh).get_repo(REPO)
    with pytest.raises(requests.exceptions.ConnectionError):
        repo.create_issue("dropped")
    assert gh.issues(REPO) == []
    gh.timeout_next("GET", f"/repos/{REPO}/issues/*", seconds=3)
    gh.create_issue(REPO, "slow")
    impatient = client(gh, timeout=1).get_repo(REPO)
    with pytest.raises(requests.exceptions.ReadTimeout):
        impatient.get_issue(1)
    assert impatient.get_issue(1).title == "slow"
    assert gh.faults.pending() == 0


# Comments, labels, assignees, sub-issues ----------------------------------------------------------
def test_comments_create_list_since(gh: FakeGitHub) -> None:
    issue = client(gh).get_repo(REPO).create_issue("t")
    first = issue.create_comment("first")
    gh.advance(5)
    issue.create_comment("second")
    assert first.user.login == "tracker-bot" and first.body == "first"
    assert [c.body for c in issue.get_comments()] == ["first", "second"]
    since = first.created_at + timedelta(seconds=1)
    assert [c.body for c in issue.get_comments(since=since)] == ["second"]
    assert client(gh).get_repo(REPO).get_issue(1).comments == 2
    status, headers, body = raw(client(gh), "POST", f"/repos/{REPO}/issues/1/comments", body={"body": "x"})
    assert status == 201 and headers["location"] == body["url"]


def test_issue_label_endpoints(gh: FakeGitHub) -> None:
    repo = client(gh).get_repo(REPO)
    issue = repo.create_issue("t", labels=["a"])
    issue.add_to_labels("b", "c")
    assert [lab.name for lab in repo.get_issue(issue.number).labels] == ["a", "b", "c"]
    issue.remove_from_labels("b")
    assert [lab.name for lab in repo.get_issue(issue.number).labels] == ["a", "c"]
    with pytest.raises(GithubException) as err:
        issue.remove_from_labels("b")
    assert (err.value.status, err.value.data["message"]) == (404, "Label does not exist")
    status, _, body = raw(client(gh), "POST", f"/repos/{REPO}/issues/1/labels", body={"labels": ["z y"]})
    assert status == 200 and [lab["name"] for lab in body] == ["a", "c", "z y"]
    assert body[-1]["url"].endswith("/labels/z%20y")


def test_assignee_endpoints_and_checks(gh: FakeGitHub) -> None:
    repo = client(gh).get_repo(REPO)
    issue = repo.create_issue("t")
    issue.add_to_assignees("alice", "ghost")  # this endpoint ignores what it cannot assign
    assert [a.login for a in issue.assignees] == ["alice"]
    issue.add_to_assignees("bob")
    issue.remove_from_assignees("alice")
    assert [a.login for a in issue.assignees] == ["bob"]


def test_sub_issues(gh: FakeGitHub) -> None:
    repo = client(gh).get_repo(REPO)
    parent, child = repo.create_issue("parent"), repo.create_issue("child")
    added = parent.add_sub_issue(child.id)
    assert added.number == child.number
    child.edit(state="closed")
    summary = repo.get_issue(parent.number).raw_data["sub_issues_summary"]
    assert summary == {"total": 1, "completed": 1, "percent_completed": 100}
    assert repo.get_issue(child.number).raw_data["parent_issue_url"].endswith(f"/issues/{parent.number}")
    with pytest.raises(GithubException) as err:
        parent.add_sub_issue(child.id)
    assert err.value.status == 422


@pytest.mark.parametrize(
    ("verb", "path"),
    [
        ("GET", "/search/issues?q=is:issue"),
        ("GET", "/user"),
        ("GET", "/users/alice"),
        ("GET", "/orgs/octo-org"),
        ("GET", f"/repos/{REPO}/assignees"),
        ("GET", f"/repos/{REPO}/labels/tracker"),
        ("PUT", f"/repos/{REPO}/issues/1/labels"),
        ("GET", f"/repos/{REPO}/issues/1/sub_issues"),
    ],
)
def test_routes_tracker_never_sends_answer_githubs_404(gh: FakeGitHub, verb: str, path: str) -> None:
    """The fake serves only what tracker sends; anything else gets GitHub's Not Found body."""
    gh.create_issue(REPO, "t")
    status, _, body = raw(client(gh), verb, path)
    assert status == 404
    assert body["message"] == "Not Found" and body["documentation_url"].startswith("https://docs.github.com")


# Clock, log ------------------------------------------------------------------------------------------
def test_clock_skew_offsets_date_header_and_timestamps() -> None:
    with FakeGitHub(clock_skew=timedelta(hours=-3)) as fake:
        fake.add_repo(REPO)
        g = client(fake)
        g.get_repo(REPO).create_issue("t")
        _, headers, body = raw(g, "GET", f"/repos/{REPO}/issues/1")
        server_now = parsedate_to_datetime(headers["date"])
        expected = datetime.now(UTC) - timedelta(hours=3)
        assert abs((server_now - expected).total_seconds()) < 5
        created = datetime.strptime(body["created_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        assert abs((created - expected).total_seconds()) < 5
        fake.clock_skew = timedelta(0)
        assert abs((fake.now() - datetime.now(UTC)).total_seconds()) < 2


def test_request_log_counts_and_reset(gh: FakeGitHub) -> None:
    repo = client(gh).get_repo(REPO)
    repo.create_issue("a")
    repo.get_issue(1)
    assert gh.count() == 3
    assert gh.count("GET") == 2 and gh.count("POST", "/repos/octo-org") == 1
    assert gh.count(path_prefix=f"/api/v3/repos/{REPO}/issues") == 2
    record = gh.requests[1]
    assert isinstance(record, RequestRecord)
    assert (record.method, record.path, record.status, record.login) == (
        "POST",
        f"/repos/{REPO}/issues",
        201,
        "tracker-bot",
    )
    assert record.body == {"title": "a"} and record.headers["authorization"] == "token ***"
    gh.reset_log()
    assert gh.count() == 0


def test_concurrent_creates_get_unique_numbers(gh: FakeGitHub) -> None:
    def work(k: int) -> None:
        repo = client(gh).get_repo(REPO)
        for n in range(5):
            repo.create_issue(f"{k}-{n}")

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(i.number for i in gh.issues(REPO)) == list(range(1, 21))


def test_standalone_entry_point_prints_url() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracker.sandbox.github", "--port", "0", "--repo", "o/r"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api/v3", url)
        assert requests.get(f"{url}/repos/o/r", timeout=5).json()["full_name"] == "o/r"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# OpenAPI conformance ---------------------------------------------------------------------------------
class SpecChecker:
    """Validates logged response bodies against the operation and status GitHub documents."""

    def __init__(self, spec_path: Path) -> None:
        from openapi_schema_validator import OAS30Validator
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT4

        self.spec = _null_in_nullable_enums(json.loads(spec_path.read_text(encoding="utf-8")))
        registry: Registry[Any] = Registry().with_resource(
            "urn:gh", Resource.from_contents(self.spec, default_specification=DRAFT4)
        )
        self.validator_cls = OAS30Validator
        self.registry = registry
        self.ops: list[tuple[str, re.Pattern[str], dict[str, Any], str]] = []
        for path, item in self.spec["paths"].items():
            pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")
            for method, op in item.items():
                if isinstance(op, dict) and "responses" in op:
                    self.ops.append((method.upper(), pattern, op, path))
        self.checked: set[tuple[str, str, int]] = set()

    def _schema_errors(self, schema: dict[str, Any], body: Any) -> list[str]:
        schema = _anchor_refs(schema)
        validator = self.validator_cls(schema, registry=self.registry)
        return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.spec
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            node = target
        return node

    def check(self, record: RequestRecord) -> list[str]:
        op = next((o for m, p, o, _ in self.ops if m == record.method and p.match(record.path)), None)
        if op is None or record.status == 0:
            return []
        template = next(t for m, p, _, t in self.ops if m == record.method and p.match(record.path))
        responses = op["responses"]
        where = f"{record.method} {record.path} -> {record.status}"
        if str(record.status) not in responses:
            if record.status < 400:
                return [f"{where}: status not documented for {template}"]
            # Rate limits and bad credentials can answer any operation: GitHub's basic-error.
            errors = self._schema_errors({"$ref": "#/components/schemas/basic-error"}, record.response_body)
            return [f"{where}: {e}" for e in errors]
        self.checked.add((record.method, template, record.status))
        response = self._resolve(responses[str(record.status)])
        content = response.get("content", {}).get("application/json")
        if content is None:
            return [] if record.response_body is None else [f"{where}: body where the spec has none"]
        errors = self._schema_errors(content["schema"], record.response_body)
        return [f"{where}: {e}" for e in errors]


def _null_in_nullable_enums(node: Any) -> Any:
    """OAS 3.0.3: `nullable: true` adds null to the allowed values, enum or not (GitHub relies on it,
    e.g. `state_reason`); plain JSON Schema validation would otherwise reject null outside the enum."""
    if isinstance(node, dict):
        node = {k: _null_in_nullable_enums(v) for k, v in node.items()}
        if node.get("nullable") is True and isinstance(node.get("enum"), list) and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
        return node
    if isinstance(node, list):
        return [_null_in_nullable_enums(item) for item in node]
    return node


def _anchor_refs(node: Any) -> Any:
    """Point local `#/...` references of an inline schema at the spec document."""
    if isinstance(node, dict):
        if "propertyName" in node and isinstance(node.get("mapping"), dict):  # a discriminator
            return {**node, "mapping": {k: "urn:gh" + v for k, v in node["mapping"].items()}}
        return {
            k: ("urn:gh" + v if k == "$ref" and v.startswith("#") else _anchor_refs(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_anchor_refs(item) for item in node]
    return node


@pytest.fixture(scope="module")
def spec_checker(shared_dir: Path) -> SpecChecker:
    return SpecChecker(shared_dir / "specs" / "github-issues.openapi.json")


def test_responses_conform_to_openapi(gh: FakeGitHub, spec_checker: SpecChecker) -> None:
    """Exercise every spec'd operation, successes and errors, and validate each body."""
    g = client(gh)
    repo = g.get_repo(REPO)
    ms = repo.create_milestone("Review", due_on=date(2030, 1, 1))
    repo.create_label("tracker", "0e8a16", "managed")
    issue = repo.create_issue("t", body="b", labels=["tracker", "new"], assignees=["alice"], milestone=ms)
    issue.create_comment("c")
    issue.edit(state="closed", state_reason="not_planned", title="t2")
    second = repo.create_issue("second")
    second.add_sub_issue(repo.create_issue("child").id)
    list(repo.get_issues(state="all", since=datetime(2000, 1, 1)))
    list(client(gh, per_page=1).get_repo(REPO).get_issues(state="all"))
    list(issue.get_comments())
    list(repo.get_labels())
    list(repo.get_milestones(state="all"))
    g.get_rate_limit()
    client(gh, "reader").get_repo(REPO)
    # Errors the spec documents.
    for verb, url, body in [
        ("GET", f"/repos/{REPO}/issues/999", None),
        ("GET", "/repos/octo-org/missing", None),
        ("POST", f"/repos/{REPO}/issues", {"title": "x", "assignees": ["ghost"]}),
        ("POST", f"/repos/{REPO}/issues", {"body": "x"}),
        ("PATCH", f"/repos/{REPO}/issues/1", {"state": "sideways"}),
        ("POST", f"/repos/{REPO}/labels", {"name": "tracker", "color": "ffffff"}),
        ("POST", f"/repos/{REPO}/milestones", {"title": "Review"}),
        ("POST", f"/repos/{REPO}/issues/1/comments", {}),
    ]:
        raw(g, verb, url, body=body)
    etag = raw(g, "GET", f"/repos/{REPO}/issues/1")[1]["etag"]
    raw(g, "GET", f"/repos/{REPO}/issues/1", headers={"If-None-Match": etag})
    moved = gh.transfer_issue(REPO, second.number, OTHER)
    raw(g, "GET", f"/repos/{REPO}/issues/{second.number}")
    gh.delete_issue(OTHER, moved)
    raw(g, "GET", f"/repos/{OTHER}/issues/{moved}")
    raw(g, "DELETE", f"/repos/{REPO}/issues/1/labels/none")
    requests.post(f"{gh.api_url}/repos/{REPO}/issues", json={"title": "x"}, timeout=5)
    gh.exhaust_rate_limit(reset_in=60)
    raw(g, "GET", f"/repos/{REPO}")

    problems = [p for record in gh.requests for p in spec_checker.check(record)]
    assert problems == [], "\n".join(problems)
    statuses = {(m, s) for m, _, s in spec_checker.checked}
    for expected in [
        ("POST", 201),
        ("PATCH", 200),
        ("GET", 304),
        ("GET", 301),
        ("GET", 410),
        ("GET", 404),
        ("POST", 422),
    ]:
        assert expected in statuses, expected
    # Every documented operation the fake serves (only what tracker sends) was checked.
    served_ops = {
        (m, t)
        for m, _, _, t in spec_checker.ops
        if t == "/rate_limit"
        or route(m, re.sub(r"\{[^}]+\}", "1", t))  # /rate_limit is served before routing
    }
    assert {(m, t) for m, t, _ in spec_checker.checked} == served_ops
    for record in gh.requests:
        _assert_timestamps(record.response_body)


def _assert_timestamps(value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if (key.endswith("_at") or key == "due_on") and isinstance(item, str):
                assert TS.match(item), (key, item)
            _assert_timestamps(item)
    elif isinstance(value, list):
        for item in value:
            _assert_timestamps(item)
