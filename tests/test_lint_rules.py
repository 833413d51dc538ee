"""Ownership, deadline, structure, scope and progress rules, settings and labels, on plain lint items."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tracker.config import Config, load_config_file
from tracker.errors import ConfigError
from tracker.lint import LintItem, LintSettings, Severity, failing, labels_for, make_context, run_rules
from tracker.lint.scope import similarity
from tracker.lint.structure import action_clauses

TODAY = date(2026, 7, 1)
CONFIG = """
[people.dana]
name = "Dana Whitfield"
github = "dana-w"
aliases = ["@dana"]

[teams.platform]
aliases = ["@platform-eng", "Platform"]
default_assignee = "dana"
"""


@pytest.fixture
def config(tmp_path: Path) -> Config:
    path = tmp_path / "tracker.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return load_config_file(path)


def good(**changes: object) -> LintItem:
    """A well-formed item: specific, owned by a mapped person, dated after the incident."""
    base = LintItem(
        title="Add slow-query alerting (> 500 ms) to database monitoring",
        owner_text="@dana",
        deadline_text="2026-07-15",
        postmortem="inc-214",
        incident_date=date(2026, 6, 20),
        path="pm/inc-214.md",
        line=12,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def rules(items: list[LintItem], config: Config, **kwargs: object) -> list[str]:
    context = make_context(config, TODAY)
    for key, value in kwargs.items():
        setattr(context, key, value)
    return [f.rule for f in run_rules(items, context)]


def test_a_good_item_has_no_findings(config: Config) -> None:
    assert rules([good()], config) == []


@pytest.mark.parametrize(
    ("owner", "expected"),
    [
        (None, "owner-missing"),
        ("TBD", "owner-missing"),
        ("@platform-eng", "owner-team"),  # an alias in [teams]
        ("@acme/sre", "owner-team"),  # a GitHub team mention
        ("SRE team", "owner-team-likely"),  # reads as a team, but [teams] does not say so
        ("@infra", "owner-team-likely"),
        ("@backend-lead", "owner-team-likely"),  # a role: the guide's own template
        ("Production Squad and/or any team member", "owner-team-likely"),
        ("martym", "owner-unmapped"),  # a person, but not in [people]
    ],
)
def test_ownership_rules(config: Config, owner: str | None, expected: str) -> None:
    found = rules([good(owner_text=owner)], config)
    assert expected in found
    assert len([r for r in found if r.startswith("owner-")]) == 1


@pytest.mark.parametrize("owner", ["@dana", "Dana Whitfield", "dana-w", "DANA"])
def test_mapped_people_pass(config: Config, owner: str) -> None:
    assert rules([good(owner_text=owner)], config) == []


def test_unmapped_is_silent_without_a_people_table() -> None:
    assert rules([good(owner_text="martym")], Config()) == []


def test_team_message_names_the_configured_team(config: Config) -> None:
    (finding,) = run_rules([good(owner_text="Platform")], make_context(config, TODAY))
    assert "'platform' in [teams]" in finding.message
    (role,) = run_rules([good(owner_text="@eng-manager")], make_context(config, TODAY))
    assert "a role" in role.message


@pytest.mark.parametrize(
    ("deadline", "expected"),
    [
        (None, "deadline-missing"),
        ("Ongoing", "deadline-not-a-date"),
        ("TBD", "deadline-not-a-date"),
        ("Q3", "deadline-not-a-date"),
        ("ASAP", "deadline-not-a-date"),
        ("Feb 30 2026", "deadline-not-a-date"),
        ("2025-06-25", "deadline-before-incident"),
        ("2026-06-25", "deadline-past"),  # after the incident, before today
        ("2027-06-01", "deadline-far"),
    ],
)
def test_deadline_rules(config: Config, deadline: str | None, expected: str) -> None:
    assert rules([good(deadline_text=deadline)], config) == [expected]


def test_year_less_dates_read_from_the_incident_date(config: Config) -> None:
    assert rules([good(deadline_text="Jul 15")], config) == []  # 2026-07-15, after the 2026-06-20 incident


def test_deadline_past_is_judged_at_import_for_database_items(config: Config) -> None:
    imported = datetime(2026, 6, 21, tzinfo=UTC)
    assert "deadline-past" not in rules([good(deadline_text="2026-06-25", imported_at=imported)], config)
    assert "deadline-past" in rules([good(deadline_text="2026-06-20", imported_at=imported)], config)


def test_far_deadline_follows_config(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text("[lint]\nfar_deadline_days = 400\n", encoding="utf-8")
    assert "deadline-far" not in rules([good(deadline_text="2027-06-01")], load_config_file(path))


def test_closed_items_are_not_flagged(config: Config) -> None:
    assert (
        rules([good(owner_text=None, deadline_text=None, title="Be more careful", status="done")], config)
        == []
    )


@pytest.mark.parametrize(
    ("title", "count"),
    [
        ("Add index on orders.customer_id; add query performance tests to CI", 2),
        ("Gather commands used in incident response and add to SRE guide.", 2),
        ("Modify the removal tool and add safeguards against taking capacity below the minimum", 2),
        ("Define and implement Redis strategy", 1),
        ("Systematically cordon and cull nodes older than 3-5 days?", 1),
        ("Implement rollout controls to disable staged rollouts and enable force-merge", 1),
        ("Monitor CPU and memory usage, alerting at 90%", 1),
    ],
)
def test_action_clauses(title: str, count: int) -> None:
    assert len(action_clauses(title)) == count


def test_structure_rules(config: Config) -> None:
    assert rules(
        [good(title="Add index on orders.customer_id; add query performance tests to CI")], config
    ) == ["structure-multiple-actions"]
    long = "Add alerting on the orders database " + " ".join(f"w{i}" for i in range(40))
    assert "structure-too-long" in rules([good(title=long)], config)


def test_too_many_items_is_one_finding_on_the_first_item_over_the_limit(config: Config) -> None:
    items = [good(title=f"Add alert number {i} for queue depth over {i}00", line=10 + i) for i in range(9)]
    context = make_context(config, TODAY)
    findings = [f for f in run_rules(items, context) if f.rule == "scope-too-many-items"]
    assert [(f.line, f.severity) for f in findings] == [(17, Severity.WARNING)]
    assert "9 action items" in findings[0].message
    assert not [f for f in run_rules(items[:7], context) if f.rule == "scope-too-many-items"]


def test_wont_do_items_do_not_count_towards_the_limit(config: Config) -> None:
    items = [
        good(title=f"Add alert {i} on queue depth", status="wont_do" if i < 3 else "open") for i in range(9)
    ]
    assert "scope-too-many-items" not in rules(items, config)


def test_duplicate_of_an_open_item_of_another_postmortem(config: Config) -> None:
    other = good(
        title="Add slow query alerting (>500ms) to the database monitoring", postmortem="inc-100", item_id=7
    )
    unrelated = good(title="Rotate the TLS certificates of the ingress", postmortem="inc-101", item_id=8)
    context = make_context(config, TODAY)
    context.others = [other, unrelated]
    (finding,) = run_rules([good()], context)
    assert finding.rule == "scope-duplicate"
    assert "item 7 of inc-100" in finding.message
    context.others = [
        replace(other, postmortem="inc-214")
    ]  # same postmortem: not a cross-postmortem duplicate
    assert run_rules([good()], context) == []


def test_similarity_needs_real_overlap() -> None:
    assert similarity("Add index on orders.customer_id", "Add index on orders.customer_id") == 1.0
    assert similarity("Add index on orders.customer_id", "Add index on users.email") < 0.7


def test_progress_rules_run_only_on_database_items(config: Config) -> None:
    old = datetime(2026, 5, 1, tzinfo=UTC)
    item = good(
        deadline_text=None,
        deadline=date(2026, 6, 25),
        imported_at=old,
        linked=False,
        review_date=date(2026, 7, 10),
    )
    assert "progress-overdue" not in rules([item], config)
    found = rules([item], config, from_database=True)
    assert "progress-overdue" in found
    assert "progress-not-linked" in found


def test_due_after_review_and_stale(config: Config) -> None:
    item = good(deadline_text="2026-07-20", review_date=date(2026, 7, 10), item_id=3)
    assert "progress-due-after-review" in rules([item], config, from_database=True)
    assert "progress-due-after-review" not in rules(
        [replace(item, review_date=date(2026, 7, 25))], config, from_database=True
    )
    quiet = replace(item, review_date=None, linked=True, last_activity=datetime(2026, 5, 1, tzinfo=UTC))
    assert rules([quiet], config, from_database=True) == ["progress-stale"]
    busy = replace(quiet, last_activity=datetime(2026, 6, 28, tzinfo=UTC))
    assert rules([busy], config, from_database=True) == []


def test_settings_relevel_and_turn_off(config: Config) -> None:
    settings = LintSettings.from_mapping({"rules": {"owner-missing": "warning", "deadline-missing": "off"}})
    context = make_context(config, TODAY, settings=settings)
    findings = run_rules([good(owner_text=None, deadline_text=None)], context)
    assert [(f.rule, f.severity) for f in findings] == [("owner-missing", Severity.WARNING)]
    assert failing(findings, Severity.ERROR) == []
    assert failing(findings, Severity.WARNING) == findings


def test_settings_report_every_problem_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        LintSettings.from_mapping(
            {
                "rules": {"owner-mising": "error", "deadline-far": "fatal"},
                "labels": {"nope": "x"},
                "max_items": 0,
            }
        )
    problems = caught.value.problems
    assert any("rules.owner-mising: unknown rule (did you mean 'owner-missing'?)" in p for p in problems)
    assert any("rules.deadline-far: must be one of" in p for p in problems)
    assert any("labels.nope" in p for p in problems)
    assert any("max_items" in p for p in problems)


def test_labels_default_and_configured(config: Config) -> None:
    item = good(owner_text=None, deadline_text="TBD", title="Improve monitoring")
    findings = run_rules([item], make_context(config, TODAY))
    assert labels_for(findings) == ["needs-owner", "needs-deadline", "needs-rewording"]
    settings = LintSettings.from_mapping({"labels": {"wording": "vague", "deadline-not-a-date": ""}})
    findings = run_rules([item], make_context(config, TODAY, settings=settings))
    assert labels_for(findings) == ["needs-owner", "vague"]


def test_lint_config_from_the_real_config_file(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text('[lint]\nmax_items = 2\nrules = { "owner-team" = "error" }\n', encoding="utf-8")
    settings = LintSettings.from_mapping(load_config_file(path).lint)
    assert settings.max_items == 2
    assert settings.level("owner-team") is Severity.ERROR


def test_every_rule_is_documented() -> None:
    from tracker.lint.registry import all_rules

    docs = (Path(__file__).resolve().parents[1] / "docs" / "lint.md").read_text(encoding="utf-8")
    for rule_id in all_rules():
        assert f"| `{rule_id}` |" in docs, f"{rule_id} is missing from the rules table in docs/lint.md"
    for key in ("max_items", "far_deadline_days", "max_title_words", "no_link_days", "stale_days", "fail_on"):
        assert key in docs


def test_lint_database_for_some_items_judges_scope_on_all(run_cli, make_config, db_url: str) -> None:
    """Sync asks about a few items; the postmortem's item count still covers all of its open items."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from tracker.lint import findings_by_item, lint_database

    make_config("[lint]\nmax_items = 2\n")
    for number in range(3):
        run_cli.ok(
            "add",
            f"Add alert {number} on queue depth above {number}00",
            "-p",
            "inc-5",
            "-o",
            "x",
            "-d",
            "TBD",
        )
    engine = create_engine(db_url)
    with Session(engine) as session:
        context = make_context(Config(), TODAY, settings=LintSettings.from_mapping({"max_items": 2}))
        findings = lint_database(session, context, item_ids=[3])
    engine.dispose()
    assert set(findings_by_item(findings)) == {3}
    assert "scope-too-many-items" in {f.rule for f in findings}
    assert "deadline-not-a-date" in {f.rule for f in findings}


def test_duplicate_index_never_misses_a_near_duplicate():
    """The word index and its prefix filter find every pair a full comparison finds."""
    import random
    from types import SimpleNamespace

    from tracker.lint.model import LintItem
    from tracker.lint.scope import DUPLICATE_SIMILARITY, _candidates, similarity

    rng = random.Random(3)
    vocab = [
        "alert",
        "queue",
        "depth",
        "latency",
        "orders",
        "database",
        "index",
        "replica",
        "failover",
        "cache",
        "memory",
        "config",
        "rollout",
    ]
    others = [
        LintItem(title=" ".join(rng.sample(vocab, rng.randint(2, 8))), postmortem=f"p{i % 40}")
        for i in range(1200)
    ]
    context = SimpleNamespace(others=others)
    for item in others[:150]:
        full = {id(o) for o in others if similarity(item.title, o.title) >= DUPLICATE_SIMILARITY}
        assert full <= {id(o) for o in _candidates(item, context)}  # type: ignore[arg-type]
