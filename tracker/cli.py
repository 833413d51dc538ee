"""The `tracker` command line: a lazily loaded click group and the one error boundary."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from tracker import __version__
from tracker.errors import EXIT_FAILURES, EXIT_USAGE, TrackerError

# name -> (module, attribute, one-line help). The help is a copy of the first line of the command's
# docstring (the one source), kept here so `tracker --help` imports nothing else;
# tests/test_cli_docs.py fails when the two differ.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": (
        "tracker.commands.setup",
        "init_cmd",
        "Write a starter tracker.toml (never overwrites one) and create the database.",
    ),
    "add": ("tracker.commands.items", "add_cmd", "Add an action item by hand."),
    "list": (
        "tracker.commands.listing",
        "list_cmd",
        "List action items, filtered, sorted and shaped like `gh issue list`.",
    ),
    "show": ("tracker.commands.items", "show_cmd", "Show one item with its links and history."),
    "edit": ("tracker.commands.items", "edit_cmd", "Change an item's title, owner, deadline or status."),
    "done": ("tracker.commands.items", "done_cmd", "Mark items done (sync closes their linked issues)."),
    "reopen": ("tracker.commands.items", "reopen_cmd", "Reopen items (sync reopens their linked issues)."),
    "people": (
        "tracker.commands.setup",
        "people_cmd",
        "List every owner named in the database and what it resolves to.",
    ),
    "db": ("tracker.commands.setup", "db_group", "Database schema: show the revision or upgrade it."),
    "import": (
        "tracker.commands.importing",
        "import_cmd",
        "Import postmortems: Markdown files, folders of *.md, or - for standard input.",
    ),
    "render": (
        "tracker.commands.importing",
        "render_cmd",
        "Write a postmortem back with its action items refreshed: status, owner, deadline and issue link.",
    ),
    "lint": (
        "tracker.commands.lint",
        "lint_cmd",
        "Flag action items that will never get done: no owner, no date, vague wording, too many.",
    ),
    "sync": (
        "tracker.commands.sync",
        "sync_cmd",
        "Push new and changed items to GitHub/Jira and pull their status back (run it from cron).",
    ),
    "check": (
        "tracker.commands.sync",
        "check_cmd",
        "Pre-flight every target without writing: credentials, permissions, fields, people, drift.",
    ),
    "adopt": (
        "tracker.commands.sync",
        "adopt_cmd",
        "Rebuild links to issues the tracker created, from their markers (after a lost database).",
    ),
    "unpush": (
        "tracker.commands.sync",
        "unpush_cmd",
        "Close, as not planned with a comment, every issue one sync run created.",
    ),
    "doctor": (
        "tracker.commands.repair",
        "doctor_cmd",
        "Fetch every linked issue and report drift from the database, writing nothing.",
    ),
    "unlink": (
        "tracker.commands.repair",
        "unlink_cmd",
        "Detach an item from its issue; sync will neither recreate nor re-adopt it.",
    ),
    "relink": (
        "tracker.commands.repair",
        "relink_cmd",
        "Link an item to an existing issue by URL or key (refused if another item holds it).",
    ),
    "report": (
        "tracker.commands.report",
        "report_cmd",
        "Report completion, on-time rate, slips, overdue items and the trend.",
    ),
    "remind": (
        "tracker.commands.remind",
        "remind_cmd",
        "Comment on the linked issues of items whose deadline approaches or passed, mentioning the assignee.",
    ),
    "digest": (
        "tracker.commands.remind",
        "digest_cmd",
        "The weekly digest in Markdown: due this week, overdue, newly done, held, still unowned.",
    ),
    "postmortems": (
        "tracker.commands.postmortems",
        "postmortems_cmd",
        "List postmortems: slug, title, date, severity, items, open, overdue, completion, source file.",
    ),
    "postmortem": (
        "tracker.commands.postmortems",
        "postmortem_group",
        "Fix a postmortem: rename it, merge it into another, or remove it.",
    ),
    "completion": (
        "tracker.commands.completion",
        "completion_cmd",
        "Print the completion script for SHELL (commands, options, choices).",
    ),
    "demo": (
        "tracker.commands.demo",
        "demo_cmd",
        "Run the whole story on the local sandbox: no credentials, a scratch folder, a few seconds.",
    ),
}

EXAMPLES = """\
Examples:

\b
  tracker demo                                   the whole story on local sandboxes, no credentials
  tracker init                                   write tracker.toml, create the database
  tracker lint postmortems/                      vague, unowned, undated items (no database needed)
  tracker import postmortems/                    store the action items (idempotent)
  tracker sync                                   push to GitHub/Jira, pull status back (cron)
  tracker report -p inc-214 --format markdown    before the follow-up review
  tracker list --overdue --format json           what slipped, for scripts

Each command's --help has its options and an example.
Exit codes: 0 ok; 1 findings or failures (documents, items, sends); 2 usage or config error; 3 another sync holds the lease.
"""


def register(name: str, module: str, attribute: str, help_text: str) -> None:
    """Add a command to the lazy table (used by modules that ship more commands)."""
    COMMANDS[name] = (module, attribute, help_text)


class ReportedError(click.ClickException):
    """A TrackerError on its way out: message and hint on stderr, the error's exit code."""

    def __init__(self, error: TrackerError) -> None:
        super().__init__(error.message)
        self.error = error
        self.exit_code = error.exit_code  # type: ignore[misc]  # click declares it on the class

    def show(self, file: Any = None) -> None:
        from tracker.output import clean

        stream = file or sys.stderr
        problems = getattr(self.error, "problems", None) or []
        click.echo(clean(f"error: {self.error.message}"), file=stream)
        for problem in problems:
            click.echo(clean(f"  - {problem}"), file=stream)
        if self.error.hint:
            click.echo(clean(f"hint: {self.error.hint}"), file=stream)


class SuggestingGroup(click.Group):
    """A group that answers a mistyped command with the closest names (`tracker lsit`: list or lint)."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        known = self.list_commands(ctx)
        if name and not name.startswith("-") and name not in known and not ctx.resilient_parsing:
            import difflib

            close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
            hint = f"did you mean {' or '.join(close)}?" if close else f"run `{ctx.command_path} --help`"
            raise click.UsageError(f"no such command {name!r}; {hint}", ctx)
        return super().resolve_command(ctx, args)


class LazyGroup(SuggestingGroup):
    """Imports a command's module only when that command runs, and turns errors into clean messages."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        import importlib

        module = importlib.import_module(entry[0])
        command: click.Command = getattr(module, entry[1])
        _accept_global_options(command)
        _check_filters_first(command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TrackerError as error:
            raise ReportedError(error) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:
            # The reader went away (`tracker show 1 | head`): stop quietly, as other Unix tools do.
            import os
            import sys

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise click.exceptions.Exit(0) from None
        except Exception as error:  # the boundary: anything else is a bug or an environment failure
            app = ctx.obj
            if getattr(app, "verbosity", 0) > 0:
                raise
            converted = _convert(error, _database(app))
            raise ReportedError(converted) from None
        finally:
            app = ctx.obj
            if app is not None and hasattr(app, "close"):
                app.close()


def _database(app: Any) -> str | None:
    """Where the database is, for a database error (the file or the URL without its password)."""
    try:
        return str(app.database_location())
    except Exception:  # no config, a broken URL: the error is then said without it
        return None


def _convert(error: Exception, database: str | None = None) -> TrackerError:
    """Known environment failures get a plain message; anything else says how to see the traceback."""
    name = type(error).__name__
    module = type(error).__module__
    if module.startswith(("sqlalchemy", "sqlite3")):  # sqlite3: the read commands' own driver on SQLite
        from tracker.errors import DatabaseError

        original = getattr(error, "orig", None)
        detail = str(original or error).strip().splitlines()[0]
        where = f" ({database})" if database else ""
        return DatabaseError(f"database error{where}: {detail}", hint="run with -v for details")
    if isinstance(error, OSError):
        return TrackerError(
            f"{error.strerror or error}: {error.filename or ''}".strip(": "), exit_code=EXIT_USAGE
        )
    return TrackerError(
        f"internal error: {name}: {error}",
        hint="run again with -v to see the traceback",
        exit_code=EXIT_FAILURES,
    )


@click.group(cls=LazyGroup, epilog=EXAMPLES, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    metavar="PATH",
    help="Config file (else $TRACKER_CONFIG, ./tracker.toml, user dir).",
)
@click.option("-v", "--verbose", count=True, help="More output; -v also shows tracebacks.")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
@click.version_option(__version__, prog_name="tracker")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: int, quiet: bool) -> None:
    """tracker: make postmortem action items actually get done.

    Import the action items of postmortems, lint them, push them to GitHub or Jira, pull their
    status back from cron, and report completion before the follow-up review.
    """
    from tracker.app import AppContext
    from tracker.clock import SYSTEM, Clock

    # A test runs the real CLI with its own clock: `CliRunner().invoke(cli, args, obj=Clock(...))`.
    clock = ctx.obj if isinstance(ctx.obj, Clock) else SYSTEM
    ctx.obj = AppContext(config_path=config_path, verbosity=0 if quiet else verbose, clock=clock)
    _set_output(ctx.obj, verbose, quiet)


def _set_output(app: Any, verbose: int, quiet: bool) -> None:
    """Logging level and the app's verbosity from -v/-q, wherever on the line they were given."""
    from tracker.output import CleanFormatter

    app.quiet = quiet
    app.verbosity = 0 if quiet else verbose
    level = logging.WARNING if quiet or verbose == 0 else (logging.INFO if verbose == 1 else logging.DEBUG)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(CleanFormatter("%(levelname)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for noisy in ("urllib3", "github", "jira", "alembic", "sqlalchemy"):
        logging.getLogger(noisy).setLevel(logging.WARNING if verbose < 2 else logging.NOTSET)


def _after_subcommand(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """`tracker sync -q`: a global option given after the subcommand adds to the one given before."""
    app = ctx.find_root().obj
    if app is None or not value:
        return
    if param.name == "global_quiet":
        _set_output(app, 0, True)
    elif param.name == "global_verbose" and not getattr(app, "quiet", False):
        _set_output(app, app.verbosity + int(value), False)
    elif param.name == "global_config":
        app.config_path = value


_GLOBAL_OPTIONS = (
    ("global_config", ("--config",), {"metavar": "PATH", "help": "Config file (as before the command)."}),
    ("global_verbose", ("-v", "--verbose"), {"count": True, "help": "More output (as before the command)."}),
    ("global_quiet", ("-q", "--quiet"), {"is_flag": True, "help": "Only warnings and errors."}),
)


def _accept_global_options(command: click.Command) -> None:
    """Give a command (and a group's subcommands) -v, -q and --config, unless it has its own meaning
    for one of them (`import -q` is import's own short output)."""
    if getattr(command, "_tracker_globals", False):
        return
    taken = {opt for param in command.params for opt in getattr(param, "opts", [])}
    for name, opts, extra in _GLOBAL_OPTIONS:
        free = [opt for opt in opts if opt not in taken]
        if len(free) == len(opts):
            option = click.Option([*free, name], expose_value=False, callback=_after_subcommand, **extra)
            command.params.append(option)
    command._tracker_globals = True  # type: ignore[attr-defined]
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _accept_global_options(sub)


def _check_filters_first(command: click.Command) -> None:
    """A command with --team or --severity has them checked before it runs (`filters.check_filters`):
    one place, so no command can forget it and a value that matches nothing never prints an empty list."""
    names = {param.name for param in command.params}
    callback = command.callback
    if callback is None or not names & {"team", "severity"} or getattr(callback, "_tracker_checked", False):
        return
    import functools

    @functools.wraps(callback)
    def checked(*args: Any, **kwargs: Any) -> Any:
        from tracker.commands.filters import check_filters

        app = click.get_current_context().find_root().obj
        check_filters(app, kwargs.get("team"), kwargs.get("severity"))
        return callback(*args, **kwargs)

    checked._tracker_checked = True  # type: ignore[attr-defined]
    command.callback = checked


def main() -> None:
    cli(prog_name="tracker")
