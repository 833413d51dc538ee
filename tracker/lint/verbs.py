"""The action-verb vocabulary: whether a word is a form of an action verb, whether a sentence starts with one."""

from __future__ import annotations

import re

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
    "come|set|put|cut|run|write|make|take|send|build|keep|hold|give|find|get|"
    # written as one word for "set up"; a time-boxed investigation; the verbs of reflection and outreach
    "setup|spike|push|propose|reflect|reach|teach|coach"
)
_VERBS = frozenset(ACTION_VERBS.replace("[sz]", "s").split("|")) | frozenset(
    ACTION_VERBS.replace("[sz]", "z").split("|")
)
IRREGULAR = frozenset(
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
    if w in _VERBS or w in IRREGULAR:
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


VERB_FORM = rf"(?:{ACTION_VERBS})(?:s|es|d|ed|ing)?"
# Participles that usually modify a noun ("Enhanced monitoring", "Automated detection"), not report work.
MODIFIERS = (
    r"(?:automated|automatic|enhanced|improved|increased|reduced|additional|better|proactive|dedicated|"
    r"centrali[sz]ed|expanded|extended|comprehensive|robust|stronger|faster|more|further|proper|regular|"
    r"continuous|periodic|quarterly|monthly|weekly|daily|baseline|critical|general|overall|new)"
)
# Who does it: "Ed to", "@x will", "We", "The team": an opening before the verb that changes nothing.
OPENING = re.compile(
    r"^(?:(?:[@\w.'-]+(?:\s+(?:and|&|\+)\s+[@\w.'-]+)?)\s+(?:to|will|shall|is\s+going\s+to)\s+|"
    r"(?:we|i|they|you)\s+(?:(?:will|shall|must|should|need\s+to|have|had|also|then|now|already)\s+)*)",
    re.IGNORECASE,
)


_COPULA = re.compile(r"is|are|was|were|remains?|stays?|becomes?|gets?", re.IGNORECASE)


def verb_first(sentence: str) -> bool:
    body = OPENING.sub("", sentence, count=1)
    if re.match(rf"{MODIFIERS}\b", body, re.IGNORECASE) and not re.match(
        rf"{MODIFIERS}\s+(?:the|a|an|our|all)\b", body, re.IGNORECASE
    ):
        return False
    words = re.findall(r"[A-Za-z][\w'-]*", body)[:2]
    if len(words) > 1 and _COPULA.fullmatch(words[1]):
        return False  # "Deploys are safe", "Alerts remain noisy": a plural noun that is also a verb form, as subject
    if words and words[0].lower().endswith("ly") and len(words) > 1:
        words = words[1:]  # "Systematically cordon ..."
    return bool(words) and is_verb(words[0])
