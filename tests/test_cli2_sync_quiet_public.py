"""`sync -q` (cron) does not repeat the standing "X is public" pre-flight note on every run; a run
without -q and `tracker check` still say it, and the `public_ok` help says what it really does."""

from __future__ import annotations

import pytest

from tracker.sandbox.github import FakeGitHub

TOKEN = "fake-token-for-quiet-public-tests"


@pytest.fixture
def gh():
    with FakeGitHub() as server:
        server.add_token(TOKEN, "tracker-bot")
        server.add_repo("acme/public")  # public: no private=True
        yield server


def test_quiet_sync_leaves_out_the_public_repository_note(gh, make_config, run_cli, monkeypatch):
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    make_config(
        f'[targets.gh]\nkind = "github"\nrepo = "acme/public"\napi_url = "{gh.api_url}"\ntoken_env = "GH_TOKEN"\n'
    )
    run_cli.ok("add", "Rotate the keys", "-p", "inc-1", "--new", "-o", "@dana", "-d", "2099-01-01")
    loud = run_cli.ok("sync", "--yes")
    assert "acme/public is public" in loud.output
    quiet = run_cli.ok("-q", "sync", "--yes")
    assert "is public" not in quiet.output, quiet.output
    assert "is public" in run_cli("check").output


def test_public_ok_help_says_it_only_silences_the_warning():
    from tracker.config_example import render

    lines = render().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("public_ok"))
    told = " ".join(lines[at - 1 : at + 1])
    assert "silence the warning" in told and "allow pushing" not in told, told
