"""Register the wording rules (not actionable, specific, measurable, achievable; non-committal) with the engine."""

from __future__ import annotations

from collections.abc import Iterator

from tracker.lint.model import LintContext, LintItem, Severity
from tracker.lint.registry import rule
from tracker.lint.wording import wording_matches


def _messages(rule_id: str, label: str, item: LintItem) -> Iterator[str]:
    matches = [
        m
        for m in wording_matches(item.title, item.description if item.title_is_label else None)
        if m.rule == rule_id
    ]
    if matches:
        first = matches[0]
        # Two patterns often fire on the same words ("find a way"): name each wording once.
        seen = {first.matched.lower()}
        others = ""
        for match in matches[1:]:
            if match.matched.lower() not in seen:
                seen.add(match.matched.lower())
                others += f"; also {match.matched!r}"
        yield f"{label}: {first.matched!r}: {first.why}{others}"


@rule(
    "wording-not-actionable",
    "wording",
    Severity.WARNING,
    "a call for care or awareness, or a fix aimed at people rather than the system",
    "change the system so care is not needed: 'Block deploys that skip the staging smoke test in CI' "
    "instead of 'Be more careful when deploying'",
)
def not_actionable(item: LintItem, context: LintContext) -> Iterator[str]:
    yield from _messages("wording-not-actionable", "not actionable", item)


@rule(
    "wording-not-specific",
    "wording",
    Severity.WARNING,
    "a generic verb or a category of work with no concrete object or mechanism",
    "name the mechanism and where it goes: 'Add query performance tests against a 4M-row orders fixture to CI' "
    "instead of 'Test more' or 'Improve monitoring'",
)
def not_specific(item: LintItem, context: LintContext) -> Iterator[str]:
    yield from _messages("wording-not-specific", "not specific", item)


@rule(
    "wording-not-measurable",
    "wording",
    Severity.WARNING,
    "no verifiable end state ('better alerting', 'more robust')",
    "name the alert, the threshold and where it goes: 'Alert when orders-db p95 query time > 500 ms for 5 min, "
    "paging #db-oncall'",
)
def not_measurable(item: LintItem, context: LintContext) -> Iterator[str]:
    yield from _messages("wording-not-measurable", "not measurable", item)


@rule(
    "wording-not-achievable",
    "wording",
    Severity.WARNING,
    "an absolute nobody can finish ('eliminate all', 'never again')",
    "commit to a step that closes this failure mode: 'Reject migrations that add an unindexed query in CI' "
    "instead of 'Eliminate all database-related incidents'",
)
def not_achievable(item: LintItem, context: LintContext) -> Iterator[str]:
    yield from _messages("wording-not-achievable", "not achievable", item)


@rule(
    "wording-non-committal",
    "wording",
    Severity.WARNING,
    "hedged or speculative ('consider', 'look into', 'something about')",
    "decide and state the outcome: 'Evaluate Envoy vs NGINX on the staging cluster and record the decision in "
    "ADR-12' instead of 'Look into replacing NGINX'",
)
def non_committal(item: LintItem, context: LintContext) -> Iterator[str]:
    yield from _messages("wording-non-committal", "non-committal", item)
