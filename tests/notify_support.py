"""Shared set-up for the notify tests: a config with people, items added through the CLI, day offsets."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import create_engine, text

PEOPLE = """
[org]
name = "Acme"
timezone = "UTC"

[people."dana"]
name = "Dana Whitfield"
aliases = ["@dana"]
slack = "U0DANA"
email = "dana@acme.example"

[people."lee"]
name = "Lee Park"
aliases = ["@lee"]
slack = "U0LEE"
"""


def day(offset: int) -> str:
    return (date.today() + timedelta(days=offset)).isoformat()


def add_items(cli: Any) -> None:
    """Two overdue items and one due soon for dana, one overdue for lee, one without an owner."""
    cli.ok("add", "Add an index on orders.customer_id", "-p", "inc-1", "-o", "@dana", "-d", day(-3))
    cli.ok("add", "Pre-build rollback artifacts in CI", "-p", "inc-1", "-o", "@dana", "-d", day(1))
    cli.ok("add", "Alert on queue depth over 1000", "-p", "inc-2", "-o", "@lee", "-d", day(-10))
    cli.ok("add", "Write the cache runbook", "-p", "inc-2", "-d", day(-1))


def ledger(db_url: str) -> list[tuple[str, str]]:
    engine = create_engine(db_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT key, state FROM notifications ORDER BY key")).all()
    engine.dispose()
    return [(key, state) for key, state in rows]


def dry_run_payloads(output: str) -> list[dict[str, Any]]:
    """The JSON payloads a --dry-run printed (each follows a 'would send ... :' line)."""
    payloads, lines, collecting = [], output.splitlines(), None
    for line in lines:
        if ": would send " in line and line.endswith(":"):
            collecting = []
        elif collecting is not None:
            if line == "":
                payloads.append(json.loads("\n".join(collecting)))
                collecting = None
            else:
                collecting.append(line)
    return payloads
