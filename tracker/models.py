"""SQLAlchemy 2 typed models: postmortems, action items, links (sync state), sync runs, events, leases."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from tracker.coltypes import EnumText, UTCDateTime, utcnow
from tracker.linkstate import LinkOrigin, LinkState, SyncBase, TargetKind

# Named constraints keep Alembic autogenerate and SQLite batch migrations deterministic.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[str]: JSON()}


class Postmortem(Base):
    """One incident's postmortem document and its metadata."""

    __tablename__ = "postmortems"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(Text)
    incident_date: Mapped[date | None] = mapped_column(Date)
    duration: Mapped[str | None] = mapped_column(Text)
    severity: Mapped[str | None] = mapped_column(String(50))  # normalised, lower case
    severity_text: Mapped[str | None] = mapped_column(Text)  # as written
    services: Mapped[list[str]] = mapped_column(default=list)
    detection: Mapped[str | None] = mapped_column(Text)
    commander: Mapped[str | None] = mapped_column(Text)
    review_date: Mapped[date | None] = mapped_column(Date)
    review_date_source: Mapped[str | None] = mapped_column(String(20))  # document | default
    source_path: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    historical: Mapped[bool] = mapped_column(Boolean, default=False)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)  # other metadata fields, as written
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    items: Mapped[list[ActionItem]] = relationship(
        back_populates="postmortem", order_by="ActionItem.position", cascade="all, delete-orphan"
    )


class ActionItem(Base):
    """One action item: text, owner and deadline as written and as understood, and its status."""

    __tablename__ = "action_items"
    __table_args__ = (
        UniqueConstraint("postmortem_id", "fingerprint"),
        Index("ix_action_items_status_deadline", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    postmortem_id: Mapped[int] = mapped_column(ForeignKey("postmortems.id", ondelete="CASCADE"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    source_line: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    title_text: Mapped[str | None] = mapped_column(Text)  # as written, Markdown included
    description: Mapped[str | None] = mapped_column(Text)
    owner_text: Mapped[str | None] = mapped_column(Text)
    owner_person: Mapped[str | None] = mapped_column(String(200), index=True)  # [people] handle
    owner_team: Mapped[str | None] = mapped_column(String(200), index=True)  # [teams] name
    deadline_text: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[date | None] = mapped_column(Date)
    deadline_source: Mapped[str | None] = mapped_column(String(20))  # document | manual | remote | policy
    first_deadline: Mapped[date | None] = mapped_column(Date)  # first committed date, for on-time rates
    status: Mapped[str] = mapped_column(String(20), default="open")
    status_text: Mapped[str | None] = mapped_column(Text)
    status_source: Mapped[str | None] = mapped_column(String(20))  # document | manual | github | jira
    priority: Mapped[str | None] = mapped_column(String(50))
    tracking_ref: Mapped[str | None] = mapped_column(Text)  # issue named in the document, as written
    route: Mapped[str | None] = mapped_column(String(200))  # explicit target named in the document
    push: Mapped[bool] = mapped_column(Boolean, default=True)  # false: done at import or historical
    closed_by_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[datetime | None] = mapped_column()  # when it was closed, by the remote's clock
    removed_at: Mapped[datetime | None] = mapped_column()  # gone from the document
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    postmortem: Mapped[Postmortem] = relationship(back_populates="items")
    links: Mapped[list[Link]] = relationship(back_populates="item", cascade="all, delete-orphan")


class Link(Base):
    """Sync state of one item on one target: the remote's immutable identity and the merge base."""

    __tablename__ = "links"
    __table_args__ = (
        UniqueConstraint("item_id", "target"),
        UniqueConstraint("target", "remote_id"),
        Index("ix_links_target_state", "target", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("action_items.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(200))
    kind: Mapped[TargetKind] = mapped_column(EnumText(TargetKind, 20))
    state: Mapped[LinkState] = mapped_column(EnumText(LinkState, 20), default=LinkState.PENDING)
    origin: Mapped[LinkOrigin] = mapped_column(EnumText(LinkOrigin, 20), default=LinkOrigin.CREATED)
    marker: Mapped[str | None] = mapped_column(String(100), index=True)
    remote_id: Mapped[str | None] = mapped_column(String(100))  # GitHub issue id / Jira numeric id
    remote_number: Mapped[int | None] = mapped_column(BigInteger)
    remote_node_id: Mapped[str | None] = mapped_column(String(200))
    repo_id: Mapped[int | None] = mapped_column(BigInteger)
    key: Mapped[str | None] = mapped_column(String(300))  # display: org/repo#12 or OPS-123
    url: Mapped[str | None] = mapped_column(Text)
    base: Mapped[dict[str, Any]] = mapped_column(default=dict)  # SyncBase as JSON: merge base + flags
    remote_updated_at: Mapped[datetime | None] = mapped_column()
    etag: Mapped[str | None] = mapped_column(String(200))
    verified_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    item: Mapped[ActionItem] = relationship(back_populates="links")

    @property
    def record(self) -> SyncBase:
        """`base` as typed data (the merge base and its control flags apart)."""
        return SyncBase.from_json(self.base)

    @record.setter
    def record(self, value: SyncBase) -> None:
        self.base = value.to_json()


class SyncRun(Base):
    """One run of a command that talks to remotes: audit trail and the 'last good sync'."""

    __tablename__ = "sync_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    command: Mapped[str] = mapped_column(String(50), default="sync")
    target: Mapped[str | None] = mapped_column(String(200), index=True)  # None: every target
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None] = mapped_column(Integer)
    user: Mapped[str | None] = mapped_column(String(255))
    outcome: Mapped[str] = mapped_column(
        String(20), default="running"
    )  # running ok paused partial failed aborted
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    config_fingerprint: Mapped[str | None] = mapped_column(String(64))
    tool_version: Mapped[str | None] = mapped_column(String(50))
    error: Mapped[str | None] = mapped_column(Text)


class TargetState(Base):
    """Per-target cursors and caches that must survive between runs (pull cursor, ETags, pre-flight)."""

    __tablename__ = "target_state"

    target: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    pull_cursor: Mapped[datetime | None] = mapped_column()  # server time of the last good pull
    last_good_sync_at: Mapped[datetime | None] = mapped_column()
    last_good_run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id", ondelete="SET NULL"))
    verify_offset: Mapped[int] = mapped_column(Integer, default=0)  # rolling re-verification position
    cache: Mapped[dict[str, Any]] = mapped_column(default=dict)  # ETags, pre-flight results, ids
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Lease(Base):
    """A named lease (one sync per database or target) with holder, heartbeat, expiry and fencing token."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(300))
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None] = mapped_column(Integer)
    run_id: Mapped[int | None] = mapped_column(Integer)
    acquired_at: Mapped[datetime | None] = mapped_column()
    heartbeat_at: Mapped[datetime | None] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column()
    token: Mapped[int] = mapped_column(BigInteger, default=0)  # fencing: grows with every acquisition


class Event(Base):
    """Append-only history: one field change, who made it, when it happened and when we saw it."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_item_occurred", "item_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("action_items.id", ondelete="CASCADE"))
    postmortem_id: Mapped[int | None] = mapped_column(
        ForeignKey("postmortems.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str] = mapped_column(String(50), index=True)
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))  # document manual github jira policy sync
    actor_user: Mapped[str | None] = mapped_column(String(255))
    actor_host: Mapped[str | None] = mapped_column(String(255))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id", ondelete="SET NULL"))
    remote_actor: Mapped[str | None] = mapped_column(String(255))  # who did it on the remote
    note: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- report (issue 7) -----------------------------------------------------------------------------
# `tracker report` remembers each review-meeting report, so the next one can say what changed since.
# Partial covering indexes serve the report's scans of the status and deadline history by item.

for _field in ("status", "deadline"):
    Index(
        f"ix_events_{_field}_changes",
        Event.item_id,
        Event.occurred_at,
        Event.id,
        Event.old,
        Event.new,
        sqlite_where=text(f"field = '{_field}'"),
        postgresql_where=text(f"field = '{_field}'"),
    )


class ReportRun(Base):
    """One saved review-meeting report: its scope and each item's state then, for "changed since"."""

    __tablename__ = "report_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    scope: Mapped[str] = mapped_column(String(300))  # "postmortem:inc-214" or "window:2026-07-01..2026-07-31"
    actor_user: Mapped[str | None] = mapped_column(String(255))
    items: Mapped[dict[str, Any]] = mapped_column(
        default=dict
    )  # item id -> {status, deadline, owner, overdue}


# --- report: item states (issue 7, performance) ---------------------------------------------------
# Derived from the events log, rebuilt before each commit by tracker/states.py: one row per stretch
# (valid_from, valid_to] of an item's life with its status, deadline and owner then, so `tracker report`
# (figures, trend, --as-of) counts stretches instead of replaying a million events.


class ItemState(Base):
    """One stretch of an item's history: its state for every moment in (valid_from, valid_to]."""

    __tablename__ = "item_states"
    __table_args__ = (
        Index("ix_item_states_item_id", "item_id", "valid_from"),
        Index("ix_item_states_postmortem_id", "postmortem_id"),
        # --- report: owner index (issue 7, migration 0006): `--owner` reads one person's stretches ---
        Index("ix_item_states_owner_person", "owner_person"),
        # --- end owner index ---
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("action_items.id", ondelete="CASCADE"))
    postmortem_id: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[datetime] = mapped_column()  # the later of the previous event and the creation
    valid_to: Mapped[datetime | None] = mapped_column()  # the next event or the removal; None: still so
    status: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))  # the status, or "bot" for a close made by a bot
    deadline: Mapped[str | None] = mapped_column(Text)  # ISO date, as events hold it
    owner_text: Mapped[str | None] = mapped_column(Text)
    owner_person: Mapped[str | None] = mapped_column(String(200))
    owner_team: Mapped[str | None] = mapped_column(String(200))  # as now (no history)
    first_deadline: Mapped[str | None] = mapped_column(Text)  # ISO date, as now
    created_at: Mapped[datetime] = mapped_column()
    done_at: Mapped[datetime | None] = mapped_column()  # the close time in force during the stretch
    days_to_done: Mapped[float | None] = mapped_column(Float)  # done stretches: done_at - created_at
    slips: Mapped[int] = mapped_column(Integer)  # deadline slips before the stretch began
    slip_days: Mapped[int] = mapped_column(Integer)


# Partial indexes over the done stretches: the medians read them in order, without the table.
_DONE_ROWS = "kind = 2 AND days_to_done IS NOT NULL"
# The open stretches with a deadline, in deadline order: the manager's overdue list reads its first 500.
_OPEN_WITH_DEADLINE = "kind < 2 AND deadline IS NOT NULL"


class ReportRow(Base):
    """One stretch of `item_states` in the narrow integer form the report aggregates (derived, issue 7).

    Times are microseconds since 1970-01-01 UTC, dates are day numbers since then, and the kind is a
    small code (`tracker.states.KIND_CODES`), so each aggregate step compares integers. The item's
    targets travel with it as ",a,b," (every link, whatever its state) and its postmortem's severity
    too, so the report needs no join.
    On SQLite the rows are clustered by postmortem (WITHOUT ROWID): the per-postmortem pass streams.
    """

    __tablename__ = "report_rows"
    __table_args__ = (
        Index("ix_report_rows_item_id", "item_id"),
        Index(
            "ix_report_rows_cells",
            "team",
            "targets",
            "valid_from",
            "valid_to",
            "kind",
            "deadline",
            "first_deadline",
            "done_at",
            "slips",
            "slip_days",
        ),
        Index(
            "ix_report_rows_done_team",
            "team",
            "days_to_done",
            "valid_from",
            "valid_to",
            "kind",
            sqlite_where=text(_DONE_ROWS),
            postgresql_where=text(_DONE_ROWS),
        ),
        Index(
            "ix_report_rows_done",
            "days_to_done",
            "valid_from",
            "valid_to",
            "kind",
            "targets",
            sqlite_where=text(_DONE_ROWS),
            postgresql_where=text(_DONE_ROWS),
        ),
        Index(
            "ix_report_rows_done_severity",
            "severity",
            "days_to_done",
            "valid_from",
            "valid_to",
            "kind",
            sqlite_where=text(_DONE_ROWS),
            postgresql_where=text(_DONE_ROWS),
        ),
        Index(
            "ix_report_rows_open_deadline",
            "deadline",
            "item_id",
            "valid_from",
            "valid_to",
            "kind",
            sqlite_where=text(_OPEN_WITH_DEADLINE),
            postgresql_where=text(_OPEN_WITH_DEADLINE),
        ),
        Index("ix_report_rows_owner_person", "owner_person"),
        Index("ix_report_rows_owner_lower", "owner_lower"),
        {"sqlite_with_rowid": False},
    )

    postmortem_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("action_items.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    valid_from: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    valid_to: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[int] = mapped_column(SmallInteger)
    deadline: Mapped[int | None] = mapped_column(Integer)
    first_deadline: Mapped[int | None] = mapped_column(Integer)
    done_at: Mapped[int | None] = mapped_column(BigInteger)
    days_to_done: Mapped[float | None] = mapped_column(Float)
    slips: Mapped[int] = mapped_column(Integer)
    slip_days: Mapped[int] = mapped_column(Integer)
    team: Mapped[str | None] = mapped_column(String(200))
    targets: Mapped[str | None] = mapped_column(Text)
    severity: Mapped[str | None] = mapped_column(String(50))  # the postmortem's, as now
    owner_person: Mapped[str | None] = mapped_column(String(200))
    owner_lower: Mapped[str | None] = mapped_column(Text)  # the owner as written, lowercased (`--owner`)


class TrendPoint(Base):
    """The whole organisation's counts at one past month end, kept so a report need not recount them.

    A month end's counts change only when history before it changes: `tracker.states.rebuild` deletes
    every point after the earliest instant at which a rebuilt item's stretches differ.
    """

    __tablename__ = "trend_points"
    __table_args__ = (Index("ix_trend_points_cut", "cut"),)

    zone: Mapped[str] = mapped_column(String(64), primary_key=True)  # [org] timezone of the month ends
    cut: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)  # microseconds
    day: Mapped[int] = mapped_column(Integer)  # the month's last local day (day number)
    open: Mapped[int] = mapped_column(Integer)
    in_progress: Mapped[int] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer)
    wont_do: Mapped[int] = mapped_column(Integer)
    bot: Mapped[int] = mapped_column(Integer)
    overdue: Mapped[int] = mapped_column(Integer)


class OwnerName(Base):
    """Each owner spelling (lowercased) with the person and team the report attributes it to.

    Refreshed from the configuration when a report runs (`tracker.report.owners`), which rewrites the
    `report_rows` of a spelling whose attribution changed: editing [people] or [teams] re-attributes
    every item, history included, without a re-import.
    """

    __tablename__ = "owner_names"

    owner_lower: Mapped[str] = mapped_column(Text, primary_key=True)
    person: Mapped[str | None] = mapped_column(String(200))
    team: Mapped[str | None] = mapped_column(String(200))


# --- operations (issue 8) -------------------------------------------------------------------------
# One create budget per credential across hosts: recent create times (epoch seconds) per credential
# hash, updated with an optimistic version check so it works through poolers in transaction mode.


class CreateBudgetRow(Base):
    """Recent issue creates of one credential (sha256 of it, never the secret), shared by every host."""

    __tablename__ = "create_budgets"

    credential: Mapped[str] = mapped_column(String(64), primary_key=True)
    stamps: Mapped[list[float]] = mapped_column(JSON(), default=list)  # epoch seconds, oldest first
    version: Mapped[int] = mapped_column(BigInteger, default=0)  # compare-and-swap on every spend
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# --- follow-up loop (issue 9) ---------------------------------------------------------------------
# `tracker remind` and `tracker digest` record every comment they post, two-phase ("sending" before
# the request, "sent" after), so a rerun or a run after a killed one never posts the same one twice.
# `sync` keeps one parent issue (GitHub) or epic (Jira) per postmortem and target when asked to.


class Reminder(Base):
    """One reminder or digest comment: what it is about, where it went, and whether it was sent."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_item_kind", "item_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)  # what makes it unique, e.g. overdue:…:2
    marker: Mapped[str] = mapped_column(String(100))  # written into the comment, found again on rerun
    kind: Mapped[str] = mapped_column(String(20))  # approaching overdue escalation unassigned digest
    item_id: Mapped[int | None] = mapped_column(ForeignKey("action_items.id", ondelete="CASCADE"))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("links.id", ondelete="SET NULL"))
    target: Mapped[str] = mapped_column(String(200))
    issue_key: Mapped[str | None] = mapped_column(String(300))  # display key of the issue commented on
    due: Mapped[date | None] = mapped_column(Date)  # the deadline (or week start) it refers to
    round: Mapped[int] = mapped_column(Integer, default=0)  # overdue repeats: 0, 1, 2, ...
    mentioned: Mapped[str | None] = mapped_column(Text)  # who was mentioned, as written in the comment
    state: Mapped[str] = mapped_column(String(20), default="sending")  # sending sent
    comment_id: Mapped[str | None] = mapped_column(Text)  # URL or id of the comment
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()


class ParentLink(Base):
    """The parent issue (GitHub) or epic (Jira) of one postmortem on one target, and its children."""

    __tablename__ = "parent_links"
    __table_args__ = (UniqueConstraint("postmortem_id", "target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    postmortem_id: Mapped[int] = mapped_column(ForeignKey("postmortems.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20), default="creating")  # creating linked error
    marker: Mapped[str] = mapped_column(String(100))
    remote_id: Mapped[str | None] = mapped_column(String(100))
    remote_number: Mapped[int | None] = mapped_column(BigInteger)
    key: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)  # the title it was given, to notice a renamed postmortem
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    children: Mapped[list[str]] = mapped_column(default=list)  # remote ids of the attached issues
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Notification(Base):
    """The sent-messages ledger of [notify] channels: one row per (channel, what, period, person) key,
    committed as "sending" before the message leaves, so no rerun, crash or second host sends it twice."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_channel_kind", "channel", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(400), unique=True)  # e.g. digest:team-slack:2026-W27
    message_id: Mapped[str] = mapped_column(String(64))  # rows settled by one message share it
    channel: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # digest report remind
    period: Mapped[str] = mapped_column(String(40))  # ISO week, day
    recipient: Mapped[str | None] = mapped_column(String(300))  # [people] handle, or None for the channel
    item_id: Mapped[int | None] = mapped_column(ForeignKey("action_items.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(20), default="sending")  # sending sent failed
    detail: Mapped[dict[str, Any] | None] = mapped_column()  # e.g. the figures a summary reported
    error: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
