"""Microsoft Teams: an Adaptive Card posted to a workflow webhook, kept under Teams' 28 KB message limit."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from tracker.notify.channels import TeamsChannel, env_label, secret
from tracker.notify.delivery import DeliveryError
from tracker.notify.message import Entry, Message, Section, clip, cut, more_text

CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.4"  # the highest version Teams renders on every client (desktop, web, mobile)
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MAX_PAYLOAD_BYTES = 28_000
LINES_PER_SECTION = 15


def _md(text: str) -> str:
    # TextBlock markdown: keep brackets from turning item titles into links.
    return text.replace("[", "(").replace("]", ")")


def _line(entry: Entry) -> str:
    link = f" [{_md(entry.label or 'issue')}]({entry.url})" if entry.url else ""
    return f"- {_md(entry.text)}{link}"


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _section(section: Section, limit: int, link: tuple[str, str] | None) -> list[dict[str, Any]]:
    shown, left = cut(section.entries, limit)
    lines = [_line(e) for e in shown] or [f"_{section.empty}_"]
    if left:
        lines.append(f"_{more_text(left, link)}_")
    return [
        _text(f"{section.heading} ({len(section.entries)})", weight="Bolder", spacing="Medium"),
        _text("\n".join(lines)),
    ]


def render(message: Message, limit: int = LINES_PER_SECTION) -> dict[str, Any]:
    """The workflow webhook payload: a message with one Adaptive Card attachment, cut to fit."""
    while True:
        body: list[dict[str, Any]] = [_text(clip(message.title, 300), size="Large", weight="Bolder")]
        person = message.recipient
        intro = ([f"For {person.name}"] if person else []) + list(message.intro)
        if intro:
            body.append(_text("\n\n".join(_md(i) for i in intro)))
        for section in message.sections:
            body.extend(_section(section, limit, message.link))
        body.append(_text(message.footer, isSubtle=True, size="Small"))
        card: dict[str, Any] = {
            "$schema": CARD_SCHEMA,
            "type": "AdaptiveCard",
            "version": CARD_VERSION,
            "body": body,
        }
        if message.link:
            card["actions"] = [{"type": "Action.OpenUrl", "title": message.link[0], "url": message.link[1]}]
        payload = {
            "type": "message",
            "attachments": [{"contentType": CARD_CONTENT_TYPE, "contentUrl": None, "content": card}],
        }
        if len(json.dumps(payload).encode()) <= MAX_PAYLOAD_BYTES or limit <= 1:
            return payload
        limit = max(1, limit // 2)


class TeamsSender:
    def __init__(self, channel: TeamsChannel) -> None:
        self.channel = channel

    def payload(self, message: Message) -> dict[str, Any]:
        return render(message)

    def destination(self, payload: dict[str, Any]) -> str:
        return f"Teams workflow webhook {env_label(self.channel, 'webhook_url_env')}"

    def preview(self, payload: dict[str, Any]) -> str:
        return json.dumps(payload, indent=2, ensure_ascii=False)

    def send(self, payload: dict[str, Any]) -> str:
        request = urllib.request.Request(
            secret(self.channel, "webhook_url_env"),
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.channel.timeout_seconds) as answer:
                return f"webhook HTTP {answer.status}"
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace")
            retry = exc.headers.get("Retry-After") if exc.headers else None
            raise DeliveryError(
                f"webhook answered HTTP {exc.code} {clip(body, 200)}",
                retryable=exc.code == 429 or exc.code >= 500,
                retry_after=_seconds(retry),
            ) from None
        except TimeoutError as exc:
            raise DeliveryError(f"no answer from the webhook: {exc}", uncertain=True) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise DeliveryError("no answer from the webhook", uncertain=True) from None
            raise DeliveryError(f"cannot reach the webhook: {exc.reason}", retryable=True) from None

    def check(self) -> tuple[list[str], list[str]]:
        """The URL is set and well formed, and its server accepts a connection; nothing is posted
        (a workflow runs on any POST, so there is no request that validates without sending)."""
        parts = urlsplit(secret(self.channel, "webhook_url_env"))
        if parts.scheme not in ("https", "http") or not parts.hostname:
            return ["the webhook URL is not an http(s) URL"], []
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            socket.create_connection((parts.hostname, port), timeout=self.channel.timeout_seconds).close()
        except OSError as exc:
            return [f"cannot connect to the webhook's server {parts.hostname}:{port}: {exc}"], []
        notes = [f"webhook server {parts.hostname}:{port} accepts connections (nothing posted)"]
        if parts.scheme != "https":
            notes.append("the webhook URL is plain http")
        return [], notes


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
