"""Table cells for people: titled sections, shares ("2 of 3", "67% (2/3)"), figures as strings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tracker.report.shape import Figures


@dataclass
class Section:
    """A titled table; `note` is a line under it (rows left out, nothing to show)."""

    key: str
    title: str
    headers: list[str]
    rows: list[list[str]]
    note: str | None = None
    data: Sequence[Any] = field(default_factory=list)  # the figures behind the rows (charts)


SMALL = 5  # a rate over fewer items than this is shown as the fraction ("0 of 1"), never a percentage


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def rate(part: int, whole: int) -> str:
    """A share for people: "2 of 3" under SMALL items, "67% (2/3)" from there on, "-" over nothing."""
    if not whole:
        return "-"
    if whole < SMALL:
        return f"{part} of {whole}"
    return f"{part * 100 / whole:.0f}% ({part}/{whole})"


def completion(f: Figures) -> str:
    """Done out of the committed items (won't do left out)."""
    return rate(f["done"], f["total"] - f["wont_do"])


def number(value: Any) -> str:
    return "-" if value is None else str(value)


def figure_cells(f: Figures) -> list[str]:
    on_time = rate(f["on_time"], f["on_time_base"])
    slips = f"{f['items_slipped']}/{f['deadline_slips']}/{f['slip_days']}" if f["deadline_slips"] else "0"
    return [
        str(f["total"]),
        str(f["done"]),
        str(f["in_progress"]),
        str(f["open"]),
        str(f["wont_do"]),
        str(f["closed_by_bot"]),
        completion(f),
        on_time,
        slips,
        str(f["overdue"]),
        number(f["median_days_to_done"]),
    ]


def more_note(rows: list[Any], limit: int, what: str, total: int | None = None) -> str | None:
    """The line under a list cut at `limit` rows (`total`: how many there are when `rows` is capped too)."""
    count = len(rows) if total is None else total
    if not count:
        return f"no {what}"
    if count > min(limit, len(rows)):
        where = "JSON has them all" if count == len(rows) else f"JSON lists the first {len(rows)}"
        return f"{count - min(limit, len(rows))} more not shown ({where})"
    return None
