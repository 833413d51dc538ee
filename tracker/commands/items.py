"""Manual item management: add, list, show, edit, done, reopen."""

from __future__ import annotations

from typing import Any

import click

from tracker.app import AppContext
from tracker.output import echo, to_json


@click.command("add")
@click.argument("title")
@click.option("--postmortem", "-p", "slug", required=True, help="Slug of the postmortem.")
@click.option("--new", "new", is_flag=True, help="Create the postmortem if no postmortem has this slug.")
@click.option("--owner", "-o", help="Owner as written: @handle, name, e-mail or team.")
@click.option(
    "--deadline",
    "-d",
    help="2026-07-15, 'July 15, 2026', 'Jul 15' (the next one from today, or from --incident-date), or TBD.",
)
@click.option("--status", "-s", default="open", show_default=True, help="open, in_progress, done or wont_do.")
@click.option(
    "--incident-date",
    type=click.DateTime(["%Y-%m-%d"]),
    metavar="DATE",
    help="Incident date (2026-06-19) of a new postmortem.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def add_cmd(
    app: AppContext,
    title: str,
    slug: str,
    owner: str | None,
    deadline: str | None,
    status: str,
    incident_date: Any,
    fmt: str,
    new: bool,
) -> None:
    """Add an action item by hand.

    An unknown slug is asked about on a terminal (no by default when it looks like a typo of an
    existing slug: the same numbers, nearly the same words). A script gets an error with "did you
    mean" for a likely typo and a new postmortem otherwise, said so on stderr. --new never asks.

    Example: tracker add "Add slow-query alerting (> 500 ms)" -p inc-214 -o @dana -d "Jul 1"
    """
    from sqlalchemy import select

    from tracker.commands.postmortems import check_new_slug
    from tracker.history import record
    from tracker.items import (
        item_to_dict,
        manual_fingerprint,
        parse_deadline_option,
        parse_status_option,
        set_deadline,
        set_owner,
        set_status,
    )
    from tracker.models import ActionItem, Postmortem

    title = " ".join(title.split())
    # Before the database is created: a slug `postmortem rename` would refuse is never created.
    slug = check_new_slug(slug)
    if not title:
        raise click.BadParameter("the title is empty", param_hint="TITLE")
    parsed_status = parse_status_option(status)
    app.ensure_database(create=True)
    with app.session() as session:
        postmortem = session.scalar(select(Postmortem).where(Postmortem.slug == slug))
        if postmortem is None:
            _may_create(session, slug, new)
            echo(f"created postmortem {slug}", err=True)
            postmortem = Postmortem(
                slug=slug,
                title=slug,
                incident_date=incident_date.date() if incident_date else None,
                services=[],
                extra={},
            )
            session.add(postmortem)
            session.flush()
        # A person typing "Jan 5" means the next Jan 5 from today, not from a years-old incident's
        # date; `--incident-date` on the same command says the items are being transcribed from it.
        reference = incident_date.date() if incident_date else app.today()
        deadline_text, deadline_date = (
            parse_deadline_option(deadline, reference) if deadline else (None, None)
        )
        fingerprint = manual_fingerprint(title)
        clash = session.scalar(
            select(ActionItem).where(
                ActionItem.postmortem_id == postmortem.id, ActionItem.fingerprint == fingerprint
            )
        )
        if clash is not None:
            from tracker.errors import UsageError

            raise UsageError(
                f"postmortem {slug!r} already has this item (id {clash.id})",
                hint=f"use `tracker edit {clash.id}`",
            )
        position = len(postmortem.items)
        item = ActionItem(
            postmortem=postmortem,
            fingerprint=fingerprint,
            position=position,
            title=title,
            title_text=title,
            status="open",
            push=True,
        )
        session.add(item)
        session.flush()
        record(session, item, "created", None, title, source="manual", actor=app.actor)
        set_owner(session, item, owner, app.resolver, source="manual", actor=app.actor)
        set_deadline(session, item, deadline_text, deadline_date, source="manual", actor=app.actor)
        set_status(session, item, parsed_status, None, source="manual", actor=app.actor)
        session.flush()
        data = item_to_dict(item, app.resolver, app.today())
    if fmt == "json":
        echo(to_json(data))
    else:
        echo(f"added item {data['id']} to {slug}: {title}")


def _may_create(session: Any, slug: str, new: bool) -> None:
    """Ask on a terminal before creating a postmortem; in a script, refuse one that looks like a typo."""
    import sys

    from sqlalchemy import select

    from tracker.errors import NotFoundError
    from tracker.models import Postmortem

    if new:
        return
    close = likely_typos(slug, list(session.scalars(select(Postmortem.slug))))
    meant = " or ".join(close)
    if sys.stdin.isatty() and sys.stderr.isatty():
        # A likely typo defaults to no; a slug like no other (a new incident) to yes.
        question = f"No postmortem {slug!r}" + (f" (did you mean {meant}?)" if close else "")
        if click.confirm(f"{question}. Create {slug!r}?", err=True, default=not close):
            return
        raise click.exceptions.Exit(1)
    if close:
        raise NotFoundError(
            f"no postmortem {slug!r}; did you mean {meant}?",
            hint=f"use -p {close[0]}, or add --new to create {slug!r}",
        )


def likely_typos(slug: str, known: list[str]) -> list[str]:
    """Existing slugs that `slug` is probably a typo of: the same numbers and nearly the same text.

    inc-2 next to inc-1 is another incident; queue-backlog-2026-5 next to queue-backlog-2026-05 is not,
    and neither is inc-1243 next to inc-1234 (two neighbouring digits swapped in a number of three or more).
    """
    import difflib
    import re

    def numbers(text: str) -> list[int]:
        return [int(n) for n in re.findall(r"\d+", text)]

    def same_numbers(mine: str, other: str) -> bool:
        mine_digits, other_digits = re.findall(r"\d+", mine), re.findall(r"\d+", other)
        if numbers(mine) == numbers(other):
            return True
        if len(mine_digits) != len(other_digits):
            return False
        differing = [(a, b) for a, b in zip(mine_digits, other_digits, strict=True) if int(a) != int(b)]
        return len(differing) == 1 and swapped_neighbours(*differing[0])

    def swapped_neighbours(a: str, b: str) -> bool:
        # Short numbers are sequential incident ids (inc-12, inc-21): a swap there is another incident.
        if len(a) != len(b) or len(a) < 3:
            return False
        spots = [i for i in range(len(a)) if a[i] != b[i]]
        return (
            len(spots) == 2
            and spots[1] == spots[0] + 1
            and a[spots[0]] == b[spots[1]]
            and a[spots[1]] == b[spots[0]]
        )

    def squashed(text: str) -> str:
        return re.sub(r"0+(\d)", r"\1", re.sub(r"[^a-z0-9]", "", text.lower()))

    found = [
        other
        for other in known
        if same_numbers(slug, other)
        and (
            squashed(other) == squashed(slug)
            or difflib.SequenceMatcher(None, slug.lower(), other.lower()).ratio() >= 0.85
        )
    ]
    return sorted(found, key=lambda other: -difflib.SequenceMatcher(None, slug, other).ratio())[:3]


@click.command("show")
@click.argument("item_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def show_cmd(app: AppContext, item_id: int, fmt: str) -> None:
    """Show one item with its links and history.

    Example: tracker show 12
    """
    from tracker.item_view import get_item_view, item_history, item_to_dict

    # SQL text on a read connection: `show` is run by hand, and importing SQLAlchemy costs more than the query.
    with app.connection() as connection:
        item = get_item_view(connection, item_id)
        data = item_to_dict(item, app.resolver, app.today())
        data["events"] = item_history(connection, item_id)
    if fmt == "json":
        echo(to_json(data))
        return
    from tracker.output import fit_line
    from tracker.table import terminal_width

    # Fitted like the tables: COLUMNS, else the terminal; a pipe gets whole lines.
    width = terminal_width()

    def say(line: str, indent: int) -> None:
        echo(fit_line(line, width, indent))

    say(f"#{data['id']}  {data['title']}", len(f"#{data['id']}  "))
    for label, key in [
        ("postmortem", "postmortem"),
        ("owner", "owner"),
        ("person", "owner_person"),
        ("deadline", "deadline"),
        ("as written", "deadline_text"),
        ("status", "status"),
    ]:
        say(f"  {label:<11} {data[key] if data[key] is not None else '-'}", 14)
    for link in data["links"]:
        say(f"  link        {link['target']}: {link['key'] or '-'} {link['url'] or ''} ({link['state']})", 14)
    if data["events"]:
        from tracker.timefmt import local_datetime

        echo(f"  history ({app.config.org.timezone}):")
        for e in data["events"]:
            when = local_datetime(e["occurred_at"], app.config.org.zone)
            say(f"    {when}  {e['source']:<8} {e['field']}: {e['old'] or '-'} -> {e['new'] or '-'}", 8)


@click.command("edit")
@click.argument("item_id", type=int)
@click.option("--title", "-t", help="New title.")
@click.option("--owner", "-o", help="New owner (empty string clears it).")
@click.option(
    "--deadline",
    "-d",
    help="2026-07-15, 'July 15, 2026', 'Jul 15' (the next one from today), TBD, or '' to clear it.",
)
@click.option("--status", "-s", help="open, in_progress, done or wont_do.")
@click.pass_obj
def edit_cmd(
    app: AppContext,
    item_id: int,
    title: str | None,
    owner: str | None,
    deadline: str | None,
    status: str | None,
) -> None:
    """Change an item's title, owner, deadline or status.

    Example: tracker edit 12 --owner @dana --deadline 2026-08-01
    """
    if title is None and owner is None and deadline is None and status is None:
        raise click.UsageError("nothing to change: give --title, --owner, --deadline or --status")
    _edit(app, (item_id,), title=title, owner=owner, deadline=deadline, status=status)


def _edit(
    app: AppContext,
    item_ids: tuple[int, ...],
    *,
    title: str | None = None,
    owner: str | None = None,
    deadline: str | None = None,
    status: str | None = None,
) -> None:
    """Apply the same change to every item in one transaction: one bad id changes nothing."""
    from tracker.items import get_item, parse_status_option

    parsed_status = parse_status_option(status) if status is not None else None
    results = []
    with app.session() as session:
        for item_id in item_ids:
            item = get_item(session, item_id)
            results.append((item_id, _apply(app, session, item, title, owner, deadline, parsed_status)))
    for item_id, changed in results:
        echo(f"item {item_id}: {'updated' if changed else 'unchanged'}")


def _apply(
    app: AppContext,
    session: Any,
    item: Any,
    title: str | None,
    owner: str | None,
    deadline: str | None,
    parsed_status: Any,
) -> bool:
    from tracker.history import apply_change
    from tracker.items import parse_deadline_option, set_deadline, set_owner, set_status

    changed = False
    if title is not None:
        clean = " ".join(title.split())
        if not clean:
            raise click.BadParameter("the title is empty", param_hint="--title")
        changed |= apply_change(session, item, "title", clean, source="manual", actor=app.actor)
    if owner is not None:
        changed |= set_owner(session, item, owner or None, app.resolver, source="manual", actor=app.actor)
    if deadline is not None:
        # Typed today: "Jan 5" is the next Jan 5 from today (documents read theirs from the incident).
        text, when = parse_deadline_option(deadline, app.today())
        changed |= set_deadline(session, item, text, when, source="manual", actor=app.actor)
    if parsed_status is not None:
        changed |= set_status(session, item, parsed_status, None, source="manual", actor=app.actor)
    return changed


@click.command("done")
@click.argument("item_ids", type=int, nargs=-1, required=True)
@click.pass_obj
def done_cmd(app: AppContext, item_ids: tuple[int, ...]) -> None:
    """Mark items done (sync closes their linked issues).

    Example: tracker done 12 13
    """
    _edit(app, item_ids, status="done")


@click.command("reopen")
@click.argument("item_ids", type=int, nargs=-1, required=True)
@click.pass_obj
def reopen_cmd(app: AppContext, item_ids: tuple[int, ...]) -> None:
    """Reopen items (sync reopens their linked issues).

    Example: tracker reopen 12
    """
    _edit(app, item_ids, status="open")
