from __future__ import annotations

from typing import Annotated

import typer

HELP = """List the playbooks you can start, grouped by kind, each with a one-line summary.

Bundled playbooks ship with crisis; your own go in CRISIS_HOME/playbooks (a playbook
there with a bundled id replaces the bundled one).

\b
Examples:
  crisis playbooks
  crisis playbooks --json
"""


def command(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    from crisiscli.env import get_env
    from crisiscli.playbook.catalog import discover
    from crisiscli.ui.output import echo, echo_json
    from crisiscli.width import pad

    env = get_env()
    entries = discover(env)
    if as_json:
        echo_json(
            [
                {
                    "id": e.id,
                    "title": e.title,
                    "kind": e.playbook.kind if e.playbook else None,
                    "language": e.playbook.language if e.playbook else None,
                    "summary": _summary(e.playbook.description) if e.playbook else None,
                    "origin": e.origin,
                    "path": str(e.path),
                    "error": e.error,
                }
                for e in entries
            ]
        )
        return
    if not entries:
        echo("No playbooks found.")
        return
    kinds: dict[str, list] = {}  # type: ignore[type-arg]
    for entry in entries:
        kinds.setdefault(entry.playbook.kind if entry.playbook else "broken", []).append(entry)
    # The default first, incident kinds A-Z, then prevention routines, broken files last.
    for kind in sorted(
        kinds, key=lambda k: (k != "general", k == "broken", k in PREVENTION_KINDS, k)
    ):
        echo(f"{kind}:")
        for entry in kinds[kind]:
            if entry.playbook is None:
                echo(f"  {pad(entry.id, 28)} does not load: {entry.error}")
                continue
            lang = f" [{entry.playbook.language}]" if entry.playbook.language != "en" else ""
            echo(f"  {pad(entry.id, 28)} {entry.title}{lang}  ({entry.origin})")
            summary = _summary(entry.playbook.description)
            if summary:
                echo(f"  {'':<28} {summary}")
        echo()
    echo(f"Your own playbooks go in {env.playbooks_dir}")


PREVENTION_KINDS = {"prevention"}
SUMMARY_WIDTH = 100


def _summary(description: str) -> str:
    """The description's first sentence, shortened at a word boundary to one line."""
    import textwrap

    first = " ".join(description.split()).split(". ")[0].rstrip(".")
    return textwrap.shorten(first, SUMMARY_WIDTH, placeholder="...") if first else ""


def register(app: typer.Typer) -> None:
    app.command("playbooks", help=HELP)(command)
