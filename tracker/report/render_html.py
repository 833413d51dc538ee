"""A self-contained HTML page for managers: inline SVG charts beside the same numbers in tables."""

from __future__ import annotations

from html import escape
from typing import Any

from tracker.report.render_text import _title
from tracker.report.sections import Section, footnotes, headline, local_time, rate, sections
from tracker.report.shape import IncidentMonth, Report, TrendPoint, window

COLOURS = {
    "done": "#2e7d32",
    "in_progress": "#f9a825",
    "open": "#1565c0",
    "wont_do": "#9e9e9e",
    "closed_by_bot": "#8e24aa",
    "overdue": "#c62828",
}
LABELS = {
    "done": "done",
    "in_progress": "in progress",
    "open": "open",
    "wont_do": "won't do",
    "closed_by_bot": "closed by a bot",
    "overdue": "overdue",
}
# Fits a 1280-pixel screen: the page is at most 1200 px wide, tables wrap their cells instead of
# growing past it, and charts scale down (tests/test_report_manager.py renders it in Chromium).
STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;padding:0 16px;
max-width:1200px;color:#212121;background:#fff}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0;font-size:13px;max-width:100%}
th,td{border:1px solid #ccc;padding:3px 7px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
svg{max-width:100%;height:auto}
th{background:#f0f0f0}.warn{background:#fff3e0;border-left:4px solid #ef6c00;padding:6px 10px}
.note{color:#616161;font-size:12px}svg{display:block;margin:8px 0}
"""


def _bars(section: Section, width: int = 760) -> str:
    """Horizontal stacked bars: each key's items by status, with the completion rate at the end."""
    rows = section.data
    if not rows:
        return ""
    kinds = ("done", "in_progress", "open", "wont_do", "closed_by_bot")
    label_w, bar_w, row_h = 180, width - 260, 22
    most = max(r["total"] for r in rows) or 1
    height = row_h * len(rows) + 40
    parts = [
        f'<svg width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(section.title)}: items by status">'
    ]
    for index, row in enumerate(rows):
        y = index * row_h + 4
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" font-size="12" text-anchor="end">{escape(str(row["key"]))[:28]}</text>'
        )
        x = float(label_w)
        for kind in kinds:
            w = bar_w * row[kind] / most
            if w > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row_h - 6}" fill="{COLOURS[kind]}">'
                    f"<title>{LABELS[kind]}: {row[kind]}</title></rect>"
                )
                x += w
        text = rate(row["done"], row["total"] - row["wont_do"])
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 14}" font-size="12">{text}</text>')
    parts.append(_legend(kinds, height - 18))
    parts.append("</svg>")
    return "".join(parts)


def _legend(kinds: tuple[str, ...], y: int) -> str:
    out, x = [], 10
    for kind in kinds:
        out.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{COLOURS[kind]}"/>')
        out.append(f'<text x="{x + 16}" y="{y + 11}" font-size="12">{LABELS[kind]}</text>')
        x += 28 + 8 * len(LABELS[kind])
    return "".join(out)


def _trend_chart(trend: list[TrendPoint], width: int = 760, height: int = 260) -> str:
    """Open and overdue counts as lines over the months, completion rate as bars behind them."""
    if not trend:
        return ""
    left, right, top, bottom = 50, 50, 16, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    most = max(max(t["open"] + t["in_progress"], t["overdue"]) for t in trend) or 1
    step = plot_w / max(len(trend), 1)
    parts = [
        f'<svg width="{width}" height="{height}" role="img" '
        'aria-label="Trend: open and overdue items, completion rate, by month">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#757575"/>',
        f'<text x="{left - 6}" y="{top + 10}" font-size="11" text-anchor="end">{most}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" font-size="11" text-anchor="end">0</text>',
        f'<text x="{left + plot_w + 6}" y="{top + 10}" font-size="11">100%</text>',
    ]
    for index, point in enumerate(trend):
        x = left + index * step
        rate = point["completion_rate"] or 0
        h = plot_h * rate
        parts.append(
            f'<rect x="{x + step * 0.2:.1f}" y="{top + plot_h - h:.1f}" width="{step * 0.6:.1f}" '
            f'height="{h:.1f}" fill="#c8e6c9"><title>{point["month"]} completion '
            f"{rate * 100:.0f}%</title></rect>"
        )
        parts.append(
            f'<text x="{x + step / 2:.1f}" y="{top + plot_h + 16}" font-size="11" text-anchor="middle">'
            f"{point['month']}</text>"
        )
    for key, colour, value in (
        ("open", COLOURS["open"], lambda t: t["open"] + t["in_progress"]),
        ("overdue", COLOURS["overdue"], lambda t: t["overdue"]),
    ):
        points = " ".join(
            f"{left + i * step + step / 2:.1f},{top + plot_h - plot_h * value(t) / most:.1f}"
            for i, t in enumerate(trend)
        )
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        for i, t in enumerate(trend):
            parts.append(
                f'<circle cx="{left + i * step + step / 2:.1f}" cy="{top + plot_h - plot_h * value(t) / most:.1f}" '
                f'r="3" fill="{colour}"><title>{t["month"]} {key}: {value(t)}</title></circle>'
            )
    y = height - 18
    parts.append(
        f'<rect x="10" y="{y}" width="12" height="12" fill="{COLOURS["open"]}"/>'
        f'<text x="26" y="{y + 11}" font-size="12">open + in progress</text>'
        f'<rect x="160" y="{y}" width="12" height="12" fill="{COLOURS["overdue"]}"/>'
        f'<text x="176" y="{y + 11}" font-size="12">overdue</text>'
        f'<rect x="250" y="{y}" width="12" height="12" fill="#c8e6c9"/>'
        f'<text x="266" y="{y + 11}" font-size="12">completion rate (right axis)</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _cell(header: str, value: str, entry: dict[str, Any] | None) -> str:
    """A table cell; an item's issue is a link to it (a link to follow, not an asset the page loads)."""
    url = ((entry or {}).get("issue") or {}).get("url") if header == "issue" else None
    if url and str(url).startswith(("http://", "https://")):
        return f'<td><a href="{escape(url)}">{escape(value)}</a></td>'
    return f"<td>{escape(value)}</td>"


def _table(section: Section) -> str:
    if not section.rows:
        return ""
    head = "".join(f"<th>{escape(h)}</th>" for h in section.headers)
    entries: list[dict[str, Any] | None] = list(section.data) if section.key in LINKED else []
    entries += [None] * (len(section.rows) - len(entries))
    body = "".join(
        "<tr>" + "".join(_cell(h, v, entry) for h, v in zip(section.headers, row, strict=True)) + "</tr>"
        for row, entry in zip(section.rows, entries, strict=True)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


LINKED = ("overdue", "unowned")  # sections whose rows are items with an issue link


def _month_chart(months: list[IncidentMonth], width: int = 760, height: int = 220) -> str:
    """Per incident month, the share of its items done within 30, 60 and 90 days (three bars)."""
    if not months:
        return ""
    left, top, bottom = 40, 12, 52
    plot_w, plot_h = width - left - 20, height - top - bottom
    step = plot_w / len(months)
    shades = {30: "#1b5e20", 60: "#43a047", 90: "#a5d6a7"}
    parts = [
        f'<svg width="{width}" height="{height}" role="img" '
        'aria-label="Completion by incident month: share done within 30, 60 and 90 days">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#757575"/>',
        f'<text x="{left - 6}" y="{top + 10}" font-size="11" text-anchor="end">100%</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" font-size="11" text-anchor="end">0</text>',
    ]
    for index, month in enumerate(months):
        x = left + index * step
        bar = step * 0.8 / 3
        for slot, n in enumerate((30, 60, 90)):
            base = month.get("window_base", month["items"])  # done-before-tracking items left out
            within, share_after = window(month, n)
            share = within / base if base else 0
            h = plot_h * share
            label = rate(within, base)
            done = "" if share_after is not None else " so far"
            parts.append(
                f'<rect x="{x + step * 0.1 + slot * bar:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{shades[n]}"><title>{month["month"]}: {label} done within {n} days'
                f"{done}</title></rect>"
            )
        parts.append(
            f'<text x="{x + step / 2:.1f}" y="{top + plot_h + 16}" font-size="11" text-anchor="middle">'
            f"{month['month']}</text>"
        )
    y, x = height - 18, 10
    for n, colour in shades.items():
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="{y + 11}" font-size="12">within {n} days</text>')
        x += 120
    parts.append("</svg>")
    return "".join(parts)


def to_html(report: Report, limit: int = 20) -> str:
    """One page, no scripts and no external assets, so it can be attached or opened anywhere."""
    title = escape(_title(report))
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{title}</title><style>{STYLE}</style></head><body>",
        f"<h1>{title}</h1>",
        f"<p>{escape(headline(report))}</p>",
    ]
    for warning in report["warnings"]:
        out.append(f'<p class="warn">Warning: {escape(warning)}</p>')
    for section in sections(report, limit):
        out.append(f'<section id="{section.key}"><h2>{escape(section.title)}</h2>')
        if section.key in ("team", "severity", "target", "person"):
            out.append(_bars(section))
        if section.key == "trend":
            out.append(_trend_chart(report["trend"]))
        if section.key == "by_incident_month" and report["manager"] is not None:
            out.append(_month_chart(report["manager"]["by_incident_month"]))
        out.append(_table(section))
        if section.note:
            out.append(f'<p class="note">{escape(section.note)}</p>')
        out.append("</section>")
    for note in footnotes(report):
        out.append(f'<p class="note">{escape(note)}</p>')
    out.append(
        f'<p class="note">Generated by tracker at {escape(local_time(report, report["generated_at"]))} ({escape(report["timezone"])}).</p>'
    )
    out.append("</body></html>")
    return "\n".join(out) + "\n"
