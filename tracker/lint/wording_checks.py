"""The wording checks that need more than one regular expression: comparatives, generic objects, 'improve'."""

from __future__ import annotations

import re

from tracker.lint.text import ItemText, has_target
from tracker.lint.verbs import verb_first

# An optional opening that does not change what the action is ("We should", "We need to", "Need to").
PREFIX = r"^(?:(?:we|i|you|they)\s+)?(?:(?:should|must|need\s+to|needs\s+to|have\s+to|will|shall|want\s+to|ought\s+to|can)\s+)?"
_COMPARATIVE = re.compile(
    r"\b(?:more|less)[\s-]+(?:\w+ly|often|robust|reliable|resilient|stable|secure|visible|similar|consistent|"
    r"efficient|careful|proactive|scalable|accurate|responsive|predictable|transparent|frequent|aggressive|"
    r"thorough|clear|useful|informative|performant|maintainable|readable|intuitive|comprehensive|strict|"
    r"granular|detailed|friendly|effective|flexible|mature|solid|sane|forgiving|tolerant|aware)\b|"
    r"\b(?:better|faster|quicker|earlier|sooner|easier|safer|simpler|clearer|stronger|tighter|smoother|"
    r"smarter|cleaner|nicer|longer|shorter|larger|smaller|wider|broader|greater)\b",
    re.IGNORECASE,
)
_IDIOM = re.compile(
    r"\b(?:even|or|yet|had|much)\s+better\b|\bbetter\s+(?:yet|still|known)\b|\b(?:no|any)\s+longer\b|"
    r"\blonger[\s-]term\b|\bshorter[\s-]term\b",
    re.IGNORECASE,
)
_SUBJECTIVE = re.compile(r"\b(?:feel|feels|seem|seems|look|looks|nicer|happier|comfortable)\b", re.IGNORECASE)
_VAGUE_MODIFIERS = (
    r"(?:better|more|proper|proactive|additional|appropriate|general|basic|health|some|extra|further|improved|"
    r"automated|automatic|active|good|new|robust|comprehensive|adequate|sufficient|necessary|relevant|overall|"
    r"enhanced|real-time|realtime|the|a|an|our|any|and|&|,)"
)
# Work that names only its category: which alert, which test, which document?
SIGNAL_NOUNS = (
    r"(?:monitoring|alerting|alerts?|observability|visibility|metrics|dashboards?|logging|logs|tests|testing|"
    r"test\s+coverage|coverage|checks|safeguards|guardrails|automation|redundancy|documentation|docs|tooling|"
    r"resilience|reliability)"
)
_ABSTRACT_NOUNS = r"(?:strategy|process|processes|plan|policy|approach|culture|framework|practices)"
CREATE_VERBS = (
    r"(?:add|adding|implement|implementing|set\s+up|setting\s+up|setup|create|creating|introduce|introducing|"
    r"build|building|establish|establishing|put\s+in\s+place|have|get|need|define|defining|develop|developing|"
    r"invest\s+in|review|revisit|audit|assess|evaluate|apply|applying)"
)
_QUALIFIER = re.compile(
    r"^\s*(?:for|on|in|of|at|against|that|which|when|whenever|if|covering|per|across|around|between|from|"
    r"using|with|via|into|where|whose|so\s+that|such\s+that|by|before|after|during|until|to\s+\w+)\b",
    re.IGNORECASE,
)
_END_STATE = re.compile(
    r"\b(?:so\s+that|such\s+that|so\s+(?:we|it|they|that|the|every|each|no)|by\s+\w+ing|to\s+(?!the\b|a\b|an\b)\w+|"
    r"into|until|with|using|via|from\s+\S+\s+to)\b",
    re.IGNORECASE,
)


# A concrete plan stated after a wish ("... - we should test against every past release") is its target.
PLAN = re.compile(
    r"(?:[.;:]|\s[-–—]+)\s+we\s+(?:should|will|must|'ll|are\s+going\s+to|plan\s+to)\s+(?!make\s+sure|ensure|try|"
    r"consider|look|think|explore|discuss|keep|continue|be\b|improve|get\s+better)\w+",
    re.IGNORECASE,
)


def _open_comparison(text: str) -> bool:
    """A comparative that does not say what it is compared with ("greater than 10" is a limit, not a wish)."""
    return any(not re.match(r"\s+than\b", text[m.end() :]) for m in _COMPARATIVE.finditer(text))


def comparative(text: ItemText) -> str | None:
    """A comparative with no target in the main clause ("more robust", "better alerting")."""
    main = _IDIOM.sub(" ", text.main)
    for match in _COMPARATIVE.finditer(main):
        if re.match(r"\s+than\b", main[match.end() :]):
            continue  # "more stable than its server pod" names what to beat
        if text.has_target or PLAN.search(text.action):
            return None
        return match.group(0)
    return None


# "Ask datacenters to apply monitoring": handing the work to someone else does not say which monitoring.
_DELEGATED = r"(?:(?:ask|get|have|request|tell)\s+(?:the\s+)?[\w-]+(?:\s+team)?\s+to\s+)?"


def generic_object(text: ItemText) -> str | None:
    """A creation verb whose object is only a category of work, with nothing saying which one."""
    for objects in (
        rf"(?:{_VAGUE_MODIFIERS}\s+){{0,4}}{SIGNAL_NOUNS}(?:\s+(?:and|&)\s+{SIGNAL_NOUNS})?",
        rf"(?:[\w/-]+\s+){{0,3}}{_ABSTRACT_NOUNS}",
    ):
        match = re.match(
            rf"{PREFIX}{_DELEGATED}{CREATE_VERBS}(?:\s+and\s+\w+)?\s+{objects}\b", text.lead, re.IGNORECASE
        )
        if not match:
            continue
        after = text.lead[match.end() :]
        if not after.strip(" .!?"):
            return match.group(0).strip()
        if re.match(r"\s*[,;:!?]|\s+(?:and|or|but|this|it|as)\b", after):
            return match.group(0).strip()  # the object ends here with nothing saying which one
        if _QUALIFIER.match(after):
            purpose = re.match(r"\s*to\s+.*", after)
            if purpose and (_open_comparison(purpose.group(0)) or _SUBJECTIVE.search(purpose.group(0))):
                return match.group(0).strip()
    return None


# "end to end", "peer to peer", "one to many": a compound written with spaces, not "to" and a verb.
_COMPOUND = re.compile(r"\b(\w+)\s+to\s+(\1|many)\b", re.IGNORECASE)


def improve_without_end_state(text: ItemText) -> str | None:
    """ "Improve X" (enhance, optimise, refactor...) with no end state a reviewer could check."""
    pattern = re.compile(
        rf"{PREFIX}(?P<verb>improv\w*|enhanc\w*|strengthen\w*|optimi[sz]\w*|refactor\w*|rework\w*|revamp\w*|"
        r"overhaul\w*|harden\w*|streamlin\w*|work\s+on|working\s+on)\b",
        re.IGNORECASE,
    )
    match = pattern.match(text.lead)
    if not match or has_target(text.lead):
        return None
    rest = re.split(
        r",?\s+(?:which|because|since|while|otherwise|as\s+it|as\s+they|who)\b", text.lead[match.end() :]
    )[0]
    rest = _COMPOUND.sub(r"\1-to-\2", rest)  # "end to end testing" names a kind of test, not an end state
    end = _END_STATE.search(rest)
    if end:
        clause = rest[end.start() :]
        if not (_COMPARATIVE.search(_IDIOM.sub(" ", clause)) or _SUBJECTIVE.search(clause)):
            return None
    return match.group(0).strip()


def unquantified_change(text: ItemText) -> str | None:
    """ "Reduce X" / "increase Y" with no amount, limit or new value."""
    match = re.match(rf"{PREFIX}(?:reduc\w*|increas\w*|decreas\w*|lower\w*|cut)\b", text.lead, re.IGNORECASE)
    if not match or has_target(text.lead):
        return None
    if re.search(
        r"\b(?:to|by|below|under|above|from|until|so\s+that|such\s+that)\b", text.lead[match.end() :], re.I
    ):
        return None
    return match.group(0).strip()


def open_investigation(text: ItemText) -> str | None:
    """An investigation with no question to answer ("Investigate k8s training")."""
    match = re.search(
        r"\b(?:investigate|investigating|research|researching|look\s+at)\b(?P<rest>[^.;]*)",
        text.lead,
        re.IGNORECASE,
    )
    if not match:
        return None
    if re.search(
        r"\b(?:why|how|whether|if|what|which|where|when|who|cause|causes|reason|reasons|triggers?|origin|source)\b",
        match["rest"],
        re.I,
    ):
        return None
    if "QUOTED" in match["rest"]:
        return None  # 'Investigate fluent-bit "failed to flush chunk"': the error quoted is the question
    if re.match(r"\s+\w+ing\s+\w", match["rest"]):
        return None  # "Investigate running X continuously" asks whether to do one named thing
    return match.group(0).strip()


def only_a_link(text: ItemText) -> str | None:
    """No words left once links and references are taken away."""
    words = [w for w in text.words if len(w) > 1]
    return "no action text, only a link" if len(words) < 2 else None


_MORE_OF = re.compile(
    r"\b(?:even\s+more|more|additional|extra|further|increased|enhanced|improved|greater|higher|fewer|less)\s+"
    r"(?:\w+\s+)?(?:visibility|insight|insights|coverage|monitoring|alerting|alerts|tests|testing|checks|"
    r"observability|transparency|awareness|resilience|reliability|robustness|capacity|redundancy|"
    r"safeguards|safety|stability|confidence|communication|documentation|automation|people|resources|"
    r"quickly|often|detail|context|control|oversight|scrutiny|rigou?r|care)\b",
    re.IGNORECASE,
)


def comparison(text: ItemText) -> str | None:
    """More of something with no amount ("more visibility", "additional checks"), unless a target or plan follows."""
    if text.has_target or PLAN.search(text.action):
        return None
    for part in (text.label or "", text.main):
        match = _MORE_OF.search(part)
        if match and not spelled_out(text, in_label=part is text.label):
            return match.group(0)
    return None


def spelled_out(text: ItemText, in_label: bool = False) -> str | None:
    """The action spells out what 'more' means ("Add more detail to X: include A and B", "..., namely A")."""
    if in_label and verb_first(text.lead) and not _MORE_OF.search(text.main):
        return text.lead  # "Add more detail to X: include A and B" read as a label and its explanation
    after = re.search(r":\s+(?P<rest>\S.*)", text.lead)
    if after and verb_first(after["rest"]):
        return after["rest"]
    listed = re.search(r"\b(?:including|namely|i\.e\.)\s+\S.*", text.lead, re.IGNORECASE)
    return listed.group(0) if listed else None


# "Investigate if we can use IPv6 ...": the "if we can" is the question the investigation answers, which is
# what makes it scoped; the same words opening an item ("See if we can ...") hedge the item itself.
_INVESTIGATION = re.compile(
    r"^(?:investigate|check|find\s+out|determine|test|verify|debug|spike|evaluate|assess|research|analy[sz]e|"
    r"confirm)\b",
    re.IGNORECASE,
)


def asked_by_investigation(text: ItemText, matched: str) -> bool:
    """A hedge that is the question of an investigation the item opens with, not a hedge on the item."""
    question = re.match(r"(?:see\s+|check\s+)?(?:if|whether)\b", matched, re.IGNORECASE)
    return (
        question is not None
        and _INVESTIGATION.match(text.lead) is not None
        and not text.lead.lower().startswith(matched.lower())
    )
