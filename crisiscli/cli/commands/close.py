from __future__ import annotations

from typing import Annotated

import typer

HELP = """Close an incident (or reopen it), with an optional one-line summary.

\b
Examples:
  crisis close --summary "Apology published; complaint resolved by phone"
  crisis close wrong-image
  crisis close wrong-image --reopen
"""


def command(
    incident: Annotated[
        str | None, typer.Argument(help="Incident id (default: the latest open one).")
    ] = None,
    summary: Annotated[
        str | None, typer.Option("--summary", help="What happened and how it ended.")
    ] = None,
    reopen: Annotated[bool, typer.Option("--reopen", help="Reopen a closed incident.")] = False,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.errors import StateError
    from crisiscli.record.events import incident_closed, incident_reopened
    from crisiscli.record.store import find_incident
    from crisiscli.ui.output import echo

    env = get_env()
    found = find_incident(env, incident, open_only=incident is None and not reopen)
    state = found.state()
    if reopen:
        if not state.closed:
            raise StateError(f"incident {found.id} is not closed")
        found.record(incident_reopened())
        echo(f"Reopened {found.id}.")
        return
    if state.closed:
        raise StateError(f"incident {found.id} is already closed")
    found.record(incident_closed((summary or "").strip() or None))
    echo(f"Closed {found.id}.")
    echo(f"Log: {found.log_path}")


def register(app: typer.Typer) -> None:
    app.command("close", help=HELP)(command)
