"""GitHub backend specifics on the fake: request counts, conditional requests, paging, no POST retry, secrets."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from backend_harness import (
    LABEL,
    OTHER,
    REPO,
    TOKEN,
    TOKEN_ENV,
    FakeClock,
    draft,
    fake_github,
    github_backend,
)

from tracker.backends import open_backend
from tracker.backends.base import (
    FetchKind,
    IssueChanges,
    PermanentError,
    RateLimited,
    RemoteRef,
    TransientError,
)
from tracker.backends.github import GitHubBackend
from tracker.backends.pacing import CreateBudget, shared_budget
from tracker.config import config_from_text
from tracker.errors import ConfigError
from tracker.sandbox.github import FakeGitHub
from tracker.statuses import Status


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    with fake_github() as fake:
        yield fake


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def backend(gh: FakeGitHub, clock: FakeClock) -> Iterator[GitHubBackend]:
    b = github_backend(gh, clock)
    yield b
    b.close()


def seed(gh: FakeGitHub, count: int, *, repo: str = REPO) -> None:
    """Tracker issues made directly in the fake (no API calls, no rate limits)."""
    for n in range(count):
        gh.create_issue(repo, f"item {n}", f"```tracker\nMarker: tracker-{n:016x}\n```\n", labels=[LABEL])


def log(gh: FakeGitHub) -> list[tuple[str, str, int]]:
    return [(r.method, r.path, r.status) for r in gh.requests]


# Request counts -------------------------------------------------------------------------------------
def test_request_count_equals_what_the_fake_logged(gh: FakeGitHub, backend: GitHubBackend) -> None:
    backend.preflight(None)
    [outcome] = backend.create([draft()])
    assert outcome.issue is not None
    gh.fail_next("PATCH", f"/repos/{REPO}/issues/*", status=503)
    backend.update(outcome.issue.ref, IssueChanges(title="new", status=Status.DONE))
    backend.pull(None, {})
    gh.drop_next("GET", f"/repos/{REPO}/issues/*")
    backend.fetch(outcome.issue.ref)
    assert backend.requests == gh.count() == len(gh.requests)


def test_preflight_creates_missing_labels_and_a_valid_cache_costs_nothing(
    gh: FakeGitHub, clock: FakeClock
) -> None:
    backend = github_backend(gh, clock, labels=("postmortem", "sre"))
    report = backend.preflight(None)
    assert report.ok and report.can_write and not report.problems
    assert report.cache["repo_id"] == gh.repo_id(REPO) and report.cache["private"] is True
    assert log(gh) == [
        ("GET", f"/repos/{REPO}", 200),
        ("GET", f"/repos/{REPO}/labels", 200),
        ("POST", f"/repos/{REPO}/labels", 201),
        ("POST", f"/repos/{REPO}/labels", 201),
        ("POST", f"/repos/{REPO}/labels", 201),
    ]
    second = github_backend(gh, clock, labels=("postmortem", "sre"))
    assert second.preflight(report.cache).ok
    assert second.requests == 0
    # Once the labels exist, a fresh pre-flight is two reads.
    third = github_backend(gh, clock, labels=("postmortem", "sre"))
    third.preflight(None)
    assert third.requests == 2
    # A cache for another configuration is not trusted.
    other = github_backend(gh, clock, labels=("postmortem", "sre", "new"))
    other.preflight(report.cache)
    assert other.requests == 3


def test_preflight_with_a_read_only_token_warns_and_writes_nothing(gh: FakeGitHub, clock: FakeClock) -> None:
    gh.add_token("read-only-token", "reader", push=False)
    gh.set_permission(REPO, "reader", "read")
    backend = github_backend(gh, clock, token="read-only-token")
    report = backend.preflight(None)
    assert report.ok and not report.can_write
    assert any("no push access" in w for w in report.warnings)
    assert any("cannot create" in w and LABEL in w for w in report.warnings)
    assert gh.count("POST") == 0


def test_preflight_problems_for_a_missing_repository(gh: FakeGitHub, clock: FakeClock) -> None:
    report = github_backend(gh, clock, repo="octo-org/nope").preflight(None)
    assert not report.ok and "octo-org/nope" in report.problems[0] and not report.cache


def test_public_repository_is_reported(gh: FakeGitHub, clock: FakeClock) -> None:
    gh.add_repo("octo-org/public")
    report = github_backend(gh, clock, repo="octo-org/public").preflight(None)
    assert any("is public" in w for w in report.warnings) and report.cache["private"] is False


# Pull: conditional requests, Link following, `since` -----------------------------------------------
def test_idle_pull_is_one_304(gh: FakeGitHub, backend: GitHubBackend) -> None:
    seed(gh, 3)
    state: dict[str, Any] = {}
    assert len(backend.pull(None, state).issues) == 3
    gh.reset_log()
    result = backend.pull(None, state)
    assert result.not_modified and backend.requests == 2
    [record] = gh.requests
    assert (
        record.status == 304 and record.headers["if-none-match"] == state["etags"][next(iter(state["etags"]))]
    )
    # Another issue's churn outside the tracker label does not break the 304.
    gh.create_issue(REPO, "unrelated", "no block")
    assert backend.pull(None, state).not_modified


def test_pull_follows_links_across_pages(gh: FakeGitHub, backend: GitHubBackend) -> None:
    seed(gh, 250)
    gh.create_issue(REPO, "not ours", "no label")
    result = backend.pull(None, {})
    assert len(result.issues) == 250 and len({i.ref.remote_id for i in result.issues}) == 250
    assert [i.title for i in result.issues][:2] == ["item 249", "item 248"]  # newest update first
    pages = gh.requests
    assert [r.query.get("page") for r in pages] == [None, "2", "3"]
    assert all(r.query["per_page"] == "100" and r.query["labels"] == LABEL for r in pages)
    assert {(r.query["state"], r.query["sort"], r.query["direction"]) for r in pages} == {
        ("all", "updated", "desc")  # page 1's ETag then changes with any change in the window
    }
    assert backend.requests == 3


def test_failed_page_raises_and_keeps_the_state(gh: FakeGitHub, backend: GitHubBackend) -> None:
    seed(gh, 150)
    state: dict[str, Any] = {"etags": {"older": '"x"'}}
    gh.fail_next("GET", f"/repos/{REPO}/issues", status=500, times=4)
    with pytest.raises(TransientError):
        backend.pull(None, state)
    assert state == {"etags": {"older": '"x"'}} and backend.requests == 4  # one request and three retries
    # The first page answers, the second hits the rate limit: nothing of the first page is kept.
    gh.set_rate_limit(remaining=1, reset_in=600)
    with pytest.raises(RateLimited):
        backend.pull(None, state)
    assert [r.query.get("page") for r in gh.requests[-2:]] == [None, "2"]
    assert state == {"etags": {"older": '"x"'}}


@pytest.mark.parametrize(
    "since",
    [
        datetime(2030, 1, 2, 5, 4, 3, 999999, tzinfo=timezone(timedelta(hours=2))),
        datetime(2030, 1, 2, 3, 4, 3, tzinfo=UTC),
        datetime(2030, 1, 2, 3, 4, 3),  # naive: taken as UTC
    ],
)
def test_since_is_sent_in_utc(gh: FakeGitHub, backend: GitHubBackend, since: datetime) -> None:
    backend.pull(since, {})
    backend.find_markers({"tracker-0000000000000001"}, since)
    assert [r.query["since"] for r in gh.requests] == ["2030-01-02T03:04:03Z"] * 2


def test_server_time_comes_from_the_skewed_server_clock(gh: FakeGitHub, backend: GitHubBackend) -> None:
    gh.clock_skew = timedelta(days=-2)
    result = backend.pull(None, {})
    assert result.server_time is not None
    assert abs(result.server_time - gh.now()) < timedelta(seconds=3)
    assert datetime.now(UTC) - result.server_time > timedelta(days=1)


def test_pull_without_the_label_filter_for_read_only_targets(gh: FakeGitHub, backend: GitHubBackend) -> None:
    seed(gh, 1)
    gh.create_issue(REPO, "named by a document", "no label")
    issues = backend.pull(None, {"label_filter": False}).issues
    assert "labels" not in gh.requests[0].query
    assert sorted(i.has_tracker_label for i in issues) == [False, True]


# Fetch -----------------------------------------------------------------------------------------------
def test_fetch_costs(gh: FakeGitHub, backend: GitHubBackend) -> None:
    seed(gh, 2)
    ref = backend.parse_ref("#1")
    assert ref is not None and backend.requests == 1
    first = backend.fetch(ref)
    assert first.kind is FetchKind.OK and gh.requests[-1].status == 200
    assert backend.fetch(replace(ref, etag=first.etag)).kind is FetchKind.NOT_MODIFIED
    assert gh.requests[-1].status == 304 and gh.requests[-1].headers["if-none-match"] == first.etag
    gh.delete_issue(REPO, 2)
    gone = backend.parse_ref(f"{REPO}#2")
    assert gone is None and gh.requests[-1].status == 410
    assert backend.requests == gh.count() == 4


def test_transfer_is_followed_to_the_new_repository(gh: FakeGitHub, backend: GitHubBackend) -> None:
    [outcome] = backend.create([draft()])
    assert outcome.issue is not None
    new_number = gh.transfer_issue(REPO, outcome.issue.ref.number or 0, OTHER)
    gh.reset_log()
    result = backend.fetch(outcome.issue.ref)
    assert result.kind is FetchKind.MOVED and result.issue is not None
    assert result.issue.ref.key == f"{OTHER}#{new_number}" and result.issue.repo_id == gh.repo_id(OTHER)
    assert [(m, s) for m, _, s in log(gh)] == [("GET", 301), ("GET", 200), ("GET", 200)]
    # The new ref works in the other repository, and updates go there.
    assert backend.fetch(replace(result.issue.ref, etag=None)).kind is FetchKind.OK
    assert backend.fetch(result.issue.ref).kind is FetchKind.NOT_MODIFIED
    backend.update(result.issue.ref, IssueChanges(title="moved"))
    assert gh.issue(OTHER, new_number).title == "moved"


def test_parse_ref_forms(gh: FakeGitHub, backend: GitHubBackend) -> None:
    seed(gh, 1)
    seed(gh, 1, repo=OTHER)
    html = gh.issue_json(REPO, 1)["html_url"]
    for text in (html, f"{REPO}#1", "#1", f"{gh.api_url}/repos/{REPO}/issues/1"):
        ref = backend.parse_ref(text)
        assert ref is not None and ref.number == 1 and ref.key == f"{REPO}#1", text
        assert ref.remote_id == str(gh.issue(REPO, 1).id)
    assert backend.parse_ref(f"{OTHER}#1").key == f"{OTHER}#1"  # type: ignore[union-attr]
    before = backend.requests
    assert backend.parse_ref("https://elsewhere.example/o/r/issues/1") is None
    assert backend.parse_ref("OPS-12") is None and backend.parse_ref("#999") is None
    assert backend.requests - before == 1  # only #999 reached the server


# Create --------------------------------------------------------------------------------------------------
def test_create_sends_assignees_never_assignee(gh: FakeGitHub, backend: GitHubBackend) -> None:
    d = draft(assignee="bob", labels=("postmortem", "severity:sev1"))
    [outcome] = backend.create([d])
    [post] = gh.requests
    assert post.method == "POST" and set(post.body) == {"title", "body", "assignees", "labels"}
    assert post.body["assignees"] == ["bob"] and post.body["labels"] == [LABEL, "postmortem", "severity:sev1"]
    assert post.body["body"].startswith("From the postmortem.") and f"Marker: {d.marker}" in post.body["body"]
    assert outcome.issue is not None and outcome.issue.repo_id is None and backend.requests == 1


def test_dropped_create_answer_is_uncertain_and_never_resent(gh: FakeGitHub, backend: GitHubBackend) -> None:
    gh.drop_response_after_create(f"/repos/{REPO}/issues")
    [outcome] = backend.create([draft()])
    assert outcome.uncertain and outcome.issue is None
    assert gh.count("POST", f"/repos/{REPO}/issues") == 1 and len(gh.issues(REPO)) == 1
    gh.fail_next("POST", f"/repos/{REPO}/issues", status=502, apply=True)
    [outcome] = backend.create([draft()])
    assert outcome.uncertain and gh.count("POST", f"/repos/{REPO}/issues") == 2 and len(gh.issues(REPO)) == 2


def test_non_assignable_owner_is_retried_once_without_assignee(
    gh: FakeGitHub, backend: GitHubBackend
) -> None:
    [outcome] = backend.create([draft(assignee="ghost")])
    assert outcome.issue is not None and outcome.issue.assignee is None
    [warning] = outcome.warnings
    assert "ghost" in warning and "Validation Failed" in warning and "assignees invalid" in warning
    posts = [r for r in gh.requests if r.method == "POST"]
    assert [r.status for r in posts] == [422, 201] and "assignees" not in posts[1].body


def test_read_only_token_create_reads_back_dropped_fields(gh: FakeGitHub, clock: FakeClock) -> None:
    gh.add_token("ro", "reader", push=False)
    gh.set_permission(REPO, "reader", "read")
    backend = github_backend(gh, clock, token="ro")
    backend.preflight(None)
    [outcome] = backend.create([draft(assignee="alice")])
    assert outcome.issue is not None and outcome.issue.assignee is None
    assert len(outcome.warnings) == 2 and all("no push access" in w for w in outcome.warnings)
    assert "alice" in outcome.warnings[0] and LABEL in outcome.warnings[1]


def test_creates_are_paced_by_the_credential_budget(gh: FakeGitHub, clock: FakeClock) -> None:
    budget = CreateBudget(2, 400, min_interval=0, clock=clock.now, sleep=clock.sleep)
    backend = GitHubBackend(
        replace(github_backend(gh, clock).target), TOKEN, budget=budget, sleep=clock.sleep
    )
    for _ in range(3):
        [outcome] = backend.create([draft()])
        assert outcome.issue is not None
    assert clock.slept == [60.0] and budget.spent == 3


def test_secondary_limit_waits_once_then_stops(
    gh: FakeGitHub, backend: GitHubBackend, clock: FakeClock
) -> None:
    gh.secondary_limit_next("POST", f"/repos/{REPO}/issues", retry_after=7)
    [outcome] = backend.create([draft()])
    assert outcome.issue is not None and 7.0 in clock.slept
    assert [r.status for r in gh.requests] == [403, 201]
    gh.secondary_limit_next("POST", f"/repos/{REPO}/issues", retry_after=5, times=2)
    with pytest.raises(RateLimited) as caught:
        backend.create([draft()])
    assert caught.value.reset_at is not None
    assert len(gh.issues(REPO)) == 1


def test_primary_limit_on_403_and_429(clock: FakeClock) -> None:
    for status in (403, 429):
        with fake_github(primary_limit_status=status) as gh:
            backend = github_backend(gh, clock)
            bucket = gh.exhaust_rate_limit(reset_in=3600)
            with pytest.raises(RateLimited) as caught:
                backend.fetch(RemoteRef("1", f"{REPO}#1", 1))
            assert caught.value.reset_at == datetime.fromtimestamp(bucket.reset, UTC)
            assert backend.requests == 1 and clock.slept == []


# Update ----------------------------------------------------------------------------------------------
def test_update_requests_and_the_persons_text_survives(gh: FakeGitHub, backend: GitHubBackend) -> None:
    [outcome] = backend.create([draft(assignee="alice", due=date(2030, 5, 1))])
    assert outcome.issue is not None
    ref, number = outcome.issue.ref, outcome.issue.ref.number or 0
    body = gh.issue(REPO, number).body or ""
    gh.edit_issue(REPO, number, body="Human notes above.\n\n" + body + "\nDeadline: not ours\nMore notes.")
    gh.reset_log()
    after = backend.update(ref, IssueChanges(due=(date(2030, 5, 1), date(2030, 8, 1)), status=Status.WONT_DO))
    assert [(m, s) for m, _, s in log(gh)] == [("GET", 200), ("PATCH", 200)]
    assert gh.requests[1].body["state"] == "closed" and gh.requests[1].body["state_reason"] == "not_planned"
    new_body = gh.issue(REPO, number).body or ""
    assert new_body.startswith("Human notes above.") and new_body.endswith(
        "\nDeadline: not ours\nMore notes."
    )
    assert (
        "Deadline: 2030-08-01" in new_body
        and after.due == date(2030, 8, 1)
        and after.status is Status.WONT_DO
    )
    gh.reset_log()
    backend.update(
        ref, IssueChanges(assignee=("alice", "bob"), add_labels=("a", "b"), remove_labels=("postmortem",))
    )
    assert [(m, p.rsplit("/", 2)[-1]) for m, p, _ in log(gh)] == [
        ("POST", "labels"),
        ("DELETE", "postmortem"),
        ("POST", "assignees"),
        ("DELETE", "assignees"),
    ]
    gh.reset_log()
    backend.update(ref, IssueChanges(add_labels=("c",)))
    assert [m for m, _, _ in log(gh)] == ["POST", "GET"]  # labels answer no issue: one read at the end
    gh.reset_log()
    backend.update(ref, IssueChanges(assignee=("bob", "bob")))
    assert [m for m, _, _ in log(gh)] == ["GET"]


def test_a_human_owner_stays_when_the_new_one_cannot_be_assigned(
    gh: FakeGitHub, backend: GitHubBackend
) -> None:
    [outcome] = backend.create([draft(assignee="alice")])
    assert outcome.issue is not None
    after = backend.update(outcome.issue.ref, IssueChanges(assignee=("alice", "ghost")))
    assert after.assignee == "alice" and gh.count("DELETE") == 0


def test_patch_is_retried_on_5xx_but_comments_are_not(
    gh: FakeGitHub, backend: GitHubBackend, clock: FakeClock
) -> None:
    [outcome] = backend.create([draft()])
    assert outcome.issue is not None
    gh.fail_next("PATCH", f"/repos/{REPO}/issues/*", status=502, times=2)
    assert backend.update(outcome.issue.ref, IssueChanges(title="t2")).title == "t2"
    assert gh.count("PATCH") == 3 and clock.slept == [0.5, 1.0]
    gh.fail_next("POST", f"/repos/{REPO}/issues/*/comments", status=502)
    with pytest.raises(TransientError):
        backend.comment(outcome.issue.ref, "hello")
    assert gh.count("POST", f"/repos/{REPO}/issues/1/comments") == 1
    url = backend.comment(outcome.issue.ref, "hello")
    assert (
        url.startswith(f"{gh.url}/{REPO}/issues/1")
        and gh.count("POST", f"/repos/{REPO}/issues/1/comments", 201) == 1
    )


def test_validation_errors_carry_githubs_field_errors(gh: FakeGitHub, backend: GitHubBackend) -> None:
    [outcome] = backend.create([draft()])
    assert outcome.issue is not None
    with pytest.raises(PermanentError) as caught:
        backend.update(outcome.issue.ref, IssueChanges(title=""))
    assert "422" in caught.value.message and "title missing_field" in caught.value.message


def test_add_tracker_label(gh: FakeGitHub, clock: FakeClock, backend: GitHubBackend) -> None:
    number = gh.create_issue(REPO, "named by a postmortem", "text")
    ref = backend.parse_ref(f"#{number}")
    assert ref is not None and backend.add_tracker_label(ref) is True
    assert LABEL in {lab["name"] for lab in gh.issue_json(REPO, number)["labels"]}
    gh.add_token("ro", "reader", push=False)
    gh.set_permission(REPO, "reader", "read")
    other = gh.create_issue(REPO, "another", "text")
    reader = github_backend(gh, clock, token="ro")
    assert reader.add_tracker_label(replace(ref, number=other, key=f"{REPO}#{other}")) is False


def test_find_markers_scans_one_listing_never_search(gh: FakeGitHub, backend: GitHubBackend) -> None:
    seed(gh, 120)
    found = backend.find_markers({f"tracker-{119:016x}", f"tracker-{5:016x}"}, None)
    assert set(found) == {f"tracker-{119:016x}", f"tracker-{5:016x}"}
    assert gh.count("GET", "/search") == 0 and backend.requests == 2
    assert gh.requests[0].query["sort"] == "created" and gh.requests[0].query["direction"] == "desc"
    gh.reset_log()
    backend.find_markers({f"tracker-{119:016x}"}, None)
    assert len(gh.requests) == 1  # stops at the page that had it
    assert backend.has_tracker_issues() and gh.requests[-1].query["per_page"] == "1"
    assert len(backend.list_tracker_issues()) == 120


def test_concurrent_callers_are_all_counted(gh: FakeGitHub, backend: GitHubBackend) -> None:
    seed(gh, 4)
    refs = [backend.parse_ref(f"#{n}") for n in range(1, 5)]
    errors: list[BaseException] = []

    def work(ref: RemoteRef | None) -> None:
        try:
            for _ in range(5):
                assert ref is not None and backend.fetch(ref).issue is not None
        except BaseException as exc:  # reported below: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(ref,)) for ref in refs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and backend.requests == gh.count() == 24


# Secrets -----------------------------------------------------------------------------------------------
def test_the_token_never_reaches_a_message(clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with fake_github(strict_auth=True) as gh:
        backend = github_backend(gh, clock)
        report = backend.preflight(None)
        assert not report.ok and f"${TOKEN_ENV}" in report.problems[0]
        texts = list(report.problems)
        for call in (lambda: backend.pull(None, {}), lambda: backend.fetch(RemoteRef("1", f"{REPO}#1", 1))):
            with pytest.raises(PermanentError) as caught:
                call()
            assert caught.value.hint and TOKEN_ENV in caught.value.hint
            texts += [str(caught.value), repr(caught.value), caught.value.hint]
        [outcome] = backend.create([draft()])
        texts.append(outcome.error or "")
        gh.drop_next("GET", "*", times=4)
        with pytest.raises(TransientError) as dropped:
            backend.fetch(RemoteRef("1", f"{REPO}#1", 1))
        texts += [str(dropped.value), repr(dropped.value)]
        assert all(r.headers["authorization"] == "token ***" for r in gh.requests)
    assert texts and all(TOKEN not in text for text in texts)
    assert TOKEN not in caplog.text


# Factory and pacing ---------------------------------------------------------------------------------
def config_text(api_url: str, extra: str = "") -> str:
    return f"""
[targets.ops]
kind = "github"
repo = "{REPO}"
api_url = "{api_url}"
token_env = "{TOKEN_ENV}"
{extra}
"""


def test_open_backend_reads_the_token_from_the_environment(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = config_from_text(config_text(gh.api_url))
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    with pytest.raises(ConfigError) as caught:
        open_backend(config, "ops")
    # The key is named, never the value it holds (issue 19 point 9: it may be a pasted token).
    assert "[targets.ops] token_env" in caught.value.message and caught.value.hint
    assert TOKEN_ENV not in caught.value.message + caught.value.hint
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    backend = open_backend(config, "ops")
    assert isinstance(backend, GitHubBackend) and backend.preflight(None).ok
    again = open_backend(config, "ops")
    assert isinstance(again, GitHubBackend) and backend.budget is again.budget  # one budget per credential
    with pytest.raises(ConfigError):
        open_backend(config, "nope")


def test_open_backend_app_key_errors_name_the_file(tmp_path: Path) -> None:
    extra = f'app_id = "123"\ninstallation_id = 9\nprivate_key_path = "{tmp_path / "missing.pem"}"'
    config = config_from_text(
        config_text("http://127.0.0.1:9/api/v3", extra).replace(f'token_env = "{TOKEN_ENV}"', "")
    )
    with pytest.raises(ConfigError) as caught:
        open_backend(config, "ops")
    assert "missing.pem" in caught.value.message


def test_github_app_credentials_are_used_and_failures_explained(gh: FakeGitHub, tmp_path: Path) -> None:
    # The App is not registered in the fake, so its JWT is refused: this proves the App path is taken
    # and that its failure is a clear PermanentError (no key material in it), not a crash. The
    # successful App flow is tested end to end in tests/test_sync_github_app.py.
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp_path / "app.pem").write_bytes(pem)
    extra = f'app_id = "123"\ninstallation_id = 9\nprivate_key_path = "{tmp_path / "app.pem"}"'
    config = config_from_text(config_text(gh.api_url, extra).replace(f'token_env = "{TOKEN_ENV}"', ""))
    backend = open_backend(config, "ops")
    report = backend.preflight(None)
    assert not report.ok and "GitHub App 123" in report.problems[0] and "401" in report.problems[0]
    assert pem.decode() not in report.problems[0]
    assert gh.count("POST", "/app/installations/9/access_tokens") == 1


def test_budget_windows(clock: FakeClock) -> None:
    budget = CreateBudget(3, 5, min_interval=1.0, clock=clock.now, sleep=clock.sleep)
    for _ in range(6):
        budget.acquire()
    # 1 s apart; the 4th waits for the minute window; the 6th for the hour window.
    assert clock.slept == [1.0, 1.0, 58.0, 1.0, 3539.0]
    assert shared_budget("k", 20, 400) is shared_budget("k", 10, 500)
    assert shared_budget("k", 20, 400).per_minute == 10 and shared_budget("k", 20, 400).per_hour == 400
