"""State records of the fake GitHub (users, repos, issues, labels...) and time helpers."""

from __future__ import annotations

import base64
import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

# GitHub's legacy node ids are base64("0<len>:<Type><id>"), e.g. "MDU6SXNzdWUx" for Issue 1.
# Reproducing the scheme keeps node ids opaque-but-stable exactly like the real ones.


def node_id(kind: str, ident: int) -> str:
    """Legacy-format GraphQL node id for an object of `kind` (e.g. "Issue") and numeric id."""
    return base64.b64encode(f"0{len(kind)}:{kind}{ident}".encode()).decode()


def iso(dt: datetime | None) -> str | None:
    """Timestamp in GitHub's `YYYY-MM-DDTHH:MM:SSZ` form (seconds, UTC)."""
    if dt is None:
        return None
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def http_date(dt: datetime) -> str:
    """RFC 7231 date, as in `Date` and `Last-Modified` headers."""
    return format_datetime(dt.astimezone(UTC).replace(microsecond=0), usegmt=True)


def parse_http_date(value: str) -> datetime | None:
    """Parse an `If-Modified-Since` value; None when it is not a date."""
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_iso(value: str) -> datetime | None:
    """Parse an ISO 8601 timestamp or date as GitHub accepts them; naive values are UTC."""
    text = value.strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def floor_second(dt: datetime) -> datetime:
    """GitHub compares timestamps at second precision."""
    return dt.replace(microsecond=0)


@dataclass
class User:
    id: int
    login: str
    type: str = "User"  # "User", "Bot" or "Organization"
    name: str | None = None
    email: str | None = None
    site_admin: bool = False
    created_at: datetime = field(default_factory=lambda: datetime(2015, 1, 1, tzinfo=UTC))

    @property
    def node_id(self) -> str:
        return node_id("Bot" if self.type == "Bot" else "User", self.id)


@dataclass
class Org:
    id: int
    login: str
    name: str | None = None
    description: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime(2015, 1, 1, tzinfo=UTC))


@dataclass
class Team:
    id: int
    org: str
    slug: str
    name: str
    description: str | None = None
    members: list[str] = field(default_factory=list)
    maintainers: list[str] = field(default_factory=list)
    created_at: datetime = field(default_factory=lambda: datetime(2015, 1, 1, tzinfo=UTC))


@dataclass
class Token:
    """A credential: which user it authenticates, and whether it may push by default."""

    value: str
    login: str
    push: bool = True


@dataclass
class Label:
    id: int
    name: str
    color: str = "ededed"
    description: str | None = None
    default: bool = False


@dataclass
class Milestone:
    id: int
    number: int
    title: str
    creator: str
    created_at: datetime
    updated_at: datetime
    state: str = "open"
    description: str | None = None
    due_on: datetime | None = None
    closed_at: datetime | None = None


@dataclass
class Comment:
    id: int
    issue_id: int
    user: str
    body: str
    created_at: datetime
    updated_at: datetime


@dataclass
class Issue:
    id: int
    repo_id: int
    number: int
    title: str
    body: str | None
    user: str
    created_at: datetime
    updated_at: datetime
    state: str = "open"
    state_reason: str | None = None
    label_ids: list[int] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)
    milestone: int | None = None
    locked: bool = False
    comments: int = 0
    closed_at: datetime | None = None
    closed_by: str | None = None
    parent_id: int | None = None
    sub_issue_ids: list[int] = field(default_factory=list)
    field_values: dict[int, Any] = field(default_factory=dict)  # organisation issue field id -> value
    # Tombstones: a deleted issue answers 410, a transferred one 301 to its new home.
    deleted: bool = False
    moved_to: int | None = None

    @property
    def node_id(self) -> str:
        return node_id("Issue", self.id)

    @property
    def live(self) -> bool:
        return not self.deleted and self.moved_to is None

    def snapshot(self) -> Issue:
        """Independent copy, used for the lagging search index and for callers' inspection."""
        return copy.deepcopy(self)


@dataclass
class Repo:
    id: int
    owner: str
    name: str
    private: bool = False
    has_issues: bool = True
    description: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime(2020, 1, 1, tzinfo=UTC))
    updated_at: datetime = field(default_factory=lambda: datetime(2020, 1, 1, tzinfo=UTC))
    next_number: int = 1
    issues: dict[int, Issue] = field(default_factory=dict)
    labels: dict[str, Label] = field(default_factory=dict)  # keyed by lower-cased name
    milestones: dict[int, Milestone] = field(default_factory=dict)
    next_milestone: int = 1
    collaborators: list[str] = field(default_factory=list)
    # Per-login overrides of the token's default permission: "push", "read" or "none".
    permissions: dict[str, str] = field(default_factory=dict)
    # Any change in the repository; used as Last-Modified for listings so an
    # If-Modified-Since can never hide a deletion or transfer.
    changed_at: datetime = field(default_factory=lambda: datetime(2020, 1, 1, tzinfo=UTC))

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def node_id(self) -> str:
        return node_id("Repository", self.id)

    def label_by_name(self, name: str) -> Label | None:
        return self.labels.get(name.lower())

    def label_by_id(self, ident: int) -> Label | None:
        return next((lab for lab in self.labels.values() if lab.id == ident), None)


@dataclass
class IssueEvent:
    """One entry of a repository's issue events feed (closed, reopened, labeled, unlabeled)."""

    id: int
    repo_id: int
    issue_id: int
    actor: str
    event: str
    created_at: datetime
    label: str | None = None  # labeled/unlabeled: the label's name
    label_color: str | None = None
