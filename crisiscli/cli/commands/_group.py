"""One way to make a command with sub-commands (action, config, contact, queue, role), so
they all accept -h, wrap help the same way and never load Rich for help."""

from __future__ import annotations

import typer

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def command_group(help_text: str | None = None, *, default_command: bool = False) -> typer.Typer:
    """A sub-app; ``default_command`` lets the group's callback run with no sub-command."""
    return typer.Typer(
        rich_markup_mode=None,
        help=help_text,
        invoke_without_command=default_command,
        no_args_is_help=not default_command,
        add_completion=False,
        context_settings=CONTEXT,
    )
