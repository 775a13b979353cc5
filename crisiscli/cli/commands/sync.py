from __future__ import annotations

from typing import Annotated

import typer

HELP = """Share incidents through git: fetch, merge the journals event by event, push.

crisis merges the team's journals itself: every event a teammate added is appended to
your journal (and yours to theirs); nothing is rebased, nothing rewritten, and an
interrupted sync is finished by the next one. Anything a shared incident folder may not
hold (links, other files, oversized files, attributes that change file bytes) is refused
with a warning naming the commit and path. Safe while a walk-through or `crisis note`
runs in another terminal. Exit code 5 when git is missing, there is no remote, or git
refuses. See docs/team.md.

With `crisis config set sync.auto 15s` (or `crisis watch --sync 15s`, `crisis resume
--sync`), the walk-through and watch sync in the background every 15 s and right after
each event recorded, and say how it goes: "team: synced 12s ago".

\b
Examples:
  crisis sync
  crisis sync --no-push      # take the team's events in, publish nothing yet
  crisis config set sync.auto 15s
"""


def command(
    push: Annotated[
        bool, typer.Option("--push/--no-push", help="Push after merging (default: push).")
    ] = True,
    background: Annotated[
        str | None,
        typer.Option(
            "--background",
            hidden=True,
            help="Run as the background syncer at this interval (started by watch and the "
            "walk-through; see sync.auto).",
        ),
    ] = None,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.record.sync import sync
    from crisiscli.ui.output import echo, warn

    env = get_env()
    if background is not None:
        from crisiscli.record.autosync import interval_seconds, run

        raise typer.Exit(run(env, interval_seconds(background) or 15))
    report = sync(env, push=push)
    for line in report.repaired:
        echo(f"Repaired: {line}.")
    for warning in report.warnings:
        warn(warning)
    where = f"{report.remote}/{report.branch}"
    parts = []
    if report.events_in:
        new = f", {len(report.new_incidents)} new" if report.new_incidents else ""
        parts.append(f"Took in {report.events_in} event(s) from {where}{new}.")
    if report.pushed:
        parts.append(f"Pushed {report.events_out} event(s) to {where}.")
    elif report.events_out and push:
        parts.append(f"{report.events_out} event(s) not yet on {where}.")
    elif report.events_out:
        parts.append(f"{report.events_out} event(s) to push later (--no-push).")
    echo(" ".join(parts) if parts else f"Up to date with {where}.")
    if report.rebuilt:
        echo(f"Rebuilt {report.rebuilt} log(s).")


def register(app: typer.Typer) -> None:
    app.command("sync", help=HELP)(command)
