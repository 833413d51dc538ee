"""A channel-neutral message (title, figures, sections of linked lines) and how long lists are cut."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    """One line of a list: plain text, optionally with a link (an issue) shown after it."""

    text: str
    url: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class Section:
    heading: str
    entries: tuple[Entry, ...] = ()
    empty: str = "none"


@dataclass(frozen=True)
class Recipient:
    """The person a reminder is for, as `[people]` knows them."""

    handle: str
    name: str
    slack: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Attachment:
    filename: str
    mime: str  # e.g. text/html
    content: str


@dataclass(frozen=True)
class Message:
    """What is said, before any channel formats it."""

    kind: str  # digest report remind
    title: str
    intro: tuple[str, ...] = ()
    sections: tuple[Section, ...] = ()
    link: tuple[str, str] | None = None  # (label, url): the full report, shown with "and N more"
    attachments: tuple[Attachment, ...] = ()
    recipient: Recipient | None = None
    footer: str = "Sent by tracker."
    subject: str = ""

    @property
    def mail_subject(self) -> str:
        return self.subject or self.title


def cut(entries: tuple[Entry, ...], limit: int) -> tuple[tuple[Entry, ...], int]:
    """At most `limit` entries, and how many were left out (said as "and N more")."""
    if len(entries) <= limit:
        return entries, 0
    return entries[:limit], len(entries) - limit


def more_text(count: int, link: tuple[str, str] | None) -> str:
    return f"and {count} more" + (f" ({link[0]}: {link[1]})" if link else "")


_LINE = re.compile(r"^- (?P<text>.*?)(?: \(\[(?P<label>[^\]]+)\]\((?P<url>[^)\s]+)\)\))?$")


def entry_from_markdown(line: str) -> Entry:
    """A digest line (`- #12 Title (slug, owner, due ...) ([KEY](url))`) as text and its issue link."""
    found = _LINE.match(line.strip())
    if not found:
        return Entry(line.strip().lstrip("- "))
    return Entry(found["text"], found["url"], found["label"])


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"
