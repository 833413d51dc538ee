"""Wording rules: transparent patterns for items that are not actionable, specific, measurable or achievable."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from tracker.lint.cues import CLASS_PATTERNS, CONCRETE, WordingPattern, _re, verb_first
from tracker.lint.text import ItemText
from tracker.lint.wording_checks import (
    CREATE_VERBS,
    PREFIX,
    SIGNAL_NOUNS,
    asked_by_investigation,
    comparative,
    generic_object,
    improve_without_end_state,
    only_a_link,
    open_investigation,
    unquantified_change,
)
from tracker.lint.wording_model import decide
from tracker.provenance import held_out

_WRITTEN_FIRST: tuple[WordingPattern, ...] = (
    # --- not actionable: aimed at people's care rather than at the system, or no action at all
    WordingPattern(
        "wording-not-actionable",
        "call for care",
        "asks people to be careful, aware or vigilant; the next person under pressure will not be",
        _re(
            r"\b(?:be|being|stay|remain|are)\s+(?:more\s+|extra\s+|very\s+|especially\s+)?(?:careful|vigilant|"
            r"cautious|mindful|aware|alert|diligent|attentive|thorough|disciplined)\b|\bpay\s+(?:more\s+|closer\s+|"
            r"extra\s+)?attention\b|\btake\s+(?:more\s+|extra\s+)?care\b|\bremember\s+to\b|\bdon'?t\s+forget\b"
        ),
    ),
    WordingPattern(
        "wording-not-actionable",
        "watching",
        "'keep an eye on' is a person watching, not a check that runs by itself",
        _re(
            r"\bkeep\s+(?:an?\s+|a\s+close\s+)?(?:eye|watch|close\s+eye)\s+on\b|\bkeep\s+in\s+mind\b|"
            r"\b(?:double|triple)[\s-]check\b"
        ),
    ),
    WordingPattern(
        "wording-not-actionable",
        "fix aimed at people",
        "reminding or telling people changes nothing the system does",
        _re(
            r"\b(?:remind|tell|ask|urge|warn|encourage|educate)\s+(?:all\s+|the\s+|our\s+|every\s+)?(?:engineers?|"
            r"developers?|devs|people|everyone|everybody|team\s+members|the\s+team|staff|operators|on-?callers|"
            r"folks|colleagues)\b|\b(?:raise|increase|spread|improve|build)\s+awareness\b|\bmake\s+(?:sure\s+)?"
            r"(?:that\s+)?(?:everyone|everybody|people|engineers|the\s+team)\s+(?:is\s+|are\s+)?aware\b"
        ),
    ),
    WordingPattern(
        "wording-not-actionable",
        "no action",
        "the item has no words of its own, only a link",
        check=only_a_link,
    ),
    WordingPattern(
        "wording-not-actionable",
        "hindsight",
        "'we could have', 'if we had' describe what did not happen; the item should say what changes now",
        _re(
            r"^if\s+(?:we|they|the\s+team|someone|anyone)\s+had\b|"
            r"^(?:we|they|the\s+team|it|this|that|someone)\s+(?:could|should|would|might)(?:\s+not|n'?t)?\s+have\b"
        ),
        scope="lead",
    ),
    # --- non-committal: no decision to do anything
    WordingPattern(
        "wording-non-committal",
        "hedge",
        "'consider', 'look into', 'explore' or 'something about' commit to nothing that can be finished",
        _re(
            r"\bconsider(?:ing)?\b|\blook(?:ing)?\s+into\b|^something\b|\bsomething\s+(?:about|like|around)\b|"
            r"\bthink(?:ing)?\s+about\b|\bexplor(?:e|ing)\b|\bbrainstorm\w*|\btalk\s+about\b|"
            r"\breflect(?:ing)?\s+(?:on|upon|about|if|whether|how)\b|"
            r"\bcontinue\s+to\s+(?:evaluate|explore|monitor|investigate|look)\b|\bnice\s+to\s+have\b|"
            r"\b(?:would|might|could)\s+be\s+(?:nice|good|great|worth|useful|helpful)\b"
        ),
        scope="head",  # a hedge in an aside ("- consider tracking X or Y") offers options; the action stands
    ),
    WordingPattern(
        "wording-non-committal",
        "find a way",
        "'find a way' / 'see if we can' postpones the decision the item should record",
        _re(
            r"\b(?:find|identify|determine|work\s+out|come\s+up\s+with)\s+(?:a|an|some|the\s+best|the\s+right)?\s*"
            r"(?:(?:clear|good|better|suitable|viable|possible|new)\s+)?(?:way|path|solution|approach|means)\b|"
            r"\bfigure\s+out\s+(?:a\s+way|how|if|whether)\b|\b(?:see|try|check)\s+(?:if|whether)\s+(?:we|it|this)\b"
        ),
    ),
    WordingPattern(
        "wording-non-committal",
        "speculation",
        "'could potentially', 'should probably', 'maybe', 'if possible' describe an idea, not a commitment",
        _re(
            r"\b(?:could|might|may)\s+(?:potentially|possibly|perhaps|maybe)\b|\b(?:should|could|would|will)\s+probably\b|"
            r"^(?:maybe|perhaps|possibly|"
            r"potentially)\b|^we\s+(?:could|might)\b|\bif\s+(?:possible|feasible|time\s+permits)\b|"
            r"\b(?:where|when)\s+possible\b"
        ),
        scope="lead",
    ),
    WordingPattern(
        "wording-non-committal",
        "discussion",
        "a discussion with no decision or document to show for it",
        _re(
            r"^(?:discuss|have\s+a\s+discussion|hold\s+a\s+discussion|meet)\b(?!.*\b(?:decide|document|write|agree|"
            r"record|publish)\b)"
        ),
        scope="lead",
    ),
    WordingPattern(
        "wording-non-committal",
        "open investigation",
        "an investigation with no question to answer never ends",
        check=open_investigation,
    ),
    # --- not specific: a generic verb or object with no concrete mechanism
    WordingPattern(
        "wording-not-specific",
        "improve without end state",
        "'improve' / 'optimise' / 'refactor' names no change and no end state to check",
        check=improve_without_end_state,
    ),
    WordingPattern(
        "wording-not-specific",
        "category only",
        "names a kind of work (monitoring, tests, a strategy) but not which one",
        check=generic_object,
    ),
    WordingPattern(
        "wording-not-specific",
        "unspecified set",
        "'missing', 'appropriate' or 'more' alerts/tests leaves open which ones",
        _re(
            rf"{PREFIX}{CREATE_VERBS}\s+(?:the\s+|any\s+)?(?:missing|necessary|needed|appropriate|relevant|required|"
            rf"proper|adequate|sufficient|additional|remaining|further|more|extra|any|some)\s+(?:[\w-]+\s+){{0,2}}"
            rf"{SIGNAL_NOUNS}\b(?!\s+(?:of|for|on|in|around|covering|per|when|whenever|if)\s)"
        ),
        scope="lead",
    ),
    WordingPattern(
        "wording-not-specific",
        "some kind of",
        "'some kind of' / 'some sort of' leaves the thing itself undecided",
        _re(r"\bsome\s+(?:kind|sort|form|type)\s+of\b"),
    ),
    WordingPattern(
        "wording-not-specific",
        "open-ended review",
        "a review of everything, or a hunt for 'remaining issues', has no scope and no end",
        _re(
            r"\b(?:comprehensive|holistic|general|overall|full|thorough|broad)\s+(?:review|audit|assessment|analysis|"
            r"evaluation)\b|\bidentify\s+(?:any\s+|all\s+|the\s+)?(?:remaining|other|potential|possible|further|"
            r"additional|similar|more)\s+(?:[\w-]+\s+)?(?:bottlenecks|issues|problems|gaps|risks|weaknesses|"
            r"improvements|areas|opportunities)\b"
        ),
    ),
    WordingPattern(
        "wording-not-specific",
        "generic problem",
        "'address the issues' does not say what changes",
        _re(
            rf"{PREFIX}(?:address|tackle|work\s+on|deal\s+with|fix|resolve)\s+(?:the\s+|these\s+|this\s+|those\s+|"
            r"such\s+|similar\s+|any\s+|all\s+)?(?:issues?|problems?|concerns?|gaps?|weaknesses|findings)\s*[.!]?$"
        ),
        scope="lead",
    ),
    WordingPattern(
        "wording-not-specific",
        "verb and a degree",
        "'Test more' / 'communicate better' has a verb but no object",
        _re(
            r"^(?:test|monitor|document|communicate|alert|review|check|deploy|plan|prepare|coordinate|practice|"
            r"train|verify|validate)\s+(?:more|harder|properly|carefully)\s*(?:often)?\s*[.!]?$"
        ),
        scope="lead",
    ),
    # --- not measurable: no end state a reviewer can verify
    WordingPattern(
        "wording-not-measurable",
        "comparative",
        "'better', 'faster', 'more robust' without a target cannot be checked",
        check=comparative,
    ),
    WordingPattern(
        "wording-not-measurable",
        "change without amount",
        "'reduce' or 'increase' without a number or limit has no point at which it is done",
        check=unquantified_change,
    ),
    WordingPattern(
        "wording-not-measurable",
        "quality adjective",
        "'robust', 'easy to maintain', 'high quality' state a wish, not a check",
        _re(
            r"\b(?:is|are|be|being|become|becomes|remain|remains|stay|stays)\s+(?:\w+\s+)?(?:high[\s-]quality|easy|"
            r"robust|reliable|resilient|stable|maintainable|user[\s-]friendly|intuitive|seamless|bulletproof|"
            r"foolproof|performant|scalable|well[\s-]\w+)\b"
        ),
        scope="main",
    ),
    WordingPattern(
        "wording-not-measurable",
        "manner adverb",
        "'gracefully', 'properly' or 'as soon as possible' leave the wanted behaviour unnamed",
        _re(
            r"\b(?:gracefully|properly|correctly|appropriately|adequately|sufficiently|promptly|quickly|swiftly|"
            r"smoothly|seamlessly|efficiently|in\s+a\s+timely\s+(?:manner|fashion)|as\s+(?:soon|much|fast|"
            r"quickly|early|many|little|few)\s+as\s+possible)\b|\b(?:minimi[sz]e|maximi[sz]e)\b"
        ),
        scope="main",
    ),
    # --- not achievable: absolutes nobody can finish
    WordingPattern(
        "wording-not-achievable",
        "absolute",
        "'eliminate all', 'never again', 'zero downtime' cannot be completed or verified",
        _re(
            r"\b(?:eliminate|prevent|avoid|stop|remove)\s+(?:all|any|every)\b|\bnever\s+(?:again|happens?|recurs?|"
            r"occurs?|fails?|breaks?|goes\s+down)\b|\b(?:does|do|will|can|could)\s*(?:n'?o?t)\s+(?:happen|recur|occur)"
            r"\s+again\b|\bzero\s+(?:downtime|incidents?|outages?|errors?|bugs?|failures?)\b|(?<!with a )\b100\s*%\s*(?:uptime|"
            r"availab\w*|reliab\w*)|\bno\s+(?:more|further|future)\s+(?:incidents?|outages?|downtime|failures?)\b|"
            r"\b(?:ensure|guarantee|make\s+sure)\s+(?:that\s+)?(?:\w+\s+){0,3}(?:always|never)\b|"
            r"\b(?:bulletproof|foolproof)\b|\bcompletely\s+(?:eliminate|prevent|avoid)\b|"
            r"\b(?:ever\s+|nothing\s+(?:like\s+\w+\s+)?)(?:happens?|recurs?|occurs?)\s+again\b"
        ),
    ),
)


# The class of vagueness each of the first patterns belongs to (the wording model weighs classes).
RULE_ORDER = (
    "wording-not-actionable",
    "wording-non-committal",
    "wording-not-specific",
    "wording-not-measurable",
    "wording-not-achievable",
)
_CLASS_OF = {
    "call for care": "training",
    "watching": "training",
    "fix aimed at people": "training",
    "no action": "link",
    "hindsight": "outcome",
    "hedge": "explore",
    "find a way": "hedge",
    "speculation": "hedge",
    "discussion": "discussion",
    "open investigation": "explore",
    "improve without end state": "improve",
    "category only": "generic",
    "unspecified set": "generic",
    "some kind of": "generic",
    "open-ended review": "generic",
    "generic problem": "generic",
    "verb and a degree": "generic",
    "comparative": "comparison",
    "change without amount": "unmeasured",
    "quality adjective": "unmeasured",
    "manner adverb": "unmeasured",
    "absolute": "unbounded",
}
# The classes a proper name can answer: which thing ("Add monitoring" of what?), which option to explore,
# what the question or the link is about. Training, wishes, hedges, meetings and outcomes it cannot.
_NAME_ANSWERS = frozenset(
    {"generic", "improve", "comparison", "unmeasured", "unbounded", "topic", "explore", "question", "link"}
)
# A label names its subject by design ("Read/write path separation"): not a topic or an outcome.
_NOT_FOR_LABELS = frozenset({"topic", "outcome", "link"})
PATTERNS: tuple[WordingPattern, ...] = (
    *(replace(pattern, cls=_CLASS_OF[pattern.name]) for pattern in _WRITTEN_FIRST),
    *CLASS_PATTERNS,
)


@dataclass(frozen=True)
class WordingMatch:
    """A wording pattern that fired, with the words that made it fire."""

    rule: str
    pattern: str
    why: str
    matched: str


def wording_matches(title: str, description: str | None = None) -> list[WordingMatch]:
    """The wording patterns behind a "vague" verdict, in rule order; empty when the item is not vague.

    A description is read only for a bold-label title (`**Label**: explanation`), as the label's explanation.
    """
    raw = f"**{title}**: {description}" if description else title
    fired, present = _analyse(raw, held_out())
    return list(fired) if decide(present) else []


def features(title: str, description: str | None = None) -> frozenset[str]:
    """The classes of vagueness and the concreteness signals found in an item (the model's inputs)."""
    return _analyse(f"**{title}**: {description}" if description else title, held_out())[1]


def signals(title: str) -> dict[str, str]:
    """Each concreteness signal found, with the words that show it (for explanations and the bench)."""
    text = ItemText(title)
    found = {name: detect(text) for name, detect in CONCRETE}
    return {name: words for name, words in found.items() if words}


@lru_cache(maxsize=8192)
def _analyse(raw: str, held: str | None = None) -> tuple[tuple[WordingMatch, ...], frozenset[str]]:
    """What fires on `raw`; `held` (the organisation a benchmark holds out) is part of the cache key only."""
    text = ItemText(raw)
    fired: list[WordingMatch] = []
    present: set[str] = set()
    # A label ("**Better alerting**: ...") is also read as an item of its own: it is what the item is called.
    label = ItemText(text.label) if text.label else None
    # A label that is itself an action ("**Verify cron runs on db-2**: we need to ...") is judged alone:
    # what follows it is the rationale, and a wish in the rationale does not make the action vague.
    judged = label if label is not None and _action_label(label) else text
    for pattern in PATTERNS:
        matched = pattern.find(judged)
        if not matched and judged is text and label is not None and pattern.feature not in _NOT_FOR_LABELS:
            # A label is a goal ("Faster rollback"); an explanation that is a command is the action judged.
            matched = None if verb_first(text.lead) else pattern.find(label)
        if matched and pattern.feature == "hedge" and asked_by_investigation(judged, matched):
            continue
        if matched:
            fired.append(WordingMatch(pattern.rule, pattern.name, pattern.why, matched))
            present.add(pattern.feature)
    for name, detect in CONCRETE:
        if detect(text):
            present.add(name)
    if not present & _NAME_ANSWERS:
        # A name says which system or team; it does not turn teaching into a change, a wish into a decision
        # or a meeting into its outcome ("Teach the Product Owners ...", "Identify a path away from ADFS").
        # A named artefact still counts: "Train on-call on the failover runbook" says what is taught.
        present.discard("named")
    order = {rule: index for index, rule in enumerate(RULE_ORDER)}
    fired.sort(key=lambda m: order[m.rule])
    return tuple(fired), frozenset(present)


def _action_label(label: ItemText) -> bool:
    """A label that is itself an action ("Pin the chart to 4.8.3"), not a subject ("Monitoring", "Testing
    strategy": a gerund naming an area, whose explanation carries the action)."""
    words = label.words
    if len(words) < 2 or not verb_first(label.lead):
        return False
    return not words[0].lower().endswith("ing") or words[1].lower() in (
        "the",
        "a",
        "an",
        "our",
        "all",
        "each",
    )


def is_vague(title: str, description: str | None = None) -> bool:
    """True when the wording model calls the item vague (the definition the accuracy benchmarks measure)."""
    return bool(wording_matches(title, description))


__all__ = [
    "PATTERNS",
    "WordingMatch",
    "WordingPattern",
    "features",
    "is_vague",
    "signals",
    "wording_matches",
]
