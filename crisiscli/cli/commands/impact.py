from __future__ import annotations

from typing import Annotated

import typer

HELP = """Record when the impact began and when the team noticed (for the post-mortem's clocks).

The post-mortem measures time to detect, to acknowledge, to the first public response and
to contain from when the impact began (the first post), not only from when the incident
was opened in crisis. The first step of the bundled playbooks asks both; this command sets
them for an incident already running, or corrects them. Times are before now: 40m (that
long ago), 19:50 (the latest such time), or 2026-11-27 19:50 (your configured zone), or
ISO with an offset. --first-post keeps the link to the first post as evidence.
Without options: show what is recorded.

\b
Examples:
  crisis impact --started 19:50 --detected 20:25
  crisis impact --started "2026-11-27 19:50" --first-post https://x.com/someone/status/1
  crisis impact --started 3h --note "Found an older post about the same soup"
  crisis impact                      # what is recorded, and the two clocks
"""


def command(
    started: Annotated[
        str | None,
        typer.Option("--started", help="When the impact began (the first post).", metavar="TIME"),
    ] = None,
    detected: Annotated[
        str | None,
        typer.Option("--detected", help="When the team noticed.", metavar="TIME"),
    ] = None,
    first_post: Annotated[
        str | None,
        typer.Option(
            "--first-post", help="Link to the first post, kept as evidence.", metavar="URL"
        ),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Why, or how it was found.")] = None,
    incident: Annotated[
        str | None,
        typer.Option("--incident", "-i", help="Incident id (default: the latest open one)."),
    ] = None,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.errors import UsageError
    from crisiscli.moments import local_zone, parse_past
    from crisiscli.record.events import NewEvent, evidence_linked, impact_recorded
    from crisiscli.record.store import find_incident
    from crisiscli.timeutil import format_duration, local_and_utc
    from crisiscli.ui.output import echo

    env = get_env()
    found = find_incident(env, incident, open_only=incident is None)
    tz = found.tz()
    if started is None and detected is None and first_post is None:
        if note is not None:
            raise UsageError(
                "--note goes with --started, --detected or --first-post (it says why or how)",
                hint='crisis impact --started TIME --note "…"',
            )
        state = found.state()
        opened = state.started_at
        for words, mark in (
            ("Impact began", state.impact_start),
            ("Noticed", state.impact_detected),
        ):
            if mark is None:
                echo(f"{words}: not recorded")
                continue
            before = ""
            if opened is not None and mark.at < opened:
                before = f" ({format_duration((opened - mark.at).total_seconds())} before opening)"
            echo(f"{words}: {local_and_utc(mark.at, tz, date=True)}{before}, by {mark.actor}")
        if opened is not None:
            echo(f"Opened in crisis: {local_and_utc(opened, tz, date=True)}")
        return
    now = env.clock()
    zone = tz or local_zone()
    start_at = parse_past(started, now, zone, what="--started") if started else None
    detect_at = parse_past(detected, now, zone, what="--detected") if detected else None
    state = found.state()
    begun = start_at or (state.impact_start.at if state.impact_start else None)
    noticed = detect_at or (state.impact_detected.at if state.impact_detected else None)
    if begun is not None and noticed is not None and noticed < begun:
        raise UsageError(
            f"noticed ({local_and_utc(noticed, tz, date=True)}) before the impact began "
            f"({local_and_utc(begun, tz, date=True)})",
            hint="give both times again: crisis impact --started TIME --detected TIME",
        )
    link = (first_post or "").strip()
    if first_post is not None and not link.startswith(("https://", "http://")):
        raise UsageError(f"--first-post wants a link (https://…), not '{first_post}'")
    events: list[NewEvent] = []
    if start_at is not None or detect_at is not None:
        events.append(impact_recorded(started=start_at, detected=detect_at, note=note))
    if link:
        events.append(evidence_linked(link, note=note or "The first post"))
    found.record(*events)
    for words, at in (("Impact began", start_at), ("Noticed", detect_at)):
        if at is not None:
            echo(f"{found.id}: {words.lower()} {local_and_utc(at, tz, date=True)}.")
    if link:
        echo(f"{found.id}: first post kept as evidence.")


def register(app: typer.Typer) -> None:
    app.command("impact", help=HELP)(command)
