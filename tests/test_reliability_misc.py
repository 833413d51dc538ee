"""Issue 19, points 1, 9, 12, 15 and 16: CLI options, config gaps, quiet output and reassignment pushes."""

from __future__ import annotations

from pathlib import Path

import pytest
from ops_support import GH_ENV, GH_TOKEN, REPO, github_config, start_github, tracker, write_items

from tracker.sandbox.github import FakeGitHub


@pytest.fixture
def gh(monkeypatch: pytest.MonkeyPatch):
    fake = start_github(monkeypatch)
    fake.add_repo("acme/archive", private=True, collaborators=["dana-w", "tracker-bot"])
    fake.add_collaborator(REPO, "leepark")
    yield fake
    fake.stop()


def _setup(gh: FakeGitHub, run_cli, make_config, workdir: Path, count: int = 2, extra: str = "") -> Path:
    path = make_config(github_config(gh.api_url) + extra)
    run_cli.ok("import", str(write_items(workdir / "pm", count)))
    return path


# 1. The documented cron and systemd lines ------------------------------------------------------------
def test_19_1_quiet_after_the_subcommand(gh, run_cli, make_config, workdir):
    _setup(gh, run_cli, make_config, workdir)
    metrics = workdir / "tracker.prom"
    result = run_cli("sync", "-q", "--metrics-file", str(metrics))
    assert result.exit_code == 0, result.output
    assert len(gh.issues(REPO)) == 2
    assert 'tracker_sync_ok{target="gh"} 1' in metrics.read_text()
    assert result.stdout == ""  # quiet: a successful cron run mails nothing


def test_19_1_quiet_before_the_subcommand_is_the_same(gh, run_cli, make_config, workdir):
    _setup(gh, run_cli, make_config, workdir)
    assert run_cli.ok("-q", "sync").stdout == ""
    assert "gh (github): 0 created" in run_cli.ok("sync").stdout  # not quiet: the summary


def test_19_1_quiet_sync_still_reports_failures(gh, run_cli, make_config, workdir):
    _setup(gh, run_cli, make_config, workdir)
    gh.exhaust_rate_limit("tracker-bot", reset_in=600)
    result = run_cli("sync", "-q")
    assert result.exit_code == 1
    assert "gh (github)" in result.stdout and "stopped" in result.stdout


def test_19_1_global_options_after_every_command(run_cli, make_config):
    """Every command (and `db`'s subcommands) takes -q, -v and --config after its name."""
    from tracker.cli import COMMANDS

    make_config("")
    for name in COMMANDS:
        args = ["db", "current"] if name == "db" else [name]
        result = run_cli(*args, "--help")
        assert result.exit_code == 0, (name, result.output)
        assert "-v, --verbose" in result.stdout, name
        assert "--config PATH" in result.stdout, name
        if name != "import":  # import's own -q (one line per document) keeps its meaning
            assert "-q, --quiet" in result.stdout, name


def test_19_1_verbose_after_the_subcommand_shows_the_traceback(run_cli, make_config, workdir):
    from sqlalchemy.exc import DatabaseError

    make_config('[database]\npath = "broken.db"\n')
    (workdir / "broken.db").write_bytes(b"this is not a database file" * 100)
    brief = run_cli("list")
    assert brief.exit_code == 2 and "Traceback" not in brief.output
    assert "database error" in brief.stderr
    with pytest.raises(DatabaseError):  # -v after the subcommand lets the traceback through, as before it
        run_cli("list", "-v")


def test_19_1_config_after_the_subcommand(run_cli, make_config, workdir):
    make_config('[database]\npath = "main.db"\n')
    run_cli.ok("init")
    other = make_config('[database]\npath = "other.db"\n', name="other.toml")
    assert run_cli.ok("list").exit_code == 0
    result = run_cli("list", "--config", str(other))  # given after the command, it wins
    assert result.exit_code == 2 and "other.db" in result.stderr


def test_19_1_cron_line_in_a_subprocess(gh, run_cli, make_config, workdir):
    """What cron runs: the installed binary with the README's arguments."""
    config = _setup(gh, run_cli, make_config, workdir)
    metrics = workdir / "node_exporter" / "tracker.prom"
    metrics.parent.mkdir()
    proc = tracker(config, "sync", "-q", "--metrics-file", str(metrics), env={GH_ENV: GH_TOKEN})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and proc.stderr == ""
    assert 'tracker_sync_created{target="gh"} 2' in metrics.read_text()


# 9. A token pasted into token_env ------------------------------------------------------------------
LEGACY_ATLASSIAN = "Xk7Pq2LmN9rT4vW8yZ3bC6dF"  # 24 characters: also a valid variable name
SHORT_GHP = "ghp_Q9w8E7r6T5y4"  # too short to look like a token, still a valid variable name


def test_19_9_token_pasted_into_token_env_is_never_echoed(gh, run_cli, make_config, workdir, monkeypatch):
    from ops_support import JIRA_EMAIL_ENV, start_jira

    jira = start_jira(monkeypatch)
    try:
        config = github_config(gh.api_url).replace(f'token_env = "{GH_ENV}"', f'token_env = "{SHORT_GHP}"')
        config += f"""
[targets.ops]
kind = "jira"
url = "{jira.url}"
project = "OPS"
email_env = "{JIRA_EMAIL_ENV}"
token_env = "{LEGACY_ATLASSIAN}"
"""
        make_config(config)
        run_cli.ok("import", str(write_items(workdir / "pm", 1)))
        for args in (["sync"], ["sync", "--format", "json"], ["check"], ["-v", "sync"], ["sync", "-v"]):
            result = run_cli(*args)
            output = result.stdout + result.stderr
            assert result.exit_code != 0, (args, output)
            assert SHORT_GHP not in output and LEGACY_ATLASSIAN not in output, (args, output)
            assert "[targets.gh] token_env" in output and "[targets.ops] token_env" in output, (args, output)
    finally:
        jira.stop()


def test_19_9_unset_email_env_is_named_by_its_key(run_cli, make_config, monkeypatch):
    from tracker.backends.jira_http import jira_credentials
    from tracker.config import config_from_text
    from tracker.errors import ConfigError

    pasted = "dana_whitfield_at_corp_example"  # an address typed as a name: not set, never shown
    config = config_from_text(
        f'[targets.ops]\nkind = "jira"\nurl = "https://acme.atlassian.net"\nproject = "OPS"\n'
        f'email_env = "{pasted}"\ntoken_env = "JIRA_T"\n'
    )
    with pytest.raises(ConfigError) as raised:
        jira_credentials(config.targets["ops"], {"JIRA_T": "x"})  # type: ignore[arg-type]
    text = f"{raised.value.message} {raised.value.hint}"
    assert "[targets.ops] email_env" in text and pasted not in text


# 15. Config gaps -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("section", "line", "named"),
    [
        ("targets.gh", 'api_url = "ftp://x"', "[targets.gh] api_url"),
        ("targets.gh", 'api_url = "https://"', "[targets.gh] api_url"),
        ("sync", "lease_seconds = 0", "[sync] lease_seconds"),
        ("sync", "lease_seconds = -1", "[sync] lease_seconds"),
        ("sync", "request_timeout_seconds = 0", "[sync] request_timeout_seconds"),
        ("targets.gh", "creates_per_hour = 0", "[targets.gh] creates_per_hour"),
        ("targets.gh", "creates_per_minute = -5", "[targets.gh] creates_per_minute"),
        ("database", "busy_timeout_ms = 0", "[database] busy_timeout_ms"),
        ("remind", "every_days = -1", "[remind] every_days"),
    ],
)
def test_19_15_bad_values_refused_with_the_key_named(gh, run_cli, make_config, workdir, section, line, named):
    make_config(github_config(gh.api_url))
    run_cli.ok("init")
    base = (workdir / "tracker.toml").read_text()
    if section.startswith("targets."):
        text = base.replace(f"[{section}]\n", f"[{section}]\n{line}\n").replace(
            f'api_url = "{gh.api_url}"\n', "" if "api_url" in line else f'api_url = "{gh.api_url}"\n'
        )
        text = text.replace(
            "creates_per_minute = 100000\n", "" if "per_minute" in line else "creates_per_minute = 100000\n"
        )
        text = text.replace(
            "creates_per_hour = 100000\n", "" if "per_hour" in line else "creates_per_hour = 100000\n"
        )
    else:
        text = (
            base.replace(f"[{section}]\n", f"[{section}]\n{line}\n")
            if f"[{section}]" in base
            else base + f"\n[{section}]\n{line}\n"
        )
        text = text.replace("lease_seconds = 300\n", "") if "lease_seconds" in line else text
    (workdir / "tracker.toml").write_text(text, encoding="utf-8")
    gh.reset_log()
    for command in ("sync", "doctor", "check"):
        result = run_cli(command)
        assert result.exit_code == 2, (command, result.output)
        assert named in result.stderr and "internal error" not in result.output, result.stderr
        assert "Traceback" not in result.output
    assert gh.requests == []  # refused before any request
