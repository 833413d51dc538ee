"""`tracker check` for [notify] channels: credentials and reachability, without sending a message."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tracker.errors import TrackerError
from tracker.notify.run import channels, sender_for

if TYPE_CHECKING:
    from tracker.app import AppContext


def check_channels(app: AppContext, names: tuple[str, ...]) -> list[dict[str, Any]]:
    """One result per channel, shaped like a target's check result (`target` holds the channel name)."""
    results = []
    for channel in channels(app, names or tuple(app.config.notify)):
        try:
            problems, notes = sender_for(channel).check()
        except TrackerError as exc:  # an unset environment variable
            problems, notes = [exc.message], []
        results.append(
            {
                "target": f"notify.{channel.name}",
                "kind": channel.kind,
                "ok": not problems,
                "problems": problems,
                "warnings": [],
                "notes": notes,
            }
        )
    return results
