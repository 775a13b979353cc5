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
    from crisiscli.width import display_width, pad, wrap

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
    columns = env.columns or 80  # a pipe or a file: 80 columns, as a terminal would show
    id_width = max(12, min(28, columns // 3))
    room = max(columns - id_width - 3, 20)

    def entry_lines(first: str, rest: str) -> None:
        if display_width(first) > id_width:  # an id is never cut: on a line of its own
            echo(f"  {first}")
            first = ""
        for n, line in enumerate(wrap(rest, room)):
            echo(f"  {pad(first if n == 0 else '', id_width)} {line}")

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
                entry_lines(entry.id, f"does not load: {entry.error}")
                continue
            lang = f" [{entry.playbook.language}]" if entry.playbook.language != "en" else ""
            entry_lines(entry.id, f"{entry.title}{lang}  ({entry.origin})")
            summary = _summary(entry.playbook.description)
            if summary:
                entry_lines("", summary)
        echo()
    where = f"Your own playbooks go in {env.playbooks_dir}"
    if display_width(where) <= columns:
        echo(where)
    else:  # a path is never cut: on a line of its own
        echo("Your own playbooks go in")
        echo(f"  {env.playbooks_dir}")


PREVENTION_KINDS = {"prevention"}
SUMMARY_WIDTH = 100


def _summary(description: str) -> str:
    """The description's first sentence, shortened at a word boundary to one line."""
    import textwrap

    first = " ".join(description.split()).split(". ")[0].rstrip(".")
    return textwrap.shorten(first, SUMMARY_WIDTH, placeholder="...") if first else ""


def register(app: typer.Typer) -> None:
    app.command("playbooks", help=HELP)(command)
