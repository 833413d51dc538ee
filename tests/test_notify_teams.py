"""Teams workflow webhooks and the manager's summary: Adaptive Card shape, size limit, change since last."""

from __future__ import annotations

import json

import pytest
from notify_support import PEOPLE, add_items, day, ledger
from sqlalchemy import create_engine, text

from tracker.sandbox.chat import FakeChat, adaptive_card_problems

TEAMS = """
[notify.teams]
kind = "teams"
webhook_url_env = "TRACKER_TEST_TEAMS_URL"

[report]
url = "https://reports.acme.example/tracker.html"
"""


@pytest.fixture
def chat(monkeypatch: pytest.MonkeyPatch):
    fake = FakeChat().start()
    monkeypatch.setenv("TRACKER_TEST_TEAMS_URL", fake.teams_webhook_url())
    yield fake
    fake.stop()


@pytest.fixture
def cli(chat, make_config, run_cli):
    make_config(PEOPLE + TEAMS)
    return run_cli


def card(payload: dict) -> dict:
    return payload["attachments"][0]["content"]


def test_summary_is_an_adaptive_card_with_a_link_to_the_full_report(cli, chat):
    add_items(cli)
    result = cli.ok("report", "--notify", "teams")
    assert "teams (teams): sent the summary for" in result.stdout
    [payload] = chat.messages("teams")
    assert chat.refused == [] and adaptive_card_problems(payload, len(json.dumps(payload))) == []
    content = card(payload)
    assert content["version"] == "1.4" and content["type"] == "AdaptiveCard"
    assert content["actions"] == [
        {"type": "Action.OpenUrl", "title": "Full report", "url": "https://reports.acme.example/tracker.html"}
    ]
    texts = "\n".join(block["text"] for block in content["body"])
    assert "Overdue (3)" in texts and "Without a person as owner (1)" in texts
    assert "First summary on this channel." in texts


def test_the_next_summary_says_what_changed_since_the_last_one(cli, chat, db_url):
    add_items(cli)
    cli.ok("report", "--notify", "teams")
    # Yesterday's summary: move the ledger row a day back, then finish an item.
    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE notifications SET key = replace(key, :today, :yesterday)"),
            {"today": day(0), "yesterday": day(-1)},
        )
    engine.dispose()
    items = json.loads(cli.ok("list", "--format", "json").stdout)
    cli.ok("done", str(items[0]["id"]))
    cli.ok("report", "--notify", "teams")
    second = "\n".join(block["text"] for block in card(chat.messages("teams")[1])["body"])
    assert "Since the last summary" in second and "done +1" in second and "open -1" in second
    assert len(ledger(db_url)) == 2


def test_long_lists_are_cut_to_fit_teams_size_limit(cli, chat):
    for index in range(150):
        cli.ok(
            "add",
            f"Harden the deploy pipeline, step {index}: " + "y" * 80,
            "-p",
            "inc-7",
            "-o",
            "@dana",
            "-d",
            day(-1),
        )
    cli.ok("digest", "--notify", "teams")
    [payload] = chat.messages("teams")
    assert len(json.dumps(payload).encode()) <= 28_000 and chat.refused == []
    assert "and 135 more" in json.dumps(payload)


def test_the_fake_refuses_what_teams_cannot_render():
    bad = {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "content": {"type": "AdaptiveCard", "version": "2.0", "body": []},
            }
        ],
    }
    problems = adaptive_card_problems(bad, 100)
    assert "content.$schema missing" in problems and "content.body is empty" in problems
    assert any("version '2.0'" in p for p in problems)
    assert adaptive_card_problems({"type": "message"}, 30_000)[0].startswith("payload of 30000 bytes")


def test_throttled_webhook_is_retried_and_check_posts_nothing(cli, chat):
    add_items(cli)
    chat.fail("/workflows/", 429, "throttled", retry_after=0, times=1)
    assert "after 2 attempts" in cli.ok("digest", "--notify", "teams").stdout
    assert len(chat.messages("teams")) == 1
    check = cli.ok("check", "--notify", "teams")
    assert "notify.teams (teams): ok" in check.stdout and len(chat.requests) == 2
