"""`[notify.NAME]` channels: validated, frozen settings for Slack, Teams and e-mail (secrets by env name)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Literal

from tracker.config_keys import check_env_names, check_table, key, table_name
from tracker.errors import ConfigError

_ADDRESS = re.compile(r"^(?:[^<>@\s][^<>]*<)?[^<>@\s]+@[^<>@\s]+>?$")


@dataclass(frozen=True)
class SlackChannel:
    """[notify.NAME]: where `tracker digest --notify NAME`, `tracker report --notify NAME` (the manager's
    summary) and `tracker remind --notify NAME` send. Secrets only through *_env keys: a literal webhook
    URL, token or password in this file is refused. docs/follow-up.md documents each key."""

    name: str = table_name()
    kind: str = key(help="slack, teams or email")
    webhook_url_env: str | None = key(
        None,
        "environment variable holding the incoming-webhook URL (any server, a local one too)",
        example="SLACK_WEBHOOK_URL",
    )
    token_env: str | None = key(
        None,
        "environment variable holding a bot token (xoxb-...): posts to `channel`, reminders as DMs",
        example="SLACK_BOT_TOKEN",
        commented=True,
    )
    channel: str | None = key(
        None, "channel ID or #name the bot posts to (with token_env)", example="C0123FOLLOW", commented=True
    )
    api_url: str = key("https://slack.com/api/", "Web API base URL (a test double)")
    timeout_seconds: int = key(15, "seconds to wait for an answer", minimum=1)
    max_attempts: int = key(3, "attempts per message: 429 (after Retry-After) and 5xx are retried", minimum=1)

    @property
    def uses_webhook(self) -> bool:
        return self.webhook_url_env is not None


@dataclass(frozen=True)
class TeamsChannel:
    name: str = table_name()
    kind: str = key(help="slack, teams or email")
    webhook_url_env: str = key(
        help="environment variable holding the Teams workflow webhook URL", example="TEAMS_WEBHOOK_URL"
    )
    timeout_seconds: int = key(15, "seconds to wait for an answer", minimum=1)
    max_attempts: int = key(3, "attempts per message: 429 (after Retry-After) and 5xx are retried", minimum=1)


@dataclass(frozen=True)
class EmailChannel:
    name: str = table_name()
    kind: str = key(help="slack, teams or email")
    smtp_host: str = key(help="SMTP server", example="smtp.acme.example")
    sender: str = key(help="sender address", example="Postmortem tracker <tracker@acme.example>", toml="from")
    smtp_port: int | None = key(None, "port; unset: 587 for starttls, 465 for tls, 25 for none", example=587)
    security: Literal["starttls", "tls", "none"] = key("starttls", "starttls, tls or none")
    username_env: str | None = key(None, "environment variable holding the SMTP login", example="SMTP_USER")
    password_env: str | None = key(
        None, "environment variable holding the SMTP password", example="SMTP_PASSWORD"
    )
    to: tuple[str, ...] = key(
        (),
        "recipients of digests and summaries; reminders go to [people] email",
        example=["eng-managers@acme.example"],
    )
    timeout_seconds: int = key(30, "seconds to wait for the server", minimum=1)
    max_attempts: int = key(3, "attempts per message (4xx replies, lost connections before DATA)", minimum=1)

    @property
    def port(self) -> int:
        return self.smtp_port or {"starttls": 587, "tls": 465}.get(self.security, 25)


NotifyChannel = SlackChannel | TeamsChannel | EmailChannel


def secret(channel: NotifyChannel, key: str) -> str:
    """The value of the environment variable a `*_env` key names; never shown in an error."""
    name = getattr(channel, key)
    value = os.environ.get(name or "", "")
    if not value:
        # Never echo the name of an unset variable: it may be a secret pasted into the *_env key.
        raise ConfigError(
            f"[notify.{channel.name}] {key}: the environment variable it names is not set",
            hint="export that variable before running tracker (its value is never printed)",
        )
    return value


def env_label(channel: NotifyChannel, key: str) -> str:
    """`$NAME` for a `*_env` key whose variable is set; otherwise the key, never the unset value."""
    name = getattr(channel, key)
    return f"${name}" if name and os.environ.get(name) else f"[notify.{channel.name}] {key}"


def build_channels(raw: Any, problems: list[str]) -> dict[str, NotifyChannel]:
    """Every `[notify.NAME]` table checked at once; problems name the table and key."""
    channels: dict[str, NotifyChannel] = {}
    if not isinstance(raw, dict):
        problems.append("[notify] must be a table of named channels")
        return channels
    for name, table in raw.items():
        where = f"notify.{name}"
        kind = table.get("kind") if isinstance(table, dict) else None
        if kind == "slack":
            values = check_table(where, table, SlackChannel, problems)
            check_env_names(where, values, problems)
            if bool(values["webhook_url_env"]) == bool(values["token_env"]):
                problems.append(f"[{where}] webhook_url_env: give webhook_url_env, or token_env and channel")
            if values["token_env"] and not values["channel"]:
                problems.append(
                    f"[{where}] channel: required with token_env (a channel ID such as C0123ABCD)"
                )
            channels[name] = SlackChannel(name=name, **values)
        elif kind == "teams":
            values = check_table(where, table, TeamsChannel, problems)
            check_env_names(where, values, problems)
            channels[name] = TeamsChannel(name=name, **values)
        elif kind == "email":
            values = check_table(where, table, EmailChannel, problems)
            check_env_names(where, values, problems)
            if bool(values["username_env"]) != bool(values["password_env"]):
                problems.append(f"[{where}] password_env: username_env and password_env go together")
            for address in [values["sender"], *values["to"]]:
                if address and not _ADDRESS.match(address):
                    problems.append(
                        f"[{where}] {'from' if address == values['sender'] else 'to'}: "
                        f"not an e-mail address: {address!r}"
                    )
            values["sender"] = values["sender"] or ""
            channels[name] = EmailChannel(name=name, **values)
        else:
            problems.append(f'[{where}] kind: must be "slack", "teams" or "email", got {kind!r}')
    return channels
