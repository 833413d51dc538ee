"""Template placeholders ("[Action]", "@owner", "YYYY-MM-DD") and files in a folder that are not postmortems."""

from __future__ import annotations

import re

# A value that stands for one yet to be written: never an item, an owner or a deadline.
_PLACEHOLDER = re.compile(
    r"""^\W*(?:
        \[[^\]\n]{1,40}\]                                   # [Action], [Owner], [Date]
      | <[^<>\n]{1,60}>                                     # <describe the action>
      | \{\{[^{}\n]{1,60}\}\}                               # {{ owner }}
      | \$\{[^{}\n]{1,80}\}                                 # ${first item ...} (a template literal)
      | @?(?:owner|handle|user(?:name)?|name|person|team|assignee|someone|who)\d?   # @owner
      | y{2,4}[-/.]m{1,2}[-/.]d{1,2} | d{1,2}[-/.]m{1,2}[-/.]y{2,4} | m{1,2}/d{1,2}/y{2,4}   # YYYY-MM-DD
      | hh:mm(?::ss)? | x{1,2}:x{2}
      | (?:action|action\s+item|task|item|description|title)
      | \.{3}|…|_{3,}|-{2,}
      | (?:\.{3}|…)\s*(?:and\s+)?(?:an?other|more)(?:\s+(?:action|action\s+item|task|item|row|one)s?)?  # ... another item
    )\W*$""",
    re.IGNORECASE | re.VERBOSE,
)
_INLINE_PLACEHOLDER = re.compile(
    r"\[(?:action|owner|date|title|description|link|name|service|team|summary|impact|severity|sev|"
    r"ticket|issue|x+)[^\]\n]{0,30}\](?!\()|\{\{\s*(?:owner|date|title|action|name|due)\s*\}\}|\bYYYY-MM-DD\b|"
    r"@owner\b|@handle\b|@username\b|"
    r"<(?:describe|insert|add|owner|date|name|link|summary)[^<>\n]{0,60}>",
    re.IGNORECASE,
)
# "{link to github issues for things that would have detected this failure ...}": a template's
# instruction, in single braces, left under its heading when the write-up was filled in.
_INSTRUCTION = re.compile(r"^\{(?!\{)[^{}\n]*\s[^{}\n]*\}$")
_MD_LINK = re.compile(r"\]\(([^)\s]+\.md)(?:#[^)]*)?\)")


def is_placeholder(text: str | None) -> bool:
    """True for a value that is a template's stand-in rather than a value."""
    return bool(text) and bool(_PLACEHOLDER.match(text.strip()))  # type: ignore[union-attr]


def is_instruction(text: str) -> bool:
    """True for a paragraph that is only a template's instruction in braces ("{list things that worked}")."""
    return bool(_INSTRUCTION.match(text.strip()))


def blank_template(text: str) -> int:
    """The number of placeholders when the document reads as a blank template (three or more), else 0."""
    count = len(_INLINE_PLACEHOLDER.findall(text))
    return count if count >= 3 else 0


def index_page(text: str) -> int:
    """The number of links to other Markdown files when the document is an index of them (three or more,
    and little else: most of its non-blank lines link to one)."""
    lines = [
        line for line in text.split("\n") if line.strip() and not line.lstrip().startswith(("#", "<!--"))
    ]
    linking = [line for line in lines if _MD_LINK.search(line)]
    if len(linking) >= 3 and len(linking) * 2 >= len(lines):
        return len(linking)
    return 0


def not_a_postmortem(text: str) -> str | None:
    """Why a file found in a folder is not a postmortem (an index page, a blank template), or None."""
    links = index_page(text)
    if links:
        return f"an index page ({links} links to other documents)"
    placeholders = blank_template(text)
    if placeholders:
        return f"a blank template ({placeholders} placeholders such as [Action], @owner, YYYY-MM-DD)"
    return None
