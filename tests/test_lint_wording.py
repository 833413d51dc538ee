"""Wording rules: real items from the guide and public postmortems that must and must not fire, and accuracy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import load_bench

from tracker.lint.wording import PATTERNS, is_vague, wording_matches
from tracker.lint.written_items import WRITTEN_SPECIFIC, WRITTEN_VAGUE


def rules_for(text: str) -> set[str]:
    return {m.rule for m in wording_matches(text)}


# (text, the rule that must fire). The guide's own bad examples come first, then public postmortems.
VAGUE = [
    ("Be more careful", "wording-not-actionable"),
    ("Remind engineers to check the dashboard before deploying", "wording-not-actionable"),
    ("<https://github.com/openSUSE/open-build-service/issues/9566>", "wording-not-actionable"),
    ("Test more", "wording-not-specific"),
    ("Improve monitoring", "wording-not-specific"),
    (
        "Improve [alerting](https://trello.com/c/MEGZQSLh) for requests that result in internal server errors.",
        "wording-not-specific",
    ),
    (
        "Implement proactive alerts. This is a longstanding issue we have yet to address.",
        "wording-not-specific",
    ),
    ("Define and implement Redis strategy", "wording-not-specific"),
    ("Add missing alerts against existing service/infrastructure level metrics", "wording-not-specific"),
    ("We should set up some kind of monitoring for the mybinder.org deployment.", "wording-not-specific"),
    (
        "Refactor the subscriptions and notifications codebase, which is quite complex to debug.",
        "wording-not-specific",
    ),
    ("We need better alerting.", "wording-not-measurable"),
    ("Make kubespawner more robust to pod-reflector failure", "wording-not-measurable"),
    (
        "Do deployments more often so we don't end up doing one big massive deployment ever.",
        "wording-not-measurable",
    ),
    ("etcd testing is high quality, easy to maintain and expand", "wording-not-measurable"),
    ("Minimize tribal knowledge in the deployment process", "wording-not-measurable"),
    ("Reduce the number of incidents", "wording-not-measurable"),
    ("Eliminate all database-related incidents", "wording-not-achievable"),
    ("Ensure this never happens again", "wording-not-achievable"),
    ("Aim for zero downtime during deploys", "wording-not-achievable"),
    (
        "Consider figuring out an easy way for people to run a development environment closer to production",
        "wording-non-committal",
    ),
    ("Look into the timeout issue", "wording-non-committal"),
    ("Something about how to notice whether we're hitting GKE node limits?", "wording-non-committal"),
    ("Find a way to gracefully handle repositories that take a long time to build", "wording-non-committal"),
    ("Discuss how to know when to call an incident as resolved.", "wording-non-committal"),
    ("Investigate k8 training", "wording-non-committal"),
]

# Specific items, several written the way vague ones are ("Improve ...", "more ...", "Always ..."), that must pass.
SPECIFIC = [
    "Add index on orders.customer_id",
    "Add slow-query alerting (> 500ms) to database monitoring",
    "Increase database connection pool from 20 to 50",
    "Pre-build rollback artifacts so rollbacks don't require a CI build",
    "Alert when orders-db p95 query time > 500 ms for 5 min, paging #db-oncall",
    "Improve the alerting so that a majority of the team is notified when there's an outage.",
    "Improve the data migration to run in batches before running it again.",
    "Store the prometheus data somewhere more stable than its server pod.",
    "Start incidents earlier. We should declare incidents as soon as we confirm an issue (around 14:59).",
    "Set alerts on the test machine (obs-devel) to help us catch up failed deployments as soon as possible.",
    "Always run a 'Salt highstate' once a machine gets included in the production workload again.",
    "Write down the responsibilities of the people doing the deployment. Specifically include the lesson of "
    "'never ignore any errors in staging, they will always bite you in production' prominently.",
    "Investigate together with the Rails community why the marshalling changed.",
    "Investigate running index MR/fusion continuously",
    "Implement automated alerts for high queue depth.",
    "Plan a strategy to deploy migrations. It might include separating migration deployment from the code.",
    "Add metrics for the federation-redirect service to improve visibility of federation health issues",
    "Make sure we have a non-stackdriver alerting service so we can catch these issues earlier",
    "decrease launch timeout to 5 minutes.",
    "Build regression tests to ensure servers respond sanely to queries of death",
    "Should nominate one person to be the driver, maybe a shared terminal.",
    'Add a "deployment to staging" checklist to the documentation (possibly as files distinct from the README.)',
    "etcd detects data corruption by default",
    "Use flux capacitor to balance load between clusters",
    "Implementing monitoring and alerting for SDK errors - consider tracking SDK exception rates",
]


@pytest.mark.parametrize(("text", "rule"), VAGUE)
def test_vague_item_fires_its_rule(text: str, rule: str) -> None:
    assert rule in rules_for(text), f"{rule} did not fire on {text!r}: {rules_for(text)}"


@pytest.mark.parametrize("text", SPECIFIC)
def test_specific_item_passes(text: str) -> None:
    assert not wording_matches(text), [(m.rule, m.matched) for m in wording_matches(text)]


def test_every_wording_rule_has_a_positive_case() -> None:
    assert {p.rule for p in PATTERNS} <= {rule for _, rule in VAGUE}


def test_matches_name_the_words_and_the_reason() -> None:
    (match,) = wording_matches("Make kubespawner more robust to pod-reflector failure")
    assert match.matched == "more robust"
    assert "target" in match.why


def test_quoted_text_and_asides_are_not_the_items_own_claim() -> None:
    assert not is_vague("Add the banner 'we will never go down again' to the status page template")
    assert is_vague("Make sure it never happens again")


def test_bold_label_is_read_with_its_explanation() -> None:
    assert is_vague("Comprehensive monitoring", None)  # a bare subject names no action
    assert not is_vague(
        "Comprehensive monitoring",
        "Document the Postgres-to-Redis data flow and write a runbook for transfer storms",
    )
    assert is_vague(
        "Strike team formation", "Engineers conducting comprehensive review of the infrastructure"
    )
    assert not is_vague(
        "Circuit breakers", "Adding circuit breakers with exponential backoff to prevent retries"
    )


def test_accuracy_by_organisation_meets_its_floors(shared_dir: Path) -> None:
    """Wording rules on the items both readers agree on, each organisation left out in turn."""
    bench = load_bench("understanding")
    figures = bench.lint_figures(shared_dir / "examples", leave_out=True)["overall"]
    assert figures["precision"] >= bench.FLOORS["lint_precision"]
    assert figures["recall"] >= bench.FLOORS["lint_recall"]
    rows = (shared_dir / "examples" / "action-items.dev.jsonl").read_text().splitlines()
    agreed = [r for r in map(json.loads, rows) if r["vague"] == r["vague_second"]]
    assert figures["items"] == len(agreed)


def test_benchmark_script_reports_wilson_intervals(shared_dir: Path) -> None:
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, str(repo / "bench" / "lint_accuracy.py"), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(out.stdout)["wording"]
    low, high = figures["precision_ci"]
    assert low <= figures["precision"] <= high
    labeled = (shared_dir / "examples" / "action-items.dev.jsonl").read_text().splitlines()
    assert figures["items"] == len([line for line in labeled if line.strip()])


def test_items_written_apart_from_the_dev_file() -> None:
    flagged_specific = [t for t in WRITTEN_SPECIFIC if is_vague(t)]
    missed_vague = [t for t in WRITTEN_VAGUE if not is_vague(t)]
    assert len(flagged_specific) <= 1, flagged_specific
    # Two borderline misses: a hedge or an exploration that names a product ("Redis", "the API") is
    # weighed against that name, and lands just under the cut.
    assert len(missed_vague) <= 2, missed_vague
