"""Deliver messages to channels: dry-run previews, ledger claims, bounded retries, a per-channel outcome."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from tracker.errors import ConfigError, UsageError
from tracker.notify import ledger
from tracker.notify.channels import EmailChannel, NotifyChannel, SlackChannel
from tracker.notify.delivery import DeliveryError, with_retries
from tracker.notify.message import Message

if TYPE_CHECKING:
    from tracker.app import AppContext


@dataclass
class Outgoing:
    """One message for one channel and the ledger rows (keys) it settles."""

    channel: str
    message: Message
    rows: list[dict[str, Any]]
    what: str  # e.g. "the digest for 2026-W27", "dana's reminder"


@dataclass
class ChannelOutcome:
    name: str
    kind: str
    sent: list[str] = field(default_factory=list)
    planned: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # --dry-run: what would make the real run fail

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "sent": self.sent,
            "planned": self.planned,
            "skipped": self.skipped,
            "failed": self.failed,
            "uncertain": self.uncertain,
            "warnings": self.warnings,
            "ok": self.ok,
        }


def sender_for(channel: NotifyChannel) -> Any:
    if isinstance(channel, SlackChannel):
        from tracker.notify.slack import SlackSender

        return SlackSender(channel)
    if isinstance(channel, EmailChannel):
        from tracker.notify.mail import EmailSender

        return EmailSender(channel)
    from tracker.notify.teams import TeamsSender

    return TeamsSender(channel)


def channels(app: AppContext, names: tuple[str, ...] | list[str]) -> list[NotifyChannel]:
    """The named `[notify]` channels; an unknown name is a usage error naming the known ones."""
    known = app.config.notify
    for name in names:
        if name not in known:
            raise UsageError(
                f"unknown notify channel {name!r}",
                hint=f"channels in the config ([notify.NAME]): {', '.join(known) or 'none configured'}",
            )
    return [known[name] for name in dict.fromkeys(names)]


def _payload(sender: Any, message: Message, message_id: str) -> Any:
    if isinstance(sender.channel, EmailChannel):
        return sender.payload(message, message_id)
    return sender.payload(message)


def deliver(
    app: AppContext, outgoing: list[Outgoing], dry_run: bool, sleep: Callable[[float], None] = time.sleep
) -> dict[str, ChannelOutcome]:
    """Send each message at most once per ledger key; one channel failing never stops the others."""
    outcomes: dict[str, ChannelOutcome] = {}
    senders: dict[str, Any] = {}
    for out in outgoing:
        channel = app.config.notify[out.channel]
        if out.channel not in outcomes and dry_run:
            outcomes[out.channel] = ChannelOutcome(out.channel, channel.kind, warnings=unset_secrets(channel))
        outcome = outcomes.setdefault(out.channel, ChannelOutcome(out.channel, channel.kind))
        sender = senders.setdefault(out.channel, sender_for(channel))
        keys = [row["key"] for row in out.rows]
        recorded = ledger.states(app, keys)
        if keys and all(recorded.get(k) in ("sent", "sending") for k in keys):
            if any(recorded.get(k) == "sending" for k in keys):
                outcome.uncertain.append(
                    f"{out.what}: an earlier run was stopped while sending it; not sent again "
                    "(it may have arrived)"
                )
            else:
                outcome.skipped.append(f"{out.what}: already sent")
            continue
        message_id = uuid.uuid4().hex
        payload = _payload(sender, out.message, message_id)
        if dry_run:
            outcome.planned.append(
                {"what": out.what, "to": sender.destination(payload), "payload": sender.preview(payload)}
            )
            continue
        if not ledger.claim(app, out.rows, message_id):
            outcome.skipped.append(f"{out.what}: being sent by another run")
            continue
        try:
            where, attempts = with_retries(partial(sender.send, payload), channel.max_attempts, sleep)
        except DeliveryError as exc:
            if exc.uncertain:
                # Left as "sending": the next run will not send it again, and says so.
                outcome.uncertain.append(f"{out.what}: {exc.message}; not sent again (it may have arrived)")
            else:
                ledger.settle(app, message_id, "failed", exc.message)
                outcome.failed.append(f"{out.what}: {exc.message}")
            continue
        except ConfigError as exc:
            ledger.settle(app, message_id, "failed", exc.message)
            outcome.failed.append(f"{out.what}: {exc.message}")
            continue
        ledger.settle(app, message_id, "sent")
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        outcome.sent.append(f"{out.what} to {sender.destination(payload)} ({where}){tries}")
    return outcomes


def unset_secrets(channel: NotifyChannel) -> list[str]:
    """The `*_env` keys of a channel whose variable is unset: a dry run must not look like a go-ahead."""
    import os
    from dataclasses import fields

    return [
        f"[notify.{channel.name}] {f.name}: the environment variable it names is not set; "
        "the real run would fail"
        for f in fields(channel)
        if f.name.endswith("_env")
        and getattr(channel, f.name)
        and not os.environ.get(getattr(channel, f.name))
    ]


def text_lines(outcomes: dict[str, ChannelOutcome], dry_run: bool) -> list[str]:
    lines = []
    for name, outcome in outcomes.items():
        head = f"{name} ({outcome.kind})"
        lines += [f"{head}: warning: {line}" for line in outcome.warnings]
        for plan in outcome.planned:
            lines += [f"{head}: would send {plan['what']} to {plan['to']}:", plan["payload"], ""]
        lines += [f"{head}: sent {line}" for line in outcome.sent]
        lines += [f"{head}: skipped {line}" for line in outcome.skipped]
        lines += [f"{head}: uncertain: {line}" for line in outcome.uncertain]
        lines += [f"{head}: FAILED {line}" for line in outcome.failed]
        if not (outcome.planned or outcome.sent or outcome.skipped or outcome.uncertain or outcome.failed):
            lines.append(f"{head}: nothing to send")
    return lines


def report_outcomes(outcomes: dict[str, ChannelOutcome], dry_run: bool) -> None:
    """Print what happened per channel; exit 1 (FindingsError) when a channel failed."""
    from tracker.errors import FindingsError
    from tracker.output import echo

    for line in text_lines(outcomes, dry_run):
        echo(line)
    failed = [name for name, o in outcomes.items() if not o.ok]
    if failed:
        raise FindingsError(
            f"notify failed on {', '.join(failed)}",
            hint="what was sent is recorded and will not be sent again; the next run retries the rest",
        )
