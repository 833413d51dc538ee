"""Write one document item: a new item and the events of its first values, or an update to an old one."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from tracker.config import Config
from tracker.history import Actor, apply_change, as_text
from tracker.importing.drafts import ItemDraft
from tracker.importing.links import link_refs
from tracker.importing.results import ItemOutcome
from tracker.importing.upsert_values import CONTENT_FIELDS, INITIAL, REMOTE_SOURCES, SOURCE, Values
from tracker.models import ActionItem, Event, Postmortem, utcnow
from tracker.states import BEFORE_TRACKING
from tracker.statuses import Status

# The fields a new item takes from its draft, each recorded as an event of the document, in this
# order (migration 0010 reads it): the content fields but the title (its `created` event), the
# tracking reference and removal, which a new item does not take from its draft this way.
_FIRST_VALUES = tuple(
    name for name in CONTENT_FIELDS if name not in ("title", "tracking_ref", "removed_at", "push", "link")
)


_NEW_IDS = select(ActionItem.fingerprint, ActionItem.id).where(
    ActionItem.postmortem_id == bindparam("postmortem"),
    ActionItem.fingerprint.in_(bindparam("fingerprints", expanding=True)),
)


class ItemWriter:
    """Creates and updates the items of one document inside the caller's transaction."""

    def __init__(self, session: Session, config: Config, actor: Actor, start: datetime) -> None:
        self.session = session
        self.config = config
        self.actor = actor
        self.start = start  # when the items created now begin (the document's day on a first import)
        self._events: list[dict[str, Any]] = []  # new items' first events, written together by `write`

    def write(self) -> None:
        """Insert the new items' first events: one Core executemany for the document (the ORM's bulk path
        costs more than the rows), after whatever the session holds, so events keep their order."""
        if self._events:
            from sqlalchemy import Table, insert

            self.session.flush()
            self.session.connection().execute(insert(cast(Table, Event.__table__)), self._events)
            self._events = []

    def new_row(
        self, postmortem: Postmortem, draft: ItemDraft, values: Values, value: str, index: int
    ) -> dict[str, Any]:
        """A new item's row holding the document's values, inserted with the document's other new items by
        `insert` (`created` records the events of their first values)."""
        row: dict[str, Any] = {
            "postmortem_id": postmortem.id,
            "fingerprint": value,
            "position": index,
            "source_line": draft.source_line,
            "title": values.title,
            "push": not (Status(values.status).is_closed or postmortem.historical),
            "created_at": self.start,
            "status_source": SOURCE,
            "done_at": None,  # closed before it was tracked: when is unknown (see `created`)
            "deadline_source": SOURCE if values.deadline is not None else None,
            "first_deadline": values.deadline,
        }
        row.update((name, getattr(values, name)) for name in _FIRST_VALUES)
        return row

    def insert(self, postmortem: Postmortem, rows: dict[int, dict[str, Any]]) -> dict[int, int]:
        """Insert a document's new items (their rows by draft index) in one Core statement and return their
        ids by draft index. An ORM flush of them cost more than the rest of the document's storing: the
        rows are the ones it wrote (the columns left out take their defaults), and the derived rows are
        rebuilt for them at commit as for any item written through the session."""
        from sqlalchemy import Table, insert

        from tracker.states_session import PENDING

        self.session.flush()  # the postmortem, and the fingerprints freed, before the new rows
        connection = self.session.connection()
        connection.execute(insert(cast(Table, ActionItem.__table__)), list(rows.values()))
        # (postmortem, fingerprint) is unique: it names each new row.
        found = dict(
            connection.execute(
                _NEW_IDS,
                {"postmortem": postmortem.id, "fingerprints": [r["fingerprint"] for r in rows.values()]},
            ).all()
        )
        ids = {index: int(found[row["fingerprint"]]) for index, row in rows.items()}
        self.session.info.setdefault(PENDING, set()).update(ids.values())
        self.session.expire(postmortem, ["items"])  # read again, with the new rows, if asked for
        return ids

    def created(
        self, postmortem: Postmortem, item_id: int, row: dict[str, Any], draft: ItemDraft, values: Values
    ) -> ItemOutcome:
        """Record a new item's first values (`row`, inserted with its id `item_id`)."""
        closed = Status(values.status).is_closed
        start = self.start
        # The document's values hold from the item's start: they are what the document says then.
        # Their events are written with the document's other new items' in one statement (`write`):
        # the same rows `history.record` writes, without an ORM object (and its flush) for each.
        now = utcnow()
        event = {
            "item_id": item_id,
            "postmortem_id": postmortem.id,
            "source": SOURCE,
            "actor_user": self.actor.user,
            "actor_host": self.actor.host,
            "run_id": self.actor.run_id,
            "remote_actor": None,
            "occurred_at": start,
            "recorded_at": now,
        }
        self._events.append(
            {**event, "field": "created", "old": None, "new": as_text(values.title), "note": None}
        )
        outcome = ItemOutcome("new", values.title, draft.source_line, item_id, values.status, row["push"])
        for name in _FIRST_VALUES:
            # Each value is recorded as a change from what a new item holds (`INITIAL`), as
            # `apply_change` records it; the row was inserted with the values already (`new_row`).
            old, new = INITIAL.get(name), getattr(values, name)
            if old == new:
                continue  # what `apply_change` leaves out: nothing changed
            note = BEFORE_TRACKING if name == "status" and closed else None
            self._events.append(
                {**event, "field": name, "old": as_text(old), "new": as_text(new), "note": note}
            )
        if closed:
            # Closed before it was tracked: when is unknown, so it has no close time (counted as done,
            # left out of on-time and days to done; docs/report.md).
            outcome.notes.append(f"already {values.status} in the document: recorded, never pushed")
        elif postmortem.historical:
            outcome.notes.append("historical: never pushed")
        if draft.refs:
            self.write()  # its link's events follow its first ones, as they always have
            item = self.session.get(ActionItem, item_id)
            if item is not None:
                link_refs(self.session, self.config, self.actor, item, draft, outcome)
        return outcome

    def update(
        self,
        item: ActionItem,
        draft: ItemDraft,
        values: Values,
        value: str,
        index: int,
        base: dict[tuple[int, str], str | None],
    ) -> ItemOutcome:
        """Apply a draft to the item it matched; a field the document did not change since it last gave
        it (`base`) keeps a manual or remote edit."""
        outcome = ItemOutcome("unchanged", values.title, draft.source_line, item.id)
        changes: dict[str, tuple[Any, Any]] = {}

        def change(name: str, new: Any) -> None:
            old = getattr(item, name)
            if apply_change(self.session, item, name, new, source=SOURCE, actor=self.actor):
                changes[name] = (old, new)

        def doc_changed(name: str, new: Any) -> bool:
            key = (item.id, name)
            if key in base:
                return as_text(new) != base[key]
            if (item.id, "*") in base:  # imported before: the field kept its initial value
                return as_text(new) != INITIAL.get(name)
            return as_text(new) != as_text(getattr(item, name))  # added by hand: the document adopts it

        if item.removed_at is not None:
            change("removed_at", None)
            outcome.notes.append("back in the document: restored")
        change("fingerprint", value)
        change("position", index)
        change("source_line", draft.source_line)
        for name in ("title", "title_text"):
            if doc_changed(name, getattr(values, name)):
                change(name, getattr(values, name))
        change("description", values.description)
        change("priority", values.priority)
        change("route", values.route)
        if doc_changed("owner_text", values.owner_text):
            if values.owner_text != item.owner_text:
                change("owner_text", values.owner_text)
                change("owner_person", values.owner_person)
                change("owner_team", values.owner_team)
        elif item.owner_text == values.owner_text and (item.owner_person, item.owner_team) != (
            values.owner_person,
            values.owner_team,
        ):
            change("owner_person", values.owner_person)  # [people] changed: resolve again
            change("owner_team", values.owner_team)
        if doc_changed("deadline_text", values.deadline_text):
            same_day = values.deadline == item.deadline and values.deadline is not None
            if not same_day or item.deadline_source in (None, SOURCE):
                change("deadline_text", values.deadline_text)
                change("deadline", values.deadline)
                if "deadline" in changes:
                    item.deadline_source = SOURCE if values.deadline else None
                    if values.deadline is not None and item.first_deadline is None:
                        item.first_deadline = values.deadline
        self._status(item, values, doc_changed, change, outcome)
        if item.postmortem.historical and item.push:
            change("push", False)
        link_refs(self.session, self.config, self.actor, item, draft, outcome, changes)
        outcome.changes = {k: v for k, v in changes.items() if k in CONTENT_FIELDS}
        if outcome.changes:
            outcome.action = "updated"
        outcome.status, outcome.push = item.status, item.push
        return outcome

    def _status(
        self, item: ActionItem, values: Values, doc_changed: Any, change: Any, outcome: ItemOutcome
    ) -> None:
        if not (doc_changed("status", values.status) or doc_changed("status_text", values.status_text)):
            return
        if values.status == item.status:
            if item.status_source in (None, SOURCE):
                change("status_text", values.status_text)
            return
        linked = any(link.state == "linked" for link in item.links)
        if item.status_source in REMOTE_SOURCES or linked:
            outcome.notes.append(
                f"status in the document is {values.status_text or values.status!r} but the item's status "
                f"comes from {item.status_source or 'its issue'} ({item.status}): not applied"
            )
            return
        change("status", values.status)
        change("status_text", values.status_text)
        item.status_source = SOURCE
        item.done_at = utcnow() if Status(values.status).is_closed else None
