"""QA findings on sync, report, lint progress and listings: shared markers, report baselines per scope,
first-seen time, month windows, the unowned label, small fractions and a huge --since."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from backend_harness import github_config, github_sandbox
from sqlalchemy import create_engine, select, update

from tracker.models import ActionItem, Event, Link, Postmortem
from tracker.sandbox.github import FakeGitHub

REPO = "acme/platform"
TOKEN = "ghp_TESTtokenNEVERprinted0123456789abcd"
TOKEN_ENV = "TRACKER_TEST_QA_GH_TOKEN"


def gh_config(api_url: str) -> str:
    return github_config(api_url, repo=REPO, token_env=TOKEN_ENV)


@pytest.fixture
def gh(monkeypatch):
    with github_sandbox(monkeypatch, REPO, TOKEN_ENV, TOKEN) as fake:
        yield fake


def _raw_sql_free(text: str) -> None:
    for raw in ("IntegrityError", "UNIQUE", "[SQL", "INSERT", "UPDATE links", "duplicate key"):
        assert raw not in text, text


def _link_states(db_url: str) -> dict[int, tuple[str, str | None, str | None]]:
    engine = create_engine(db_url)
    with engine.connect() as connection:
        rows = connection.execute(select(Link.item_id, Link.state, Link.remote_id, Link.last_error)).all()
    engine.dispose()
    return {item_id: (state, remote_id, error) for item_id, state, remote_id, error in rows}


# --- 1: two items whose markers collide ----------------------------------------------------------


def _check_collision(run_cli, db_url: str, gh: FakeGitHub, renamed: list[int], copies: list[int]) -> None:
    """The copies' links are errors naming both items and the issue; every other item is untouched."""
    before = len(gh.requests)
    result = run_cli("sync", "--yes")
    out = result.stdout + result.stderr
    _raw_sql_free(out)
    assert result.exit_code == 1, out
    states = _link_states(db_url)
    for original, copy in zip(renamed, copies, strict=True):
        state, remote_id, error = states[copy]
        assert state == "error" and remote_id is None
        held = states[original]
        assert held[0] == "linked"
        assert f"#{copy}" in error and f"#{original}" in error and "already tracks" in error
        assert f"#{copy}" in out and f"#{original}" in out
    # Other items go on: an unrelated item added now gets its issue in the same run.
    assert len(gh.requests) > before
    # The next run does not stumble again: it exits 0 and says why the copies are not created.
    again = run_cli("sync", "--yes")
    _raw_sql_free(again.stdout + again.stderr)
    assert again.exit_code == 0, again.stdout + again.stderr
    assert "tracks another item" in again.stdout + again.stderr
    assert all(_link_states(db_url)[copy][0] == "error" for copy in copies)


def _ids(db_url: str, slug: str) -> list[int]:
    engine = create_engine(db_url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(ActionItem.id)
            .join(Postmortem)
            .where(Postmortem.slug == slug, ActionItem.removed_at.is_(None))
            .order_by(ActionItem.id)
        ).all()
    engine.dispose()
    return [row[0] for row in rows]


def test_shared_marker_from_a_hand_added_copy_is_an_error_on_that_item_only(gh, run_cli, make_config, db_url):
    make_config(gh_config(gh.api_url))
    run_cli.ok("add", "Add alerting on queue depth", "-p", "orders-old", "--new", "-o", "@dana")
    assert run_cli("sync", "--yes").exit_code == 0
    [original] = _ids(db_url, "orders-old")
    run_cli.ok("postmortem", "rename", "orders-old", "orders-2026-06")
    run_cli.ok("add", "Add alerting on queue depth", "-p", "orders-old", "--new")
    run_cli.ok("add", "Unrelated follow-up", "-p", "other-1", "--new")
    copy = [i for i in _ids(db_url, "orders-old") if i != original]
    _check_collision(run_cli, db_url, gh, [original], copy)
    assert _link_states(db_url)[_ids(db_url, "other-1")[0]][0] == "linked"


def test_adopt_leaves_an_issue_that_tracks_another_item_alone(gh, run_cli, make_config, db_url):
    make_config(gh_config(gh.api_url))
    run_cli.ok("add", "Add alerting on queue depth", "-p", "orders-old", "--new")
    assert run_cli("sync", "--yes").exit_code == 0
    [original] = _ids(db_url, "orders-old")
    run_cli.ok("postmortem", "rename", "orders-old", "orders-2026-06")
    run_cli.ok("add", "Add alerting on queue depth", "-p", "orders-old", "--new")
    result = run_cli("adopt", "gh")
    out = result.stdout + result.stderr
    _raw_sql_free(out)
    assert result.exit_code == 0, out
    assert f"#{original}" in out
    assert _link_states(db_url)[original][0] == "linked"


# --- 2: narrowed reports are not the organisation-wide baseline ----------------------------------


def _glance(run_cli, *args: str) -> dict:
    report = json.loads(run_cli.ok("report", "--format", "json", *args).stdout)
    return report["manager"]["since_previous"]


def test_a_narrowed_report_is_never_the_org_wide_baseline(run_cli):
    run_cli.ok("add", "Fix the pager", "-p", "inc-1", "--new", "--incident-date", "2026-01-05")
    run_cli.ok("add", "Fix the queue", "-p", "inc-2", "--new", "--incident-date", "2026-02-05")
    org = _glance(run_cli)
    assert org["previous_report_at"] is None
    narrowed = _glance(run_cli, "--since", "2026-02-01")
    assert narrowed["previous_report_at"] is None  # not compared with the org-wide report
    again = _glance(run_cli)
    assert again["figures"]["total"]["then"] == 2 and again["figures"]["total"]["change"] == 0
    narrowed_again = _glance(run_cli, "--since", "2026-02-01")
    assert narrowed_again["figures"]["total"]["then"] == 1
    assert narrowed_again["figures"]["total"]["change"] == 0
    text = run_cli.ok("report", "--since", "2026-01-20", "--no-save").stdout
    assert "no previous report of this scope" in text


# --- 6: lint's "after import" is when tracker first saw the item --------------------------------


def test_progress_rules_count_from_import_not_the_backdated_incident(run_cli, make_config, db_url, workdir):
    make_config("[sync]\nassignment_days = 7\n")
    doc = workdir / "inc-9.md"
    doc.write_text(
        "# Database failover\n\n**Date**: 2025-01-10\n\n## Action items\n\n"
        "- [ ] Add failover runbook, owner: someone-unknown, due 2027-01-01\n",
        encoding="utf-8",
    )
    run_cli.ok("import", str(doc))
    engine = create_engine(db_url)
    with engine.connect() as connection:
        created = connection.execute(select(ActionItem.created_at)).scalar_one()
    assert created.year == 2025  # backdated to the incident (issue 14)
    out = run_cli("lint", "--format", "json")
    found = {f["rule"] for f in json.loads(out.stdout)}
    assert "progress-not-linked" not in found and "progress-unassigned" not in found
    # Once tracker has known it long enough, the rules speak.
    with engine.begin() as connection:
        seen = connection.execute(select(Event.recorded_at).limit(1)).scalar_one()
        connection.execute(update(Event).values(recorded_at=seen - timedelta(days=400)))
    engine.dispose()
    out = run_cli("lint", "--format", "json")
    found = {f["rule"] for f in json.loads(out.stdout)}
    assert {"progress-not-linked", "progress-unassigned"} <= found


# --- 7: done before tracking is out of the month windows' base -----------------------------------


def test_month_windows_leave_out_items_done_before_tracking(run_cli, workdir):
    doc = workdir / "inc-7.md"
    doc.write_text(
        "# Cache outage\n\n**Date**: 2025-03-10\n\n## Action items\n\n"
        "- [x] Add cache alerting, owner: @dana, due 2025-03-20\n"
        "- [x] Document the cache flush, owner: @dana, due 2025-03-20\n"
        "- [ ] Load test the cache, owner: @dana, due 2025-04-20\n",
        encoding="utf-8",
    )
    run_cli.ok("import", str(doc))
    report = json.loads(run_cli.ok("report", "--format", "json", "--no-save").stdout)
    [month] = [m for m in report["manager"]["by_incident_month"] if m["month"] == "2025-03"]
    assert month["items"] == 3 and month["done_time_unknown"] == 2
    assert month["window_base"] == 1
    assert month["rate_30"] == 0.0
    text = run_cli.ok("report", "--no-save").stdout
    assert "0 of 1" in text
    assert "2 items done before tracking (done time unknown) left out" in text


# --- 10: the unowned headline says what it counts -----------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "text", "markdown", "html", "json"])
def test_unowned_headline_is_labelled_for_what_it_counts(run_cli, fmt):
    run_cli.ok("add", "Fix the pager", "-p", "inc-1", "--new", "-o", "Somebody Unlisted")
    out = run_cli.ok("report", "--format", fmt, "--no-save").stdout
    assert "open without a person as owner (not in [people])" in out
    assert "open without an owner" not in out.lower()
    if fmt == "json":
        assert json.loads(out)["manager"]["unowned_count"] == 1


# --- 14: postmortems shows fractions under 5 items ------------------------------------------------


def test_postmortems_shows_a_fraction_under_five_items(run_cli):
    run_cli.ok("add", "First", "-p", "inc-1", "--new")
    run_cli.ok("add", "Second", "-p", "inc-1")
    run_cli.ok("add", "Third", "-p", "inc-1", "-s", "done")
    out = run_cli.ok("postmortems").stdout
    assert "1 of 3" in out and "33%" not in out
    for title in ("Four", "Five", "Six"):
        run_cli.ok("add", title, "-p", "inc-1")
    out = run_cli.ok("postmortems").stdout
    assert "17%" in out
    rows = json.loads(run_cli.ok("postmortems", "--format", "json").stdout)
    assert set(rows[0]) >= {"completion"} and not any(key.startswith("_") for key in rows[0])


# --- 19: a --since beyond the calendar ----------------------------------------------------------


@pytest.mark.parametrize("command", ["list", "postmortems", "report"])
def test_huge_since_is_a_usage_error(run_cli, command):
    run_cli.ok("add", "Fix the pager", "-p", "inc-1", "--new")
    result = run_cli(command, "--since", "99999999d")
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "--since" in result.stderr and "Traceback" not in result.stderr
    assert "internal error" not in result.stderr
