"""The calls `tracker digest`, `report`, `remind` make with `--notify`: plan, deliver, print, exit 1 on failure."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tracker.errors import UsageError
from tracker.notify.run import ChannelOutcome, channels, deliver, report_outcomes, text_lines

if TYPE_CHECKING:
    from tracker.app import AppContext


def notify_digest(app: AppContext, data: dict[str, Any], names: tuple[str, ...], dry_run: bool) -> None:
    from tracker.notify.plan import digest_outgoing

    chosen = [c.name for c in channels(app, names)]
    report_outcomes(deliver(app, digest_outgoing(app, data, chosen), dry_run), dry_run)


def notify_report(
    app: AppContext, report: dict[str, Any], names: tuple[str, ...], dry_run: bool, limit: int
) -> None:
    from tracker.notify.plan import report_outgoing

    chosen = [c.name for c in channels(app, names)]
    report_outcomes(deliver(app, report_outgoing(app, report, chosen, limit), dry_run), dry_run)


def remind_channels(app: AppContext, names: tuple[str, ...]) -> tuple[bool, list[str]]:
    """(post issue comments?, channels to send to) from `--notify` and `[remind] via` / `notify`."""
    via = app.config.remind.via
    chosen = list(names) or (list(app.config.remind.notify) if via != "comments" else [])
    if via == "notify" and not chosen:
        raise UsageError(
            '[remind] via = "notify" needs channels',
            hint='set [remind] notify = ["NAME"] or pass --notify NAME',
        )
    # Without any target there are no issues to comment on: the channels are the only way.
    comments = via != "notify" and (bool(app.config.targets) or not chosen)
    return comments, [c.name for c in channels(app, chosen)]


class Sent:
    """Per-channel outcomes of a run, as text lines or JSON."""

    def __init__(self, outcomes: dict[str, ChannelOutcome], dry_run: bool) -> None:
        self.outcomes = outcomes
        self.lines = text_lines(outcomes, dry_run)
        self.ok = all(o.ok for o in outcomes.values())

    def as_json(self) -> dict[str, Any]:
        return {name: outcome.to_dict() for name, outcome in self.outcomes.items()}


def notify_remind(app: AppContext, names: list[str], dry_run: bool) -> Sent:
    from tracker.notify.plan import remind_outgoing

    app.ensure_database(create=False)
    outgoing, notes = remind_outgoing(app, names, app.today())
    outcomes = deliver(app, outgoing, dry_run)
    for name in names:
        outcome = outcomes.setdefault(name, ChannelOutcome(name, app.config.notify[name].kind))
        outcome.skipped.extend(notes.get(name, []))
    return Sent(outcomes, dry_run)
