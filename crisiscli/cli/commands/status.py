from __future__ import annotations

from typing import Annotated

import typer

HELP = """Show where an incident stands: current step, progress, deadlines, last notes.

\b
Examples:
  crisis status
  crisis status wrong-image --json
"""


def command(
    incident: Annotated[
        str | None, typer.Argument(help="Incident id (default: the latest open one).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.errors import NotFoundError
    from crisiscli.record.store import find_incident, log_timezone
    from crisiscli.ui.output import echo, echo_json
    from crisiscli.views.brief import brief_json, build_brief, render_status

    env = get_env()
    try:
        found = find_incident(env, incident, open_only=incident is None)
    except NotFoundError:
        if incident is not None:
            raise
        if as_json:
            echo_json({"id": None, "status": None, "open": False, "home": str(env.home)})
        else:
            echo(f"No open incident. Data home: {env.home}")
            echo("Start one with: crisis start")
        return
    brief = build_brief(found, now=env.clock(), tz=log_timezone(env))
    if as_json:
        data = brief_json(brief)
        data["current_step"] = brief["current"]["step"] if brief["current"] else None
        echo_json(data)
    else:
        echo(render_status(brief), wrapped=True)


def register(app: typer.Typer) -> None:
    app.command("status", help=HELP)(command)
