from __future__ import annotations

from typing import Annotated

import typer

HELP = """Record how many mentions or replies came in, and how that compares with normal.

The grading step asks for "the ratio to a normal hour": this is where it goes. COUNT is
per --per (minute, hour or day); --baseline is a normal count for the same period (kept:
later counts from the same --source compare with it). The grading step shows the latest
ratio; log.md lists every count and reports draw them over time.

\b
Examples:
  crisis mentions 340 --baseline 20 --source "X search: @acme"
  crisis mentions 55 --per minute --source "Bluesky replies"
  crisis mentions                      # list what was recorded
"""


def command(
    count: Annotated[
        int | None, typer.Argument(help="Mentions counted (omit to list them).", min=0)
    ] = None,
    per: Annotated[str, typer.Option("--per", help="minute, hour or day.")] = "hour",
    baseline: Annotated[
        float | None, typer.Option("--baseline", help="A normal count for the same period.", min=0)
    ] = None,
    source: Annotated[str | None, typer.Option("--source", help="Where it was counted.")] = None,
    incident: Annotated[
        str | None,
        typer.Option("--incident", "-i", help="Incident id (default: the latest open one)."),
    ] = None,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.errors import UsageError
    from crisiscli.record.events import mentions_recorded
    from crisiscli.record.store import find_incident
    from crisiscli.ui.output import echo
    from crisiscli.views.log_sections import mention_rows

    if per not in ("minute", "hour", "day"):
        raise UsageError(f"--per must be minute, hour or day, not '{per}'")
    if count is not None and count > 10**12:
        raise UsageError("that count is not a number of mentions")
    found = find_incident(get_env(), incident, open_only=incident is None)
    if count is None:
        rows = mention_rows(found.state())
        for c, unit, normal, ratio, where in rows:
            echo(f"{c} per {unit} · normal {normal} · {ratio}" + (f" · {where}" if where else ""))
        if not rows:
            echo(f"No mention counts in {found.id}. Record one with: crisis mentions COUNT")
        return
    text = " ".join((source or "").split()) or None
    state = found.record(mentions_recorded(count, per=per, baseline=baseline, source=text))
    last = state.mentions[-1]
    ratio = f": {last.ratio:.1f}x a normal {per} ({last.baseline:g})" if last.ratio else ""
    echo(f"Recorded {count} mentions per {per} in {found.id}{ratio}.")


def register(app: typer.Typer) -> None:
    app.command("mentions", help=HELP)(command)
