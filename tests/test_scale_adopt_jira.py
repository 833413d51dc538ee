"""Issue 15 point 1 against the fake Jira (Cloud and Data Center): document-named keys read by JQL in bulk."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from backend_harness import documents_naming, jira_sandbox, jira_target, linked_count

from tracker.sandbox.jira import FakeJira

LABEL = "tracker-managed"
ISSUE_PATH = re.compile(r"/issue/(?:\d+|[A-Z][A-Z0-9_]*-\d+)$")  # one issue, by id or key


@pytest.fixture(params=["cloud", "datacenter"])
def jira(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeJira]:
    with jira_sandbox(request.param, monkeypatch) as fake:
        yield fake


def config_text(fake: FakeJira) -> str:
    target = jira_target(fake, extra=f'tracker_label = "{LABEL}"')
    return (
        f'[org]\ntimezone = "UTC"\n\n{target}\n[routing]\ndefault = "ops"\n\n'
        "[sync]\nconfirm_first_push = false\nmax_creates = 1000\n"
    )


def write_documents(workdir: Path, keys: list[str], per_document: int = 50) -> list[Path]:
    """Postmortems whose action items name existing Jira issues by key, `per_document` rows each."""
    return documents_naming(workdir, [(key, key) for key in keys], per_document)


def key_searches(fake: FakeJira) -> int:
    return sum(1 for r in fake.requests if r.query.get("jql", [""])[0].startswith("key in ("))


def single_gets(fake: FakeJira) -> int:
    return sum(1 for r in fake.requests if r.method == "GET" and ISSUE_PATH.search(r.path))


def test_linking_150_named_keys_costs_a_search_per_100_plus_the_label_writes(
    jira, run_cli, make_config, workdir, db_url
):
    n = 150
    keys = [jira.seed_issue(summary=f"Filed by hand {i}").key for i in range(n)]
    jira.person().delete(keys[7])  # a document may name an issue someone deleted since
    make_config(config_text(jira))
    for path in write_documents(workdir, [*keys, "OPS-9999"]):
        run_cli.ok("import", str(path))
    jira.reset_log()
    result = run_cli("sync", "--format", "json")
    assert result.exit_code in (0, 1), result.output
    summary = json.loads(result.stdout)["targets"]["ops"]
    assert linked_count(db_url) == n - 1
    # ceil(151 / 100) key searches; both batches name a missing key: a 400 naming it, then the search again.
    assert key_searches(jira) == 2 * math.ceil((n + 1) / 100)
    assert single_gets(jira) == 0  # no GET per issue: status and labels came from the searches
    puts = sum(1 for r in jira.requests if r.method == "PUT")
    assert puts == n - 1  # the tracker label, one write per linked issue, nothing else written
    assert all(LABEL in jira.issue(k).labels for k in keys if k != keys[7])
    others = len(jira.requests) - key_searches(jira) - puts
    assert others <= 6, [(r.method, r.path) for r in jira.requests if r.method != "PUT"]  # preflight, pull
    assert summary["requests"] == len(jira.requests)
    messages = result.stdout + result.stderr
    assert f"{keys[7]} named by the document does not exist" in messages
    assert "OPS-9999 named by the document does not exist" in messages

    jira.reset_log()
    again = run_cli("sync", "--format", "json")
    assert again.exit_code in (0, 1), again.output
    assert key_searches(jira) == 0 and not any(r.method == "PUT" for r in jira.requests)


def test_a_key_the_search_leaves_out_is_read_once_and_never_orphaned_or_closed(
    monkeypatch, run_cli, make_config, workdir, db_url
):
    """Cloud's index lags writes: a `key in (...)` search can leave out a key that exists, with no
    error. docs/sync.md: an issue missing from a search is never read as deleted; read_named GETs it."""
    with jira_sandbox("cloud", monkeypatch) as fake:
        indexed = fake.seed_issue(summary="Filed by hand long ago").key
        deleted = fake.seed_issue(summary="Filed and deleted").key
        fake.person().delete(deleted)
        fake.search_lag = 60
        fake.advance(timedelta(seconds=120))
        fresh = fake.seed_issue(summary="Filed by hand a moment ago").key  # not in the index yet
        status = fake.issue(fresh).status
        make_config(config_text(fake))
        for path in write_documents(workdir, [indexed, fresh, deleted]):
            run_cli.ok("import", str(path))
        fake.reset_log()
        result = run_cli("sync", "--format", "json")
        assert result.exit_code in (0, 1), result.output
        # The deleted key: Jira's 400 names it, the search runs again without it and silently
        # leaves out the fresh issue, which one GET then finds.
        assert key_searches(fake) == 2 and single_gets(fake) == 1
        [get] = [r for r in fake.requests if r.method == "GET" and ISSUE_PATH.search(r.path)]
        assert get.path.endswith(f"/issue/{fresh}")
        assert linked_count(db_url) == 2
        assert f"{deleted} named by the document does not exist" in result.stdout
        assert f"{fresh} named by the document does not exist" not in result.stdout
        assert LABEL in fake.issue(fresh).labels and fake.issue(fresh).status == status
        items = json.loads(run_cli.ok("list", "--format", "json").stdout)
        assert {i["status"] for i in items} == {"open"}  # nothing closed because absent

        fake.advance(timedelta(seconds=120))  # the index catches up: the next run changes nothing
        fake.reset_log()
        again = run_cli("sync", "--format", "json")
        assert again.exit_code in (0, 1), again.output
        summary = json.loads(again.stdout)["targets"]["ops"]
        assert summary["orphaned"] == 0 and summary["updated"] == 0
        assert linked_count(db_url) == 2 and not any(r.method == "PUT" for r in fake.requests)
