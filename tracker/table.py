"""Fit a table to the terminal: width from COLUMNS or the terminal, identifiers whole, words never split."""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Callable, Sequence
from typing import IO, Any

GAP = "  "
MIN_CUT = 8  # a truncated column keeps at least this many characters before the table is split
MIN_TITLE = 24  # what the first shrinkable column keeps while the others are cut
MIN_OTHER = 12
UNLIMITED_CELL = 60  # without a known width (a pipe), long cells are still cut so rows stay readable
ELLIPSIS = "…"
SOFT_BREAKS = " -/_.,"  # a cut prefers to end after one of these rather than inside a word
# Free-text columns: always cut (after the caller's own choices) before a table is split or shown as
# records, so an item's long wording never turns a whole table into blocks (docs/cli.md, "Tables").
TEXT_COLUMNS = ("title", "item")
# Identifiers someone copies into another command or a browser (an issue key, a slug, a lint rule id,
# an owner's handle): a stub like "demo-…" is useless, so these are never cut; the table is split
# instead (docs/cli.md, "Tables").
IDENTIFIER_COLUMNS = (
    "id",
    "issue",
    "links",
    "slug",
    "postmortem",
    "earlier postmortem",
    "incident",
    "lint",
    "rule",
    "owner",
    "person",
    "team",
    "target",
    "github",
    "jira",
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# (header, plain cell text) -> a click colour name, or None for no colour.
Styler = Callable[[str, str], str | None]


def terminal_width(stream: IO[str] | None = None) -> int | None:
    """COLUMNS when set, else the terminal's width, else None (a pipe: no limit)."""
    value = os.environ.get("COLUMNS", "").strip()
    if value.isdigit() and int(value) > 0:
        return int(value)
    if _isatty(stream or sys.stdout):
        return shutil.get_terminal_size((80, 24)).columns
    return None


def use_colour(stream: IO[str] | None = None) -> bool:
    """Colour only on a terminal, never under NO_COLOR (https://no-color.org) or TERM=dumb."""
    return colour_allowed() and _isatty(stream or sys.stdout)


def colour_allowed() -> bool:
    """False under NO_COLOR (any non-empty value) or TERM=dumb, whatever the stream."""
    return not (os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb")


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def status_colour(header: str, value: str) -> str | None:
    """The colours of every table: overdue and stale in red, done in green, in progress in yellow."""
    if header in ("overdue", "days overdue"):
        return "red" if value not in ("0", "-", "") else None
    if header not in ("status", "state"):
        return None  # a title that mentions "overdue" stays plain
    if "overdue" in value or value == "STALE":
        return "red"
    if value.startswith("done") or value == "ok":
        return "green"
    if value.startswith(("in_progress", "in progress")):
        return "yellow"
    return None


def plain(value: Any) -> str:
    """One cell as one line of text: None is '-', lists are joined, whitespace is collapsed."""
    if value is None:
        return "-"
    if isinstance(value, (list, tuple)):
        return ", ".join(plain(v) for v in value) or "-"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    # Cells come from documents and remote issues: a control character (an escape sequence in a
    # title) must not reach the terminal, and would throw the widths off.
    return _CONTROL.sub("", " ".join(str(value).split()))


def truncate(text: str, width: int) -> str:
    """Cut `text` to `width` with an ellipsis, at a word boundary when one keeps half the room."""
    if len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:width]
    room = width - 1
    head = text[:room]
    if text[room] == " ":
        return head.rstrip() + ELLIPSIS
    cut = max(head.rfind(c) + (0 if c == " " else 1) for c in SOFT_BREAKS)
    if cut >= room // 2:
        head = head[:cut]
    return head.rstrip(" ,") + ELLIPSIS


def is_identifier(header: str) -> bool:
    """True for a column whose values are copied whole (docs/cli.md, "Tables"): never cut."""
    return header.lower() in IDENTIFIER_COLUMNS


def render(
    rows: Sequence[Sequence[Any]],
    headers: Sequence[str],
    *,
    width: int | None = None,
    shrink: Sequence[str] = ("title",),
    colour: bool = False,
    styler: Styler | None = status_colour,
    show_headers: bool = True,
) -> str:
    """An aligned table no wider than `width`.

    Over the width: headers wrap at spaces; the `shrink` columns (never an identifier) are cut, a
    title or item down to MIN_TITLE and the others to MIN_OTHER; still too wide, the columns are
    split into several tables that repeat the first column whole. Only when no split fits are the
    cut columns taken down to MIN_CUT (first as one table, then split), and a table that cannot fit
    even so is shown as one block of `header value` lines per row.
    """
    cells = [[plain(v) for v in row] for row in rows]
    shrink = [*shrink, *(h for h in headers if h.lower() in TEXT_COLUMNS and h not in shrink)]
    shrink = [name for name in shrink if not is_identifier(name)]
    if width is None:
        cells = [
            [
                v if is_identifier(h) else truncate(v, UNLIMITED_CELL)
                for h, v in zip(headers, row, strict=True)
            ]
            for row in cells
        ]
        return _draw(cells, list(headers), _natural(cells, headers), False, colour, styler, show_headers)
    widths = _natural(cells, headers)
    if _total(widths) <= width:
        return _draw(cells, list(headers), widths, False, colour, styler, show_headers)
    wrap = show_headers
    for hard in (False, True):
        fitted = _fitted(cells, headers, width, shrink, wrap, hard)
        if fitted is not None:
            return _draw(cells, list(headers), fitted, wrap, colour, styler, show_headers)
        chunks = _split(cells, headers, width, shrink, wrap, hard) if len(headers) > 2 else None
        if chunks is not None:
            parts = []
            for columns, chunk_widths in chunks:
                sub = [[row[i] for i in columns] for row in cells]
                sub_headers = [headers[i] for i in columns]
                parts.append(_draw(sub, sub_headers, chunk_widths, wrap, colour, styler, show_headers))
            return "\n\n".join(parts)
    return _records(cells, headers, width, colour, styler)


def _natural(cells: list[list[str]], headers: Sequence[str]) -> list[int]:
    widths = [len(h) for h in headers]
    for row in cells:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], len(value))
    return widths


def _total(widths: Sequence[int]) -> int:
    return sum(widths) + len(GAP) * max(len(widths) - 1, 0)


def _header_min(header: str, wrap: bool) -> int:
    return max((len(word) for word in header.split()), default=0) if wrap else len(header)


def _fitted(
    cells: list[list[str]],
    headers: Sequence[str],
    width: int,
    shrink: Sequence[str],
    wrap: bool,
    hard: bool,
) -> list[int] | None:
    """Column widths that fit `width` by wrapping headers and cutting the shrinkable columns, or None.

    Not `hard`: a title or item keeps MIN_TITLE and the other cut columns MIN_OTHER (a split is
    better than stubs). `hard`: then all of them down to MIN_CUT, the title last.
    """
    widths = [max([_header_min(h, wrap)] + [len(row[i]) for row in cells]) for i, h in enumerate(headers)]
    over = _total(widths) - width
    names = [name for name in shrink if name in headers and not is_identifier(name)]
    # A list of identifiers (lint rule ids, issue keys) loses whole entries, never part of one.
    lists = [h for h in headers if is_identifier(h)]
    passes: list[tuple[bool, list[str]]] = [(True, names + lists)]
    if hard:
        passes.append((False, names[1:] + names[:1]))
    for soft, order in passes:
        for name in order:
            if over <= 0:
                break
            index = list(headers).index(name)
            if is_identifier(name):
                floor = max([_header_min(name, wrap)] + [_list_floor(row[index]) for row in cells])
            else:
                readable = MIN_TITLE if name == names[0] or name.lower() in TEXT_COLUMNS else MIN_OTHER
                keep = readable if soft else MIN_CUT
                floor = max(min(widths[index], keep), _header_min(headers[index], wrap))
            give = max(min(over, widths[index] - floor), 0)
            widths[index] -= give
            over -= give
    if over > 0:
        return None
    # A cut at a word boundary can leave a column wider than what it shows: give that to the title.
    spare = 0
    for name in names + lists:
        index = list(headers).index(name)
        used = max(
            [_header_min(headers[index], wrap)] + [len(cut(name, r[index], widths[index])) for r in cells]
        )
        spare += widths[index] - used
        widths[index] = used
    if names and spare:
        index = list(headers).index(names[0])
        natural = max([len(headers[index])] + [len(r[index]) for r in cells])
        widths[index] = min(widths[index] + spare, natural)
    return widths


def cut(header: str, text: str, width: int) -> str:
    """`text` in `width`: an identifier is whole (a list of them drops whole entries), text is truncated."""
    if not is_identifier(header):
        return truncate(text, width)
    entries = text.split(", ")
    if len(text) <= width or len(entries) == 1:
        return text
    for keep in range(len(entries) - 1, 0, -1):
        shown = f"{', '.join(entries[:keep])} +{len(entries) - keep}"
        if len(shown) <= width:
            return shown
    return f"{entries[0]} +{len(entries) - 1}"


def _list_floor(text: str) -> int:
    """The narrowest an identifier cell can be: itself, or a list's first entry and `+N`."""
    entries = text.split(", ")
    return len(text) if len(entries) == 1 else len(f"{entries[0]} +{len(entries) - 1}")


def _split(
    cells: list[list[str]],
    headers: Sequence[str],
    width: int,
    shrink: Sequence[str],
    wrap: bool,
    hard: bool,
) -> list[tuple[list[int], list[int]]] | None:
    """Split the columns after the first into groups that each fit beside the first column.

    The first column ties the tables together (an id, a slug someone will type): it is whole in
    every part, cut (when it is not an identifier) only in a `hard` split.
    """
    chunks: list[tuple[list[int], list[int]]] = []
    current: list[int] = [0]
    cut = [name for name in shrink if hard or name != headers[0]]

    def fit(columns: list[int]) -> list[int] | None:
        sub = [[row[i] for i in columns] for row in cells]
        sub_headers = [headers[i] for i in columns]
        natural = _natural(sub, sub_headers)
        if _total(natural) <= width:
            return natural
        return _fitted(sub, sub_headers, width, cut, wrap, hard)

    for index in range(1, len(headers)):
        trial = [*current, index]
        if fit(trial) is None:
            if len(current) == 1:
                return None
            chunks.append((current, fit(current) or []))
            current = [0, index]
            if fit(current) is None:
                return None
        else:
            current = trial
    chunks.append((current, fit(current) or []))
    return chunks


def _wrap_header(header: str, width: int) -> list[str]:
    """Header words over as many lines as needed; a word is never broken (widths allow the longest)."""
    lines: list[str] = []
    for word in header.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _draw(
    cells: list[list[str]],
    headers: list[str],
    widths: list[int],
    wrap: bool,
    colour: bool,
    styler: Styler | None,
    show_headers: bool,
) -> str:
    lines: list[str] = []
    if show_headers:
        wrapped = [
            _wrap_header(h.upper(), w) if wrap else [h.upper()] for h, w in zip(headers, widths, strict=True)
        ]
        depth = max(len(w) for w in wrapped)
        for level in range(depth):
            parts = []
            for column, words in enumerate(wrapped):
                text = words[level] if level < len(words) else ""
                parts.append(text.ljust(widths[column]))
            lines.append(GAP.join(parts).rstrip())
    for row in cells:
        parts = []
        for column, value in enumerate(row):
            text = cut(headers[column], value, widths[column])
            padding = " " * (widths[column] - len(text))
            fg = styler(headers[column], value) if colour and styler else None
            parts.append((_style(text, fg) if fg else text) + padding)
        lines.append(GAP.join(parts).rstrip())
    return "\n".join(lines)


def _records(
    cells: list[list[str]], headers: Sequence[str], width: int, colour: bool, styler: Styler | None
) -> str:
    """One block per row: `header  value`, for a table too wide to draw as columns."""
    label = max(len(h) for h in headers)
    room = max(width - label - len(GAP), 1)
    blocks = []
    for row in cells:
        lines = []
        for header, value in zip(headers, row, strict=True):
            text = cut(header, value, room) if len(value) > room and ", " in value else truncate(value, room)
            fg = styler(header, value) if colour and styler else None
            lines.append(f"{truncate(header, width).ljust(label)}{GAP}{_style(text, fg) if fg else text}")
        blocks.append("\n".join(line.rstrip() for line in lines))
    return "\n\n".join(blocks)


def _style(text: str, fg: str) -> str:
    import click

    return click.style(text, fg=fg, bold=fg == "red")


def to_csv(rows: Sequence[Sequence[Any]], headers: Sequence[str], show_headers: bool = True) -> str:
    """The same table as CSV: full values, never cut."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if show_headers:
        writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else _csv_cell(v) for v in row])
    return buffer.getvalue()


def _csv_cell(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "; ".join(_csv_cell(v) for v in value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def echo_table(
    rows: Sequence[Sequence[Any]],
    headers: Sequence[str],
    *,
    shrink: Sequence[str] = ("title",),
    show_headers: bool = True,
) -> None:
    """Print a table fitted to this terminal (or COLUMNS), coloured only on a terminal."""
    from tracker.output import echo

    text = render(
        rows,
        headers,
        width=terminal_width(),
        shrink=shrink,
        colour=use_colour(),
        show_headers=show_headers,
    )
    echo(text)
