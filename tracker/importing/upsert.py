"""Store a parsed document idempotently: postmortem metadata, items matched by identity, removals.

What a draft asks of its item is read in `upsert_values`; writing one item (and its events) is
`upsert_items`. A document's new items are inserted by one Core statement, not an ORM flush.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from tracker.config import Config
from tracker.errors import InputError
from tracker.history import Actor, apply_change
from tracker.importing.drafts import ParsedDocument
from tracker.importing.fingerprints import Candidate, draft_fingerprints, match
from tracker.importing.links import item_refs
from tracker.importing.metadata import name_day, normalise_severity
from tracker.importing.moved import moved_postmortem
from tracker.importing.parser import resolve_slug
from tracker.importing.results import DocumentResult, ItemOutcome
from tracker.importing.upsert_items import ItemWriter
from tracker.importing.upsert_values import (
    SOURCE,
    document_base,
    draft_values,
    is_confidential,
    life_start,
    reference_day,
)
from tracker.models import ActionItem, Postmortem, utcnow
from tracker.people import OwnerResolver

__all__ = ["DocumentResult", "Importer", "ItemOutcome", "reference_day"]  # what other modules import here

# Built once: a folder's import runs it per document, and building the statement (its options) cost more
# than running it.
_BY_SLUG = (
    select(Postmortem)
    .where(Postmortem.slug == bindparam("slug"))
    .options(selectinload(Postmortem.items).selectinload(ActionItem.links))
)
_SLUG_ID = select(Postmortem.id).where(Postmortem.slug == bindparam("slug"))


class Importer:
    """Applies one parsed document to the database inside the caller's transaction."""

    def __init__(
        self, session: Session, config: Config, resolver: OwnerResolver, actor: Actor, today: date
    ) -> None:
        self.session = session
        self.config = config
        self.resolver = resolver
        self.actor = actor
        self.today = today
        self._start = utcnow()  # when the items created by this run begin (see `run`)
        self.postmortem: Postmortem | None = None  # the document's postmortem, once `run` has stored it
        # A new postmortem's items as inserted, by id, while nothing else has written them (for lookups
        # kept across a command, which need not read them back: `recurrence_index.RecurrenceIndex.learn`).
        self.new_rows: dict[int, dict[str, Any]] | None = None

    def run(
        self,
        parsed: ParsedDocument,
        *,
        historical: bool = False,
        slug: str | None = None,
        source_path: str | None = None,
        content_hash: str | None = None,
        allow_empty: bool = False,
    ) -> DocumentResult:
        """Import one document; InputError (nothing written) when it would clobber another document's
        postmortem or silently empty one that has items."""
        result = DocumentResult(file=parsed.name, warnings=list(parsed.warnings))
        result.slug = resolve_slug(parsed, slug)
        # Most documents of a folder are new: a plain query says so for a fraction of the ORM one's cost.
        self.session.flush()
        known = self.session.connection().scalar(_SLUG_ID, {"slug": result.slug}) is not None
        postmortem = self.session.scalar(_BY_SLUG, {"slug": result.slug}) if known else None
        merged = False
        if postmortem is None:
            postmortem, merged = moved_postmortem(self.session, result.slug, source_path)
            if postmortem is not None:
                why = "was merged into" if merged else "is now"
                result.warnings.append(
                    f"{result.slug} {why} {postmortem.slug}: the document updates {postmortem.slug}"
                )
                result.slug = postmortem.slug
        if postmortem is None:
            postmortem = Postmortem(slug=result.slug, title=result.slug, services=[], extra={})
            self.session.add(postmortem)
            result.created = True
        elif not merged:
            self._refuse_clobbering(postmortem, parsed, source_path, allow_empty)
        if not merged:  # a merged postmortem keeps its own document's metadata
            self._metadata(postmortem, parsed, historical, source_path, content_hash)
        self.session.flush()
        if result.created:
            # A new postmortem has no items: say so, or reading them would ask the database.
            set_committed_value(postmortem, "items", [])
        self.postmortem = postmortem
        result.title = postmortem.title
        # Items of a first import begin at the document's date; items added later, when first seen.
        now = utcnow()
        self._start = life_start(self.config, postmortem, parsed.name, now) if result.created else now
        self._items(postmortem, parsed, result, remove=not merged)
        from tracker.policy import apply_deadline_policy  # issue 9: default deadlines by severity

        if apply_deadline_policy(self.session, self.config, postmortem, self.actor, self.today, result):
            self.new_rows = None  # the rows inserted are no longer the items' values
        return result

    def _refuse_clobbering(
        self, postmortem: Postmortem, parsed: ParsedDocument, source_path: str | None, allow_empty: bool
    ) -> None:
        other = postmortem.source_path
        if other and source_path and other != source_path and Path(other).exists():
            raise InputError(
                f"{parsed.name}: slug {postmortem.slug!r} already belongs to {other}",
                hint="give this document its own `slug:` in its front matter (or --slug)",
            )
        live = [item for item in postmortem.items if item.removed_at is None]
        if not parsed.items and live and not allow_empty:
            raise InputError(
                f"{parsed.name}: no action items found, but {postmortem.slug} has {len(live)}: "
                "refusing to mark them all removed",
                hint="check the action-items heading; if the items really are gone, import with --allow-empty",
            )

    def _metadata(
        self,
        postmortem: Postmortem,
        parsed: ParsedDocument,
        historical: bool,
        source_path: str | None,
        content_hash: str | None,
    ) -> None:
        meta = parsed.meta
        postmortem.title = meta.title or postmortem.title
        # No date in the document: the one in its file name or slug, as for its items' start.
        postmortem.incident_date = meta.incident_date or name_day(parsed.name, postmortem.slug)
        postmortem.duration = meta.duration
        postmortem.severity_text = meta.severity_text
        postmortem.severity = normalise_severity(meta.severity_text)
        postmortem.services = list(meta.services)
        postmortem.detection = meta.detection
        postmortem.commander = meta.commander
        if meta.review_date is not None:
            postmortem.review_date, postmortem.review_date_source = meta.review_date, "document"
        elif postmortem.incident_date is not None:
            days = self.config.org.review_after_days
            postmortem.review_date = postmortem.incident_date + timedelta(days=days)
            postmortem.review_date_source = "default"
        else:
            postmortem.review_date, postmortem.review_date_source = None, None
        if source_path is not None:
            postmortem.source_path = source_path
        postmortem.content_hash = content_hash
        postmortem.historical = bool(postmortem.historical) or historical
        extra = dict(meta.extra)
        if meta.date_text and meta.incident_date is None:
            extra["date"] = meta.date_text
        postmortem.extra = extra
        postmortem.confidential = bool(postmortem.confidential) or is_confidential(extra)

    def _items(
        self, postmortem: Postmortem, parsed: ParsedDocument, result: DocumentResult, remove: bool = True
    ) -> None:
        existing = list(postmortem.items)
        by_id = {item.id: item for item in existing}
        candidates = [
            Candidate(item.id, item.fingerprint, item.title, item.position, frozenset(item_refs(item)))
            for item in existing
        ]
        fingerprints = draft_fingerprints(parsed.items)
        matched = match(parsed.items, fingerprints, candidates)
        base = document_base(self.session, [item.id for item in existing])
        reference = reference_day(postmortem, self.today)
        # Free the fingerprints that move before any is reused (the unique constraint checks every row).
        moving = [
            (by_id[key], fingerprints[i])
            for i, key in matched.items()
            if by_id[key].fingerprint != fingerprints[i]
        ]
        if moving:
            originals = {item.id: item.fingerprint for item, _ in moving}
            for item, _ in moving:
                item.fingerprint = f"moving-{item.id}"
            self.session.flush()
            for item, _ in moving:
                item.fingerprint = originals[item.id]
        taken = {item.fingerprint for item in existing} | {fp for _, fp in moving}
        values = [draft_values(draft, self.resolver, reference) for draft in parsed.items]
        writer = ItemWriter(self.session, self.config, self.actor, self._start)
        rows: dict[int, dict[str, Any]] = {}
        for index, draft in enumerate(parsed.items):
            if matched.get(index) is None:
                value = fingerprints[index]
                suffix = 2
                while value in taken:  # an unmatched old item keeps its fingerprint (another link)
                    value = f"{fingerprints[index]}~{suffix}"
                    suffix += 1
                taken.add(value)
                rows[index] = writer.new_row(postmortem, draft, values[index], value, index)
        new = writer.insert(postmortem, rows) if rows else {}  # together: their events need their ids
        if not existing and not any(draft.refs for draft in parsed.items):
            self.new_rows = {new[index]: row for index, row in rows.items()}
        for index, draft in enumerate(parsed.items):
            key = matched.get(index)
            if key is None:
                outcome = writer.created(postmortem, new[index], rows[index], draft, values[index])
            else:
                outcome = writer.update(by_id[key], draft, values[index], fingerprints[index], index, base)
            result.items.append(outcome)
        writer.write()
        kept = set(matched.values())
        for item in existing:
            if item.id in kept or item.removed_at is not None:
                continue
            # Only what a document brought can leave with it: items added by hand (`tracker add`), and
            # in a merged postmortem the other documents' items, are not this document's to remove.
            if not remove or (item.id, "*") not in base:
                continue
            apply_change(self.session, item, "removed_at", utcnow(), source=SOURCE, actor=self.actor)
            result.items.append(
                ItemOutcome(
                    "removed",
                    item.title,
                    item.source_line,
                    item.id,
                    item.status,
                    item.push,
                    notes=["no longer in the document; kept and marked removed"],
                )
            )
