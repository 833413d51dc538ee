"""Property-based: the importer, the deadline parser and the config loader never crash on any input."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.config import Config, config_from_text
from tracker.deadlines import DeadlineKind, parse_deadline
from tracker.errors import TrackerError
from tracker.importing.parser import parse_document

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces that steer random text into the parser's interesting corners.
CELLS = st.sampled_from(
    [
        "Add alert on p95 > 500 ms",
        "@dana",
        "Jul 1",
        "2026-02-30",
        "TBD",
        "Done",
        "|",
        "**bold**",
        "`x|y`",
        "",
        "é",
    ]
)
LINES = st.one_of(
    st.sampled_from(
        [
            "## Action Items",
            "## Action items\n",
            "| Action Item | Owner | Deadline | Status |",
            "| --- | --- | --- | --- |",
            "|---|",
            "- [ ] Add a runbook for the failover — @lee, due Jul 1",
            "- [x] Done item",
            "---",
            "title: x",
            "**Owner:** @dana",
            "```",
            "> | quoted | table |",
            "<details>",
            "\t| indented | table |",
            "# Postmortem: ",
        ]
    ),
    st.lists(CELLS, min_size=1, max_size=6).map(lambda cells: "| " + " | ".join(cells) + " |"),
    st.text(max_size=40),
)
DOCUMENTS = st.lists(LINES, max_size=25).map("\n".join)


@FAST
@given(DOCUMENTS)
def test_parse_document_returns_or_raises_a_clear_error(text: str) -> None:
    try:
        parsed = parse_document(text, "random.md")
    except TrackerError as error:
        assert error.message and "random.md" in error.message
        return
    assert parsed is not None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(DOCUMENTS)
def test_cli_import_of_random_documents_never_crashes(run_cli, workdir, text: str) -> None:
    path = workdir / "random.md"
    path.write_text(text, encoding="utf-8")
    result = run_cli("import", str(path))  # catch_exceptions=False: a crash fails the test
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    if result.exit_code == 2:
        assert result.stderr.startswith("error: ")


DEADLINES = st.one_of(
    st.text(max_size=30),
    st.builds(
        lambda m, d, y, sep: f"{m}{sep}{d}{sep}{y}",
        st.sampled_from(["Jan", "feb", "July", "13", "0", "2026"]),
        st.integers(-1, 40),
        st.integers(0, 10000),
        st.sampled_from([" ", "-", "/", ", ", "."]),
    ),
    st.sampled_from(["Feb 29", "Feb 30", "2026-13-01", "Jul 1st", "Q3", "ASAP", "Ongoing", "31/12/2026"]),
)


@FAST
@given(DEADLINES, st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_deadline_parser_always_answers(text: str, reference: date) -> None:
    result = parse_deadline(text, reference)
    assert result.kind in DeadlineKind
    assert (result.date is not None) == (result.kind is DeadlineKind.DATE)


KEYS = st.sampled_from(
    ["kind", "repo", "token_env", "url", "project", "timezone", "default", "hold", "max_creates", "path", "x"]
)
VALUES = st.one_of(
    st.integers(-5, 10**6),
    st.booleans(),
    st.text(max_size=15),
    st.lists(st.text(max_size=5), max_size=3),
    st.sampled_from(['"github"', '"jira"', '"ghp_abcdefghijklmnopqrstuvwxyz0123456789"']),
)
SECTIONS = st.sampled_from(
    [
        "org",
        "targets.gh",
        "targets.j",
        "routing",
        "sync",
        "lint",
        "database",
        'people."dana"',
        "teams.x",
        "nope",
    ]
)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith('"'):
        return value
    if isinstance(value, (str, list)):
        import json

        return json.dumps(value)
    return str(value)


CONFIGS = st.one_of(
    st.text(max_size=80),
    st.lists(
        st.tuples(SECTIONS, st.lists(st.tuples(KEYS, VALUES), max_size=4, unique_by=lambda kv: kv[0])),
        max_size=4,
        unique_by=lambda s: s[0],
    ).map(
        lambda sections: "\n".join(
            f"[{name}]\n" + "\n".join(f"{k} = {_toml_value(v)}" for k, v in pairs) for name, pairs in sections
        )
    ),
)


@FAST
@given(CONFIGS)
def test_config_loader_returns_a_config_or_a_clear_error(text: str) -> None:
    try:
        config = config_from_text(text)
    except TrackerError as error:
        assert error.message
        assert error.exit_code == 2
        return
    assert isinstance(config, Config)
