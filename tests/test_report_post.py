"""`tracker report --post-to TARGET ISSUE` posts the Markdown summary through the GitHub backend (fake server)."""

from __future__ import annotations

import pytest
from test_report_data import build

from tracker.sandbox.github import FakeGitHub

TOKEN = "fake-token-for-report-tests"


@pytest.fixture
def gh():
    with FakeGitHub() as server:
        server.add_token(TOKEN, "tracker-bot")
        server.add_repo("acme/ops", private=True)
        yield server


def test_post_to_comments_the_markdown_summary(gh, make_config, run_cli, db_url, monkeypatch):
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    make_config(
        f'[org]\ntimezone = "Europe/Berlin"\n\n[targets.gh]\nkind = "github"\nrepo = "acme/ops"\n'
        f'api_url = "{gh.api_url}"\ntoken_env = "GH_TOKEN"\n'
    )
    run_cli.ok("add", "Item I", "-p", "inc-3", "-d", "2099-01-01")
    build(db_url)
    number = gh.create_issue("acme/ops", "Review meeting: inc-2")
    result = run_cli.ok("report", "--postmortem", "inc-2", "--post-to", "gh", f"#{number}", "--no-save")
    assert "Items for the review" in result.stdout  # still printed
    assert f"posted the report to gh #{number}" in result.stderr
    [posted] = [
        r for r in gh.requests if r.method == "POST" and r.path.endswith(f"/issues/{number}/comments")
    ]
    body = posted.body["body"]
    assert body.startswith("## Postmortem action items: inc-2") and "| Item G | @lee | open |" in body
    comments = gh.store.comments[gh.issue("acme/ops", number).id]
    assert len(comments) == 1


def test_post_to_unknown_target_or_issue_is_a_clean_error(gh, make_config, run_cli, monkeypatch):
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    make_config(
        f'[targets.gh]\nkind = "github"\nrepo = "acme/ops"\napi_url = "{gh.api_url}"\ntoken_env = "GH_TOKEN"\n'
    )
    run_cli.ok("add", "Item I", "-p", "inc-3")
    result = run_cli("report", "--post-to", "nope", "#1", "--no-save")
    assert result.exit_code == 2 and "unknown target 'nope'" in result.stderr
    result = run_cli("report", "--post-to", "gh", "not an issue", "--no-save")
    assert result.exit_code == 2 and "is not an issue of target gh" in result.stderr
