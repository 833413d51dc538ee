"""The manager's view in HTML: the numbers on the page are the JSON report's, with issue links, at 1280 px."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from test_report_honest import WITH_LENA, imported  # noqa: F401 (the data set's fixture)

from tracker.models import ActionItem, Link
from tracker.states_session import maintain

IN_CI = os.environ.get("CI") == "true"
ISSUE_URL = "https://github.example/acme/pay/issues/2"


class Tables(HTMLParser):
    """Each section's table cells by section id, and the links in them."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, list[list[str]]] = {}
        self.links: list[str] = []
        self._section: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "section":
            self._section = values.get("id")
            self.sections[self._section or ""] = []
        elif tag == "tr" and self._section is not None:
            self.sections[self._section].append([])
        elif tag == "td":
            self._cell = []
        elif tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self._section is not None:
            self.sections[self._section][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "section":
            self._section = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def link_issue(db_url: str, title: str) -> None:
    engine = create_engine(db_url)
    with maintain(Session(engine)) as session:
        item = session.query(ActionItem).filter_by(title=title).one()
        session.add(
            Link(
                item=item,
                target="gh",
                kind="github",
                state="linked",
                key="acme/pay#2",
                url=ISSUE_URL,
                base={},
            )
        )
        session.commit()
    engine.dispose()


@pytest.fixture
def pages(run_cli, make_config, imported, db_url, tmp_path):  # noqa: F811
    make_config(WITH_LENA)
    link_issue(db_url, "Fix the retry storm in the payment client")
    run_cli.ok("report", "--format", "json")  # a previous report, so "change since" has numbers
    page = tmp_path / "report.html"
    run_cli.ok("report", "--no-save", "--format", "html", "--output", str(page))
    data = json.loads(run_cli.ok("report", "--no-save", "--format", "json").stdout)
    return page, data


def check_numbers(sections: dict[str, list[list[str]]], data: dict) -> None:
    """Every number the manager's tables show against the JSON report."""
    m, s = data["manager"], data["summary"]
    glance = {row[0]: row[1:] for row in sections["glance"] if row}
    expected = {
        "action items": s["total"],
        "done": s["done"],
        "open": s["open"],
        "in progress": s["in_progress"],
        "overdue": s["overdue"],
        "open without a person as owner (not in [people])": m["unowned_count"],
    }
    assert {label: int(glance[label][0]) for label in expected} == expected
    figures = m["since_previous"]["figures"]
    assert int(glance["done"][1]) == figures["done"]["change"]
    due = m["due_so_far"]
    assert glance["done of the items due so far"][0] == f"{due['done']} of {due['due']}"
    overdue = [row for row in sections["overdue"] if row]
    assert [(int(r[0]), r[3], r[4], int(r[5]), r[6]) for r in overdue] == [
        (e["id"], e["owner"], e["team"], e["days_overdue"], e["issue"]["key"]) for e in m["overdue"]
    ]
    teams = [row for row in sections["teams_by_overdue"] if row]
    assert [(r[0], int(r[1])) for r in teams] == [(t["team"], t["overdue"]) for t in m["teams_by_overdue"]]
    unowned = [int(row[0]) for row in sections["unowned"] if row]
    assert unowned == [e["id"] for e in m["unowned"]]
    months = [row for row in sections["by_incident_month"] if row]
    assert [(r[0], int(r[1]), int(r[2]), int(r[6])) for r in months] == [
        (x["month"], x["items"], x["done"], x["done_time_unknown"]) for x in m["by_incident_month"]
    ]


def test_html_numbers_equal_the_json_report(pages):
    page, data = pages
    tables = Tables()
    tables.feed(page.read_text())
    check_numbers(tables.sections, data)
    assert ISSUE_URL in tables.links  # the overdue item's issue is one click away
    assert data["manager"]["overdue"][0]["issue"] == {"key": "acme/pay#2", "url": ISSUE_URL}
    text = page.read_text()
    assert "within 30 days" in text and 'aria-label="Completion by incident month' in text


# Loads the report in an iframe 1280 px wide and writes what Chromium rendered into the wrapper's DOM,
# which --dump-dom prints: the page's scroll and client widths, and every table cell by section.
WRAPPER = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="report.html" style="width:1280px;height:900px;border:0"></iframe>
<pre id="out"></pre>
<script>
document.getElementById("f").addEventListener("load", function () {
  var d = this.contentDocument, out = {scroll: d.documentElement.scrollWidth,
    client: d.documentElement.clientWidth, sections: {}};
  d.querySelectorAll("section").forEach(function (s) {
    out.sections[s.id] = Array.from(s.querySelectorAll("tr")).map(function (r) {
      return Array.from(r.querySelectorAll("td")).map(function (c) { return c.textContent; });
    });
  });
  document.getElementById("out").textContent = "RESULT" + JSON.stringify(out) + "END";
});
</script></body></html>"""


def test_html_in_headless_chromium_fits_1280_pixels_and_shows_the_json_numbers(pages, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        if IN_CI:
            pytest.fail("chromium is not installed (.ci/run installs it)")
        pytest.skip("chromium is not installed")
    page, data = pages
    wrapper = Path(page).parent / "wrapper.html"
    wrapper.write_text(WRAPPER)
    done = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--allow-file-access-from-files",
            "--virtual-time-budget=5000",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1300,1000",
            "--dump-dom",
            wrapper.as_uri(),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    dom = done.stdout
    assert "RESULT" in dom, dom[-2000:]
    raw = dom.split("RESULT", 1)[1].split("END", 1)[0]
    import html

    rendered = json.loads(html.unescape(raw))
    assert rendered["scroll"] <= rendered["client"], "the page scrolls sideways at 1280 px"
    check_numbers(rendered["sections"], data)
