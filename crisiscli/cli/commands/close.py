from __future__ import annotations

from typing import Annotated

import typer

HELP = """Close an incident (or reopen it), with an optional one-line summary.

\b
Examples:
  crisis close --summary "Apology published; complaint resolved by phone"
  crisis close wrong-image
  crisis close wrong-image --reopen
  crisis close wrong-image --yes     # even with deferred steps still open, no question

A step still open (deferred, or started and never finished) is named first; in a terminal
you are asked before the incident closes over it.
"""


def command(
    incident: Annotated[
        str | None, typer.Argument(help="Incident id (default: the latest open one).")
    ] = None,
    summary: Annotated[
        str | None, typer.Option("--summary", help="What happened and how it ended.")
    ] = None,
    reopen: Annotated[bool, typer.Option("--reopen", help="Reopen a closed incident.")] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Close even with steps still open, without asking.")
    ] = False,
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
    from crisiscli.walk.flow import unfinished

    book = found.playbook()
    still_open = [book.step(sid).title for sid in unfinished(book, state)]
    if still_open:
        from crisiscli.ui.output import warn

        warn(f"{len(still_open)} step(s) still open: " + "; ".join(still_open))
        if env.stdin_isatty and not yes and not _ask("Close it anyway? [y/N] "):
            echo(f"Not closed. Continue with: crisis resume {found.id}")
            return
    found.record(incident_closed((summary or "").strip() or None))
    echo(f"Closed {found.id}.")
    echo(f"Log: {found.log_path}")


def _ask(question: str) -> bool:
    from crisiscli.env import get_env

    env = get_env()
    env.stdout.write(question)
    env.stdout.flush()
    return env.stdin.readline().strip().lower() in ("y", "yes", "j", "ja")


def register(app: typer.Typer) -> None:
    app.command("close", help=HELP)(command)
