"""The loopback fake Jira, driven by the unmodified jira library (Cloud and Data Center) and checked
against the Jira Cloud v3 OpenAPI description."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from jira import JIRA, JIRAError

from tracker.sandbox.jira import FakeJira

JIRA_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$")
CHANGE_2046 = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)
OPS_TASK = {"project": {"key": "OPS"}, "issuetype": {"name": "Task"}}


@pytest.fixture(params=["cloud", "datacenter"])
def fake(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    with FakeJira(request.param) as server:
        yield server


@pytest.fixture
def cloud() -> Iterator[FakeJira]:
    with FakeJira("cloud") as server:
        yield server


@pytest.fixture
def dc() -> Iterator[FakeJira]:
    with FakeJira("datacenter") as server:
        yield server


def client(fake: FakeJira, **kw: Any) -> JIRA:
    kw.setdefault("max_retries", 0)
    jira = JIRA(**fake.client_kwargs(), **kw)
    jira._session.max_retry_delay = 0  # retries without sleeping
    return jira


def raw(fake: FakeJira, method: str, path: str, **kw: Any) -> requests.Response:
    """A request with the configured credentials, bypassing the library (to see exact bodies)."""
    if fake.flavor == "cloud":
        kw.setdefault("auth", (fake.email, fake.api_token))
    else:
        kw.setdefault("headers", {})["Authorization"] = f"Bearer {fake.pat}"
    return requests.request(method, fake.url + path, timeout=10, **kw)


def create(jira: JIRA, summary: str = "Add alerting on queue depth", **fields: Any) -> Any:
    return jira.create_issue(fields={**OPS_TASK, "summary": summary, **fields})


def search(fake: FakeJira, jira: JIRA, jql: str, **kw: Any) -> list[Any]:
    if fake.flavor == "cloud":
        return list(jira.enhanced_search_issues(jql, **kw))
    return list(jira.search_issues(jql, **kw))


# ---- server, account, auth -------------------------------------------------------------------------


def test_server_info_and_myself(fake: FakeJira) -> None:
    jira = client(fake)  # get_server_info=True by default: the first request is serverInfo
    assert fake.requests[0].path == "/rest/api/2/serverInfo"
    info = jira.server_info()
    assert info["deploymentType"] == ("Cloud" if fake.flavor == "cloud" else "Server")
    assert jira._is_cloud is (fake.flavor == "cloud")
    assert all(isinstance(n, int) for n in info["versionNumbers"])
    me = jira.myself()
    assert me["timeZone"] == "Australia/Sydney"
    if fake.flavor == "cloud":
        assert me["accountId"] == "712020:bot-0001" and "name" not in me
    else:
        assert me["name"] == "tracker-bot" and "accountId" not in me


def test_bad_credentials_get_401(fake: FakeJira) -> None:
    if fake.flavor == "cloud":
        bad: dict[str, Any] = {"basic_auth": (fake.email, "wrong")}
    else:
        bad = {"token_auth": "wrong-pat"}
    with pytest.raises(JIRAError) as err:
        JIRA(server=fake.url, max_retries=0, **bad)
    assert err.value.status_code == 401
    anonymous = requests.get(fake.url + "/rest/api/2/serverInfo", timeout=5)
    assert anonymous.status_code == 200  # serverInfo answers anonymous callers, nothing else does
    assert requests.get(fake.url + "/rest/api/2/myself", timeout=5).status_code == 401


def test_each_flavor_refuses_the_other_flavors_auth(cloud: FakeJira, dc: FakeJira) -> None:
    bearer = {"Authorization": f"Bearer {dc.pat}"}
    assert requests.get(cloud.url + "/rest/api/2/myself", headers=bearer, timeout=5).status_code == 401
    basic = (cloud.email, cloud.api_token)
    assert requests.get(dc.url + "/rest/api/2/myself", auth=basic, timeout=5).status_code == 401


def test_rest_versions_per_flavor(cloud: FakeJira, dc: FakeJira) -> None:
    assert raw(cloud, "GET", "/rest/api/3/myself").status_code == 200
    assert raw(dc, "GET", "/rest/api/3/myself").status_code == 404  # Data Center has no v3
    assert raw(dc, "GET", "/rest/api/latest/myself").status_code == 200
    assert raw(dc, "GET", "/rest/api/2/search/jql?jql=project=OPS").status_code == 404


def test_fields_projects_and_reference_data(fake: FakeJira) -> None:
    jira = client(fake)
    fields = {f["id"]: f for f in jira.fields()}
    assert fields["customfield_10050"]["name"] == "Team"
    assert "cf[10050]" in fields["customfield_10050"]["clauseNames"]
    assert fields["duedate"]["clauseNames"] == ["due", "duedate"]
    project = jira.project("OPS")
    assert project.key == "OPS" and {t.name for t in project.issueTypes} == {"Task", "Bug"}
    categories = {c.key: int(c.id) for c in jira.statuscategories()}
    assert categories == {"undefined": 1, "new": 2, "indeterminate": 4, "done": 3}
    assert {s.name for s in jira.statuses()} >= {"To Do", "In Progress", "In Review", "Done"}
    assert [r.name for r in jira.resolutions()] == [
        "Done", "Won't Do", "Duplicate", "Declined", "Cannot Reproduce",
    ]  # fmt: skip
    assert "Medium" in {p.name for p in jira.priorities()}


# ---- create metadata ---------------------------------------------------------------------------------


def test_old_createmeta_on_cloud(cloud: FakeJira) -> None:
    jira = client(cloud)
    meta = jira.createmeta(projectKeys="PLAT", issuetypeNames="Task", expand="projects.issuetypes.fields")
    (project,) = meta["projects"]
    (itype,) = project["issuetypes"]
    assert itype["fields"]["customfield_10050"]["required"] is True
    assert itype["fields"]["summary"]["required"] is True
    assert "duedate" not in itype["fields"] and "priority" not in itype["fields"]
    without = jira.createmeta(projectKeys="OPS")
    assert all("fields" not in t for t in without["projects"][0]["issuetypes"])


def test_createmeta_issuetypes_forms(cloud: FakeJira, dc: FakeJira) -> None:
    jira = client(dc)
    types = jira.project_issue_types("PLAT")
    assert [t.name for t in types] == ["Task"]
    fields = {f.fieldId: f for f in jira.project_issue_fields("PLAT", types[0].id)}
    assert fields["customfield_10050"].required is True and "duedate" not in fields
    with pytest.raises(JIRAError):
        jira.createmeta(projectKeys="OPS")  # removed in Data Center 9; the library refuses first
    assert raw(dc, "GET", "/rest/api/2/issue/createmeta?projectKeys=OPS").status_code == 404
    page = raw(cloud, "GET", "/rest/api/2/issue/createmeta/PLAT/issuetypes").json()
    assert page["total"] == 1 and page["issueTypes"][0]["name"] == "Task"
    page = raw(cloud, "GET", "/rest/api/2/issue/createmeta/PLAT/issuetypes/10001").json()
    assert {f["fieldId"] for f in page["fields"]} >= {"summary", "customfield_10050"}


def test_old_createmeta_served_by_data_center_8() -> None:
    with FakeJira("datacenter", version=(8, 20, 1)) as fake:
        meta = raw(
            fake, "GET", "/rest/api/2/issue/createmeta?projectKeys=OPS&expand=projects.issuetypes.fields"
        )
        assert meta.status_code == 200 and meta.json()["projects"][0]["key"] == "OPS"


# ---- create, bulk create -----------------------------------------------------------------------------


def test_create_costs_two_requests_and_prefetches(fake: FakeJira) -> None:
    jira = client(fake)
    fake.reset_log()
    issue = create(jira, labels=["postmortem"], duedate="2026-03-01", priority={"name": "High"})
    assert fake.count() == 2 and fake.count("POST", "/rest/api/2/issue") == 1
    assert issue.key == "OPS-1" and issue.id == "10001"
    assert issue.fields.status.statusCategory.key == "new"
    assert issue.fields.duedate == "2026-03-01" and issue.fields.priority.name == "High"
    assert JIRA_TIME.match(issue.fields.updated) and JIRA_TIME.match(issue.fields.created)
    assert issue.fields.resolution is None


def test_create_with_string_project_costs_a_project_lookup(fake: FakeJira) -> None:
    jira = client(fake)
    fake.reset_log()
    jira.create_issue(project="OPS", issuetype={"name": "Task"}, summary="x")
    assert fake.count("GET", "/rest/api/2/project/OPS") == 1


def test_create_errors(fake: FakeJira) -> None:
    jira = client(fake)
    resp = raw(fake, "POST", "/rest/api/2/issue", json={"fields": {**OPS_TASK}})
    assert resp.status_code == 400
    assert resp.json() == {
        "errorMessages": [],
        "errors": {"summary": "You must specify a summary of the issue."},
    }
    plat = {
        "project": {"key": "PLAT"},
        "issuetype": {"name": "Task"},
        "summary": "s",
        "duedate": "2026-01-01",
    }
    body = raw(fake, "POST", "/rest/api/2/issue", json={"fields": plat}).json()
    assert body == {
        "errorMessages": [],
        "errors": {
            "duedate": "Field 'duedate' cannot be set. It is not on the appropriate screen, or unknown.",
            "customfield_10050": "Team is required.",
        },
    }
    ghost = {"accountId": "nobody"} if fake.flavor == "cloud" else {"name": "nobody"}
    with pytest.raises(JIRAError) as err:
        create(jira, assignee=ghost)
    assert err.value.status_code == 400 and "assignee" in err.value.response.json()["errors"]
    del plat["duedate"]
    ok = jira.create_issue(fields={**plat, "customfield_10050": "SRE"})
    assert ok.fields.customfield_10050 == "SRE" and ok.key == "PLAT-1"


def test_create_screen_is_configurable(fake: FakeJira) -> None:
    fake.configure_issue_type("OPS", "Bug", required=("customfield_10060",), hidden=("priority",))
    jira = client(fake)
    bug = {"project": {"key": "OPS"}, "issuetype": {"name": "Bug"}, "summary": "s", "priority": {"id": "1"}}
    with pytest.raises(JIRAError) as err:
        jira.create_issue(fields=bug)
    assert err.value.response.json()["errors"] == {
        "priority": "Field 'priority' cannot be set. It is not on the appropriate screen, or unknown.",
        "customfield_10060": "Root cause is required.",
    }


def test_bulk_create_partial_and_total_failure(fake: FakeJira) -> None:
    jira = client(fake)
    good = {**OPS_TASK, "summary": "one"}
    bad = {**OPS_TASK, "issuetype": {"name": "Epic"}, "summary": "two"}
    results = jira.create_issues([good, bad, {**good, "summary": "three"}])
    assert [r["status"] for r in results] == ["Success", "Error", "Success"]
    assert results[1]["error"] == {"issuetype": "The issue type selected is invalid."}
    assert [r["issue"].key for r in results if r["issue"]] == ["OPS-1", "OPS-2"]
    resp = raw(fake, "POST", "/rest/api/2/issue/bulk", json={"issueUpdates": [{"fields": bad}]})
    assert resp.status_code == 400
    assert resp.json()["issues"] == [] and resp.json()["errors"][0]["failedElementNumber"] == 0
    assert [r["status"] for r in jira.create_issues([bad])] == ["Error"]  # the library parses the 400
    too_many = raw(fake, "POST", "/rest/api/2/issue/bulk", json={"issueUpdates": [{"fields": good}] * 51})
    assert too_many.status_code == 400 and len(fake.issues()) == 2


# ---- read, edit, delete ------------------------------------------------------------------------------


def test_edit_issue_and_204(fake: FakeJira) -> None:
    jira = client(fake)
    issue = create(jira, labels=["a", "b"])
    before = issue.fields.updated
    resp = raw(fake, "PUT", f"/rest/api/2/issue/{issue.id}", json={"fields": {"summary": "Renamed"}})
    assert resp.status_code == 204 and resp.content == b""
    issue.update(fields={"duedate": "2026-05-05"}, update={"labels": [{"add": "c"}, {"remove": "a"}]})
    assert issue.fields.summary == "Renamed" and issue.fields.labels == ["b", "c"]
    assert issue.fields.duedate == "2026-05-05" and issue.fields.updated > before
    bad = raw(
        fake, "PUT", f"/rest/api/2/issue/{issue.key}", json={"fields": {"resolution": {"name": "Done"}}}
    )
    assert bad.status_code == 400
    assert bad.json()["errors"]["resolution"].startswith("Field 'resolution' cannot be set.")


def test_get_issue_fields_and_properties_params(fake: FakeJira) -> None:
    jira = client(fake)
    issue = create(jira)
    jira.add_issue_property(issue, "tracker", {"marker": "m-1"})
    body = raw(fake, "GET", f"/rest/api/2/issue/{issue.key}?fields=summary,status&properties=tracker").json()
    assert set(body["fields"]) == {"summary", "status"}
    assert body["properties"] == {"tracker": {"marker": "m-1"}}
    assert raw(fake, "GET", "/rest/api/2/issue/OPS-99").json() == {
        "errorMessages": ["Issue does not exist or you do not have permission to see it."],
        "errors": {},
    }


def test_delete_issue(fake: FakeJira) -> None:
    jira = client(fake)
    issue = create(jira)
    issue.delete()
    with pytest.raises(JIRAError) as err:
        jira.issue(issue.key)
    assert err.value.status_code == 404


# ---- transitions -------------------------------------------------------------------------------------


def test_workflow_steps_screens_and_reopen(fake: FakeJira) -> None:
    jira = client(fake)
    issue = create(jira)
    assert {t["name"] for t in jira.transitions(issue)} == {"Start Progress", "Cancel"}
    with pytest.raises(JIRAError) as err:
        jira.transition_issue(issue, "31")  # Done is only reachable from In Review
    assert err.value.status_code == 400
    if fake.flavor == "cloud":
        assert err.value.response.json()["errorMessages"] == [
            "Transition id '31' is not valid for this issue."
        ]
    jira.transition_issue(issue, "Start Progress")
    jira.transition_issue(issue, "Submit for Review")
    (done,) = jira.transitions(issue, id="31", expand="transitions.fields")
    assert done["to"]["statusCategory"]["key"] == "done" and done["hasScreen"] is True
    assert done["fields"]["resolution"]["required"] is True
    assert {v["name"] for v in done["fields"]["resolution"]["allowedValues"]} >= {"Won't Do", "Duplicate"}
    with pytest.raises(JIRAError) as err:
        jira.transition_issue(issue, "31")
    assert err.value.response.json()["errors"] == {"resolution": "Resolution is required."}
    with pytest.raises(JIRAError):
        jira.transition_issue(issue, "21", fields={"resolution": {"name": "Done"}})  # not on any screen
    resp = raw(fake, "POST", f"/rest/api/2/issue/{issue.id}/transitions",
               json={"transition": {"id": "31"}, "fields": {"resolution": {"name": "Done"}}})  # fmt: skip
    assert resp.status_code == 204
    done_issue = jira.issue(issue.key)
    assert done_issue.fields.status.name == "Done" and done_issue.fields.resolution.name == "Done"
    assert JIRA_TIME.match(done_issue.fields.resolutiondate)
    jira.transition_issue(issue, "Reopen")
    reopened = jira.issue(issue.key)
    assert reopened.fields.resolution is None and reopened.fields.status.statusCategory.key == "new"


def test_cancel_with_wont_do(fake: FakeJira) -> None:
    jira = client(fake)
    issue = create(jira)
    jira.transition_issue(issue, "Cancel", fields={"resolution": {"name": "Won't Do"}}, comment="not needed")
    issue = jira.issue(issue.key)
    assert issue.fields.status.statusCategory.key == "done" and issue.fields.resolution.name == "Won't Do"
    assert [c.body for c in jira.comments(issue)] == ["not needed"]


# ---- comments, assignee, properties ------------------------------------------------------------------


def test_comments_v2_string(fake: FakeJira) -> None:
    jira = client(fake)
    issue = create(jira)
    comment = jira.add_comment(issue, "Done in PR #12")
    assert comment.body == "Done in PR #12" and JIRA_TIME.match(comment.created)
    assert [c.body for c in jira.comments(issue)] == ["Done in PR #12"]


def test_v3_speaks_adf_and_v2_reads_it_as_text(cloud: FakeJira) -> None:
    v3 = client(cloud, options={"rest_api_version": "3"})
    doc = {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Hi"}]}],
    }
    with pytest.raises(JIRAError) as err:
        v3.create_issue(fields={**OPS_TASK, "summary": "s", "description": "plain"})
    assert err.value.response.json()["errors"] == {
        "description": "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
    }
    issue = v3.create_issue(fields={**OPS_TASK, "summary": "s", "description": doc})
    assert issue.raw["fields"]["description"] == doc
    v3.add_comment(issue, doc)  # type: ignore[arg-type]
    v2 = client(cloud)
    assert v2.issue(issue.key).fields.description == "Hi"
    assert v2.comments(issue.key)[0].body == "Hi"
    with pytest.raises(JIRAError):
        v2.create_issue(fields={**OPS_TASK, "summary": "s", "description": doc})
    v2_issue = create(v2, description="line one\nline two")
    body = v3.issue(v2_issue.key).raw["fields"]["description"]
    assert body["content"][0]["content"][1] == {"type": "hardBreak"}


def test_assign_issue_through_user_search(fake: FakeJira) -> None:
    jira = client(fake)
    issue = create(jira)
    fake.reset_log()
    target = "5b10a2844c20165700ede21b" if fake.flavor == "cloud" else "bob"
    assert jira.assign_issue(issue, target)
    search_req = next(r for r in fake.requests if "user/search" in r.path)
    assert search_req.query["includeActive"] == ["True"]  # the library's Python spelling is accepted
    assert fake.count("PUT", "/rest/api/latest/issue") == 1
    assert fake.issue(issue.key).assignee == "bob"
    assert jira.issue(issue.key).fields.assignee.displayName == "Bob Builder"
    assert jira.assign_issue(issue, None) and fake.issue(issue.key).assignee is None


def test_properties(fake: FakeJira) -> None:
    jira = client(fake)
    issue = create(jira)
    updated = fake.issue(issue.id).updated
    first = jira.add_issue_property(issue, "tracker.marker", {"fp": "abc"})
    second = jira.add_issue_property(issue, "tracker.marker", {"fp": "abd"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert jira.issue_property(issue.key, "tracker.marker").value.fp == "abd"
    assert [p.key for p in jira.issue_properties(issue.key)] == ["tracker.marker"]
    assert fake.issue(issue.id).updated == updated  # properties are not fields
    with pytest.raises(JIRAError) as err:
        jira.issue_property(issue.key, "missing")
    assert err.value.status_code == 404


# ---- people ------------------------------------------------------------------------------------------


def test_user_search_cloud(cloud: FakeJira) -> None:
    jira = client(cloud)
    assert [u.accountId for u in jira.search_users(query="alice")] == ["5b10a2844c20165700ede21a"]
    carol = jira.search_users(query="carol@example.com")
    assert len(carol) == 1 and not hasattr(carol[0], "emailAddress")  # hidden by her privacy setting
    assert jira.search_users(query="dave") == []  # inactive
    resp = raw(cloud, "GET", "/rest/api/2/user/search?username=alice")
    assert resp.status_code == 400
    assignable = raw(cloud, "GET", "/rest/api/2/user/assignable/search?query=bu&project=OPS").json()
    assert [u["displayName"] for u in assignable] == ["Bob Builder"]


def test_user_search_data_center(dc: FakeJira) -> None:
    jira = client(dc)
    assert [u.name for u in jira.search_users(user="bob")] == ["bob"]
    assert [u.name for u in jira.search_users(user="dave", includeInactive=True)] == ["dave"]
    assert jira.search_users(user="dave") == []
    assert raw(dc, "GET", "/rest/api/2/user/search?query=bob").status_code == 400
    found = jira.search_assignable_users_for_issues(username="ali", project="OPS")
    assert [u.name for u in found] == ["alice"]
    assert jira.user("carol").emailAddress == "carol@example.com"


# ---- search ------------------------------------------------------------------------------------------


def test_cloud_search_jql_paging(cloud: FakeJira) -> None:
    jira = client(cloud)
    for n in range(5):
        create(jira, f"item {n}", labels=["pm"])
    page = jira.enhanced_search_issues("project = OPS ORDER BY key ASC", maxResults=2, fields=["summary"])
    assert [i.key for i in page] == ["OPS-1", "OPS-2"] and page.nextPageToken
    nxt = jira.enhanced_search_issues(
        "project = OPS ORDER BY key ASC", maxResults=2, fields=["summary"], nextPageToken=page.nextPageToken
    )
    assert [i.key for i in nxt] == ["OPS-3", "OPS-4"]
    cloud.reset_log()
    everything = jira.enhanced_search_issues("labels = pm", maxResults=False, fields=["summary"])
    assert len(everything) == 5 and cloud.count("GET", "/rest/api/2/search/jql") == 1
    body = raw(
        cloud, "GET", "/rest/api/2/search/jql", params={"jql": "project = OPS", "maxResults": 2}
    ).json()
    assert body["issues"] == [{"id": "10005"}, {"id": "10004"}]  # default fields: id only
    assert "total" not in body and body["isLast"] is False and "nextPageToken" in body
    last = raw(cloud, "GET", "/rest/api/2/search/jql",
               params={"jql": "project = OPS", "nextPageToken": body["nextPageToken"], "maxResults": 10}).json()  # fmt: skip
    assert last["isLast"] is True and "nextPageToken" not in last and len(last["issues"]) == 3
    posted = jira.enhanced_search_issues("project = OPS", fields=["summary"], use_post=True)
    assert len(posted) == 5
    assert jira.search_issues("project = OPS", maxResults=3).total == 3  # Cloud: delegated to /search/jql
    assert jira.approximate_issue_count("project = OPS") == 5


def test_cloud_old_search_is_gone(cloud: FakeJira) -> None:
    for version in ("2", "3"):
        for method in ("GET", "POST"):
            kw: dict[str, Any] = (
                {"params": {"jql": "project = OPS"}} if method == "GET" else {"json": {"jql": "x"}}
            )
            resp = raw(cloud, method, f"/rest/api/{version}/search", **kw)
            assert resp.status_code == 410
            assert resp.json()["errorMessages"] == [CHANGE_2046]


def test_cloud_search_needs_bounded_valid_jql(cloud: FakeJira) -> None:
    jira = client(cloud)
    with pytest.raises(JIRAError) as err:
        jira.enhanced_search_issues("order by key")
    assert err.value.status_code == 400
    assert "Unbounded JQL queries are not allowed here" in err.value.response.json()["errorMessages"][0]
    for bad in ("project = ", "project = OPS AND", 'labels = "unterminated', "nosuchfield = 1", "project ~ OPS",
                "project = NOPE", "updated >= 'yesterday'"):  # fmt: skip
        resp = raw(cloud, "GET", "/rest/api/2/search/jql", params={"jql": bad})
        assert resp.status_code == 400, bad
        assert resp.json()["errorMessages"], bad


def test_jql_clauses(fake: FakeJira) -> None:
    jira = client(fake)
    a = create(jira, "alpha", labels=["pm", "x"])
    b = create(jira, "beta", labels=["pm"])
    c = create(jira, "gamma")
    fake.person("bob").move(c.key, "PLAT")

    def keys(jql: str) -> list[str]:
        return [i.key for i in search(fake, jira, jql, fields=["summary"])]

    assert keys('project = OPS AND labels = "pm" ORDER BY key ASC') == ["OPS-1", "OPS-2"]
    assert keys("project in (OPS, PLAT) ORDER BY key DESC") == ["PLAT-1", "OPS-2", "OPS-1"]
    assert keys(f"id in ({a.id}, {c.id}) ORDER BY id ASC") == ["OPS-1", "PLAT-1"]
    assert keys("key in (OPS-2, OPS-3)") == ["PLAT-1", "OPS-2"]  # the moved issue answers to its old key
    assert keys("(labels = x OR summary ~ beta) AND project = OPS ORDER BY key") == ["OPS-1", "OPS-2"]
    assert keys("project = OPS AND labels is EMPTY") == []
    assert keys("project = PLAT AND resolution = Unresolved AND statusCategory = new") == ["PLAT-1"]
    assert keys("project = OPS AND NOT labels = x") == ["OPS-2"]
    assert b.key in keys("project = OPS AND assignee is EMPTY")


def test_jql_updated_cursor_forms_and_order(fake: FakeJira) -> None:
    jira = client(fake)
    first = create(jira, "first")
    fake.advance(timedelta(minutes=3))
    second = create(jira, "second")
    cutoff = fake.issue(second.id).updated
    ms = int(cutoff.timestamp() * 1000)
    assert [i.key for i in search(fake, jira, f"project = OPS AND updated >= {ms}")] == [second.key]
    # A date without zone is read in the account's profile zone (Australia/Sydney here), not UTC.
    local = (cutoff - timedelta(minutes=1)).astimezone(ZoneInfo("Australia/Sydney"))
    minute = local.strftime("%Y/%m/%d %H:%M")
    assert [i.key for i in search(fake, jira, f'project = OPS AND updated >= "{minute}"')] == [second.key]
    utc_minute = (cutoff - timedelta(minutes=1)).astimezone(UTC).strftime("%Y/%m/%d %H:%M")
    assert len(search(fake, jira, f'project = OPS AND updated >= "{utc_minute}"')) == 2  # 10-11 h earlier
    fake.person().edit_summary(first.key, "first, edited")
    ordered = search(fake, jira, "project = OPS ORDER BY updated ASC", fields=["updated"])
    assert [i.key for i in ordered] == [second.key, first.key]
    ordered = search(fake, jira, "project = OPS ORDER BY updated DESC", fields=["updated"])
    assert [i.key for i in ordered] == [first.key, second.key]


def test_data_center_search(dc: FakeJira) -> None:
    jira = client(dc)
    for n in range(7):
        create(jira, f"n{n}")
    page = jira.search_issues("project = OPS ORDER BY key", startAt=2, maxResults=3)
    assert [i.key for i in page] == ["OPS-3", "OPS-4", "OPS-5"] and page.total == 7
    dc.reset_log()
    everything = jira.search_issues("project = OPS", maxResults=False)
    assert len(everything) == 7 and dc.count("GET", "/rest/api/2/search") == 1
    body = raw(dc, "POST", "/rest/api/2/search", json={"jql": "project = OPS", "maxResults": 2}).json()
    assert (body["startAt"], body["maxResults"], body["total"]) == (0, 2, 7)
    assert jira.enhanced_search_issues("project = OPS") is None  # @cloud_api: the library refuses


def test_search_index_lag_and_reconcile(cloud: FakeJira) -> None:
    cloud.search_lag = 30
    jira = client(cloud)
    issue = create(jira)
    assert jira.enhanced_search_issues("project = OPS") == []
    found = jira.enhanced_search_issues("project = OPS", reconcileIssues=[int(issue.id)])
    assert [i.id for i in found] == [issue.id]
    cloud.advance(timedelta(seconds=31))
    assert len(jira.enhanced_search_issues("project = OPS")) == 1
    cloud.person().edit_summary(issue.key, "edited")  # an edit also falls out of the index for a while
    assert jira.enhanced_search_issues("project = OPS") == []


# ---- failures, limits, faults ------------------------------------------------------------------------


def test_rate_limit_429(fake: FakeJira) -> None:
    jira = client(fake)
    fake.set_rate_limit(2, window=600)
    jira.myself()
    jira.myself()
    with pytest.raises(JIRAError) as err:
        jira.myself()
    assert err.value.status_code == 429
    headers = err.value.response.headers
    assert int(headers["Retry-After"]) >= 1 and headers["X-RateLimit-Remaining"] == "0"
    assert headers["X-RateLimit-Limit"] == "2"
    fake.set_rate_limit(None)
    retrying = client(fake, max_retries=2)
    fake.set_rate_limit(0, window=600, retry_after=1)
    fake.reset_log()
    with pytest.raises(JIRAError):
        retrying.myself()
    assert fake.count("GET", "/rest/api/2/myself") == 3  # 1 + max_retries attempts


def test_fail_next_503_with_and_without_retry_after(fake: FakeJira) -> None:
    jira = client(fake, max_retries=3)
    fake.reset_log()
    fake.fail_next("GET", "/rest/api/2/myself", 503, times=2, retry_after=1)
    assert jira.myself()["displayName"] == "Tracker Bot"
    assert fake.count("GET", "/rest/api/2/myself") == 3
    fake.fail_next("GET", "*/myself", 503)
    with pytest.raises(JIRAError) as err:
        jira.myself()  # no Retry-After: the library does not retry a 503
    assert err.value.status_code == 503 and fake.count("GET", "/rest/api/2/myself") == 4
    fake.fail_next("POST", "/rest/api/2/issue", 500)
    with pytest.raises(JIRAError):
        create(jira)
    assert fake.issues() == []  # an injected failure is not applied


def test_dropped_response_after_create_still_creates(fake: FakeJira) -> None:
    jira = client(fake)
    fake.drop_response_after_create()
    with pytest.raises(requests.exceptions.ConnectionError):
        create(jira, "lost reply")
    assert [i.summary for i in fake.issues()] == ["lost reply"]
    fake.drop_response_after_bulk()
    with pytest.raises(requests.exceptions.ConnectionError):
        jira.create_issues([{**OPS_TASK, "summary": "bulk one"}, {**OPS_TASK, "summary": "bulk two"}])
    assert len(fake.issues()) == 3
    fake.drop_next("POST", "*/issue")
    with pytest.raises(requests.exceptions.ConnectionError):
        create(jira, "never arrives")
    assert len(fake.issues()) == 3
    assert create(jira, "fine").key == "OPS-4"


def test_retried_create_after_drop_duplicates(fake: FakeJira) -> None:
    jira = client(fake, max_retries=1)
    fake.drop_response_after_create()
    create(jira, "twice")
    assert [i.summary for i in fake.issues()] == ["twice", "twice"]  # why sync must recover by marker


def test_delay_makes_client_time_out(fake: FakeJira) -> None:
    jira = client(fake, timeout=0.3)
    fake.delay_next("GET", "*/myself", 2.0)
    with pytest.raises(requests.exceptions.ReadTimeout):
        jira.myself()


# ---- acting as a person, clock -----------------------------------------------------------------------


def test_person_actions_bump_updated(fake: FakeJira) -> None:
    jira = client(fake)
    issue = create(jira, labels=["pm", "keep"])
    person = fake.person("alice")
    stamps = [fake.issue(issue.id).updated]
    for act in (
        lambda: person.transition(issue.key, "Cancelled", resolution="Won't Do"),
        lambda: person.reassign(issue.key, "carol"),
        lambda: person.set_due_date(issue.key, "2026-06-30"),
        lambda: person.edit_summary(issue.key, "Renamed by Alice"),
        lambda: person.remove_label(issue.key, "pm"),
        lambda: person.comment(issue.key, "closing"),
    ):
        act()
        stamps.append(fake.issue(issue.id).updated)
    assert stamps == sorted(set(stamps))  # every action moved `updated` forward
    seen = jira.issue(issue.key)
    assert seen.fields.resolution.name == "Won't Do" and seen.fields.status.name == "Cancelled"
    assert seen.fields.summary == "Renamed by Alice" and seen.fields.labels == ["keep"]
    assert seen.fields.duedate == "2026-06-30"
    assert (seen.fields.assignee.accountId if fake.flavor == "cloud" else seen.fields.assignee.name) in (
        "5b10a2844c20165700ede21c",
        "carol",
    )
    moved = person.move(issue.key, "PLAT")
    assert moved.key == "PLAT-1" and moved.id == int(issue.id)
    assert jira.issue(issue.key).key == "PLAT-1"  # the old key still resolves
    person.delete(moved.key)
    with pytest.raises(JIRAError):
        jira.issue(issue.id)


def test_clock_skew_shows_in_server_time_and_date_header() -> None:
    with FakeJira("cloud", clock_skew=timedelta(hours=-2)) as fake:
        resp = raw(fake, "GET", "/rest/api/2/serverInfo")
        server_time = datetime.strptime(resp.json()["serverTime"], "%Y-%m-%dT%H:%M:%S.%f%z")
        assert abs(server_time - (datetime.now(UTC) - timedelta(hours=2))) < timedelta(seconds=30)
        from email.utils import parsedate_to_datetime

        date_header = parsedate_to_datetime(resp.headers["Date"])
        assert abs(date_header - (datetime.now(UTC) - timedelta(hours=2))) < timedelta(seconds=30)
        issue = fake.seed_issue(summary="seeded")
        assert abs(issue.created - (datetime.now(UTC) - timedelta(hours=2))) < timedelta(seconds=30)


def test_request_log_counts(fake: FakeJira) -> None:
    jira = client(fake)
    assert fake.count("GET", "/rest/api/2/serverInfo") == 1
    fake.reset_log()
    assert fake.count() == 0
    create(jira)
    assert fake.count() == 2 and fake.count("POST") == 1 and fake.count("GET", "/rest/api/2/issue/") == 1
    assert fake.requests[0].body["fields"]["summary"] == "Add alerting on queue depth"


def test_seeded_issues_ignore_api_screens(fake: FakeJira) -> None:
    issue = fake.seed_issue("PLAT", "UI-made", duedate="2026-01-01", labels=["pm"])
    assert issue.key == "PLAT-1" and issue.duedate == "2026-01-01"
    assert fake.count() == 0


def test_context_path() -> None:
    with FakeJira("datacenter", context_path="/jira") as fake:
        assert fake.url.endswith("/jira")
        jira = client(fake)
        issue = create(jira)
        assert issue.self.startswith(fake.url + "/rest/api/2/issue/")
        assert fake.count("POST", "/rest/api/2/issue") == 1


def test_command_line_runs_standalone() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracker.sandbox.jira", "--flavor", "cloud", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert url, line
        info = requests.get(url.group(0) + "/rest/api/2/serverInfo", timeout=5).json()
        assert info["deploymentType"] == "Cloud"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# ---- conformance to the Jira Cloud v3 OpenAPI description --------------------------------------------


@pytest.fixture(scope="module")
def spec(shared_dir: Path) -> dict[str, Any]:
    return json.loads((shared_dir / "specs" / "jira-platform.openapi.json").read_text(encoding="utf-8"))


def check(spec: dict[str, Any], template: str, resp: requests.Response) -> Any:
    """Validate a response body against the schema the spec gives for that operation and status."""
    from openapi_schema_validator import OAS30ReadValidator

    op = spec["paths"][template][resp.request.method.lower()]  # type: ignore[union-attr]
    declared = op["responses"][str(resp.status_code)]
    schema = declared.get("content", {}).get("application/json", {}).get("schema")
    body = resp.json() if resp.content else None
    if schema:
        # The root carries the components so that "#/components/schemas/..." references resolve.
        OAS30ReadValidator({**schema, "components": spec["components"]}).validate(body)
    return body


def test_v3_responses_match_the_spec(cloud: FakeJira, spec: dict[str, Any]) -> None:
    doc = {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "x"}]}],
    }
    base = "/rest/api/3"
    check(spec, f"{base}/serverInfo", raw(cloud, "GET", f"{base}/serverInfo"))
    check(spec, f"{base}/myself", raw(cloud, "GET", f"{base}/myself"))
    check(spec, f"{base}/field", raw(cloud, "GET", f"{base}/field"))
    check(spec, f"{base}/project/{{projectIdOrKey}}", raw(cloud, "GET", f"{base}/project/OPS"))
    check(spec, f"{base}/statuscategory", raw(cloud, "GET", f"{base}/statuscategory"))
    fields = {**OPS_TASK, "summary": "spec", "description": doc, "labels": ["pm"], "duedate": "2026-01-02"}
    fields["assignee"] = {"accountId": "5b10a2844c20165700ede21a"}
    created = check(spec, f"{base}/issue", raw(cloud, "POST", f"{base}/issue", json={"fields": fields}))
    bad = raw(cloud, "POST", f"{base}/issue", json={"fields": {**OPS_TASK}})
    assert bad.status_code == 400 and check(spec, f"{base}/issue", bad)["errors"]
    bulk = {"issueUpdates": [{"fields": {**OPS_TASK, "summary": "b"}}, {"fields": OPS_TASK}]}
    check(spec, f"{base}/issue/bulk", raw(cloud, "POST", f"{base}/issue/bulk", json=bulk))
    none = raw(cloud, "POST", f"{base}/issue/bulk", json={"issueUpdates": [{"fields": OPS_TASK}]})
    assert none.status_code == 400 and check(spec, f"{base}/issue/bulk", none)["issues"] == []
    item = f"{base}/issue/{{issueIdOrKey}}"
    key = created["key"]
    issue = check(spec, item, raw(cloud, "GET", f"{base}/issue/{key}"))
    assert issue["fields"]["description"] == doc
    assert raw(cloud, "PUT", f"{base}/issue/{key}", json={"fields": {"summary": "y"}}).status_code == 204
    check(
        spec,
        f"{item}/transitions",
        raw(cloud, "GET", f"{base}/issue/{key}/transitions?expand=transitions.fields"),
    )
    started = raw(cloud, "POST", f"{base}/issue/{key}/transitions", json={"transition": {"id": "11"}})
    assert started.status_code == 204
    check(spec, f"{item}/comment", raw(cloud, "POST", f"{base}/issue/{key}/comment", json={"body": doc}))
    check(spec, f"{item}/comment", raw(cloud, "GET", f"{base}/issue/{key}/comment"))
    assert raw(cloud, "PUT", f"{base}/issue/{key}/assignee", json={"accountId": None}).status_code == 204
    prop = f"{item}/properties/{{propertyKey}}"
    assert raw(cloud, "PUT", f"{base}/issue/{key}/properties/m", json={"a": 1}).status_code == 201
    check(spec, prop, raw(cloud, "GET", f"{base}/issue/{key}/properties/m"))
    jql = f"{base}/search/jql"
    page = check(spec, jql, raw(cloud, "GET", jql, params={"jql": "project = OPS", "fields": "*all"}))
    started_issue = next(i for i in page["issues"] if i["key"] == key)
    assert started_issue["fields"]["status"]["statusCategory"]["key"] == "indeterminate"
    body = {
        "jql": "project = OPS",
        "fields": ["summary"],
        "expand": None,
        "properties": None,
        "reconcileIssues": [],
    }
    check(spec, jql, raw(cloud, "POST", jql, json=body))
    count = f"{base}/search/approximate-count"
    assert check(spec, count, raw(cloud, "POST", count, json={"jql": "project = OPS"})) == {"count": 2}
    people = f"{base}/user/search"
    assert check(spec, people, raw(cloud, "GET", people, params={"query": "a"}))
    assignable = f"{base}/user/assignable/search"
    check(spec, assignable, raw(cloud, "GET", assignable, params={"query": "a", "issueKey": key}))
