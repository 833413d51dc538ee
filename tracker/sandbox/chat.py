"""Loopback fake Slack (incoming webhooks, chat.postMessage, auth.test) and Teams workflow webhooks.

It records every accepted payload and refuses the ones the services refuse: Block Kit limits (50
blocks, 3000 characters per section text, 150 per header) and the Adaptive Card envelope a Teams
workflow expects (a message with one card attachment, `$schema`, `version`, typed body elements).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tracker.sandbox.server_base import LoopbackServer

BLOCK_TYPES = {"header", "section", "divider", "context", "actions", "image", "rich_text"}
CARD_VERSIONS = {"1.0", "1.1", "1.2", "1.3", "1.4", "1.5"}
CARD_ELEMENTS = {"TextBlock", "ColumnSet", "Container", "FactSet", "Image", "RichTextBlock", "ActionSet"}
TEAMS_MAX_BYTES = 28_000
BOT_TOKEN = "xoxb-sandbox-token"  # the only token auth.test and chat.postMessage accept


def block_kit_problems(payload: dict[str, Any]) -> list[str]:
    """What Slack refuses in a message payload (invalid_blocks / no_text)."""
    blocks = payload.get("blocks")
    if not payload.get("text") and not blocks:
        return ["no_text"]
    problems = []
    if len(str(payload.get("text") or "")) > 40_000:
        problems.append("text longer than 40000 characters")
    if blocks is None:
        return problems
    if not isinstance(blocks, list) or len(blocks) > 50:
        return [*problems, "more than 50 blocks"]
    for index, block in enumerate(blocks):
        kind = block.get("type")
        if kind not in BLOCK_TYPES:
            problems.append(f"block {index}: unknown type {kind!r}")
        text = block.get("text") or {}
        if kind == "section":
            if text.get("type") not in ("mrkdwn", "plain_text") or not text.get("text"):
                problems.append(f"block {index}: section without text")
            elif len(text["text"]) > 3000:
                problems.append(f"block {index}: section text longer than 3000 characters")
        if kind == "header" and (text.get("type") != "plain_text" or len(text.get("text", "")) > 150):
            problems.append(f"block {index}: header must be plain_text of at most 150 characters")
        if kind == "context" and not 1 <= len(block.get("elements") or []) <= 10:
            problems.append(f"block {index}: context needs 1 to 10 elements")
    return problems


def adaptive_card_problems(payload: dict[str, Any], size: int) -> list[str]:
    """What a Teams workflow webhook ("Post card in a chat or channel") cannot render."""
    if size > TEAMS_MAX_BYTES:
        return [f"payload of {size} bytes exceeds Teams' {TEAMS_MAX_BYTES}"]
    if payload.get("type") != "message":
        return ["type must be 'message'"]
    attachments = payload.get("attachments")
    if not isinstance(attachments, list) or len(attachments) != 1:
        return ["exactly one attachment expected"]
    attachment = attachments[0]
    if attachment.get("contentType") != "application/vnd.microsoft.card.adaptive":
        return ["contentType must be application/vnd.microsoft.card.adaptive"]
    card = attachment.get("content") or {}
    problems = []
    if card.get("type") != "AdaptiveCard":
        problems.append("content.type must be AdaptiveCard")
    if card.get("$schema") != "http://adaptivecards.io/schemas/adaptive-card.json":
        problems.append("content.$schema missing")
    if card.get("version") not in CARD_VERSIONS:
        problems.append(f"content.version {card.get('version')!r} is not one Teams renders")
    for index, element in enumerate(card.get("body") or []):
        if element.get("type") not in CARD_ELEMENTS:
            problems.append(f"body[{index}]: unknown element {element.get('type')!r}")
        elif element["type"] == "TextBlock" and not isinstance(element.get("text"), str):
            problems.append(f"body[{index}]: TextBlock without text")
    for index, action in enumerate(card.get("actions") or []):
        if action.get("type") == "Action.OpenUrl" and not action.get("url"):
            problems.append(f"actions[{index}]: Action.OpenUrl without url")
    if not card.get("body"):
        problems.append("content.body is empty")
    return problems


@dataclass
class Fault:
    path: str  # a substring of the request path
    status: int
    body: str = ""
    retry_after: int | None = None
    times: int = 1
    delay: float = 0.0  # answer after this long (the request is recorded first: it "arrived")


@dataclass
class Received:
    service: str  # slack-webhook slack-api teams
    path: str
    payload: dict[str, Any]
    at: float = field(default_factory=time.time)


class FakeChat:
    """One loopback server for both services; URLs from `slack_webhook_url()`, `api_url`, `teams_webhook_url()`."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refused: list[tuple[str, list[str]]] = []
        self.requests: list[str] = []
        self.faults: list[Fault] = []
        self.lock = threading.Lock()
        self._server: LoopbackServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def slack_webhook_url(self, name: str = "T0001/B0001/sandbox") -> str:
        return f"{self.url}/services/{name}"

    def teams_webhook_url(self, name: str = "sandbox") -> str:
        return f"{self.url}/workflows/{name}/triggers/manual/paths/invoke?api-version=1&sig=sandbox"

    def fail(self, path: str, status: int, body: str = "", **options: Any) -> None:
        with self.lock:
            self.faults.append(Fault(path, status, body, **options))

    def messages(self, service: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [r.payload for r in self.received if service is None or r.service == service]

    def start(self) -> FakeChat:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                fake.handle(self, raw)

        self._server = LoopbackServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.path in path and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def handle(self, handler: BaseHTTPRequestHandler, raw: bytes) -> None:
        path = handler.path
        with self.lock:
            self.requests.append(path)
        try:
            payload = json.loads(raw or b"{}")
        except ValueError:
            payload = None
        if path.startswith("/api/"):
            self._slack_api(handler, path[len("/api/") :].split("?")[0], payload)
            return
        service = "slack-webhook" if path.startswith("/services/") else "teams"
        if not (path.startswith("/services/") or path.startswith("/workflows/")):
            self._answer(handler, 404, "no_service")
            return
        if not isinstance(payload, dict):
            self._answer(handler, 400, "invalid_payload")
            return
        problems = (
            block_kit_problems(payload)
            if service == "slack-webhook"
            else adaptive_card_problems(payload, len(raw))
        )
        if problems:
            with self.lock:
                self.refused.append((service, problems))
            status, body = (400, "no_text") if problems == ["no_text"] else (400, "invalid_blocks")
            self._answer(handler, status, body if service == "slack-webhook" else "; ".join(problems))
            return
        fault = self._fault(path)
        if fault and fault.delay:
            self._record(service, path, payload)  # it arrived; only the answer is late
            time.sleep(fault.delay)
        if fault and fault.status >= 300:
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            self._answer(handler, fault.status, fault.body or "error", headers)
            return
        if not (fault and fault.delay):
            self._record(service, path, payload)
        self._answer(
            handler, 200 if service == "slack-webhook" else 202, "ok" if service == "slack-webhook" else ""
        )

    def _record(self, service: str, path: str, payload: dict[str, Any]) -> None:
        with self.lock:
            self.received.append(Received(service, path, payload))

    def _slack_api(self, handler: BaseHTTPRequestHandler, method: str, payload: Any) -> None:
        if handler.headers.get("Authorization") != f"Bearer {BOT_TOKEN}":
            self._json(handler, 200, {"ok": False, "error": "invalid_auth"})
            return
        if method == "auth.test":
            self._json(
                handler,
                200,
                {
                    "ok": True,
                    "url": "https://sandbox.slack.com/",
                    "team": "Sandbox",
                    "user": "tracker",
                    "team_id": "T0001",
                    "user_id": "U0BOT",
                    "bot_id": "B0001",
                },
            )
            return
        if method != "chat.postMessage":
            self._json(handler, 404, {"ok": False, "error": "unknown_method"})
            return
        payload = payload if isinstance(payload, dict) else {}
        channel = str(payload.get("channel") or "")
        problems = block_kit_problems(payload)
        if not channel:
            problems.insert(0, "channel_not_found")
        if problems:
            with self.lock:
                self.refused.append(("slack-api", problems))
            error = problems[0] if problems[0] in ("no_text", "channel_not_found") else "invalid_blocks"
            self._json(handler, 200, {"ok": False, "error": error})
            return
        fault = self._fault("/api/" + method)
        if fault and fault.delay:
            self._record("slack-api", method, payload)
            time.sleep(fault.delay)
        if fault and fault.status >= 300:
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            error = "ratelimited" if fault.status == 429 else "internal_error"
            self._json(handler, fault.status, {"ok": False, "error": error}, headers)
            return
        if not (fault and fault.delay):
            self._record("slack-api", method, payload)
        posted = "D" + channel[1:] if channel.startswith("U") else channel
        self._json(
            handler,
            200,
            {
                "ok": True,
                "channel": posted,
                "ts": f"{time.time():.6f}",
                "message": {"text": payload.get("text"), "blocks": payload.get("blocks")},
            },
        )

    def _json(
        self, handler: BaseHTTPRequestHandler, status: int, data: Any, headers: dict[str, str] | None = None
    ) -> None:
        self._answer(handler, status, json.dumps(data), headers, "application/json; charset=utf-8")

    def _answer(
        self,
        handler: BaseHTTPRequestHandler,
        status: int,
        body: str,
        headers: dict[str, str] | None = None,
        content_type: str = "text/plain; charset=utf-8",
    ) -> None:
        data = body.encode()
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)
