"""Every option in every `--help` says what it takes: help text or its choices, and a readable metavar."""

from __future__ import annotations

import re

import click
from test_cli_docs import _all_commands as all_commands


def test_every_option_says_what_it_takes():
    missing = []
    for name, command in all_commands():
        ctx = click.Context(command, info_name=name)
        for param in command.get_params(ctx):
            if not isinstance(param, click.Option) or param.hidden:
                continue
            record = param.get_help_record(ctx)
            assert record is not None, (name, param.name)
            shown, text = record
            said = re.sub(r"(\s*\[[^\]]*\])+$", "", text).strip()  # "[default: x]" alone says nothing
            if not said and not isinstance(param.type, click.Choice):
                missing.append(f"tracker {name} {shown}: no help")
            if "%" in shown:  # a strptime format as metavar ("[%Y-%m-%d]") reads as noise
                missing.append(f"tracker {name} {shown}: metavar is a format string")
    assert missing == [], "\n".join(missing)
