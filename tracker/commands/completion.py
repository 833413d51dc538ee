"""`tracker completion SHELL`: print the shell completion script click generates for tracker."""

from __future__ import annotations

import click

SHELLS = ("bash", "zsh", "fish")


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
def completion_cmd(shell: str) -> None:
    """Print the completion script for SHELL (commands, options, choices).

    \b
    bash:  eval "$(tracker completion bash)"      in ~/.bashrc
    zsh:   eval "$(tracker completion zsh)"       in ~/.zshrc, after compinit
    fish:  tracker completion fish > ~/.config/fish/completions/tracker.fish

    Example: tracker completion bash >> ~/.bashrc
    """
    from click.shell_completion import get_completion_class

    from tracker.cli import cli

    completion_class = get_completion_class(shell)
    if completion_class is None:  # click knows all three; kept for a click without one of them
        raise click.UsageError(f"no completion for {shell}")
    script = completion_class(cli, {}, "tracker", "_TRACKER_COMPLETE").source()
    click.echo(script)
