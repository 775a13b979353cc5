from __future__ import annotations

from typing import Annotated

import typer

HELP = """Watch an incident live: a full screen for a second terminal or a wall display.

Incident, severity, time since the start, who is walking it and at which step, every open
deadline counting down (OVERDUE in red, and in words), follow-ups owed, messages waiting
for approval and the latest notes and events, as they are recorded by any terminal or
arrive by `crisis sync`. A bell rings when a deadline comes close or passes, and when
someone re-grades, hands over or closes. Read-only: it records nothing of the incident
(with notification channels configured it sends them, and records their delivery).
q or Ctrl-C leaves. With no incident open it waits for the next one.

\b
Examples:
  crisis watch
  crisis watch wrong-image
  crisis watch --once                 # one frame, for scripts
  crisis watch --json | jq .deadlines # one JSON object per change
"""


def command(
    incident: Annotated[
        str | None, typer.Argument(help="Incident id (default: the latest open one).")
    ] = None,
    once: Annotated[bool, typer.Option("--once", help="Print one frame and exit.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object per change (--once: one).")
    ] = False,
    no_color: Annotated[
        bool, typer.Option("--no-color", help="No colour (also: the NO_COLOR variable).")
    ] = False,
    no_notify: Annotated[
        bool, typer.Option("--no-notify", help="Send no notifications from this screen.")
    ] = False,
    sync: Annotated[
        str | None,
        typer.Option(
            "--sync",
            metavar="INTERVAL",
            help="Sync with the team in the background at this interval (e.g. 15s, 1m).",
        ),
    ] = None,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.record.autosync import session, wanted_interval
    from crisiscli.ui.live import watch

    env = get_env()
    interval = None if once else wanted_interval(env, sync)
    with session(env, interval):
        watch(env, incident, single=once, as_json=as_json, no_color=no_color, notify=not no_notify)


def register(app: typer.Typer) -> None:
    app.command("watch", help=HELP)(command)
