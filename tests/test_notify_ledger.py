"""The sent-messages ledger on the test database: one claim per key across hosts, failed keys reclaimed."""

from __future__ import annotations

from tracker.app import AppContext
from tracker.notify.ledger import claim, settle, states

ROW = {"key": "digest:team:2026-W27", "channel": "team", "kind": "digest", "period": "2026-W27"}


def test_two_hosts_claim_a_message_once_and_a_failed_one_is_claimed_again(make_config, run_cli):
    path = make_config('[notify.team]\nkind = "teams"\nwebhook_url_env = "X"\n')
    run_cli.ok("add", "Add an index", "-p", "inc-1")  # creates the database
    first, second = AppContext(config_path=str(path)), AppContext(config_path=str(path))
    try:
        assert claim(first, [ROW], "m1") == [ROW["key"]]
        assert claim(second, [ROW], "m2") == []  # another host sees "sending": never sent twice
        settle(first, "m1", "sent")
        assert claim(second, [ROW], "m2") == [] and states(second, [ROW["key"]]) == {ROW["key"]: "sent"}
        other = {**ROW, "key": "digest:team:2026-W28", "period": "2026-W28"}
        assert claim(first, [other], "m3") == [other["key"]]
        settle(first, "m3", "failed", "HTTP 500")
        assert claim(second, [other], "m4") == [other["key"]]  # refused before: the next run retries
    finally:
        first.close()
        second.close()
