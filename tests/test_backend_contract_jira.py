"""The backend contract of tests/test_backend_contract.py, run against Jira Cloud and Data Center (on the fake).

The shared test functions are imported and run here with a Jira `pair` fixture. Four contract tests
assume GitHub's semantics and have Jira counterparts below instead: an update costs one request on
GitHub (Jira Data Center needs a read-back, and a status change walks the workflow); GitHub names
who closed an issue and whether a bot did (Jira does not, cheaply); a transferred GitHub issue gets
a new id (a moved Jira issue keeps its id and gets a new key); GitHub's reset time is exact (Jira
gives Retry-After seconds).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from backend_harness import LABEL, SKEW, FakeClock, draft
from test_backend_contract import (  # noqa: F401  (collected here, with this module's `pair`)
    created,
    fresh,
    test_conditional_fetch_is_not_modified_until_someone_changes_it,
    test_create_then_fetch_round_trips,
    test_deleted_issue_is_gone,
    test_find_markers_finds_an_issue_whose_create_answer_was_lost,
    test_has_tracker_issues,
    test_labels_are_added_and_removed_without_clobbering_a_persons,
    test_non_assignable_owner_warns_and_the_issue_still_exists,
    test_our_own_status_writes_map_back,
    test_pull_since_cursor_returns_changed_issues_on_the_server_clock,
    test_pull_with_nothing_changed_is_not_modified_for_one_request,
    test_reassign_moves_the_assignee,
    test_server_errors_are_retried_then_succeed,
)

from tracker.backends.base import FetchKind, IssueChanges, IssueTracker, RateLimited
from tracker.backends.jira import JiraBackend
from tracker.backends.jira_http import JiraCredentials
from tracker.config import JiraTarget
from tracker.sandbox.jira import FakeJira, JiraUser
from tracker.statuses import Status

# The harness writes people as GitHub logins; on this fake they are also Cloud account ids and DC names.
USERS = [
    JiraUser("712020:bot-0001", "tracker-bot", "Tracker Bot", "bot@example.com"),
    JiraUser("alice", "alice", "Alice Liddell", "alice@example.com"),
    JiraUser("bob", "bob", "Bob Builder", "bob@example.com"),
]
CLOSE = {
    "completed": ("Done", "Done"),
    "not_planned": ("Cancelled", "Won't Do"),
    "duplicate": ("Done", "Duplicate"),
}


class JiraPerson:
    """Acts on the fake Jira as people do; `number` is the numeric issue id (RemoteRef.number)."""

    faults = True

    def __init__(self, fake: FakeJira) -> None:
        self.fake = fake
        self.person = fake.person("alice")

    def now(self) -> datetime:
        return self.fake.state.now()

    def advance(self, seconds: float) -> None:
        self.fake.advance(timedelta(seconds=seconds))

    def close(self, number: int, reason: str = "completed", *, bot: bool = False) -> None:
        status, resolution = CLOSE[reason]
        self.person.transition(number, status, resolution)

    def reopen(self, number: int) -> None:
        self.person.transition(number, "To Do")

    def reassign(self, number: int, login: str | None) -> None:
        self.person.reassign(number, login)

    def add_label(self, number: int, name: str) -> None:
        self.person.add_label(number, name)

    def labels(self, number: int) -> set[str]:
        return set(self.fake.issue(number).labels)

    def delete(self, number: int) -> None:
        self.person.delete(number)

    def transfer(self, number: int) -> None:
        self.person.move(number, "PLAT")

    def drop_next_create(self) -> None:
        self.fake.drop_response_after_bulk()

    def issue_count(self) -> int:
        return len(self.fake.issues())

    def fail_reads(self, times: int, status: int = 502) -> None:
        self.fake.fail_next("GET", "*/rest/api/*/issue/*", status, times=times)

    def exhaust_rate_limit(self, reset_in: float) -> datetime:
        self.fake.set_rate_limit(0, window=reset_in)
        return datetime.now(UTC) + timedelta(seconds=reset_in)


def jira_backend(fake: FakeJira, clock: FakeClock) -> JiraBackend:
    cloud = fake.flavor == "cloud"
    target = JiraTarget(
        name="jira", kind="jira", url=fake.url, project="OPS", flavor=fake.flavor,
        email_env="TRACKER_TEST_JIRA_EMAIL", token_env="TRACKER_TEST_JIRA_TOKEN", manage_workflow=True,
    )  # fmt: skip
    credentials = JiraCredentials(fake.api_token, fake.email) if cloud else JiraCredentials(fake.pat)
    backend = JiraBackend(target, credentials, sleep=clock.sleep)
    assert backend.preflight(None).ok
    return backend


@pytest.fixture(params=["jira-cloud", "jira-datacenter"])
def pair(request: pytest.FixtureRequest) -> Iterator[tuple[IssueTracker, Any]]:
    """(backend, person) for Jira, in place of the contract module's memory/GitHub fixture."""
    with FakeJira(request.param.removeprefix("jira-"), users=USERS, clock_skew=SKEW) as fake:
        backend = jira_backend(fake, FakeClock())
        assert isinstance(backend, IssueTracker)
        try:
            yield backend, JiraPerson(fake)
        finally:
            backend.close()


def test_update_touches_only_what_changed(pair: tuple[IssueTracker, Any]) -> None:
    backend, person = pair
    issue = created(backend, assignee="alice", due=date(2030, 5, 1))
    person.add_label(issue.ref.number, "customer-impact")
    before = backend.requests
    after = backend.update(issue.ref, IssueChanges(title="Page on queue depth over 1k"))
    cloud = person.fake.flavor == "cloud"
    assert backend.requests - before == (1 if cloud else 2)  # Data Center's PUT answers 204: read back
    assert after.title == "Page on queue depth over 1k"
    assert (after.assignee, after.due, after.status, after.marker) == ("alice", date(2030, 5, 1), Status.OPEN,
                                                                       issue.marker)  # fmt: skip
    assert person.labels(issue.ref.number) == {LABEL, "postmortem", "customer-impact"}
    before = backend.requests
    closed = backend.update(issue.ref, IssueChanges(status=Status.DONE))
    assert backend.requests - before == 1 + 3 * 2 + 1  # To Do -> In Progress -> In Review -> Done
    assert closed.status is Status.DONE and closed.title == "Page on queue depth over 1k"
    moved = backend.update(issue.ref, IssueChanges(due=(date(2030, 5, 1), date(2030, 7, 1))))
    assert moved.due == date(2030, 7, 1) and moved.marker == issue.marker


def test_close_and_reopen_map_to_our_statuses(pair: tuple[IssueTracker, Any]) -> None:
    backend, person = pair
    done, not_planned, duplicate, reopened = (created(backend) for _ in range(4))
    person.close(done.ref.number, "completed")
    person.close(not_planned.ref.number, "not_planned")
    person.close(duplicate.ref.number, "duplicate")
    person.close(reopened.ref.number, "completed")
    person.reopen(reopened.ref.number)
    pulled = {i.ref.remote_id: i for i in backend.pull(None, {}).issues}
    assert pulled[done.ref.remote_id].status is Status.DONE
    assert pulled[not_planned.ref.remote_id].status is Status.WONT_DO
    assert pulled[duplicate.ref.remote_id].status is Status.WONT_DO
    assert pulled[reopened.ref.remote_id].status is Status.OPEN
    assert (
        pulled[done.ref.remote_id].closed_at is not None and pulled[reopened.ref.remote_id].closed_at is None
    )
    # Who resolved an issue is only in its changelog (one more request per issue): not reported.
    assert pulled[done.ref.remote_id].closed_by is None and not pulled[done.ref.remote_id].closed_by_bot


def test_moved_issue_keeps_its_identity_with_a_new_key(pair: tuple[IssueTracker, Any]) -> None:
    backend, person = pair
    issue = created(backend)
    person.transfer(issue.ref.number)
    result = backend.fetch(fresh(issue.ref))
    assert result.kind is FetchKind.OK and result.issue is not None
    assert result.issue.ref.remote_id == issue.ref.remote_id and result.issue.ref.key == "PLAT-1"
    assert (result.issue.marker, result.issue.title) == (issue.marker, issue.title)


def test_rate_limit_stops_with_the_reset_time(pair: tuple[IssueTracker, Any]) -> None:
    backend, person = pair
    reset = person.exhaust_rate_limit(reset_in=900)
    before = backend.requests
    with pytest.raises(RateLimited) as caught:
        backend.pull(None, {})
    assert caught.value.reset_at is not None and abs(caught.value.reset_at - reset) < timedelta(seconds=5)
    assert caught.value.hint and "resets at" in caught.value.hint
    assert backend.requests - before == 1


def test_the_harness_draft_is_what_the_shared_tests_create(pair: tuple[IssueTracker, Any]) -> None:
    backend, _ = pair
    [outcome] = backend.create([draft()])
    assert outcome.issue is not None and outcome.issue.ref.number == int(outcome.issue.ref.remote_id)


def test_read_named_reads_keys_in_bulk_and_keeps_gone_and_moved(pair: tuple[IssueTracker, Any]) -> None:
    """Jira's counterpart of test_read_named_reads_in_pages_...: keys and browse URLs, one JQL search
    per 100 keys; a missing key (Jira's 400 names it) is GONE; a moved issue keeps its id, new key."""
    backend, person = pair
    issues = [created(backend, title=f"Named by a document {n}") for n in range(12)]
    keys = [str(issue.ref.key) for issue in issues]
    url = f"{person.fake.url}/browse/{keys[0]}"
    before = backend.requests
    plain = backend.read_named(
        [*keys[:10], "not an issue", "PLAT-1", "https://elsewhere.example/browse/OPS-1", url]
    )
    assert backend.requests - before == 1  # one search, not ten GETs
    assert plain["not an issue"] is None and plain["PLAT-1"] is None
    assert plain["https://elsewhere.example/browse/OPS-1"] is None
    results = [plain[k] for k in keys[:10]]
    assert [r.issue.ref.remote_id if r and r.issue else None for r in results] == [
        i.ref.remote_id for i in issues[:10]
    ]
    assert all(r is not None and r.kind is FetchKind.OK for r in results)
    assert plain[url] == results[0] and results[0] is not None and results[0].issue is not None
    assert results[0].issue.marker == issues[0].marker
    person.close(issues[1].ref.number, "completed")
    person.delete(issues[2].ref.number)
    person.transfer(issues[3].ref.number)
    before = backend.requests
    found = backend.read_named([*keys, "OPS-999"])
    # A 400 naming the deleted key and OPS-999, the search again, one GET for the moved issue.
    assert backend.requests - before == 3
    closed = found[keys[1]]
    assert closed is not None and closed.issue is not None and closed.issue.status is Status.DONE
    for key in (keys[2], "OPS-999"):
        gone = found[key]
        assert gone is not None and gone.kind is FetchKind.GONE and gone.issue is None
    moved = found[keys[3]]
    assert moved is not None and moved.kind is FetchKind.OK and moved.issue is not None
    assert moved.issue.ref.remote_id == issues[3].ref.remote_id and moved.issue.ref.key == "PLAT-1"
    assert moved == backend.fetch(fresh(issues[3].ref))  # what a single fetch says


def test_read_named_pages_keys_by_100(pair: tuple[IssueTracker, Any]) -> None:
    backend, person = pair
    keys = [person.fake.seed_issue(summary=f"Filed by hand {n}").key for n in range(150)]
    before = backend.requests
    found = backend.read_named([*keys, "OPS-9999"])
    assert backend.requests - before == math.ceil(150 / 100) + 1  # + the 400 naming OPS-9999
    assert all(found[k] is not None and found[k].kind is FetchKind.OK for k in keys)  # type: ignore[union-attr]
    assert found["OPS-9999"] is not None and found["OPS-9999"].kind is FetchKind.GONE
