"""The one way timestamps are shown to people: a local date and time in [org] timezone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def local_datetime(value: datetime | str | None, zone: ZoneInfo, seconds: bool = False) -> str:
    """`2026-12-02 03:37` in `zone` (naive values are UTC, as the database stores them); '-' for none."""
    if value is None or value == "":
        return "-"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
