"""The fake GitHub as issue 15 needs it: closed_by only on single issues, and the issue events feed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from test_sandbox_github import SpecChecker

from tracker.sandbox.github import FakeGitHub

REPO = "acme/ops"
HEADERS = {"Authorization": "token tok", "Accept": "application/vnd.github+json"}
# The required properties of `issue-event`, the item schema of `issues/list-events-for-repo`
# (GET /repos/{owner}/{repo}/issues/events) in github/rest-api-description. That operation is not in
# the shared spec subset, so its members are checked against the subset's own `simple-user` and
# `issue` components below.
ISSUE_EVENT_REQUIRED = ("id", "node_id", "url", "actor", "event", "commit_id", "commit_url", "created_at")


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    fake = FakeGitHub(record_responses=True)
    fake.add_repo(REPO, collaborators=["dana-w"])
    with fake:
        yield fake


@pytest.fixture(scope="module")
def spec(shared_dir: Path) -> SpecChecker:
    return SpecChecker(shared_dir / "specs" / "github-issues.openapi.json")


def get(gh: FakeGitHub, path: str, **params: object) -> requests.Response:
    response = requests.get(f"{gh.api_url}{path}", headers=HEADERS, params=params, timeout=10)
    assert response.status_code == 200, response.text
    return response


def test_listings_leave_closed_by_out_single_issues_have_it(gh: FakeGitHub, spec: SpecChecker) -> None:
    number = gh.create_issue(REPO, "Filed by hand")
    gh.close_issue(REPO, number, "completed", actor="dana-w")
    gh.reset_log()
    listed = get(gh, f"/repos/{REPO}/issues", state="all").json()
    single = get(gh, f"/repos/{REPO}/issues/{number}").json()
    assert "closed_by" not in listed[0]
    assert single["closed_by"]["login"] == "dana-w"
    assert [e for record in gh.requests for e in spec.check(record)] == []


def test_issue_events_feed_newest_first_paginated_in_the_official_shape(
    gh: FakeGitHub, spec: SpecChecker
) -> None:
    first = gh.create_issue(REPO, "Closed by a person")
    second = gh.create_issue(REPO, "Closed by a bot")
    gh.close_issue(REPO, first, "completed", actor="dana-w")
    gh.advance(1)
    gh.add_issue_label(REPO, second, "stale")
    gh.advance(1)
    gh.close_issue(REPO, second, "not_planned", bot=True)
    gh.advance(1)
    gh.reopen_issue(REPO, first)

    page = get(gh, f"/repos/{REPO}/issues/events", per_page=2)
    assert 'rel="next"' in page.headers["Link"] and page.headers["X-RateLimit-Remaining"]
    events = page.json() + get(gh, f"/repos/{REPO}/issues/events", per_page=2, page=2).json()
    assert [e["event"] for e in events] == ["reopened", "closed", "labeled", "closed"]
    assert [e["created_at"] for e in events] == sorted((e["created_at"] for e in events), reverse=True)
    bot_close = events[1]
    assert bot_close["actor"]["login"] == "stale[bot]" and bot_close["actor"]["type"] == "Bot"
    assert bot_close["issue"]["number"] == second and "closed_by" not in bot_close["issue"]
    assert events[2]["label"]["name"] == "stale"
    assert events[3]["actor"]["login"] == "dana-w"
    for event in events:
        assert all(key in event for key in ISSUE_EVENT_REQUIRED), sorted(event)
        assert isinstance(event["id"], int) and event["url"].endswith(f"/issues/events/{event['id']}")
        assert spec._schema_errors({"$ref": "#/components/schemas/simple-user"}, event["actor"]) == []
        assert spec._schema_errors({"$ref": "#/components/schemas/issue"}, event["issue"]) == []


def test_events_of_another_repository_stay_out_of_the_feed(gh: FakeGitHub) -> None:
    gh.add_repo("acme/other")
    gh.close_issue("acme/other", gh.create_issue("acme/other", "elsewhere"), "completed")
    assert get(gh, f"/repos/{REPO}/issues/events").json() == []
