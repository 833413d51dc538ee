"""Classes of vague wording and signals of concreteness: the inputs the wording model weighs."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from tracker.lint.text import ItemText
from tracker.provenance import GENERIC, Shaped


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


# Words that start an action: the first word of "Add X", "Pin Y", and of done statements ("Restored X").
ACTION_VERBS = (
    "add|remove|create|write|build|implement|introduce|document|update|upgrade|migrate|move|change|configure|"
    "set|enable|disable|deploy|fix|test|run|alert|monitor|review|audit|automate|replace|rotate|pin|revert|"
    "delete|rename|split|increase|decrease|reduce|lower|raise|limit|restrict|block|backfill|schedule|train|"
    "publish|define|establish|investigate|gather|make|ensure|switch|scale|refactor|rewrite|track|page|notify|"
    "send|require|verify|validate|check|use|adopt|deprecate|drop|clean|archive|restore|patch|tune|mark|"
    "install|expose|extend|separate|freeze|cap|drain|cordon|provision|backport|release|announce|share|"
    "communicate|contact|file|open|close|assign|hire|prepare|practice|simulate|collect|modify|provide|store|"
    "support|handle|apply|perform|conduct|hold|organi[sz]e|nominate|start|stop|declare|bind|protect|pass|"
    "distribute|suggest|identify|debug|correct|plan|formali[sz]e|coordinate|repeat|restart|log|triage|initiate|"
    "develop|resubmit|re-submit|re-enable|reenable|come|get|keep|have|give|put|do|write|let|allow|prevent|"
    "avoid|stop|ask|look|find|try|consider|explore|discuss|improve|enhance|harden|streamline|strengthen|"
    "optimi[sz]e|refine|rework|revamp|overhaul|increase|reduce|minimi[sz]e|maximi[sz]e|eliminate|request|"
    "remind|teach|educate|emphasi[sz]e|encourage|align|agree|meet|think|figure|research|evaluate|assess|"
    "include|integrate|consolidate|isolate|lift|retry|reboot|redeploy|rebuild|recreate|reconfigure|roll|"
    "wrap|annotate|label|tag|expire|renew|revoke|grant|deny|reject|accept|approve|merge|squash|bump|vendor|"
    "detect|recover|respond|catch|emit|warn|fail|abort|retire|split|shard|cache|queue|throttle|quarantine|"
    "come|set|put|cut|run|write|make|take|send|build|keep|hold|give|find|get"
)
_VERBS = frozenset(ACTION_VERBS.replace("[sz]", "s").split("|")) | frozenset(
    ACTION_VERBS.replace("[sz]", "z").split("|")
)
_IRREGULAR = frozenset(
    [
        "built",
        "made",
        "ran",
        "wrote",
        "sent",
        "took",
        "began",
        "set",
        "put",
        "cut",
        "kept",
        "held",
        "gave",
        "found",
        "got",
        "came",
    ]
)


def is_verb(word: str) -> bool:
    """A form of an action verb: 'add', 'adds', 'added', 'adding', 'requiring', 'logged', 'applied'."""
    w = word.lower()
    if w in _VERBS or w in _IRREGULAR:
        return True
    for suffix, replacements in (
        ("ing", ("", "e")),
        ("ied", ("y",)),
        ("ies", ("y",)),
        ("ed", ("", "e")),
        ("es", ("",)),
        ("s", ("",)),
        ("d", ("",)),
    ):
        if w.endswith(suffix) and len(w) > len(suffix) + 1:
            stem = w[: -len(suffix)]
            for extra in replacements:
                if stem + extra in _VERBS:
                    return True
            if suffix in ("ing", "ed") and len(stem) > 2 and stem[-1] == stem[-2] and stem[:-1] in _VERBS:
                return True  # "logged", "stopping"
    return False


_VERB_FORM = rf"(?:{ACTION_VERBS})(?:s|es|d|ed|ing)?"
# Participles that usually modify a noun ("Enhanced monitoring", "Automated detection"), not report work.
_MODIFIERS = (
    r"(?:automated|automatic|enhanced|improved|increased|reduced|additional|better|proactive|dedicated|"
    r"centrali[sz]ed|expanded|extended|comprehensive|robust|stronger|faster|more|further|proper|regular|"
    r"continuous|periodic|quarterly|monthly|weekly|daily|baseline|critical|general|overall|new)"
)
# Who does it: "Ed to", "@x will", "We", "The team": an opening before the verb that changes nothing.
_OPENING = re.compile(
    r"^(?:(?:[@\w.'-]+(?:\s+(?:and|&|\+)\s+[@\w.'-]+)?)\s+(?:to|will|shall|is\s+going\s+to)\s+|"
    r"(?:we|i|they|you)\s+(?:(?:will|shall|must|should|need\s+to|have|had|also|then|now|already)\s+)*)",
    re.IGNORECASE,
)


def verb_first(sentence: str) -> bool:
    body = _OPENING.sub("", sentence, count=1)
    if re.match(rf"{_MODIFIERS}\b", body, re.IGNORECASE) and not re.match(
        rf"{_MODIFIERS}\s+(?:the|a|an|our|all)\b", body, re.IGNORECASE
    ):
        return False
    words = re.findall(r"[A-Za-z][\w'-]*", body)[:2]
    if words and words[0].lower().endswith("ly") and len(words) > 1:
        words = words[1:]  # "Systematically cordon ..."
    return bool(words) and is_verb(words[0])


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
        passive = state.endswith(("ed", "en", "ing")) or state in _IRREGULAR
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
        rf"\b(?:to|will|should|must|is|are|was|were|has|have|had|can|could|would|need|needs)\b|\b{_VERB_FORM}\s+"
        r"(?:the|a|an|our|all|its|their|it|them)\b",
        lead,
        re.IGNORECASE,
    ):
        return None
    if re.search(r"\b\w+ed\s+(?:to|by|from|on|in|for)\b", lead) and not re.match(
        rf"{_MODIFIERS}\b", lead, re.I
    ):
        return None  # "Alerts scheduled for ...": a done statement with its verb after the noun
    if done_statement(text) or any(is_verb(w) and w.lower().endswith("s") for w in words[1:3]):
        return None  # "etcd detects X": a verb after a one-word subject
    return lead


def link_or_ticket_only(text: ItemText) -> str | None:
    """No words of its own: only a link, a ticket number or 'see #123'."""
    words = [w for w in text.words if len(w) > 1]
    if len(words) < 2:
        return "no action text, only a link"
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


_MORE_OF = _re(
    r"\b(?:even\s+more|more|additional|extra|further|increased|enhanced|improved|greater|higher|fewer|less)\s+"
    r"(?:\w+\s+)?(?:visibility|insight|insights|coverage|monitoring|alerting|alerts|tests|testing|checks|"
    r"observability|transparency|awareness|resilience|reliability|robustness|capacity|redundancy|"
    r"safeguards|safety|stability|confidence|communication|documentation|automation|people|resources|"
    r"quickly|often|detail|context|control|oversight|scrutiny|rigou?r|care)\b"
)


def comparison(text: ItemText) -> str | None:
    """More of something with no amount ("more visibility", "additional checks"), unless a target or plan follows."""
    from tracker.lint.wording_checks import PLAN

    for part in (text.label or "", text.main):
        match = _MORE_OF.search(part)
        if match and not text.has_target and not PLAN.search(text.action):
            return match.group(0)
    return None


CLASS_PATTERNS: tuple[WordingPattern, ...] = (
    WordingPattern(
        "wording-non-committal",
        "aspiration",
        "'we need', 'should', 'try to', 'aim to' state a wish; the item should state what will be done",
        _re(
            r"^(?:we|i|they|the\s+team|teams?)\s+(?:really\s+|probably\s+|also\s+|still\s+)?(?:need|needs|"
            r"should|want|ought|would\s+like|have\s+to|must)\b|^(?:need|needs)\s+to\b|^should\b|"
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
            r"\b(?:identify|find|explore|investigate|look\s+(?:into|at|for)|consider|research)\s+(?:\w+\s+)?(?:ways?|"
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
        _re(
            r"\bcontinu(?:e|es|ing)\s+(?:to\s+|with\s+)?\w+|\bkeep(?:s|ing)?\s+(?:on\s+)?\w+ing\b|\bongoing\b|"
            r"\bstill\s+working\b|\bon\s+an\s+ongoing\s+basis\b|\bover\s+time\b"
        ),
        scope="head",
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
            r"discussion)|sync(?:\s+up)?\s+(?:on|about)|brainstorm\w*)\b(?!.*\b(?:decide|document\w*|write|record|"
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
            r"\b(?:teach|teaching|train|training|educate|educating|remind|reminding|emphasi[sz]e|emphasi[sz]ing|"
            r"stress\s+the\s+importance|make\s+(?:people|everyone|engineers|the\s+team)\s+(?:aware|understand)|"
            r"awareness|onboard(?:ing)?|coach|coaching|encourage|encouraging|knowledge[\s-]shar\w*)\b"
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
            r"\b(?:everything|anything|every\s+(?:possible|potential|single))\b|\ball\s+(?:the\s+)?"
            r"(?:issues|problems|risks|cases|scenarios|edge\s+cases|failures|incidents|bugs|errors|gaps)\b"
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


# -- concreteness: what makes an item checkable, whatever soft words it also uses

_CODE = re.compile(
    r"`[^`]+`|\b[a-z]+_[a-z0-9_]+\b|\b[a-z]+[A-Z][A-Za-z]+\b|\b[A-Z][a-z]+[A-Z][A-Za-z]*\b|\b\w+\.\w+\.\w+\b|"
    r"\b[\w-]+\.(?:py|js|ts|go|rb|ya?ml|json|toml|sh|conf|md|sql|tf)\b|(?<!\w)/[\w.-]+/[\w./-]*|(?<!\w)--[a-z][\w-]+|"
    r"\b[A-Z]{2,}_[A-Z_]+\b"
)
# Acronyms of three letters or fewer (API, SSL, CI) name a kind of thing, not a particular one.
_NAMED = re.compile(r"(?<![.!?:]\s)(?<!^)\b(?:[A-Z][a-z]*[A-Z0-9][\w-]*|[A-Z]{4,}[\w-]*|[A-Z][a-z]{2,})\b")
_NOT_NAMES = frozenset(
    [
        "I",
        "We",
        "The",
        "This",
        "That",
        "These",
        "Those",
        "Our",
        "It",
        "Its",
        "If",
        "When",
        "Then",
        "And",
        "Or",
        "But",
        "For",
        "To",
        "In",
        "On",
        "At",
        "By",
        "With",
        "All",
        "Each",
        "Every",
        "Any",
        "Some",
        "No",
        "Not",
        "Also",
        "As",
        "So",
        "Note",
        "Going",
        "Forward",
        "Make",
        "Sure",
        "Add",
        "Use",
        "Set",
        "Monitor",
        "Team",
        "Teams",
        "Issue",
        "Issues",
        "PR",
        "Link",
        "Update",
        "Done",
        "TODO",
        "Suggestion",
        "Solution",
        "Suggested",
        "While",
        "However",
        "Although",
        "Since",
        "Because",
        "Right",
        "Now",
    ]
)


def code_identifier(text: ItemText) -> str | None:
    match = _CODE.search(text.unlinked)
    return match.group(0) if match else None


def named_thing(text: ItemText) -> str | None:
    """A proper name or acronym that is not the first word of a sentence (a product, a service, a place)."""
    body = text.action
    for match in _NAMED.finditer(body):
        if match.group(0) not in _NOT_NAMES:
            return match.group(0)
    return None


_ARTEFACT = _re(
    r"\b(?:the|a|an|our|this|that|each|every|new)\s+(?:[\w/-]+\s+){1,3}(?:runbooks?|playbooks?|checklists?|"
    r"dashboards?|adrs?|templates?|pipelines?|scripts?|cron\s*jobs?|configs?|config\s+files?|endpoints?|queues?|"
    r"tables?|index|indexes|buckets?|clusters?|nodes?|pods?|service\s+accounts?|feature\s+flags?|linters?|"
    r"hooks?|webhooks?|channels?|rotations?|panels?|jobs?|repositor(?:y|ies)|branch(?:es)?|firewall|api|"
    r"database|server|hosts?|certificates?|keys?|tokens?|logs?|wrapper|function|module|library|package)\b"
)


def named_artefact(text: ItemText) -> str | None:
    """A particular thing the change touches ("the failover runbook", "the deploy pipeline")."""
    match = _ARTEFACT.search(text.analysed)
    return match.group(0) if match else None


def number_or_target(text: ItemText) -> str | None:
    if text.has_target:
        return "a number with a unit or threshold"
    words = re.search(
        r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:\w+\s+)?(?:person|people|engineers?|owners?|"
        r"reviewers?|approvals?|approvers?|replicas?|nodes?|instances?|regions?|zones?|days?|weeks?|hours?|minutes?|"
        r"retries|attempts?|times)\b",
        text.analysed,
        re.I,
    )
    if words:
        return words.group(0)
    match = re.search(r"(?<![#\w/.-])\d+(?:\.\d+)*(?![\w/])", text.analysed)
    return match.group(0) if match else None


def action_first(text: ItemText) -> str | None:
    lead = text.label_or_lead
    return lead.split(" ", 1)[0] if lead and verb_first(lead) else None


def done_statement(text: ItemText) -> str | None:
    """A report of work already done ("Restored X", "has been disabled", "We enabled Y"), read in the label
    when there is one (the explanation's own verbs are its rationale)."""
    lead = text.label_or_lead
    body = _OPENING.sub("", lead, count=1)
    if re.match(rf"{_MODIFIERS}\b", body, re.IGNORECASE):
        return None
    match = re.match(
        r"(?:\w+ly\s+)?(?:[a-z]+ed|built|made|set\s+up|put|ran|wrote|sent|took|began|fixed|added)\b",
        body,
        re.I,
    ) or re.search(r"\b(?:has|have|had|was|were)\s+(?:been\s+)?(?:\w+ly\s+)?[a-z]+(?:ed|en|t)\b", lead, re.I)
    return match.group(0) if match else None


# (feature name, detector): evidence that the item is concrete; the model weighs it against the cues.
CONCRETE: tuple[tuple[str, Callable[[ItemText], str | None]], ...] = (
    ("number", number_or_target),
    ("code", code_identifier),
    ("named", named_thing),
    ("artefact", named_artefact),
    ("action_verb", action_first),
    ("done", done_statement),
)
