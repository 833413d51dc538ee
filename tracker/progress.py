"""What the tool is waiting for on the network: a spinner on a terminal, plain lines under cron.

Backends call `request` before each attempt and `waiting` before each sleep (a retry's backoff, a
rate limit's Retry-After); both cost nothing when no command is listening. A command that talks to a
remote wraps its work in `activity(...)`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Listener = Callable[[str, bool], None]  # (what, is_a_wait)

_listeners: list[Listener] = []


def request(service: str, what: str, attempt: int = 1) -> None:
    """A request is about to be sent (shown on a terminal only: cron needs no line per request)."""
    if _listeners:
        suffix = f" (attempt {attempt})" if attempt > 1 else ""
        _emit(f"{service}: {what}{suffix}", False)


def waiting(what: str, seconds: float, reason: str) -> None:
    """The tool is about to sleep before trying again: said on a terminal and under cron alike.

    `reason` names the service ("GitHub answered 503 (attempt 1 of 3)").
    """
    if _listeners:
        # The reason and the wait first: on a narrow terminal the spinner's line is cut at its end.
        _emit(f"{reason}; retrying in {seconds:.1f} s: {what}", True)


def _emit(message: str, wait: bool) -> None:
    for listener in list(_listeners):
        listener(message, wait)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


@contextmanager
def activity(title: str, terminal: bool | None = None) -> Iterator[Callable[[str], None]]:
    """A spinner naming what is being waited for on a terminal; without one, a line per wait.

    Yields a function that changes the spinner's title (e.g. the target being synced).
    """
    on_terminal = _stderr_is_terminal() if terminal is None else terminal
    if not on_terminal:
        from tracker.output import echo

        def plain(message: str, wait: bool) -> None:
            if wait:
                echo(f"waiting: {message}", err=True)

        with listening(plain):
            yield lambda _title: None
        return
    from rich.console import Console
    from rich.status import Status

    state: dict[str, Any] = {"title": title, "detail": ""}
    status = Status(title, console=Console(stderr=True), spinner="dots")

    def show() -> None:
        detail = f"  {state['detail']}" if state["detail"] else ""
        status.update(f"{state['title']}{detail}")

    def on_event(message: str, _wait: bool) -> None:
        state["detail"] = message
        show()

    def retitle(new: str) -> None:
        state["title"] = new
        show()

    with status, listening(on_event):
        yield retitle


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False
