"""`tracker doctor`, `unlink` and `relink` through the real CLI against the fake GitHub and Jira."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ops_support import (
    REPO,
    github_config,
    jira_config,
    link_rows,
    start_github,
    start_jira,
    write_items,
    writes,
)
from sqlalchemy import create_engine, text


def _dump(db_url: str) -> list[Any]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as c:
            return [tuple(r) for r in c.execute(text("SELECT * FROM links ORDER BY id"))]
    finally:
        engine.dispose()


@pytest.fixture
def gh(monkeypatch):
    fake = start_github(monkeypatch)
    fake.add_repo("acme/archive", private=True, collaborators=["dana-w"])
    yield fake
    fake.stop()


@pytest.fixture
def jira(monkeypatch):
    fake = start_jira(monkeypatch)
    yield fake
    fake.stop()


def _kinds(report: dict[str, Any]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for drift in report["drift"]:
        found.setdefault(drift["item"], set()).add(drift["kind"])
    return found


def test_doctor_reports_every_kind_of_github_drift_without_writing(gh, run_cli, make_config, workdir, db_url):
    make_config(github_config(gh.api_url))
    run_cli.ok("import", str(write_items(workdir / "pm", 8)))
    run_cli.ok("sync", "--yes")
    assert run_cli.ok("doctor").stdout.strip().endswith("8 link(s) checked, 0 drift(s)")
    n = {row.item_id: row.remote_number for row in link_rows(db_url)}
    gh.delete_issue(REPO, n[1])
    gh.transfer_issue(REPO, n[2], "acme/archive")
    gh.reassign(REPO, n[3], ["leepark"])
    gh.close_issue(REPO, n[4], "not_planned", actor="dana-w")
    gh.close_issue(REPO, n[5], "completed", bot=True)
    body = gh.issue(REPO, n[6]).body or ""
    gh.edit_issue(REPO, n[6], body=body.replace("Deadline: 2030-06-10", "Deadline: 2030-09-30"))
    gh.remove_issue_label(REPO, n[7], "postmortem-action")
    before = _dump(db_url)
    gh.reset_log()
    result = run_cli("doctor", "--format", "json")
    assert result.exit_code == 1, result.output
    kinds = _kinds(json.loads(result.stdout))
    assert kinds == {
        1: {"deleted"},
        2: {"moved"},
        3: {"reassigned"},
        4: {"wont_do"},
        5: {"bot_closed"},
        6: {"due"},
        7: {"label"},
    }, kinds
    assert writes(gh.requests) == [] and _dump(db_url) == before  # read-only, on both sides
    text_out = run_cli("doctor").stdout
    assert "deleted" in text_out and "8 link(s) checked, 7 drift(s)" in text_out


def test_unlink_then_relink_by_url_and_the_refusals(gh, run_cli, make_config, workdir, db_url):
    make_config(github_config(gh.api_url))
    run_cli.ok("import", str(write_items(workdir / "pm", 3)))
    run_cli.ok("sync", "--yes")
    urls = {row.item_id: row.url for row in link_rows(db_url)}
    assert "unlinked #1" in run_cli.ok("unlink", "1").stdout
    assert {r.item_id: r.state for r in link_rows(db_url)}[1] == "unlinked"
    run_cli.ok("sync", "--yes")
    assert len(gh.issues(REPO)) == 3  # neither recreated nor re-adopted
    moved = run_cli("relink", "2", urls[1])
    assert moved.exit_code == 0, moved.output  # item 1 is unlinked: its issue is free
    assert {r.item_id: r.url for r in link_rows(db_url) if r.state == "linked"}[2] == urls[1]
    taken = run_cli("relink", "1", urls[1])
    assert taken.exit_code == 2 and "already linked to item #2" in taken.stderr
    assert run_cli.ok("relink", "2", urls[2]).exit_code == 0
    assert run_cli.ok("relink", "1", f"{REPO}#{urls[1].rsplit('/', 1)[1]}").exit_code == 0
    missing = run_cli("relink", "3", f"https://github.com/{REPO}/issues/999")
    assert missing.exit_code == 2 and "999" in missing.stderr
    assert run_cli("unlink", "42").exit_code == 2
    assert run_cli("relink", "1", "not a url").exit_code == 2
    states = {r.item_id: (r.state, r.url) for r in link_rows(db_url)}
    assert states == {1: ("linked", urls[1]), 2: ("linked", urls[2]), 3: ("linked", urls[3])}
    run_cli.ok("sync", "--yes")
    assert len(gh.issues(REPO)) == 3
    history = run_cli.ok("show", "1").stdout
    assert "relink" in history or "link" in history


def test_doctor_on_jira(jira, run_cli, make_config, workdir, db_url):
    make_config(jira_config(jira))
    run_cli.ok("import", str(write_items(workdir / "pm", 5)))
    run_cli.ok("sync", "--yes")
    ids = {row.item_id: row.remote_id for row in link_rows(db_url)}
    person = jira.person()
    person.transition(ids[1], "Done", resolution="Won't Do")
    person.reassign(ids[2], None)
    person.set_due_date(ids[3], "2030-12-01")
    person.remove_label(ids[4], "postmortem-action")
    person.delete(ids[5])
    jira.reset_log()
    result = run_cli("doctor", "--format", "json")
    assert result.exit_code == 1, result.output
    kinds = _kinds(json.loads(result.stdout))
    assert kinds == {1: {"wont_do"}, 2: {"reassigned"}, 3: {"due"}, 4: {"label"}, 5: {"deleted"}}, kinds
    assert writes(jira.requests) == []
