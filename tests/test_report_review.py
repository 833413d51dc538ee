"""The review-meeting view (items, links, lint, changes since the previous report) and --as-of vs a live report."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from test_report_data import ACTOR, CONFIG, build

from tracker.history import record
from tracker.models import ActionItem, Postmortem, ReportRun, utcnow
from tracker.states_session import maintain


@pytest.fixture
def db_url(migrated_db_url: str) -> str:
    """These tests check the review view, not how a database is first made: start at head (conftest.migrated_db_url)."""
    return migrated_db_url


def _report(run_cli, *args: str) -> dict:
    return json.loads(run_cli.ok("report", "--format", "json", *args).stdout)


def _setup(make_config, run_cli, db_url) -> dict[str, int]:
    make_config(CONFIG)
    run_cli.ok("add", "Item I", "-p", "inc-3", "-o", "@sam", "-d", "2099-01-01")
    return build(db_url)


def test_review_lists_items_with_facts_and_lint(make_config, run_cli, db_url):
    ids = _setup(make_config, run_cli, db_url)
    review = _report(run_cli, "--postmortem", "inc-2", "--no-save")["review"]
    items = {i["title"]: i for i in review["items"]}
    assert list(items) == ["Item E", "Item F", "Item G", "Item H"]
    g = items["Item G"]
    assert (g["owner"], g["owner_person"], g["status"], g["deadline"], g["overdue"]) == (
        "@lee",
        "lee",
        "open",
        "2026-03-20",
        True,
    )
    assert g["days_overdue"] > 200 and "progress-overdue" in g["lint"] and g["links"] == []
    f = items["Item F"]
    assert f["closed_by_bot"] is True and f["lint"] == []  # closed: nothing to fix
    assert items["Item H"]["links"] == [
        {
            "target": "gh",
            "key": f"gh-{ids['H']}",
            "url": f"https://example.test/{ids['H']}",
            "state": "linked",
        }
    ]
    assert review["previous_report_at"] is None and all(i["changes"] == [] for i in items.values())
    engine = create_engine(db_url)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(ReportRun)).scalar() == 0  # --no-save
    engine.dispose()


def test_review_window_selects_postmortems_by_review_date(make_config, run_cli, db_url):
    _setup(make_config, run_cli, db_url)
    review = _report(run_cli, "--review-window", "2026-02-01..2026-02-28", "--no-save")["review"]
    assert review["postmortems"] == ["inc-2"] and len(review["items"]) == 4
    both = _report(run_cli, "--review-window", "2026-01-01..2026-02-28", "--no-save")
    assert both["review"]["postmortems"] == ["inc-1", "inc-2"] and both["summary"]["total"] == 8


def test_changes_since_the_previous_report(make_config, run_cli, db_url):
    ids = _setup(make_config, run_cli, db_url)
    first = _report(run_cli, "--postmortem", "inc-2")["review"]  # saved
    assert first["previous_report_at"] is None
    run_cli.ok("reopen", str(ids["E"]))  # was done; its deadline 03-01 has passed
    run_cli.ok("edit", str(ids["G"]), "--owner", "@sam", "--deadline", "2099-06-01")
    run_cli.ok("done", str(ids["G"]))
    run_cli.ok("add", "Item K", "-p", "inc-2", "-d", "2099-01-01")
    second = _report(run_cli, "--postmortem", "inc-2")["review"]
    assert second["previous_report_at"] is not None
    changes = {i["title"]: i["changes"] for i in second["items"]}
    assert changes["Item E"] == [{"kind": "reopened", "from": "done"}, {"kind": "newly_overdue"}]
    assert changes["Item G"] == [
        {"kind": "newly_done", "from": "open"},
        {"kind": "reassigned", "from": "lee", "to": "sam"},
        {"kind": "deadline_moved", "from": "2026-03-20", "to": "2099-06-01"},
    ]
    assert changes["Item K"] == [{"kind": "new_item"}]
    assert changes["Item F"] == [] and changes["Item H"] == []
    summary = second["changes"]
    assert summary["newly_done"] == [ids["G"]] and summary["newly_overdue"] == [ids["E"]]
    assert summary["reassigned"] == [ids["G"]] and summary["deadline_moved"] == [ids["G"]]
    markdown = run_cli.ok("report", "--postmortem", "inc-2", "--format", "markdown").stdout
    assert "changes since the previous report" in markdown
    # The third report compares with the second: nothing changed in between.
    third = _report(run_cli, "--postmortem", "inc-2")["review"]
    assert all(i["changes"] == [] for i in third["items"])


def test_as_of_today_matches_the_report_taken_today(make_config, run_cli, db_url):
    """Take today's report, then let later things happen; `--as-of today` still gives today's report."""
    ids = _setup(make_config, run_cli, db_url)
    live = _report(run_cli, "--no-save", "--postmortem", "inc-2", "--months", "14")
    later = utcnow() + timedelta(days=2)
    engine = create_engine(db_url)
    with maintain(Session(engine)) as session:
        g = session.get(ActionItem, ids["G"])
        record(session, g, "status", "open", "done", source="github", actor=ACTOR, occurred_at=later)
        g.status, g.done_at = "done", later
        record(
            session,
            g,
            "deadline",
            "2026-03-20",
            "2026-12-31",
            source="manual",
            actor=ACTOR,
            occurred_at=later,
        )
        g.deadline = g.deadline.replace(year=2026, month=12, day=31)
        record(session, g, "owner_text", "@lee", "@dana", source="manual", actor=ACTOR, occurred_at=later)
        record(session, g, "owner_person", "lee", "dana", source="manual", actor=ACTOR, occurred_at=later)
        g.owner_text, g.owner_person = "@dana", "dana"
        two = session.scalar(select(Postmortem).where(Postmortem.slug == "inc-2"))
        session.add(
            ActionItem(postmortem=two, fingerprint="fp-late", title="Item L", status="open", created_at=later)
        )
        session.commit()
    engine.dispose()
    # The item's columns now say done / dana / 12-31: only the history can say what they were today.
    listed = {r["title"]: r for r in json.loads(run_cli.ok("list", "--format", "json").stdout)}
    assert (listed["Item G"]["status"], listed["Item G"]["owner_person"]) == ("done", "dana")
    assert "Item L" in listed
    again = _report(run_cli, "--no-save", "--postmortem", "inc-2", "--months", "14", "--as-of", live["date"])
    for key in ("summary", "groups", "trend"):
        assert again[key] == live[key], key
    strip = lambda items: [{k: v for k, v in i.items() if k != "lint"} for i in items]  # noqa: E731
    assert strip(again["review"]["items"]) == strip(live["review"]["items"])
