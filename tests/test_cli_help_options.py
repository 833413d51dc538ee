"""Every option in every `--help` says what it takes: help text or its choices, and a readable metavar."""

from __future__ import annotations

import re

import click

from tracker.cli import COMMANDS, LazyGroup, cli


def _commands() -> list[tuple[str, click.Command]]:
    ctx = click.Context(cli)
    found = []
    for name in COMMANDS:
        command = LazyGroup.get_command(cli, ctx, name)
        assert command is not None, name
        found.append((name, command))
        if isinstance(command, click.Group):
            found.extend((f"{name} {sub}", command.commands[sub]) for sub in command.commands)
    return found


def test_every_option_says_what_it_takes():
    missing = []
    for name, command in _commands():
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
