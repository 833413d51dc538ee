"""`tracker demo`, the README's first command: the whole story against both sandboxes, no credentials."""

from __future__ import annotations

from click.testing import CliRunner

from tracker.cli import cli


def test_demo_tells_the_whole_story(tmp_path, monkeypatch):
    for name in ("TRACKER_CONFIG", "TRACKER_DATABASE_URL", "GITHUB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["demo", "--dir", str(tmp_path / "demo")], catch_exceptions=False)
    assert result.exit_code == 0, result.stdout + result.stderr
    out = result.stdout
    for step in (
        "tracker init",
        "tracker lint",
        "tracker import",
        "tracker sync",
        "tracker list",
        "tracker report",
        "tracker render",
    ):
        assert f"$ {step}" in out, step
    assert "owner-missing" in out and "wording-not-actionable" in out  # lint flags the vague items
    assert "checkout (github): 5 created" in out and "infra (jira): 1 created" in out
    assert "3 pulled" in out and "closed by a bot" in out
    # The runbook item is Done in the document, due before the import: done before tracking, not late.
    review = " ".join(out.split("$ tracker report")[1].split())  # sentences wrap to the terminal
    assert "on time 2 of 2 against the first deadline" in review and "1 done before tracking*" in review
    assert "By team" not in review  # one postmortem: its figures once, no one-row group tables
    assert "team-chat (slack): sent the digest for" in out  # issue 18: the digest reaches a chat sink
    assert (
        "the local Slack sink at http://127.0.0.1:" in out and "Newly done (2)" in out
    )  # the runbook was done before tracking
    assert "Traceback" not in out
    assert (tmp_path / "demo" / "tracker.db").exists()
