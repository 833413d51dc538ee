"""The IssueTracker contract, run against every backend: the memory double and GitHub (on the fake)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from backend_harness import LABEL, GitHubPerson, MemoryPerson, draft, github_pair, memory_backend

from tracker.backends.base import (
    FetchKind,
    IssueChanges,
    IssueTracker,
    RateLimited,
    RemoteIssue,
    RemoteRef,
)
from tracker.statuses import Status

Person = MemoryPerson | GitHubPerson


@pytest.fixture(params=["memory", "github"])
def pair(request: pytest.FixtureRequest) -> Iterator[tuple[IssueTracker, Any]]:
    """(backend, person): the backend under test and someone acting directly on its remote."""
    factory = {"memory": memory_backend, "github": github_pair}[request.param]
    with factory() as (backend, person):
        assert isinstance(backend, IssueTracker)
        yield backend, person


def created(backend: IssueTracker, **kwargs: Any) -> RemoteIssue:
    [outcome] = backend.create([draft(**kwargs)])
    assert outcome.issue is not None, outcome.error
    return outcome.issue


def fresh(ref: RemoteRef) -> RemoteRef:
    """The ref without its ETag: an unconditional fetch."""
    return replace(ref, etag=None)


def test_create_then_fetch_round_trips(pair: tuple[IssueTracker, Any]) -> None:
    backend, _ = pair
    d = draft("Page on replication lag", assignee="alice", due=date(2030, 6, 30))
    [outcome] = backend.create([d])
    assert outcome.issue is not None and not outcome.warnings and not outcome.uncertain
    result = backend.fetch(fresh(outcome.issue.ref))
    assert result.kind is FetchKind.OK and result.issue is not None
    issue = result.issue
    assert (issue.marker, issue.title, issue.assignee, issue.due, issue.status) == (
        d.marker,
        "Page on replication lag",
        "alice",
        date(2030, 6, 30),
        Status.OPEN,
    )
    assert issue.ref.remote_id == outcome.issue.ref.remote_id
    assert LABEL in issue.labels and "postmortem" in issue.labels and issue.has_tracker_label


def test_conditional_fetch_is_not_modified_until_someone_changes_it(pair: tuple[IssueTracker, Any]) -> None:
    backend, person = pair
    issue = created(backend)
    first = backend.fetch(fresh(issue.ref))
    assert first.kind is FetchKind.OK and first.etag
    conditional = replace(issue.ref, etag=first.etag)
    before = backend.requests
    assert backend.fetch(conditional).kind is FetchKind.NOT_MODIFIED
    assert backend.requests - before == 1
    person.advance(2)
    person.reassign(issue.ref.number, "bob")
    changed = backend.fetch(conditional)
    assert changed.kind is FetchKind.OK and changed.issue is not None and changed.issue.assignee == "bob"
    assert changed.etag != first.etag


def test_pull_since_cursor_returns_changed_issues_on_the_server_clock(pair: tuple[IssueTracker, Any]) -> None:
    backend, person = pair
    first, second = created(backend), created(backend)
    person.advance(10)
    state: dict[str, Any] = {}
    everything = backend.pull(None, state)
    assert {i.ref.remote_id for i in everything.issues} == {first.ref.remote_id, second.ref.remote_id}
    cursor = everything.server_time
    assert cursor is not None
    # The cursor is the remote's clock (skewed 3 h ahead), not ours.
    assert abs(cursor - person.now()) < timedelta(seconds=5)
    assert cursor - datetime.now(UTC) > timedelta(hours=2)
    person.advance(5)
    person.close(first.ref.number)
    changed = backend.pull(cursor, state)
    assert [i.ref.remote_id for i in changed.issues] == [first.ref.remote_id]
    assert changed.issues[0].status is Status.DONE and not changed.not_modified
    assert changed.server_time is not None and changed.server_time >= cursor


def test_pull_with_nothing_changed_is_not_modified_for_one_request(pair: tuple[IssueTracker, Any]) -> None:
    backend, person = pair
    created(backend)
    person.advance(5)
    state: dict[str, Any] = {}
    cursor = backend.pull(None, state).server_time
    person.advance(5)
    assert backend.pull(cursor, state).not_modified
    before = backend.requests
    again = backend.pull(cursor, state)
    assert again.not_modified and again.issues == []
    assert backend.requests - before == 1


def test_update_touches_only_what_changed(pair: tuple[IssueTracker, Any]) -> None:
    backend, person = pair
    issue = created(backend, assignee="alice", due=date(2030, 5, 1))
    person.add_label(issue.ref.number, "customer-impact")  # a person's label
    before = backend.requests
    after = backend.update(issue.ref, IssueChanges(title="Page on queue depth over 1k"))
    assert backend.requests - before == 1
    assert after.title == "Page on queue depth over 1k"
    assert (after.assignee, after.due, after.status, after.marker) == (
        "alice",
        date(2030, 5, 1),
        Status.OPEN,
        issue.marker,
    )
    assert person.labels(issue.ref.number) == {LABEL, "postmortem", "customer-impact"}
    before = backend.requests
    closed = backend.update(issue.ref, IssueChanges(status=Status.DONE))
    assert backend.requests - before == 1
    assert closed.status is Status.DONE and closed.title == "Page on queue depth over 1k"
    moved = backend.update(issue.ref, IssueChanges(due=(date(2030, 5, 1), date(2030, 7, 1))))
    assert moved.due == date(2030, 7, 1) and moved.marker == issue.marker


def test_reassign_moves_the_assignee(pair: tuple[IssueTracker, Any]) -> None:
    backend, _ = pair
    issue = created(backend, assignee="alice")
    after = backend.update(issue.ref, IssueChanges(assignee=("alice", "bob")))
    assert after.assignee == "bob"
    assert backend.fetch(fresh(issue.ref)).issue.assignee == "bob"  # type: ignore[union-attr]


def test_close_and_reopen_map_to_our_statuses(pair: tuple[IssueTracker, Any]) -> None:
    backend, person = pair
    done, not_planned, duplicate, by_bot, reopened = (created(backend) for _ in range(5))
    person.close(done.ref.number, "completed")
    person.close(not_planned.ref.number, "not_planned")
    person.close(duplicate.ref.number, "duplicate")
    person.close(by_bot.ref.number, "not_planned", bot=True)
    person.close(reopened.ref.number, "completed")
    person.reopen(reopened.ref.number)
    pulled = {i.ref.remote_id: i for i in backend.pull(None, {}).issues}
    assert pulled[done.ref.remote_id].status is Status.DONE
    assert pulled[not_planned.ref.remote_id].status is Status.WONT_DO
    assert pulled[duplicate.ref.remote_id].status is Status.WONT_DO
    assert pulled[reopened.ref.remote_id].status is Status.OPEN
    bot = pulled[by_bot.ref.remote_id]
    assert bot.status is Status.WONT_DO and bot.closed_by_bot and bot.closed_by
    assert not pulled[done.ref.remote_id].closed_by_bot and pulled[done.ref.remote_id].closed_at is not None
    fetched = backend.fetch(fresh(by_bot.ref)).issue
    assert fetched is not None and fetched.closed_by_bot


def test_our_own_status_writes_map_back(pair: tuple[IssueTracker, Any]) -> None:
    backend, _ = pair
    issue = created(backend)
    assert backend.update(issue.ref, IssueChanges(status=Status.WONT_DO)).status is Status.WONT_DO
    assert backend.update(issue.ref, IssueChanges(status=Status.OPEN)).status is Status.OPEN
    assert backend.update(issue.ref, IssueChanges(status=Status.DONE)).status is Status.DONE


def test_find_markers_finds_an_issue_whose_create_answer_was_lost(pair: tuple[IssueTracker, Any]) -> None:
    backend, person = pair
    created(backend)  # another tracker issue, which must not confuse the lookup
    person.drop_next_create()
    lost = draft("Rotate the on-call key")
    [outcome] = backend.create([lost])
    assert outcome.uncertain and outcome.issue is None and outcome.error
    found = backend.find_markers({lost.marker, "tracker-ffffffffffffffff"}, None)
    assert set(found) == {lost.marker}
    assert found[lost.marker].title == "Rotate the on-call key"
    assert person.issue_count() == 2  # and nothing was created twice


def test_has_tracker_issues(pair: tuple[IssueTracker, Any]) -> None:
    backend, _ = pair
    assert backend.has_tracker_issues() is False
    created(backend)
    assert backend.has_tracker_issues() is True
    assert [i.marker is not None for i in backend.list_tracker_issues()] == [True]


def test_deleted_issue_is_gone(pair: tuple[IssueTracker, Any]) -> None:
    backend, person = pair
    issue = created(backend)
    person.delete(issue.ref.number)
    assert backend.fetch(fresh(issue.ref)).kind is FetchKind.GONE


def test_transferred_issue_is_moved_with_its_new_identity(pair: tuple[IssueTracker, Any]) -> None:
    backend, person = pair
    issue = created(backend)
    person.transfer(issue.ref.number)
    result = backend.fetch(fresh(issue.ref))
    assert result.kind is FetchKind.MOVED and result.issue is not None
    assert result.issue.ref.remote_id != issue.ref.remote_id
    assert (result.issue.marker, result.issue.title) == (issue.marker, issue.title)
    again = backend.fetch(fresh(result.issue.ref))
    assert again.kind is FetchKind.OK


def test_labels_are_added_and_removed_without_clobbering_a_persons(pair: tuple[IssueTracker, Any]) -> None:
    backend, person = pair
    issue = created(backend, labels=("postmortem", "lint:vague"))
    person.add_label(issue.ref.number, "customer-impact")
    after = backend.update(
        issue.ref, IssueChanges(add_labels=("lint:no-owner",), remove_labels=("lint:vague",))
    )
    expected = {LABEL, "postmortem", "lint:no-owner", "customer-impact"}
    assert set(after.labels) == expected
    assert person.labels(issue.ref.number) == expected


def test_non_assignable_owner_warns_and_the_issue_still_exists(pair: tuple[IssueTracker, Any]) -> None:
    backend, person = pair
    [outcome] = backend.create([draft(assignee="ghost")])
    assert outcome.issue is not None and outcome.issue.assignee is None
    assert outcome.warnings and "ghost" in outcome.warnings[0]
    assert person.issue_count() == 1


def test_server_errors_are_retried_then_succeed(pair: tuple[IssueTracker, Any]) -> None:
    backend, person = pair
    if not person.faults:
        pytest.skip("the memory backend has no transport to fail")
    issue = created(backend)
    person.fail_reads(2)
    before = backend.requests
    assert backend.fetch(fresh(issue.ref)).kind is FetchKind.OK
    assert backend.requests - before == 3


def test_rate_limit_stops_with_the_reset_time(pair: tuple[IssueTracker, Any]) -> None:
    backend, person = pair
    if not person.faults:
        pytest.skip("the memory backend has no rate limit")
    reset = person.exhaust_rate_limit(reset_in=900)
    before = backend.requests
    with pytest.raises(RateLimited) as caught:
        backend.pull(None, {})
    assert caught.value.reset_at == reset
    assert caught.value.hint and "resets at" in caught.value.hint
    assert backend.requests - before == 1


def test_read_named_reads_in_pages_and_keeps_bot_closes_gone_and_moved(
    pair: tuple[IssueTracker, Any],
) -> None:
    """Issue 15 point 1: the issues documents name, read in bulk, with what a single fetch would say."""
    backend, person = pair
    issues = [created(backend, title=f"Named by a document {n}") for n in range(12)]
    numbers = [issue.ref.number for issue in issues]
    before = backend.requests
    plain = backend.read_named([f"#{n}" for n in numbers[:10]] + ["not an issue"])
    assert backend.requests - before <= 2  # one listing page (not ten GETs)
    assert plain["not an issue"] is None
    assert all(plain[f"#{n}"].kind is FetchKind.OK for n in numbers[:10])  # type: ignore[union-attr]
    assert (
        [plain[f"#{n}"].issue.ref.remote_id for n in numbers[:10]]
        == [  # type: ignore[union-attr]
            i.ref.remote_id for i in issues[:10]
        ]
    )
    person.close(numbers[0], "not_planned", bot=True)
    person.close(numbers[1], "completed")
    person.delete(numbers[2])
    person.transfer(numbers[3])
    found = backend.read_named([f"#{n}" for n in numbers])
    bot, human = found[f"#{numbers[0]}"], found[f"#{numbers[1]}"]
    assert bot is not None and bot.issue is not None and bot.issue.closed_by_bot
    assert bot.issue.status is Status.WONT_DO
    assert human is not None and human.issue is not None and not human.issue.closed_by_bot
    assert human.issue.closed_by is not None and human.issue.status is Status.DONE
    gone = found[f"#{numbers[2]}"]
    assert gone is not None and gone.kind is FetchKind.GONE and gone.issue is None
    moved = found[f"#{numbers[3]}"]
    assert moved is not None and moved.kind is FetchKind.MOVED and moved.issue is not None
    assert moved.issue.ref.remote_id != issues[3].ref.remote_id
