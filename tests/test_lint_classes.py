"""Classes of vague wording, concreteness that cancels them, team-like owners and documents with no items.

Every item here was written for these tests (none is a line of ../shared/examples)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tracker.config import Config
from tracker.lint.engine import run_rules
from tracker.lint.model import LintItem
from tracker.lint.sources import make_context
from tracker.lint.wording import features, is_vague, wording_matches

# (class of vagueness, an item of that class)
CLASSES = [
    ("aspiration", "We need to get a handle on exports"),
    ("aspiration", "Try to keep release branches short-lived"),
    ("aspiration", "Aim to harmonise the staging configuration"),
    ("hedge", "Maybe move the scheduler somewhere else"),
    ("explore", "Explore options for the session store"),
    ("continuation", "Continue to watch the ingestion backlog"),
    ("continuation", "We are working on the flaky end-to-end suite"),
    ("question", "How do we know the importer finished?"),
    ("discussion", "Discuss ownership of the billing alerts with the payments folks"),
    ("discussion", "Align on the rollback approach"),
    ("outcome", "Search results are never stale"),
    ("outcome", "Checkout latency remains low during sales"),
    ("topic", "Observability of exports"),
    ("link", "See #4412"),
    ("link", "OPS-2291"),
    ("training", "Teach the support rota about the new escalation rules"),
    ("training", "Emphasize the freeze policy at the next all-hands"),
    ("comparison", "Get more visibility into the worker fleet"),
    ("comparison", "Even more alerting around the checkout flow"),
    ("improve", "Improve the escalation experience"),
    ("generic", "Add some tooling for incidents"),
    ("unmeasured", "Handle partial uploads properly"),
    ("unbounded", "Make sure similar problems cannot reoccur anywhere"),
    ("unbounded", "Ensure the cache never serves anything wrong"),
]


# Written for the classes that slipped through before: an owner before the verb, a pointer with link text,
# "keep X informed", "all the flaky X", a plural noun that is also a verb, a manner adverb in a state.
CLASSES += [
    ("improve", "Storage team to harden the backup hosts"),
    ("improve", "@kim will streamline the release checklist"),
    ("link", "[Follow-up ticket](https://tracker.example.org/browse/OPS-77)"),
    ("link", "See the [tracking issue](https://example.org/issues/9)"),
    ("continuation", "Keep the partners informed"),
    ("continuation", "Continue monitoring the ingest lag"),
    ("unbounded", "Resolve all the failing checks"),
    ("unbounded", "Fix all known vulnerabilities"),
    ("outcome", "Builds are fast and predictable"),  # "Builds" is also a verb form
    ("unmeasured", "Partners are told promptly when exports stall"),
    ("hedge", "Maybe add a second NTP source"),  # a short acronym is a kind of thing, not a name
    ("explore", "Look into alternatives to the CDN"),
    ("improve", "Improve end to end testing"),  # "end to end" is a kind of test, not "to" and an end state
    ("unbounded", "Make sure every queue is monitored"),
    ("training", "Coach the new responders on paging etiquette"),
    ("unbounded", "Make sure nothing of the sort ever happens again"),
]


@pytest.mark.parametrize(("cls", "text"), CLASSES)
def test_each_class_is_detected_and_makes_the_item_vague(cls: str, text: str) -> None:
    assert cls in features(text), sorted(features(text))
    assert is_vague(text), sorted(features(text))


# The same soft words with a concrete change, a number, a code identifier or a named artefact: not vague.
CONCRETE = [
    "We need to raise `max_connections` on orders-db from 100 to 300",
    "Continue the rollout of the v2 ingest worker to the remaining 4 regions, then delete `ingest_v1`",
    "Add more replicas to the search-api deployment: 6 instead of 3",
    "Pin `libfoo` to 2.3.1 in the base image",
    "Restored the staging bucket from the 03:00 snapshot",
    "Page #payments-oncall when checkout p99 latency exceeds 800 ms for 10 minutes",
    # "keep", "all", "more", "continue" used concretely (an organisation new to tracker writes these too)
    "Keep the 14-day log retention for the audit bucket in Terraform",
    "Keep a read-only copy of the old bucket until the cut-over is verified, then delete it",
    "Rotate all signing keys issued before the breach",
    "Add more than one replica to the ledger StatefulSet",
    "Add more detail to the failed-deploy message: include the commit and the failing step",
    "Continue the rollout of the new proxy to the remaining regions",
    "Move the exports to the cold-storage bucket",  # the verb is the first word, not an owner
    "Continue to use the v1 token format until every client has upgraded",
    "Should the sync job fail twice, page the data on-call",  # a condition, not "should"
    "Train the fraud classifier on the relabelled March data",  # a model, not people
    "Faster restores: keep a warm standby of the ledger database",  # a goal, then the action
    "Add additional logging of the tenant id in the upload handler",
    "**Alerting**: page the storage on-call when a backup has not finished by 05:00",  # a subject label
]


@pytest.mark.parametrize("text", CONCRETE)
def test_concreteness_cancels_soft_cues(text: str) -> None:
    assert not is_vague(text), (sorted(features(text)), wording_matches(text))


def test_the_rationale_after_a_label_does_not_make_a_concrete_action_vague() -> None:
    assert not is_vague(
        "Rotate the webhook signing key monthly",
        "we should probably have done this earlier, and maybe we need better tooling in general",
    )
    assert is_vague("Better alerting", "we want to hear about problems earlier than customers do")


def test_plain_label_with_colon_is_judged_like_a_bold_one() -> None:
    assert is_vague("Worker health: we need better visibility and more alerting")
    assert not is_vague(
        "Disable the legacy `/v1/export` endpoint: it is unused since March and we should drop it"
    )


def test_a_finding_names_the_class_and_the_words() -> None:
    matches = wording_matches("Discuss the paging policy")
    assert matches and matches[0].rule == "wording-non-committal"
    assert any("discuss" in m.matched.lower() for m in matches)


def test_model_refits_on_given_rows_only() -> None:
    from tracker.lint.wording_training import fitted_on

    text = "Improve the escalation runbook"  # a class of vagueness weighed against a named artefact
    assert is_vague(text)
    # Rows in which every "improve" item is specific: fitted on those alone, the class loses its weight.
    rows = [
        {"text": f"Improve the {noun} of the service", "vague": False} for noun in ("a", "b", "c", "d")
    ] * 40
    with fitted_on(rows):
        assert not is_vague(text)
        # With nothing concrete to weigh against it, a class of vagueness decides whatever the weights.
        assert is_vague("Improve the escalation experience")
    assert is_vague(text)


# -- owners that look like teams or roles

TODAY = date(2026, 6, 20)


def _owner_rules(owner: str, config: Config) -> list[str]:
    item = LintItem(
        title="Pin `libfoo` to 2.3.1 in the base image", owner_text=owner, deadline_text="2026-07-01"
    )
    return [f.rule for f in run_rules([item], make_context(config, TODAY)) if f.rule.startswith("owner-")]


@pytest.mark.parametrize(
    "owner",
    [
        "SRE",
        "Platform team",
        "Leads",
        "Devs",
        "Kim + Lee",
        "Kim and Lee",
        "Ops/Dev",
        "@kim, @lee",
        "@kim @lee",
        "Kim, Lee, Park",
        "Payments squad",
        "Incident commander",
    ],
)
def test_team_like_owner_without_teams_config(owner: str) -> None:
    assert _owner_rules(owner, Config()) == ["owner-team-likely"]


@pytest.mark.parametrize("owner", ["Kim", "@kim", "Kim Lee", "Lee, Kim", "Kim (payments)"])
def test_a_person_is_not_team_like(owner: str) -> None:
    assert _owner_rules(owner, Config()) == []


# -- documents with no items


def test_lint_reports_a_document_with_no_items(run_cli, workdir: Path) -> None:
    (workdir / "pm.md").write_text(
        "# Billing cron outage\n\n## Timeline\n\n- 10:00 the cron stopped\n\n## Homework\n\n"
        "We will add a check that the cron ran.\n",
        encoding="utf-8",
    )
    result = run_cli("lint", "pm.md")
    assert result.exit_code == 0, result.output
    assert "pm.md: no-action-items: no action items found" in result.output
    assert "'Timeline'" in result.output
    strict = run_cli("lint", "--strict", "pm.md")
    assert strict.exit_code == 1
    assert "no-action-items" in strict.output


def test_a_document_that_says_it_has_none_is_not_flagged(run_cli, workdir: Path) -> None:
    (workdir / "pm.md").write_text(
        "# Queue stall\n\n## Summary\n\nThe queue stalled for four minutes.\n\nNo action items.\n",
        encoding="utf-8",
    )
    result = run_cli("lint", "--strict", "pm.md")
    assert result.exit_code == 0, result.output
    assert "no-action-items" not in result.output


def test_shipped_weights_are_what_a_fit_on_the_labeled_items_gives(shared_dir: Path) -> None:
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    script = repo / "bench" / "fit_wording.py"
    out = subprocess.run(
        [sys.executable, str(script), "--check", "--examples", str(shared_dir / "examples")],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr


def test_headings_in_code_blocks_are_not_listed(run_cli, workdir: Path) -> None:
    (workdir / "pm.md").write_text(
        "# Disk full\n\n## Timeline\n\n```sh\n# rotate the logs\nlogrotate -f /etc/logrotate.conf\n```\n",
        encoding="utf-8",
    )
    result = run_cli("lint", "pm.md")
    assert "'Disk full', 'Timeline')" in result.output
    assert "rotate the logs" not in result.output


def test_a_pattern_written_from_one_organisation_is_off_while_it_is_held_out() -> None:
    from tracker.provenance import holding_out

    text = "Going forward we should endeavour to test upgrades"
    assert "aspiration (going forward)" in {m.pattern for m in wording_matches(text)}
    with holding_out("cheqd"):
        assert "aspiration (going forward)" not in {m.pattern for m in wording_matches(text)}
    with holding_out("jupyterhub"):  # another organisation: the pattern stays
        assert "aspiration (going forward)" in {m.pattern for m in wording_matches(text)}
