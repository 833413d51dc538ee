"""Classes of vague wording and signals of concreteness: the inputs the wording model weighs."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from tracker.lint.concrete import CONCRETE, done_statement
from tracker.lint.text import ItemText
from tracker.lint.verbs import IRREGULAR, MODIFIERS, VERB_FORM, is_verb, verb_first
from tracker.lint.wording_checks import comparison
from tracker.provenance import GENERIC, Shaped

__all__ = ["CLASS_PATTERNS", "CONCRETE", "WordingPattern", "verb_first"]


@dataclass(frozen=True)
class WordingPattern:
    """One transparent wording check: the rule it feeds, its class of vagueness, what it looks for and why."""

    rule: str
    name: str
    why: str
    regex: re.Pattern[str] | None = None
    scope: str = "analysed"  # analysed | lead | main | head
    check: Callable[[ItemText], str | None] | None = None
    cls: str = ""  # the class of vagueness (a feature of the wording model); defaults to the rule
    shaped: Shaped = GENERIC  # the organisations whose items this pattern was written from

    def find(self, text: ItemText) -> str | None:
        if not self.shaped.active:
            return None  # the benchmark is holding out the only organisation behind this pattern
        if self.check is not None:
            return self.check(text)
        assert self.regex is not None
        # A label and the action's main clause are read apart, so "^..." anchors at the start of each.
        parts = (text.label or "", text.main) if self.scope == "head" else (getattr(text, self.scope),)
        for part in parts:
            match = self.regex.search(part)
            if match:
                return match.group(0).strip()
        return None

    @property
    def feature(self) -> str:
        return self.cls or self.rule


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# Parts of `outcome` written from one organisation's items each (switched off while it is held out).
_PROBLEM_SHAPED = Shaped("ethereum")  # "Blocks being irregular"
_NEGATED_SHAPED = Shaped("etcd-io")  # "features are not abandoned"
_RESULT_SHAPED = Shaped("ecadinfra")  # "assessment prevented interventions"


def outcome(text: ItemText) -> str | None:
    """A state or result with no action that brings it about ("X is easy to maintain", "Y are not lost")."""
    lead = text.lead
    if not lead or verb_first(lead):
        return None
    problem = re.match(r"(?:[\w/&'-]+\s+){1,5}being\s+(?:\w+ly\s+)?\w+", lead, re.IGNORECASE)
    if problem and _PROBLEM_SHAPED.active:
        return problem.group(0)  # "Blocks being irregular": a problem stated, no change named
    match = re.search(
        r"\b(?:is|are|remains?|stays?|becomes?|gets?|(?:should|must|will|can)\s+(?:always\s+)?be|(?:is|are)\s+now)"
        r"\s+(?:not\s+|never\s+|always\s+|now\s+)?(?:\w+ly\s+)?(?!\d)(?P<state>\w+)",
        text.main,
        re.IGNORECASE,
    )
    if match:
        state, negated = match["state"].lower(), bool(re.search(r"\b(?:not|never)\b", match.group(0), re.I))
        passive = state.endswith(("ed", "en", "ing")) or state in IRREGULAR
        function_word = state in (
            "to",
            "a",
            "an",
            "the",
            "that",
            "in",
            "on",
            "at",
            "for",
            "of",
            "going",
            "able",
        )
        if not function_word and ((negated and _NEGATED_SHAPED.active) or not passive):
            return match.group(
                0
            )  # a passive ("is updated to ...") reports a change; "are not abandoned" is a wish
    result = re.search(
        r"^(?!we\b|i\b)(?:[\w/&-]+\s+){1,4}(?P<verb>confirmed|prevented|helped|allowed|ensured|proved|showed|"
        r"demonstrated|revealed|avoided|limited|kept|saved)\b",
        lead,
        re.IGNORECASE,
    )
    return result.group(0) if result and _RESULT_SHAPED.active else None


def topic(text: ItemText) -> str | None:
    """A noun phrase with no verb: the item names a subject ("Observability improvements"), not work."""
    if text.label is not None:
        return None  # a label names the subject by design; its explanation carries the action
    lead = text.lead.strip(" .")
    words = lead.split()
    if not words or len(words) > 9 or verb_first(lead):
        return None
    if re.search(
        rf"\b(?:to|will|should|must|is|are|was|were|has|have|had|can|could|would|need|needs)\b|\b{VERB_FORM}\s+"
        r"(?:the|a|an|our|all|its|their|it|them)\b",
        lead,
        re.IGNORECASE,
    ):
        return None
    if re.search(r"\b\w+ed\s+(?:to|by|from|on|in|for)\b", lead) and not re.match(
        rf"{MODIFIERS}\b", lead, re.I
    ):
        return None  # "Alerts scheduled for ...": a done statement with its verb after the noun
    if done_statement(text) or any(is_verb(w) and w.lower().endswith("s") for w in words[1:3]):
        return None  # "etcd detects X": a verb after a one-word subject
    return lead


# Words that only point somewhere ("[Tracking issue](url)", "See the ticket"), not say what to do.
_POINTER_WORD = re.compile(
    r"see|also|tracking|tracked|tracker|issues?|tickets?|bugs?|prs?|pull|requests?|jira|github|gitlab|links?|here|"
    r"follow-?up|follow|up|card|epic|story|task|this|the|in|at|for",
    re.IGNORECASE,
)


_CONTINUE = _re(
    r"\bcontinu(?:e|es|ing)\s+(?:(?:to|with)\s+\w+|\w+ing\b)|\bkeep(?:s|ing)?\s+(?:on\s+)?\w+ing\b|\bongoing\b|"
    r"\bstill\s+working\b|\bon\s+an\s+ongoing\s+basis\b|\bover\s+time\b|"
    r"\bkeep(?:s|ing)?\s+(?:\w+\s+){0,2}(?:informed|updated|posted|aware|in\s+the\s+loop|up\s+to\s+date)\b"
)


def continuation(text: ItemText) -> str | None:
    """Work with no point at which it is done ("continue to monitor X"), unless the item says when it stops."""
    for part in (text.label or "", text.main):
        match = _CONTINUE.search(part)
        if match and not re.search(
            r"\b(?:until|till|through|for\s+(?:the\s+)?(?:next\s+)?\d+)\b", text.lead, re.I
        ):
            return match.group(0)
    return None


# Who is taught or reminded: people in the organisation (not "the model", not a customer in a ticket).
_PEOPLE = (
    r"(?:(?:the|our|all|every|each|new|other|relevant|any)\s+){0,2}(?:[\w-]+\s+)?(?:engineers?|developers?|devs|"
    r"people|everyone|everybody|team|teams|staff|operators|on-?call(?:ers)?|responders|contributors|maintainers|"
    r"members|folks|colleagues|sres?|admins|hires|reviewers|rota|support|employees|ourselves|us|them)\b"
)


def link_or_ticket_only(text: ItemText) -> str | None:
    """No words of its own: only a link, a ticket number or 'see #123'."""
    words = [w for w in text.words if len(w) > 1]
    if len(words) < 2:
        return "no action text, only a link"
    if all(_POINTER_WORD.fullmatch(w) for w in words) and re.search(
        r"\]\(|https?://|#\d|[A-Z]+-\d", text.raw
    ):
        return "only a pointer to a ticket or a link"
    if re.fullmatch(
        r"\s*(?:see|tracked\s+(?:in|as|by)|follow[- ]?up\s+in|ticket|issue|bug|pr|jira|card)?\s*:?\s*"
        r"(?:#\d+|[A-Z][A-Z0-9]+-\d+|[\w-]+/[\w.-]+#\d+)[\s.,;]*(?:(?:and|,)\s*(?:#\d+|[A-Z][A-Z0-9]+-\d+)\s*)*",
        text.plain,
        re.IGNORECASE,
    ):
        return "only a ticket reference"
    return None


def question(text: ItemText) -> str | None:
    """The item asks rather than decides."""
    lead = text.label_or_lead
    if re.search(r"\?\s*$", lead) and not verb_first(lead):
        return lead[-40:]
    match = re.match(
        r"(?:how|what|why|whether|which|should\s+we|can\s+we|could\s+we|do\s+we|does\s+\w+|is\s+there|are\s+there|"
        r"shall\s+we|is\s+it|would\s+it)\b",
        lead,
        re.IGNORECASE,
    )
    return match.group(0) if match else None


CLASS_PATTERNS: tuple[WordingPattern, ...] = (
    WordingPattern(
        "wording-non-committal",
        "aspiration",
        "'we need', 'should', 'try to', 'aim to' state a wish; the item should state what will be done",
        _re(
            r"^(?:we|i|they|the\s+team|teams?)\s+(?:really\s+|probably\s+|also\s+|still\s+)?(?:need|needs|"
            r"should|want|ought|would\s+like|have\s+to|must)\b|^(?:need|needs)\s+to\b|^should\b(?!\s+(?:the|a|an|this|that|any|it|its|there)\b)|"
            # "before trying to use X" says when, not what is hoped for
            r"(?<!before\s)(?<!after\s)(?<!when\s)(?<!while\s)(?<!without\s)"
            r"\b(?:try|trying|tries|aim|aiming|aims|strive|striving|attempt|hope|hoping|seek)\s+to\b|"
            r"\bin\s+the\s+future\b|\bideally\b|\bwould\s+(?:help|be\s+(?:ideal|better|best|good))\b"
        ),
        scope="head",
        cls="aspiration",
    ),
    WordingPattern(
        "wording-non-committal",
        "aspiration (going forward)",
        "'going forward we should endeavour to' promises effort, not a change",
        _re(r"\bgoing\s+forward\b|\bendeavou?r\s+to\b"),
        scope="head",
        cls="aspiration",
        shaped=Shaped("cheqd"),
    ),
    WordingPattern(
        "wording-non-committal",
        "aspiration (likely need)",
        "'we likely need', 'sounds like we need' guess at a need instead of deciding",
        _re(r"^(?:we|i)\s+likely\s+need\b|\bwe\s+(?:likely|probably)\s+need\b|\bsounds\s+like\b"),
        scope="head",
        cls="aspiration",
        shaped=Shaped("hachyderm"),
    ),
    WordingPattern(
        "wording-non-committal",
        "hedged options",
        "'maybe', 'not sure', 'change anything', 'if we can' keep the options open instead of choosing one",
        _re(r"\bmaybe\b|\bperhaps\b|\bif\s+(?:we\s+)?(?:can|could)\b"),
        scope="head",
        cls="hedge",
    ),
    WordingPattern(
        "wording-non-committal",
        "hedged options (anything)",
        "'whether we could change anything', 'not sure' leave open what, if anything, will change",
        _re(
            r"\bnot\s+sure\b|\b(?:change|do|improve|fix)\s+anything\b|\bwhether\s+we\s+(?:could|can|should)\b|"
            r"\blook\s+deeper\b"
        ),
        scope="head",
        cls="hedge",
        shaped=Shaped("edgi-govdata-archiving", "hachyderm"),
    ),
    WordingPattern(
        "wording-non-committal",
        "exploration",
        "'identify ways', 'explore options', 'look deeper' search for an answer instead of committing to one",
        _re(
            r"\b(?:identify|find|explore|investigate|look\s+(?:into|at|for)|consider|research|spike|evaluate|assess)\s+"
            r"(?:\w+\s+)?(?:ways?|"
            r"options|possibilit(?:y|ies)|alternatives|opportunities|approaches)\b|"
            r"^(?:explore|look\s+into|research)\b"
        ),
        scope="head",
        cls="explore",
    ),
    WordingPattern(
        "wording-non-committal",
        "continuation",
        "'continue to', 'keep doing', 'we are working on' describe work that never finishes",
        check=continuation,
        cls="continuation",
    ),
    WordingPattern(
        "wording-non-committal",
        "work in progress",
        "'we are improving', 'we are working on' report effort under way, with no point at which it is done",
        _re(
            r"^(?:we\s+are|we're|we\s+have\s+been|are|is)\s+(?:\w+\s+)?(?!\w*ed\b)\w+ing\b|"
            r"\bare\s+working\s+(?:on|to|towards)\b"
        ),
        scope="head",
        cls="continuation",
        shaped=Shaped("homebrew", "hexpm"),
    ),
    WordingPattern(
        "wording-non-committal",
        "question",
        "a question is not a decision: say what will be done once it is answered",
        check=question,
        cls="question",
    ),
    WordingPattern(
        "wording-non-committal",
        "discussion without decision",
        "'discuss', 'align', 'agree on' describe a meeting, not its outcome",
        _re(
            r"\b(?:discuss(?:ed|es|ing)?|debate[ds]?|align(?:ed|ing)?\s+(?:on|with|around)|agree(?:d)?\s+on|"
            r"come\s+to\s+(?:an\s+)?agreement|talk(?:ed)?\s+(?:about|through)|have\s+a\s+(?:conversation|chat|"
            r"discussion)|(?:schedule|hold|organi[sz]e|arrange|set\s+up|book)\s+(?:a|an)\s+(?:\w+\s+)?(?:discussion|"
            r"meeting|conversation|chat)|sync(?:\s+up)?\s+(?:on|about)|brainstorm\w*)\b(?!.*\b(?:decide|document\w*|write|record|"
            r"publish|adr)\b)"
        ),
        scope="head",
        cls="discussion",
    ),
    WordingPattern(
        "wording-not-actionable",
        "outcome",
        "states a result or a state, not the change that brings it about",
        check=outcome,
        cls="outcome",
    ),
    WordingPattern(
        "wording-not-actionable",
        "topic",
        "names a subject, not something to do",
        check=topic,
        cls="topic",
        shaped=Shaped("ecadinfra", "govuk-one-login"),
    ),
    WordingPattern(
        "wording-not-actionable",
        "ticket only",
        "the item has no words of its own, only a ticket reference",
        check=link_or_ticket_only,
        cls="link",
    ),
    WordingPattern(
        "wording-not-actionable",
        "training and awareness",
        "teaching, reminding or emphasising changes what people know, not what the system does",
        _re(
            rf"\b(?:train|remind|encourage|onboard)(?:es|s|ed|ing)?\s+{_PEOPLE}|\b(?:teach|coach|educate)\w*\b|"
            r"\blearning\s+(?:path|plan|sessions?)\b|\bupskill\w*|"
            r"\b(?:training|awareness|onboarding|emphasi[sz]e|emphasi[sz]ing|stress\s+the\s+importance|"
            r"make\s+(?:people|everyone|engineers|the\s+team)\s+(?:aware|understand)|knowledge[\s-]shar\w*)\b"
        ),
        scope="head",
        cls="training",
    ),
    WordingPattern(
        "wording-not-measurable",
        "comparison without a target",
        "'more', 'additional', 'even more', 'enhanced' compare with today without saying how much",
        check=comparison,
        cls="comparison",
    ),
    WordingPattern(
        "wording-not-specific",
        "improvement noun",
        "'improvements', 'enhancements', 'refining' name a direction, not a change",
        _re(
            r"\b(?:improvements?|enhancements?|optimi[sz]ations?|refinements?|refin(?:e|es|ing)|improving|enhancing|"
            r"strengthening|streamlining|hardening|upgrades?\s+to\s+(?:our|the)\s+process)\b"
        ),
        scope="head",
        cls="improve",
    ),
    WordingPattern(
        "wording-not-specific",
        "unspecified object",
        "'some docs', 'around incidents', 'a certain period' leave the thing or the amount undecided",
        _re(
            r"\bsome\s+(?:docs?|documentation|tooling|process(?:es)?|alerts?|monitoring|tests?|changes|improvements|"
            r"guidance|tools?|mechanism|solution)\b|\b(?:docs?|documentation|guidance|something)\s+(?:around|about|"
            r"regarding|on)\s+(?:incidents?|issues|this|that|it)\b|\ba\s+certain\s+(?:time\s+)?(?:period|amount|"
            r"number|threshold|level|time|point|window)\b"
        ),
        cls="generic",
    ),
    WordingPattern(
        "wording-not-achievable",
        "unbounded scope",
        "'similar issues', 'anything', 'all problems' have no edge: nobody can say when they are done",
        _re(
            r"\b(?:everything|anything|every\s+(?:possible|potential|single))\b|\ball\s+(?:of\s+)?(?:the\s+|our\s+)?"
            r"(?:(?:known|remaining|outstanding|existing|other|open|potential|possible|future)\s+)?"
            r"(?:issues|problems|risks|cases|scenarios|edge\s+cases|failures|incidents|bugs|errors|gaps|"
            r"vulnerabilities|weaknesses)\b|\ball\s+(?:of\s+)?(?:the\s+|our\s+)?(?:flaky|failing|broken|noisy)\s+\w+|"
            r"\b(?:ensure|make\s+sure|guarantee)\s+(?:that\s+)?(?:all|every|each)\s+(?:[\w-]+\s+){1,2}(?:is|are)\s+\w+"
        ),
        cls="unbounded",
    ),
    WordingPattern(
        "wording-not-achievable",
        "unbounded scope (similar issues)",
        "'similar issues', 'as near identical as possible' have no edge: nobody can say when they are done",
        _re(
            r"\b(?:similar|such|these\s+kinds?\s+of|this\s+kind\s+of|these\s+types?\s+of|any\s+(?:such|similar|"
            r"future|other))\s+(?:\w+\s+)?(?:issues?|problems?|incidents?|outages?|failures?|errors?|situations?|"
            r"events?)\b|\bas\s+(?:near|close|much|many|identical)\b.*\bas\s+possible\b"
        ),
        cls="unbounded",
        shaped=Shaped("edgi-govdata-archiving", "cheqd"),
    ),
)
