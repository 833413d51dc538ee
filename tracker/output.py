"""Render rows as an aligned text table, JSON or CSV (the shared formats of every listing command), and write files whole."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

FORMATS = ("table", "json", "csv")


def _default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=_default)


def cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(cell(v) for v in value) or "-"
    return clean(str(value), keep_style=False)


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str], max_width: int = 60) -> str:
    """A plain aligned table; long cells are cut with an ellipsis so rows stay on one line."""
    text_rows = [[_cut(cell(v), max_width) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in text_rows:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], len(value))
    lines = ["  ".join(h.upper().ljust(widths[i]) for i, h in enumerate(headers)).rstrip()]
    for row in text_rows:
        lines.append("  ".join(v.ljust(widths[i]) for i, v in enumerate(row)).rstrip())
    return "\n".join(lines)


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else _csv_value(row.get(c)) for c in columns])
    return buffer.getvalue()


def _csv_value(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "; ".join(_csv_value(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=_default)
    return cell(value)


# Our own styling (click.style, rich) is SGR only; every other control character, C1 controls and
# bidi overrides included, comes from a document or a remote and must not drive the terminal.
_SGR = r"\x1b\[[0-9;]*m"
_UNSAFE = re.compile(rf"({_SGR})|\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


_PLAIN_ASCII = bytes(range(0x20, 0x7F)) + b"\n\t"


def _shown(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str, keep_style: bool = True) -> str:
    """Text safe for a terminal: a BEL or escape sequence in a title is shown as `\\x07`, never obeyed.

    Every printer goes through this (echo, tables, errors, log lines); newlines, tabs and CRLF stay.
    """

    if text.isascii() and not text.encode("ascii").translate(None, _PLAIN_ASCII):
        # Printable ASCII, newlines and tabs pass unchanged: a byte-level check is ~20x faster than
        # the regex over a 4 MB report (and `\r`, escapes, controls still go the regex's way).
        return text

    def replace(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return match.group(1) if keep_style else ""
        return _shown(match.group(0))

    return _UNSAFE.sub(replace, text)


def echo(text: str = "", err: bool = False, nl: bool = True) -> None:
    click.echo(clean(text), err=err, nl=nl)


def fit_line(text: str, width: int | None, indent: int) -> str:
    """`text` wrapped to `width` at spaces, continuation lines indented by `indent`; None: unchanged.

    Words are never split (a URL or a key stays whole and copyable, even if it overflows).
    """
    if width is None or len(text) <= width:
        return text
    import textwrap

    lead = len(text) - len(text.lstrip(" "))
    return textwrap.fill(
        text.lstrip(" "),
        width=max(width, indent + 20),
        initial_indent=" " * lead,
        subsequent_indent=" " * indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


class CleanFormatter(logging.Formatter):
    """Log lines (warnings naming titles, remote messages) get the same cleaning as printed text."""

    def format(self, record: logging.LogRecord) -> str:
        return clean(super().format(record))


def write_file(path: Path, content: str | bytes, what: str) -> None:
    """Write `content` to `path` whole or not at all; a missing folder or a denied write names `path`."""
    from tracker.errors import InputError

    temporary = path.with_name(f".{path.name}.tracker-tmp")
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        temporary.write_bytes(data)
        temporary.replace(path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        reason = (
            "no such folder" if isinstance(exc, FileNotFoundError) else (exc.strerror or str(exc)).lower()
        )
        raise InputError(
            f"cannot write the {what} to {path}: {reason}",
            hint=f"create {path.parent} first, or choose another path",
        ) from None
