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

    from crisiscli.cli.completion import COMPLETE_VAR
    from crisiscli.env import get_env
    from crisiscli.errors import UsageError

    name = shell.strip().lower()
    if name not in SHELLS:
        raise UsageError(f"unknown shell '{shell}'", hint=f"choose one of: {', '.join(SHELLS)}")
    script = get_completion_script(prog_name="crisis", complete_var=COMPLETE_VAR, shell=name)
    if name == "zsh":
        script = answer_the_first_tab(script)
    stream = get_env().stdout
    stream.write(script.rstrip("\n") + "\n")
    stream.flush()


def answer_the_first_tab(script: str) -> str:
    """The zsh script, also right when zsh autoloads it from ``$fpath`` as ``_crisis``.

    Autoloading runs the file as the body of ``_crisis`` on the first Tab; typer's script
    only registers its function there (``compdef``), so that first Tab offered nothing.
    Called as ``_crisis`` it now completes at once; sourced (``eval``), it registers."""
    last = "compdef _crisis_completion crisis"
    body = script.rstrip("\n")
    if not body.endswith(last):
        return script
    return (
        body[: -len(last)]
        + 'if [[ "${funcstack[1]}" == "_crisis" ]]; then\n'
        + '  _crisis_completion "$@"\n'
        + "else\n"
        + f"  {last}\n"
        + "fi\n"
    )


def register(app: typer.Typer) -> None:
    app.command("completion", help=HELP)(command)
