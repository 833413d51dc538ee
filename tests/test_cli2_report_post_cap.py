"""`tracker report --post-to` keeps the comment within the target's size cap (GitHub 65,536 characters),
shortening the sections like `digest --post` instead of having the comment refused."""

from __future__ import annotations

import pytest

from tracker.remind.digest import COMMENT_LIMITS
from tracker.sandbox.github import FakeGitHub

TOKEN = "fake-token-for-report-cap-tests"


@pytest.fixture
def gh():
    with FakeGitHub() as server:
        server.add_token(TOKEN, "tracker-bot")
        server.add_repo("acme/ops", private=True)
        yield server


def test_a_report_over_the_github_cap_is_shortened_to_fit(gh, make_config, run_cli, monkeypatch):
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    make_config(
        f'[targets.gh]\nkind = "github"\nrepo = "acme/ops"\napi_url = "{gh.api_url}"\ntoken_env = "GH_TOKEN"\n'
    )
    for n in range(6):
        run_cli.ok("add", f"Item {n} " + "rotate the keys " * 1_000, "-p", "inc-big", "--new")
    number = gh.create_issue("acme/ops", "Review meeting: inc-big")
    result = run_cli.ok("report", "-p", "inc-big", "--post-to", "gh", f"#{number}", "--no-save")
    assert f"posted the report to gh #{number}" in result.stderr
    assert "shortened to fit one github comment" in result.stderr
    [posted] = [
        r for r in gh.requests if r.method == "POST" and r.path.endswith(f"/issues/{number}/comments")
    ]
    body = posted.body["body"]
    assert len(body) <= COMMENT_LIMITS["github"] < 65_536
    assert body.startswith("## ") and "Item 0 rotate" in body and "Item 5 rotate" not in body
    assert body.endswith("_... cut to fit one comment: `tracker report` prints it all._\n")


def test_a_small_report_is_posted_whole(gh, make_config, run_cli, monkeypatch):
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    make_config(
        f'[targets.gh]\nkind = "github"\nrepo = "acme/ops"\napi_url = "{gh.api_url}"\ntoken_env = "GH_TOKEN"\n'
    )
    for n in range(6):
        run_cli.ok("add", f"Item {n}", "-p", "inc-small", "--new")
    number = gh.create_issue("acme/ops", "Review meeting: inc-small")
    result = run_cli.ok("report", "-p", "inc-small", "--post-to", "gh", f"#{number}", "--no-save")
    assert "shortened" not in result.stderr
    [posted] = [
        r for r in gh.requests if r.method == "POST" and r.path.endswith(f"/issues/{number}/comments")
    ]
    assert all(f"Item {n}" in posted.body["body"] for n in range(6))
