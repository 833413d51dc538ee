"""The rule registry: every rule's stable id, category, default severity, hint and label, and its check."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from tracker.lint.model import LintContext, LintItem, Severity

# A check yields messages (one finding each); a group check yields (index of the item, message).
ItemCheck = Callable[[LintItem, LintContext], Iterable[str]]
GroupCheck = Callable[[list[LintItem], LintContext], Iterable[tuple[int, str]]]

CATEGORIES = ("ownership", "deadline", "wording", "structure", "scope", "progress")
DEFAULT_LABELS = {"ownership": "needs-owner", "deadline": "needs-deadline", "wording": "needs-rewording"}


@dataclass(frozen=True)
class Rule:
    """A rule's identity and documentation; `check` or `group_check` does the work."""

    id: str
    category: str
    severity: Severity
    summary: str
    hint: str
    database_only: bool = False
    check: ItemCheck | None = None
    group_check: GroupCheck | None = None


RULES: dict[str, Rule] = {}
_rule_modules_loaded = False
RULE_MODULES = tuple(
    f"tracker.lint.{name}"
    for name in ("ownership", "deadline_rules", "wording_rules", "structure", "scope", "progress")
)


def rule(
    id: str, category: str, severity: Severity, summary: str, hint: str, *, database_only: bool = False
) -> Callable[[ItemCheck], ItemCheck]:
    """Register a per-item rule."""

    def register(check: ItemCheck) -> ItemCheck:
        _add(Rule(id, category, severity, summary, hint, database_only, check=check))
        return check

    return register


def group_rule(
    id: str, category: str, severity: Severity, summary: str, hint: str, *, database_only: bool = False
) -> Callable[[GroupCheck], GroupCheck]:
    """Register a rule that looks at all items of one postmortem at once."""

    def register(check: GroupCheck) -> GroupCheck:
        _add(Rule(id, category, severity, summary, hint, database_only, group_check=check))
        return check

    return register


def _add(new: Rule) -> None:
    if new.id in RULES:
        raise ValueError(f"lint rule {new.id} registered twice")
    if new.category not in CATEGORIES:
        raise ValueError(f"lint rule {new.id}: unknown category {new.category}")
    RULES[new.id] = new


def all_rules() -> dict[str, Rule]:
    """Every rule, after importing the modules that define them (their order is the report order)."""
    global _rule_modules_loaded
    if not _rule_modules_loaded:
        # Lint asks for the rules once per item: importing the modules once per process keeps
        # import_module's locking out of a 5,000-item import.
        import importlib

        for module in RULE_MODULES:
            importlib.import_module(module)
        _rule_modules_loaded = True
    return RULES
