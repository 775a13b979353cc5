from __future__ import annotations

import typer

HELP = """Print the JSON Schema of the playbook format, for editors and CI.

\b
Examples:
  crisis schema > playbook.schema.json
  # then, first line of a playbook, for yaml-language-server (VS Code, Neovim, …):
  # yaml-language-server: $schema=./playbook.schema.json
"""


def command() -> None:
    from crisiscli.playbook.schema import playbook_schema
    from crisiscli.ui.output import echo_json

    echo_json(playbook_schema())


def register(app: typer.Typer) -> None:
    app.command("schema", help=HELP)(command)
