from __future__ import annotations

from typing import Annotated

import typer

HELP = """List incidents, oldest first, with their status.

Routine checks (a playbook with purpose: check, or a run answered as no incident)
are listed apart, after the incidents.

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
    from crisiscli.record.store import list_incidents, summaries
    from crisiscli.ui.output import echo, echo_json, table

    env = get_env()
    rows = []
    incidents = list_incidents(env)
    for incident, summary in zip(incidents, summaries(env, incidents), strict=True):
        if open_only and summary["status"] == "closed":
            continue
        rows.append(
            {
                "id": incident.id,
                "title": summary["title"],
                "status": summary["status"],
                "severity": summary["severity"],
                "playbook": summary["playbook"],
                "drill": summary["drill"],
                "started": summary["started_at"],
                "current_step": summary["current"],
                "routine": bool(summary.get("routine", False)),
                "path": incident.folder,
            }
        )
    if as_json:
        echo_json(rows)
        return
    if not rows:
        echo(f"No incidents in {env.incidents_dir}. Start one with: crisis start")
        return

    def cells(r: dict[str, object]) -> list[str]:
        return [
            str(r["id"]),
            str(r["status"]) + (" (drill)" if r["drill"] else ""),
            str(r["severity"]),
            " ".join(str(r["title"]).split()),
        ]

    real = [r for r in rows if not r["routine"]]
    routine = [r for r in rows if r["routine"]]
    if real:
        table([cells(r) for r in real], ["ID", "STATUS", "SEVERITY", "TITLE"])
    if routine:  # routine checks are no incidents: listed apart
        if real:
            echo()
        echo("Routine checks (not incidents):")
        table([cells(r) for r in routine], ["ID", "STATUS", "SEVERITY", "TITLE"])


def register(app: typer.Typer) -> None:
    app.command("list", help=HELP)(command)
