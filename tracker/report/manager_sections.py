"""The manager's view as titled tables: figures with their change, overdue and unowned work, teams, months."""

from __future__ import annotations

from tracker.report.cells import Section, more_note, rate
from tracker.report.manager import ORG_SCOPE, UNOWNED_MEANS
from tracker.report.shape import IncidentMonth, ListedItem, Report, window

GLANCE = (
    ("total", "action items"),
    ("done", "done"),
    ("open", "open"),
    ("in_progress", "in progress"),
    ("overdue", "overdue"),
    # Not "without an owner": an owner written in the document but not a person in [people] counts too.
    ("unowned", UNOWNED_MEANS),
)


def _issue(entry: ListedItem) -> str:
    issue = entry.get("issue")
    return (issue["key"] or issue["url"] or "-") if issue else "-"


def _unknown_note(months: list[IncidentMonth]) -> str:
    unknown = sum(row["done_time_unknown"] for row in months)
    if not unknown:
        return ""
    return (
        f"; {unknown} item{'s' if unknown != 1 else ''} done before tracking (done time unknown) "
        "left out of the 30 / 60 / 90-day shares"
    )


def manager_sections(report: Report, limit: int = 20) -> list[Section]:
    """What a manager acts on, first: the figures with their change, overdue and unowned work, teams,
    completion of what is due and by incident month (docs/report.md, "The manager's view")."""
    m = report["manager"]
    assert m is not None, "the manager's sections of a report without the manager's view"
    since = m["since_previous"]
    changed = since["figures"]
    current = {name: report["summary"].get(name, 0) for name, _ in GLANCE}
    current["unowned"] = m["unowned_count"]
    due = m["due_so_far"]
    glance_rows = [
        [label, str(current[name]), f"{changed[name]['change']:+d}" if name in changed else "-"]
        for name, label in GLANCE
    ]
    glance_rows.append(["done of the items due so far", rate(due["done"], due["due"]), "-"])
    out = [
        Section(
            "glance",
            "At a glance",
            ["figure", "now", "change since previous report"],
            glance_rows,
            f"previous report: {since['previous_report_at']}"
            if since["previous_report_at"]
            else "no previous organisation-wide report to compare with"
            if since.get("scope", ORG_SCOPE) == ORG_SCOPE
            else "no previous report of this scope to compare with (only reports of the same scope are compared)",
        )
    ]
    overdue = m["overdue"]
    out.append(
        Section(
            "overdue",
            "Overdue items",
            ["id", "item", "postmortem", "owner", "team", "days overdue", "issue"],
            [
                [
                    str(e["id"]),
                    e["title"] or "-",
                    e["postmortem"] or "-",
                    e["owner"] or "-",
                    e["team"] or "-",
                    str(e["days_overdue"]),
                    _issue(e),
                ]
                for e in overdue[:limit]
            ],
            more_note(overdue, limit, "overdue items", report["summary"]["overdue"]),
            data=overdue[:limit],
        )
    )
    teams = m["teams_by_overdue"]
    out.append(
        Section(
            "teams_by_overdue",
            "Teams by overdue items",
            ["team", "overdue", "still open", "items"],
            [[str(t["team"]), str(t["overdue"]), str(t["open"]), str(t["total"])] for t in teams[:limit]],
            more_note(teams, limit, "team has overdue items"),
        )
    )
    unowned = m["unowned"]
    out.append(
        Section(
            "unowned",
            "Open items without a person as owner (no owner, a team, or a name not in [people])",
            ["id", "item", "postmortem", "owner as written", "team", "deadline", "issue"],
            [
                [
                    str(e["id"]),
                    e["title"] or "-",
                    e["postmortem"] or "-",
                    e["owner"] or "-",
                    e["team"] or "-",
                    e["deadline"] or "-",
                    _issue(e),
                ]
                for e in unowned[:limit]
            ],
            more_note(unowned, limit, "open items without a person as owner", m["unowned_count"]),
            data=unowned[:limit],
        )
    )
    months = m["by_incident_month"]
    out.append(
        Section(
            "by_incident_month",
            "Completion by incident month (done within 30 / 60 / 90 days of the incident)",
            [
                "incident month",
                "items",
                "done",
                "within 30 days",
                "within 60 days",
                "within 90 days",
                "done, time unknown",
            ],
            [
                [
                    row["month"],
                    str(row["items"]),
                    str(row["done"]),
                    *(
                        rate(window(row, n)[0], row["window_base"])
                        if window(row, n)[1] is not None
                        else f"{window(row, n)[0]} so far"
                        for n in (30, 60, 90)
                    ),
                    str(row["done_time_unknown"]),
                ]
                for row in months
            ],
            "won't do left out; 'so far': the window has not passed for every incident of the month"
            + _unknown_note(months),
            data=months,
        )
    )
    return out
