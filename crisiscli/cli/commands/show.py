from __future__ import annotations

from typing import Annotated

import typer

HELP = """Print a whole playbook as a printable markdown checklist.

\b
Examples:
  crisis show general
  crisis show ./our-playbook.yaml > checklist.md
"""


def command(
    playbook: Annotated[str, typer.Argument(help="Playbook id or path to a YAML file.")],
) -> None:
    from crisiscli.env import get_env
    from crisiscli.playbook.catalog import resolve
    from crisiscli.ui.output import echo
    from crisiscli.views.checklist import render_checklist

    entry = resolve(get_env(), playbook)
    assert entry.playbook is not None
    echo(render_checklist(entry.playbook))


def register(app: typer.Typer) -> None:
    app.command("show", help=HELP)(command)
