"""Value types the parser produces: a parsed document, its metadata and its action-item drafts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tracker.statuses import Status


@dataclass(frozen=True)
class Ref:
    """A tracker issue named in a document: a GitHub issue or a Jira issue."""

    kind: str  # github | jira
    key: str  # org/repo#12 or OPS-123
    text: str  # as written
    url: str | None = None
    repo: str | None = None  # github: org/repo
    number: int | None = None  # github: issue number
    project: str | None = None  # jira: project key


@dataclass
class FieldSpot:
    """Where a field's value was written, so `render` can rewrite it in place."""

    how: str  # cell | child | inline | context
    line: int | None = None  # 0-based source line of a nested `- Owner: x` child


@dataclass
class ItemDraft:
    """One action item as the document writes it, before it meets the database."""

    title: str  # plain text, Markdown removed
    title_text: str  # the title part as written, Markdown included
    source_line: int  # 1-based
    kind: str  # table | list | paragraph
    section: str  # the heading of the action section it sits under
    owner_text: str | None = None
    deadline_text: str | None = None
    status_text: str | None = None
    status: Status | None = None
    priority: str | None = None
    route: str | None = None  # an explicit target named by the document ("Target" column)
    description: str | None = None
    refs: list[Ref] = field(default_factory=list)
    spots: dict[str, FieldSpot] = field(default_factory=dict)
    # Rendering: the Markdown the item keeps once its annotations are taken off, and where it sits.
    core: str = ""
    checkbox: str | None = None  # "[ ]" / "[x]" as written
    lead: str | None = None  # a leading status emoji, as written
    context_status: str | None = None  # what the heading above says, when the item says nothing
    context_deadline: str | None = None
    line_span: tuple[int, int] = (0, 0)  # 0-based [start, end) of the paragraph or row
    table_id: int | None = None  # index of the table in the document, for table rows
    cells: list[str] = field(default_factory=list)  # raw cells of a table row

    @property
    def ref(self) -> Ref | None:
        return self.refs[0] if self.refs else None


@dataclass
class DocumentMeta:
    """Incident metadata as the document states it (text as written; dates parsed when possible)."""

    title: str | None = None
    slug: str | None = None
    incident_date: date | None = None
    date_text: str | None = None
    duration: str | None = None
    severity_text: str | None = None
    services: list[str] = field(default_factory=list)
    detection: str | None = None
    commander: str | None = None
    review_date: date | None = None
    review_text: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class TableInfo:
    """An action-items table: its line span, raw header and delimiter cells, and column roles."""

    span: tuple[int, int]
    header: list[str]
    delimiter: list[str]
    roles: dict[str, int]  # role -> column index
    # The first line of each row written over several lines -> how many lines it takes.
    wrapped: dict[int, int] = field(default_factory=dict)


@dataclass
class ParsedDocument:
    """What one Markdown postmortem says: metadata, action items in order, and where the section is."""

    name: str  # the file name or "<stdin>", for messages
    text: str
    meta: DocumentMeta
    items: list[ItemDraft]
    sections: list[tuple[int, int]] = field(default_factory=list)  # 0-based [start, end) line spans
    tables: list[TableInfo] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    candidates: list[Any] = field(default_factory=list)  # sections.Candidate: what --explain prints
    headings: list[str] = field(default_factory=list)  # every heading, for the "no items" warning
    none_stated: bool = False  # an action section says there are none ("N/A", "No actions.")
    tree: Any = None  # the body's markdown-it SyntaxTreeNode (front matter blanked), for recurrence
