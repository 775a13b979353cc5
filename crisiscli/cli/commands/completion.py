from __future__ import annotations

from typing import Annotated

import typer

HELP = """Print the shell completion script for bash, zsh, fish or powershell.

Completion is not installed behind your back, and crisis start-up stays fast: the script
asks `crisis` for completions only when you press Tab. Add it once to your shell's start-up
file (see docs/cli.md):

\b
Examples:
  crisis completion bash >> ~/.bashrc
  crisis completion zsh > "${fpath[1]}/_crisis"
  crisis completion fish > ~/.config/fish/completions/crisis.fish
  crisis completion powershell >> $PROFILE
"""

SHELLS = ("bash", "zsh", "fish", "powershell")


def command(
    shell: Annotated[str, typer.Argument(help="bash, zsh, fish or powershell.", metavar="SHELL")],
) -> None:
    from typer._completion_shared import get_completion_script  # typer has no public name

    from crisiscli.env import get_env
    from crisiscli.errors import UsageError

    name = shell.strip().lower()
    if name not in SHELLS:
        raise UsageError(f"unknown shell '{shell}'", hint=f"choose one of: {', '.join(SHELLS)}")
    script = get_completion_script(prog_name="crisis", complete_var=COMPLETE_VAR, shell=name)
    stream = get_env().stdout
    stream.write(script.rstrip("\n") + "\n")
    stream.flush()


#: The variable the completion scripts set when they ask `crisis` for completions.
COMPLETE_VAR = "_CRISIS_COMPLETE"


def register(app: typer.Typer) -> None:
    app.command("completion", help=HELP)(command)
