"""Render findings as text (`file:line: rule: message`), JSON, Markdown or GitHub Actions annotations."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

from tracker.lint.model import Finding, Severity

FORMATS = ("text", "json", "markdown", "github")


def location(finding: Finding) -> str:
    """`path:line` for a document, `slug#item` for a database item without a source path."""
    if finding.path:
        return f"{finding.path}:{finding.line}" if finding.line else finding.path
    where = finding.postmortem or "-"
    return f"{where}#{finding.item}" if finding.item is not None else where


def summary(findings: Sequence[Finding], checked: int) -> str:
    counts = Counter(f.severity for f in findings)
    flagged = len({(f.path, f.postmortem, f.line, f.item) for f in findings})
    parts = [
        f"{counts[s]} {s.value}{'s' if counts[s] != 1 and s is not Severity.INFO else ''}" for s in Severity
    ]
    return f"{', '.join(parts)} on {flagged} of {checked} item(s) checked"


def to_text(findings: Sequence[Finding], checked: int) -> str:
    """`path:line: rule: message` per finding, then each rule's fix once, then a summary line."""
    lines = [f"{location(f)}: {f.rule}: {f.message}" for f in findings]
    if findings:
        hints: dict[str, str] = {}
        for finding in findings:
            hints.setdefault(finding.rule, finding.hint)
        lines += ["", "How to fix:", *(f"  {rule}: {hint}" for rule, hint in hints.items()), ""]
    lines.append(summary(findings, checked))
    return "\n".join(lines)


def to_json(findings: Sequence[Finding]) -> str:
    return json.dumps([f.to_dict() for f in findings], indent=2, ensure_ascii=False)


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def to_markdown(findings: Sequence[Finding], checked: int) -> str:
    """One table per document or postmortem, ready to paste into a pull request or the review notes."""
    if not findings:
        return f"## Action item lint\n\nNo findings: {summary(findings, checked)}.\n"
    out = ["## Action item lint", "", summary(findings, checked) + ".", ""]
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.path or finding.postmortem or "-", []).append(finding)
    for name, group in groups.items():
        out += [
            f"### {_cell(name)}",
            "",
            "| Line | Item | Severity | Rule | Problem | How to fix |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for f in group:
            where = str(f.line) if f.line else (f"#{f.item}" if f.item is not None else "")
            out.append(
                f"| {where} | {_cell(f.title)} | {f.severity.value} | `{f.rule}` | {_cell(f.message)} | {_cell(f.hint)} |"
            )
        out.append("")
    return "\n".join(out)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def to_github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands: one annotation per finding, on the file and line when known."""
    lines = []
    for f in findings:
        props = []
        if f.path:
            props.append(f"file={_escape_property(f.path)}")
            if f.line:
                props.append(f"line={f.line}")
        props.append(f"title={_escape_property(f'{f.rule} ({f.category})')}")
        subject = f"{f.title}: " if f.title and not f.path else ""
        lines.append(
            f"::{_COMMANDS[f.severity]} {','.join(props)}::{_escape_data(f'{subject}{f.message}. Fix: {f.hint}')}"
        )
    return "\n".join(lines)


CSV_COLUMNS = ["path", "line", "postmortem", "item", "rule", "category", "severity", "message", "title"]


def to_csv(findings: Sequence[Finding]) -> str:
    from tracker.output import to_csv as rows_to_csv

    return rows_to_csv([f.to_dict() for f in findings], CSV_COLUMNS).rstrip("\n")


def render(fmt: str, findings: Sequence[Finding], checked: int) -> str:
    if fmt == "json":
        return to_json(findings)
    if fmt == "csv":
        return to_csv(findings)
    if fmt == "markdown":
        return to_markdown(findings, checked)
    if fmt == "github":
        return to_github(findings)
    return to_text(findings, checked)
