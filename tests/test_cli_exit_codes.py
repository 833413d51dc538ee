"""The README's "Exit codes" table says what the commands really exit with."""

from __future__ import annotations

import re
from pathlib import Path

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _meaning(code: int) -> str:
    section = README.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    found = re.search(rf"^\| {code} \| (.+) \|$", section, re.M)
    assert found, f"no row for exit code {code} in README's Exit codes"
    return found.group(1)


def test_a_document_that_failed_to_import_exits_1_as_documented(run_cli, workdir):
    good = workdir / "2026-06-19-orders.md"
    good.write_text("# Orders\n\n## Action items\n\n- [ ] @dana: Page on p95 > 500 ms by 2026-07-01\n")
    bad = workdir / "scan.md"
    bad.write_bytes(b"\xff\xfe\x00\x01binary")
    result = run_cli("import", str(good), str(bad))
    assert result.exit_code == 1, result.output
    assert "FAILED" in result.stdout + result.stderr and "Traceback" not in result.stderr
    assert "failed to import" in _meaning(1)


def test_an_unreadable_path_exits_2_as_documented(run_cli, workdir):
    result = run_cli("import", str(workdir / "missing.md"))
    assert result.exit_code == 2 and result.stderr.startswith("error: "), result.output
    assert "cannot be read" in _meaning(2)
