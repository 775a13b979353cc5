from __future__ import annotations

from typing import Annotated

import typer

HELP = """Print a brief for the next person on shift, and record it.

The brief: status, current step, roles, deadlines (overdue and coming), deferred steps,
follow-ups owed to people contacted, messages waiting for approval, open actions and the
last notes. It is recorded in the journal (handoff.recorded) so the log shows who handed
over to whom, and when.

\b
Examples:
  crisis handoff
  crisis handoff --to "Sam (night shift)"
  crisis handoff wrong-image --json > brief.json
  crisis handoff --to Sam | pbcopy
"""


def command(
    incident: Annotated[
        str | None, typer.Argument(help="Incident id (default: the latest open one).")
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="Who takes over (recorded with the handoff).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the brief as JSON.")] = False,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.record.events import handoff_recorded
    from crisiscli.record.store import find_incident, log_timezone
    from crisiscli.team.roles import check_person
    from crisiscli.ui.output import echo, echo_json
    from crisiscli.views.brief import brief_counts, brief_json, build_brief, render_brief

    env = get_env()
    found = find_incident(env, incident, open_only=incident is None)
    person = check_person(to) if to is not None else None
    brief = build_brief(found, now=env.clock(), to=person or None, tz=log_timezone(env))
    text = render_brief(brief)
    found.record(handoff_recorded(text, brief_counts(brief), to=person or None))
    if as_json:
        echo_json(brief_json(brief))
    else:
        echo(text, wrapped=True)


def register(app: typer.Typer) -> None:
    app.command("handoff", help=HELP)(command)
