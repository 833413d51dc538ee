"""What recurrence keeps in a postmortem's `extra` and the sentence a report shows for each (no ORM import).

`tracker.recurrence` finds them at import; the report reads them back through a read connection, so
these plain classes live apart from the finding, which needs the models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Match:
    """An earlier postmortem's item that was still open when this incident happened."""

    item_id: int
    postmortem: str
    title: str
    owner: str | None
    team: str | None
    deadline: str | None
    score: float
    why: str

    def sentence(self) -> str:
        who = f"team {self.team}" if self.team else (self.owner or "no owner")
        due = f", due {_short(self.deadline)}" if self.deadline else ", no deadline"
        return (
            f"{self.postmortem}'s item '{self.title}' ({who}{due}) was still open when this incident happened"
            f" ({self.why})"
        )


def _short(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day:%b} {day.day}, {day.year}"


@dataclass(frozen=True)
class StillOpen:
    """An earlier postmortem's item, on a service this incident hit again, still open on its date."""

    item_id: int
    postmortem: str
    title: str
    owner: str | None
    deadline: str | None
    services: list[str]
    overdue: bool  # its deadline had passed by the new incident's date

    def sentence(self) -> str:
        due = f", due {_short(self.deadline)}" if self.deadline else ", no deadline"
        late = ", overdue then" if self.overdue else ""
        return (
            f"{self.postmortem}'s item '{self.title}' ({self.owner or 'no owner'}{due}{late}) was still open on "
            f"the same service ({', '.join(self.services)}) when this incident happened"
        )
