"""No silent surprises: databases created out loud, typo suggestions, one "no targets" error, local
timestamps, no stale warnings for removed targets, waits said out loud, stopped targets, completion,
and `--format text|json` on every command that has --format."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from zoneinfo import ZoneInfo

import click
import pytest
from conftest import CLI
from ops_support import FAST_SYNC, github_config, start_github, write_items
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from test_report_data import CONFIG, build

from tracker.models import TargetState


def test_a_command_that_creates_the_database_says_where(workdir, tmp_path):
    bare = CLI(lambda: None)  # no config anywhere: the database goes under the user data folder
    expected = tmp_path / "xdg-data" / "tracker" / "tracker.db"
    first = bare("add", "Rotate keys", "-p", "inc-1")
    assert first.exit_code == 0, first.output
    assert f"created database: {expected}" in first.stderr and expected.exists()
    assert "created database" not in bare("add", "Rotate more keys", "-p", "inc-1").stderr


def test_import_says_it_created_the_database(run_cli, make_config, workdir, tmp_path):
    make_config('[database]\npath = "state/here.db"\n')
    (workdir / "state").mkdir()
    result = run_cli.ok("import", str(write_items(workdir / "pm", 2)), "--format", "json")
    assert f"created database: {workdir / 'state' / 'here.db'}" in result.stderr
    json.loads(result.stdout)  # stdout stays clean JSON


def test_init_says_it_created_the_database(workdir):
    result = CLI(lambda: None)("init")
    assert result.exit_code == 0 and f"created database: {workdir / 'tracker.db'}" in result.stderr


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [("lsit", "list or lint"), ("improt", "import"), ("postmortm", "postmortem or postmortems")],
)
def test_a_typo_gets_a_suggestion(run_cli, typed, suggested):
    result = run_cli(typed)
    assert result.exit_code == 2 and f"did you mean {suggested}?" in result.stderr


def test_a_typo_in_a_subcommand_gets_a_suggestion(run_cli):
    result = run_cli("postmortem", "renmae", "a", "b")
    assert result.exit_code == 2 and "did you mean rename" in result.stderr


@pytest.mark.parametrize(
    "args",
    [("sync",), ("check",), ("doctor",), ("relink", "1", "https://github.com/acme/x/issues/1"), ("remind",)],
)
def test_no_targets_is_said_the_same_way_everywhere(run_cli, workdir, args):
    run_cli.ok("add", "Rotate keys", "-p", "inc-1")
    result = run_cli(*args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert lines[-2] == f"error: no targets configured in {workdir / 'tracker.toml'}"
    assert lines[-1].startswith('hint: add a [targets.NAME] table (kind = "github" or "jira")')
    assert "nothing to sync" not in result.output


def test_timestamps_are_local_dates_and_times(run_cli, make_config, db_url):
    make_config(CONFIG)  # [org] timezone = Europe/Berlin
    run_cli.ok("add", "Item I", "-p", "inc-3")
    ids = build(db_url)
    shown = run_cli.ok("show", str(ids["C"])).stdout
    assert "2026-01-25 13:00  " in shown  # the 12:00 UTC status change, in Berlin (UTC+1 in January)
    assert "history (Europe/Berlin)" in shown and "T12:00:00" not in shown
    engine = create_engine(db_url)
    with Session(engine) as session:
        synced = session.scalar(select(TargetState.last_good_sync_at).where(TargetState.target == "gh"))
    engine.dispose()
    berlin = synced.replace(tzinfo=synced.tzinfo or ZoneInfo("UTC")).astimezone(ZoneInfo("Europe/Berlin"))
    report = run_cli.ok("report", "--no-save").stdout
    assert berlin.strftime("%Y-%m-%d %H:%M") in report and "+00:00" not in report
    markdown = run_cli.ok("report", "--no-save", "--format", "markdown").stdout
    assert "+00:00" not in markdown and "(Europe/Berlin)._" in markdown


def test_removed_targets_are_not_stale_and_doctor_lists_them_once(run_cli, make_config, db_url):
    make_config(CONFIG)
    run_cli.ok("add", "Item I", "-p", "inc-3")
    build(db_url)
    assert any(
        "target jr" in w
        for w in json.loads(run_cli.ok("report", "--no-save", "--format", "json").stdout)["warnings"]
    )
    # Both targets leave the config (renamed): their links and sync state stay in the database.
    renamed = CONFIG.replace("[targets.gh]", "[targets.ops]").replace(
        "[targets.jr]\n", "[targets.ops-jira]\n"
    )
    make_config(renamed)
    report = json.loads(run_cli.ok("report", "--no-save", "--format", "json").stdout)
    assert [f["target"] for f in report["freshness"]] == ["ops", "ops-jira"]
    assert not any("target gh" in w or "target jr" in w for w in report["warnings"])
    doctor = run_cli.ok("doctor")
    notes = [line for line in doctor.stdout.splitlines() if line.startswith("note:")]
    assert notes == [
        "note: target gh is no longer configured; 4 link(s) to it are kept but not checked, synced or counted as stale",
        "note: target jr is no longer configured; 1 link(s) to it are kept but not checked, synced or counted as stale",
    ]
    data = json.loads(run_cli.ok("doctor", "--format", "json").stdout)
    assert data["unconfigured_targets"] == [{"target": "gh", "links": 4}, {"target": "jr", "links": 1}]


def test_waits_are_said_under_cron_and_a_stopped_target_is_not_a_success(
    monkeypatch, run_cli, make_config, workdir
):
    gh = start_github(monkeypatch)
    try:
        make_config(github_config(gh.api_url, sync=FAST_SYNC + "max_retries = 2\n"))
        run_cli.ok("import", str(write_items(workdir / "pm", 2)))
        gh.fail_next("GET", "/repos/acme/platform", status=503, times=5)
        result = run_cli("sync", "--yes")
    finally:
        gh.stop()
    assert result.exit_code == 1, result.output
    waits = [line for line in result.stderr.splitlines() if line.startswith("waiting: ")]
    assert len(waits) == 2 and all("GitHub answered 503" in w and "retrying in" in w for w in waits), (
        result.stderr
    )
    assert "attempt 1 of 3" in waits[0] and "attempt 2 of 3" in waits[1]
    head = result.stdout.splitlines()[0]
    assert head.startswith("gh (github): stopped: ") and "errors" not in head
    assert "before it stopped: nothing changed (3 requests)" in result.stdout


def test_jira_waits_are_said_under_cron_too(monkeypatch, run_cli, make_config, workdir):
    from ops_support import jira_config, start_jira

    jira = start_jira(monkeypatch)
    try:
        make_config(jira_config(jira, sync=FAST_SYNC + "max_retries = 3\n"))
        run_cli.ok("import", str(write_items(workdir / "pm", 2)))
        jira.drop_next("GET", "/rest/api/*/search/jql", times=2)
        jira.fail_next("GET", "/rest/api/*/search/jql", 503)
        result = run_cli("sync", "--yes")
    finally:
        jira.stop()
    assert result.exit_code == 0, result.output
    waits = [line for line in result.stderr.splitlines() if line.startswith("waiting: ")]
    assert [w.split(";")[0] for w in waits] == [
        "waiting: Jira did not answer (attempt 1 of 4)",
        "waiting: Jira did not answer (attempt 2 of 4)",
        "waiting: Jira answered 503 (attempt 3)",
    ], result.stderr
    assert all("search/jql" in w for w in waits), waits


def test_a_terminal_gets_a_spinner_naming_the_wait(monkeypatch, run_cli, make_config, workdir):
    from ops_support import GH_ENV, GH_TOKEN
    from test_cli_tables import _on_a_terminal

    gh = start_github(monkeypatch)
    try:
        make_config(github_config(gh.api_url, sync=FAST_SYNC + "max_retries = 2\n"))
        run_cli.ok("import", str(write_items(workdir / "pm", 2)))
        gh.fail_next("GET", "/repos/acme/platform", status=503, times=5)
        config = str(workdir / "tracker.toml")
        env = {GH_ENV: GH_TOKEN, "TERM": "xterm", "COLUMNS": "160"}
        screen = _on_a_terminal(workdir, "--config", config, "sync", "--yes", env=env)
    finally:
        gh.stop()
    assert "GitHub answered 503" in screen and "retrying in" in screen, screen
    assert "waiting: " not in screen  # the spinner shows it; no plain lines on a terminal
    assert "gh (github): stopped: " in screen


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o nosort -F"),
        ("zsh", "compdef"),
        ("fish", "complete --no-files --command tracker"),
    ],
)
def test_completion_scripts(run_cli, shell, marker):
    script = run_cli.ok("completion", shell).stdout
    assert marker in script and "_TRACKER_COMPLETE" in script


def test_the_bash_completion_completes_commands_and_options(workdir):
    env = {
        **os.environ,
        "_TRACKER_COMPLETE": "bash_complete",
        "COMP_WORDS": "tracker postm",
        "COMP_CWORD": "1",
    }
    out = subprocess.run(
        [sys.executable, "-m", "tracker"], env=env, capture_output=True, text=True, timeout=60
    )
    assert "plain,postmortem" in out.stdout and "plain,postmortems" in out.stdout
    env.update(COMP_WORDS="tracker list --so", COMP_CWORD="2")
    out = subprocess.run(
        [sys.executable, "-m", "tracker"], env=env, capture_output=True, text=True, timeout=60
    )
    assert "plain,--sort" in out.stdout


def _commands_with_format() -> list[tuple[tuple[str, ...], click.Parameter]]:
    from tracker.cli import COMMANDS, cli

    found: list[tuple[tuple[str, ...], click.Parameter]] = []
    ctx = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None
        subs = command.commands.items() if isinstance(command, click.Group) else [((), command)]
        for sub, leaf in subs:
            path: tuple[str, ...] = (name, sub) if sub else (name,)
            for param in leaf.params:
                if "--format" in getattr(param, "opts", []):
                    found.append((path, param))
    return found


def test_every_format_option_accepts_text_and_json():
    found = _commands_with_format()
    assert {p[0] for p, _ in found} >= {"list", "report", "postmortems", "people", "sync", "check", "doctor"}
    for path, param in found:
        assert isinstance(param.type, click.Choice), path
        choices = list(param.type.choices)
        assert "text" in choices and "json" in choices, (path, choices)


ARGS = {
    "add": ("T", "-p", "inc-1", "--new"),
    "show": ("1",),
    "import": ("pm",),
    "lint": ("pm",),
}


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_every_command_runs_with_text_and_json(run_cli, workdir, fmt):
    write_items(workdir / "pm", 1)
    run_cli.ok("add", "Rotate keys", "-p", "inc-1")
    for path, _ in _commands_with_format():
        result = run_cli(*path, *ARGS.get(path[0], ()), "--format", fmt)
        assert "Invalid value for '--format'" not in result.stderr, (path, result.stderr)
        if path[0] in ("sync", "check", "doctor", "remind"):
            assert "no targets configured" in result.stderr  # no target here, but the format was accepted
        else:
            assert result.exit_code in (0, 1), (path, result.output)
            if fmt == "json":
                json.loads(result.stdout)


def test_report_format_text_is_the_table(run_cli):
    run_cli.ok("add", "Rotate keys", "-p", "inc-1")
    assert (
        run_cli.ok("report", "--no-save", "--format", "text").stdout
        == run_cli.ok("report", "--no-save").stdout
    )


def test_writing_into_a_missing_folder_names_the_destination_and_leaves_no_temporary_file(run_cli, workdir):
    doc = write_items(workdir / "pm", 2)
    run_cli.ok("import", str(doc))
    slug = json.loads(run_cli.ok("postmortems", "--format", "json").stdout)[0]["slug"]
    missing = workdir / "no-such-folder"
    for args, what in [
        (("report", "--output", str(missing / "r.txt")), "report"),
        (("digest", "--output", str(missing / "d.md")), "digest"),
        (("render", slug, "--write", str(missing / "pm.md")), "postmortem"),
    ]:
        result = run_cli(*args)
        assert result.exit_code != 0, args
        destination = str(missing / args[-1].rsplit("/", 1)[-1])
        assert f"cannot write the {what} to {destination}: no such folder" in result.stderr, result.stderr
        assert "tracker-tmp" not in result.stderr and "Traceback" not in result.output
    assert not missing.exists()
