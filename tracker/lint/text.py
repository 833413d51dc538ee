"""Reduce an action item's Markdown to the parts the wording rules read: plain text, lead and main clause."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from tracker.lint.verbs import is_verb

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|!?\[([^\]]*)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<(?:https?|mailto):[^>]*>")
_URL = re.compile(r"\bhttps?://\S+")
_BOLD_LABEL = re.compile(r"^\s*(?:\*\*|__)(?P<label>[^*_].*?)(?:\*\*|__)\s*:?\s*(?P<rest>.*)$", re.DOTALL)
# The same shape without bold: "Short label: explanation" (a label of up to eight words, no sentence in it).
_PLAIN_LABEL = re.compile(r"^\s*(?P<label>[^:.!?`\[\]()]{2,80}?)\s*:\s+(?P<rest>\S.*)$", re.DOTALL)
_EMPHASIS = re.compile(r"(?<![\w*])(\*{1,3}|_{1,3})(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_CODE = re.compile(r"`+([^`]+)`+")
_DONE_MARK = re.compile(r"\s*(?:✔️|✔|✅|☑️?|\((?:done|fixed|completed?)\))\s*", re.IGNORECASE)
# Quoted text is what someone said or a name, not the item's own claim ("never ignore errors in staging").
_QUOTED = re.compile(r"(?<!\w)(?:\"[^\"]+\"|“[^”]+”|'[^']+'|‘[^’]+’)(?!\w)")
_PARENS = re.compile(r"\s*\([^()]*\)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'“(\[*_`])")
_DETERMINERS = r"(?:the|a|an|our|its|their|this|that|these|those|all|each|every|any|some|no)"
# Where the action ends and its purpose, reason or aside begins; comparatives after this are purposes.
_CLAUSE_BREAK = re.compile(
    r"\s+(?:so\s+that|so|such\s+that|in\s+order\s+to|because|since|which|while|otherwise|ideally|why|"
    r"rather\s+than|instead\s+of|unless|until|whenever)\b|"
    rf"\s+to\s+(?!{_DETERMINERS}\b|\d)(?=[a-z])|;|\s[-–—]+\s|,\s|:\s",
    re.IGNORECASE,
)
# A unit or threshold: what turns "faster" into something a reviewer can check.
_TARGET = re.compile(
    r"\d+(?:\.\d+)?\s*(?:ms|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|d|days?|weeks?|months?|%|percent|"
    r"x|times|requests?|rps|qps|[kmgt]i?b|nodes?|replicas?|pods?|errors?|users?|retries|attempts)\b|"
    r"[<>≤≥]=?\s*\d|\b(?:at\s+(?:least|most)|under|below|above|within|over|no\s+more\s+than|fewer\s+than|"
    r"less\s+than|more\s+than|up\s+to|from\s+\d+\s+to|to)\s+\d|\b\d{1,2}:\d{2}\b|\bas\s+soon\s+as\s+(?!possible)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


def strip_markdown(text: str) -> str:
    """Links become their text, URLs and done marks go, emphasis and code marks go, spaces collapse."""
    text = text.replace("\\", "")
    text = _AUTOLINK.sub(" ", text)
    text = _LINK.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2) or "", text)
    text = _URL.sub(" ", text)
    text = _CODE.sub(lambda m: m.group(1), text)
    for _ in range(2):
        text = _EMPHASIS.sub(lambda m: m.group(2), text)
    text = _DONE_MARK.sub(" ", text)
    return " ".join(text.split())


def has_target(text: str) -> bool:
    """True when the text names a number with a unit, a threshold, a clock time or an event to act on."""
    return bool(_TARGET.search(text))


# "need to", "try to", "plan to": the verb that follows is the action itself, not a purpose.
_TO_TAKES_ACTION = re.compile(
    r"\b(?:need|needs|want|wants|have|has|had|try|tries|trying|aim|aims|plan|plans|going|able|ought|wish|hope|"
    r"continue|continues|order|how|way|ways|used|likely|started|start|begin|began|decided|decide|agreed)$",
    re.IGNORECASE,
)


def main_clause(sentence: str) -> str:
    """The action part of a sentence: up to its first purpose, reason or aside."""
    for match in _CLAUSE_BREAK.finditer(sentence):
        if match.group(0).strip().lower() == "to" and _TO_TAKES_ACTION.search(sentence[: match.start()]):
            continue
        return sentence[: match.start()]
    return sentence


# "Ed to ...", "Platform team will ...", "@kim and @lee to ...": who does it, written before the action.
_OWNER_OPENING = re.compile(
    r"^(?!(?i:we|i|you|they|it|this|that)\b)(?P<owner>(?:@[\w.-]+|[A-Z][\w.'-]*)(?:\s+[@\w.'-]+){0,2}?(?:\s+(?:and|&|\+)\s+@?[\w.'-]+)?)\s+"
    r"(?:to|will|shall|is\s+going\s+to|are\s+going\s+to)\s+(?P<verb>[a-z][\w-]*)"
)


_WANTS = re.compile(
    r"(?:remember|forget|learn|intend|expect|seek|strive|attempt|refuse|fail|prefer|choose|promise|endeavou?r|"
    r"tend|seem|appear|hesitate|dare|manage|struggle|fight|work)s?$",
    re.IGNORECASE,
)


# An opening that sets the scene and is not the action ("For every resource deployed, consider ...",
# "As part of remediation, we ...", "Therefore we need ..."): the action is what follows it. Conditions
# ("If ...", "When ...") are kept: they say when the action happens, which is part of it; so is "In the
# future", itself the wish the aspiration class looks for.
_FRONTED = re.compile(
    r"^(?:(?!in\s+(?:the\s+)?future\b)(?:for|as|after|before|during|in|on|at|by|with|within|across|"
    r"from|following|given|going\s+into|ahead\s+of|prior\s+to|to\s+(?:avoid|prevent|stop)|longer[\s-]term|"
    r"shorter[\s-]term|first(?:ly)?|second(?:ly)?|finally|additionally|also|next)\b[^,;:.?!]{0,80},\s+|"
    r"(?:therefore|thus|hence|so|also|then|additionally),?\s+)(?=[A-Za-z])",
    re.IGNORECASE,
)


def without_fronted(sentence: str) -> str:
    """The sentence without a scene-setting opening, when what follows it is the action ("consider X") or
    its speaker ("we need to X"); otherwise the sentence as written."""
    match = _FRONTED.match(sentence)
    if match is None:
        return sentence
    rest = sentence[match.end() :]
    first = rest.split(" ", 1)[0]
    speaker = re.match(r"(?:we|i|they|the\s+team|team)\b", rest, re.IGNORECASE)
    return rest if is_verb(first) or speaker else sentence


def without_owner(sentence: str) -> str:
    """The sentence from its action verb on when it opens with an owner; the owner is not the action."""
    sentence = without_fronted(sentence)
    match = _OWNER_OPENING.match(sentence)
    if match is None or not is_verb(match["verb"]):
        return sentence
    owner = match["owner"].split()
    if any(is_verb(word) for word in owner) or _TO_TAKES_ACTION.search(owner[-1]) or _WANTS.match(owner[-1]):
        return sentence  # "Move logs to ...", "Continue to ...": the sentence starts with its verb, no owner
    return sentence[match.start("verb") :]


def _commands(before: str, after: str) -> bool:
    """Both sides of a colon are commands ("Add more detail to X: include A and B"): one action spelled
    out, not a label and its explanation."""
    first = [re.findall(r"[A-Za-z][\w'-]*", side)[:1] for side in (before, after)]
    return all(words and is_verb(words[0]) for words in first) and after[:1].islower()


@dataclass(frozen=True)
class ItemText:
    """An item's wording seen several ways: as written, plain, without quotes and asides, its lead sentence."""

    raw: str

    @cached_property
    def label_and_rest(self) -> tuple[str | None, str]:
        """A leading bold label (`**Label**: explanation`) and what follows it."""
        match = _BOLD_LABEL.match(self.raw)
        if match and match.group("rest").strip():
            return strip_markdown(match.group("label")).rstrip(":"), strip_markdown(match.group("rest"))
        plain = _PLAIN_LABEL.match(self.raw)
        if (
            plain
            and len(plain.group("label").split()) <= 8
            and not _commands(plain.group("label"), plain.group("rest"))
        ):
            return strip_markdown(plain.group("label")), strip_markdown(plain.group("rest"))
        return None, strip_markdown(self.raw)

    @cached_property
    def unlinked(self) -> str:
        """The raw Markdown with links reduced to their text and URLs removed (code spans kept)."""
        text = _AUTOLINK.sub(" ", self.raw)
        text = _LINK.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2) or "", text)
        return _URL.sub(" ", text)

    @cached_property
    def label(self) -> str | None:
        return self.label_and_rest[0]

    @cached_property
    def label_or_lead(self) -> str:
        """The label when there is one (what the item is called), else the lead sentence."""
        return self.label or self.lead

    @cached_property
    def plain(self) -> str:
        label, rest = self.label_and_rest
        return f"{label}: {rest}" if label else rest

    @cached_property
    def analysed(self) -> str:
        """Plain text without quoted passages and parenthesised asides: the item's own words."""
        text = _QUOTED.sub(" QUOTED ", self.plain)
        for _ in range(2):
            text = _PARENS.sub("", text)
        return " ".join(text.split())

    @cached_property
    def action(self) -> str:
        """The analysed text without its bold label: where the action verb should be."""
        label, _ = self.label_and_rest
        text = self.analysed
        if label:
            prefix = label + ":"
            text = text[len(prefix) :].strip() if text.startswith(prefix) else text
        return text

    @cached_property
    def sentences(self) -> list[str]:
        return [s.strip() for s in _SENTENCE_END.split(self.action) if s.strip()]

    @cached_property
    def lead(self) -> str:
        """The first sentence of the action, without an owner written before it ("Platform team to ...")."""
        return without_owner(self.sentences[0]) if self.sentences else ""

    @cached_property
    def main(self) -> str:
        """The lead sentence up to its first purpose clause, reason or aside."""
        return main_clause(self.lead)

    @cached_property
    def head(self) -> str:
        """The bold label (if any) and the main clause: where a hedge decides what the item is."""
        label, _ = self.label_and_rest
        return f"{label}. {self.main}" if label else self.main

    @cached_property
    def words(self) -> list[str]:
        return _WORD.findall(self.plain)

    @cached_property
    def has_target(self) -> bool:
        return has_target(self.plain)
