from __future__ import annotations

from typing import Annotated

import typer

HELP = """Print an incident's markdown log (rebuilt from the journal with --rebuild).

The log is derived: it can always be regenerated from journal.jsonl, e.g. after a
merge or a crash between writing an event and rewriting the log.

\b
Examples:
  crisis log
  crisis log wrong-image --rebuild > incident.md
"""


def command(
    incident: Annotated[
        str | None, typer.Argument(help="Incident id (default: the latest one).")
    ] = None,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Regenerate log.md from the journal first.")
    ] = False,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.fsutil import read_bounded
    from crisiscli.record.journal import MAX_JOURNAL_BYTES
    from crisiscli.record.store import find_incident, log_timezone
    from crisiscli.ui.output import warn
    from crisiscli.views.log import render_log

    env = get_env()
    found = find_incident(env, incident)
    if rebuild:
        found.rebuild_log()
        # What was just written, read without following a link swapped in meanwhile.
        text = read_bounded(found.log_path, MAX_JOURNAL_BYTES).decode("utf-8", "replace")
    else:
        state = found.state()
        text = render_log(state, found.playbook(), found.id, now=env.clock(), tz=log_timezone(env))
    for warning in found.warnings:
        warn(warning)
    env.stdout.write(text)
    env.stdout.flush()


def register(app: typer.Typer) -> None:
    app.command("log", help=HELP)(command)
