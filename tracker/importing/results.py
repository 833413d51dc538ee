"""What importing did, per item and per document, with the documented JSON shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracker.history import as_text


@dataclass
class ItemOutcome:
    """What importing did to one item."""

    action: str  # new | updated | unchanged | removed
    title: str
    line: int | None
    item_id: int | None = None
    status: str | None = None
    push: bool = True
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.item_id,
            "action": self.action,
            "title": self.title,
            "line": self.line,
            "status": self.status,
            "push": self.push,
            "changes": {k: [as_text(a), as_text(b)] for k, (a, b) in self.changes.items()},
            "notes": self.notes,
            "findings": self.findings,
        }


@dataclass
class DocumentResult:
    """What importing one document did (or would do, in a dry run)."""

    file: str
    slug: str | None = None
    title: str | None = None
    created: bool = False
    items: list[ItemOutcome] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    hint: str | None = None
    empty: bool = False  # no items, and the document does not say it has none
    none_stated: bool = False  # "N/A", "No actions.": the document says it has no items
    sections: list[dict[str, Any]] | None = None  # --explain: each candidate section and why

    def counts(self) -> dict[str, int]:
        counts = {"new": 0, "updated": 0, "unchanged": 0, "removed": 0}
        for outcome in self.items:
            counts[outcome.action] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "slug": self.slug,
            "title": self.title,
            "ok": self.error is None,
            "created": self.created,
            "error": self.error,
            "hint": self.hint,
            "counts": self.counts(),
            "items": [o.to_dict() for o in self.items],
            "warnings": self.warnings,
            "empty": self.empty,
            "none_stated": self.none_stated,
            **({"sections": self.sections} if self.sections is not None else {}),
        }
