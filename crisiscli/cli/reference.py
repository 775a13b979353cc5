"""The command-line reference (docs/cli.md), generated from every command's ``--help``.

``python -m crisiscli.cli.reference > docs/cli.md`` regenerates it; a test fails when the
file is stale or a command is missing, so the reference cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

import typer

from crisiscli.cli.app import app, build_command, command_names

WIDTH = 100

PREAMBLE = """# Command-line reference

Generated from `crisis --help` and every command's `--help` by `crisiscli/cli/reference.py`:
do not edit by hand; regenerate with `python -m crisiscli.cli.reference > docs/cli.md` (a test
checks it is current). Exit codes: [exit-codes.md](exit-codes.md).

## Shell completion

`crisis` does not install completion by itself, and start-up stays fast: `crisis completion
SHELL` prints a script that asks `crisis` for completions only when you press Tab: commands,
sub-commands, options, playbook ids (`crisis start <Tab>`, `crisis show`) and incident ids
(every incident argument and `--incident`; a part of an id that is not its start completes
too). Add it once:

```sh
crisis completion bash >> ~/.bashrc                                  # bash
crisis completion zsh > "${fpath[1]}/_crisis"                        # zsh (then compinit)
crisis completion fish > ~/.config/fish/completions/crisis.fish     # fish
crisis completion powershell >> $PROFILE                             # PowerShell
```

In zsh the first Tab after `compinit` already completes (the file answers when zsh loads it).
"""


def _context(command: Any, name: str, parent: Any = None) -> Any:
    settings = {**(getattr(command, "context_settings", None) or {})}
    settings.update(terminal_width=WIDTH, max_content_width=WIDTH)
    return typer.Context(command, info_name=name, parent=parent, **settings)


def _subcommands(command: Any) -> dict[str, Any]:
    return dict(getattr(command, "commands", {}) or {})


def _section(title: str, text: str) -> list[str]:
    return [f"## `{title}`", "", "```text", text.rstrip(), "```", ""]


def command_paths() -> list[str]:
    """Every command and sub-command, as typed: ``crisis lint``, ``crisis role set``…"""
    paths = []
    for name in command_names():
        command = build_command(name)
        paths.append(f"crisis {name}")
        paths.extend(f"crisis {name} {sub}" for sub in sorted(_subcommands(command)))
    return paths


def render_reference() -> str:
    root: Any = typer.main.get_command(app)
    root_ctx = _context(root, "crisis")
    lines = [PREAMBLE, *_section("crisis", root.get_help(root_ctx))]
    for name in command_names():
        command = build_command(name)
        ctx = _context(command, name, root_ctx)
        lines += _section(f"crisis {name}", command.get_help(ctx))
        for sub, subcommand in sorted(_subcommands(command).items()):
            text = subcommand.get_help(_context(subcommand, sub, ctx))
            lines += _section(f"crisis {name} {sub}", text)
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(render_reference())
