"""`tracker demo`: the whole story on the local sandbox, with no credentials, in a scratch folder."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import click

from tracker.app import AppContext
from tracker.output import echo


def run_step(title: str, args: list[str], workdir: Path) -> int:
    """Run one tracker command in the demo folder, showing it as a user would type it."""
    from click.testing import CliRunner

    from tracker.cli import cli

    echo("")
    echo(click.style(f"$ tracker {' '.join(_quote(a) for a in args)}", bold=True) + f"    # {title}")
    runner = CliRunner()
    import os

    previous = Path.cwd()
    os.chdir(workdir)
    try:
        result = runner.invoke(
            cli, ["--config", str(workdir / "tracker.toml"), *args], catch_exceptions=False
        )
    finally:
        os.chdir(previous)
    text = (result.stdout + result.stderr).rstrip()
    if text:
        echo(text)
    return result.exit_code


def _quote(arg: str) -> str:
    return f'"{arg}"' if (" " in arg or not arg) else arg


@click.command("demo")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False),
    help="Keep the demo here instead of a temp folder.",
)
@click.pass_obj
def demo_cmd(app: AppContext, directory: str | None) -> None:
    """Run the whole story on the local sandbox: no credentials, a scratch folder, a few seconds.

    Example: tracker demo --dir /tmp/tracker-demo
    """
    from tracker.demo import run_demo

    if directory:
        workdir = Path(directory).resolve()
        workdir.mkdir(parents=True, exist_ok=True)
        run_demo(workdir, run_step)
        echo(f"\ndemo files kept in {workdir}")
        return
    workdir = Path(tempfile.mkdtemp(prefix="tracker-demo-"))
    try:
        run_demo(workdir, run_step)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
