from __future__ import annotations

from typing import Annotated

import typer

HELP = """Show or change an incident's severity (re-grade as it grows or calms down).

The change is recorded with who, when and why; the walk-through header, the log and
the post-mortem follow it, and so do the steps whose conditions read the severity
(`when: {severity: {at_least: high}}`): the command says which it switches on or off,
and a running walk-through takes them at its next screen. A playbook question with
`sets: severity` does the same.

\b
Examples:
  crisis severity                        # current level and the playbook's scale
  crisis severity high --reason "Picked up by two national outlets"
  crisis severity moderate --incident wrong-image
"""


def command(
    level: Annotated[
        str | None, typer.Argument(help="New severity level id (omit to show the scale).")
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why it changes.")] = None,
    incident: Annotated[
        str | None,
        typer.Option("--incident", "-i", help="Incident id (default: the latest open one)."),
    ] = None,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.errors import StateError, UsageError
    from crisiscli.record.store import find_incident
    from crisiscli.text import one_line
    from crisiscli.ui.output import echo as plain_echo

    def echo(text: str) -> None:  # wrapped at spaces to the terminal's width
        plain_echo(text, wrapped=True)

    from crisiscli.walk.flow import regrade_event

    env = get_env()
    found = find_incident(env, incident, open_only=incident is None)
    state = found.state()
    levels = found.playbook().severities
    if level is None:
        echo(f"{found.id}: severity {state.severity}")
        for lv in levels:
            mark = "»" if lv.id == state.severity else " "
            echo(f" {mark} {lv.id:<10} {' '.join(lv.description.split())}")
        return
    ids = [lv.id for lv in levels]
    if level not in ids:
        raise UsageError(f"'{level}' is not a severity level of this incident: {', '.join(ids)}")
    if state.closed:
        raise StateError(f"incident {found.id} is closed", hint=f"crisis close {found.id} --reopen")
    if level == state.severity:
        echo(f"{found.id} is already {level}.")
        return
    was = state.severity
    playbook = found.playbook()
    from crisiscli.walk.floors import below_floor

    floor = below_floor(playbook, state, level)
    why = (reason or "").strip() or None
    if floor is not None and why is None:
        raise UsageError(
            f"{level} is below the floor {floor.level} set by: {one_line(floor.words)}",
            hint=f'grading lower needs a reason: crisis severity {level} --reason "…"',
        )
    event = regrade_event(
        playbook,
        state,
        level,
        was=was,
        reason=why,
        floor=floor.level if floor is not None else None,
        floor_facts=floor.words if floor is not None else None,
    )
    found.record(event)
    echo(f"{found.id}: severity {was} → {level}.")
    for key, words in (("switched_on", "Switches on"), ("switched_off", "Switches off")):
        if event.data.get(key):
            titles = ", ".join(one_line(playbook.step(s).title) for s in event.data[key])
            echo(f"  {words}: {titles} (the walk-through follows at its next screen).")


def register(app: typer.Typer) -> None:
    app.command("severity", help=HELP)(command)
