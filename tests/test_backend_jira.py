"""The Jira backend against the loopback fake Jira (Cloud and Data Center), through real HTTP."""

from __future__ import annotations

import base64
import itertools
import math
import traceback
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import requests

from tracker.backends.base import (
    FetchKind,
    IssueChanges,
    IssueContext,
    IssueDraft,
    IssueTracker,
    PermanentError,
    RateLimited,
    RemoteRef,
    TransientError,
)
from tracker.backends.jira import JiraBackend
from tracker.backends.jira_http import JiraCredentials
from tracker.backends.jira_text import parse_description
from tracker.config import JiraTarget, config_from_text
from tracker.errors import ConfigError, TrackerError
from tracker.sandbox.jira import FakeJira
from tracker.sandbox.jira_model import (
    ProjectSpec,
    ScreenField,
    Transition,
    default_projects,
    default_workflow,
)
from tracker.statuses import Status

ALICE = {"cloud": "5b10a2844c20165700ede21a", "datacenter": "alice"}
BOB = {"cloud": "5b10a2844c20165700ede21b", "datacenter": "bob"}
LABEL = "postmortem-action"
_markers = itertools.count(1)


class Sleeps:
    """An injected sleep that only records: backoff and Retry-After without waiting."""

    def __init__(self) -> None:
        self.slept: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)


@pytest.fixture(params=["cloud", "datacenter"])
def fake(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    with FakeJira(request.param) as server:
        yield server


@pytest.fixture
def cloud() -> Iterator[FakeJira]:
    with FakeJira("cloud") as server:
        yield server


def credentials(fake: FakeJira) -> JiraCredentials:
    return (
        JiraCredentials(fake.api_token, fake.email) if fake.flavor == "cloud" else JiraCredentials(fake.pat)
    )


def target(fake: FakeJira, **overrides: Any) -> JiraTarget:
    values: dict[str, Any] = {
        "name": "ops",
        "kind": "jira",
        "url": fake.url,
        "project": "OPS",
        "flavor": fake.flavor,
        "email_env": "TRACKER_TEST_JIRA_EMAIL",
        "token_env": "TRACKER_TEST_JIRA_TOKEN",
    }
    values.update(overrides)
    return JiraTarget(**values)


def backend(
    fake: FakeJira, *, sleep: Sleeps | None = None, preflight: bool = True, **overrides: Any
) -> JiraBackend:
    jira = JiraBackend(target(fake, **overrides), credentials(fake), sleep=sleep or Sleeps(), max_wait=30)
    if preflight:
        report = jira.preflight(None)
        assert report.ok, report.problems
    return jira


def draft(title: str = "Add an alert on queue depth", *, assignee: str | None = None, due: date | None = date(2030, 5, 1),
          **kw: Any) -> IssueDraft:  # fmt: skip
    context = IssueContext("2030-04-01-db-outage", "Database outage", date(2030, 4, 1), "major",
                           owner_text="alice", item_id=next(_markers))  # fmt: skip
    return IssueDraft(marker=f"tracker-{next(_markers):016x}", title=title, context=context,
                      intro="From the postmortem **Database outage**.", assignee=assignee, due=due,
                      labels=("postmortem",), **kw)  # fmt: skip


def count(fake: FakeJira, method: str | None = None, path: str = "") -> int:
    return fake.count(method, path) if path else fake.count(method)


# ---- pre-flight ---------------------------------------------------------------------------------------


def test_preflight_costs_three_requests_then_zero_with_its_cache(fake: FakeJira) -> None:
    jira = backend(fake, preflight=False)
    assert isinstance(jira, IssueTracker)
    report = jira.preflight(None)
    assert report.ok and report.can_write and report.problems == () and jira.requests == 3
    assert [r.path.rsplit("/", 1)[-1] for r in fake.requests] == ["serverInfo", "issuetypes", "10001"]
    again = backend(fake, preflight=False)
    fake.reset_log()
    cached = again.preflight(report.cache)
    assert cached.ok and again.requests == 0 and fake.count() == 0
    stale = again.preflight({**report.cache, "project": "PLAT"})  # another project: not this cache
    assert stale.ok and again.requests == 3


def test_preflight_refuses_the_wrong_flavor(fake: FakeJira) -> None:
    other = "datacenter" if fake.flavor == "cloud" else "cloud"
    jira = JiraBackend(target(fake, flavor=other), credentials(fake), sleep=Sleeps())
    report = jira.preflight(None)
    assert not report.ok and report.cache == {}
    (problem,) = report.problems
    assert f'flavor = "{other}"' in problem and f'set flavor = "{fake.flavor}"' in problem
    assert jira.requests == 1  # serverInfo answers anonymous callers: no auth needed to tell


def test_preflight_names_required_fields_and_config_satisfies_them(fake: FakeJira) -> None:
    plat = JiraBackend(target(fake, project="PLAT"), credentials(fake), sleep=Sleeps())
    report = plat.preflight(None)
    assert not report.ok
    assert "customfield_10050 (Team)" in report.problems[0] and "[targets.ops.fields]" in report.problems[0]
    assert any("duedate is not on the create screen" in w for w in report.warnings)
    configured = JiraBackend(target(fake, project="PLAT", fields={"customfield_10050": "SRE"}), credentials(fake),
                             sleep=Sleeps())  # fmt: skip
    assert configured.preflight(None).ok


def test_preflight_reports_a_missing_project_and_issue_type(fake: FakeJira) -> None:
    assert "NOPE does not exist" in backend(fake, preflight=False, project="NOPE").preflight(None).problems[0]
    report = backend(fake, preflight=False, issue_type="Story").preflight(None)
    assert "no issue type 'Story'" in report.problems[0] and "Bug, Task" in report.problems[0]


# ---- create -------------------------------------------------------------------------------------------


def test_bulk_create_costs_one_request_per_fifty(fake: FakeJira) -> None:
    jira = backend(fake)
    fake.reset_log()
    drafts = [draft(f"Item {n}", assignee=ALICE[fake.flavor]) for n in range(120)]
    outcomes = jira.create(drafts)
    assert jira.requests - 3 == math.ceil(120 / 50) == fake.count("POST", "/rest/api/2/issue/bulk")
    assert fake.count() == 3  # no refetch, no /field, no serverInfo, no user search
    assert all(o.issue is not None and o.error is None for o in outcomes)
    first = outcomes[0].issue
    assert first is not None and first.ref.key == "OPS-1" and first.ref.remote_id.isdigit()
    assert first.ref.url == f"{fake.url}/browse/OPS-1" and first.marker == drafts[0].marker
    stored = fake.issue(first.ref.remote_id)
    assert stored.labels == [LABEL, "postmortem"] and stored.duedate == "2030-05-01"
    assert stored.assignee == "alice" and stored.summary == "Item 0"
    block = parse_description(stored.description)
    assert block is not None and block.marker == drafts[0].marker and block.deadline == date(2030, 5, 1)


def test_bulk_partial_failure_is_recorded_per_item(fake: FakeJira) -> None:
    fake.configure_issue_type("OPS", "Task", optional=("customfield_10060",))
    jira = backend(fake)
    good, bad = draft("Fine"), draft("Too long a root cause", fields={"customfield_10060": "x" * 300})
    unassignable = draft("Owner left", assignee="dave")  # inactive: Jira refuses to assign
    outcomes = jira.create([good, bad, unassignable])
    assert outcomes[0].issue is not None and outcomes[0].error is None
    assert outcomes[1].issue is None and not outcomes[1].uncertain
    assert outcomes[1].error is not None and "customfield_10060" in outcomes[1].error
    assert outcomes[2].issue is not None and outcomes[2].issue.assignee is None
    assert outcomes[2].warnings[0].startswith("assignee dave not set")
    assert jira.requests - 3 == 2  # the bulk request, then one retry of the refused element
    assert sorted(i.summary for i in fake.issues()) == ["Fine", "Owner left"]


def test_fields_missing_from_the_screen_are_left_out_with_a_warning(fake: FakeJira) -> None:
    jira = backend(fake, project="PLAT", fields={"customfield_10050": "$severity-team"},
                   priorities={"major": "High"})  # fmt: skip
    (outcome,) = jira.create([draft(priority="High")])
    assert outcome.issue is not None and jira.requests - 3 == 1  # known from pre-flight: no failed request
    assert any("duedate not set" in w and "tracker block" in w for w in outcome.warnings)
    assert any(w.startswith("priority not set") for w in outcome.warnings)
    stored = fake.issue(outcome.issue.ref.remote_id)
    assert stored.duedate is None and stored.custom["customfield_10050"] == "major-team"
    assert outcome.issue.due == date(2030, 5, 1)  # the tracker block carries the deadline
    (pulled,) = jira.pull(None, {}).issues
    assert pulled.due == date(2030, 5, 1)


def test_a_screen_refusal_without_preflight_retries_once_without_the_field(fake: FakeJira) -> None:
    jira = backend(fake, preflight=False, project="PLAT", fields={"customfield_10050": "SRE"})
    outcomes = jira.create([draft("one"), draft("two")])
    assert all(o.issue is not None for o in outcomes) and jira.requests == 2
    assert all("duedate not set" in o.warnings[0] for o in outcomes)
    jira.create([draft("three")])
    assert jira.requests == 3  # learned: duedate is no longer sent


def test_dropped_bulk_response_is_uncertain_and_recovery_finds_every_issue(fake: FakeJira) -> None:
    jira = backend(fake)
    drafts = [draft(f"Lost {n}") for n in range(3)]
    fake.drop_response_after_bulk()
    outcomes = jira.create(drafts)
    assert all(o.uncertain and o.issue is None for o in outcomes)
    assert fake.count("POST", "/rest/api/2/issue/bulk") == 1  # never retried: a retry could duplicate
    assert len(fake.issues()) == 3
    found = jira.find_markers({d.marker for d in drafts} | {"tracker-ffffffffffffffff"}, None)
    assert set(found) == {d.marker for d in drafts}
    assert {i.title for i in found.values()} == {"Lost 0", "Lost 1", "Lost 2"}
    assert len(fake.issues()) == 3


def test_a_5xx_on_create_is_uncertain_and_a_429_is_retried(fake: FakeJira) -> None:
    sleeps = Sleeps()
    jira = backend(fake, sleep=sleeps)
    fake.fail_next("POST", "*/issue/bulk", 503, retry_after=1)
    (outcome,) = jira.create([draft()])
    assert outcome.uncertain and jira.requests - 3 == 1 and sleeps.slept == []
    fake.fail_next("POST", "*/issue/bulk", 429, retry_after=2)
    (outcome,) = jira.create([draft()])
    assert outcome.issue is not None and sleeps.slept == [2.0]  # refused, so safe to send again
    assert fake.count("POST", "/rest/api/2/issue/bulk") == 3


def test_find_markers_reads_the_issue_property(fake: FakeJira) -> None:
    jira = backend(fake)
    seeded = fake.seed_issue(summary="Made by hand", labels=[LABEL], description="no block here",
                             properties={"tracker.marker": {"marker": "tracker-00000000000000aa"}})  # fmt: skip
    fake.reset_log()
    found = jira.find_markers({"tracker-00000000000000aa"}, None)
    assert found["tracker-00000000000000aa"].ref.remote_id == str(seeded.id) and fake.count() == 1
    assert jira.find_markers(set(), None) == {} and fake.count() == 1


# ---- pull, fetch, identity ----------------------------------------------------------------------------


def test_pull_costs_one_request_idle_and_one_per_hundred_changed(fake: FakeJira) -> None:
    jira = backend(fake)
    jira.create([draft(f"Item {n}") for n in range(50)])
    jira.create([draft(f"Item {n}") for n in range(50, 120)])
    fake.seed_issue(summary="not ours")  # no tracker label: never listed
    before = jira.requests
    first = jira.pull(None, {})
    assert len(first.issues) == 120 and jira.requests - before == math.ceil(120 / 100)
    assert first.server_time is not None
    updated = [i.updated_at for i in first.issues]
    assert updated == sorted(updated)  # ORDER BY updated ASC
    fake.advance(timedelta(seconds=5))
    before = jira.requests
    idle = jira.pull(first.server_time + timedelta(seconds=1), {})
    assert idle.issues == [] and jira.requests - before == 1
    person = fake.person("alice")
    for issue in first.issues[:3]:
        person.edit_summary(issue.ref.remote_id, f"{issue.title} (edited)")
    before = jira.requests
    changed = jira.pull(first.server_time + timedelta(seconds=1), {})
    assert sorted(i.title for i in changed.issues) == sorted(f"{i.title} (edited)" for i in first.issues[:3])
    assert jira.requests - before == 1
    search = [r for r in fake.requests if "/search" in r.path][-1]
    jql = search.query["jql"][0]
    assert f'labels = "{LABEL}"' in jql and "updated >= 1" in jql and jql.endswith("ORDER BY updated ASC")
    assert fake.count("GET", "/rest/api/2/field") == 0 and fake.count("GET", "/rest/api/2/serverInfo") == 1


def test_server_time_follows_the_server_clock() -> None:
    with FakeJira("cloud", clock_skew=timedelta(hours=5)) as fake:
        jira = backend(fake)
        result = jira.pull(None, {})
        assert result.server_time is not None
        assert abs((result.server_time - fake.state.now()).total_seconds()) < 5


def test_status_mapping_from_category_and_resolution(fake: FakeJira) -> None:
    jira = backend(fake)
    outcomes = jira.create([draft(str(n)) for n in range(5)])
    ids = [o.issue.ref.remote_id for o in outcomes if o.issue]
    person = fake.person()
    person.transition(ids[1], "In Review")
    person.transition(ids[2], "Done")
    person.transition(ids[3], "Cancelled", resolution="Won't Do")
    person.transition(ids[4], "Done", resolution="Duplicate")
    pulled = {i.ref.remote_id: i for i in jira.pull(None, {}).issues}
    got = [pulled[i].status for i in ids]
    assert got == [Status.OPEN, Status.IN_PROGRESS, Status.DONE, Status.WONT_DO, Status.WONT_DO]
    assert pulled[ids[2]].closed_at is not None and pulled[ids[0]].closed_at is None
    assert pulled[ids[3]].status_detail == "Cancelled / Won't Do"
    assert pulled[ids[2]].closed_by is None and not pulled[ids[2]].closed_by_bot


def test_eventual_consistency_never_reads_missing_as_deleted(cloud: FakeJira) -> None:
    cloud.search_lag = 120
    writer = backend(cloud)
    outcomes = writer.create([draft("fresh one"), draft("fresh two")])
    refs = [o.issue.ref for o in outcomes if o.issue]
    fresh = backend(cloud)  # another process: it does not know what was just written
    assert fresh.pull(None, {}).issues == []  # not indexed yet
    assert [fresh.fetch(ref).kind for ref in refs] == [FetchKind.OK, FetchKind.OK]
    seen = writer.pull(None, {})  # the writer reconciles the ids it wrote
    assert {i.ref.remote_id for i in seen.issues} == {r.remote_id for r in refs}
    search = [r for r in cloud.requests if r.path.endswith("/search/jql")][-1]
    assert set(search.query["reconcileIssues"][0].split(",")) == {r.remote_id for r in refs}
    remembered = fresh.pull(None, {"reconcile": [refs[0].remote_id]})
    assert [i.ref.remote_id for i in remembered.issues] == [refs[0].remote_id]


def test_moved_issue_keeps_its_id_and_gets_a_new_key(fake: FakeJira) -> None:
    jira = backend(fake)
    (outcome,) = jira.create([draft()])
    assert outcome.issue is not None
    ref = outcome.issue.ref
    fake.person().move(ref.remote_id, "PLAT")
    result = jira.fetch(ref)
    assert result.kind is FetchKind.OK and result.issue is not None
    assert result.issue.ref.remote_id == ref.remote_id and result.issue.ref.key == "PLAT-1"
    assert result.issue.ref.url == f"{fake.url}/browse/PLAT-1" and result.issue.marker == outcome.draft.marker
    fake.person().delete(ref.remote_id)
    assert jira.fetch(ref).kind is FetchKind.GONE


def test_tracker_issue_listing(fake: FakeJira) -> None:
    jira = backend(fake)
    assert not jira.has_tracker_issues()
    jira.create([draft("a"), draft("b")])
    fake.seed_issue(summary="unlabelled")
    before = jira.requests
    assert jira.has_tracker_issues() and jira.requests - before == 1
    assert sorted(i.title for i in jira.list_tracker_issues()) == ["a", "b"]


def test_parse_ref_resolves_keys_and_urls_of_this_project(fake: FakeJira) -> None:
    jira = backend(fake)
    seeded = fake.seed_issue(summary="named by a document")
    before = jira.requests
    ref = jira.parse_ref("ops-1")
    assert ref == RemoteRef(str(seeded.id), "OPS-1", seeded.id, f"{fake.url}/browse/OPS-1")
    assert jira.requests - before == 1
    assert jira.parse_ref(f"{fake.url}/browse/OPS-1") == ref
    assert jira.parse_ref("https://elsewhere.example/browse/OPS-1") is None
    assert jira.parse_ref("PLAT-1") is None and jira.parse_ref("#12") is None
    assert jira.parse_ref("OPS-99") is None
    assert jira.requests - before == 3


# ---- update, workflow ---------------------------------------------------------------------------------


def test_update_touches_only_what_changed_and_keeps_human_text(fake: FakeJira) -> None:
    jira = backend(fake)
    (outcome,) = jira.create([draft(assignee=ALICE[fake.flavor])])
    assert outcome.issue is not None
    ref, old = outcome.issue.ref, outcome.draft
    person = fake.person()
    person.add_label(ref.remote_id, "human-label")
    stored = fake.issue(ref.remote_id)
    human = "A person wrote this first.\n\n" + stored.description + "\n\nAnd this after."
    _put(fake, ref.remote_id, {"fields": {"description": human}})
    context = replace(old.context, owner_text="bob")
    changes = IssueChanges(title="Renamed", assignee=(ALICE[fake.flavor], BOB[fake.flavor]),
                           due=(date(2030, 5, 1), date(2030, 6, 1)), add_labels=("flag:no-owner",),
                           remove_labels=("postmortem",), context=context, status=Status.DONE)  # fmt: skip
    before = jira.requests
    issue = jira.update(ref, changes)
    # Read the description, one PUT, read the result (Cloud answers the PUT with the issue).
    assert jira.requests - before == (2 if fake.flavor == "cloud" else 3)
    assert issue.title == "Renamed" and issue.assignee == BOB[fake.flavor] and issue.due == date(2030, 6, 1)
    assert set(issue.labels) == {LABEL, "human-label", "flag:no-owner"}
    assert issue.status is Status.OPEN  # manage_workflow is off: status is not pushed
    assert fake.count("POST", "/rest/api/2/issue/" + ref.remote_id + "/transitions") == 0
    text = fake.issue(ref.remote_id).description
    assert text.startswith("A person wrote this first.") and text.endswith("And this after.")
    block = parse_description(text)
    assert block is not None and block.deadline == date(2030, 6, 1) and block.owner == "bob"
    put = [r for r in fake.requests if r.method == "PUT"][-1]
    assert put.body["update"] == {"labels": [{"add": "flag:no-owner"}, {"remove": "postmortem"}]}
    assert "labels" not in put.body["fields"]


def test_due_date_off_the_edit_screen_goes_into_the_block_only(fake: FakeJira) -> None:
    jira = backend(fake, project="PLAT", fields={"customfield_10050": "SRE"})
    (outcome,) = jira.create([draft()])
    assert outcome.issue is not None
    issue = jira.update(outcome.issue.ref, IssueChanges(due=(date(2030, 5, 1), date(2031, 1, 1)),
                                                        context=outcome.draft.context))  # fmt: skip
    assert issue.due == date(2031, 1, 1) and fake.issue(issue.ref.remote_id).duedate is None
    assert not [r for r in fake.requests if r.status == 400]


def test_workflow_walks_several_transitions_to_done_and_back(fake: FakeJira) -> None:
    jira = backend(fake, manage_workflow=True)
    (outcome,) = jira.create([draft()])
    assert outcome.issue is not None
    ref = outcome.issue.ref
    before = jira.requests
    done = jira.update(ref, IssueChanges(status=Status.DONE))
    assert done.status is Status.DONE and done.status_detail == "Done / Done"
    assert jira.requests - before == 1 + 3 * 2 + 1  # read, three steps (transitions + POST), read back
    posted = [r.body for r in fake.requests if r.method == "POST" and r.path.endswith("/transitions")]
    assert [b["transition"]["id"] for b in posted] == ["11", "21", "31"]  # never "Cancel" for done work
    assert posted[-1]["fields"] == {"resolution": {"name": "Done"}}
    reopened = jira.update(ref, IssueChanges(status=Status.OPEN))
    assert reopened.status is Status.OPEN and fake.issue(ref.remote_id).resolution is None
    wont = jira.update(ref, IssueChanges(status=Status.WONT_DO))
    assert wont.status is Status.WONT_DO and wont.status_detail == "Cancelled / Won't Do"
    progress = jira.update(ref, IssueChanges(status=Status.IN_PROGRESS))  # Reopen, then Start Progress
    assert progress.status is Status.IN_PROGRESS


def test_a_required_transition_field_not_configured_stops_with_its_name() -> None:
    workflow = default_workflow()
    workflow.transitions = [
        replace(t, screen=(*t.screen, ScreenField("customfield_10060", required=True))) if t.id == "31" else t
        for t in workflow.transitions
    ]
    projects = [replace(p, workflow=workflow) if p.key == "OPS" else p for p in default_projects()]
    with FakeJira("datacenter", projects=projects) as fake:
        fake.configure_issue_type("OPS", "Task")
        jira = backend(fake, manage_workflow=True)
        (outcome,) = jira.create([draft()])
        assert outcome.issue is not None
        with pytest.raises(PermanentError) as err:
            jira.update(outcome.issue.ref, IssueChanges(status=Status.DONE))
        assert "customfield_10060 (Root cause)" in err.value.message and "transition_fields" in str(
            err.value.hint
        )
        configured = backend(
            fake, manage_workflow=True, transition_fields={"customfield_10060": "bad config"}
        )
        assert configured.update(outcome.issue.ref, IssueChanges(status=Status.DONE)).status is Status.DONE
        assert fake.issue(outcome.issue.ref.remote_id).custom["customfield_10060"] == "bad config"


def test_a_workflow_without_a_path_is_a_permanent_error() -> None:
    workflow = default_workflow()
    workflow.transitions = [t for t in workflow.transitions if t.id != "31"]  # nothing reaches Done
    assert all(isinstance(t, Transition) for t in workflow.transitions)
    projects = [ProjectSpec(p.key, p.name, p.id, p.issue_types, workflow=workflow) if p.key == "OPS" else p
                for p in default_projects()]  # fmt: skip
    with FakeJira("cloud", projects=projects) as fake:
        jira = backend(fake, manage_workflow=True)
        (outcome,) = jira.create([draft()])
        assert outcome.issue is not None
        with pytest.raises(PermanentError) as err:
            jira.update(outcome.issue.ref, IssueChanges(status=Status.DONE))
        assert "no workflow path to a done status" in err.value.message


# ---- people, comments, labels, ADF --------------------------------------------------------------------


def test_assignee_is_exact_never_a_user_search(fake: FakeJira) -> None:
    jira = backend(fake)
    (outcome,) = jira.create([draft(assignee=ALICE[fake.flavor])])
    assert outcome.issue is not None and outcome.issue.assignee == ALICE[fake.flavor]
    sent = [r.body for r in fake.requests if r.path.endswith("/issue/bulk")][-1]
    key = "accountId" if fake.flavor == "cloud" else "name"
    assert sent["issueUpdates"][0]["fields"]["assignee"] == {key: ALICE[fake.flavor]}
    issue = jira.update(outcome.issue.ref, IssueChanges(assignee=(ALICE[fake.flavor], None)))
    assert issue.assignee is None
    assert fake.count("GET", "/rest/api/2/user") == 0 and fake.count(None, "/rest/api/latest") == 0


def test_comment_and_tracker_label(fake: FakeJira) -> None:
    jira = backend(fake)
    seeded = fake.seed_issue(summary="named by a document")
    ref = jira.parse_ref("OPS-1")
    assert ref is not None
    assert jira.add_tracker_label(ref) is True and fake.issue(seeded.id).labels == [LABEL]
    url = jira.comment(ref, "Closed by `tracker`: **done**.")
    assert url.startswith(f"{fake.url}/browse/OPS-1?focusedCommentId=")
    assert fake.issue(seeded.id).comments[0].body == "Closed by {{tracker}}: *done*."


def test_cloud_v3_speaks_adf(cloud: FakeJira) -> None:
    jira = backend(cloud, api_version="3")
    (outcome,) = jira.create([draft()])
    assert outcome.issue is not None
    assert cloud.count("POST", "/rest/api/3/issue/bulk") == 1
    doc = cloud.issue(outcome.issue.ref.remote_id).description
    assert doc["type"] == "doc" and doc["content"][-1]["type"] == "codeBlock"
    assert doc["content"][0]["content"][1] == {
        "type": "text",
        "text": "Database outage",
        "marks": [{"type": "strong"}],
    }
    human = {
        **doc,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Mine."}]}, *doc["content"]],
    }
    _put(cloud, outcome.issue.ref.remote_id, {"fields": {"description": human}}, version="3")
    issue = jira.update(outcome.issue.ref, IssueChanges(due=(date(2030, 5, 1), date(2030, 7, 1)),
                                                        context=outcome.draft.context))  # fmt: skip
    assert issue.due == date(2030, 7, 1) and issue.marker == outcome.draft.marker
    after = cloud.issue(issue.ref.remote_id).description
    assert after["content"][0]["content"][0]["text"] == "Mine."
    assert "Deadline: 2030-07-01" in after["content"][-1]["content"][0]["text"]
    jira.comment(issue.ref, "Done in `deploy-42`.")
    body = cloud.issue(issue.ref.remote_id).comments[0].body
    assert body["type"] == "doc" and body["content"][0]["content"][1]["marks"] == [{"type": "code"}]
    v2 = backend(cloud)  # a v2 reader of the same issue finds the block too (as {code:tracker})
    assert v2.fetch(issue.ref).issue.due == date(2030, 7, 1)  # type: ignore[union-attr]


def _put(fake: FakeJira, issue_id: Any, body: dict[str, Any], version: str = "2") -> None:
    """A person's edit through the REST API (the fake's person API has no description edit)."""
    kw: dict[str, Any] = {"timeout": 5}
    if fake.flavor == "cloud":
        kw["auth"] = ("alice@example.com", "x")  # not accepted: use the bot's credentials instead
        kw["auth"] = (fake.email, fake.api_token)
    else:
        kw["headers"] = {"Authorization": f"Bearer {fake.pat}"}
    response = requests.put(f"{fake.url}/rest/api/{version}/issue/{issue_id}", json=body, **kw)
    assert response.status_code == 204, response.text


# ---- failures: rate limits, 5xx, secrets ---------------------------------------------------------------


def test_429_honours_retry_after_then_gives_up_as_rate_limited(fake: FakeJira) -> None:
    sleeps = Sleeps()
    jira = backend(fake, sleep=sleeps)
    fake.fail_next("GET", "*/search*", 429, times=2, retry_after=3)
    before = jira.requests
    assert jira.pull(None, {}).issues == []
    assert sleeps.slept == [3.0, 3.0] and jira.requests - before == 3
    fake.set_rate_limit(0, window=3600)
    with pytest.raises(RateLimited) as err:
        jira.pull(None, {})
    assert err.value.reset_at is not None and sleeps.slept == [3.0, 3.0]  # an hour is too long to wait
    fake.set_rate_limit(0, window=3600, retry_after=1)
    with pytest.raises(RateLimited):
        jira.fetch(RemoteRef("10001"))
    assert sleeps.slept[2:] == [1.0] * 4  # bounded: max_retries attempts, then stop the target


def test_503_is_retried_with_backoff_then_transient(fake: FakeJira) -> None:
    sleeps = Sleeps()
    jira = backend(fake, sleep=sleeps)
    fake.fail_next("GET", "*/search*", 503, times=2)
    assert jira.pull(None, {}).issues == [] and sleeps.slept == [1.0, 2.0]
    fake.fail_next("GET", "*/search*", 502, times=10)
    with pytest.raises(TransientError):
        jira.pull(None, {})
    assert sleeps.slept[2:] == [1.0, 2.0, 4.0, 8.0]
    fake.clear_faults()
    fake.drop_next("GET", "*/search*")
    assert jira.pull(None, {}).issues == []  # a dropped GET is simply asked again


def test_the_token_never_shows_in_errors(fake: FakeJira) -> None:
    secret = "s3cr3t-token-value"
    wrong = JiraCredentials(secret, fake.email if fake.flavor == "cloud" else None)
    jira = JiraBackend(target(fake), wrong, sleep=Sleeps(), max_retries=1)
    forms = [secret, base64.b64encode(f"{fake.email}:{secret}".encode()).decode()]
    texts: list[str] = [repr(wrong)]
    report = jira.preflight(None)
    assert not report.ok
    texts += report.problems
    for call in (lambda: jira.pull(None, {}), lambda: jira.create([draft()]), lambda: jira.fetch(RemoteRef("1")),
                 lambda: jira.update(RemoteRef("1"), IssueChanges(title="x"))):  # fmt: skip
        try:
            result = call()
        except TrackerError as exc:
            texts += [exc.message, str(exc.hint), repr(exc), "".join(traceback.format_exception(exc))]
        else:
            texts.append(repr(result))
    assert any("401" in t for t in texts) and any("TRACKER_TEST_JIRA_TOKEN" in t for t in texts)
    assert not [t for t in texts for form in forms if form in t]


# ---- the factory --------------------------------------------------------------------------------------


def test_open_backend_reads_secrets_from_the_environment(
    fake: FakeJira, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.backends import open_backend

    cloud = fake.flavor == "cloud"
    config = config_from_text(
        f'[targets.ops]\nkind = "jira"\nurl = "{fake.url}"\nflavor = "{fake.flavor}"\nproject = "OPS"\n'
        + ('email_env = "TRACKER_TEST_JIRA_EMAIL"\n' if cloud else "")
        + 'token_env = "TRACKER_TEST_JIRA_TOKEN"\n'
    )
    monkeypatch.delenv("TRACKER_TEST_JIRA_TOKEN", raising=False)
    with pytest.raises(ConfigError) as err:
        open_backend(config, "ops")
    # The key is named, never the value it holds (issue 19 point 9: it may be a pasted token).
    assert (
        "[targets.ops] token_env" in err.value.message and "TRACKER_TEST_JIRA_TOKEN" not in err.value.message
    )
    monkeypatch.setenv("TRACKER_TEST_JIRA_TOKEN", fake.api_token if cloud else fake.pat)
    monkeypatch.setenv("TRACKER_TEST_JIRA_EMAIL", fake.email)
    jira = open_backend(config, "ops")
    try:
        assert isinstance(jira, JiraBackend) and jira.preflight(None).ok
    finally:
        jira.close()


# ---- through the engine and the real CLI --------------------------------------------------------------


def _jira_config(fake: FakeJira) -> str:
    who = ALICE[fake.flavor]
    email = 'email_env = "TRACKER_TEST_JIRA_EMAIL"\n' if fake.flavor == "cloud" else ""
    return (
        f'[targets.ops]\nkind = "jira"\nurl = "{fake.url}"\nflavor = "{fake.flavor}"\nproject = "OPS"\n{email}'
        f'token_env = "TRACKER_TEST_JIRA_TOKEN"\nlabels = ["postmortem"]\n\n[routing]\ndefault = "ops"\n\n'
        f'[people."dana"]\nname = "Dana Whitfield"\njira = "{who}"\naliases = ["@dana"]\n'
    )


@pytest.fixture
def jira_cli(fake: FakeJira, run_cli: Any, make_config: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TRACKER_TEST_JIRA_TOKEN", fake.api_token if fake.flavor == "cloud" else fake.pat)
    monkeypatch.setenv("TRACKER_TEST_JIRA_EMAIL", fake.email)
    make_config(_jira_config(fake))
    return run_cli


def _sync(cli: Any) -> dict[str, Any]:
    import json

    result = cli("sync", "--yes", "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def test_sync_pushes_then_an_idle_sync_costs_one_search(fake: FakeJira, jira_cli: Any) -> None:
    jira_cli.ok("add", "Alert on cache hit ratio", "-p", "inc-1", "-o", "@dana", "-d", "2026-07-01")
    jira_cli.ok("add", "Document the warm-up runbook", "-p", "inc-1", "-o", "@dana")
    _sync(jira_cli)
    issues = sorted(fake.issues(), key=lambda i: i.id)
    assert [i.summary for i in issues] == ["Alert on cache hit ratio", "Document the warm-up runbook"]
    assert issues[0].assignee == "alice" and issues[0].duedate == "2026-07-01"
    assert {LABEL, "postmortem"} <= set(issues[0].labels)  # plus lint labels
    assert fake.count("POST", "/rest/api/2/issue/bulk") == 1
    _sync(jira_cli)  # settles the rolling verification slice
    fake.reset_log()
    _sync(jira_cli)
    assert [(r.method, r.path.rsplit("/", 1)[-1]) for r in fake.requests] == [
        ("GET", "jql" if fake.flavor == "cloud" else "search")
    ]
    fake.person().transition(issues[0].id, "Done")
    fake.person().reassign(issues[1].id, None)
    _sync(jira_cli)
    shown = jira_cli.ok("list", "--format", "json").output
    assert '"done"' in shown
    assert len(fake.issues()) == 2


def test_sync_recovers_a_dropped_bulk_answer_without_duplicates(fake: FakeJira, jira_cli: Any) -> None:
    for n in range(3):
        jira_cli.ok("add", f"Item {n}", "-p", "inc-1", "-o", "@dana")
    fake.drop_response_after_bulk()
    _sync(jira_cli)
    assert len(fake.issues()) == 3 and fake.count("POST", "/rest/api/2/issue/bulk") == 1
    _sync(jira_cli)
    assert len(fake.issues()) == 3 and fake.count("POST", "/rest/api/2/issue/bulk") == 1


def test_sync_under_search_lag_neither_orphans_nor_duplicates(fake: FakeJira, jira_cli: Any) -> None:
    fake.search_lag = 600  # Cloud's index lags behind writes (Data Center's search does not)
    for n in range(2):
        jira_cli.ok("add", f"Item {n}", "-p", "inc-1", "-o", "@dana")
    _sync(jira_cli)
    fake.person().edit_summary(fake.issues()[0].id, "Item 0, reworded")  # also invisible to search for now
    pulled = 0
    for _ in range(2):
        ops = _sync(jira_cli)["targets"]["ops"]
        assert (ops["orphaned"], ops["created"], ops["errors"]) == (0, 0, 0)
        pulled += ops["pulled"]
    assert len(fake.issues()) == 2 and pulled == (0 if fake.flavor == "cloud" else 1)
    fake.advance(timedelta(seconds=601))  # the index catches up: the edit is pulled, not lost
    pulled += _sync(jira_cli)["targets"]["ops"]["pulled"]
    assert pulled == 1 and "Item 0, reworded" in jira_cli.ok("list", "--format", "json").output


def test_find_markers_allows_for_a_server_clock_behind_ours() -> None:
    with FakeJira("cloud", clock_skew=-timedelta(hours=3)) as fake:
        jira = backend(fake)
        lost = draft("Lost while the server runs 3 h behind")
        fake.drop_response_after_bulk()
        (outcome,) = jira.create([lost])
        assert outcome.uncertain
        our_clock = datetime.now(UTC) - timedelta(seconds=60)  # when the engine wrote `creating`
        assert set(jira.find_markers({lost.marker}, our_clock)) == {lost.marker}
        cold = backend(fake, preflight=False)  # no answer seen yet: the server's offset is unknown
        assert set(cold.find_markers({lost.marker}, our_clock)) == {lost.marker}


def test_check_command_reports_required_fields_by_name(
    fake: FakeJira, jira_cli: Any, make_config: Any
) -> None:
    assert jira_cli("check").exit_code == 0
    make_config(_jira_config(fake).replace('project = "OPS"', 'project = "PLAT"'))
    result = jira_cli("check")
    assert result.exit_code != 0 and "customfield_10050 (Team)" in result.output
