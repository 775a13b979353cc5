from __future__ import annotations

from typing import Annotated

import typer

HELP = """Print an incident's markdown log (rebuilt from the journal with --rebuild).

The log is derived: it can always be regenerated from journal.jsonl, e.g. after a
merge or a crash between writing an event and rewriting the log. log.md keeps the
latest 500 events of the timeline; --full prints every one.

\b
Examples:
  crisis log
  crisis log wrong-image --rebuild > incident.md
  crisis log wrong-image --full
"""


def command(
    incident: Annotated[
        str | None, typer.Argument(help="Incident id (default: the latest one).")
    ] = None,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Regenerate log.md from the journal first.")
    ] = False,
    full: Annotated[
        bool, typer.Option("--full", help="Print the whole timeline, however long.")
    ] = False,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.record.store import find_incident

    env = get_env()
    found = find_incident(env, incident)
    if full:
        from crisiscli.views.log import render_log

        history = found.replay(history=True)
        assert history.history is not None
        text = render_log(found.state(), found, history.history.timeline, found.tz())
    elif rebuild:
        from crisiscli.fsutil import read_bounded
        from crisiscli.record.journal import MAX_JOURNAL_BYTES

        found.rebuild_log()
        # What was just written, read without following a link swapped in meanwhile.
        text = read_bounded(found.log_path, MAX_JOURNAL_BYTES).decode("utf-8", "replace")
    else:
        from crisiscli.views.log import current_log

        text = current_log(found)
    env.stdout.write(text)
    env.stdout.flush()


def register(app: typer.Typer) -> None:
    app.command("log", help=HELP)(command)
