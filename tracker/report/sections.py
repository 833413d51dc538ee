"""The report as titled tables of display strings, shared by the terminal, Markdown and HTML renderers."""

from __future__ import annotations

from tracker.report.cells import SMALL, Section, completion, figure_cells, more_note, number, percent, rate
from tracker.report.manager_sections import manager_sections
from tracker.report.shape import Change, Figures, Report, Review

__all__ = [
    "SMALL",
    "Section",
    "completion",
    "figure_cells",
    "footnotes",
    "headline",
    "local_time",
    "more_note",
    "number",
    "percent",
    "rate",
    "review_section",
    "sections",
]

GROUP_TITLES = {
    "team": "By team",
    "severity": "By severity",
    "target": "By target",
    "postmortem": "By postmortem",
    "person": "By person",
}
FIGURE_HEADERS = [
    "total",
    "done",
    "in progress",
    "open",
    "won't do",
    "bot-closed",
    "completion",
    "on time",
    "slips (items/moves/days)",
    "overdue",
    "median days to done",
]


def _done_of(f: Figures) -> str:
    committed = f["total"] - f["wont_do"]
    if committed >= SMALL:
        return f"{f['done']} done of {committed} committed ({f['done'] * 100 / committed:.0f}%)"
    return f"{f['done']} done of {committed} committed"


def headline(report: Report) -> str:
    """One sentence with the numbers that matter most."""
    s = report["summary"]
    when = f"as of {report['as_of']}" if report["as_of"] else f"on {report['date']}"
    parts = [
        f"{s['total']} action items {when}",
        _done_of(s),
        f"{s['open'] + s['in_progress']} still open, {s['overdue']} overdue",
    ]
    if s["wont_do"]:
        parts.append(f"{s['wont_do']} won't do")
    if s["closed_by_bot"]:
        parts.append(f"{s['closed_by_bot']} closed by a bot (not counted as done)")
    if s["on_time_base"]:
        parts.append(f"on time {rate(s['on_time'], s['on_time_base'])} against the first deadline")
    if s.get("done_before_tracking"):
        parts.append(f"{s['done_before_tracking']} done before tracking*")
    return "; ".join(parts) + "."


def local_time(report: Report, value: str | None) -> str:
    """A stored UTC timestamp as a local date and time in the report's [org] timezone."""
    from zoneinfo import ZoneInfo

    from tracker.timefmt import local_datetime

    return local_datetime(value, ZoneInfo(report["timezone"]))


def footnotes(report: Report) -> list[str]:
    """Lines under the report: what the figures leave out, and why."""
    s = report["summary"]
    notes = []
    if s.get("done_before_tracking"):
        count = s["done_before_tracking"]
        notes.append(
            f"* {count} {'item was' if count == 1 else 'items were'} already done in their document when "
            "first imported: "
            "they count as done, but when they were finished is unknown, so they are left out of on-time "
            "and days to done."
        )
    return notes


def sections(report: Report, limit: int = 20) -> list[Section]:
    """Freshness, overall figures, the breakdowns, the review list and the trend, in reading order."""
    out: list[Section] = []
    fresh = report["freshness"]
    if fresh:
        out.append(
            Section(
                "freshness",
                "Sync freshness",
                ["target", "kind", "last good sync", "age (hours)", "state"],
                [
                    [
                        f["target"],
                        number(f["kind"]),
                        local_time(report, f["last_good_sync_at"]),
                        number(f["age_hours"]),
                        "STALE" if f["stale"] else "ok",
                    ]
                    for f in fresh
                ],
            )
        )
    if report.get("manager"):
        out.extend(manager_sections(report, limit))
    out.append(
        Section("summary", "Overall", ["scope", *FIGURE_HEADERS], [["all", *figure_cells(report["summary"])]])
    )
    review = report.get("review")
    if review is not None:
        out.append(review_section(review, local_time(report, review["previous_report_at"])))
    for dim, rows in report["groups"].items():
        if dim == "postmortem" and review is None:
            # Many postmortems: show those with the most unfinished work first.
            ordered = sorted(rows, key=lambda r: (-(r["overdue"]), -(r["open"] + r["in_progress"]), r["key"]))
        else:
            ordered = rows
        shown = ordered[:limit]
        note = (
            f"{len(rows) - len(shown)} more not shown (JSON and CSV have them all)"
            if len(rows) > len(shown)
            else None
        )
        if not rows:
            note = "none"
        out.append(
            Section(
                dim,
                GROUP_TITLES[dim],
                [dim, *FIGURE_HEADERS],
                [[str(r["key"]), *figure_cells(r)] for r in shown],
                note,
                data=shown,
            )
        )
    if report.get("recurrence"):  # issue 9: open items of earlier postmortems that recurred
        out.append(
            Section(
                "recurrence",
                "Recurrences: earlier items still open when an incident happened",
                ["incident", "earlier postmortem", "item still open then", "owner", "due"],
                [
                    [
                        r["incident"],
                        r["postmortem"],
                        r["title"],
                        r["team"] or r["owner"] or "-",
                        r["deadline"] or "-",
                    ]
                    for r in report["recurrence"][:limit]
                ],
                "each item was still open when this incident happened (matched at import; docs/recurrence.md)",
                data=report["recurrence"][:limit],
            )
        )
    if report.get("same_service"):  # issue 14: the same service hit again, whatever the words
        same = report["same_service"]
        out.append(
            Section(
                "same_service",
                "Still open on the same service when an incident happened",
                ["incident", "earlier postmortem", "item still open then", "owner", "due", "service"],
                [
                    [
                        r["incident"],
                        r["postmortem"],
                        r["title"],
                        r["owner"] or "-",
                        (r["deadline"] or "-") + (" (overdue then)" if r["overdue"] else ""),
                        ", ".join(r["services"]),
                    ]
                    for r in same[:limit]
                ],
                more_note(same, limit, "items")
                or "listed apart from the wording matches above (docs/recurrence.md)",
                data=same[:limit],
            )
        )
    if report["trend"]:
        out.append(
            Section(
                "trend",
                "Trend (state at each month's end)",
                [
                    "month",
                    "total",
                    "open",
                    "in progress",
                    "done",
                    "won't do",
                    "bot-closed",
                    "overdue",
                    "completion",
                ],
                [
                    [
                        t["month"],
                        str(t["total"]),
                        str(t["open"]),
                        str(t["in_progress"]),
                        str(t["done"]),
                        str(t["wont_do"]),
                        str(t["closed_by_bot"]),
                        str(t["overdue"]),
                        rate(t["done"], t["total"] - t["wont_do"]),
                    ]
                    for t in report["trend"]
                ],
                data=report["trend"],
            )
        )
    return out


def change_text(change: Change) -> str:
    kind = change["kind"]
    if kind == "reassigned":
        return f"reassigned {change['from'] or '-'} -> {change['to'] or '-'}"
    if kind == "deadline_moved":
        return f"deadline {change['from'] or '-'} -> {change['to'] or '-'}"
    if kind == "newly_done":
        return "newly done"
    if kind == "reopened":
        return f"reopened (was {change['from']})"
    return kind.replace("_", " ")


def review_section(review: Review, since_local: str | None = None) -> Section:
    since = review["previous_report_at"] and (since_local or review["previous_report_at"])
    # The review of one postmortem (`report -p SLUG`) names it in the title: a column repeating it on
    # every row only took the width the item's own words need.
    several = len({item["postmortem"] for item in review["items"]}) > 1
    rows = []
    for item in review["items"]:
        status = item["status"] + (" (bot)" if item["closed_by_bot"] else "")
        rows.append(
            [
                str(item["id"]),
                *([item["postmortem"]] if several else []),
                item["title"],
                item["owner"] or "-",
                status,
                number(item["deadline"]),
                str(item["days_overdue"]) if item["overdue"] else "-",
                ", ".join(link["key"] or link["url"] or link["target"] for link in item["links"]) or "-",
                ", ".join(item["lint"]) or "-",
                "; ".join(change_text(c) for c in item["changes"]) or "-",
            ]
        )
    note = (
        f"changes since the previous report ({since})"
        if since
        else "first report for these items: no changes to show"
    )
    if not rows:
        note = "no items in scope"
    return Section(
        "review",
        "Items for the review",
        [
            "id",
            *(["postmortem"] if several else []),
            "item",
            "owner",
            "status",
            "deadline",
            "days overdue",
            "issue",
            "lint",
            "changed",
        ],
        rows,
        note,
    )
