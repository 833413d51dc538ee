"""A database error names the database it came from (a cron job may run from the wrong folder)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "command", [("list",), ("show", "1"), ("edit", "1", "--title", "Page on lag"), ("report",)]
)
def test_a_file_that_is_not_a_database_is_named(run_cli, workdir, command):
    (workdir / "tracker.toml").write_text('[database]\npath = "state.db"\n')
    (workdir / "state.db").write_bytes(b"this is not SQLite, just text someone saved here\n" * 20)
    result = run_cli(*command)
    assert result.exit_code == 2, result.output
    first = result.stderr.splitlines()[0]
    assert first.startswith("error: ") and str(workdir / "state.db") in first, result.stderr
    assert "Traceback" not in result.stderr
