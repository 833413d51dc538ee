"""Follow-up commands: remind (comments on overdue and approaching items, from cron) and digest (weekly)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click

from tracker.app import AppContext
from tracker.output import echo, to_json, write_file


@click.command("remind")
@click.option("--target", "-t", "targets", multiple=True, help="Only this target (repeatable).")
@click.option(
    "--dry-run", is_flag=True, help="Show the comments that would be posted; post and record nothing."
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--notify",
    "notify",
    multiple=True,
    metavar="NAME",
    help="Also message each owner on this [notify] channel.",
)
@click.pass_obj
def remind_cmd(
    app: AppContext, targets: tuple[str, ...], dry_run: bool, fmt: str, notify: tuple[str, ...]
) -> None:
    """Comment on the linked issues of items whose deadline approaches or passed, mentioning the assignee.

    Run it from cron after sync. Each reminder is recorded, so a rerun (or a run after a killed one)
    never posts the same reminder twice; overdue items are reminded again every `[remind] every_days`
    and escalated after `escalate_after_days`. Exit 1 when a comment failed, 3 when a sync holds the lease.

    Example: tracker remind --dry-run
    """
    from tracker.errors import FindingsError
    from tracker.notify.commands import notify_remind, remind_channels

    comments, channels = remind_channels(app, notify)
    if comments:
        from tracker.progress import activity
        from tracker.remind.run import run_remind

        with activity("reminding"):
            summary = run_remind(app, targets, dry_run)
    else:
        summary = {"dry_run": dry_run, "ok": True, "targets": {}, "unassigned": []}
    sent = notify_remind(app, channels, dry_run) if channels else None
    if fmt == "json":
        echo(to_json(summary if sent is None else {**summary, "notify": sent.as_json()}))
    else:
        lines = ([_text(summary)] if comments else []) + (sent.lines if sent else [])
        text = "\n".join(lines)
        if app.quiet and not dry_run:
            # cron mails any output: only what went wrong (a failed, uncertain or stopped send).
            text = "\n".join(line for line in text.splitlines() if _QUIET_KEEPS.search(line))
        if text:
            echo(text)
    if not summary["ok"] or (sent is not None and not sent.ok):
        raise FindingsError("some reminders failed", hint="see the messages above; the next run retries")


# The lines of what went wrong: remind's "NAME: failed: ...", notify's "NAME (kind): FAILED ...".
_QUIET_KEEPS = re.compile(r": (?:failed: |uncertain: |stopped: |FAILED )")


def _text(summary: dict[str, Any]) -> str:
    lines = []
    verb = "would comment" if summary["dry_run"] else "commented"
    for name, target in summary["targets"].items():
        for line in target["resolved"]:
            lines.append(f"{name}: {line}")
        for entry in target["planned"] if summary["dry_run"] else target["sent"]:
            who = f", mentioning {', '.join(entry['mentioned'])}" if entry.get("mentioned") else ""
            lines.append(f"{name}: {verb} on {entry['issue']} ({entry['kind']}, item #{entry['item']}){who}")
        for line in target["uncertain"]:
            lines.append(f"{name}: uncertain: {line}")
        for line in target["failed"]:
            lines.append(f"{name}: failed: {line}")
        if target["stopped"]:
            lines.append(f"{name}: stopped: {target['stopped']}")
    for item in summary["unassigned"]:
        to = f"; escalate to {item['escalate_to']}" if item["escalate_to"] else ""
        lines.append(
            f"unassigned: #{item['item_id']} {item['title']!r} ({item['days']} days without a person{to})"
        )
    count = sum(len(t["planned"] if summary["dry_run"] else t["sent"]) for t in summary["targets"].values())
    lines.append(f"{count} reminder(s) {'to post' if summary['dry_run'] else 'posted'}")
    return "\n".join(lines)


@click.command("digest")
@click.option("--post", is_flag=True, help="Comment it on [remind] digest_issue (once per ISO week).")
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False), help="Write it to this file.")
@click.option(
    "--notify",
    "notify",
    multiple=True,
    metavar="NAME",
    help="Send it to this [notify] channel (once per week).",
)
@click.option(
    "--dry-run", is_flag=True, help="With --notify: print exactly what would be sent; send nothing."
)
@click.pass_obj
def digest_cmd(
    app: AppContext, post: bool, output: str | None, notify: tuple[str, ...], dry_run: bool
) -> None:
    """The weekly digest in Markdown: due this week, overdue, newly done, held, still unowned.

    Without options it is printed (or written to `[remind] digest_file` when set); --post comments it
    on `[remind] digest_issue`, at most once per ISO week however often cron runs it.

    Example: tracker digest --post
    """
    from tracker.remind.digest import digest_data, post_digest, render

    app.ensure_database(create=False)
    today = app.today()
    with app.session() as session:
        data = digest_data(app, session, today)
    text = render(data, app.config.org.name)
    destination = output or (app.config.remind.digest_file if not post else None)
    if destination:
        path = Path(destination)
        if not path.is_absolute() and not output:
            path = app.config.base_dir / path
        write_file(path, text, "digest")
        echo(f"wrote the digest for {data['week']} to {path}", err=True)
    if post:
        from tracker.errors import FindingsError

        result = post_digest(app, data)
        if result["already_posted"]:
            echo(f"the digest for {data['week']} was already posted")
        for entry in result["sent"]:
            echo(f"posted the digest for {data['week']} on {entry['issue']}: {entry['comment']}")
        for line in result["resolved"] + result["uncertain"] + result["failed"]:
            echo(line)
        if not result["ok"]:
            raise FindingsError("the digest was not posted", hint="see the message above")
    elif not destination and not notify:
        echo(text.rstrip("\n"))
    if notify:
        from tracker.notify.commands import notify_digest

        notify_digest(app, data, notify, dry_run)
