"""The demo script: a scratch config and database, a sample postmortem, and the commands a team runs."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

DEMO_CONFIG = """\
# Demo configuration: a scratch SQLite database beside this file.
[database]
path = "tracker.db"

[org]
name = "Demo Corp"
timezone = "UTC"

[people."dana"]
name = "Dana Whitfield"
github = "dana-w"
aliases = ["@dana"]
team = "checkout"

[people."lee"]
name = "Lee Park"
github = "leepark"
aliases = ["@lee"]
team = "checkout"

[people."sam"]
name = "Sam Okafor"
github = "samo"
aliases = ["@sam"]
team = "checkout"

[teams.checkout]
members = ["dana", "lee", "sam"]
default_assignee = "dana"
aliases = ["checkout team"]
"""

Step = Callable[[str, list[str], Path], int]


def sample_postmortem() -> str:
    return (resources.files("tracker.sandbox") / "data" / "inc-2026-03-checkout.md").read_text(
        encoding="utf-8"
    )


def run_demo(workdir: Path, step: Step) -> None:
    """Play the story; each step is a real tracker command run in `workdir`."""
    (workdir / "tracker.toml").write_text(DEMO_CONFIG, encoding="utf-8")
    step("create the database", ["init"], workdir)
    step(
        "record an item by hand",
        [
            "add",
            "Alert when checkout p95 > 800 ms for 5 min",
            "-p",
            "inc-2026-03-checkout",
            "-o",
            "@dana",
            "-d",
            "2026-03-11",
            "--incident-date",
            "2026-03-04",
        ],
        workdir,
    )
    step("what is open", ["list"], workdir)
    step("one item done", ["done", "1"], workdir)
    step("who owns what", ["people"], workdir)
