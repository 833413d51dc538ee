"""Lint value types: the input item every rule reads, severities, findings and the rule context."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from tracker.deadlines import DeadlineKind, parse_deadline

if TYPE_CHECKING:
    from tracker.people import OwnerResolver


class Severity(StrEnum):
    """How bad a finding is; `error` fails `tracker lint` by default, `--strict` fails on warnings too."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True)
class LintItem:
    """One action item as the rules see it, from a parsed document or from the database."""

    title: str
    description: str | None = None  # read by the wording rules only when the title is a bold label
    title_is_label: bool = False
    owner_text: str | None = None
    deadline_text: str | None = None
    deadline: date | None = None
    deadline_kind: DeadlineKind | None = None  # None: parse `deadline_text` against the incident date
    status: str = "open"
    postmortem: str | None = None  # slug, or the document name
    incident_date: date | None = None
    review_date: date | None = None
    path: str | None = None
    line: int | None = None
    item_id: int | None = None
    linked: bool | None = None  # None: not known (a document outside the database)
    imported_at: datetime | None = None  # the item's start: backdated to the incident by import
    first_seen_at: datetime | None = None  # when tracker first recorded the item (its first event)
    last_activity: datetime | None = None  # last remote update seen by sync

    @property
    def is_open(self) -> bool:
        return self.status in ("open", "in_progress")

    def resolved_deadline(self, today: date) -> tuple[date | None, DeadlineKind]:
        """The deadline date and how its text reads (parsed now when the caller gave no parse)."""
        if self.deadline is not None:
            return self.deadline, DeadlineKind.DATE
        if self.deadline_kind is not None:
            return None, self.deadline_kind
        if self.deadline_text is None or not self.deadline_text.strip():
            return None, DeadlineKind.NO_DATE
        parsed = parse_deadline(self.deadline_text, self.incident_date or today)
        return parsed.date, parsed.kind


@dataclass(frozen=True)
class Finding:
    """One problem with one item (or one postmortem), with how to fix it and the label sync adds."""

    rule: str
    category: str
    severity: Severity
    message: str
    hint: str
    path: str | None = None
    line: int | None = None
    postmortem: str | None = None
    item: int | None = None
    title: str | None = None
    label: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON shape of a finding."""
        data = asdict(self)
        data["severity"] = self.severity.value
        order = [
            "path",
            "line",
            "postmortem",
            "item",
            "title",
            "rule",
            "category",
            "severity",
            "message",
            "hint",
            "label",
        ]
        return {key: data[key] for key in order}


class RuleSettings(Protocol):
    """What rules and the engine read from the settings (`LintSettings` in settings.py).

    Declared here, not imported, because settings.py consults the registry, whose check signatures
    name `LintContext`: importing it would close the cycle model -> settings -> registry -> model.
    """

    @property
    def fail_on(self) -> Severity: ...
    @property
    def max_items(self) -> int: ...
    @property
    def far_deadline_days(self) -> int: ...
    @property
    def max_title_words(self) -> int: ...
    @property
    def no_link_days(self) -> int: ...
    @property
    def stale_days(self) -> int: ...
    @property
    def assignment_days(self) -> int: ...

    def level(self, rule_id: str) -> Severity | None: ...

    def label(self, rule_id: str) -> str | None: ...


@dataclass
class LintContext:
    """What rules may consult besides the item: today, settings, owner resolution, other open items."""

    today: date
    settings: RuleSettings
    resolver: OwnerResolver | None = None
    people_configured: bool = False
    others: list[LintItem] = field(default_factory=list)  # open items of other postmortems (scope-duplicate)
    from_database: bool = False  # progress rules run only on database items
