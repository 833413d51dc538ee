"""Tracking references: GitHub issue URLs, org/repo#12, Jira issue URLs and configured KEY-123 keys."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from typing import Any

from tracker.importing.drafts import Ref

_GITHUB_URL = re.compile(
    r"https?://(?:www\.)?github\.com/([\w.-]+)/([\w.-]+)/issues/(\d+)(?![\w/])", re.IGNORECASE
)
_GITHUB_SHORT = re.compile(r"(?<![\w/.@-])([A-Za-z0-9][\w.-]*)/([\w.-]+)#(\d+)\b")
_JIRA_URL = re.compile(r"https?://[^\s/()<>]+(?:/[^\s()<>]*)?/browse/([A-Z][A-Z0-9_]+)-(\d+)\b")
_JIRA_KEY = re.compile(r"(?<![\w/#.-])([A-Z][A-Z0-9_]{1,19})-(\d+)\b(?!-)")


def find_refs(text: str, jira_projects: Collection[str]) -> list[Ref]:
    """Every tracker issue `text` names, in order, without duplicates. A bare KEY-123 counts only when
    KEY is a configured Jira project: "BSD-3" in a licence line is not an issue."""
    spans: list[tuple[int, Ref]] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    for match in _GITHUB_URL.finditer(text):
        repo = f"{match.group(1)}/{match.group(2)}"
        number = int(match.group(3))
        spans.append(
            (match.start(), Ref("github", f"{repo}#{number}", match.group(0), match.group(0), repo, number))
        )
        taken.append(match.span())
    for match in _JIRA_URL.finditer(text):
        key = f"{match.group(1)}-{match.group(2)}"
        spans.append(
            (match.start(), Ref("jira", key, match.group(0), match.group(0), project=match.group(1)))
        )
        taken.append(match.span())
    for match in _GITHUB_SHORT.finditer(text):
        if not free(*match.span()):
            continue
        repo = f"{match.group(1)}/{match.group(2)}"
        number = int(match.group(3))
        url = f"https://github.com/{repo}/issues/{number}"
        spans.append((match.start(), Ref("github", f"{repo}#{number}", match.group(0), url, repo, number)))
        taken.append(match.span())
    projects = {p.upper() for p in jira_projects}
    for match in _JIRA_KEY.finditer(text):
        if match.group(1) not in projects or not free(*match.span()):
            continue
        key = match.group(0)
        spans.append((match.start(), Ref("jira", key, key, None, project=match.group(1))))
        taken.append(match.span())
    seen: set[str] = set()
    refs: list[Ref] = []
    for _, ref in sorted(spans, key=lambda pair: pair[0]):
        if ref.key.lower() not in seen:
            seen.add(ref.key.lower())
            refs.append(ref)
    return refs


def refs_in(texts: Iterable[str], jira_projects: Collection[str]) -> list[Ref]:
    refs: list[Ref] = []
    for text in texts:
        for ref in find_refs(text, jira_projects):
            if all(ref.key.lower() != other.key.lower() for other in refs):
                refs.append(ref)
    return refs


def is_only_refs(text: str, jira_projects: Collection[str]) -> bool:
    """True when `text` (as written) is nothing but links, URLs or issue keys: a note, not a task."""
    stripped = re.sub(r"\[([^\]]*)\]\(([^)\s]*)\)", " ", text)  # Markdown links
    stripped = re.sub(r"<?https?://\S+>?", " ", stripped)
    for ref in find_refs(stripped, jira_projects):
        stripped = stripped.replace(ref.text, " ")
    return not re.sub(
        r"[\s,;:.()\[\]\-–—|*_]+|\b(?:see|and|also|pr|prs|issue|issues|link|links)\b",
        "",
        stripped,
        flags=re.IGNORECASE,
    )


# "[Investigate fluent-bit memory growth](https://github.com/org/repo/issues/123)": a link and nothing else
# (behind a checkbox, or in bold, as a checklist or a highlighted entry writes it).
_WHOLE_LINK = re.compile(
    r"^\s*(?:\[[ xX]\]\s+)?(?P<em>\*\*|__)?\[(?P<text>[^\]]+)\]\((?P<url><?https?://[^)\s]+>?)(?:\s+\"[^\"]*\")?\)"
    r"(?P=em)?\s*[.;,]?\s*$"
)


def issue_link(text: str, jira_projects: Collection[str]) -> bool:
    """True when `text` (as written) is one Markdown link to a tracker issue, its words naming the work:
    an action written as the issue that tracks it. A link to anything else (a runbook, a pull request)
    is a note, not a task."""
    match = _WHOLE_LINK.match(text)
    return bool(match and match.group("text").strip() and find_refs(match.group("url"), jira_projects))


def target_for(ref: Ref, targets: dict[str, Any]) -> str | None:
    """The configured target a reference belongs to: the GitHub repo or Jira project it names."""
    for name, target in targets.items():
        kind = getattr(target, "kind", None)
        repo = str(getattr(target, "repo", "") or "")
        project = str(getattr(target, "project", "") or "")
        if ref.kind == "github" and kind == "github" and ref.repo and repo.lower() == ref.repo.lower():
            return name
        if ref.kind == "jira" and kind == "jira" and ref.project and project.upper() == ref.project.upper():
            return name
    return None


def jira_projects(targets: dict[str, Any]) -> set[str]:
    return {str(t.project).upper() for t in targets.values() if getattr(t, "kind", None) == "jira"}
