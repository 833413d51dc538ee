"""`[notify.NAME]` channels: validated, frozen settings for Slack, Teams and e-mail (secrets by env name)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from tracker import config_schema as schema
from tracker.config import check_env_names
from tracker.errors import ConfigError

_ADDRESS = re.compile(r"^(?:[^<>@\s][^<>]*<)?[^<>@\s]+@[^<>@\s]+>?$")


@dataclass(frozen=True)
class SlackChannel:
    name: str
    kind: str
    webhook_url_env: str | None = None
    token_env: str | None = None
    channel: str | None = None
    api_url: str = "https://slack.com/api/"
    timeout_seconds: int = 15
    max_attempts: int = 3

    @property
    def uses_webhook(self) -> bool:
        return self.webhook_url_env is not None


@dataclass(frozen=True)
class TeamsChannel:
    name: str
    kind: str
    webhook_url_env: str
    timeout_seconds: int = 15
    max_attempts: int = 3


@dataclass(frozen=True)
class EmailChannel:
    name: str
    kind: str
    smtp_host: str
    sender: str
    smtp_port: int | None = None
    security: str = "starttls"
    username_env: str | None = None
    password_env: str | None = None
    to: tuple[str, ...] = ()
    timeout_seconds: int = 30
    max_attempts: int = 3

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
    from tracker.config import _section

    channels: dict[str, NotifyChannel] = {}
    if not isinstance(raw, dict):
        problems.append("[notify] must be a table of named channels")
        return channels
    for name, table in raw.items():
        where = f"notify.{name}"
        kind = table.get("kind") if isinstance(table, dict) else None
        if kind == "slack":
            values = _section(where, table, schema.NOTIFY_SLACK, problems)
            check_env_names(where, values, problems)
            if bool(values["webhook_url_env"]) == bool(values["token_env"]):
                problems.append(f"[{where}] webhook_url_env: give webhook_url_env, or token_env and channel")
            if values["token_env"] and not values["channel"]:
                problems.append(
                    f"[{where}] channel: required with token_env (a channel ID such as C0123ABCD)"
                )
            channels[name] = SlackChannel(name=name, **values)
        elif kind == "teams":
            values = _section(where, table, schema.NOTIFY_TEAMS, problems)
            check_env_names(where, values, problems)
            channels[name] = TeamsChannel(name=name, **values)
        elif kind == "email":
            values = _section(where, table, schema.NOTIFY_EMAIL, problems)
            check_env_names(where, values, problems)
            if bool(values["username_env"]) != bool(values["password_env"]):
                problems.append(f"[{where}] password_env: username_env and password_env go together")
            for address in [values["from"], *values["to"]]:
                if address and not _ADDRESS.match(address):
                    problems.append(
                        f"[{where}] {'from' if address == values['from'] else 'to'}: "
                        f"not an e-mail address: {address!r}"
                    )
            sender = values.pop("from") or ""
            values["to"] = tuple(values["to"])
            channels[name] = EmailChannel(name=name, sender=sender, **values)
        else:
            problems.append(f'[{where}] kind: must be "slack", "teams" or "email", got {kind!r}')
        for key in ("timeout_seconds", "max_attempts"):
            value = table.get(key) if isinstance(table, dict) else None
            if isinstance(value, int) and value < 1:
                problems.append(f"[{where}] {key}: must be 1 or more, got {value}")
    return channels
