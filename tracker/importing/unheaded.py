"""Actions found without an action heading: bold pseudo-headings, lead-ins, lessons, bare and open-work tables."""

from __future__ import annotations

import re
from collections.abc import Collection

from markdown_it.tree import SyntaxTreeNode

from tracker.importing.lists import marked_paragraph
from tracker.importing.markdown import inline_tokens, plain
from tracker.importing.reading import pseudo_heading
from tracker.importing.sections import (
    Candidate,
    heading_level,
    heading_text,
    is_action_heading,
    never_actions,
    note_candidate,
)
from tracker.importing.tables import column_roles
from tracker.provenance import Shaped

# A sentence ending in a colon that introduces the actions listed under it: "Some possible actions in the
# future:", "To prevent this from happening again, we will:", "We made three changes:", "We are committed
# to:". A form the issue names, seen in several organisations' documents (hexpm, posthog, gattaca-com,
# cheqd), written from its definition: the words that name actions, a purpose of preventing a repeat,
# or a first-person commitment, in the sentence that ends in the colon.
_LEAD_IN = re.compile(
    r"\b(?:prevent\w*|in\s+the\s+future|future\s+(?:actions?|work|improvements?)|going\s+forward|from\s+now\s+on|"
    r"next\s+steps|follow[\s-]*ups?|action\s+items?|possible\s+actions|actions?\s+(?:we|to)\b|we\s+will|we(?:'|’)ll|"
    r"we\s+(?:plan|intend|are\s+going)\s+to|improvements?|remediations?|corrective|to[\s-]?dos?|"
    r"we(?:'re|’re|\s+are|\s+remain)\s+committed\s+to|what\s+we(?:'re|’re|\s+are)\s+doing|"
    r"(?:does(?:n't|n’t|\s+not)|won't|won’t|will\s+not|never)\s+happens?\s+again|avoid\s+(?:a\s+)?(?:repeat|recurrence))\b",
    re.IGNORECASE,
)
# "We made four changes:", "We are making the following changes:", "The following fixes were implemented:":
# a sentence saying changes are made introduces them, in the active or the passive voice. A form the
# issue's list names ("We made four changes:"), met in hexpm's documents and in documents from
# organisations outside the examples (yearn's "The following fixes were implemented:").
_CHANGES_LEAD_IN = re.compile(
    r"\bwe(?:'ve|’ve|\s+have|'re|’re|\s+are|\s+will|'ll|’ll)?\s+(?:also\s+)?(?:made|make|making|introduced|"
    r"introducing|implemented|implementing|deployed|deploying|put\s+in\s+place|putting\s+in\s+place)\s+"
    r"(?:[\w-]+\s+){0,3}?(?:changes|fixes|improvements|safeguards|measures)\b"
    r"|\b(?:changes|fixes|improvements|safeguards|measures|steps)\s+(?:have\s+been|has\s+been|were|was|will\s+be|"
    r"are\s+being|are)\s+(?:made|implemented|introduced|deployed|taken|applied|planned|put\s+in(?:to)?\s+place)\b",
    re.IGNORECASE,
)
# "In this post we will cover:", "Below, we'll explain:": the list is the write-up's outline, not actions.
_OUTLINE = re.compile(
    r"\bin\s+this\s+(?:post|document|report|write[\s-]?up|article|section)\b|"
    r"\bwe(?:'ll|’ll|\s+will)\s+(?:now\s+|first\s+|also\s+|briefly\s+)?(?:cover|describe|explain|discuss|outline|"
    r"walk|go\s+(?:over|through)|share|summari[sz]e|look\s+at|detail|present)\b",
    re.IGNORECASE,
)
# "We took the following actions to restore service:": the incident response, not follow-up work.
_RESPONSE = re.compile(
    r"\bto\s+(?:restore|recover|mitigate|stabili[sz]e|bring\s+(?:\w+\s+)?back|get\s+(?:\w+\s+){0,3}back)\b",
    re.IGNORECASE,
)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[^\W\d_]|[\"“‘'(])")
LEAD_INS = Shaped()
PSEUDO_HEADINGS = Shaped()


def _bold_only(node: SyntaxTreeNode) -> str | None:
    """A paragraph that is only bold text ("**Action Items**", as word processors export headings)."""
    content = (node.children[0].content if node.children else "").strip()
    match = re.fullmatch(r"(?:\*\*|__)(?P<t>[^*_\n]{2,80})(?:\*\*|__)", content)
    return match.group("t").strip() if match else None


# Parts of a postmortem that describe the incident and how it was handled, never the follow-up work: a
# sentence introducing a list there ("We made several changes to the pool size:") introduces events,
# causes or the steps that restored service.
_DESCRIBES_INCIDENT = re.compile(
    r"\b(?:root\s+causes?|causes?|contributing\s+factors?|triggers?|impact|symptoms|diagnosis|investigation|"
    r"detection|what\s+happened|background|went\s+(?:wrong|poorly|badly)|(?:where|how)\s+we\s+got\s+lucky|"
    r"resolution|recovery|restor\w+|mitigations?|response|how\s+we\s+(?:fixed|resolved|recovered))\b",
    re.IGNORECASE,
)


def _describing_incident(blocks: list[SyntaxTreeNode]) -> set[int]:
    """Indexes of the blocks under a timeline, root-cause, impact or "what went wrong" heading."""
    inside: set[int] = set()
    stack: list[tuple[int, bool]] = []  # (level, describes the incident) of the enclosing headings
    first = True  # the document's title ("2025-07-30 API outage") describes nothing below it
    for index, node in enumerate(blocks):
        if node.type == "heading":
            level = heading_level(node)
            while stack and stack[-1][0] >= level:
                stack.pop()
            text = heading_text(node)
            describes = not first and not is_action_heading(text)
            describes = describes and bool(_DESCRIBES_INCIDENT.search(text) or never_actions(text))
            stack.append((level, describes))
            first = False
        elif any(describes for _level, describes in stack):
            inside.add(index)
    return inside


def label_sections(
    blocks: list[SyntaxTreeNode],
    taken: set[int],
    extra: Collection[str] = (),
    candidates: list[Candidate] | None = None,
) -> list[tuple[int, int, int]]:
    """(label index, body start, body end) outside the heading sections: a bold pseudo-heading that names
    actions (`**Actions planned:**`) over the blocks down to the next heading or bold label, and a lead-in
    sentence ending in a colon ("Some possible actions in the future:") over the list right after it."""
    found: list[tuple[int, int, int]] = []
    describing = _describing_incident(blocks)
    index = 0
    while index < len(blocks):
        node = blocks[index]
        if index in taken or node.type != "paragraph":
            index += 1
            continue
        line = (node.map or (0, 0))[0] + 1
        label = pseudo_heading(node) or _bold_only(node)
        content = node.children[0].content.strip() if node.children else ""
        if label is not None and PSEUDO_HEADINGS.active and is_action_heading(label, extra):
            end = index + 1
            while end < len(blocks) and end not in taken and blocks[end].type != "heading":
                if blocks[end].type == "paragraph" and (
                    pseudo_heading(blocks[end]) or _bold_only(blocks[end])
                ):
                    break
                end += 1
            note_candidate(candidates, line, label, True, "a bold label naming actions")
            found.append((index, index + 1, end))
            index = end
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if (
            label is None
            and PSEUDO_HEADINGS.active
            and following is not None
            and following.type in ("bullet_list", "ordered_list")
            and (index + 1) not in taken
            and _bare_heading(node, extra)
        ):
            text = plain(inline_tokens(node))
            note_candidate(candidates, line, text, True, "a line naming actions over the list below")
            found.append((index, index + 1, index + 2))
            index += 2
            continue
        if (
            label is None
            and content.endswith(":")
            and following is not None
            and following.type in ("bullet_list", "ordered_list")
            and (index + 1) not in taken
            and index not in describing
        ):
            text = plain(inline_tokens(node))
            # Only the sentence that ends in the colon introduces the list; what comes before is context.
            sentence = _SENTENCE_BREAK.split(text.strip())[-1]
            if (
                LEAD_INS.active
                and (_LEAD_IN.search(sentence) or _CHANGES_LEAD_IN.search(sentence))
                and not (_OUTLINE.search(sentence) or _RESPONSE.search(sentence))
            ):
                note_candidate(
                    candidates, line, text, True, "a sentence introducing the list below as actions"
                )
                found.append((index, index + 1, index + 2))
                index += 2
                continue
            note_candidate(
                candidates, line, text, False, "a sentence introducing a list, with no action words"
            )
        index += 1
    return found


# "**TODO**: monitor systemd units ...", "**DONE**: added the wiki to the monitored sites": a paragraph
# that marks itself as an item, under "Lessons learned" or any heading that does not tell the incident.
# Met in a documents folder of an organisation outside the examples (an open-data project's reports).
MARKED_PARAGRAPHS = Shaped()


def marked_paragraphs(
    blocks: list[SyntaxTreeNode], taken: set[int], candidates: list[Candidate] | None = None
) -> list[int]:
    """Indexes of paragraphs outside the action sections that open with a bold item marker or status
    (`**TODO**`, `**DONE**:`, `**Action item:**`), except where the document tells the incident."""
    if not MARKED_PARAGRAPHS.active:
        return []
    describing = _describing_incident(blocks)
    found: list[int] = []
    for index, node in enumerate(blocks):
        if index in taken or index in describing or node.type != "paragraph" or not node.children:
            continue
        content = node.children[0].content
        if marked_paragraph(content):
            line = (node.map or (0, 0))[0] + 1
            note_candidate(
                candidates, line, plain(inline_tokens(node))[:60], True, "a paragraph marked as an item"
            )
            found.append(index)
    return found


def _bare_heading(node: SyntaxTreeNode, extra: Collection[str]) -> bool:
    """A line that is only a heading's words ("Action Items", "Follow-up actions") written without its
    markup over a list: a heading, as a bold label is. A sentence is not one, wherever it is."""
    content = (node.children[0].content if node.children else "").strip()
    text = plain(inline_tokens(node)).strip()
    return (
        "\n" not in content
        and 0 < len(text.split()) <= 5
        and not re.search(r"[.!?,;:]$", text)
        and is_action_heading(text, extra)
    )


_LESSONS = re.compile(r"\b(?:lessons?\s+learn(?:ed|t)|learnings|takeaways)\b", re.IGNORECASE)
_REVIEW_HEADINGS = re.compile(
    r"\bwent\s+(?:well|wrong|poorly|badly)|\blucky\b|\bdidn'?t\s+go\b", re.IGNORECASE
)
# A document with no action section whose lessons are written as headings that each state a change
# ("### 5. Upgrades should NOT take place on Mondays" over the reasoning).
LESSONS_AS_ACTIONS = Shaped("cheqd")
# What makes a lesson heading an action: its body commits to work ("Going forward we will review ...",
# "we'll create a check-list", "a secondary node will be used"); a lesson told as a story does not.
_COMMITMENT = re.compile(
    r"\b(?:going\s+forward|in\s+(?:the\s+)?future|from\s+now\s+on|next\s+time|"
    r"we(?:'ll|’ll|\s+will|\s+shall|\s+should|\s+must|\s+need\s+to|\s+plan\s+to|\s+intend\s+to|\s+are\s+going\s+to)|"
    r"will\s+be\s+(?:used|added|created|done|reviewed|introduced|put\s+in\s+place|taken))\b",
    re.IGNORECASE,
)


def commits(text: str | None) -> bool:
    """A lesson's body that commits to future work, not one that only tells what happened."""
    return bool(text and _COMMITMENT.search(text))


def lessons_sections(
    blocks: list[SyntaxTreeNode], candidates: list[Candidate] | None = None
) -> list[tuple[int, int]]:
    """Lessons sections whose sub-headings may be read as heading items (only when nothing else was found)."""
    if not LESSONS_AS_ACTIONS.active:
        return []
    found: list[tuple[int, int]] = []
    for index, node in enumerate(blocks):
        if node.type != "heading" or not _LESSONS.search(heading_text(node)):
            continue
        level = heading_level(node)
        end = index + 1
        while end < len(blocks) and not (
            blocks[end].type == "heading" and heading_level(blocks[end]) <= level
        ):
            end += 1
        subs = [b for b in blocks[index + 1 : end] if b.type == "heading"]
        if len(subs) >= 2 and not any(_REVIEW_HEADINGS.search(heading_text(b)) for b in subs):
            note_candidate(
                candidates,
                (node.map or (0, 0))[0] + 1,
                heading_text(node),
                True,
                "lessons written as headings, and no action section",
            )
            found.append((index, end))
    return found


# Header names that say the column holds the actions themselves ("Action Item", "Corrective action",
# "Follow-ups"), unlike "Task", "Item" or "Description", which other tables use as well.
_ACTION_COLUMN = re.compile(
    r"^(?:(?:corrective|preventive|preventative|remedial|follow[\s-]*up|post[\s-]*mortem|review)\s+)?"
    r"(?:action(?:\s+items?)?|actions|follow[\s-]*ups?|remediations?|next\s+steps?)$",
    re.IGNORECASE,
)


# A heading that announces the work still to do without naming actions ("Still open", "Outstanding",
# "What's left", "Loose ends"): a table of tasks with their states or owners under it is the action
# list. Headings that already name actions ("Open items", "Remaining work", "Next steps") are sections.
_REMAINING_WORK = re.compile(
    r"^(?:still\s+|currently\s+)?(?:open|outstanding|remaining|pending|unresolved|unfinished|undone|backlog|"
    r"not\s+(?:yet\s+)?(?:done|fixed|finished|resolved|addressed))"
    r"(?:\s+(?:items?|issues|points|work|tasks?|questions|threads|concerns|risks))?$"
    r"|^still\s+(?:to\s+(?:do|be\s+done)|left|ahead|pending)\b"
    r"|\bwhat(?:'s|’s|\s+is|\s+remains)?\s+(?:still\s+)?(?:left|open|outstanding|remaining|to\s+do)\b"
    r"|\b(?:left\s+to\s+do|yet\s+to\s+(?:do|be\s+done)|loose\s+ends|work\s+(?:left|remaining))\b",
    re.IGNORECASE,
)
# Header names that say a column holds the tasks themselves, where the heading does not say so: "Item",
# "Task", "Action", "To do" (not "Description" or "Summary", which findings tables use too).
_TASK_COLUMN = re.compile(
    r"^(?:open\s+|remaining\s+|work\s+)?(?:items?|tasks?|to\s*dos?|actions?(?:\s+items?)?|follow\s*ups?|"
    r"next\s+steps?|work\s+items?)$",
    re.IGNORECASE,
)


def _remaining_work(text: str) -> bool:
    """A heading that announces work still to do ("Still open", "Outstanding", "What's left")."""
    return bool(_REMAINING_WORK.search(re.sub(r"^\s*(?:\d+(?:\.\d+)*\.?|[IVX]+\.)\s+", "", text).strip(" :")))


def _table_headers(node: SyntaxTreeNode) -> list[str]:
    rows = [row for part in node.children for row in part.children if row.type == "tr"]
    return (
        [plain(inline_tokens(cell)) for cell in rows[0].children if cell.type in ("th", "td")] if rows else []
    )


def action_tables(
    blocks: list[SyntaxTreeNode], taken: set[int], candidates: list[Candidate] | None = None
) -> list[tuple[int, str]]:
    """(index, section) of the tables read outside the action sections: a table under no heading but the
    document's title (or an empty `##`) whose header says it lists actions (the first column names the
    actions, "Action Item | Type | Owner | Bug", and another gives an owner, deadline or status); and
    a table of tasks ("Item | Why | State") under a heading that announces the work still to do ("Still
    open"), never where the document tells the incident. Under any other heading, the heading decides."""
    found: list[tuple[int, str]] = []
    describing = _describing_incident(blocks)
    headings_seen = 0
    unheaded = True  # under no heading, the title, or an empty heading
    heading = ""
    for index, node in enumerate(blocks):
        if node.type == "heading":
            headings_seen += 1
            heading = heading_text(node).strip()
            unheaded = headings_seen == 1 or not heading
            continue
        if node.type != "table" or index in taken:
            continue
        headers = _table_headers(node)
        roles = column_roles(headers)
        tracked = any(role in roles for role in ("owner", "deadline", "status"))
        line = (node.map or (0, 0))[0] + 1
        if (
            unheaded
            and headers
            and _ACTION_COLUMN.match(headers[0].strip())
            and roles.get("title") == 0
            and tracked
        ):
            reason = "a table whose header lists actions, with owners, deadlines or statuses"
            note_candidate(candidates, line, " | ".join(headers), True, reason)
            found.append((index, ""))
        elif (
            not unheaded
            and index not in describing
            and _remaining_work(heading)
            and tracked
            and "title" in roles
            and _TASK_COLUMN.match(headers[roles["title"]].strip())
        ):
            reason = f"a table of tasks with states or owners under {heading!r}, a heading announcing work still to do"
            note_candidate(candidates, line, " | ".join(headers), True, reason)
            found.append((index, heading))
    return found
