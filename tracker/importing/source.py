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


@dataclass(frozen=True)
class Skipped:
    """A file found in a folder and not imported, with the reason shown to the user."""

    name: str
    reason: str


def expand(paths: tuple[str, ...], skipped: list[Skipped] | None = None) -> Iterator[tuple[str, Path | None]]:
    """(display name, path) for each document: a file, every *.md under a folder (sorted), or stdin. Files
    in a folder that are not postmortems (READMEs, index pages, blank templates) are left out and, when
    `skipped` is given, listed there with the reason."""
    for raw in paths:
        if raw == STDIN:
            yield "<stdin>", None
            continue
        path = Path(raw).expanduser()
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*.md") if p.is_file()):
                reason = _skip_reason(file.relative_to(path)) or _content_reason(file)
                if reason is None:
                    yield str(file), file
                elif skipped is not None and not reason.startswith("hidden"):
                    skipped.append(Skipped(str(file), reason))
        else:
            yield str(path), path


def _skip_reason(relative: Path) -> str | None:
    """In a folder: hidden paths, READMEs, index pages and `_template.md`-style files are not postmortems."""
    name = relative.name.lower()
    if any(part.startswith(".") for part in relative.parts):
        return "hidden"
    if name in ("readme.md", "changelog.md", "contributing.md", "license.md"):
        return f"a {relative.stem} file, not a postmortem"
    if name in ("index.md", "_index.md", "summary.md", "toc.md"):
        return "an index page (by its name)"
    if relative.stem.lower().endswith("template") or relative.stem.lower().startswith("template"):
        return "a template (by its name)"
    if name.startswith("_"):
        return "its name starts with _"
    return None


def _content_reason(path: Path) -> str | None:
    """An index page or a blank template, judged by what the file says; unreadable files are imported
    (and then reported with their own error)."""
    from tracker.importing.placeholders import not_a_postmortem

    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    reason = not_a_postmortem(text)
    if reason is not None and reason.startswith("a blank template"):
        from tracker.errors import TrackerError
        from tracker.importing.parser import parse_document

        try:
            if parse_document(text, str(path)).items:
                return None  # a postmortem written from the template, with a few stand-ins left in
        except TrackerError:
            return None
    return reason


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
