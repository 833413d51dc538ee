"""`tracker import`'s storing loop: documents in batches of one transaction, each in a savepoint, with
their lint findings and recurrence attached."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.app import AppContext

if TYPE_CHECKING:
    from tracker.importing.source import Source
    from tracker.importing.upsert import DocumentResult


class _DryRun(Exception):
    """Raised inside a document's savepoint in a dry run so that it rolls back."""


@dataclass(frozen=True)
class Options:
    """What the command line asked of every document."""

    dry_run: bool
    historical: bool
    allow_empty: bool
    slug: str | None
    have_database: bool
    explain: bool = False
    stdin: Source | None = None  # standard input, read once before anything is written


# A batch of documents is one transaction (each document in a savepoint of it): the derived rows are
# rebuilt and the database synced to disk once per batch, not per document. Bounded so that a killed
# import loses at most a second's work and another writer never waits long for the lock.
BATCH_DOCUMENTS = 100
BATCH_SECONDS = 1.0


def import_all(
    app: AppContext, sources: list[tuple[str, Path | None]], options: Options
) -> list[DocumentResult]:
    """Import every document, in batches: each batch commits (or, in a dry run, rolls back) as a whole."""
    import time

    if not options.have_database:
        return [_import_one(app, None, name, path, options) for name, path in sources]
    results: list[DocumentResult] = []
    waiting = iter(sources)
    done = False
    while not done:
        with app.session() as session:
            _begin(session)
            started = time.monotonic()
            for _ in range(BATCH_DOCUMENTS):
                source = next(waiting, None)
                if source is None:
                    done = True
                    break
                results.append(_import_one(app, session, *source, options))
                if time.monotonic() - started > BATCH_SECONDS:
                    break
            if options.dry_run:
                session.rollback()
    return results


def _begin(session: Any) -> None:
    """Open the batch's transaction before its first savepoint. SQLite's Python driver begins one only
    before a write, so the first document's savepoint would be the outermost and its release a commit;
    IMMEDIATE takes the write lock now, so a read cannot fail to upgrade to a write later."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _import_one(
    app: AppContext, session: Any, name: str, path: Path | None, options: Options
) -> DocumentResult:
    """Read, parse and store one document in a savepoint of the batch's transaction (`session`): an error
    (any TrackerError, which becomes its result) or a dry run rolls back exactly this document."""
    from tracker.errors import TrackerError
    from tracker.importing.parser import parse_document
    from tracker.importing.refs import jira_projects
    from tracker.importing.source import read
    from tracker.importing.upsert import DocumentResult, Importer

    try:
        source = options.stdin if path is None and options.stdin is not None else read(name, path)
        parsed = parse_document(
            source.text,
            name,
            jira_projects(app.config.targets),
            known_owner(app),
            app.config.importing.sections,
        )
    except TrackerError as error:
        return DocumentResult(file=name, error=error.message, hint=error.hint)
    if not options.have_database:
        return _structure(
            _plan_without_database(app, parsed, options.historical, options.slug), parsed, options
        )
    holder: list[DocumentResult] = []
    try:
        with session.begin_nested():
            importer = Importer(session, app.config, app.resolver, app.actor, app.today())
            result = importer.run(
                parsed,
                historical=options.historical,
                slug=options.slug,
                source_path=str(path.resolve()) if path is not None else None,
                content_hash=source.content_hash,
                allow_empty=options.allow_empty,
            )
            _attach_findings(app, session, parsed, result)
            _attach_recurrence(app, session, parsed, result, importer.postmortem)
            holder.append(result)
            if options.dry_run:
                raise _DryRun  # roll the savepoint back
    except _DryRun:
        pass
    except TrackerError as error:
        return DocumentResult(file=name, error=error.message, hint=error.hint)
    if not options.dry_run and importer.postmortem is not None and importer.new_rows is not None:
        # Stored as inserted: recurrence's index takes the rows rather than reading them back.
        index = getattr(app, "_recurrence_index", None)
        if index is not None:
            index.learn(importer.postmortem, importer.new_rows)
    return _structure(holder[0], parsed, options)


def _structure(result: DocumentResult, parsed: Any, options: Options) -> DocumentResult:
    """What the document's structure says: no items (a warning, or stated), and --explain's sections."""
    from tracker.importing.explain import empty_warning, explained

    warning = empty_warning(parsed)
    result.empty = warning is not None
    result.none_stated = bool(parsed.none_stated and not parsed.items)
    if warning is not None:
        result.warnings.insert(0, warning)
    if options.explain:
        result.sections = explained(parsed)
    return result


def _plan_without_database(
    app: AppContext, parsed: Any, historical: bool, slug: str | None
) -> DocumentResult:
    """A dry run before any database exists: every item would be new."""
    from tracker.importing.parser import resolve_slug
    from tracker.importing.upsert import DocumentResult, ItemOutcome

    result = DocumentResult(
        file=parsed.name, slug=resolve_slug(parsed, slug), title=parsed.meta.title, created=True
    )
    result.warnings = list(parsed.warnings)
    for draft in parsed.items:
        status = draft.status.value if draft.status else "open"
        push = not (historical or status in ("done", "wont_do"))
        result.items.append(ItemOutcome("new", draft.title, draft.source_line, None, status, push))
    _attach_findings(app, None, parsed, result)
    return result


def known_owner(app: AppContext) -> Any:
    """Single words in parentheses count as owners only when [people] or [teams] knows them."""
    config = app.config
    if not config.people and not config.teams:
        return None
    resolver = app.resolver

    def known(text: str) -> bool:
        resolution = resolver.resolve(text)
        return resolution.person is not None or resolution.team is not None

    return known


def _attach_findings(app: AppContext, session: Any, parsed: Any, result: DocumentResult) -> None:
    """Each item's lint findings, inline in the import output."""
    from tracker.lint.sources import lint_document, make_context

    if not parsed.items:
        return
    from tracker.lint.duplicates import DuplicateIndex
    from tracker.lint.sources import items_from_document, open_items

    context = make_context(app.config, app.today(), app.resolver)
    parsed.meta.slug = result.slug  # so the duplicate rule leaves this postmortem's own items out
    # The database's open items are loaded and indexed once per command, then grown document by
    # document: a folder of a thousand postmortems must not reload or re-index them a thousand times.
    index: DuplicateIndex | None = getattr(app, "_duplicate_index", None)
    if index is None:
        index = DuplicateIndex(open_items(session) if session is not None else [])
        app._duplicate_index = index  # type: ignore[attr-defined]
    by_line: dict[int | None, list[dict[str, Any]]] = {}
    findings = lint_document(parsed, context, index=index)
    index.drop_postmortem(result.slug)
    index.add(items_from_document(parsed))
    for finding in findings:
        data = finding.to_dict()
        by_line.setdefault(finding.line, []).append(
            {k: data[k] for k in ("rule", "category", "severity", "message", "hint")}
        )
    for outcome in result.items:
        if outcome.action != "removed":
            outcome.findings = by_line.get(outcome.line, [])


def _attach_recurrence(
    app: AppContext, session: Any, parsed: Any, result: DocumentResult, postmortem: Any
) -> None:
    """Open items of earlier postmortems this incident echoes (issue 9), shown as `recurrence:` warnings."""
    from tracker.recurrence import record_recurrence
    from tracker.recurrence_index import RecurrenceIndex

    if result.slug and postmortem is not None:
        # Earlier items are loaded and indexed once per command (issue 15), not scanned per document.
        index: RecurrenceIndex | None = getattr(app, "_recurrence_index", None)
        if index is None:
            index = RecurrenceIndex()
            app._recurrence_index = index  # type: ignore[attr-defined]
        matches, same = record_recurrence(session, parsed, postmortem, index)
        result.warnings.extend(f"recurrence: {m.sentence()}" for m in matches)
        # Issue 14: the same service hit again, whatever the words, listed apart from wording matches.
        result.warnings.extend(f"still open on the same service: {s.sentence()}" for s in same)
        index.forget(result.slug)  # reread after this document's transaction, committed or not
