"""The IssueTracker Protocol every backend implements, and the value types the sync engine exchanges."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from tracker.errors import RemoteError
from tracker.statuses import Status

if TYPE_CHECKING:
    from tracker.backends.reserve import Reserve


@dataclass(frozen=True)
class RemoteRef:
    """How the engine names a linked issue: the immutable id first, display key and URL beside it."""

    remote_id: str  # GitHub issue id / Jira numeric id: never changes
    key: str | None = None  # org/repo#12 or OPS-123: display text, may change
    number: int | None = None  # GitHub issue number (the URL path needs it)
    url: str | None = None
    etag: str | None = None  # for conditional re-verification


@dataclass(frozen=True)
class IssueContext:
    """What the issue body says about where the item comes from (rendered by the backend)."""

    postmortem_slug: str
    postmortem_title: str
    incident_date: date | None = None
    severity: str | None = None
    postmortem_url: str | None = None
    owner_text: str | None = None
    deadline_text: str | None = None
    item_id: int | None = None
    notes: tuple[str, ...] = ()  # lint findings worth telling the assignee


@dataclass(frozen=True)
class IssueDraft:
    """One issue to create. `marker` is content-derived so a lost database can still find it."""

    marker: str
    title: str
    context: IssueContext
    intro: str = ""  # Markdown above the tracker block (from the body template)
    assignee: str | None = None  # remote identity: GitHub login, Jira accountId or username
    due: date | None = None
    labels: tuple[str, ...] = ()
    priority: str | None = None
    status: Status = Status.OPEN
    fields: dict[str, Any] = field(default_factory=dict)  # backend-specific extra fields


@dataclass(frozen=True)
class RemoteIssue:
    """An issue as the remote has it, mapped to our vocabulary."""

    ref: RemoteRef
    title: str
    status: Status
    status_detail: str | None = None  # state_reason, Jira status/resolution name
    assignee: str | None = None  # remote identity of the (first) assignee
    due: date | None = None
    labels: tuple[str, ...] = ()
    marker: str | None = None
    updated_at: datetime | None = None
    created_at: datetime | None = None
    closed_at: datetime | None = None  # when it was closed or resolved, by the remote's clock
    closed_by: str | None = None
    closed_by_bot: bool = False
    repo_id: int | None = None
    node_id: str | None = None
    has_tracker_label: bool = True
    claimed_postmortem: str | None = None  # the block's Postmortem line: checked before adopting by marker
    unreadable_due: str | None = None  # the block's Deadline text when it is not a date (a person's typo)


class FetchKind(StrEnum):
    OK = "ok"
    NOT_MODIFIED = "not_modified"
    GONE = "gone"  # deleted (404/410)
    MOVED = "moved"  # transferred: `issue` is the new one


@dataclass(frozen=True)
class FetchResult:
    kind: FetchKind
    issue: RemoteIssue | None = None
    etag: str | None = None


@dataclass(frozen=True)
class PullResult:
    """Issues changed since a cursor; `server_time` is the remote's clock when the pull began."""

    issues: list[RemoteIssue]
    server_time: datetime | None
    not_modified: bool = False
    # An issue already read came back on a later page: it was updated mid-listing, so page-based
    # pagination may have skipped another one. The engine then keeps its cursor and lists again.
    shifted: bool = False


@dataclass(frozen=True)
class IssueChanges:
    """What the engine wants changed on a linked issue; None means leave it alone."""

    title: str | None = None
    assignee: tuple[str | None, str | None] | None = None  # (old, new): add/remove, never replace a set
    due: tuple[date | None, date | None] | None = None
    status: Status | None = None
    add_labels: tuple[str, ...] = ()
    remove_labels: tuple[str, ...] = ()
    context: IssueContext | None = None  # re-render the tracker block (never the human's text)

    def __bool__(self) -> bool:
        return any(
            value not in (None, ())
            for value in (
                self.title,
                self.assignee,
                self.due,
                self.status,
                self.add_labels,
                self.remove_labels,
            )
        )


@dataclass(frozen=True)
class CreateOutcome:
    """The result of one create: the issue, or an error; `uncertain` means it may exist remotely."""

    draft: IssueDraft
    issue: RemoteIssue | None = None
    error: str | None = None
    uncertain: bool = False  # the request may have reached the server (dropped response, timeout)
    warnings: tuple[str, ...] = ()  # e.g. assignee dropped, field not on the screen


@dataclass(frozen=True)
class Preflight:
    """What pre-flight learned; `cache` is stored and handed back next run so idle syncs cost nothing."""

    ok: bool
    can_write: bool
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    cache: dict[str, Any] = field(default_factory=dict)


class RateLimited(RemoteError):
    """The remote's rate limit is exhausted: stop this target cleanly until `reset_at`."""

    def __init__(self, message: str, reset_at: datetime | None = None) -> None:
        hint = (
            f"the limit resets at {reset_at:%Y-%m-%d %H:%M:%S} UTC; the next run resumes"
            if reset_at
            else None
        )
        super().__init__(message, hint=hint)
        self.reset_at = reset_at


class TransientError(RemoteError):
    """Retries were exhausted on a 5xx, timeout or dropped connection: record it and go on."""


class PermanentError(RemoteError):
    """The remote refused the request (validation, permission): record it on the item."""


@runtime_checkable
class IssueTracker(Protocol):
    """One target (a GitHub repository or a Jira project) as the engine sees it."""

    name: str
    kind: str
    create_batch_size: int  # 1 for GitHub, up to 50 for Jira bulk create

    @property
    def requests(self) -> int:
        """HTTP requests made so far (deterministic; tests and metrics assert it)."""
        ...

    def preflight(self, cache: dict[str, Any] | None, write: bool = True) -> Preflight:
        """Check auth, repository/project and permissions; reuse `cache` when still valid.

        With `write=False` (`tracker check`, dry runs) nothing is created: missing labels are reported.
        """
        ...

    def pull(self, since: datetime | None, state: dict[str, Any]) -> PullResult:
        """Tracker issues updated since `since` (inclusive), batched; `state` keeps ETags between runs."""
        ...

    def fetch(self, ref: RemoteRef) -> FetchResult:
        """One issue by its immutable identity, conditionally when `ref.etag` is set."""
        ...

    def find_markers(self, markers: set[str], since: datetime | None) -> dict[str, RemoteIssue]:
        """Tracker issues carrying any of `markers`, created or updated since `since` (None: all)."""
        ...

    def has_tracker_issues(self) -> bool:
        """Whether the remote already holds any issue with the tracker label (lost-database guard)."""
        ...

    def list_tracker_issues(self) -> list[RemoteIssue]:
        """Every issue with the tracker label (for `tracker adopt`)."""
        ...

    def create(self, drafts: list[IssueDraft]) -> list[CreateOutcome]:
        """Create up to `create_batch_size` issues; never retried blindly (a retry could duplicate).

        Raises RateLimited only when the request was refused whole (nothing was created)."""
        ...

    def update(self, ref: RemoteRef, changes: IssueChanges) -> RemoteIssue:
        """Apply `changes`, touching only what changed; returns the issue as the remote now has it."""
        ...

    def comment(self, ref: RemoteRef, body: str) -> str:
        """Post a comment (Markdown); returns its URL or id."""
        ...

    def add_tracker_label(self, ref: RemoteRef) -> bool:
        """Label an issue linked from a document; False when the token cannot write."""
        ...

    def parse_ref(self, text: str) -> RemoteRef | None:
        """Read an issue reference as users write it (URL, org/repo#12, #12, OPS-123) for this target."""
        ...

    def read_named(self, texts: list[str]) -> dict[str, FetchResult | None]:
        """The issues documents name, read in bulk (pages, not a GET each): text -> result.

        None: the text names no issue of this target; kind GONE: it names one that does not exist.
        """
        ...

    def close(self) -> None: ...


# --- optional capabilities (issue 9: reminders and parent issues) -------------------------------------
# Not part of IssueTracker, so a backend without them still satisfies the Protocol; callers check with
# isinstance(backend, CommentReader) / supports_parents(backend) and degrade (or report) when absent.


@dataclass(frozen=True)
class RemoteComment:
    """One comment on an issue; `text` is its body as text (an ADF body as its JSON), for marker lookups."""

    id: str
    text: str
    url: str | None = None
    created_at: datetime | None = None


@runtime_checkable
class CommentReader(Protocol):
    """Lists an issue's comments: how a reminder whose answer was lost is found again by its marker."""

    def list_comments(self, ref: RemoteRef, since: datetime | None = None) -> list[RemoteComment]:
        """Comments on the issue (created or updated since `since`, when given), oldest first."""
        ...


@runtime_checkable
class ParentIssues(Protocol):
    """A parent per postmortem: a GitHub issue with sub-issues, or a Jira epic with children."""

    supports_parents: bool

    def create_parent(self, draft: IssueDraft) -> CreateOutcome:
        """Create the parent issue (or epic); never retried blindly, like `create`."""
        ...

    def attach_child(self, parent: RemoteRef, child: RemoteRef) -> str | None:
        """Make `child` a sub-issue (or child) of `parent`; None when done (or already so), else why not."""
        ...


@runtime_checkable
class KeepsReserve(Protocol):
    """A backend whose API reports its rate limit: it can stop before spending `[sync] rate_reserve`."""

    def keep_reserve(self, reserve: Reserve | None) -> None:
        """Refuse (with ReserveReached, a RateLimited) any request that would spend below `reserve`."""
        ...


def supports_parents(backend: object) -> bool:
    return bool(getattr(backend, "supports_parents", False)) and isinstance(backend, ParentIssues)
