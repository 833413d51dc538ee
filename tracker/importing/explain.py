"""What a document's structure looked like to the importer: the no-items warning and `--explain` lines."""

from __future__ import annotations

from typing import Any

from tracker.importing.drafts import ParsedDocument

HINT = "name the section in [import] sections, or run `tracker import --explain FILE` to see what was read"


def empty_warning(parsed: ParsedDocument) -> str | None:
    """The warning for a document that yielded no items without saying it has none, else None."""
    if parsed.items or parsed.none_stated:
        return None
    seen = [h for h in parsed.headings if h][:12]
    headings = "; ".join(f'"{h[:50]}"' for h in seen) if seen else "none"
    more = f" (+{len(parsed.headings) - len(seen)} more)" if len(parsed.headings) > len(seen) else ""
    return f"no action items found; headings seen: {headings}{more}; {HINT}"


def explained(parsed: ParsedDocument) -> list[dict[str, Any]]:
    """Each candidate section (heading, bold label or lead-in sentence): line, text, taken, why, items."""
    rows = []
    for candidate in sorted(parsed.candidates, key=lambda c: c.line):
        count = None
        if candidate.taken:
            span = next((s for s in parsed.sections if s[0] + 1 == candidate.line), None)
            count = sum(1 for d in parsed.items if span and span[0] < d.source_line <= span[1])
        rows.append(
            {
                "line": candidate.line,
                "text": candidate.text,
                "taken": candidate.taken,
                "reason": candidate.reason,
                "items": count,
            }
        )
    return rows


def explain_lines(rows: list[dict[str, Any]]) -> list[str]:
    lines = []
    for row in rows:
        mark = "+" if row["taken"] else "-"
        items = f", {row['items']} item(s)" if row["items"] is not None else ""
        lines.append(f"    {mark} line {row['line']}: {row['text'][:70]!r}: {row['reason']}{items}")
    return lines or ["    (no headings, bold labels or lead-in sentences)"]
