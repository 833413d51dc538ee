"""Postmortems as objects: list them, rename, merge and remove one (items and history move with it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from tracker.app import AppContext
from tracker.cli import SuggestingGroup
from tracker.output import echo, to_json

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tracker.models import Postmortem

COLUMNS = [
    "slug",
    "title",
    "date",
    "severity",
    "items",
    "open",
    "overdue",
    "completion",
    "source",
]
FORMATS = ("table", "text", "json", "csv")


@click.command("postmortems")
@click.option("--severity", help="Only postmortems of this severity (after [report] severity_aliases).")
@click.option("--since", "since", metavar="DATE", help="Only incidents on or after DATE (2026-07-01).")
@click.option("--limit", type=click.IntRange(1), help="At most N rows.")
@click.option("--no-headers", is_flag=True, help="Leave out the header line (table and csv).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.pass_obj
def postmortems_cmd(
    app: AppContext, severity: str | None, since: str | None, limit: int | None, no_headers: bool, fmt: str
) -> None:
    """List postmortems: slug, title, date, severity, items, open, overdue, completion, source file.

    Example: tracker postmortems --since 2026-01-01 --format csv
    """
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from tracker.commands.filters import parse_since, severity_key, since_condition
    from tracker.models import Postmortem

    today = app.today()
    start = parse_since(since, today) if since else None
    aliases = app.config.report.severity_aliases
    with app.session() as session:
        query = select(Postmortem).options(selectinload(Postmortem.items)).order_by(Postmortem.slug)
        if start:
            query = query.where(since_condition(start, app.config.org.zone))
        rows = [_row(p, today, aliases) for p in session.scalars(query)]
    if severity:
        rows = [r for r in rows if r["severity"] == severity_key(severity, aliases)]
    rows = rows[:limit] if limit else rows
    if fmt == "json":
        echo(to_json([{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]))
        return
    table_rows = [
        [
            r["slug"],
            r["title"],
            r["date"],
            r["severity"],
            r["items"],
            r["open"],
            r["overdue"],
            _completion_cell(r),
            r["source"],
        ]
        for r in rows
    ]
    from tracker.table import echo_table, to_csv

    if fmt == "csv":
        echo(to_csv([[r[c] for c in COLUMNS] for r in rows], COLUMNS, not no_headers).rstrip("\n"))
    elif not rows:
        echo("no postmortems yet: `tracker import` or `tracker add` create them")
    else:
        echo_table(table_rows, COLUMNS, shrink=("title", "source"), show_headers=not no_headers)


def _row(postmortem: Postmortem, today: Any, aliases: dict[str, str]) -> dict[str, Any]:
    from tracker.commands.filters import severity_key

    items = [i for i in postmortem.items if i.removed_at is None]
    unfinished = [i for i in items if i.status in ("open", "in_progress")]
    done = sum(1 for i in items if i.status == "done" and not i.closed_by_bot)
    # As the report counts it: a bot's close is neither done nor won't do, so it stays committed.
    committed = len(items) - sum(1 for i in items if i.status == "wont_do" and not i.closed_by_bot)
    return {
        "slug": postmortem.slug,
        "title": postmortem.title,
        "date": postmortem.incident_date.isoformat() if postmortem.incident_date else None,
        "severity": severity_key(postmortem.severity, aliases) if postmortem.severity else None,
        "items": len(items),
        "open": len(unfinished),
        "overdue": sum(1 for i in unfinished if i.deadline and i.deadline < today),
        "completion": round(done / committed, 4) if committed else None,
        "source": postmortem.source_path,
        "_done": done,
        "_committed": committed,
    }


def _completion_cell(row: dict[str, Any]) -> str:
    """As the report shows a share: the fraction ("2 of 3") under SMALL items, a percentage from there on."""
    from tracker.report.sections import SMALL, rate

    if row["completion"] is None:
        return "-"
    if row["_committed"] < SMALL:
        return rate(row["_done"], row["_committed"])
    return f"{row['completion'] * 100:.0f}%"


@click.group("postmortem", cls=SuggestingGroup)
def postmortem_group() -> None:
    """Fix a postmortem: rename it, merge it into another, or remove it.

    Example: tracker postmortem merge queue-backlog-2026-5 queue-backlog-2026-05
    """


def check_new_slug(slug: str) -> str:
    """A slug a person gives a postmortem (`add -p`, `postmortem rename`): one word, not empty."""
    from tracker.errors import UsageError

    slug = slug.strip()
    if not slug or any(c.isspace() for c in slug):
        raise UsageError(f"bad slug {slug!r}", hint="a slug is one word, e.g. db-outage-2026-06")
    return slug


@postmortem_group.command("rename")
@click.argument("old")
@click.argument("new")
@click.pass_obj
def rename_cmd(app: AppContext, old: str, new: str) -> None:
    """Give a postmortem a new slug; its items, links and history stay with it.

    Example: tracker postmortem rename inc-214 db-outage-2026-06
    """
    from tracker.items import get_postmortem

    new = check_new_slug(new)
    with app.session() as session:
        postmortem = get_postmortem(session, old)
        _refuse_taken(session, new)
        postmortem.slug = new
        if postmortem.title == old:  # added by hand: the title was the slug
            postmortem.title = new
        record_postmortem(session, postmortem, "slug", old, new, app)
        source = postmortem.source_path
    echo(f"renamed postmortem {old} to {new}")
    _warn_reimport(source, old, new)


def _warn_reimport(source: str | None, old: str, new: str) -> None:
    """Import follows the rename or merge (docs/import.md); the document should say the new slug too."""
    if source:
        echo(
            f"note: {source} was imported as {old}; importing it again updates {new}: to keep them in "
            f"step, put `slug: {new}` in its front matter (or import it with --slug {new})",
            err=True,
        )


def record_postmortem(
    session: Session, postmortem: Postmortem, field: str, old: str, new: str, app: Any
) -> None:
    """A postmortem-level event in the history (no item), so `--as-of` and audits can see it."""
    from tracker.models import Event

    session.add(
        Event(
            postmortem_id=postmortem.id,
            field=field,
            old=old,
            new=new,
            source="manual",
            actor_user=app.actor.user,
            actor_host=app.actor.host,
        )
    )


def _refuse_taken(session: Session, slug: str) -> None:
    from sqlalchemy import select

    from tracker.errors import UsageError
    from tracker.models import Postmortem

    if session.scalar(select(Postmortem.id).where(Postmortem.slug == slug)) is not None:
        raise UsageError(
            f"a postmortem with slug {slug!r} already exists",
            hint=f"`tracker postmortem merge` moves the items of one postmortem into {slug}",
        )


@postmortem_group.command("merge")
@click.argument("source", metavar="FROM")
@click.argument("into", metavar="INTO")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def merge_cmd(app: AppContext, source: str, into: str, yes: bool) -> None:
    """Move every item of FROM, with its links and history, into INTO, then remove FROM.

    Example: tracker postmortem merge queue-backlog-2026-5 queue-backlog-2026-05
    """
    from sqlalchemy import select, update

    from tracker.errors import UsageError
    from tracker.items import get_postmortem
    from tracker.models import Event, ParentLink

    if source == into:
        raise UsageError("FROM and INTO are the same postmortem")
    with app.session() as session:
        old = get_postmortem(session, source)
        new = get_postmortem(session, into)
        items = list(old.items)
        taken = {i.fingerprint for i in new.items}
        clashes = [i for i in items if i.fingerprint in taken]
        if clashes:
            ids = ", ".join(f"#{i.id}" for i in clashes)
            raise UsageError(
                f"{into} already has the same item(s) as {ids} of {source}",
                hint="remove the duplicates first (`tracker edit ID --status wont_do`, or "
                "`tracker postmortem remove`), or merge the other way",
            )
        _confirm(yes, f"Move {len(items)} item(s) of {source} into {into} and remove {source}?")
        offset = len(new.items)
        for position, item in enumerate(sorted(items, key=lambda i: (i.position, i.id))):
            item.postmortem = new
            item.position = offset + position
        session.flush()
        session.execute(update(Event).where(Event.postmortem_id == old.id).values(postmortem_id=new.id))
        notes = []
        held = {
            p.target for p in session.scalars(select(ParentLink).where(ParentLink.postmortem_id == new.id))
        }
        for parent in session.scalars(select(ParentLink).where(ParentLink.postmortem_id == old.id)):
            if parent.target in held:
                notes.append(
                    f"{source}'s parent issue {parent.key or parent.url} on {parent.target} is no longer "
                    f"tracked ({into} has its own)"
                )
                session.delete(parent)
            else:
                parent.postmortem_id = new.id
        session.flush()
        record_postmortem(session, new, "merged", source, into, app)
        document = old.source_path
        session.expire(old, ["items"])
        session.delete(old)
    for note in notes:
        echo(f"note: {note}", err=True)
    echo(f"merged {source} into {into}: {len(items)} item(s) moved")
    _warn_reimport(document, source, into)


@postmortem_group.command("remove")
@click.argument("slug")
@click.option("--unlink", is_flag=True, help="Also forget links to remote issues (the issues stay open).")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def remove_cmd(app: AppContext, slug: str, unlink: bool, yes: bool) -> None:
    """Delete a postmortem with its items and their history (refused while items are linked).

    Example: tracker postmortem remove queue-backlog-2026-5 --yes
    """
    from tracker.errors import UsageError
    from tracker.items import get_postmortem
    from tracker.states import rebuild

    with app.session() as session:
        postmortem = get_postmortem(session, slug)
        items = list(postmortem.items)
        linked = [(i, link) for i in items for link in i.links]
        if linked and not unlink:
            shown = ", ".join(f"#{i.id} {link.key or link.url or link.target}" for i, link in linked[:5])
            more = f" and {len(linked) - 5} more" if len(linked) > 5 else ""
            raise UsageError(
                f"{slug} has item(s) linked to remote issues: {shown}{more}",
                hint="add --unlink to forget those links too (the remote issues are left as they are)",
            )
        question = f"Remove postmortem {slug} with {len(items)} item(s) and their history?"
        if linked:
            question = question[:-1] + f", forgetting {len(linked)} link(s) to remote issues?"
        _confirm(yes, question)
        ids = [i.id for i in items]
        for item in items:
            session.delete(item)
        session.delete(postmortem)
        session.flush()
        rebuild(session, ids)  # their stretches go, and cached trend points that counted them
    echo(
        f"removed postmortem {slug}: {len(ids)} item(s)"
        + (f", {len(linked)} link(s) forgotten" if linked else "")
    )


def _confirm(yes: bool, question: str) -> None:
    """Ask on a terminal; without one (a script), refuse unless --yes was given."""
    import sys

    from tracker.errors import UsageError

    if yes:
        return
    if not sys.stdin.isatty():
        raise UsageError("refusing to change postmortems without confirmation", hint="add --yes in scripts")
    if not click.confirm(question, err=True):
        raise click.exceptions.Exit(1)
