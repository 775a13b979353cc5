from __future__ import annotations

from typing import Annotated

import typer

HELP = """Add a timestamped note to an incident — also while a walk-through runs.

Safe to use from a second terminal: writers take the incident's lock, and the running
walk-through shows the note when it next redraws. Use - to read the note from stdin.

\b
Examples:
  crisis note "Legal is on the call"
  crisis note "Reporter from the Herald asked for comment" --incident wrong-image
  pbpaste | crisis note -
"""


def command(
    text: Annotated[str, typer.Argument(help="The note; - reads it from standard input.")],
    incident: Annotated[
        str | None,
        typer.Option("--incident", "-i", help="Incident id (default: the latest open one)."),
    ] = None,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.errors import UsageError
    from crisiscli.record.events import note_added
    from crisiscli.record.store import find_incident
    from crisiscli.ui.output import echo

    env = get_env()
    if text == "-":
        text = env.read_stdin_text()
    if not text.strip():
        raise UsageError("the note is empty")
    found = find_incident(env, incident, open_only=incident is None)
    found.record(note_added(text.rstrip("\n")))
    echo(f"Noted in {found.id}.")


def register(app: typer.Typer) -> None:
    app.command("note", help=HELP)(command)
