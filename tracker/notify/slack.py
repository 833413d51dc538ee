"""Slack: Block Kit within its limits, sent by incoming webhook or chat.postMessage (slack_sdk), and checked."""

from __future__ import annotations

import json
import logging
from typing import Any

from tracker.notify.channels import SlackChannel, env_label, secret
from tracker.notify.delivery import DeliveryError
from tracker.notify.message import Entry, Message, clip, cut, more_text

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_FALLBACK_TEXT = 3000
LINES_PER_SECTION = 15

# slack_sdk logs request URLs at DEBUG, and a webhook URL is a secret: keep its logger quiet.
_QUIET = logging.getLogger("tracker.notify.slack_sdk")
_QUIET.setLevel(logging.WARNING)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _line(entry: Entry) -> str:
    text = f"• {_escape(entry.text)}"
    if entry.url:
        text += f" <{entry.url}|{_escape(entry.label or 'issue')}>"
    return text


def _section_text(heading: str, entries: tuple[Entry, ...], empty: str, link: tuple[str, str] | None) -> str:
    """`*Heading (n)*` and its lines, cut to the line limit and to 3000 characters with "and N more"."""
    shown, left = cut(entries, LINES_PER_SECTION)
    lines = [_line(e) for e in shown] or [f"_{empty}_"]
    while True:
        tail = [f"_{_escape(more_text(left, link))}_"] if left else []
        text = "\n".join([f"*{_escape(heading)} ({len(entries)})*", *lines, *tail])
        if len(text) <= MAX_SECTION_TEXT or len(lines) <= 1:
            return clip(text, MAX_SECTION_TEXT)
        lines.pop()
        left += 1


def render(message: Message, mention: str | None = None) -> dict[str, Any]:
    """The `text` fallback (notifications, screen readers) and the blocks."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": clip(message.title, MAX_HEADER_TEXT)}}
    ]
    intro = list(message.intro)
    if mention:
        intro.insert(0, f"For {mention}")
    if intro:
        text = "\n".join(i if i.startswith("For <@") else _escape(i) for i in intro)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": clip(text, MAX_SECTION_TEXT)}})
    for section in message.sections:
        if len(blocks) >= MAX_BLOCKS - 3:
            break
        blocks.append({"type": "divider"})
        text = _section_text(section.heading, section.entries, section.empty, message.link)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    if message.link:
        label, url = message.link
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"<{url}|{_escape(label)}>"}})
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _escape(message.footer)}]})
    fallback = message.title + (f" ({mention})" if mention else "")
    return {"text": clip(fallback, MAX_FALLBACK_TEXT), "blocks": blocks[:MAX_BLOCKS]}


def _retry_after(headers: Any) -> float | None:
    for name in ("Retry-After", "retry-after"):
        value = headers.get(name) if headers else None
        if isinstance(value, list):
            value = value[0] if value else None
        if value is not None:
            try:
                return float(value)
            except ValueError:
                return None
    return None


class SlackSender:
    """One Slack channel: by webhook (any server, a local one included) or by bot token and channel."""

    def __init__(self, channel: SlackChannel) -> None:
        self.channel = channel

    def payload(self, message: Message) -> dict[str, Any]:
        person = message.recipient
        direct = person is not None and person.slack is not None and not self.channel.uses_webhook
        mention = None
        if person is not None and not direct:
            mention = f"<@{person.slack}>" if person.slack else person.name
        body = render(message, mention)
        if not self.channel.uses_webhook:
            # A bot posts a reminder to the owner's direct messages (a member ID opens the DM).
            body["channel"] = person.slack if direct and person else self.channel.channel
        return body

    def destination(self, payload: dict[str, Any]) -> str:
        if self.channel.uses_webhook:
            return f"Slack webhook {env_label(self.channel, 'webhook_url_env')}"
        return f"Slack {payload.get('channel')}"

    def preview(self, payload: dict[str, Any]) -> str:
        return json.dumps(payload, indent=2, ensure_ascii=False)

    def send(self, payload: dict[str, Any]) -> str:
        if self.channel.uses_webhook:
            return self._webhook(payload)
        return self._post(payload)

    def _webhook(self, payload: dict[str, Any]) -> str:
        from slack_sdk.webhook import WebhookClient

        client = WebhookClient(
            secret(self.channel, "webhook_url_env"),
            timeout=self.channel.timeout_seconds,
            logger=_QUIET,
            retry_handlers=[],
        )
        try:
            response = client.send_dict(payload)
        except TimeoutError as exc:
            raise DeliveryError(f"no answer from the webhook: {exc}", uncertain=True) from None
        except OSError as exc:
            raise DeliveryError(f"cannot reach the webhook: {_reason(exc)}", retryable=True) from None
        if response.status_code == 200:
            return "webhook"
        raise DeliveryError(
            f"webhook answered HTTP {response.status_code} {clip(response.body or '', 200)}",
            retryable=response.status_code == 429 or response.status_code >= 500,
            retry_after=_retry_after(response.headers),
        )

    def _client(self) -> Any:
        from slack_sdk import WebClient

        base = self.channel.api_url if self.channel.api_url.endswith("/") else self.channel.api_url + "/"
        return WebClient(
            token=secret(self.channel, "token_env"),
            base_url=base,
            timeout=self.channel.timeout_seconds,
            logger=_QUIET,
            retry_handlers=[],
        )

    def _post(self, payload: dict[str, Any]) -> str:
        from slack_sdk.errors import SlackApiError

        try:
            response = self._client().chat_postMessage(**payload)
        except SlackApiError as exc:
            status = exc.response.status_code
            error = exc.response.get("error") if hasattr(exc.response, "get") else None
            raise DeliveryError(
                f"chat.postMessage failed: HTTP {status} {error or ''}".rstrip(),
                retryable=status == 429 or status >= 500 or error == "ratelimited",
                retry_after=_retry_after(exc.response.headers),
            ) from None
        except TimeoutError as exc:
            raise DeliveryError(f"no answer from Slack: {exc}", uncertain=True) from None
        except OSError as exc:
            raise DeliveryError(f"cannot reach Slack: {_reason(exc)}", retryable=True) from None
        return f"{response.get('channel')} ts {response.get('ts')}"

    def check(self) -> tuple[list[str], list[str]]:
        """(problems, notes) without posting: auth.test for a bot, an empty payload for a webhook."""
        if self.channel.uses_webhook:
            return self._check_webhook()
        from slack_sdk.errors import SlackApiError

        try:
            answer = self._client().auth_test()
        except SlackApiError as exc:
            return [f"auth.test failed: {exc.response.get('error') or exc.response.status_code}"], []
        except OSError as exc:
            return [f"cannot reach {self.channel.api_url}: {_reason(exc)}"], []
        return [], [
            f"bot {answer.get('user')} in workspace {answer.get('team')}; posts to {self.channel.channel}"
        ]

    def _check_webhook(self) -> tuple[list[str], list[str]]:
        # Slack answers an empty text with 400 no_text when the webhook exists, and posts nothing.
        from slack_sdk.webhook import WebhookClient

        url = secret(self.channel, "webhook_url_env")
        client = WebhookClient(url, timeout=self.channel.timeout_seconds, logger=_QUIET, retry_handlers=[])
        try:
            response = client.send_dict({"text": ""})
        except OSError as exc:
            return [f"cannot reach the webhook: {_reason(exc)}"], []
        if response.status_code == 400 and "no_text" in (response.body or ""):
            return [], ["webhook exists (an empty text was refused with no_text; nothing posted)"]
        return [f"webhook answered HTTP {response.status_code} {clip(response.body or '', 100)}"], []


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    return str(reason or exc.__class__.__name__)
