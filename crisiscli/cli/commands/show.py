from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

HELP = """Print a whole playbook: as a printable checklist, a flowchart, or its paths.

With --flow, a Mermaid flowchart of its steps, branches and conditions (paste it into
any Markdown that renders Mermaid). With --paths, every way a walk-through can go
through it, one line per path: the answers that select it, then its steps; with
--scripts DIR, also one drill answers file per path (run one with
crisis start PLAYBOOK --answers FILE --drill).

\b
Examples:
  crisis show general
  crisis show ./our-playbook.yaml > checklist.md
  crisis show general --flow > general.mmd
  crisis show tragedy --paths
  crisis show tragedy --paths --scripts drills/
"""


def command(
    playbook: Annotated[str, typer.Argument(help="Playbook id or path to a YAML file.")],
    flow: Annotated[
        bool, typer.Option("--flow", help="Print a Mermaid flowchart instead of the checklist.")
    ] = False,
    paths: Annotated[
        bool, typer.Option("--paths", help="List every path through the playbook.")
    ] = False,
    budget: Annotated[
        int,
        typer.Option(
            "--budget", min=1, help="Most paths to list; past it, a seeded random sample."
        ),
    ] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the sample (--paths).")] = 0,
    scripts: Annotated[
        Path | None,
        typer.Option(
            "--scripts",
            help="With --paths: write one drill answers file per path into this folder.",
        ),
    ] = None,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.errors import UsageError
    from crisiscli.playbook.catalog import resolve
    from crisiscli.ui.output import echo

    if flow and paths:
        raise UsageError("choose one of --flow and --paths", hint="see: crisis show --help")
    if scripts is not None and not paths:
        raise UsageError("--scripts writes the paths' drill files: add --paths")
    entry = resolve(get_env(), playbook)
    assert entry.playbook is not None
    book = entry.playbook
    if flow:
        from crisiscli.views.flowchart import render_flowchart

        echo(render_flowchart(book).rstrip("\n"))
        return
    if paths:
        from crisiscli.views.pathlist import render_paths, write_scripts
        from crisiscli.walk.paths import enumerate_paths

        found = enumerate_paths(book, budget=budget, seed=seed)
        echo(render_paths(book, found).rstrip("\n"))
        if scripts is not None:
            written = write_scripts(book, found, scripts)
            echo(f"Wrote {len(written)} drill answers file(s) to {scripts}")
        return
    from crisiscli.views.checklist import render_checklist

    echo(render_checklist(book))


def register(app: typer.Typer) -> None:
    app.command("show", help=HELP)(command)
