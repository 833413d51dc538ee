"""An in-process IssueTracker: the engine's test double and the `--dry-run` planner's stand-in."""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tracker.backends.base import (
    CreateOutcome,
    FetchKind,
    FetchResult,
    IssueChanges,
    IssueDraft,
    Preflight,
    PullResult,
    RemoteComment,
    RemoteIssue,
    RemoteRef,
    TransientError,
)
from tracker.backends.block import compose_markdown_body, parse_markdown_body, replace_markdown_block
from tracker.statuses import Status

PAGE_SIZE = 100


@dataclass
class MemoryIssue:
    id: int
    number: int
    title: str
    body: str
    status: Status = Status.OPEN
    status_detail: str | None = None
    assignee: str | None = None
    labels: set[str] = field(default_factory=set)
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    updated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    closed_at: datetime | None = None
    closed_by: str | None = None
    bot: bool = False
    deleted: bool = False
    moved_to: int | None = None
    comments: list[str] = field(default_factory=list)
    parent: int | None = None  # id of the parent issue (sub-issues / epics)


class MemoryRemote:
    """The shared 'server' state, so several backend instances (hosts, runs) see one remote."""

    def __init__(self, name: str = "memory", tracker_label: str = "postmortem-action") -> None:
        self.name = name
        self.tracker_label = tracker_label
        self.issues: dict[int, MemoryIssue] = {}
        self.lock = threading.Lock()
        self._ids = itertools.count(1000)
        self._numbers = itertools.count(1)
        self.clock_offset = timedelta(0)
        self.fail_creates: list[str] = []  # queued outcomes: "error" or "drop" (applied, then lost)
        self.assignable: set[str] | None = None  # None: anyone

    def now(self) -> datetime:
        return datetime.now(UTC) + self.clock_offset

    def touch(self, issue: MemoryIssue) -> None:
        issue.updated_at = self.now()

    # Acting as a person, for tests.
    def close(self, number: int, reason: str = "completed", by: str = "someone", bot: bool = False) -> None:
        issue = self.by_number(number)
        issue.status = Status.DONE if reason == "completed" else Status.WONT_DO
        issue.status_detail, issue.closed_by, issue.bot, issue.closed_at = reason, by, bot, self.now()
        self.touch(issue)

    def reopen(self, number: int) -> None:
        issue = self.by_number(number)
        issue.status, issue.status_detail, issue.closed_at, issue.bot = Status.OPEN, "reopened", None, False
        self.touch(issue)

    def reassign(self, number: int, login: str | None) -> None:
        issue = self.by_number(number)
        issue.assignee = login
        self.touch(issue)

    def edit_title(self, number: int, title: str) -> None:
        issue = self.by_number(number)
        issue.title = title
        self.touch(issue)

    def set_deadline_line(self, number: int, due: date) -> None:
        issue = self.by_number(number)
        issue.body = re.sub(r"(?m)^Deadline: .*$", f"Deadline: {due.isoformat()}", issue.body)
        self.touch(issue)

    def delete(self, number: int) -> None:
        self.by_number(number).deleted = True

    def by_number(self, number: int) -> MemoryIssue:
        for issue in self.issues.values():
            if issue.number == number:
                return issue
        raise KeyError(number)


class MemoryBackend:
    """Implements IssueTracker against a MemoryRemote, counting one request per remote call."""

    kind = "memory"
    create_batch_size = 1

    def __init__(self, name: str, remote: MemoryRemote) -> None:
        self.name = name
        self.remote = remote
        self._requests = 0

    @property
    def requests(self) -> int:
        return self._requests

    def _call(self) -> None:
        self._requests += 1

    def _to_remote(self, issue: MemoryIssue) -> RemoteIssue:
        block = parse_markdown_body(issue.body)
        return RemoteIssue(
            ref=RemoteRef(
                remote_id=str(issue.id),
                key=f"{self.remote.name}#{issue.number}",
                number=issue.number,
                url=f"memory://{self.remote.name}/{issue.number}",
                etag=f'"{issue.updated_at.timestamp()}"',
            ),
            title=issue.title,
            status=issue.status,
            status_detail=issue.status_detail,
            assignee=issue.assignee,
            due=block.deadline if block else None,
            labels=tuple(sorted(issue.labels)),
            marker=block.marker if block else None,
            updated_at=issue.updated_at,
            created_at=issue.created_at,
            closed_at=issue.closed_at,
            closed_by=issue.closed_by,
            closed_by_bot=issue.bot,
            has_tracker_label=self.remote.tracker_label in issue.labels,
        )

    def preflight(self, cache: dict[str, Any] | None, write: bool = True) -> Preflight:
        if cache and cache.get("ok"):
            return Preflight(ok=True, can_write=True, cache=cache)
        self._call()
        return Preflight(ok=True, can_write=True, cache={"ok": True})

    def _tracker_issues(self) -> list[MemoryIssue]:
        return [
            i for i in self.remote.issues.values() if not i.deleted and self.remote.tracker_label in i.labels
        ]

    def pull(self, since: datetime | None, state: dict[str, Any]) -> PullResult:
        with self.remote.lock:
            server_time = self.remote.now()
            changed = sorted(
                (i for i in self._tracker_issues() if since is None or i.updated_at >= since),
                key=lambda i: i.updated_at,
            )
        pages = max(1, -(-len(changed) // PAGE_SIZE))
        self._requests += pages
        return PullResult([self._to_remote(i) for i in changed], server_time, not_modified=not changed)

    def fetch(self, ref: RemoteRef) -> FetchResult:
        self._call()
        issue = self.remote.issues.get(int(ref.remote_id))
        if issue is None or issue.deleted:
            return FetchResult(FetchKind.GONE)
        if issue.moved_to is not None:
            return FetchResult(FetchKind.MOVED, self._to_remote(self.remote.issues[issue.moved_to]))
        remote = self._to_remote(issue)
        if ref.etag and ref.etag == remote.ref.etag:
            return FetchResult(FetchKind.NOT_MODIFIED, etag=ref.etag)
        return FetchResult(FetchKind.OK, remote, etag=remote.ref.etag)

    def find_markers(self, markers: set[str], since: datetime | None) -> dict[str, RemoteIssue]:
        self._call()
        found: dict[str, RemoteIssue] = {}
        for issue in self._tracker_issues():
            if since is not None and issue.updated_at < since:
                continue
            remote = self._to_remote(issue)
            if remote.marker in markers and remote.marker not in found:
                found[remote.marker] = remote
        return found

    def has_tracker_issues(self) -> bool:
        self._call()
        return bool(self._tracker_issues())

    def list_tracker_issues(self) -> list[RemoteIssue]:
        issues = self._tracker_issues()
        self._requests += max(1, -(-len(issues) // PAGE_SIZE))
        return [self._to_remote(i) for i in issues]

    def create(self, drafts: list[IssueDraft]) -> list[CreateOutcome]:
        outcomes = []
        for draft in drafts:
            self._call()
            failure = self.remote.fail_creates.pop(0) if self.remote.fail_creates else None
            if failure == "error":
                outcomes.append(CreateOutcome(draft, error="injected server error"))
                continue
            with self.remote.lock:
                issue = MemoryIssue(
                    id=next(self.remote._ids),
                    number=next(self.remote._numbers),
                    title=draft.title,
                    body=compose_markdown_body(draft.intro, draft.marker, draft.context, draft.due),
                    assignee=draft.assignee if self._assignable(draft.assignee) else None,
                    labels={self.remote.tracker_label, *draft.labels},
                    created_at=self.remote.now(),
                    updated_at=self.remote.now(),
                )
                self.remote.issues[issue.id] = issue
            if failure == "drop":
                outcomes.append(CreateOutcome(draft, error="connection dropped", uncertain=True))
                continue
            warnings: tuple[str, ...] = ()
            if draft.assignee and issue.assignee is None:
                warnings = (f"{draft.assignee} cannot be assigned in {self.remote.name}",)
            outcomes.append(CreateOutcome(draft, issue=self._to_remote(issue), warnings=warnings))
        return outcomes

    def _assignable(self, login: str | None) -> bool:
        return login is not None and (self.remote.assignable is None or login in self.remote.assignable)

    def update(self, ref: RemoteRef, changes: IssueChanges) -> RemoteIssue:
        issue = self.remote.issues.get(int(ref.remote_id))
        if issue is None or issue.deleted:
            self._call()
            raise TransientError(f"{ref.key} no longer exists")
        if changes.title is not None:
            self._call()
            issue.title = changes.title
        if changes.assignee is not None:
            self._call()
            new = changes.assignee[1]
            issue.assignee = new if (new is None or self._assignable(new)) else issue.assignee
        if changes.due is not None or changes.context is not None:
            self._call()
            block = parse_markdown_body(issue.body)
            due = changes.due[1] if changes.due is not None else (block.deadline if block else None)
            if changes.context is not None and block and block.marker:
                issue.body = replace_markdown_block(issue.body, block.marker, changes.context, due)
            elif block and block.marker:
                issue.body = re.sub(
                    r"(?m)^Deadline: .*$", f"Deadline: {due.isoformat() if due else 'none'}", issue.body
                )
        if changes.status is not None:
            self._call()
            issue.status = changes.status
            issue.status_detail = {Status.DONE: "completed", Status.WONT_DO: "not_planned"}.get(
                changes.status, "reopened"
            )
            issue.closed_at = self.remote.now() if changes.status.is_closed else None
        if changes.add_labels or changes.remove_labels:
            self._call()
            issue.labels |= set(changes.add_labels)
            issue.labels -= set(changes.remove_labels)
        self.remote.touch(issue)
        return self._to_remote(issue)

    def comment(self, ref: RemoteRef, body: str) -> str:
        self._call()
        issue = self.remote.issues[int(ref.remote_id)]
        issue.comments.append(body)
        return f"{ref.url}#comment-{len(issue.comments)}"

    # Optional capabilities (issue 9) ------------------------------------------------------------------
    supports_parents = True

    def list_comments(self, ref: RemoteRef, since: datetime | None = None) -> list[RemoteComment]:
        self._call()
        issue = self.remote.issues[int(ref.remote_id)]
        return [RemoteComment(str(n + 1), body) for n, body in enumerate(issue.comments)]

    def create_parent(self, draft: IssueDraft) -> CreateOutcome:
        [outcome] = self.create([draft])
        return outcome

    def attach_child(self, parent: RemoteRef, child: RemoteRef) -> str | None:
        self._call()
        issue = self.remote.issues[int(child.remote_id)]
        if issue.parent not in (None, int(parent.remote_id)):
            return f"{child.key} already has another parent"
        issue.parent = int(parent.remote_id)
        return None

    def add_tracker_label(self, ref: RemoteRef) -> bool:
        self._call()
        issue = self.remote.issues[int(ref.remote_id)]
        issue.labels.add(self.remote.tracker_label)
        self.remote.touch(issue)
        return True

    def parse_ref(self, text: str) -> RemoteRef | None:
        match = re.fullmatch(rf"(?:{re.escape(self.remote.name)})?#(\d+)", text.strip())
        if not match:
            return None
        try:
            issue = self.remote.by_number(int(match.group(1)))
        except KeyError:
            return None
        return replace(self._to_remote(issue).ref, etag=None)

    def read_named(self, texts: list[str]) -> dict[str, FetchResult | None]:
        """Like GitHub's listing: one request per 100 issues named (parse_ref here costs nothing)."""
        refs = {text: self.parse_ref(text) for text in dict.fromkeys(texts)}
        named = [ref for ref in refs.values() if ref is not None]
        self._requests += -(-len(named) // PAGE_SIZE)
        found: dict[str, FetchResult | None] = {}
        for text, ref in refs.items():
            issue = self.remote.issues.get(int(ref.remote_id)) if ref is not None else None
            if ref is None:
                found[text] = None
            elif issue is not None and issue.moved_to is not None:
                found[text] = FetchResult(
                    FetchKind.MOVED, self._to_remote(self.remote.issues[issue.moved_to])
                )
            elif issue is None or issue.deleted:
                found[text] = FetchResult(FetchKind.GONE)
            else:
                found[text] = FetchResult(FetchKind.OK, self._to_remote(issue))
        return found

    def close(self) -> None:
        pass
