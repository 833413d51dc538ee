"""Owner -> person -> team from the current configuration, applied to the report rows when a report runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracker.config import Config
    from tracker.people import OwnerResolver
    from tracker.readdb import ReadConnection

Attribution = tuple[str | None, str | None]  # person handle, team name


def attribute(config: Config, resolver: OwnerResolver, owner: str | None) -> Attribution:
    """(person, team) of an owner as written, by today's [people] and [teams]."""
    resolution = resolver.resolve(owner)
    return resolution.person, resolution.team


def refresh(app: Any, connection: ReadConnection) -> tuple[dict[str, Attribution], str | None]:
    """Re-resolve every owner spelling and rewrite the report rows of those whose attribution changed.

    Returns each spelling's attribution, and a warning when the database could not be written (the
    figures then group by the attribution of the last report that could).
    """
    stored = {
        row.owner_lower: (row.person, row.team)
        for row in connection.execute("SELECT owner_lower, person, team FROM owner_names")
    }
    now = {lower: attribute(app.config, app.resolver, lower) for lower in stored}
    changed = [lower for lower in stored if stored[lower] != now[lower]]
    if not changed:
        return now, None
    try:
        with connection.savepoint():
            for lower in changed:
                person, team = now[lower]
                values = {"lower": lower, "person": person, "team": team}
                connection.execute(
                    "UPDATE owner_names SET person = :person, team = :team WHERE owner_lower = :lower", values
                )
                connection.execute(
                    "UPDATE report_rows SET owner_person = :person, team = :team WHERE owner_lower = :lower",
                    values,
                )
    except connection.errors:
        return stored, (
            "owners could not be attributed afresh from the configuration (the database is read-only): "
            "people and teams are as of the last report that could write"
        )
    return now, None


def spellings(names: dict[str, Attribution], handle: str | None, written: str) -> tuple[str, ...]:
    """The owner spellings of one person (every spelling that resolves to them), else the text as written."""
    if handle is None:
        return (written.lower(),)
    return tuple(sorted(lower for lower, (person, _team) in names.items() if person == handle))
