"""Each report format (plain, rich, Markdown, JSON, CSV, HTML in a parser and in headless Chromium)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_report_data import CONFIG, build

IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture
def data(make_config, db_url, run_cli):
    make_config(CONFIG)
    run_cli.ok("add", "Item I", "-p", "inc-3", "-o", "@sam", "-d", "2099-01-01")
    return build(db_url)


def test_plain_table_when_not_a_terminal(run_cli, data):
    out = run_cli.ok("report", "--no-save").stdout
    assert "\x1b[" not in out  # CliRunner is not a terminal: no colour codes
    assert "== Overall" in out and "== By team" in out and "== Trend" in out
    assert "9 action items" in out and "1 closed by a bot (not counted as done)" in out
    [overall] = [line for line in out.splitlines() if line.startswith("all ")]
    assert overall.split()[:6] == ["all", "9", "4", "0", "3", "1"]  # total, done, in progress, open, won't do


def test_rich_table_for_a_terminal(run_cli, data):
    from tracker.commands.report import render

    report = json.loads(run_cli.ok("report", "--no-save", "--format", "json").stdout)
    out = render(report, "table", 20, terminal=True)
    assert "\x1b[" in out and "By severity" in out and "sev1" in out
    assert render(report, "table", 20, terminal=False) == run_cli.ok("report", "--no-save").stdout


def test_markdown(run_cli, data):
    out = run_cli.ok("report", "--no-save", "--format", "markdown").stdout
    assert out.startswith("## Postmortem action items")
    assert "> **Warning:** target jr" in out
    assert "| team | total | done |" in out
    assert "| payments | 3 | 1 | 0 | 1 | 1 | 0 | 1 of 2 |" in out  # under 5 items: a fraction


def test_json_shape(run_cli, data):
    out = run_cli.ok("report", "--no-save", "--format", "json").stdout
    r = json.loads(out)
    # Indented, with each row of a list on a line of its own (encoded by json's C encoder).
    lines = out.splitlines()
    assert lines[0] == "{" and lines[1].startswith('  "report_version": ')
    one_line = {line.strip().rstrip(",") for line in lines}
    for group in r["groups"]["team"]:
        assert json.dumps(group, ensure_ascii=False, separators=(", ", ": ")) in one_line
    assert set(r) == {
        "report_version",
        "generated_at",
        "as_of",
        "date",
        "timezone",
        "organisation",
        "scope",
        "freshness",
        "warnings",
        "summary",
        "groups",
        "trend",
        "review",
        "recurrence",
        "manager",
        "same_service",
    }
    assert set(r["summary"]) == {
        "total",
        "open",
        "in_progress",
        "done",
        "wont_do",
        "closed_by_bot",
        "overdue",
        "no_deadline",
        "on_time",
        "on_time_base",
        "on_time_rate",
        "deadline_slips",
        "items_slipped",
        "slip_days",
        "max_slip_days",
        "completion_rate",
        "median_days_to_done",
        "done_before_tracking",
        "due",
        "due_done",
    }
    assert set(r["trend"][0]) == {
        "month",
        "date",
        "total",
        "open",
        "in_progress",
        "done",
        "wont_do",
        "closed_by_bot",
        "overdue",
        "completion_rate",
    }
    assert len(r["trend"]) == 12 and r["review"] is None
    assert set(r["freshness"][0]) == {"target", "kind", "last_good_sync_at", "age_hours", "stale"}


def test_csv(run_cli, data):
    rows = list(csv.DictReader(io.StringIO(run_cli.ok("report", "--no-save", "--format", "csv").stdout)))
    summary = [r for r in rows if r["section"] == "summary"]
    assert len(summary) == 1 and summary[0]["total"] == "9" and summary[0]["completion_rate"] == "0.5"
    teams = {r["key"]: r for r in rows if r["section"] == "group" and r["dimension"] == "team"}
    assert teams["platform"]["done"] == "3" and teams["(none)"]["closed_by_bot"] == "1"
    assert len([r for r in rows if r["section"] == "trend"]) == 12
    items = list(
        csv.DictReader(
            io.StringIO(run_cli.ok("report", "-p", "inc-1", "--no-save", "--format", "csv").stdout)
        )
    )
    assert [r["title"] for r in items if r["section"] == "item"] == ["Item A", "Item B", "Item C", "Item D"]


class Page(HTMLParser):
    """Collects what the HTML tests check: tags, external references, scripts, table cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, int] = {}
        self.external: list[str] = []
        self.cells: list[str] = []
        self._in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for name, value in attrs:
            if tag == "a" and name == "href":
                continue  # a link to follow (an item's issue), not an asset the page loads
            if name in ("src", "href", "xlink:href", "srcset", "action") or (value and "url(" in value):
                self.external.append(f"{tag} {name}={value}")
        self._in_cell = tag == "td"

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._in_cell = False

    def handle_data(self, data: str) -> None:
        if self._in_cell:
            self.cells.append(data)


def _html(run_cli, tmp_path: Path) -> tuple[Path, str]:
    out = tmp_path / "report.html"
    run_cli.ok("report", "--no-save", "--format", "html", "--output", str(out), "--months", "14")
    return out, out.read_text(encoding="utf-8")


def test_html_is_self_contained_with_charts_and_tables(run_cli, data, tmp_path):
    _, text = _html(run_cli, tmp_path)
    page = Page()
    page.feed(text)
    assert page.tags.get("script", 0) == 0 and page.external == []
    assert "<link" not in text and "@import" not in text and "http" not in text.split("<body>")[0]
    assert page.tags["svg"] >= 4  # team, severity, target bars and the trend chart
    assert page.tags["rect"] > 10 and page.tags["polyline"] == 2
    assert page.tags["table"] >= 6
    assert "platform" in page.cells and "3 of 4" in page.cells  # the numbers are in tables too
    assert "Warning: target jr" in text


def _png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA PNG into rows of pixel bytes (stdlib only)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up, corner = previous[x], previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(bytes(line))
        previous = line
    return width, channels, rows


def test_html_renders_in_headless_chromium(run_cli, data, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        if IN_CI:
            pytest.fail("chromium is not installed (.ci/run installs it)")
        pytest.skip("chromium is not installed")
    page, _ = _html(run_cli, tmp_path)
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1200,1600",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    width, channels, rows = _png_pixels(shot.read_bytes())
    colours: set[bytes] = set()
    dark = 0
    for row in rows[::4]:
        for x in range(0, width * channels, channels * 4):
            pixel = row[x : x + 3]
            colours.add(pixel)
            dark += sum(pixel) < 200
    assert len(colours) > 20, "the screenshot is blank or nearly so"
    assert dark > 500, "no text or chart drawn"
    # The status colours of the bar chart are on the page (done green, open blue).
    assert bytes((0x2E, 0x7D, 0x32)) in colours and bytes((0x15, 0x65, 0xC0)) in colours
