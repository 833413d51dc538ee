"""Lint settings from `[lint]`: severities per rule (or off), thresholds, labels; every problem reported at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracker.errors import ConfigError
from tracker.lint.model import Severity
from tracker.lint.registry import CATEGORIES, DEFAULT_LABELS, all_rules

LEVELS = ("error", "warning", "info", "off")


@dataclass(frozen=True)
class LintSettings:
    """Validated `[lint]`: `levels` maps a rule id to its severity, or None when the rule is off."""

    levels: dict[str, Severity | None] = field(default_factory=dict)
    fail_on: Severity = Severity.ERROR
    max_items: int = 7
    far_deadline_days: int = 180
    max_title_words: int = 40
    no_link_days: int = 3
    stale_days: int = 30
    assignment_days: int = 0  # from [sync] assignment_days: 0 turns progress-unassigned off
    labels: dict[str, str] = field(default_factory=dict)  # category or rule id -> label ("" = none)

    def level(self, rule_id: str) -> Severity | None:
        """The effective severity of a rule, or None when it is turned off."""
        if rule_id in self.levels:
            return self.levels[rule_id]
        return all_rules()[rule_id].severity

    def label(self, rule_id: str) -> str | None:
        """The label sync adds for a finding of this rule: by rule id, else by category, else the default."""
        if rule_id in self.labels:
            return self.labels[rule_id] or None
        category = all_rules()[rule_id].category
        if category in self.labels:
            return self.labels[category] or None
        return DEFAULT_LABELS.get(category)

    @classmethod
    def from_mapping(cls, raw: Any) -> LintSettings:
        """Build from a `[lint]` table or the `LintConfig` dataclass; raise ConfigError naming every bad key."""
        values: dict[str, Any] = dict(raw) if isinstance(raw, dict) else dict(getattr(raw, "__dict__", {}))
        problems: list[str] = []
        rules = all_rules()
        levels: dict[str, Severity | None] = {}
        for rule_id, level in (values.get("rules") or {}).items():
            if rule_id not in rules:
                import difflib

                close = difflib.get_close_matches(rule_id, list(rules), n=1)
                problems.append(
                    f"[lint] rules.{rule_id}: unknown rule"
                    + (f" (did you mean '{close[0]}'?)" if close else "")
                )
            elif not isinstance(level, str) or level.lower() not in LEVELS:
                problems.append(f"[lint] rules.{rule_id}: must be one of {', '.join(LEVELS)}, got {level!r}")
            else:
                levels[rule_id] = None if level.lower() == "off" else Severity(level.lower())
        labels: dict[str, str] = {}
        for key, label in (values.get("labels") or {}).items():
            if key not in CATEGORIES and key not in rules:
                problems.append(f"[lint] labels.{key}: not a category ({', '.join(CATEGORIES)}) or a rule id")
            elif not isinstance(label, str) or (label and not label.strip()):
                problems.append(f'[lint] labels.{key}: expected a label name (or "" for none), got {label!r}')
            else:
                labels[key] = label.strip()
        fail_on = str(values.get("fail_on") or "error").lower()
        if fail_on not in ("error", "warning", "info"):
            problems.append(f"[lint] fail_on: must be one of error, warning, info, got {fail_on!r}")
            fail_on = "error"
        numbers: dict[str, int] = {}
        for key, default in (
            ("max_items", 7),
            ("far_deadline_days", 180),
            ("max_title_words", 40),
            ("no_link_days", 3),
            ("stale_days", 30),
        ):
            value = values.get(key, default)
            if value is None:
                value = default
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                problems.append(f"[lint] {key}: expected a whole number of at least 1, got {value!r}")
                value = default
            numbers[key] = value
        if problems:
            raise ConfigError(
                f"{len(problems)} problem(s) in [lint]",
                hint="`tracker lint --list-rules` shows every rule id",
                problems=problems,
            )
        return cls(levels=levels, fail_on=Severity(fail_on), labels=labels, **numbers)
