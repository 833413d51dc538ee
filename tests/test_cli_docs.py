"""Every command has help text with an example and is in the README; the real binary runs end to end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

from tracker.cli import COMMANDS, LazyGroup, cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _all_commands() -> list[tuple[str, click.Command]]:
    ctx = click.Context(cli)
    found = []
    for name in COMMANDS:
        command = LazyGroup.get_command(cli, ctx, name)
        assert command is not None, name
        found.append((name, command))
        if isinstance(command, click.Group):
            found.extend((f"{name} {sub}", command.commands[sub]) for sub in command.commands)
    return found


def test_every_command_has_help_and_an_example():
    for name, command in _all_commands():
        assert command.help and command.help.strip(), name
        if not isinstance(command, click.Group) or name == "db":
            assert "Example:" in command.help, f"`tracker {name}` help has no example"
        short = COMMANDS.get(name.split()[0])
        assert short and short[2], name


def test_every_command_is_in_the_readme():
    for name, _ in _all_commands():
        assert f"tracker {name}" in README, f"`tracker {name}` is not in the README"


def test_help_lists_every_command(run_cli):
    out = run_cli.ok("--help").stdout
    for name in COMMANDS:
        assert f"  {name} " in out or f"  {name}\n" in out, name
    assert "Exit codes" in out


def test_help_lines_are_the_docstrings_first_lines():
    """`tracker --help` (which imports no command module) shows each command's docstring first line."""
    from click.testing import CliRunner

    # Wide enough that no help line wraps: each row is then `  NAME  HELP`.
    result = CliRunner().invoke(cli, ["--help"], terminal_width=400, max_content_width=400)
    assert result.exit_code == 0, result.output
    section = result.output.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
    shown = dict(line.strip().split(None, 1) for line in section.splitlines())
    assert set(shown) == set(COMMANDS)
    for name, command in _all_commands():
        if " " in name:
            continue
        first = (command.help or "").strip().splitlines()[0]
        assert shown[name] == first, (
            f"`tracker --help` shows {shown[name]!r} for {name}; its docstring says {first!r}: "
            f"copy the docstring's first line into COMMANDS in tracker/cli.py"
        )


def test_version(run_cli):
    from tracker import __version__

    assert __version__ in run_cli.ok("--version").stdout


def test_subprocess_smoke(tmp_path: Path):
    """The installed console script and `python -m tracker`, as a user runs them."""
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "c"), "XDG_DATA_HOME": str(tmp_path / "d")}
    env.pop("TRACKER_CONFIG", None)
    env.pop("TRACKER_DATABASE_URL", None)
    exe = str(Path(sys.executable).with_name("tracker"))

    def run(*args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([exe, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        assert proc.returncode == code, (args, proc.stdout, proc.stderr)
        return proc

    assert "no database at" in run("list", code=2).stderr
    run("init")
    run("add", "Add alert", "-p", "inc-1", "-d", "2026-07-01")
    assert "Add alert" in run("list").stdout
    bad = run("edit", "1", "--deadline", "Feb 30", code=2)
    assert (
        bad.stderr.startswith("error: deadline 'Feb 30' is not a valid date")
        and "Traceback" not in bad.stderr
    )
    module = subprocess.run(
        [sys.executable, "-m", "tracker", "list", "--format", "csv"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert module.returncode == 0 and "Add alert" in module.stdout


def test_unexpected_errors_show_no_traceback_unless_verbose(run_cli, workdir):
    # A database path that is a directory is an environment failure the code does not anticipate.
    (workdir / "tracker.toml").write_text('[database]\npath = "dir.db"\n')
    (workdir / "dir.db").mkdir()
    result = run_cli("list")
    assert result.exit_code != 0 and "Traceback" not in result.stderr and result.stderr.startswith("error:")
