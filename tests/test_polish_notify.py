"""`--notify NAME --dry-run` warns when the real run would fail on an unset secret variable."""

from __future__ import annotations

import pytest
from notify_support import PEOPLE, add_items, dry_run_payloads

from tracker.sandbox.chat import FakeChat

WEBHOOK = """
[notify.team]
kind = "slack"
webhook_url_env = "TRACKER_TEST_SLACK_URL"
"""
WARNING = (
    "team (slack): warning: [notify.team] webhook_url_env: the environment variable it names is not set; "
    "the real run would fail"
)


@pytest.fixture
def chat():
    fake = FakeChat().start()
    yield fake
    fake.stop()


def test_a_dry_run_says_the_webhook_variable_is_unset(chat, make_config, run_cli, monkeypatch):
    make_config(PEOPLE + WEBHOOK)
    add_items(run_cli)
    monkeypatch.delenv("TRACKER_TEST_SLACK_URL", raising=False)
    dry = run_cli.ok("digest", "--notify", "team", "--dry-run")
    assert WARNING in dry.stdout.splitlines(), dry.stdout
    assert len(dry_run_payloads(dry.stdout)) == 1  # the preview is still shown
    real = run_cli("digest", "--notify", "team")
    assert real.exit_code == 1 and "webhook_url_env" in real.stdout  # what the warning foretold
    monkeypatch.setenv("TRACKER_TEST_SLACK_URL", chat.slack_webhook_url())
    assert "warning:" not in run_cli.ok("digest", "--notify", "team", "--dry-run").stdout
    assert chat.messages() == []
