"""Issue 15 point 1 against the fake Jira (Cloud and Data Center): document-named keys read by JQL in bulk."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from tracker.models import Link
from tracker.sandbox.jira import FakeJira

LABEL = "tracker-managed"
ISSUE_PATH = re.compile(r"/issue/(?:\d+|[A-Z][A-Z0-9_]*-\d+)$")  # one issue, by id or key


@pytest.fixture(params=["cloud", "datacenter"])
def jira(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeJira]:
    with FakeJira(request.param, time_zone="Etc/UTC") as fake:
        monkeypatch.setenv("T_JIRA_TOKEN", fake.api_token if fake.flavor == "cloud" else fake.pat)
        monkeypatch.setenv("T_JIRA_EMAIL", fake.email)
        yield fake


def config_text(fake: FakeJira) -> str:
    email = 'email_env = "T_JIRA_EMAIL"\n' if fake.flavor == "cloud" else ""
    return (
        f'[org]\ntimezone = "UTC"\n\n[targets.ops]\nkind = "jira"\nurl = "{fake.url}"\nflavor = "{fake.flavor}"\n'
        f'project = "OPS"\ntracker_label = "{LABEL}"\n{email}token_env = "T_JIRA_TOKEN"\n\n'
        '[routing]\ndefault = "ops"\n\n[sync]\nconfirm_first_push = false\nmax_creates = 1000\n'
    )


def write_documents(workdir: Path, keys: list[str], per_document: int = 50) -> list[Path]:
    """Postmortems whose action items name existing Jira issues by key, `per_document` rows each."""
    paths = []
    for start in range(0, len(keys), per_document):
        rows = "\n".join(
            f"| Fix the thing filed as {key} | @dana | 2027-01-01 | {key} |"
            for key in keys[start : start + per_document]
        )
        path = workdir / f"pm-{start // per_document:03d}.md"
        path.write_text(
            f"# Outage {start // per_document}\n\n| Field | Value |\n| --- | --- |\n| Date | 2026-06-19 |\n\n"
            "## Action Items\n\n| Action Item | Owner | Deadline | Issue |\n| --- | --- | --- | --- |\n"
            f"{rows}\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def linked(db_url: str) -> int:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(Link).where(Link.state == "linked")) or 0)
    finally:
        engine.dispose()


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
    assert linked(db_url) == n - 1
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
