"""Remote commands: sync (from cron), check (pre-flight), adopt (rebuild links), unpush (undo a run)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tracker.app import AppContext
from tracker.output import echo, to_json

if TYPE_CHECKING:
    from tracker.sync.engine import SyncOptions
    from tracker.sync.summary import SyncSummary


@click.command("sync")
@click.option("--target", "-t", "targets", multiple=True, help="Only this target (repeatable).")
@click.option("--push-only", is_flag=True, help="Create and update issues; do not pull.")
@click.option("--pull-only", is_flag=True, help="Pull status back; write nothing to the remotes.")
@click.option("--dry-run", is_flag=True, help="Print the plan; make no write request and change nothing.")
@click.option("--max-creates", type=click.IntRange(min=0), help="Cap on issues created per target this run.")
@click.option("--yes", "-y", is_flag=True, help="Confirm the first push to a new target.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--metrics-file", type=click.Path(dir_okay=False), help="Write Prometheus metrics here.")
@click.pass_obj
def sync_cmd(
    app: AppContext,
    targets: tuple[str, ...],
    push_only: bool,
    pull_only: bool,
    dry_run: bool,
    max_creates: int | None,
    yes: bool,
    fmt: str,
    metrics_file: str | None,
) -> None:
    """Push new and changed items to GitHub/Jira and pull their status back (run it from cron).

    Exit 0 when everything synced (flagged items included), 1 when an item or target failed,
    3 when another sync holds the lease.

    Example: tracker sync --format json --metrics-file /var/lib/node_exporter/tracker.prom
    """
    from tracker.errors import ConfigError, FindingsError, TrackerError
    from tracker.sync.engine import SyncOptions
    from tracker.sync.runner import last_success, run_sync
    from tracker.sync.summary import write_aborted_metrics, write_metrics

    if push_only and pull_only:
        raise click.UsageError("--push-only and --pull-only exclude each other")
    interactive = sys.stdin.isatty() and sys.stderr.isatty()
    options = SyncOptions(
        push_only=push_only,
        pull_only=pull_only,
        dry_run=dry_run,
        max_creates=max_creates,
        yes=yes,
        confirm=(lambda question: click.confirm(question, err=True)) if interactive else None,
    )
    try:
        if sys.stderr.isatty():
            summary = _with_progress(app, targets, options)
        elif app.quiet:
            # cron mails any output: a wait that ended well is chatter, and one that did not ends
            # in the target's "stopped: ... after N attempt(s)", printed below.
            summary = run_sync(app, targets, options)
        else:
            from tracker.progress import activity

            with activity("sync", terminal=False):  # cron: a plain line per retry or rate-limit wait
                summary = run_sync(app, targets, options)
    except TrackerError as exc:
        if metrics_file and not dry_run:
            # Monitoring must see a run that could not even start (lease held, database gone).
            write_aborted_metrics(
                Path(metrics_file), list(targets) or list(app.config.targets), exc.exit_code
            )
        raise
    if metrics_file and not dry_run:
        write_metrics(Path(metrics_file), summary, last_success(app))  # type: ignore[arg-type]
    if fmt == "json":
        echo(to_json(summary.to_dict()))
    elif not app.quiet:
        echo(summary.to_text())
    else:
        _echo_quiet(summary)
    if summary.failed:
        failed = [t for t in summary.targets if t.failed]
        names = ", ".join(t.target for t in failed)
        if all(t.config_error for t in failed) and len(failed) == len(summary.targets):
            raise ConfigError(f"sync failed for {names}: configuration", hint="see the messages above")
        configured = [t.target for t in failed if t.config_error]
        # A target stopped by its configuration does not resume by itself: say which need a fix.
        hint = (
            f"fix the configuration of {', '.join(configured)} (see above); the others' next run resumes"
            if configured
            else "see the messages above; the next run resumes"
        )
        raise FindingsError(f"sync failed for {names}", hint=hint)


# Pre-flight notes that say the same on every run while the configuration stands: under -q (cron)
# they are chatter in every mail. A run without -q and `tracker check` still show them; `public_ok =
# true` silences the public-repository one everywhere (docs/operations.md).
STANDING_NOTES = (" is public: confidential postmortems are never pushed to it",)


def _echo_quiet(summary: SyncSummary) -> None:
    """-q (cron mails any output): only the targets that failed or have something to say, and the one
    line of a pause (quiet hides chatter, not the reason work was left for later)."""
    from dataclasses import replace

    for target in summary.targets:
        said = [m for m in target.messages if not m.endswith(STANDING_NOTES)]
        target = replace(target, messages=said)
        if target.failed or target.messages or target.plan:
            echo(replace(summary, targets=[target]).to_text())
        elif target.paused:
            echo(target.paused_line)


def _with_progress(app: AppContext, targets: tuple[str, ...], options: SyncOptions) -> SyncSummary:
    """A progress bar on a terminal, with the request or retry being waited for under it."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

    from tracker.progress import listening
    from tracker.sync.runner import run_sync

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(bar_width=20),
        MofNCompleteColumn(),
        TextColumn("[dim]{task.fields[waiting]}"),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("sync", total=None, waiting="")

        def show(target: str, phase: str, done: int, total: int) -> None:
            bar.update(task, description=f"{target}: {phase}", completed=done, total=total or None)

        def waiting(message: str, _wait: bool) -> None:
            bar.update(task, waiting=message)

        options.progress = show
        with listening(waiting):
            return run_sync(app, targets, options)


@click.command("adopt")
@click.argument("target")
@click.option("--dry-run", is_flag=True, help="Show what would be linked.")
@click.pass_obj
def adopt_cmd(app: AppContext, target: str, dry_run: bool) -> None:
    """Rebuild links to issues the tracker created, from their markers (after a lost database).

    Example: tracker adopt platform
    """
    from tracker.progress import activity
    from tracker.sync.adopt import adopt

    with activity(f"reading the issues of {target}"):
        result = adopt(app, target, dry_run=dry_run)
    for line in result:
        echo(line)


@click.command("unpush")
@click.option("--run", "run_id", type=int, required=True, help="The sync run whose created issues to close.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def unpush_cmd(app: AppContext, run_id: int, yes: bool) -> None:
    """Close, as not planned with a comment, every issue one sync run created.

    Example: tracker unpush --run 42 --yes
    """
    from tracker.sync.adopt import unpush

    for line in unpush(app, run_id, confirm=yes or (lambda q: click.confirm(q, err=True))):
        echo(line)


@click.command("check")
@click.option("--target", "-t", "targets", multiple=True, help="Only this target (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--notify", "notify", multiple=True, help="Only this [notify] channel (repeatable); sends nothing."
)
@click.pass_obj
def check_cmd(app: AppContext, targets: tuple[str, ...], fmt: str, notify: tuple[str, ...]) -> None:
    """Pre-flight every target without writing: credentials, permissions, fields, people, drift.

    Example: tracker check --target platform
    """
    from tracker.errors import FindingsError
    from tracker.progress import activity
    from tracker.sync.adopt import check

    # Targets are checked unless only channels were asked for, or only channels are configured.
    check_targets = bool(targets) or (not notify and (bool(app.config.targets) or not app.config.notify))
    with activity("checking targets"):
        results = check(app, targets) if check_targets else []
    if notify or not targets:
        from tracker.notify.check import check_channels

        results += check_channels(app, notify)
    if fmt == "json":
        echo(to_json(results))
    else:
        for result in results:
            echo(f"{result['target']} ({result['kind']}): {'ok' if result['ok'] else 'FAILED'}")
            for problem in result["problems"]:
                echo(f"  error: {problem}")
            for warning in result["warnings"]:
                echo(f"  warning: {warning}")
            for note in result.get("notes", []):
                echo(f"  {note}")
    if any(not r["ok"] for r in results):
        raise FindingsError("pre-flight failed", hint="fix the errors above before the next sync")
