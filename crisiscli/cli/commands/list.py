from __future__ import annotations

from typing import Annotated

import typer

HELP = """List incidents, oldest first, with their status.

\b
Examples:
  crisis list
  crisis list --open
  crisis list --json | jq '.[] | select(.status != "closed") | .id'
"""


def command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    open_only: Annotated[
        bool, typer.Option("--open", help="Only incidents that are not closed.")
    ] = False,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.record.store import list_incidents
    from crisiscli.ui.output import echo, echo_json, table, warn

    env = get_env()
    rows = []
    for incident in list_incidents(env):
        state = incident.state()
        if open_only and state.closed:
            continue
        rows.append(
            {
                "id": incident.id,
                "title": state.title,
                "status": state.status,
                "severity": state.severity,
                "playbook": state.playbook.get("id", ""),
                "drill": state.drill,
                "started": state.started_at.isoformat() if state.started_at else None,
                "current_step": None if state.closed else state.current,
                "path": str(incident.dir),
            }
        )
        for warning in incident.warnings:
            warn(warning)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        echo(f"No incidents in {env.incidents_dir}. Start one with: crisis start")
        return
    table(
        [
            [
                r["id"],
                r["status"] + (" (drill)" if r["drill"] else ""),
                r["severity"],
                " ".join(str(r["title"]).split()),
            ]
            for r in rows
        ],
        ["ID", "STATUS", "SEVERITY", "TITLE"],
    )


def register(app: typer.Typer) -> None:
    app.command("list", help=HELP)(command)
