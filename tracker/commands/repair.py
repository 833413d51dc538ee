"""Repair commands: doctor (drift between database and remotes, read-only), unlink and relink."""

from __future__ import annotations

from typing import Any

import click

from tracker.app import AppContext
from tracker.output import echo, to_json


@click.command("doctor")
@click.option("--target", "-t", "targets", multiple=True, help="Only this target (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def doctor_cmd(app: AppContext, targets: tuple[str, ...], fmt: str) -> None:
    """Fetch every linked issue and report drift from the database, writing nothing.

    Reports deleted, moved, reassigned, won't-do, bot-closed, status, due-date, title and
    tracker-label drift. Exit 0 when nothing drifted, 1 otherwise.

    Example: tracker doctor --target platform
    """
    from tracker.errors import FindingsError
    from tracker.progress import activity
    from tracker.repair import doctor

    gone = unconfigured_targets(app)
    if fmt != "json":
        for entry in gone:  # said here, once, rather than as a stale-sync warning on every report
            echo(
                f"note: target {entry['target']} is no longer configured; {entry['links']} link(s) to it are "
                "kept but not checked, synced or counted as stale"
            )
    with activity("fetching linked issues"):
        report = doctor(app, targets)
    if fmt == "json":
        echo(to_json({**report.to_dict(), "unconfigured_targets": gone}))
    else:
        for drift in report.drift:
            echo(f"#{drift.item} {drift.key or '?'} ({drift.target}): {drift.kind}: {drift.detail}")
        for problem in report.problems:
            echo(f"problem: {problem}")
        echo(f"{report.checked} link(s) checked, {len(report.drift)} drift(s)")
    if report.drift or report.problems:
        raise FindingsError(
            f"{len(report.drift)} drift(s), {len(report.problems)} target problem(s)",
            hint="`tracker sync` pulls remote changes; `tracker unlink` / `tracker relink` repair a link",
        )


def unconfigured_targets(app: AppContext) -> list[dict[str, Any]]:
    """Targets the database knows (links, sync state) that the config no longer names."""
    from sqlalchemy import func, select

    from tracker.models import Link, TargetState

    with app.session() as session:
        links = dict(session.execute(select(Link.target, func.count()).group_by(Link.target)).all())
        known = set(links) | set(session.scalars(select(TargetState.target)))
    return [
        {"target": name, "links": int(links.get(name, 0))} for name in sorted(known - set(app.config.targets))
    ]


@click.command("unlink")
@click.argument("item_id", metavar="ITEM", type=int)
@click.option("--target", "-t", help="The target whose link to remove (when the item has several).")
@click.pass_obj
def unlink_cmd(app: AppContext, item_id: int, target: str | None) -> None:
    """Detach an item from its issue; sync will neither recreate nor re-adopt it.

    Example: tracker unlink 12 --target platform
    """
    from tracker.repair import unlink

    echo(unlink(app, item_id, target))


@click.command("relink")
@click.argument("item_id", metavar="ITEM", type=int)
@click.argument("url", metavar="URL")
@click.option("--target", "-t", help="The target the issue belongs to (default: the first that knows it).")
@click.pass_obj
def relink_cmd(app: AppContext, item_id: int, url: str, target: str | None) -> None:
    """Link an item to an existing issue by URL or key (refused if another item holds it).

    Example: tracker relink 12 https://github.com/acme/platform/issues/40
    """
    from tracker.progress import activity
    from tracker.repair import relink

    with activity(f"looking up {url}"):
        message = relink(app, item_id, url, target)
    echo(message)
