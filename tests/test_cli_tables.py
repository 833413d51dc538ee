"""Tables that fit: `list`, `postmortems`, `people` and `report` at 60, 100 and 160 columns, colour, csv."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys

import pytest
from conftest import REPO, strip_ansi
from test_report_data import CONFIG, build

from tracker.table import ELLIPSIS, render, truncate

LONG = "Alert when the cart-cache hit ratio stays below 80% for five minutes during the checkout peak"
WIDTHS = (60, 100, 160)


@pytest.fixture
def items(run_cli, make_config, db_url):
    """The report data set plus a long title, a long slug and an owner that resolves to no one."""
    make_config(CONFIG)
    run_cli.ok(
        "add", LONG, "-p", "queue-backlog-2026-05-checkout", "-o", "@platform-oncall", "-d", "2026-01-10"
    )
    build(db_url)
    return run_cli


def source_words(*texts: str) -> set[str]:
    words: set[str] = set()
    for text in texts:
        for word in text.split():
            words.update({word, word.upper()})
    return words


def assert_fits(output: str, width: int, words: set[str]) -> None:
    """No line is wider than `width`; every word is whole, or a cut word's start ending in an ellipsis."""
    for line in strip_ansi(output).splitlines():
        assert len(line) <= width, f"{len(line)} > {width}: {line!r}"
        for token in line.split():
            if token in words:
                continue
            assert token.endswith(ELLIPSIS), f"{token!r} is not a whole word: {line!r}"
            start = token[: -len(ELLIPSIS)]
            assert any(w.startswith(start) for w in words), f"{token!r} starts no word: {line!r}"


def everything_in(run_cli) -> set[str]:
    rows = json.loads(run_cli.ok("list", "--format", "json").stdout)
    texts = [json.dumps(rows)]
    for row in rows:
        texts += [str(v) for v in row.values() if v is not None]
        texts += [f"{row['status']} (overdue)", ", ".join(link["key"] for link in row["links"])]
    return source_words(*texts) | {"-", "(overdue)"}


@pytest.mark.parametrize("width", WIDTHS)
def test_list_fits_every_width_without_splitting_a_word(items, width):
    out = items("list", env={"COLUMNS": str(width)})
    assert out.exit_code == 0, out.output
    headers = "ID POSTMORTEM TITLE OWNER DEADLINE STATUS LINKS"
    assert_fits(out.stdout, width, everything_in(items) | source_words(headers))
    assert "Item A" in out.stdout  # short titles are whole
    assert LONG not in out.stdout and "Alert when the" in out.stdout  # the title is cut first
    if width == 160:
        assert "for five minutes" in out.stdout  # with room, most of it shows


def test_the_title_is_cut_before_any_other_column(items):
    out = items("list", env={"COLUMNS": "120"}).stdout
    assert LONG in items("list", env={"COLUMNS": "250"}).stdout  # nothing is cut when it fits
    [line] = [line for line in out.splitlines() if "Alert when" in line]
    assert "queue-backlog-2026-05-checkout" in line and "@platform-oncall" in line and "2026-01-10" in line
    assert ELLIPSIS in line.split("queue-backlog-2026-05-checkout")[1].split("@platform-oncall")[0]


@pytest.mark.parametrize("width", WIDTHS)
def test_report_fits_every_width_without_splitting_a_word(items, width):
    out = items("report", "--no-save", env={"COLUMNS": str(width)})
    assert out.exit_code == 0, out.output
    report = json.loads(items.ok("report", "--no-save", "--format", "json").stdout)
    from tracker.report.sections import sections

    texts = [out.stdout.splitlines()[0], out.stdout.splitlines()[1]]  # title and headline sentences
    texts += [w for w in report["warnings"]]
    for section in sections(report, 20):
        texts += [section.title, section.note or "", *section.headers]
        texts += [value for row in section.rows for value in row]
    words = source_words(*texts) | {"==", "warning:"}
    for line in out.stdout.splitlines():
        if line.startswith(("warning:", "(")) or line == out.stdout.splitlines()[1]:
            continue  # sentences, not tables: they are as long as they are
        assert_fits(line, width, words)
    assert "bot-closed" in out.stdout.lower() and "completion" in out.stdout.lower()


def test_report_at_80_columns_keeps_whole_headers(items):
    out = items("report", "--no-save", env={"COLUMNS": "80"}).stdout
    table_lines = [line for line in out.splitlines() if not line.startswith(("warning", "("))][2:]
    assert all(len(line) <= 80 for line in table_lines)
    assert "BOT-CLOSED" in out and "COMPLETION" in out and "clos│ed" not in out


@pytest.mark.parametrize("width", WIDTHS)
def test_postmortems_and_people_fit(items, width):
    for command in ("postmortems", "people"):
        out = items(command, env={"COLUMNS": str(width)})
        assert out.exit_code == 0, out.output
        for line in out.stdout.splitlines():
            assert len(line) <= width, (command, line)


def test_no_colour_in_a_pipe_or_under_no_color(items):
    assert "\x1b[" not in items.ok("list").stdout  # CliRunner is a pipe
    assert "\x1b[" not in items("list", env={"NO_COLOR": "1", "COLUMNS": "100"}).stdout


def _on_a_terminal(workdir, *args: str, env: dict[str, str], answer: str | None = None) -> str:
    """Run the real `tracker` under a pseudo-terminal (typing `answer`) and return what it printed."""
    import pty

    main, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker", *args],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        cwd=workdir,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
        close_fds=True,
    )
    os.close(secondary)
    if answer is not None:  # the terminal holds the line until the prompt reads it
        os.write(main, answer.encode() + b"\n")
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # the terminal closed: the process is done
            break
        if not data:
            break
        chunks.append(data)
    code = process.wait(timeout=60)
    os.close(main)
    return f"{b''.join(chunks).decode('utf-8', 'replace')}\n[exit {code}]"


def test_colour_for_status_and_overdue_on_a_terminal_only(items, workdir):
    env = {"COLUMNS": "120", "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    coloured = _on_a_terminal(workdir, "--config", str(workdir / "tracker.toml"), "list", env=env)
    assert "\x1b[" in coloured, coloured
    overdue = [line for line in coloured.splitlines() if "(overdue)" in line]
    assert overdue and all("\x1b[31m" in line for line in overdue)
    done = [line for line in coloured.splitlines() if re.search(r"\bdone\b", strip_ansi(line))]
    assert done and all("\x1b[32" in line for line in done)
    plain = _on_a_terminal(
        workdir, "--config", str(workdir / "tracker.toml"), "list", env={**env, "NO_COLOR": "1"}
    )
    assert "\x1b[" not in plain and "(overdue)" in plain
    report = _on_a_terminal(
        workdir, "--config", str(workdir / "tracker.toml"), "report", "--no-save", env=env
    )
    lines = strip_ansi(report).splitlines()
    assert "\x1b[" in report and "By severity" in report
    assert all(len(line) <= 120 for line in lines[2:] if not line.startswith(("warning", "(")))


def test_csv_and_json_are_never_cut(items):
    out = items("list", "--format", "csv", env={"COLUMNS": "60"}).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert LONG in [r["title"] for r in rows]
    data = json.loads(items("postmortems", "--format", "json", env={"COLUMNS": "60"}).stdout)
    assert "queue-backlog-2026-05-checkout" in [p["slug"] for p in data]
    people = list(csv.DictReader(io.StringIO(items.ok("people", "--format", "csv").stdout)))
    assert {"owner", "items", "kind", "person", "team"} <= set(people[0])


def test_truncate_prefers_a_word_boundary_and_marks_the_cut():
    assert truncate("Add slow-query alerting for orders", 20) == "Add slow-query…"
    assert truncate("short", 20) == "short"
    assert truncate("queue-backlog-2026-05", 10) == "queue-…"
    assert len(truncate("x" * 50, 10)) == 10 and truncate("x" * 50, 10).endswith(ELLIPSIS)


def test_a_table_too_wide_for_columns_is_split_then_shown_as_records():
    headers = ["scope", "total", "done", "in progress", "open", "won't do", "bot-closed", "completion"]
    rows = [["all", 12, 3, 1, 8, 0, 0, "27%"]]
    split = render(rows, headers, width=40, shrink=())
    assert split.count("all") >= 2 and all(len(line) <= 40 for line in split.splitlines())
    records = render(rows, headers, width=14, shrink=())
    assert all(len(line) <= 14 for line in records.splitlines())
    assert "completion" in records.replace("\n", " ") or "complet" in records


def test_control_characters_in_a_cell_never_reach_the_terminal():
    out = render([[1, "Rotate \x1b[31mkeys\x1b[0m\x07 now"]], ["id", "title"], width=60, colour=True)
    assert "\x1b[31mkeys" not in out and "\x07" not in out and "Rotate [31mkeys[0m now" in out
