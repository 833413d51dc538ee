"""Every report figure against the hand-computed data set of test_report_data.py, through the real CLI."""

from __future__ import annotations

import json

import pytest
from test_report_data import CONFIG, build, link_on_jira, months_since_january_2026


@pytest.fixture
def data(make_config, db_url, run_cli):
    """Items A..H inserted with explicit times, plus I and J added today through the CLI (inc-3, owner sam)."""
    make_config(CONFIG)
    run_cli.ok("add", "Item I", "-p", "inc-3", "-o", "@sam", "-d", "2099-01-01")  # creates the database
    ids = build(db_url)
    run_cli.ok("add", "Item J", "-p", "inc-3", "-o", "@sam")
    [j] = [
        r["id"] for r in json.loads(run_cli.ok("list", "--format", "json").stdout) if r["title"] == "Item J"
    ]
    run_cli.ok("done", str(j))
    return ids


def report(run_cli, *args: str) -> dict:
    return json.loads(run_cli.ok("report", "--format", "json", "--no-save", *args).stdout)


def by_key(rows: list[dict]) -> dict[str, dict]:
    return {row["key"]: row for row in rows}


def test_overall_figures_today(run_cli, data):
    r = report(run_cli)
    s = r["summary"]
    # A won't do; B, G, I open; C, D, E, H, J done; F closed by a bot (neither done nor won't do).
    assert (s["total"], s["done"], s["in_progress"], s["open"], s["wont_do"], s["closed_by_bot"]) == (
        10,
        5,
        0,
        3,
        1,
        1,
    )
    assert s["completion_rate"] == round(5 / 9, 4)  # the bot close stays in the denominator
    # On time against the first deadline, Berlin dates: C late, D late (00:30 on 02-02 Berlin), E and H
    # on time; J has no deadline and is left out.
    assert (s["on_time"], s["on_time_base"], s["on_time_rate"]) == (2, 4, 0.5)
    assert s["overdue"] == 1  # G (03-20); B has no deadline, I is due 2099
    assert s["no_deadline"] == 2  # B and J
    assert (s["deadline_slips"], s["items_slipped"], s["slip_days"], s["max_slip_days"]) == (2, 1, 28, 28)
    # Days to done: J ~0, E 27.52, D 27.56, C 28.96, H 32: the median is D's.
    assert s["median_days_to_done"] == 27.6
    assert r["as_of"] is None and r["timezone"] == "Europe/Berlin"


def test_breakdowns_by_team_severity_target_postmortem(run_cli, data):
    groups = report(run_cli)["groups"]
    assert set(groups) == {"postmortem", "team", "severity", "target"}  # blameless: no per-person
    team = by_key(groups["team"])
    # Teams come from each owner through today's config (dana payments, lee platform, sam none), not
    # from what was stored at import: A, B, E are dana's; C, D, H and G (reassigned to lee) lee's.
    assert (team["payments"]["total"], team["payments"]["wont_do"], team["payments"]["closed_by_bot"]) == (
        3,
        1,
        0,
    )
    assert team["payments"]["completion_rate"] == 0.5  # A won't do, B open, E done: 1 of 2
    assert (team["platform"]["done"], team["platform"]["completion_rate"]) == (3, 0.75)  # G open
    assert (team["platform"]["on_time"], team["platform"]["on_time_base"]) == (1, 3)  # C, D late; H on time
    assert team["platform"]["median_days_to_done"] == 29.0  # C 28.96, D 27.56, H 32
    assert team["platform"]["overdue"] == 1 and "search" not in team  # G; no owner is in search
    assert (team["(none)"]["total"], team["(none)"]["median_days_to_done"]) == (3, 0.0)  # F, I, J (sam)
    assert [row["key"] for row in groups["team"]][-1] == "(none)"
    severity = by_key(groups["severity"])
    assert {k: v["total"] for k, v in severity.items()} == {"sev1": 4, "sev2": 4, "(none)": 2}
    assert severity["sev1"]["deadline_slips"] == 2 and severity["sev2"]["closed_by_bot"] == 1
    assert severity["sev1"]["completion_rate"] == round(2 / 3, 4)  # C, D done of A..D less won't-do A
    target = by_key(groups["target"])
    assert {k: v["total"] for k, v in target.items()} == {"gh": 4, "jr": 1, "(none)": 5}
    assert (target["gh"]["done"], target["gh"]["closed_by_bot"], target["gh"]["on_time"]) == (3, 1, 1)
    postmortem = by_key(groups["postmortem"])
    assert postmortem["inc-2"]["median_days_to_done"] == round((27.520833 + 32) / 2, 1)


def test_an_item_on_two_targets_counts_once_for_each_and_once_overall(run_cli, db_url, data):
    link_on_jira(db_url, data["C"])  # done, late, on gh
    r = report(run_cli)
    target = by_key(r["groups"]["target"])
    assert {k: v["total"] for k, v in target.items()} == {"gh": 4, "jr": 2, "(none)": 5}
    assert (target["jr"]["done"], target["jr"]["on_time"], target["jr"]["on_time_base"]) == (2, 1, 2)
    assert target["jr"]["median_days_to_done"] == round((27.520833 + 28.958333) / 2, 1)  # E and C
    assert target["gh"]["median_days_to_done"] == round(28.958333, 1)  # C, the middle of D, C and H
    assert (r["summary"]["total"], r["summary"]["done"]) == (10, 5)
    assert by_key(r["groups"]["team"])["platform"]["total"] == 4


def test_as_of_reconstructs_the_past_from_when_things_happened(run_cli, data):
    r = report(run_cli, "--as-of", "2026-03-07", "--months", "0")
    s = r["summary"]
    # I and J did not exist. F was still open (the bot closed it on 03-10) and overdue (03-01);
    # H counts as done because GitHub closed it on 03-05, although sync only saw it on 03-12.
    assert (s["total"], s["done"], s["open"], s["wont_do"], s["closed_by_bot"], s["overdue"]) == (
        8,
        4,
        3,
        1,
        0,
        1,
    )
    assert s["completion_rate"] == round(4 / 7, 4)
    assert (s["on_time"], s["on_time_base"]) == (2, 4)
    assert s["median_days_to_done"] == round((27.5625 + 28.958333) / 2, 1)
    assert r["as_of"] == "2026-03-07" and r["date"] == "2026-03-07"
    team = by_key(r["groups"]["team"])
    # F (sam: no team) was overdue; G (due 03-20, lee's by then) was not.
    assert team["(none)"]["overdue"] == 1 and team["platform"]["overdue"] == 0
    # The day before GitHub closed H it was open.
    before = report(run_cli, "--as-of", "2026-03-04", "--months", "0")["summary"]
    assert (before["done"], before["open"]) == (3, 4)


def test_as_of_owner_follows_reassignment(run_cli, data):
    # G moved from dana to lee on 02-15: lee's items are C, D, H and G then and now, dana's lost G.
    assert (
        report(run_cli, "--owner", "@lee", "--as-of", "2026-03-01", "--months", "0")["summary"]["total"] == 4
    )
    assert (
        report(run_cli, "--owner", "dana", "--as-of", "2026-02-10", "--months", "0")["summary"]["total"] == 4
    )
    assert (
        report(run_cli, "--owner", "dana", "--as-of", "2026-02-20", "--months", "0")["summary"]["total"] == 3
    )


def test_trend_month_by_month(run_cli, data):
    from datetime import date

    months = months_since_january_2026(date.today())
    trend = {t["month"]: t for t in report(run_cli, "--months", str(months))["trend"]}
    jan, feb, mar = trend["2026-01"], trend["2026-02"], trend["2026-03"]
    assert jan["date"] == "2026-01-31"
    # End of January: A..D exist; A won't do, C in progress, B and D open (D's deadline had moved to 03-01).
    assert (jan["total"], jan["wont_do"], jan["in_progress"], jan["open"], jan["done"], jan["overdue"]) == (
        4,
        1,
        1,
        2,
        0,
        0,
    )
    assert jan["completion_rate"] == 0.0
    # End of February: E done at 23:30 Berlin on the 28th; F, G, H open, nothing overdue yet.
    assert (feb["total"], feb["done"], feb["open"], feb["wont_do"], feb["overdue"]) == (8, 3, 4, 1, 0)
    assert feb["completion_rate"] == round(3 / 7, 4)
    # End of March: F closed by the bot, H done (03-05), G overdue.
    assert (mar["done"], mar["open"], mar["closed_by_bot"], mar["overdue"]) == (4, 2, 1, 1)
    assert mar["completion_rate"] == round(4 / 7, 4)
    assert list(trend)[-1] == date.today().strftime("%Y-%m")


def test_trend_points_equal_as_of_reports_at_month_ends(run_cli, data):
    from datetime import date

    months = months_since_january_2026(date.today())
    trend = {t["month"]: t for t in report(run_cli, "--months", str(months))["trend"]}
    for month, day in (("2026-01", "2026-01-31"), ("2026-02", "2026-02-28"), ("2026-03", "2026-03-31")):
        s = report(run_cli, "--as-of", day, "--months", "0")["summary"]
        point = trend[month]
        for key in (
            "total",
            "open",
            "in_progress",
            "done",
            "wont_do",
            "closed_by_bot",
            "overdue",
            "completion_rate",
        ):
            assert point[key] == s[key], (month, key)


def test_freshness_warns_about_a_stale_target(run_cli, data):
    r = report(run_cli)
    fresh = {f["target"]: f for f in r["freshness"]}
    assert fresh["gh"]["stale"] is False and 1.9 <= fresh["gh"]["age_hours"] <= 2.5
    assert fresh["jr"]["stale"] is True and fresh["jr"]["age_hours"] >= 72
    assert len(r["warnings"]) == 1 and "target jr" in r["warnings"][0] and "26" in r["warnings"][0]
    plain = run_cli.ok("report", "--no-save").stdout
    assert "warning: target jr" in plain and "STALE" in plain


def test_blameless_by_default_per_person_when_configured(run_cli, make_config, data):
    text = run_cli.ok("report", "--no-save", "--format", "markdown").stdout
    # No per-person figures; people appear only beside the overdue items they own (the manager's list).
    assert "By person" not in text and "dana" not in text
    overdue = text.split("### Overdue items")[1].split("###")[0]
    assert "@lee" in overdue and text.count("@lee") == overdue.count("@lee")
    make_config(CONFIG.replace("stale_sync_hours = 26", "stale_sync_hours = 26\nper_person = true"))
    person = by_key(report(run_cli)["groups"]["person"])
    assert {k: v["total"] for k, v in person.items()} == {"dana": 3, "lee": 4, "sam": 3}


def test_owner_view(run_cli, data):
    r = report(run_cli, "--owner", "Lee Chen")
    assert r["summary"]["total"] == 4 and r["scope"]["per_person"] is True
    assert [i["title"] for i in r["review"]["items"]] == ["Item C", "Item D", "Item G", "Item H"]


def test_bad_options_are_clean_errors(run_cli, data):
    for args, needle in [
        (("--review-window", "2026-01-01"), "bad review window"),
        (("--review-window", "2026-02-01..2026-01-01"), "FROM is after TO"),
        (("--as-of", "2999-01-01"), "in the future"),
        (("--as-of", "last week"), "not an ISO date"),
        (("--postmortem", "inc-99"), "no postmortem with slug 'inc-99'"),
        (("--postmortem", "inc-1", "--review-window", "2026-01-01..2026-02-01"), "not both"),
    ]:
        result = run_cli("report", *args)
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        assert needle in result.stderr and "Traceback" not in result.stderr


def test_report_refuses_a_missing_database(run_cli, make_config):
    make_config(CONFIG)
    result = run_cli("report")
    assert result.exit_code == 2 and result.stderr.startswith("error:") and "Traceback" not in result.stderr
