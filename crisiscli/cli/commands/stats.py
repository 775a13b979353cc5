from __future__ import annotations

from typing import Annotated

import typer

HELP = """What the team learns across incidents: counts, times to milestones, misses.

Counts by playbook and severity, the median and 90th percentile of the time from start to
each milestone, deadlines missed, the most skipped steps (a hint a playbook needs work),
open action items, and small charts of incidents per month and time to apology. Drills
are left out unless --drills. Dates are the incidents' start dates in UTC, inclusive.

\b
Examples:
  crisis stats
  crisis stats --since 2026-01-01 --until 2026-06-30
  crisis stats --drills --json | jq .time_to.apology
"""


def _date(value: str | None, flag: str) -> object:
    from crisiscli.errors import UsageError
    from crisiscli.timeutil import not_a_date, parse_date

    if value is None:
        return None
    day = parse_date(value)
    if day is None:
        raise UsageError(not_a_date(flag, value))
    return day


def command(
    since: Annotated[
        str | None, typer.Option("--since", help="From this date (YYYY-MM-DD).", metavar="DATE")
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Up to and including this date.", metavar="DATE"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    drills: Annotated[bool, typer.Option("--drills", help="Include drills.")] = False,
) -> None:
    from datetime import date

    from crisiscli.env import get_env
    from crisiscli.errors import CrisisError, UsageError
    from crisiscli.record.store import list_incidents
    from crisiscli.ui.output import echo, echo_json, warn
    from crisiscli.views.stats import SnapshotCache, compute, render_text, summarize

    env = get_env()
    start, end = _date(since, "--since"), _date(until, "--until")
    assert start is None or isinstance(start, date)
    assert end is None or isinstance(end, date)
    if start is not None and end is not None and start > end:
        raise UsageError("--since is after --until")
    cache = SnapshotCache()
    now = env.clock()
    summaries = []
    for incident in list_incidents(env):
        try:
            summaries.append(summarize(incident, cache, now))
        except CrisisError as exc:  # one damaged incident must not hide the others
            warn(f"{incident.id}: left out: {exc.one_line()}")
    stats = compute(summaries, since=start, until=end, drills=drills)
    if as_json:
        echo_json(stats)
        return
    for line in render_text(stats):
        echo(line)


def register(app: typer.Typer) -> None:
    app.command("stats", help=HELP)(command)
