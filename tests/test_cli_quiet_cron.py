"""`tracker sync -q` under cron: a retry that ended well prints nothing (cron mails any output)."""

from __future__ import annotations

from ops_support import FAST_SYNC, github_config, start_github, write_items


def test_quiet_sync_says_nothing_about_a_retry_that_worked(monkeypatch, run_cli, make_config, workdir):
    gh = start_github(monkeypatch)
    try:
        make_config(github_config(gh.api_url, sync=FAST_SYNC + "max_retries = 3\n"))
        run_cli.ok("import", str(write_items(workdir / "pm", 2)))
        run_cli.ok("sync", "--yes", "-q")
        gh.fail_next("GET", "/repos/acme/platform*", status=503, times=1)
        quiet = run_cli("sync", "-q")
        gh.fail_next("GET", "/repos/acme/platform*", status=503, times=1)
        loud = run_cli("sync")
    finally:
        gh.stop()
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stdout == "" and quiet.stderr == "", quiet.output
    # Without -q the wait is still said, one plain line (docs/cli.md, "Progress and summaries").
    assert loud.exit_code == 0, loud.output
    assert [line for line in loud.stderr.splitlines() if line.startswith("waiting: GitHub answered 503")]


def test_quiet_sync_still_says_why_a_target_stopped(monkeypatch, run_cli, make_config, workdir):
    gh = start_github(monkeypatch)
    try:
        make_config(github_config(gh.api_url, sync=FAST_SYNC + "max_retries = 2\n"))
        run_cli.ok("import", str(write_items(workdir / "pm", 2)))
        gh.fail_next("GET", "/repos/acme/platform", status=503, times=5)
        result = run_cli("sync", "--yes", "-q")
    finally:
        gh.stop()
    assert result.exit_code == 1, result.output
    assert "gh (github): stopped: " in result.stdout and "GitHub answered 503" in result.stdout
    assert "after 3 attempt(s)" in result.stdout
    assert "error: sync failed for gh" in result.stderr


def test_a_target_missing_its_secret_is_named_as_needing_a_fix(monkeypatch, run_cli, make_config, workdir):
    gh = start_github(monkeypatch)
    try:
        second = (
            f'\n[targets.mirror]\nkind = "github"\nrepo = "acme/platform"\napi_url = "{gh.api_url}"\n'
            'token_env = "TRACKER_UNSET_TOKEN"\n'
        )
        make_config(github_config(gh.api_url) + second)
        run_cli.ok("import", str(write_items(workdir / "pm", 2)))
        result = run_cli("sync", "--yes", "-q")
    finally:
        gh.stop()
    assert result.exit_code == 1, result.output
    assert "mirror (github): stopped: [targets.mirror] token_env: " in result.stdout
    assert "hint: fix the configuration of mirror (see above)" in result.stderr, result.stderr


def test_quiet_remind_prints_nothing_when_all_went_well(monkeypatch, run_cli, make_config, workdir):
    gh = start_github(monkeypatch)
    try:
        make_config(github_config(gh.api_url) + "\n[remind]\nbefore_days = 2\n")
        run_cli.ok(
            "add", "Page on replica lag over 30 s", "-p", "inc-7", "--new", "-o", "@dana", "-d", "2999-01-01"
        )
        run_cli.ok("sync", "--yes", "-q")
        loud = run_cli.ok("remind")
        quiet = run_cli.ok("remind", "-q")
        gh.fail_next("POST", "/repos/acme/platform/issues/*/comments", status=422, times=5)
        run_cli.ok("edit", "1", "--deadline", "2000-01-01")  # overdue: a reminder is due
        failed = run_cli("remind", "-q")
    finally:
        gh.stop()
    assert "0 reminder(s) posted" in loud.stdout
    assert quiet.stdout == "" and quiet.stderr == "", quiet.output
    assert failed.exit_code == 1, failed.output
    assert failed.stdout.startswith("gh: failed: ") and "reminder(s) posted" not in failed.stdout, (
        failed.stdout
    )
