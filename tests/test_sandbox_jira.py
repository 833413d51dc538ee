"""The loopback fake Jira, driven with the requests tracker's Jira backend sends (Cloud and Data Center),
and checked against the Jira Cloud v3 OpenAPI description."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from tracker.backends.jira_named import key_jql
from tracker.backends.jira_search import tracker_jql
from tracker.sandbox.jira import FakeJira

JIRA_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$")
CHANGE_2046 = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)
OPS_TASK = {"project": {"key": "OPS"}, "issuetype": {"name": "Task"}}
API = "/rest/api/2"
NOT_ON_SCREEN = "cannot be set. It is not on the appropriate screen, or unknown."


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


def raw(fake: FakeJira, method: str, path: str, **kw: Any) -> requests.Response:
    """A request with the configured credentials (Basic on Cloud, a PAT on Data Center)."""
    if fake.flavor == "cloud":
        kw.setdefault("auth", (fake.email, fake.api_token))
    else:
        kw.setdefault("headers", {}).setdefault("Authorization", f"Bearer {fake.pat}")
    kw.setdefault("timeout", 10)
    return requests.request(method, fake.url + path, **kw)


def bulk(fake: FakeJira, *updates: dict[str, Any], version: str = "2") -> requests.Response:
    return raw(fake, "POST", f"/rest/api/{version}/issue/bulk", json={"issueUpdates": list(updates)})


def create(fake: FakeJira, summary: str = "Add alerting on queue depth", **fields: Any) -> dict[str, Any]:
    """One issue through issue/bulk, as the backend creates them; {id, key, self}."""
    resp = bulk(fake, {"fields": {**OPS_TASK, "summary": summary, **fields}})
    assert resp.status_code == 201, resp.text
    created: dict[str, Any] = resp.json()["issues"][0]
    return created


def get(fake: FakeJira, ref: str, **params: Any) -> dict[str, Any]:
    resp = raw(fake, "GET", f"{API}/issue/{ref}", params=params)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def search(fake: FakeJira, jql: str, **params: Any) -> list[dict[str, Any]]:
    """Every issue of a search, paging as the backend does."""
    found: list[dict[str, Any]] = []
    params = {"jql": jql, "fields": "summary,updated", **params}
    while True:
        if fake.flavor == "cloud":
            page = raw(fake, "GET", f"{API}/search/jql", params=params)
        else:
            page = raw(fake, "GET", f"{API}/search", params={**params, "startAt": len(found)})
        assert page.status_code == 200, page.text
        body = page.json()
        found += body["issues"]
        if fake.flavor == "cloud":
            if body.get("isLast") or not body["issues"]:
                return found
            params["nextPageToken"] = body["nextPageToken"]
        elif len(found) >= body["total"] or not body["issues"]:
            return found


# ---- server, auth, versions -------------------------------------------------------------------------


def test_server_info_answers_anonymous_callers_and_nothing_else_does(fake: FakeJira) -> None:
    info = requests.get(fake.url + f"{API}/serverInfo", timeout=5)
    assert info.status_code == 200
    assert info.json()["deploymentType"] == ("Cloud" if fake.flavor == "cloud" else "Server")
    assert all(isinstance(n, int) for n in info.json()["versionNumbers"])
    assert requests.get(fake.url + f"{API}/field", timeout=5).status_code == 401
    wrong: dict[str, Any] = (
        {"auth": (fake.email, "wrong")}
        if fake.flavor == "cloud"
        else {"headers": {"Authorization": "Bearer wrong-pat"}}
    )
    refused = raw(fake, "GET", f"{API}/field", **wrong)
    assert refused.status_code == 401 and refused.json()["errorMessages"]
    assert raw(fake, "GET", f"{API}/field").status_code == 200


def test_each_flavor_refuses_the_other_flavors_auth(cloud: FakeJira, dc: FakeJira) -> None:
    bearer = {"Authorization": f"Bearer {dc.pat}"}
    assert requests.get(cloud.url + f"{API}/field", headers=bearer, timeout=5).status_code == 401
    basic = (cloud.email, cloud.api_token)
    assert requests.get(dc.url + f"{API}/field", auth=basic, timeout=5).status_code == 401


def test_rest_versions_per_flavor(cloud: FakeJira, dc: FakeJira) -> None:
    assert raw(cloud, "GET", "/rest/api/3/field").status_code == 200
    assert raw(dc, "GET", "/rest/api/3/field").status_code == 404  # Data Center has no v3
    assert raw(dc, "GET", "/rest/api/latest/field").status_code == 200
    assert raw(dc, "GET", f"{API}/search/jql", params={"jql": 'project = "OPS"'}).status_code == 404


def test_routes_tracker_does_not_call_are_not_served(fake: FakeJira) -> None:
    issue = create(fake)
    for method, path in (("GET", "myself"), ("POST", "issue"), ("GET", "project/OPS"),
                         ("GET", f"issue/{issue['id']}/properties/tracker.marker"), ("GET", "user/search")):  # fmt: skip
        answer = raw(fake, method, f"{API}/{path}", json={} if method == "POST" else None)
        assert answer.status_code in (404, 405), path
        assert answer.json()["errorMessages"], path


# ---- metadata: fields and create screens -------------------------------------------------------------


def test_field_list_names_the_epic_fields(fake: FakeJira) -> None:
    fields = {f["name"]: f for f in raw(fake, "GET", f"{API}/field").json()}
    assert (
        fields["Epic Link"]["id"] == "customfield_10101" and fields["Epic Name"]["id"] == "customfield_10102"
    )
    assert fields["Team"]["custom"] is True and fields["Summary"]["custom"] is False


def test_createmeta_pages_per_flavor(cloud: FakeJira, dc: FakeJira) -> None:
    types = raw(cloud, "GET", f"{API}/issue/createmeta/PLAT/issuetypes").json()
    assert types["total"] == 1 and types["issueTypes"][0]["name"] == "Task"
    dc_types = raw(dc, "GET", f"{API}/issue/createmeta/PLAT/issuetypes").json()
    assert dc_types["isLast"] is True and dc_types["values"][0]["name"] == "Task"  # DC pages under values
    type_id = types["issueTypes"][0]["id"]
    for fake, key in ((cloud, "fields"), (dc, "values")):
        page = raw(fake, "GET", f"{API}/issue/createmeta/PLAT/issuetypes/{type_id}").json()
        fields = {f["fieldId"]: f for f in page[key]}
        assert fields["customfield_10050"]["required"] is True and fields["summary"]["required"] is True
        assert "duedate" not in fields and "priority" not in fields
        assert raw(fake, "GET", f"{API}/issue/createmeta/NOPE/issuetypes").status_code == 404
        assert raw(fake, "GET", f"{API}/issue/createmeta/PLAT/issuetypes/999").status_code == 404


def test_create_screen_is_configurable(fake: FakeJira) -> None:
    fake.configure_issue_type("OPS", "Bug", required=("customfield_10060",), hidden=("priority",))
    bug = {"project": {"key": "OPS"}, "issuetype": {"name": "Bug"}, "summary": "s", "priority": {"id": "1"}}
    resp = bulk(fake, {"fields": bug})
    assert resp.status_code == 400
    assert resp.json()["errors"][0]["elementErrors"]["errors"] == {
        "priority": f"Field 'priority' {NOT_ON_SCREEN}",
        "customfield_10060": "Root cause is required.",
    }


# ---- bulk create -------------------------------------------------------------------------------------


def test_bulk_create_partial_and_total_failure(fake: FakeJira) -> None:
    good = {"fields": {**OPS_TASK, "summary": "one"}}
    bad = {"fields": {**OPS_TASK, "issuetype": {"name": "Epic"}, "summary": "two"}}
    resp = bulk(fake, good, bad, {"fields": {**OPS_TASK, "summary": "three"}})
    assert resp.status_code == 201
    body = resp.json()
    assert [i["key"] for i in body["issues"]] == ["OPS-1", "OPS-2"]
    assert body["errors"] == [
        {
            "status": 400,
            "elementErrors": {
                "errorMessages": [],
                "errors": {"issuetype": "The issue type selected is invalid."},
            },
            "failedElementNumber": 1,
        }
    ]
    none = bulk(fake, bad)
    assert none.status_code == 400 and none.json()["issues"] == []
    assert none.json()["errors"][0]["failedElementNumber"] == 0
    too_many = bulk(fake, *[good] * 51)
    assert too_many.status_code == 400 and len(fake.issues()) == 2


def test_create_errors_name_the_field(fake: FakeJira) -> None:
    def errors(fields: dict[str, Any]) -> dict[str, str]:
        resp = bulk(fake, {"fields": fields})
        assert resp.status_code == 400
        found: dict[str, str] = resp.json()["errors"][0]["elementErrors"]["errors"]
        return found

    assert errors(OPS_TASK) == {"summary": "You must specify a summary of the issue."}
    plat = {
        "project": {"key": "PLAT"},
        "issuetype": {"name": "Task"},
        "summary": "s",
        "duedate": "2026-01-01",
    }
    assert errors(plat) == {
        "duedate": f"Field 'duedate' {NOT_ON_SCREEN}",
        "customfield_10050": "Team is required.",
    }
    ghost = {"accountId": "nobody"} if fake.flavor == "cloud" else {"name": "nobody"}
    assert "assignee" in errors({**OPS_TASK, "summary": "s", "assignee": ghost})
    assert "labels" in errors({**OPS_TASK, "summary": "s", "labels": ["has space"]})
    ok = create(fake, "s", project={"key": "PLAT"}, customfield_10050="SRE")
    assert ok["key"] == "PLAT-1" and get(fake, ok["key"], fields="customfield_10050")["fields"] == {
        "customfield_10050": "SRE"
    }


def test_created_issue_reads_back_with_properties(fake: FakeJira) -> None:
    marker = {"key": "tracker.marker", "value": {"marker": "tracker-0001"}}
    fields = {
        **OPS_TASK,
        "summary": "s",
        "labels": ["pm"],
        "duedate": "2026-03-01",
        "priority": {"name": "High"},
    }
    created = bulk(fake, {"fields": fields, "properties": [marker]}).json()["issues"][0]
    assert created["key"] == "OPS-1" and created["id"] == "10001"
    assert created["self"] == f"{fake.url}{API}/issue/10001"
    issue = get(fake, created["id"], fields="summary,status,resolution,duedate,created,updated,labels",
                properties="tracker.marker")  # fmt: skip
    assert issue["properties"] == {"tracker.marker": {"marker": "tracker-0001"}}
    f = issue["fields"]
    assert set(f) == {"summary", "status", "resolution", "duedate", "created", "updated", "labels"}
    assert f["status"]["statusCategory"]["key"] == "new" and f["resolution"] is None
    assert f["duedate"] == "2026-03-01" and f["labels"] == ["pm"]
    assert JIRA_TIME.match(f["updated"]) and JIRA_TIME.match(f["created"])
    assert "properties" not in get(fake, created["key"], fields="summary")
    assert raw(fake, "GET", f"{API}/issue/OPS-99").json() == {
        "errorMessages": ["Issue does not exist or you do not have permission to see it."],
        "errors": {},
    }


# ---- edit, transitions, comments ---------------------------------------------------------------------


def test_edit_answers_204_or_the_issue(fake: FakeJira) -> None:
    issue = create(fake, labels=["a", "b"])
    before = get(fake, issue["id"], fields="updated")["fields"]["updated"]
    resp = raw(fake, "PUT", f"{API}/issue/{issue['id']}", json={"fields": {"summary": "Renamed"}})
    assert resp.status_code == 204 and resp.content == b""
    body = {"fields": {"duedate": "2026-05-05"}, "update": {"labels": [{"add": "c"}, {"remove": "a"}]}}
    returned = raw(fake, "PUT", f"{API}/issue/{issue['id']}", json=body,
                   params={"returnIssue": "true", "fields": "summary,labels,duedate,updated"})  # fmt: skip
    assert returned.status_code == 200
    f = returned.json()["fields"]
    assert f["summary"] == "Renamed" and f["labels"] == ["b", "c"] and f["duedate"] == "2026-05-05"
    assert f["updated"] > before
    bad = raw(fake, "PUT", f"{API}/issue/{issue['key']}", json={"fields": {"resolution": {"name": "Done"}}})
    assert bad.status_code == 400 and bad.json()["errors"] == {
        "resolution": f"Field 'resolution' {NOT_ON_SCREEN}"
    }


def test_workflow_steps_screens_and_reopen(fake: FakeJira) -> None:
    issue = create(fake)
    path = f"{API}/issue/{issue['id']}/transitions"

    def offered() -> dict[str, dict[str, Any]]:
        page = raw(fake, "GET", path, params={"expand": "transitions.fields"}).json()
        return {t["name"]: t for t in page["transitions"]}

    def move(tid: str, **fields: Any) -> requests.Response:
        body: dict[str, Any] = {"transition": {"id": tid}}
        if fields:
            body["fields"] = fields
        return raw(fake, "POST", path, json=body)

    assert set(offered()) == {"Start Progress", "Cancel"}
    refused = move("31")  # Done is only reachable from In Review
    assert refused.status_code == 400
    if fake.flavor == "cloud":
        assert refused.json()["errorMessages"] == ["Transition id '31' is not valid for this issue."]
    assert move("11").status_code == 204 and move("21").status_code == 204
    done = offered()["Done"]
    assert done["to"]["statusCategory"]["key"] == "done" and done["hasScreen"] is True
    assert done["fields"]["resolution"]["required"] is True
    assert {v["name"] for v in done["fields"]["resolution"]["allowedValues"]} >= {"Won't Do", "Duplicate"}
    assert move("31").json()["errors"] == {"resolution": "Resolution is required."}
    assert move("51", resolution={"name": "Done"}).status_code == 400  # not on that transition's screen
    assert move("31", resolution={"name": "Done"}).status_code == 204
    f = get(fake, issue["key"], fields="status,resolution,resolutiondate")["fields"]
    assert f["status"]["name"] == "Done" and f["resolution"]["name"] == "Done"
    assert JIRA_TIME.match(f["resolutiondate"])
    assert move(offered()["Reopen"]["id"]).status_code == 204
    f = get(fake, issue["key"], fields="status,resolution")["fields"]
    assert f["resolution"] is None and f["status"]["statusCategory"]["key"] == "new"


def test_comments_page_by_hundred(fake: FakeJira) -> None:
    issue = create(fake)
    path = f"{API}/issue/{issue['id']}/comment"
    posted = raw(fake, "POST", path, json={"body": "Done in PR #12"})
    assert posted.status_code == 201 and JIRA_TIME.match(posted.json()["created"])
    for n in range(3):
        fake.person("bob").comment(issue["key"], f"note {n}")
    page = raw(fake, "GET", path, params={"startAt": 1, "maxResults": 2}).json()
    assert (page["startAt"], page["maxResults"], page["total"]) == (1, 2, 4)
    assert [c["body"] for c in page["comments"]] == ["note 0", "note 1"]


def test_v3_speaks_adf_and_v2_reads_it_as_text(cloud: FakeJira) -> None:
    doc = {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Hi"}]}],
    }
    plain = bulk(cloud, {"fields": {**OPS_TASK, "summary": "s", "description": "plain"}}, version="3")
    assert plain.json()["errors"][0]["elementErrors"]["errors"] == {
        "description": "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
    }
    issue = bulk(cloud, {"fields": {**OPS_TASK, "summary": "s", "description": doc}}, version="3").json()[
        "issues"
    ][0]
    v3_issue = raw(cloud, "GET", f"/rest/api/3/issue/{issue['id']}", params={"fields": "description"}).json()
    assert v3_issue["fields"]["description"] == doc
    raw(cloud, "POST", f"/rest/api/3/issue/{issue['id']}/comment", json={"body": doc})
    assert get(cloud, issue["id"], fields="description")["fields"]["description"] == "Hi"
    assert raw(cloud, "GET", f"{API}/issue/{issue['id']}/comment").json()["comments"][0]["body"] == "Hi"
    assert bulk(cloud, {"fields": {**OPS_TASK, "summary": "s", "description": doc}}).status_code == 400
    v2_issue = create(cloud, description="line one\nline two")
    body = raw(cloud, "GET", f"/rest/api/3/issue/{v2_issue['id']}", params={"fields": "description"}).json()
    assert body["fields"]["description"]["content"][0]["content"][1] == {"type": "hardBreak"}


# ---- search: exactly the JQL the backend sends -------------------------------------------------------


def test_the_backends_jql_selects_and_orders(fake: FakeJira) -> None:
    first = create(fake, "first", labels=["PostMortem", "x"])
    fake.advance(timedelta(minutes=3))
    second = create(fake, "second", labels=["postmortem"])
    other = create(fake, "unlabelled")
    fake.person("bob").move(other["key"], "PLAT")

    def keys(jql: str) -> list[str]:
        return [i["key"] for i in search(fake, jql)]

    # Labels compare case-insensitively; without ORDER BY the newest comes first.
    assert keys(tracker_jql("OPS", "postmortem", None, order=False)) == [second["key"], first["key"]]
    assert keys(tracker_jql("OPS", None, None)) == [first["key"], second["key"]]
    assert keys(tracker_jql("PLAT", None, None)) == ["PLAT-1"]
    cutoff = fake.issue(second["id"]).updated
    assert keys(tracker_jql("OPS", "postmortem", cutoff)) == [second["key"]]  # `>=` is inclusive
    assert keys(tracker_jql("OPS", "postmortem", cutoff + timedelta(milliseconds=1))) == []
    fake.person().edit_summary(first["key"], "first, edited")
    assert keys(tracker_jql("OPS", "postmortem", cutoff)) == [second["key"], first["key"]]
    assert keys(tracker_jql("OPS", 'say "hi"', None)) == []  # quotes inside a literal are escaped


def test_the_backends_key_search_reads_named_keys_and_follows_moves(fake: FakeJira) -> None:
    first, second, third = (create(fake, f"issue {n}") for n in range(3))
    fake.person("bob").move(third["key"], "PLAT")
    found = search(fake, key_jql([first["key"], second["key"], third["key"]]))
    # Newest first; the moved issue answers to its old key and comes back under its new one.
    assert [i["key"] for i in found] == ["PLAT-1", second["key"], first["key"]]
    assert found[0]["id"] == third["id"] and found[0]["fields"]["summary"] == "issue 2"


def test_a_key_search_naming_missing_keys_fails_whole_with_each_key_named(fake: FakeJira) -> None:
    first = create(fake)
    gone = create(fake, "deleted")
    fake.person().delete(gone["id"])
    path = f"{API}/search/jql" if fake.flavor == "cloud" else f"{API}/search"
    resp = raw(fake, "GET", path, params={"jql": key_jql([first["key"], gone["key"], "OPS-99"])})
    assert resp.status_code == 400
    assert resp.json() == {
        "errorMessages": [
            f"An issue with key '{gone['key']}' does not exist for field 'key'.",
            "An issue with key 'OPS-99' does not exist for field 'key'.",
        ],
        "errors": {},
    }
    assert [i["key"] for i in search(fake, key_jql([first["key"]]))] == [first["key"]]


@pytest.mark.parametrize(
    "jql",
    [
        "project = OPS",  # unquoted: not what the backend sends
        'project = "OPS" AND status = Done',
        'project = "OPS" ORDER BY key ASC',
        'labels = "pm"',
        'project = "OPS" AND updated >= "2026/01/02 03:04"',
        'project = "OPS',
        "key in (OPS-1, OPS-2)",  # unquoted keys: not what the backend sends
        'key = "OPS-1"',
        'key in ("OPS-1") ORDER BY key ASC',
        'project = "OPS" AND key in ("OPS-1")',
    ],
)
def test_other_jql_gets_jiras_400_shape(fake: FakeJira, jql: str) -> None:
    path = f"{API}/search/jql" if fake.flavor == "cloud" else f"{API}/search"
    resp = raw(fake, "GET", path, params={"jql": jql})
    assert resp.status_code == 400
    body = resp.json()
    assert set(body) == {"errorMessages", "errors"} and body["errors"] == {}
    assert body["errorMessages"][0].startswith("Error in the JQL Query:")


def test_unknown_project_and_unbounded_queries(cloud: FakeJira, dc: FakeJira) -> None:
    for fake, path in ((cloud, "search/jql"), (dc, "search")):
        resp = raw(fake, "GET", f"{API}/{path}", params={"jql": 'project = "NOPE"'})
        assert resp.json() == {
            "errorMessages": ["The value 'NOPE' does not exist for the field 'project'."],
            "errors": {},
        }
    for jql in ("", "order by key"):
        resp = raw(cloud, "GET", f"{API}/search/jql", params={"jql": jql})
        assert resp.status_code == 400
        assert resp.json()["errorMessages"][0].startswith("Unbounded JQL queries are not allowed here")


def test_cloud_search_jql_pages_by_token(cloud: FakeJira) -> None:
    for n in range(5):
        create(cloud, f"item {n}", labels=["pm"])
    jql = tracker_jql("OPS", "pm", None)
    path = f"{API}/search/jql"
    body = raw(cloud, "GET", path, params={"jql": jql, "maxResults": 2}).json()
    assert body["issues"] == [{"id": "10001"}, {"id": "10002"}]  # default fields: id only
    assert "total" not in body and "startAt" not in body and body["isLast"] is False
    last = raw(
        cloud, "GET", path, params={"jql": jql, "nextPageToken": body["nextPageToken"], "maxResults": 10}
    )
    assert (
        last.json()["isLast"] is True
        and "nextPageToken" not in last.json()
        and len(last.json()["issues"]) == 3
    )
    stale = raw(
        cloud,
        "GET",
        path,
        params={"jql": tracker_jql("OPS", None, None), "nextPageToken": body["nextPageToken"]},
    )
    assert stale.status_code == 400  # a token belongs to its query
    capped = raw(cloud, "GET", path, params={"jql": jql, "maxResults": 500, "fields": "summary"}).json()
    assert len(capped["issues"]) == 5 and capped["issues"][0]["fields"] == {"summary": "item 0"}
    cloud.reset_log()
    assert len(search(cloud, jql, maxResults=100)) == 5 and cloud.count("GET", path) == 1


def test_cloud_old_search_is_gone(cloud: FakeJira) -> None:
    for version in ("2", "3"):
        resp = raw(cloud, "GET", f"/rest/api/{version}/search", params={"jql": 'project = "OPS"'})
        assert resp.status_code == 410 and resp.json()["errorMessages"] == [CHANGE_2046]


def test_data_center_search_pages_by_start_at(dc: FakeJira) -> None:
    for n in range(7):
        create(dc, f"n{n}")
    jql = tracker_jql("OPS", None, None)
    page = raw(dc, "GET", f"{API}/search", params={"jql": jql, "startAt": 2, "maxResults": 3}).json()
    assert [i["key"] for i in page["issues"]] == ["OPS-3", "OPS-4", "OPS-5"]
    assert (page["startAt"], page["maxResults"], page["total"]) == (2, 3, 7)
    dc.reset_log()
    assert len(search(dc, jql, maxResults=100)) == 7 and dc.count("GET", f"{API}/search") == 1


def test_search_index_lag_and_reconcile(cloud: FakeJira) -> None:
    cloud.search_lag = 30
    issue = create(cloud)
    jql = tracker_jql("OPS", None, None)
    assert search(cloud, jql) == []
    assert [i["id"] for i in search(cloud, jql, reconcileIssues=issue["id"])] == [issue["id"]]
    cloud.advance(timedelta(seconds=31))
    assert len(search(cloud, jql)) == 1
    cloud.person().edit_summary(issue["key"], "edited")  # an edit also falls out of the index for a while
    assert search(cloud, jql) == []


# ---- failures, limits, faults ------------------------------------------------------------------------


def test_rate_limit_429(fake: FakeJira) -> None:
    fake.set_rate_limit(2, window=600)
    assert [raw(fake, "GET", f"{API}/field").status_code for _ in range(3)] == [200, 200, 429]
    headers = raw(fake, "GET", f"{API}/field").headers
    assert int(headers["Retry-After"]) >= 1 and headers["X-RateLimit-Remaining"] == "0"
    assert headers["X-RateLimit-Limit"] == "2"
    fake.set_rate_limit(0, window=600, retry_after=7)
    assert raw(fake, "GET", f"{API}/field").headers["Retry-After"] == "7"
    fake.set_rate_limit(None)
    assert raw(fake, "GET", f"{API}/field").status_code == 200


def test_injected_failures_are_not_applied(fake: FakeJira) -> None:
    fake.fail_next("GET", f"{API}/field", 503, times=2, retry_after=1)
    answers = [raw(fake, "GET", f"{API}/field") for _ in range(3)]
    assert [a.status_code for a in answers] == [503, 503, 200] and answers[0].headers["Retry-After"] == "1"
    fake.fail_next("POST", "*/issue/bulk", 500)
    assert bulk(fake, {"fields": {**OPS_TASK, "summary": "s"}}).status_code == 500
    assert fake.issues() == []


def test_dropped_answers_before_and_after_the_write(fake: FakeJira) -> None:
    fake.drop_response_after_bulk()
    with pytest.raises(requests.exceptions.ConnectionError):
        bulk(fake, {"fields": {**OPS_TASK, "summary": "one"}}, {"fields": {**OPS_TASK, "summary": "two"}})
    assert sorted(i.summary for i in fake.issues()) == ["one", "two"]  # applied, answer lost
    fake.drop_next("POST", "*/issue/bulk")
    with pytest.raises(requests.exceptions.ConnectionError):
        create(fake, "never arrives")
    assert len(fake.issues()) == 2
    assert create(fake, "fine")["key"] == "OPS-3"


def test_delay_makes_a_client_time_out(fake: FakeJira) -> None:
    fake.delay_next("GET", "*/field", 2.0)
    with pytest.raises(requests.exceptions.ReadTimeout):
        raw(fake, "GET", f"{API}/field", timeout=0.3)


# ---- acting as a person, clock, log ------------------------------------------------------------------


def test_person_actions_bump_updated(fake: FakeJira) -> None:
    issue = create(fake, labels=["pm", "keep"])
    person = fake.person("alice")
    stamps = [fake.issue(issue["id"]).updated]
    for act in (
        lambda: person.transition(issue["key"], "Cancelled", resolution="Won't Do"),
        lambda: person.reassign(issue["key"], "carol"),
        lambda: person.set_due_date(issue["key"], "2026-06-30"),
        lambda: person.edit_summary(issue["key"], "Renamed by Alice"),
        lambda: person.remove_label(issue["key"], "pm"),
        lambda: person.comment(issue["key"], "closing"),
    ):
        act()
        stamps.append(fake.issue(issue["id"]).updated)
    assert stamps == sorted(set(stamps))  # every action moved `updated` forward
    f = get(fake, issue["key"], fields="status,resolution,summary,labels,duedate,assignee")["fields"]
    assert f["resolution"]["name"] == "Won't Do" and f["status"]["name"] == "Cancelled"
    assert f["summary"] == "Renamed by Alice" and f["labels"] == ["keep"] and f["duedate"] == "2026-06-30"
    if fake.flavor == "cloud":
        assert (
            f["assignee"]["accountId"] == "5b10a2844c20165700ede21c" and "emailAddress" not in f["assignee"]
        )
    else:
        assert f["assignee"]["name"] == "carol" and "accountId" not in f["assignee"]
    moved = person.move(issue["key"], "PLAT")
    assert moved.key == "PLAT-1" and moved.id == int(issue["id"])
    assert get(fake, issue["key"], fields="summary")["key"] == "PLAT-1"  # the old key still resolves
    person.delete(moved.key)
    assert raw(fake, "GET", f"{API}/issue/{issue['id']}").status_code == 404


def test_clock_skew_shows_in_server_time_and_date_header() -> None:
    with FakeJira("cloud", clock_skew=timedelta(hours=-2)) as fake:
        resp = raw(fake, "GET", f"{API}/serverInfo")
        expected = datetime.now(UTC) - timedelta(hours=2)
        server_time = datetime.strptime(resp.json()["serverTime"], "%Y-%m-%dT%H:%M:%S.%f%z")
        assert abs(server_time - expected) < timedelta(seconds=30)
        assert abs(parsedate_to_datetime(resp.headers["Date"]) - expected) < timedelta(seconds=30)
        issue = fake.seed_issue(summary="seeded")
        assert abs(issue.created - expected) < timedelta(seconds=30)


def test_request_log_counts(fake: FakeJira) -> None:
    create(fake)
    get(fake, "OPS-1")
    assert fake.count() == 2 and fake.count("POST") == 1 and fake.count("GET", f"{API}/issue/") == 1
    assert fake.requests[0].body["issueUpdates"][0]["fields"]["summary"] == "Add alerting on queue depth"
    fake.reset_log()
    assert fake.count() == 0


def test_seeded_issues_ignore_api_screens(fake: FakeJira) -> None:
    issue = fake.seed_issue("PLAT", "UI-made", duedate="2026-01-01", labels=["pm"])
    assert issue.key == "PLAT-1" and issue.duedate == "2026-01-01"
    assert fake.count() == 0


def test_context_path() -> None:
    with FakeJira("datacenter", context_path="/jira") as fake:
        assert fake.url.endswith("/jira")
        issue = create(fake)
        assert issue["self"].startswith(fake.url + f"{API}/issue/")
        assert fake.count("POST", f"{API}/issue/bulk") == 1
        assert (
            requests.get(fake.url.removesuffix("/jira") + f"{API}/serverInfo", timeout=5).status_code == 404
        )


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
        info = requests.get(url.group(0) + f"{API}/serverInfo", timeout=5).json()
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
    """Every route tracker calls, with the parameters it sends, answers in the documented shape."""
    doc = {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "x"}]}],
    }
    base = "/rest/api/3"
    check(spec, f"{base}/serverInfo", raw(cloud, "GET", f"{base}/serverInfo"))
    check(spec, f"{base}/field", raw(cloud, "GET", f"{base}/field"))
    fields = {**OPS_TASK, "summary": "spec", "description": doc, "labels": ["pm"], "duedate": "2026-01-02"}
    fields["assignee"] = {"accountId": "5b10a2844c20165700ede21a"}
    marker = [{"key": "tracker.marker", "value": {"marker": "m"}}]
    both: list[dict[str, Any]] = [{"fields": fields, "properties": marker}, {"fields": OPS_TASK}]
    created = check(spec, f"{base}/issue/bulk", bulk(cloud, *both, version="3"))["issues"][0]
    none = bulk(cloud, {"fields": OPS_TASK}, version="3")
    assert none.status_code == 400 and check(spec, f"{base}/issue/bulk", none)["issues"] == []
    item = f"{base}/issue/{{issueIdOrKey}}"
    read = {"fields": "summary,status,resolution,resolutiondate,assignee,duedate,labels,created,updated,"
            "description,project", "properties": "tracker.marker"}  # fmt: skip
    issue = check(spec, item, raw(cloud, "GET", f"{base}/issue/{created['id']}", params=read))
    assert issue["fields"]["description"] == doc and issue["properties"] == {
        "tracker.marker": {"marker": "m"}
    }
    edit = raw(cloud, "PUT", f"{base}/issue/{created['id']}", json={"fields": {"summary": "y"}},
               params={"returnIssue": "true", "fields": read["fields"]})  # fmt: skip
    assert check(spec, item, edit)["fields"]["summary"] == "y"
    assert (
        raw(cloud, "PUT", f"{base}/issue/{created['id']}", json={"fields": {"summary": "z"}}).status_code
        == 204
    )
    transitions = raw(cloud, "GET", f"{base}/issue/{created['id']}/transitions?expand=transitions.fields")
    check(spec, f"{item}/transitions", transitions)
    started = raw(
        cloud, "POST", f"{base}/issue/{created['id']}/transitions", json={"transition": {"id": "11"}}
    )
    assert started.status_code == 204
    comment = f"{base}/issue/{created['id']}/comment"
    check(spec, f"{item}/comment", raw(cloud, "POST", comment, json={"body": doc}))
    check(spec, f"{item}/comment", raw(cloud, "GET", comment, params={"startAt": 0, "maxResults": 100}))
    jql = f"{base}/search/jql"
    params = {"jql": tracker_jql("OPS", "pm", None), "fields": read["fields"], "properties": "tracker.marker",
              "maxResults": 100, "reconcileIssues": created["id"]}  # fmt: skip
    page = check(spec, jql, raw(cloud, "GET", jql, params=params))
    assert page["issues"][0]["fields"]["status"]["statusCategory"]["key"] == "indeterminate"
    check(spec, jql, raw(cloud, "GET", jql, params={"jql": tracker_jql("OPS", None, None, order=False),
                                                   "fields": "id", "maxResults": 1}))  # fmt: skip
    named = {"jql": key_jql([created["key"]]), "fields": read["fields"], "properties": "tracker.marker",
             "maxResults": 100}  # fmt: skip
    assert check(spec, jql, raw(cloud, "GET", jql, params=named))["issues"][0]["key"] == created["key"]
    missing = raw(cloud, "GET", jql, params={**named, "jql": key_jql([created["key"], "OPS-999"])})
    assert missing.status_code == 400 and check(spec, jql, missing)["errorMessages"]
