"""Run the registered rules over items, apply `[lint]` levels and labels, and decide the exit code."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tracker.lint.model import Finding, LintContext, LintItem, Severity
from tracker.lint.registry import Rule, all_rules


def _finding(rule: Rule, severity: Severity, item: LintItem, message: str, context: LintContext) -> Finding:
    return Finding(
        rule=rule.id,
        category=rule.category,
        severity=severity,
        message=message,
        hint=rule.hint,
        path=item.path,
        line=item.line,
        postmortem=item.postmortem,
        item=item.item_id,
        title=item.title,
        label=context.settings.label(rule.id),
    )


def _groups(items: Sequence[LintItem]) -> list[list[LintItem]]:
    """Items of one postmortem together (by slug, else by path), in their original order."""
    groups: dict[tuple[str | None, str | None], list[LintItem]] = {}
    for item in items:
        key = (item.postmortem, None) if item.postmortem else (None, item.path)
        groups.setdefault(key, []).append(item)
    return list(groups.values())


def run_rules(
    items: Sequence[LintItem], context: LintContext, only: Iterable[str] | None = None
) -> list[Finding]:
    """Every finding for `items`, rule by rule; rules that are off, or database-only outside it, are skipped."""
    wanted = set(only) if only is not None else None
    findings: list[Finding] = []
    for rule in all_rules().values():
        if wanted is not None and rule.id not in wanted:
            continue
        severity = context.settings.level(rule.id)
        if severity is None or (rule.database_only and not context.from_database):
            continue
        if rule.check is not None:
            for item in items:
                if not item.is_open:
                    continue  # done or won't-do: nothing left to fix
                findings.extend(
                    _finding(rule, severity, item, message, context) for message in rule.check(item, context)
                )
        if rule.group_check is not None:
            for group in _groups(items):
                for index, message in rule.group_check(group, context):
                    findings.append(_finding(rule, severity, group[index], message, context))
    order = {rule_id: position for position, rule_id in enumerate(all_rules())}
    findings.sort(key=lambda f: (f.path or "", f.postmortem or "", f.line or 0, f.item or 0, order[f.rule]))
    return findings


def failing(findings: Iterable[Finding], fail_on: Severity) -> list[Finding]:
    """The findings at or above the failing severity (they make `tracker lint` exit 1)."""
    return [f for f in findings if f.severity.rank >= fail_on.rank]


def labels_for(findings: Iterable[Finding]) -> list[str]:
    """The distinct labels sync should add for these findings (one item's findings), in rule order."""
    return list(dict.fromkeys(f.label for f in findings if f.label))


def findings_by_item(findings: Iterable[Finding]) -> dict[int, list[Finding]]:
    """Database findings grouped by item id (findings without an item id are left out)."""
    grouped: dict[int, list[Finding]] = {}
    for finding in findings:
        if finding.item is not None:
            grouped.setdefault(finding.item, []).append(finding)
    return grouped
