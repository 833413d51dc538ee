"""`tracker lint`: flag action items that will never get done, in documents or in the database."""

from __future__ import annotations

import click

from tracker.app import AppContext
from tracker.output import echo


def _list_rules(app: AppContext, fmt: str) -> None:
    from tracker.lint.registry import all_rules
    from tracker.lint.settings import LintSettings
    from tracker.output import to_json

    settings = LintSettings.from_mapping(app.config.lint)
    rows = []
    for rule in all_rules().values():
        level = settings.level(rule.id)
        rows.append(
            {
                "rule": rule.id,
                "category": rule.category,
                "severity": level.value if level else "off",
                "default": rule.severity.value,
                "database_only": rule.database_only,
                "label": settings.label(rule.id),
                "summary": rule.summary,
                "hint": rule.hint,
            }
        )
    if fmt == "json":
        echo(to_json(rows))
    elif fmt == "csv":
        from tracker.output import to_csv

        echo(to_csv(rows, list(rows[0])).rstrip("\n"))
    else:
        from tracker.table import echo_table

        echo_table(
            [[r["rule"], r["category"], r["severity"], r["label"], r["summary"]] for r in rows],
            ["rule", "category", "severity", "label", "summary"],
            shrink=("summary", "label"),
        )


@click.command("lint")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv", "markdown", "github"]),
    default="text",
    show_default=True,
    help="text: file:line: rule: message; github: Actions annotations.",
)
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1), not only errors.")
@click.option("--rule", "rules", multiple=True, metavar="ID", help="Run only this rule (repeatable).")
@click.option("--list-rules", is_flag=True, help="List every rule with its category, severity and label.")
@click.pass_obj
def lint_cmd(
    app: AppContext, paths: tuple[str, ...], fmt: str, strict: bool, rules: tuple[str, ...], list_rules: bool
) -> None:
    """Flag action items that will never get done: no owner, no date, vague wording, too many.

    With PATH (Markdown files or folders; '-' for stdin) the documents are checked without importing
    them; a folder's files are those `tracker import` reads (READMEs, index pages and templates are
    skipped and listed). Without PATH the open items in the database are checked, progress rules included.
    Exit 1 when a finding reaches the failing severity (errors; with --strict, warnings too).

    Example: tracker lint postmortems/ --format github
    """
    from tracker.errors import FindingsError, TrackerError, UsageError
    from tracker.importing.source import Skipped
    from tracker.lint.engine import failing, run_rules
    from tracker.lint.formats import render
    from tracker.lint.model import Severity
    from tracker.lint.registry import all_rules
    from tracker.lint.sources import (
        document_findings,
        items_from_document,
        lint_database,
        make_context,
        open_items,
        read_documents,
    )

    if list_rules:
        if fmt not in ("text", "json", "csv"):
            # Silently printing the text table for --format github would break the script that asked.
            raise UsageError(f"--list-rules prints text, json or csv, not {fmt}", hint="use --format json")
        _list_rules(app, fmt)
        return
    unknown = [rule for rule in rules if rule not in all_rules()]
    if unknown:
        raise UsageError(
            f"unknown rule: {', '.join(unknown)}", hint="`tracker lint --list-rules` shows every rule id"
        )
    context = make_context(app.config, app.today(), app.resolver)
    if paths:
        skipped: list[Skipped] = []
        documents = read_documents(paths, app.config, skipped)
        for skip in skipped:  # the files `tracker import` would leave out, left out here too
            echo(f"skipped {skip.name}: {skip.reason}", err=True)
        items = [item for document in documents for item in items_from_document(document)]
        try:
            if app.database_exists():
                with app.session() as session:
                    slugs = {item.postmortem for item in items}
                    context.others = [other for other in open_items(session) if other.postmortem not in slugs]
        # An outdated, broken or unreachable database must not stop the documents from being checked.
        except Exception as error:
            reason = error.message if isinstance(error, TrackerError) else type(error).__name__
            echo(f"warning: not comparing with the database ({reason}); scope-duplicate skipped", err=True)
        findings = run_rules(items, context, only=rules or None)
        if not rules or "no-action-items" in rules:
            findings = document_findings(documents, context) + findings
        checked = len(items)
    else:
        with app.session() as session:
            findings = lint_database(session, context)
            checked = len(context.others)
        if rules:
            findings = [f for f in findings if f.rule in rules]
    echo(render(fmt, findings, checked))
    fail_on = context.settings.fail_on
    if strict and fail_on.rank > Severity.WARNING.rank:
        fail_on = Severity.WARNING
    bad = failing(findings, fail_on)
    if bad:
        raise FindingsError(
            f"{len(bad)} finding(s) at severity {fail_on.value} or above",
            hint='fix the items above, or re-level rules in [lint] rules (e.g. owner-team = "info")',
        )
