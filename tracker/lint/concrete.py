"""Signals of concreteness (a number, code, a name, a named artefact, work done) the wording model weighs."""

from __future__ import annotations

import re
from collections.abc import Callable

from tracker.lint.text import ItemText
from tracker.lint.verbs import MODIFIERS, OPENING, verb_first


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_CODE = re.compile(
    r"`[^`]+`|\b[a-z]+_[a-z0-9_]+\b|\b[a-z]+[A-Z][A-Za-z]+\b|\b[A-Z][a-z]+[A-Z][A-Za-z]*\b|\b\w+\.\w+\.\w+\b|"
    r"\b[\w-]+\.(?:py|js|ts|go|rb|ya?ml|json|toml|sh|conf|md|sql|tf)\b|(?<!\w)/[\w.-]+/[\w./-]*|(?<!\w)--[a-z][\w-]+|"
    r"\b[A-Z]{2,}_[A-Z_]+\b"
)
# Acronyms of three letters or fewer (API, SSL, CI) name a kind of thing, not a particular one.
_NAMED = re.compile(r"(?<![.!?:]\s)(?<!^)\b(?:[A-Z][a-z]*[A-Z0-9][\w-]*|[A-Z]{4,}[\w-]*|[A-Z][a-z]{2,})\b")
# "CDN", "NTP", "APIs": a kind of thing, however it is capitalised ("SSLv3", "S3", "K8s" stay names).
_SHORT_ACRONYM = re.compile(r"[A-Z]{2,3}s?")
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
        word = match.group(0)
        if word not in _NOT_NAMES and not _SHORT_ACRONYM.fullmatch(word):
            return word
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
    body = OPENING.sub("", lead, count=1)
    if re.match(rf"{MODIFIERS}\b", body, re.IGNORECASE):
        return None
    # "need", "feed", "speed" end in -ed without being past tense; "If we had seen it, we could have ..."
    # is hindsight about what did not happen, not a report of work done.
    if re.match(r"if\s+\w+\s+had\b", lead, re.I):
        return None
    match = re.match(
        r"(?:\w+ly\s+)?(?:(?![a-z]*eed\b)[a-z]+ed|built|made|set\s+up|put|ran|wrote|sent|took|began|fixed|added)\b",
        body,
        re.I,
    )
    if match:
        return match.group(0)
    for perfect in re.finditer(
        r"\b(?:has|have|had|was|were)\s+(?:already\s+|now\s+)?(?:been\s+)?(?:\w+ly\s+)?(?:[a-z]+(?:ed|en|t)|done)\b",
        lead,
        re.I,
    ):
        # "observe the next run if we have fixed it", "whether the ALBs we have tested ...": a condition or a
        # question, not a report of work done.
        if not re.search(r"\b(?:if|whether|when|once|unless|until)\b[^,;.]*$", lead[: perfect.start()], re.I):
            return perfect.group(0)
    return None


# (feature name, detector): evidence that the item is concrete; the model weighs it against the cues.
CONCRETE: tuple[tuple[str, Callable[[ItemText], str | None]], ...] = (
    ("number", number_or_target),
    ("code", code_identifier),
    ("named", named_thing),
    ("artefact", named_artefact),
    ("action_verb", action_first),
    ("done", done_statement),
)
