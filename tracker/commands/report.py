"""`tracker report`: completion before the review meeting and summaries for managers."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from tracker.app import AppContext
from tracker.output import echo, write_file

if TYPE_CHECKING:
    from tracker.report.shape import Report

REPORT_FORMATS = ("table", "text", "markdown", "json", "csv", "html")


def _as_of(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO date such as 2026-07-31") from None


@click.command("report")
@click.option("--postmortem", "-p", "slug", help="Review view of one postmortem's items.")
@click.option(
    "--review-window", metavar="FROM..TO", help="Review view of postmortems reviewed in these dates."
)
@click.option("--owner", "-o", help="One owner's items (per-person view).")
@click.option("--team", help="Only items owned by this [teams] team.")
@click.option("--target", "-t", help="Only items linked to an issue on this target.")
@click.option("--severity", help="Only postmortems of this severity (after [report] severity_aliases).")
@click.option("--since", metavar="DATE", help="Only postmortems of incidents on or after DATE (or 30d).")
@click.option("--as-of", metavar="DATE", callback=_as_of, help="The report as it stood at the end of DATE.")
@click.option("--months", type=click.IntRange(0, 120), default=12, show_default=True, help="Months of trend.")
@click.option(
    "--limit",
    type=click.IntRange(1),
    default=20,
    show_default=True,
    help="Rows per breakdown (text formats).",
)
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="table", show_default=True)
@click.option("--output", "output", type=click.Path(dir_okay=False, writable=True), help="Write to FILE.")
@click.option(
    "--post-to", nargs=2, metavar="TARGET ISSUE", help="Post the Markdown summary as a comment on ISSUE."
)
@click.option(
    "--no-save", is_flag=True, help="Do not remember this review report for the next 'changed since'."
)
@click.option(
    "--notify",
    "notify",
    multiple=True,
    metavar="NAME",
    help="Send the manager's summary to this [notify] channel.",
)
@click.option(
    "--dry-run", is_flag=True, help="With --notify: print exactly what would be sent; send nothing."
)
@click.pass_obj
def report_cmd(
    app: AppContext,
    slug: str | None,
    review_window: str | None,
    owner: str | None,
    team: str | None,
    target: str | None,
    severity: str | None,
    since: str | None,
    as_of: date | None,
    months: int,
    limit: int,
    fmt: str,
    output: str | None,
    post_to: tuple[str, str] | None,
    no_save: bool,
    notify: tuple[str, ...] = (),
    dry_run: bool = False,
) -> None:
    """Report completion, on-time rate, slips, overdue items and the trend.

    Blameless by default: figures by team, severity, target and postmortem. `--postmortem` or
    `--review-window` lists each item for the review meeting, with what changed since the previous
    report; `--owner` shows one person's items; `--as-of` reproduces a past report from the history.

    Example: tracker report --postmortem inc-214 --format markdown --output review.md
    """
    from tracker.commands.filters import parse_since, relative_since
    from tracker.report.build import Options, build_report, parse_window

    if slug and review_window:
        raise click.UsageError("give --postmortem or --review-window, not both")
    options = Options(
        postmortem=slug,
        review_window=parse_window(review_window) if review_window else None,
        owner=owner,
        as_of=as_of,
        months=months,
        save=not no_save,
        limit=limit,
        team=team,
        target=target,
        severity=severity,
        since=parse_since(since, app.today()) if since else None,
        since_text=relative_since(since),
    )
    # One read-connection transaction (stdlib sqlite3 on SQLite): the report reads with SQL text and
    # writes only its own small tables (saved runs, month ends, owner attributions), so neither the
    # ORM nor, on SQLite, SQLAlchemy is imported.
    with app.connection() as connection:
        report = build_report(app, connection, options)
    text = render(report, fmt, limit, terminal=output is None and sys.stdout.isatty())
    if output:
        write_file(Path(output), text, "report")
        echo(f"wrote {fmt} report to {output}", err=True)
    elif not notify and fmt == "json":
        # render_text.terminal_safe escaped all `echo` would clean (JSON escapes C0 itself): the
        # scan of megabytes of JSON for nothing is skipped.
        click.echo(text, nl=False)
    elif not notify:
        echo(text, nl=False)
    if post_to:
        from tracker.progress import activity

        kind = app.config.targets[post_to[0]].kind if post_to[0] in app.config.targets else None
        body, shortened = comment_markdown(report, limit, kind)
        if shortened:
            echo(
                f"note: the report was shortened to fit one {kind} comment (`tracker report` has it all)",
                err=True,
            )
        with activity(f"posting to {post_to[0]} {post_to[1]}"):
            url = post_comment(app, post_to[0], post_to[1], body)
        echo(f"posted the report to {post_to[0]} {post_to[1]}: {url}", err=True)
    if notify:
        from tracker.notify.commands import notify_report

        notify_report(app, cast(dict[str, Any], report), notify, dry_run, limit)


def render(report: Report, fmt: str, limit: int, terminal: bool) -> str:
    """The report in one format; `table` (or `text`) fits the terminal, with colour, and is plain elsewhere."""
    from tracker.report import render_text

    if fmt == "json":
        return render_text.to_json(report)
    if fmt == "csv":
        return render_text.to_csv(report)
    if fmt == "markdown":
        return render_text.to_markdown(report, limit)
    if fmt == "html":
        from tracker.report import render_html

        return render_html.to_html(report, limit)
    import os

    from tracker.table import colour_allowed, terminal_width

    # A terminal (or COLUMNS) gives the width; colour only on a terminal, never under NO_COLOR.
    width = terminal_width() if terminal or os.environ.get("COLUMNS") else None
    return render_text.to_plain(report, limit, width=width, colour=terminal and colour_allowed())


def comment_markdown(report: Report, limit: int, kind: str | None) -> tuple[str, bool]:
    """The Markdown summary within one comment of `kind` (the digest's caps), and whether it was shortened.

    A body over the cap is refused by GitHub or Jira: the sections are halved until it fits (each
    says how many rows it left out), and as a last resort the text is cut with a note.
    """
    from tracker.remind.digest import COMMENT_LIMITS
    from tracker.report.render_text import to_markdown

    cap = COMMENT_LIMITS.get(kind or "")
    shown = limit
    text = to_markdown(report, shown)
    while cap is not None and len(text) > cap and shown > 1:
        shown //= 2
        text = to_markdown(report, shown)
    if cap is not None and len(text) > cap:
        note = "\n\n_... cut to fit one comment: `tracker report` prints it all._\n"
        text = text[: cap - len(note)] + note
    return text, shown < limit


def post_comment(app: AppContext, target: str, issue: str, body: str) -> str:
    """Post `body` on `issue` of `target` through the same backend sync uses."""
    from tracker.errors import NoTargetsError, UsageError

    if not app.config.targets:
        raise NoTargetsError(app.config.path)
    if target not in app.config.targets:
        known = ", ".join(app.config.targets) or "none configured"
        raise UsageError(f"unknown target {target!r}", hint=f"targets in the config: {known}")
    from tracker.backends import open_backend

    backend = open_backend(app.config, target, engine=app.engine, clock=app.clock)
    try:
        ref = backend.parse_ref(issue)
        if ref is None:
            raise UsageError(
                f"{issue!r} is not an issue of target {target}",
                hint="use a number, key or URL, e.g. 12 or OPS-12",
            )
        return str(backend.comment(ref, body))
    finally:
        backend.close()
