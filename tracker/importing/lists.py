"""Action items written as bullet, numbered or checkbox lists, and as "**Action item:** ..." paragraphs."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

from markdown_it.tree import SyntaxTreeNode

from tracker.importing.annotations import CHECKBOX, split_annotations, strip_priority_tag
from tracker.importing.drafts import FieldSpot, ItemDraft
from tracker.importing.labels import split_label
from tracker.importing.markdown import to_plain
from tracker.importing.refs import is_only_refs, issue_link, refs_in
from tracker.importing.sections import Context, heading_context, is_group_label, merge, read_status
from tracker.provenance import Shaped

_ATTRIBUTE = re.compile(
    r"^\s*(?P<key>owners?|assignee|assigned\s+to|dri|who|deadline|due(?:\s+date)?|eta|target(?:\s+date)?|"
    r"status|state|priority)\s*:\s*(?P<value>.+?)\s*$",
    re.IGNORECASE,
)
_NOTE = re.compile(
    r"^\s*(?:\*\*|_)?(?:note|nb|n\.b\.|see(?:\s+also)?|context|e\.g\.|i\.e\.|example|ref)\b", re.I
)
# "N/A", "None.", "No actions": a section that says it has no items (not an item, and not a silent miss).
NONE_STATED = re.compile(
    r"^\W*(?:(?:n/?a|none|nil|tbd)\W*$|nothing\b|none\s+(?:needed|required|identified|planned|at\s+this\s+time)\b|"
    r"no\s+(?:other\s+|further\s+|new\s+|additional\s+|follow[\s-]*up\s+)?"
    r"(?:actions?|action\s+items?|follow[\s-]*ups?|items?|tasks?|changes?)\b(?!\s+(?:to|for|of|on|in)\b))",
    re.IGNORECASE,
)
# A list entry that is a single token ("staticshare", "`COPYRIGHT_QUERY`") names a thing, not an action.
_SINGLE_TOKEN = re.compile(r"^\W*[\w./:@#-]+\W*$")
# ... unless the token is an issue: "- https://github.com/org/repo/issues/97", "- #2127", "- OPS-12" in an
# action list is an action item written as its ticket (lint says it names no action; import keeps it).
_ISSUE_ONLY = re.compile(r"^\W*(?:<?https?://\S+>?|[\w.-]+/[\w.-]+#\d+|#\d+|[A-Z][A-Z0-9]+-\d+)\W*$")
_ACTION_PARAGRAPH = re.compile(
    r"^\s*(?:\*\*|__)\s*(?:action(?:\s+item)?|ai|todo|to\s+do|done|follow[\s-]*up)(?:\s*[#-]?\s*\d{1,3})?\s*:?\s*"
    r"(?:\*\*|__)",
    re.I,
)


def marked_paragraph(content: str) -> bool:
    """A paragraph that opens with a bold item marker or status (`**Action item:**`, `**TODO**`, `**DONE**:`)."""
    return bool(_ACTION_PARAGRAPH.match(content))


SINGLE_TOKENS = Shaped("iip-design")


def _role(key: str) -> str:
    key = key.lower()
    if key.startswith(("owner", "assign", "dri", "who")):
        return "owner"
    if key.startswith(("status", "state")):
        return "status"
    if key.startswith("priority"):
        return "priority"
    return "deadline"


def _first_paragraph(item: SyntaxTreeNode) -> SyntaxTreeNode | None:
    if item.children and item.children[0].type == "paragraph":
        return item.children[0]
    return None


def _attribute(item: SyntaxTreeNode) -> tuple[str, str] | None:
    """`- Owner: x` / `- Due: Jul 1` / `- Status: done` as a nested child: an attribute of its parent."""
    paragraph = _first_paragraph(item)
    if paragraph is None or len(item.children) != 1:
        return None
    content = paragraph.children[0].content
    match = _ATTRIBUTE.match(to_plain(content)) if "\n" not in content else None
    return (_role(match.group("key")), match.group("value")) if match else None


def draft_from_text(
    content: str,
    line_span: tuple[int, int],
    kind: str,
    section: str,
    context: Context,
    jira_projects: Collection[str],
    known_owner: Callable[[str], bool] | None,
) -> ItemDraft | None:
    annotated = split_annotations(content, jira_projects, known_owner)
    title_md, title_written, description_md, label_status = split_label(strip_priority_tag(annotated.core))
    title = to_plain(title_md)
    if not title:
        return None
    draft = ItemDraft(
        title=title,
        title_text=title_written.strip(),
        source_line=line_span[0] + 1,
        kind=kind,
        section=section,
        description=to_plain(description_md) if description_md else None,
        core=annotated.core,
        checkbox=annotated.checkbox,
        lead=annotated.lead,
        context_status=context.status_text,
        context_deadline=context.deadline_text,
        line_span=line_span,
        priority=annotated.priority,
    )
    keyed = annotated.keyed
    draft.owner_text = annotated.owner_text or context.owner_text
    draft.deadline_text = annotated.deadline_text or context.deadline_text
    for name in ("owner", "deadline", "status"):
        if name in keyed:
            draft.spots[name] = FieldSpot("inline")
    draft.status_text = (
        keyed.get("status")
        or annotated.status_text
        or annotated.checkbox
        or label_status
        or context.status_text
    )
    draft.refs = refs_in([content], jira_projects)
    return draft


def list_items(
    node: SyntaxTreeNode,
    section: str,
    context: Context,
    jira_projects: Collection[str],
    known_owner: Callable[[str], bool] | None,
    nested_list: bool = False,
    boxed: ItemDraft | None = None,
) -> list[ItemDraft]:
    """Drafts for every task in a list, nested tasks included; notes and attributes are not tasks, nor are
    nested bullets that are only links (they belong to their parent). A top-level bullet that is only an
    issue, or a link to one, is an action written as its ticket."""
    drafts: list[ItemDraft] = []
    for item in node.children:
        if item.type != "list_item":
            continue
        paragraph = _first_paragraph(item)
        nested = [child for child in item.children if child.type in ("bullet_list", "ordered_list")]
        draft: ItemDraft | None = None
        if paragraph is not None and _attribute(item) is None and not _note_under_box(boxed, item, paragraph):
            content = paragraph.children[0].content
            plain_text = to_plain(content)
            # A top-level bullet that is only an issue ("- #2127") or a link to one ("- [Fix X](.../issues/12)").
            ticket = not nested_list and bool(
                _ISSUE_ONLY.match(plain_text) or issue_link(content, jira_projects)
            )
            if (
                (ticket or not is_only_refs(content, jira_projects))
                and not _NOTE.match(content)
                and not NONE_STATED.match(plain_text)
                and not (_SINGLE_TOKEN.match(plain_text) and SINGLE_TOKENS.active and not ticket)
            ):
                span = paragraph.map or item.map or (0, 1)
                draft = draft_from_text(
                    content, (span[0], span[1]), "list", section, context, jira_projects, known_owner
                )
        label = _label_only(paragraph.children[0].content) if paragraph is not None and nested else None
        child_context = context
        if label is not None and is_group_label(label):
            # `- **Immediate actions taken**:` over a nested list: a group; what it says applies below.
            draft = None
            child_context = merge(context, heading_context(label))
        elif draft is not None and nested and _describes(paragraph, nested, label):
            draft.description = " ".join(to_plain(c.children[0].content) for c in _child_paragraphs(nested))
            draft.status = read_status(draft.status_text)
            drafts.append(draft)
            continue
        children: list[ItemDraft] = []
        for sub in nested:
            for child in sub.children:
                attribute = _attribute(child) if draft is not None else None
                if attribute is not None and draft is not None:
                    role, value = attribute
                    line = (child.map or (0, 0))[0]
                    if role == "owner":
                        draft.owner_text = value
                    elif role == "deadline":
                        draft.deadline_text = value
                    elif role == "status":
                        draft.status_text = value
                    else:
                        draft.priority = value
                    draft.spots[role] = FieldSpot("child", line)
                    continue
                paragraph_child = _first_paragraph(child)
                if (
                    draft is not None
                    and paragraph_child is not None
                    and (is_only_refs(paragraph_child.children[0].content, jira_projects))
                ):
                    for ref in refs_in([paragraph_child.children[0].content], jira_projects):
                        if all(ref.key != other.key for other in draft.refs):
                            draft.refs.append(ref)
                    continue
                if (
                    draft is not None
                    and paragraph_child is not None
                    and _note_under_box(draft, child, paragraph_child)
                ):
                    note = to_plain(paragraph_child.children[0].content)
                    draft.description = f"{draft.description} {note}" if draft.description else note
                    continue
            children.extend(
                list_items(sub, section, child_context, jira_projects, known_owner, True, boxed=draft)
            )
        if draft is not None:
            draft.status = read_status(draft.status_text)
            drafts.append(draft)
        drafts.extend(children)
    return drafts


_LABEL_ONLY = re.compile(r"^\s*(?:\*\*|__)(?P<label>[^*_\n]+?)(?:\*\*|__)\s*:?\s*$")
# "... something like a doc with:", "a runbook covering:": the nested bullets describe what is to be made.
_DETAIL_LEAD = re.compile(
    r"\b(?:with|like|such\s+as|including|containing|covering|listing|e\.g\.|for\s+example)\s*:\s*$",
    re.IGNORECASE,
)
SINGLE_CHILD_DESCRIPTION = Shaped("gattaca-com")
DETAIL_LEADS = Shaped("govuk-one-login")


def _label_only(content: str) -> str | None:
    """The text of an item that is only a bold label (`**Review actions**:`), else None."""
    match = _LABEL_ONLY.match(content)
    return match.group("label").strip().rstrip(":") if match else None


def _child_paragraphs(nested: list[SyntaxTreeNode]) -> list[SyntaxTreeNode]:
    return [p for sub in nested for child in sub.children if (p := _first_paragraph(child)) is not None]


def _note_under_box(draft: ItemDraft | None, child: SyntaxTreeNode, paragraph: SyntaxTreeNode | None) -> bool:
    """In a checklist the boxes mark the tasks: a plain bullet under a box (a question, "tracked here:
    <link>") is a note of that item, not a task of its own; a boxed bullet under it is a sub-task."""
    return (
        draft is not None
        and draft.checkbox is not None
        and paragraph is not None
        and bool(paragraph.children)
        and not CHECKBOX.match(paragraph.children[0].content)
        and not any(grand.type in ("bullet_list", "ordered_list") for grand in child.children)
    )


def _describes(paragraph: SyntaxTreeNode | None, nested: list[SyntaxTreeNode], label: str | None) -> bool:
    """Nested bullets that explain their parent rather than being tasks of their own: the one bullet under
    a bold label, or the bullets after "... a doc with:"."""
    content = paragraph.children[0].content if paragraph is not None and paragraph.children else ""
    if DETAIL_LEADS.active and _DETAIL_LEAD.search(to_plain(content)):
        return True
    children = [child for sub in nested for child in sub.children]
    return (
        SINGLE_CHILD_DESCRIPTION.active
        and label is not None
        and len(children) == 1
        and all(grand.type == "paragraph" for grand in children[0].children)
    )


def paragraph_item(
    node: SyntaxTreeNode,
    section: str,
    context: Context,
    jira_projects: Collection[str],
    known_owner: Callable[[str], bool] | None,
) -> ItemDraft | None:
    """A paragraph that starts with a bold "Action item:" label is an item of its own."""
    content = node.children[0].content if node.children else ""
    if not marked_paragraph(content):
        return None
    span = node.map or (0, 1)
    first, _break, more = content.partition("\n")
    if more.strip() and re.search(r"[.!?][)\]]?$", first.strip()):
        # "**TODO**: we need to monitor systemd units.\nThe best would be ...": the first line is the item,
        # a sentence of its own; the lines after it explain it.
        draft = draft_from_text(
            first, (span[0], span[0] + 1), "paragraph", section, context, jira_projects, known_owner
        )
        if draft is not None:
            draft.description = " ".join(filter(None, [draft.description, to_plain(more)]))
    else:
        draft = draft_from_text(
            content, (span[0], span[1]), "paragraph", section, context, jira_projects, known_owner
        )
    if draft is not None:
        draft.status = read_status(draft.status_text)
    return draft


_COURTESY = re.compile(
    r"^(?:we(?:'re|\s+are)?\s+(?:(?:very|deeply|truly)\s+)?(?:sorry|apologi[sz]e)|(?:our\s+)?apologies|thank|"
    r"if\s+you\s+have|please\s+(?:reach|contact|let|get\s+in\s+touch)|feel\s+free|questions\?)",
    re.IGNORECASE,
)
_META = re.compile(
    r"^(?:(?:these|the|all|our)\s+)?(?:action\s+items?|actions|follow[\s-]*ups?|items|tasks)\s+(?:are|will\s+be|"
    r"have\s+been)\s+(?:tracked|listed|filed|recorded|kept)\b|^(?:tracked|tracking|listed)\s+(?:in|at|on|via)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")
_LINE_START = re.compile(r"^(?:[A-Z0-9@`\[*_~(]|\W)")
# "The team has rectified the issue and will prevent such incidents occurring in the future.": an
# assurance that names no work, written as the whole of a prose "Recommendations" part. Not an item.
_ASSURANCE = re.compile(
    r"^(?:the\s+(?:\w+\s+)?team|we)\s+"
    r"(?:(?:has|have|'ve|’ve)\s+(?:rectified|fixed|resolved|addressed|corrected)\s+(?:the|this|that)\s+"
    r"(?:issue|problem|bug|incident)(?:\s*,|\s+and|\.)?\s+(?:(?:the\s+(?:\w+\s+)?team|we)\s+)?)?"
    r"(?:will|shall|(?:is|are)\s+committed\s+to)\s+(?:work\s+to\s+|do\s+(?:our|its)\s+best\s+to\s+)?"
    r"(?:prevent|avoid|ensure|make\s+sure)\s+(?:that\s+)?"
    r"(?:(?:such|similar|these|the\s+same)\s+(?:incidents?|issues?|problems?|events?|outages?)|this|it)"
    r"(?:\s+(?:from\s+)?(?:occurring|happening|recurring|re-?occurring|(?:do|does|will)\s+not\s+(?:happen|occur|recur)))?"
    r"(?:\s+(?:again|in\s+(?:the\s+)?future))?\s*[.!]?\s*$",
    re.IGNORECASE,
)


def _paragraph_draft(
    content: str,
    line_span: tuple[int, int],
    kind: str,
    section: str,
    context: Context,
    jira_projects: Collection[str],
    known_owner: Callable[[str], bool] | None,
) -> ItemDraft | None:
    plain_text = to_plain(content)
    if not plain_text or NONE_STATED.match(plain_text) or _NOTE.match(content) or plain_text.endswith(":"):
        return None
    if re.fullmatch(r"\(.*\)|_.*_|\*[^*].*\*", content.strip(), re.DOTALL):
        return None  # "(Problem and suggestions)", an italic aside: a note about the section
    if _COURTESY.match(plain_text) or _ATTRIBUTE.match(plain_text) or _META.match(plain_text):
        return None  # an apology, thanks or contact line, a stray "Owner: x" line, "tracked in ..."
    if re.fullmatch(r"\s*\[[^\]]+\]\([^)]+\)\s*\.?\s*|\s*<?https?://\S+>?\s*", content):
        return None  # only a link: where the items are, not an item

    draft = draft_from_text(content, line_span, kind, section, context, jira_projects, known_owner)
    if draft is not None:
        draft.status = read_status(draft.status_text)
    return draft


def line_items(
    node: SyntaxTreeNode,
    section: str,
    context: Context,
    jira_projects: Collection[str],
    known_owner: Callable[[str], bool] | None,
) -> list[ItemDraft]:
    """Plain lines without list markers, one item a line: a paragraph of two or more short lines each of
    which starts like a sentence (wrapped prose continues in lower case and is not split)."""
    content = node.children[0].content if node.children else ""
    rows = [row for row in content.split("\n")]
    if len(rows) < 2 or any(len(row) > 200 or not _LINE_START.match(row.strip()) for row in rows):
        return []
    if any(row.rstrip().endswith((",", ";")) or row.rstrip().endswith(" and") for row in rows):
        return []
    start = (node.map or (0, 1))[0]
    drafts = []
    for offset, row in enumerate(rows):
        row = row.rstrip().removesuffix("\\").rstrip()  # a hard line break written as a backslash
        draft = _paragraph_draft(
            row, (start + offset, start + offset + 1), "line", section, context, jira_projects, known_owner
        )
        if draft is not None:
            drafts.append(draft)
    return drafts


def short_statement(node: SyntaxTreeNode) -> bool:
    """At most two sentences and 300 characters, or plain lines (each its own item)."""
    content = node.children[0].content if node.children else ""
    plain_text = to_plain(content)
    return (len(plain_text) <= 300 and len(_SENTENCE_END.findall(plain_text)) <= 2) or bool(
        line_items(node, "", Context(), (), None)
    )


def prose_item(
    node: SyntaxTreeNode,
    section: str,
    context: Context,
    jira_projects: Collection[str],
    known_owner: Callable[[str], bool] | None,
) -> ItemDraft | None:
    """A short paragraph in an action section without lists: one item. A sentence ending in a colon
    introduces something else."""
    content = node.children[0].content if node.children else ""
    if not short_statement(node) or _ASSURANCE.match(to_plain(content).strip()):
        return None
    span = node.map or (0, 1)
    return _paragraph_draft(
        content, (span[0], span[1]), "paragraph", section, context, jira_projects, known_owner
    )
