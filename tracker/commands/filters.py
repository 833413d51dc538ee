"""What `list`, `postmortems` and `report` share: --team/--severity checks, --since, severity aliases, --sort, --columns."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from tracker.errors import UsageError

if TYPE_CHECKING:
    from tracker.app import AppContext


def relative_since(since: str | None) -> str | None:
    """`--since` as the saved runs' scope names it when it counts back from today (30d), else None."""
    value = (since or "").strip().lower()
    return value if value.endswith("d") and value[:-1].isdigit() else None


def parse_since(text: str, today: date | None = None) -> date:
    """An ISO date (2026-07-01), or a number of days back from `today` (30d)."""
    value = text.strip().lower()
    if relative_since(value):
        from datetime import timedelta

        try:
            return (today or date.today()) - timedelta(days=int(value[:-1]))
        except (OverflowError, ValueError):
            raise UsageError(
                f"--since {text!r} reaches back before the year 1",
                hint="use fewer days, or an ISO date such as 2026-07-01",
            ) from None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"--since {text!r} is not a date",
            hint="use an ISO date such as 2026-07-01, or 30d for 30 days back",
        ) from None


def severity_key(severity: str | None, aliases: dict[str, str]) -> str | None:
    """The severity a postmortem's severity counts as under `[report] severity_aliases`."""
    if severity is None:
        return None
    value = severity.strip().lower()
    return aliases.get(value, value)


def severities_for(wanted: str, aliases: dict[str, str]) -> list[str]:
    """Every stored severity that counts as `wanted` (itself, its aliases, and what it aliases to)."""
    canonical = severity_key(wanted, aliases) or ""
    return sorted({canonical, *(raw for raw, to in aliases.items() if to == canonical)})


def check_filters(app: AppContext, team: str | None, severity: str | None) -> None:
    """Refuse a --team or --severity nothing can match: a typo would otherwise print an empty list, exit 0.

    Teams are today's `[teams]` (and `[people] team`); severities are those of the stored postmortems
    and both sides of `[report] severity_aliases`. `tracker.cli` calls this before any command with
    such an option runs.
    """
    if team is not None:
        teams = {*app.config.teams, *(p.team for p in app.config.people.values() if p.team)}
        _refuse_unknown(
            "--team",
            team,
            team in teams,
            sorted(teams),
            "teams in [teams] and [people]",
            "no teams are configured: add a [teams.NAME] table",
        )
    if severity is not None:
        aliases = app.config.report.severity_aliases
        with app.connection() as connection:
            stored = connection.scalars(
                "SELECT DISTINCT severity FROM postmortems WHERE severity IS NOT NULL"
            )
        known = {severity_key(s, aliases) or "" for s in stored} | set(aliases) | set(aliases.values())
        wanted = severity.strip().lower()
        _refuse_unknown(
            "--severity",
            severity,
            wanted in known or severity_key(wanted, aliases) in known,
            sorted(known - {""}),
            "severities of the stored postmortems and [report] severity_aliases",
            "no postmortem has a severity yet and [report] severity_aliases is empty",
        )


def _refuse_unknown(option: str, value: str, ok: bool, known: list[str], source: str, empty: str) -> None:
    if ok:
        return
    if not known:
        raise UsageError(f"{option} {value!r} matches nothing", hint=empty)
    by_lower = {k.lower(): k for k in known}
    close = difflib.get_close_matches(value.strip().lower(), list(by_lower), n=1, cutoff=0.6)
    suggestion = f"did you mean {by_lower[close[0]]}? " if close else ""
    noun = option.removeprefix("--")
    raise UsageError(f"{option}: unknown {noun} {value!r}", hint=f"{suggestion}{source}: {', '.join(known)}")


def pick(name: str, choices: Sequence[str], option: str) -> str:
    """One of `choices`, or a usage error that suggests the closest."""
    if name in choices:
        return name
    close = difflib.get_close_matches(name, choices, n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    raise UsageError(f"{option}: unknown field {name!r}", hint=f"{hint}choose from {', '.join(choices)}")


def parse_columns(text: str, choices: Sequence[str]) -> list[str]:
    names = [c.strip().lower() for c in text.split(",") if c.strip()]
    if not names:
        raise UsageError("--columns is empty", hint=f"choose from {', '.join(choices)}")
    return [pick(name, choices, "--columns") for name in names]


def sort_rows(rows: list[dict[str, Any]], field: str, key: str | None = None) -> list[dict[str, Any]]:
    """Sorted by one field (`-field`: descending); empty values always last."""
    descending = field.startswith("-")
    name = key or field.lstrip("-")
    present = [r for r in rows if r.get(name) is not None]
    missing = [r for r in rows if r.get(name) is None]
    present.sort(key=lambda r: _sortable(r[name]), reverse=descending)
    return present + missing


def _sortable(value: Any) -> Any:
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, list):
        return len(value)
    return value


def since_condition(since: date, zone: Any) -> Any:
    """Postmortems of incidents on or after `since`; one without an incident date counts from when it was added.

    For ORM queries; the read commands say the same in SQL text (`tracker.item_view.since_condition`).
    """
    from sqlalchemy import and_, or_

    from tracker.models import Postmortem as postmortems
    from tracker.report.sqlbits import local_day_start

    return or_(
        postmortems.incident_date >= since,
        and_(postmortems.incident_date.is_(None), postmortems.created_at >= local_day_start(since, zone)),
    )
