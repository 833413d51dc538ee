"""`tracker import` (postmortems into the database) and `tracker render` (status written back to the document)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tracker.app import AppContext
from tracker.output import echo, to_json, write_file
from tracker.table import truncate

if TYPE_CHECKING:
    from tracker.importing.source import Source
    from tracker.importing.upsert import DocumentResult

_MARKS = {"new": "+", "updated": "~", "unchanged": " ", "removed": "-"}


@click.command("import")
@click.argument("paths", nargs=-1, required=True)
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option(
    "--historical", is_flag=True, help="Old postmortems, for reports only: their items are never pushed."
)
@click.option(
    "--allow-empty", is_flag=True, help="Accept a document whose items are all gone (marks them removed)."
)
@click.option(
    "--slug", help="Slug for the postmortem (one document only; default: front matter, else file name)."
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--quiet", "-q", is_flag=True, help="One line per document, no item lines.")
@click.option(
    "--strict",
    is_flag=True,
    help="Exit 1 when a document yields no action items (and does not say it has none).",
)
@click.option(
    "--explain",
    is_flag=True,
    help="Show each candidate section per document and why it was read or not (a dry run: writes nothing).",
)
@click.pass_obj
def import_cmd(
    app: AppContext,
    paths: tuple[str, ...],
    dry_run: bool,
    historical: bool,
    allow_empty: bool,
    slug: str | None,
    fmt: str,
    quiet: bool,
    strict: bool,
    explain: bool,
) -> None:
    """Import postmortems: Markdown files, folders of *.md, or - for standard input.

    Each document stands alone: a malformed one is reported with its file and line and changes nothing,
    and the others go on (exit code 1 if any failed). Importing again updates items in place.

    Example: tracker import postmortems/ --dry-run
    """
    from tracker.errors import UsageError
    from tracker.importing.parser import valid_slug
    from tracker.importing.source import Skipped, expand

    dry_run = dry_run or explain  # --explain looks; it never writes
    quiet = quiet or app.quiet  # `tracker -q import` is `tracker import -q`

    skipped: list[Skipped] = []
    sources = list(expand(paths, skipped))
    missing = [name for name, path in sources if path is not None and not path.exists()]
    if sources and len(missing) == len(sources):
        # Nothing to read at all: refuse before a database is created (a typo must not leave an
        # empty database behind for every later command to accept).
        raise UsageError(
            f"no such file or folder: {', '.join(missing)}",
            hint="check the path; folders are searched for *.md",
        )
    if not sources:
        raise UsageError(
            "no Markdown documents found in " + ", ".join(paths), hint="give files, folders or -"
        )
    if slug is not None and not valid_slug(slug):
        raise UsageError(f"bad --slug {slug!r}", hint="use lower case letters, digits, '.', '_' or '-'")
    if slug and len(sources) != 1:
        raise UsageError(
            "--slug needs exactly one document", hint="give the slug in each document's front matter"
        )
    stdin = _stdin_with_slug(sources) if slug is None else None
    have_database = True
    if dry_run:
        have_database = app.database_exists()
        if have_database:
            app.ensure_database(create=False)
    else:
        app.ensure_database(create=True)
    from tracker.commands.import_store import Options, import_all

    options = Options(dry_run, historical, allow_empty, slug, have_database, explain, stdin)
    results = import_all(app, sources, options)
    failed = sum(1 for result in results if result.error is not None)
    empty = sum(1 for result in results if result.empty)
    if fmt == "json":
        echo(
            to_json(
                {
                    "dry_run": dry_run,
                    "failed": failed,
                    "empty": empty,
                    "documents": [r.to_dict() for r in results],
                    "skipped": [{"file": s.name, "reason": s.reason} for s in skipped],
                }
            )
        )
    else:
        for skip in skipped:
            echo(f"skipped {skip.name}: {skip.reason}")
        for result in results:
            _print(result, dry_run, quiet)
        if len(results) > 1 or failed or empty or skipped:
            totals = {
                key: sum(r.counts()[key] for r in results)
                for key in ("new", "updated", "unchanged", "removed")
            }
            summary = ", ".join(f"{value} {key}" for key, value in totals.items())
            extra = (f", {empty} without items" if empty else "") + (
                f", {len(skipped)} skipped" if skipped else ""
            )
            echo(
                f"{len(results)} document(s), {failed} failed{extra}: {summary}"
                + (" (dry run)" if dry_run else "")
            )
    if failed or (strict and empty):
        raise SystemExit(1)


def _stdin_with_slug(sources: list[tuple[str, Path | None]]) -> Source | None:
    """Standard input is read first: without --slug it must name its slug in its front matter, else the
    command is refused before anything is written (a heading such as "Summary" is no identity: two
    documents would overwrite each other's items)."""
    from tracker.errors import TrackerError, UsageError
    from tracker.importing.parser import parse_document
    from tracker.importing.source import read

    name = next((name for name, path in sources if path is None), None)
    if name is None:
        return None
    source = read(name, None)
    try:
        parsed = parse_document(source.text, name)
    except TrackerError:
        return source  # reported as this document's error, like any malformed document
    if not parsed.meta.slug:
        raise UsageError(
            "a document from standard input needs a slug: pass --slug SLUG",
            hint="or put `slug: ...` in its front matter",
        )
    return source


def _print(result: DocumentResult, dry_run: bool, quiet: bool) -> None:
    if result.error is not None:
        echo(f"FAILED {result.file}: {result.error}")
        if result.hint:
            echo(f"  hint: {result.hint}")
        return
    counts = result.counts()
    summary = ", ".join(f"{value} {key}" for key, value in counts.items())
    verb = "would import" if dry_run else "imported"
    created = " (new postmortem)" if result.created else ""
    stated = " (the document says it has no action items)" if result.none_stated else ""
    echo(f"{result.file}: {verb} as {result.slug}{created}: {summary}{stated}")
    for warning in result.warnings:
        echo(f"  ! {warning}")
    if result.sections is not None:
        from tracker.importing.explain import explain_lines

        echo("  sections:")
        for line in explain_lines(result.sections):
            echo(line)
    if quiet:
        return
    quiet_findings = 0
    for outcome in result.items:
        if outcome.action == "unchanged" and not outcome.notes:
            quiet_findings += len(outcome.findings)
            continue
        ident = f"#{outcome.item_id}" if outcome.item_id is not None else "#new"
        line = f"line {outcome.line}" if outcome.line else ""
        extra = "" if outcome.push or outcome.action == "removed" else ", not pushed"
        echo(
            f"  {_MARKS[outcome.action]} {ident} {truncate(outcome.title, 70)} ({outcome.status}{extra}) {line}".rstrip()
        )
        for name, (old, new) in outcome.changes.items():
            if name in ("owner_person", "owner_team", "deadline", "title_text", "removed_at"):
                continue
            echo(f"      {name}: {_short(old)} -> {_short(new)}")
        for note in outcome.notes:
            echo(f"      {note}")
        if outcome.action == "unchanged":
            quiet_findings += len(outcome.findings)
            continue
        for finding in outcome.findings:
            echo(f"      {finding['severity']}: {finding['message']} [{finding['rule']}]")
    if quiet_findings:
        echo(
            f"  {quiet_findings} lint finding(s) on unchanged items: `tracker lint {result.file}` lists them"
        )


def _short(value: Any) -> str:
    if value is None:
        return "-"
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return truncate(text, 60)


@click.command("render")
@click.argument("postmortem")
@click.option(
    "--source",
    "source_path",
    type=click.Path(dir_okay=False),
    help="Document to render (default: the one imported).",
)
@click.option(
    "--write", "write_path", type=click.Path(dir_okay=False), help="Write here instead of standard output."
)
@click.pass_obj
def render_cmd(app: AppContext, postmortem: str, source_path: str | None, write_path: str | None) -> None:
    """Write a postmortem back with its action items refreshed: status, owner, deadline and issue link.

    Only the action-items section changes; the rest of the document is kept byte for byte, and
    importing the result changes nothing.

    Example: tracker render 2026-06-19-orders-api --write postmortems/2026-06-19-orders-api.md
    """
    from tracker.commands.import_store import known_owner
    from tracker.errors import InputError, UsageError
    from tracker.importing.render import render_postmortem
    from tracker.items import get_postmortem

    with app.session() as session:
        record = get_postmortem(session, postmortem)
        path = (
            Path(source_path) if source_path else (Path(record.source_path) if record.source_path else None)
        )
        if path is None:
            raise UsageError(
                f"postmortem {postmortem!r} was not imported from a file",
                hint="pass the document with --source PATH",
            )
        try:
            original = path.read_bytes()
        except OSError as exc:
            raise InputError(
                f"{path}: cannot read: {exc.strerror}", hint="pass the document with --source PATH"
            ) from None
        rendered = render_postmortem(session, record, original, str(path), app.config, known_owner(app))
    if write_path:
        target = Path(write_path)
        write_file(target, rendered, "postmortem")
        echo(f"wrote {target}", err=True)
    else:
        import sys

        if sys.stdout.isatty():  # shown, not saved: control characters are escaped like any output
            echo(rendered.decode("utf-8", "replace"), nl=False)
            return
        sys.stdout.flush()
        sys.stdout.buffer.write(rendered)  # redirected: the document byte for byte
        sys.stdout.buffer.flush()
