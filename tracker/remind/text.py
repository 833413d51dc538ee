"""What reminder comments say: mentions in each tracker's syntax, the bodies, and the hidden marker."""

from __future__ import annotations

import hashlib
from datetime import date

from tracker.config import Config, GitHubTarget, JiraTarget, Person, Target

MARKER_PREFIX = "tracker-reminder-"


def make_marker(key: str) -> str:
    """Derived from the reminder's key, so the comment can be found again after a lost answer."""
    return MARKER_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:20]


def footer(target: Target | None, marker: str) -> str:
    """GitHub hides an HTML comment; Jira has no hidden text, so a short line says what this is."""
    if isinstance(target, JiraTarget):
        return f"Sent by tracker ({marker})."
    return f"<!-- {marker} -->"


def identity(target: Target | None, person: Person | None) -> str | None:
    if person is None:
        return None
    if isinstance(target, GitHubTarget):
        return person.github
    if isinstance(target, JiraTarget):
        return person.jira
    return person.github or person.handle


def mention(target: Target | None, remote_identity: str | None, person: Person | None = None) -> str | None:
    """@login on GitHub; on Jira `[~accountid:ID]` (Cloud; ADF mention on REST v3) or `[~username]` (DC)."""
    who = remote_identity or identity(target, person)
    if not who:
        return (person.name or person.handle) if person else None
    if isinstance(target, JiraTarget):
        return f"[~accountid:{who}]" if target.flavor == "cloud" else f"[~{who}]"
    return f"@{who}"


def days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def body(
    kind: str,
    *,
    postmortem: str,
    title: str,
    due: date | None,
    today: date,
    who: str | None,
    boss: str | None,
    owner_text: str | None = None,
    age: int = 0,
    config: Config | None = None,
) -> str:
    """The Markdown of one reminder (kinds: approaching, overdue, escalation, unassigned)."""
    whom = who or "Whoever owns this"
    if kind == "approaching" and due is not None:
        left = (due - today).days
        when = "today" if left == 0 else f"in {days(left)}"
        return (
            f"Reminder: this action item from the postmortem **{postmortem}** is due {when} ({due.isoformat()}).\n\n"
            f"{whom}: is it on track? If the date has to move, agree a new one and change the Deadline line "
            "in the tracker block below the description."
        )
    if kind == "overdue" and due is not None:
        late = (today - due).days
        return (
            f"This action item from the postmortem **{postmortem}** is overdue by {days(late)} "
            f"(deadline {due.isoformat()}).\n\n"
            f"{whom}: please finish it, or agree a new date and change the Deadline line; "
            "close it as not planned if it is no longer wanted."
        )
    if kind == "escalation" and due is not None:
        late = (today - due).days
        return (
            f"Escalation: this action item from the postmortem **{postmortem}** is overdue by {days(late)} "
            f"(deadline {due.isoformat()}).\n\n"
            f"{boss or 'Team lead'}: can you help {who or 'its owner'} finish it or re-plan it?"
        )
    written = f" (the document says {owner_text!r})" if owner_text else ""
    return (
        f"This action item from the postmortem **{postmortem}** still has no person as owner "
        f"{days(age)} after it was imported{written}.\n\n"
        f"{boss or 'Team lead'}: please name one person who will do it (assign the issue to them)."
    )
