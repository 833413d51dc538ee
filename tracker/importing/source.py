"""Reading documents: files, folders of *.md and standard input; binary, non-UTF-8 and huge files refused."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tracker.errors import InputError

MAX_BYTES = 2 * 1024 * 1024  # a postmortem is a few pages; anything bigger is the wrong file
STDIN = "-"


@dataclass(frozen=True)
class Source:
    """One document to import: its display name, path (None for stdin), text and content hash."""

    name: str
    path: Path | None
    text: str
    content_hash: str


def expand(paths: tuple[str, ...]) -> Iterator[tuple[str, Path | None]]:
    """(display name, path) for each document: a file, every *.md under a folder (sorted), or stdin."""
    for raw in paths:
        if raw == STDIN:
            yield "<stdin>", None
            continue
        path = Path(raw).expanduser()
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.md") if p.is_file() and not _skipped(p.relative_to(path)))
            for file in found:
                yield str(file), file
        else:
            yield str(path), path


def _skipped(relative: Path) -> bool:
    """In a folder: hidden paths, READMEs and `_template.md`-style files are not postmortems."""
    name = relative.name.lower()
    hidden = any(part.startswith(".") for part in relative.parts)
    return hidden or name.startswith("_") or name in ("readme.md", "index.md", "changelog.md", "template.md")


def _too_big(name: str, size: str) -> InputError:
    return InputError(
        f"{name}: {size} bytes is too big for a postmortem (limit {MAX_BYTES:,})",
        hint="check the path: is it really a Markdown postmortem?",
    )


def decode(data: bytes, name: str) -> str:
    """UTF-8 text, or an InputError saying why not (binary, or the line of the first bad byte)."""
    if len(data) > MAX_BYTES:
        raise _too_big(name, f"more than {MAX_BYTES:,}")
    if b"\x00" in data[:8192] or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{name}: binary file, not a Markdown document", hint="import Markdown (.md) files")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{name}:{line}: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            hint="save the document as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)",
        ) from None
    if "\x00" in text:
        raise InputError(f"{name}: binary data (NUL byte) in a Markdown document")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read(name: str, path: Path | None) -> Source:
    if path is None:
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        if not path.exists():
            raise InputError(f"{name}: no such file or folder")
        if not path.is_file():
            raise InputError(f"{name}: not a regular file")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise _too_big(name, f"{size:,}")
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise InputError(f"{name}: cannot read: {exc.strerror}") from None
    text = decode(data, name)
    return Source(name, path, text, hashlib.sha256(data).hexdigest())
