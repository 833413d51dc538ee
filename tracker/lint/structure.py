"""Structure rules: several actions in one item, or an item too long to be one task."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tracker.lint.model import LintContext, LintItem, Severity
from tracker.lint.registry import Rule, _add, rule
from tracker.lint.text import ItemText

_VERBS = (
    "add|remove|create|write|build|implement|introduce|document|update|upgrade|migrate|move|change|configure|set|"
    "enable|disable|deploy|fix|test|run|alert|monitor|review|audit|automate|replace|rotate|pin|revert|delete|"
    "rename|split|increase|decrease|reduce|lower|raise|limit|restrict|block|backfill|schedule|train|publish|"
    "define|establish|investigate|gather|make|ensure|switch|scale|refactor|rewrite|track|page|notify|send|"
    "require|verify|validate|check|improve|use|adopt|deprecate|drop|clean|archive|restore|patch|tune|mark|"
    "install|expose|extend|separate|freeze|cap|drain|cordon|provision|backport|release|announce|share|"
    "communicate|contact|file|open|close|assign|hire|rework|prepare|practice|simulate|collect|modify|provide|"
    "store|support|handle|alert|page|apply|perform|conduct|hold|organi[sz]e|nominate|start|stop|declare"
)
# Words that are verbs whatever follows them, so "X and add Y" starts a second action.
_CLEAR_VERBS = (
    r"add|create|write|build|implement|document|update|migrate|remove|configure|enable|disable|deploy|"
    r"investigate|gather|make\s+sure|ensure|automate|replace|rotate|pin|revert|delete|introduce|define|establish|"
    r"publish|schedule|verify|validate|notify|restrict|adding|creating|writing|building|implementing|documenting"
)
_VERB = rf"(?:{_VERBS})(?:s|es|d|ed|ing)?"
# "We should", "Systematically": words before the verb that do not change what the action is.
_OPENING = r"(?:(?:we\s+)?(?:should|must|need\s+to|will)\s+)?(?:\w+ly\s+)?"
_DETERMINER = r"(?:the|a|an|our|all|its|their|new|it|them|this|that|these|those)"
# Where a second action can start: a new sentence or a semicolon, ", and", "and also/then", "as well as", "plus".
_STRONG_JOINT = re.compile(
    r"[;]\s+|,\s+(?:and\s+)?(?:then\s+|also\s+)?|\s+and\s+(?:then|also)\s+|\s+as\s+well\s+as\s+|\s+plus\s+"
)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


def _starts_action(clause: str, strong: bool, previous: str) -> str | None:
    """The verb when `clause` starts a new action; after a plain "and" only with an object on both sides."""
    match = re.match(rf"(?P<verb>{_VERB})\b(?P<rest>.*)", clause, re.IGNORECASE)
    if not match:
        return None
    if strong:
        return match["verb"].lower()
    if len(previous.split()) < 3:
        return None  # "Define and implement X", "cordon and cull nodes": one action with two verbs
    if re.search(r"\bto\s+[a-z]+\b", previous, re.IGNORECASE):
        return None  # "controls to disable X and enable Y": the verbs share the purpose clause
    clear = re.match(rf"(?:{_CLEAR_VERBS})\b", clause, re.IGNORECASE)
    object_follows = re.match(rf"\s+{_DETERMINER}\b", match["rest"], re.IGNORECASE)
    return match["verb"].lower() if clear or object_follows else None


def action_clauses(title: str) -> list[str]:
    """The verbs that start separate actions in a title (the first one included)."""
    text = ItemText(title)
    found: list[str] = []
    for number, sentence in enumerate(text.sentences):
        # A later sentence counts only as a bare command; "We should ..." after the action explains it.
        opening = _OPENING if number == 0 else ""
        first = re.match(rf"{opening}(?P<verb>{_VERB})\b", sentence, re.IGNORECASE)
        if number == 0 and first:
            found.append(first["verb"].lower())
        elif number > 0 and first and found and not re.match(r"(?:make|ensure|check)\b", sentence, re.I):
            found.append(first["verb"].lower())  # a later sentence that starts with a verb is another action
        pieces = _STRONG_JOINT.split(sentence)
        for index, piece in enumerate(pieces[1:], start=1):
            verb = _starts_action(piece, True, pieces[index - 1])
            if verb and verb.endswith("ing") and found and not found[0].endswith("ing"):
                continue  # "..., alerting at 90%": a manner clause, not a second action
            if verb and found:
                found.append(verb)
        for piece in pieces:
            parts = _AND.split(piece)
            for index, part in enumerate(parts[1:], start=1):
                verb = _starts_action(part, False, parts[index - 1])
                if verb and found:
                    found.append(verb)
    return found


def structure_matches(title: str, max_words: int = 40) -> list[tuple[str, str]]:
    """Structure findings for a title as (rule id, message): several actions, too long."""
    found: list[tuple[str, str]] = []
    verbs = action_clauses(title)
    if len(verbs) >= 2:
        found.append(("structure-multiple-actions", f"{len(verbs)} actions in one item ({', '.join(verbs)})"))
    words = len(ItemText(title).words)
    if words > max_words:
        found.append(("structure-too-long", f"{words} words, more than the {max_words} one task needs"))
    return found


@rule(
    "structure-multiple-actions",
    "structure",
    Severity.WARNING,
    "several actions in one item",
    "split it: one row per action, each with its own owner and date ('Add index on orders.customer_id' and "
    "'Add query performance tests to CI' as two items)",
)
def multiple_actions(item: LintItem, context: LintContext) -> Iterator[str]:
    for rule_id, message in structure_matches(item.title, context.settings.max_title_words):
        if rule_id == "structure-multiple-actions":
            yield message + ": one owner cannot close half an item"


@rule(
    "structure-too-long",
    "structure",
    Severity.INFO,
    "too long to be one task ([lint] max_title_words)",
    "keep the title to the change itself ('Pre-build rollback artifacts in CI') and move the reasoning to the "
    "postmortem text",
)
def too_long(item: LintItem, context: LintContext) -> Iterator[str]:
    for rule_id, message in structure_matches(item.title, context.settings.max_title_words):
        if rule_id == "structure-too-long":
            yield message


# A document-level rule: `tracker lint FILE` runs it on each document (see sources.document_findings).
_add(
    Rule(
        "no-action-items",
        "structure",
        Severity.WARNING,
        "a document in which no action item was found (and which does not say it has none)",
        "put the items under a heading such as '## Action items', add your own heading names to [import] "
        "sections, or see `tracker import --explain FILE`; write 'No action items.' if there really are none",
    )
)
