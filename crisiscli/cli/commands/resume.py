from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crisiscli.cli.commands._walk import AllowPath

HELP = """Continue an incident's walk-through exactly where it stopped.

With no ID, the most recent open incident. Works after a pause, Ctrl-C, a closed
terminal or a crash: every confirmed answer is already in the journal.

\b
Examples:
  crisis resume
  crisis resume 2026-11-23-1520-wrong-image
  crisis resume wrong-image --answers rest.yaml
  crisis resume wrong-image --take-over    # another terminal walks it: take over

One walker at a time: if another terminal is walking the incident, you are told who,
where and since when, and may watch read-only, take over (recorded; the other terminal
is told at its next screen and stops) or quit. A walker that was killed never blocks this.
"""


def command(
    incident: Annotated[
        str | None, typer.Argument(help="Incident id or a unique part of it.")
    ] = None,
    answers: Annotated[
        Path | None,
        typer.Option("--answers", help="YAML file with the remaining answers: no prompts."),
    ] = None,
    take_over: Annotated[
        bool,
        typer.Option(
            "--take-over", help="Take over from the terminal walking it now, no question."
        ),
    ] = False,
    allow_path: AllowPath = None,
    sync: Annotated[
        bool,
        typer.Option(
            "--sync", help="Sync with the team in the background meanwhile (sync.auto, or 15s)."
        ),
    ] = False,
) -> None:
    from crisiscli.cli.commands import _walk
    from crisiscli.env import get_env
    from crisiscli.errors import StateError
    from crisiscli.record.store import find_incident
    from crisiscli.ui.output import echo

    env = get_env()
    _walk.refuse_allow_path_alone(answers, allow_path)
    _walk.require_terminal(env, answers)
    found = find_incident(env, incident, open_only=incident is None)
    state = found.state()
    if state.closed:
        raise StateError(
            f"incident {found.id} is closed", hint=f"reopen it: crisis close {found.id} --reopen"
        )
    if state.finished:
        raise StateError(
            f"the walk-through of {found.id} is finished",
            hint=f"add notes with `crisis note`, or close it: crisis close {found.id}",
        )
    script = None
    if answers is not None:
        from crisiscli.walk.answers import check_against, load_answers

        script = load_answers(answers, allow_path or [])
        check_against(script, found.playbook())
    from crisiscli.i18n import Catalogue

    echo(Catalogue(found.playbook().language).t("run.resuming", incident=found.id))
    _walk.run(found, _walk.make_prompter(env, script), take_over=take_over, sync=sync or None)


def register(app: typer.Typer) -> None:
    app.command("resume", help=HELP)(command)
