"""Link states, origins and kinds as enums, and the typed merge base a link stores in `links.base`."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any


class LinkState(StrEnum):
    """Where a link stands. String-valued: the database holds these very strings."""

    PENDING = "pending"  # to create (or a document-named issue to link)
    CREATING = "creating"  # committed before the create request: recovered by marker if the run dies
    LINKED = "linked"  # the remote's identity is known; fields are merged every run
    ORPHANED = "orphaned"  # the remote answered 404/410: reported, the item keeps its status
    ERROR = "error"  # a create or a document link failed; `last_error` says why
    UNLINKED = "unlinked"  # a person detached it (`tracker unlink`): never recreated
    UNPUSHED = "unpushed"  # `tracker unpush` closed it: never pushed again


class LinkOrigin(StrEnum):
    """Who chose the issue a link points to."""

    CREATED = "created"  # sync created it
    DOCUMENT = "document"  # the postmortem names it: only read, never renamed or reassigned
    ADOPTED = "adopted"  # found by its marker (a lost or copied database made it)
    MANUAL = "manual"  # `tracker relink`


class TargetKind(StrEnum):
    GITHUB = "github"
    JIRA = "jira"
    MEMORY = "memory"


# Issues a document named (not created by tracker) are only read: we never rename or reassign them.
PULL_ONLY_ORIGINS = frozenset({LinkOrigin.DOCUMENT})

FIELDS = ("title", "assignee", "due", "status")


@dataclass(frozen=True)
class MergeBase:
    """The value of each synced field both sides last agreed on, and the lint labels that are ours."""

    title: str | None = None
    assignee: str | None = None
    due: str | None = None  # ISO date
    status: str | None = None
    labels: tuple[str, ...] = ()

    def get(self, name: str) -> Any:
        return getattr(self, name)


@dataclass(frozen=True)
class LinkFlags:
    """Control state kept beside the merge base: what a run was doing, or decided not to repeat."""

    status_pushing: str | None = None  # a status push in flight (a workflow walk killed part-way)
    status_held: str | None = None  # the local status the remote keeps (Jira without manage_workflow)
    relabel: bool = False  # someone removed the tracker label: put it back
    repair_due: bool = False  # the remote's Deadline line is unreadable: rewrite it with ours
    rejected_assignee: str | None = None  # the remote refused this person: not asked again
    owner_text: str | None = None  # the owner text when the owner was pulled from the remote
    owner_pulled: bool = False  # the remote's assignee stands until the owner changes here
    lint_key: str | None = None  # what the labels were computed from (tracker.sync.flags.lint_key)
    title_cut: int | None = None  # the title was cut to the service's limit
    warnings: tuple[str, ...] = ()  # what the create's answer warned about
    held_by_item: int | None = None  # another item's link holds the issue carrying our marker
    held_remote_id: str | None = None


_BASE_KEYS = {f.name for f in fields(MergeBase)}
_FLAG_KEYS = {f.name for f in fields(LinkFlags)}
_FLAG_DEFAULTS = {f.name: f.default for f in fields(LinkFlags)}


@dataclass(frozen=True)
class SyncBase:
    """`links.base` as typed data: the merge base, its control flags, and any key a newer version wrote.

    The JSON on disk is unchanged (one flat object); `from_json(x).to_json() == x` for every object
    this or an older version wrote, so no migration is needed.
    """

    merge: MergeBase = field(default_factory=MergeBase)
    flags: LinkFlags = field(default_factory=LinkFlags)
    present: frozenset[str] = frozenset()  # merge-base keys that were written (None differs from absent)
    extra: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def from_json(cls, raw: dict[str, Any] | None) -> SyncBase:
        raw = raw or {}
        merge = {k: v for k, v in raw.items() if k in _BASE_KEYS}
        if "labels" in merge:
            merge["labels"] = tuple(merge["labels"] or ())
        flags = {k: v for k, v in raw.items() if k in _FLAG_KEYS}
        if "warnings" in flags:
            flags["warnings"] = tuple(flags["warnings"] or ())
        extra = tuple((k, v) for k, v in raw.items() if k not in _BASE_KEYS and k not in _FLAG_KEYS)
        return cls(MergeBase(**merge), LinkFlags(**flags), frozenset(merge), extra)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in (*FIELDS, "labels"):
            if name in self.present:
                value = getattr(self.merge, name)
                out[name] = list(value) if name == "labels" else value
        for name, default in _FLAG_DEFAULTS.items():
            value = getattr(self.flags, name)
            if value != default:
                out[name] = list(value) if name == "warnings" else value
        out.update(dict(self.extra))
        return out

    def with_fields(self, **values: Any) -> SyncBase:
        """The merge base with these fields agreed (labels included)."""
        if "labels" in values:
            values["labels"] = tuple(values["labels"])
        return replace(self, merge=replace(self.merge, **values), present=self.present | set(values))

    def with_flags(self, **values: Any) -> SyncBase:
        return replace(self, flags=replace(self.flags, **values))
