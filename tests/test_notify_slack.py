"""Slack channels through the real CLI against the loopback fake: Block Kit limits, ledger, retries, check."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from notify_support import PEOPLE, add_items, day, dry_run_payloads, ledger

from tracker.sandbox.chat import BOT_TOKEN, FakeChat, block_kit_problems

WEBHOOK = """
[notify.team]
kind = "slack"
webhook_url_env = "TRACKER_TEST_SLACK_URL"
"""
BOT = """
[notify.bot]
kind = "slack"
token_env = "TRACKER_TEST_SLACK_TOKEN"
channel = "C0FOLLOWUP"
api_url = "{api}"
"""


@pytest.fixture
def chat(monkeypatch: pytest.MonkeyPatch):
    fake = FakeChat().start()
    monkeypatch.setenv("TRACKER_TEST_SLACK_URL", fake.slack_webhook_url())
    monkeypatch.setenv("TRACKER_TEST_SLACK_TOKEN", BOT_TOKEN)
    yield fake
    fake.stop()


@pytest.fixture
def cli(chat, make_config, run_cli):
    make_config(PEOPLE + WEBHOOK + BOT.format(api=chat.api_url))
    return run_cli


def test_digest_goes_to_the_webhook_once_per_week(cli, chat, db_url):
    add_items(cli)
    first = cli.ok("digest", "--notify", "team")
    assert "team (slack): sent the digest for" in first.stdout
    assert "## Postmortem action items" not in first.stdout  # cron output stays short
    [payload] = chat.messages("slack-webhook")
    assert chat.refused == [] and block_kit_problems(payload) == []
    assert payload["blocks"][0]["type"] == "header"
    overdue = next(b for b in payload["blocks"] if "*Overdue (3)*" in b.get("text", {}).get("text", ""))
    assert "Alert on queue depth over 1000" in overdue["text"]["text"]
    again = cli.ok("digest", "--notify", "team")
    assert "already sent" in again.stdout
    assert len(chat.messages()) == 1
    assert [state for _, state in ledger(db_url)] == ["sent"]


def test_dry_run_prints_exactly_what_is_then_sent_and_records_nothing(cli, chat, db_url):
    add_items(cli)
    dry = cli.ok("digest", "--notify", "team", "--dry-run")
    assert chat.messages() == [] and ledger(db_url) == []
    [planned] = dry_run_payloads(dry.stdout)
    cli.ok("digest", "--notify", "team")
    assert chat.messages("slack-webhook") == [planned]


def test_long_lists_stay_within_block_kit_limits_with_and_n_more(cli, chat):
    for index in range(120):
        cli.ok(
            "add",
            f"Fix the flaky deploy step number {index} " + "x" * 60,
            "-p",
            "inc-9",
            "-o",
            "@dana",
            "-d",
            day(-2),
        )
    cli.ok("digest", "--notify", "team")
    [payload] = chat.messages("slack-webhook")
    assert chat.refused == [] and len(payload["blocks"]) <= 50
    texts = [b["text"]["text"] for b in payload["blocks"] if b["type"] == "section"]
    assert all(len(t) <= 3000 for t in texts)
    assert any("and 105 more" in t for t in texts)


def test_the_fake_refuses_what_slack_refuses():
    assert block_kit_problems({}) == ["no_text"]
    too_many = {"text": "x", "blocks": [{"type": "divider"}] * 51}
    assert block_kit_problems(too_many) == ["more than 50 blocks"]
    long = {"text": "x", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "y" * 3001}}]}
    assert "longer than 3000" in block_kit_problems(long)[0]


def test_bot_reminds_each_owner_by_direct_message_once(cli, chat, db_url):
    add_items(cli)
    first = cli.ok("remind", "--notify", "bot")
    posts = chat.messages("slack-api")
    assert sorted(p["channel"] for p in posts) == ["U0DANA", "U0LEE"]  # one DM per owner, none for no owner
    dana = next(p for p in posts if p["channel"] == "U0DANA")
    body = json.dumps(dana["blocks"])
    assert "Add an index on orders.customer_id" in body and "Pre-build rollback artifacts" in body
    assert "bot (slack): sent dana's reminder" in first.stdout
    cli.ok("remind", "--notify", "bot")
    assert len(chat.messages("slack-api")) == 2
    assert {state for _, state in ledger(db_url)} == {"sent"}


def test_webhook_reminders_mention_the_owner_in_the_channel(cli, chat):
    add_items(cli)
    cli.ok("remind", "--notify", "team")
    texts = [json.dumps(p["blocks"]) for p in chat.messages("slack-webhook")]
    assert len(texts) == 2 and any("For <@U0DANA>" in t for t in texts)


def test_rate_limit_is_retried_after_retry_after(cli, chat):
    add_items(cli)
    chat.fail("/services/", 429, "rate_limited", retry_after=0)
    result = cli.ok("digest", "--notify", "team")
    assert "after 2 attempts" in result.stdout and len(chat.messages()) == 1


def test_server_errors_fail_the_channel_keep_the_others_and_the_next_run_sends(cli, chat, db_url):
    add_items(cli)
    chat.fail("/services/", 500, "internal", times=3)
    result = cli("digest", "--notify", "team", "--notify", "bot")
    assert result.exit_code == 1
    assert "team (slack): FAILED the digest" in result.stdout and "HTTP 500" in result.stdout
    assert "bot (slack): sent the digest" in result.stdout
    assert sorted(state for _, state in ledger(db_url)) == ["failed", "sent"]
    cli.ok("digest", "--notify", "team", "--notify", "bot")
    assert len(chat.messages("slack-webhook")) == 1 and len(chat.messages("slack-api")) == 1
    assert [state for _, state in ledger(db_url)] == ["sent", "sent"]


def test_check_validates_without_sending(cli, chat, monkeypatch):
    result = cli.ok("check", "--notify", "team", "--notify", "bot")
    assert "notify.team (slack): ok" in result.stdout and "notify.bot (slack): ok" in result.stdout
    assert chat.messages() == [] and any(path.endswith("auth.test") for path in chat.requests)
    monkeypatch.setenv("TRACKER_TEST_SLACK_TOKEN", "xoxb-wrong")
    monkeypatch.setenv("TRACKER_TEST_SLACK_URL", chat.url + "/nowhere")
    bad = cli("check", "--notify", "team", "--notify", "bot", "--format", "json")
    assert bad.exit_code == 1
    results = json.loads(bad.stdout)
    assert [r["ok"] for r in results] == [False, False]
    assert "invalid_auth" in results[1]["problems"][0]
    assert "xoxb-wrong" not in bad.output and "/nowhere" not in bad.output


def test_unset_webhook_variable_fails_clearly(cli, chat, monkeypatch):
    add_items(cli)
    monkeypatch.delenv("TRACKER_TEST_SLACK_URL")
    result = cli("digest", "--notify", "team")
    assert result.exit_code == 1 and "[notify.team] webhook_url_env" in result.stdout
    assert "TRACKER_TEST_SLACK_URL" not in result.output  # the key is named, never its value (issue 19.9)


def test_unknown_channel_is_a_usage_error(cli):
    add_items(cli)
    result = cli("digest", "--notify", "nope")
    assert result.exit_code == 2 and "unknown notify channel 'nope'" in result.stderr


def test_literal_webhook_url_in_the_config_is_refused(make_config, run_cli):
    make_config('[notify.x]\nkind = "slack"\nwebhook_url = "https://hooks.slack.com/services/T1/B2/abcdef"\n')
    result = run_cli("check")
    assert result.exit_code == 2
    assert "[notify.x] webhook_url: secrets never go in the config file" in result.stderr
    assert "abcdef" not in result.stderr


def test_a_run_killed_while_sending_never_sends_twice(cli, chat, workdir, db_url):
    add_items(cli)
    chat.fail("/services/", 200, delay=30)  # the message arrives; the answer never comes in time
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("tracker")),
            "--config",
            str(workdir / "tracker.toml"),
            "digest",
            "--notify",
            "team",
        ],
        cwd=workdir,
        env={**os.environ},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    limit = time.monotonic() + 30
    while not chat.messages() and time.monotonic() < limit:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert len(chat.messages()) == 1 and [s for _, s in ledger(db_url)] == ["sending"]
    chat.faults.clear()
    rerun = cli.ok("digest", "--notify", "team")
    assert "uncertain" in rerun.stdout and "not sent again" in rerun.stdout
    assert len(chat.messages()) == 1


def test_remind_via_notify_uses_the_configured_channels(chat, make_config, run_cli):
    make_config(PEOPLE + BOT.format(api=chat.api_url) + '\n[remind]\nvia = "notify"\nnotify = ["bot"]\n')
    add_items(run_cli)
    result = run_cli.ok("remind", "--format", "json")
    data = json.loads(result.stdout)
    assert data["targets"] == {} and len(data["notify"]["bot"]["sent"]) == 2 and data["ok"]
    assert sorted(p["channel"] for p in chat.messages("slack-api")) == ["U0DANA", "U0LEE"]


def test_remind_via_notify_without_channels_is_a_usage_error(make_config, run_cli):
    make_config(PEOPLE + '\n[remind]\nvia = "notify"\n')
    add_items(run_cli)
    result = run_cli("remind")
    assert result.exit_code == 2 and '[remind] via = "notify" needs channels' in result.stderr
