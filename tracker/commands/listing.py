"""`tracker list`: items filtered, sorted and shaped like `gh issue list`, as a fitted table, CSV or JSON."""

from __future__ import annotations

from typing import Any

import click

from tracker.app import AppContext
from tracker.output import FORMATS, echo, to_csv, to_json

LIST_COLUMNS = ["id", "postmortem", "title", "owner", "owner_person", "deadline", "status", "links"]

# --columns names -> the row's key. `person` is what the owner resolves to; `team` is the team stored with
# the owner, which `--team` and the report's "By team" use.
COLUMN_FIELDS: dict[str, str] = {
    "id": "id",
    "postmortem": "postmortem",
    "title": "title",
    "owner": "owner",
    "person": "owner_person",
    "team": "team",
    "severity": "severity",
    "deadline": "deadline",
    "status": "status",
    "links": "links",
    "priority": "priority",
    "created": "created_at",
    "updated": "updated_at",
}
DEFAULT_COLUMNS = ["id", "postmortem", "title", "owner", "deadline", "status", "links"]
SORT_FIELDS = [name for name in COLUMN_FIELDS if name != "links"]


@click.command("list")
@click.option("--postmortem", "-p", "slug", help="Only items of this postmortem.")
@click.option(
    "--status", "-s", "statuses", multiple=True, help="open, in_progress, done, wont_do (repeatable)."
)
@click.option("--owner", "-o", help="Owner as written or a [people] handle.")
@click.option("--team", help="Only items whose owner belongs to this [teams] team.")
@click.option("--severity", help="Only items of postmortems of this severity (after severity_aliases).")
@click.option("--target", "-t", help="Only items linked to an issue on this target.")
@click.option(
    "--since", metavar="DATE", help="Only items of incidents on or after DATE (2026-07-01, or 30d)."
)
@click.option("--overdue", is_flag=True, help="Only open items past their deadline.")
@click.option("--all", "include_removed", is_flag=True, help="Include items removed from their document.")
@click.option("--sort", "sort_field", metavar="FIELD", help="Sort by a column (-FIELD: descending).")
@click.option("--limit", "-L", type=click.IntRange(1), help="At most N items.")
@click.option("--columns", metavar="A,B,C", help=f"Columns to show: {', '.join(COLUMN_FIELDS)}.")
@click.option("--no-headers", is_flag=True, help="Leave out the header line (table and csv).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*FORMATS, "text"]),
    default="table",
    show_default=True,
    help="text is table.",
)
@click.pass_obj
def list_cmd(
    app: AppContext,
    slug: str | None,
    statuses: tuple[str, ...],
    owner: str | None,
    team: str | None,
    severity: str | None,
    target: str | None,
    since: str | None,
    overdue: bool,
    include_removed: bool,
    sort_field: str | None,
    limit: int | None,
    columns: str | None,
    no_headers: bool,
    fmt: str,
) -> None:
    """List action items, filtered, sorted and shaped like `gh issue list`.

    Tables fit the terminal (or $COLUMNS): the title is cut first, with an ellipsis.

    Example: tracker list --team platform --overdue --sort deadline --columns id,title,owner,deadline
    """
    from tracker.commands.filters import (
        parse_columns,
        parse_since,
        pick,
        severities_for,
        severity_key,
        sort_rows,
    )
    from tracker.config import normalise_name
    from tracker.item_view import (
        ItemQuery,
        any_of,
        item_to_dict,
        load_items,
        parse_status_option,
        postmortem_id,
        since_condition,
    )
    from tracker.report.owners import attribute

    wanted = [parse_status_option(s).value for s in statuses]
    shown = parse_columns(columns, list(COLUMN_FIELDS)) if columns else None
    if sort_field:
        pick(sort_field.lstrip("-"), SORT_FIELDS, "--sort")
    today = app.today()
    aliases = app.config.report.severity_aliases
    # SQL text on a read connection (sqlite3 itself on SQLite): this runs by hand many times a day,
    # and importing SQLAlchemy costs more than reading a thousand items.
    with app.connection() as connection:
        query = ItemQuery()
        if slug:
            query.where("i.postmortem_id = :postmortem", postmortem=postmortem_id(connection, slug))
        if wanted:
            condition, values = any_of("status", wanted)
            query.where(f"i.status {condition}", **values)
        if overdue:
            query.where("i.deadline < :today AND i.status IN ('open', 'in_progress')", today=today)
        if not include_removed:
            query.where("i.removed_at IS NULL")
        if severity:
            condition, values = any_of("severity", severities_for(severity, aliases))
            query.where(f"p.severity {condition}", **values)
        if target:
            query.where("i.id IN (SELECT k.item_id FROM links k WHERE k.target = :target)", target=target)
        if since:
            condition, values = since_condition(parse_since(since, today), app.config.org.zone)
            query.where(condition, **values)
        if owner:
            resolution = app.resolver.resolve(owner)
            if resolution.person:
                query.where(
                    "(i.owner_person = :person OR i.owner_text = :owner)",
                    person=resolution.person,
                    owner=owner,
                )
        found = load_items(connection, query)
    rows = []
    for item in found:
        row = item_to_dict(item, app.resolver, today)
        row["severity"] = severity_key(item.postmortem.severity, aliases)
        # Today's [people]/[teams] decide the team, as in the report (not the team stored at import).
        row["team"] = attribute(app.config, app.resolver, item.owner_text)[1]
        if team is None or row["team"] == team:
            rows.append(row)
    if owner and not app.resolver.resolve(owner).person:
        rows = [r for r in rows if r["owner"] and normalise_name(r["owner"]) == normalise_name(owner)]
    if sort_field:
        name = sort_field.lstrip("-")
        rows = sort_rows(rows, sort_field, COLUMN_FIELDS[name] if name != "links" else None)
    if limit:
        rows = rows[:limit]
    _print_items(rows, fmt, shown, not no_headers, app.config.org.zone)


def _cells(row: dict[str, Any], name: str, zone: Any) -> Any:
    """A row's value for one --columns name, as a table shows it."""
    if name == "deadline":
        return row["deadline"] or row["deadline_text"]
    if name == "status":
        return row["status"] + (" (overdue)" if row["overdue"] else "")
    if name == "links":
        return [link["key"] or link["target"] for link in row["links"]]
    if name in ("created", "updated"):
        from tracker.timefmt import local_datetime

        return local_datetime(row[COLUMN_FIELDS[name]], zone)
    return row[COLUMN_FIELDS[name]]


def _print_items(
    rows: list[dict[str, Any]], fmt: str, columns: list[str] | None, headers: bool, zone: Any
) -> None:
    if fmt == "json":
        echo(to_json(rows))
    elif fmt == "csv" and columns is None:
        flat = [{**r, "links": [link["url"] or link["key"] for link in r["links"]]} for r in rows]
        text = to_csv(flat, [*LIST_COLUMNS, "deadline_text", "status_text"])
        echo((text if headers else text.split("\n", 1)[1]).rstrip("\n"))
    elif fmt == "csv" and columns is not None:
        from tracker.table import to_csv as table_csv

        data = [
            [
                [link["url"] or link["key"] for link in r["links"]] if c == "links" else r[COLUMN_FIELDS[c]]
                for c in columns
            ]
            for r in rows
        ]
        echo(table_csv(data, columns, headers).rstrip("\n"))
    else:
        if not rows:
            echo("no matching items")
            return
        from tracker.table import echo_table

        names = columns or DEFAULT_COLUMNS
        echo_table(
            [[_cells(r, name, zone) for name in names] for r in rows],
            names,
            shrink=("title",),  # identifiers are never cut (tracker/table.py)
            show_headers=headers,
        )
