from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from crisiscli.cli.commands._group import command_group

HELP = """Triage scheduled posts: import the scheduler's export, keep/cancel/reschedule each.

Every decision is journaled the moment it is made, with its reason.

Without a subcommand, lists the imported posts and their decisions.

\b
Examples:
  crisis queue import hootsuite-export.csv --hours 48
  crisis queue import export.csv --preset sprout --date-format dmy
  crisis queue import posts.csv --map 'Post copy=message' --map 'Go live=datetime'
  crisis queue
  crisis queue decide
  crisis queue decide q3f2a1c cancel --reason "Cheerful promo; silence until the statement"
  crisis queue decide q88aa00 reschedule --to "2026-11-26 09:00" --reason "After the apology"
"""

IMPORT_HELP = """Read a scheduler's CSV export and list the posts due in the next N hours.

The file needs a date/time column (or a date and a time column) and a message column,
found by header name (case and spaces ignored); --preset picks a scheduler's layout and
--map names a column yourself. Times without a zone are read in --tz (default: the
configured zone, else the local one). See docs/queue.md.

\b
Examples:
  crisis queue import export.csv
  crisis queue import bulk.csv --preset hootsuite --date-format mdy --hours 72
  crisis queue import planner.csv --encoding cp1252 --map 'Caption=message'
"""

DECIDE_HELP = """Decide keep / cancel / reschedule for each queued post, with a reason.

With no arguments: asks about every undecided post in turn (a terminal is needed). After
a crash or kill, run it again: decisions already made are kept and not asked again.

\b
Examples:
  crisis queue decide
  crisis queue decide q3f2a1c keep --reason "Service notice, still useful"
  crisis queue decide q88aa00 reschedule --to 18:00 --reason "Later today"
  crisis queue decide --answers decisions.yaml
"""

Incident_ = Annotated[
    str | None,
    typer.Option("--incident", "-i", help="Incident id (default: the latest open one)."),
]
Zone_ = Annotated[
    str | None,
    typer.Option("--tz", help="Zone for times written without one (e.g. Europe/Stockholm)."),
]


def list_posts(
    ctx: typer.Context,
    incident: Incident_ = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    tz: Zone_ = None,
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    from crisiscli.env import get_env
    from crisiscli.moments import local_zone
    from crisiscli.record.store import find_incident
    from crisiscli.ui.output import echo, echo_json

    env = get_env()
    zone = local_zone(tz)
    found = find_incident(env, incident, open_only=incident is None)
    state = found.state()
    now = env.clock()
    if as_json:
        echo_json(
            [
                {
                    "id": p.id,
                    "due": p.due.isoformat() if p.due else None,
                    "platform": p.platform,
                    "text": p.text,
                    "link": p.link,
                    "decision": p.decision,
                    "reason": p.reason,
                    "new_time": p.new_time.isoformat() if p.new_time else None,
                    "decided_by": p.decided_by,
                }
                for p in state.queue.values()
            ]
        )
        return
    if not state.queue:
        echo(f"No scheduled posts imported in {found.id}.")
        echo("Import the scheduler's export with: crisis queue import FILE")
        return
    _print_posts(list(state.queue.values()), zone, now)
    open_count = sum(1 for p in state.queue.values() if p.decision is None)
    if open_count:
        echo(f"{open_count} undecided. Decide with: crisis queue decide")
    else:
        echo("Every imported post has a decision.")


def _print_posts(posts: list[Any], zone: Any, now: Any) -> None:
    from crisiscli.queue.triage import fmt_time, relative
    from crisiscli.text import one_line
    from crisiscli.ui.output import table

    rows = []
    for p in posts:
        if p.decision is None:
            decision = "—"
        elif p.decision == "reschedule":
            decision = f"reschedule → {fmt_time(p.new_time, zone)}"
        else:
            decision = p.decision
        if p.reason:
            decision += f" ({one_line(p.reason)})"
        text = one_line(p.text)
        rows.append(
            [
                p.id,
                f"{fmt_time(p.due, zone)} ({relative(p.due, now)})",
                p.platform or "—",
                text if len(text) <= 48 else text[:47] + "…",
                decision,
            ]
        )
    table(rows, ["id", "due", "platform", "text", "decision"])


def import_command(
    file: Annotated[Path, typer.Argument(help="The scheduler's CSV export.")],
    incident: Incident_ = None,
    hours: Annotated[
        float, typer.Option("--hours", help="List posts due within this many hours.", min=0.1)
    ] = 24,
    preset: Annotated[
        str | None,
        typer.Option("--preset", help="Column layout: hootsuite, sprout, buffer, generic."),
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map", help="COLUMN=FIELD (datetime, date, time, message, platform, link, id)."
        ),
    ] = None,
    date_format: Annotated[
        str | None,
        typer.Option("--date-format", help="dmy, mdy, iso, or a strftime pattern."),
    ] = None,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help="The file's encoding (default UTF-8).")
    ] = None,
    tz: Zone_ = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the listed posts as JSON.")
    ] = False,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.moments import local_zone
    from crisiscli.queue.importer import import_queue, parse_mapping
    from crisiscli.record.store import find_incident
    from crisiscli.ui.output import echo, echo_json

    env = get_env()
    zone = local_zone(tz)
    pairs = parse_mapping(mapping or [])
    found = find_incident(env, incident, open_only=incident is None)
    done = import_queue(
        found,
        file,
        zone=zone,
        hours=hours,
        preset=preset,
        mapping=pairs,
        date_format=date_format,
        encoding=encoding,
    )
    result, due, past, later, state = done.read, done.due, done.past, done.later, done.state
    shown, now = str(file), done.now
    if as_json:
        echo_json([p.to_data() for p in due])
        return
    echo(
        f"Read {result.rows} post(s) from {shown} "
        f"({result.encoding}, {_delimiter_word(result.delimiter)}-separated"
        + ("" if result.header else ", no header row")
        + ")."
    )
    if past:
        echo(f"  {past} already past their time (not listed).")
    if later:
        echo(f"  {later} due later than {hours:g} h from now (not listed; widen with --hours).")
    if not due:
        echo(f"No posts are due in the next {hours:g} h. Recorded in {found.id}.")
        return
    echo(f"{len(due)} post(s) due in the next {hours:g} h:")
    _print_posts([state.queue[p.id] for p in due if p.id in state.queue], zone, now)
    open_count = sum(1 for p in due if state.queue[p.id].decision is None)
    echo(f"Recorded in {found.id}. {open_count} to decide: crisis queue decide")


def _delimiter_word(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab"}.get(delimiter, repr(delimiter))


def decide_command(
    post: Annotated[str | None, typer.Argument(help="Post id (see: crisis queue).")] = None,
    decision: Annotated[
        str | None, typer.Argument(help="keep, cancel or reschedule.", show_default=False)
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", "-r", help="Why (required).")] = None,
    to: Annotated[
        str | None,
        typer.Option("--to", help="New time for reschedule: 45s, 90min, 2h, 18:00, a date."),
    ] = None,
    answers: Annotated[
        Path | None,
        typer.Option("--answers", help="YAML file: decisions: {POST_ID: {decision, reason, to}}."),
    ] = None,
    incident: Incident_ = None,
    tz: Zone_ = None,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.errors import NotInteractiveError, UsageError
    from crisiscli.moments import local_zone
    from crisiscli.queue.triage import fmt_time, load_decisions, make_decision, record, undecided
    from crisiscli.record.store import find_incident
    from crisiscli.ui.output import echo
    from crisiscli.ui.triage import interactive

    env = get_env()
    zone = local_zone(tz)
    if post is not None and answers is not None:
        raise UsageError("give either a post and decision, or --answers FILE, not both")
    if post is None and (decision or reason or to):
        raise UsageError("--reason/--to need a post id and a decision")
    if post is None and answers is None and not env.stdin_isatty:
        raise NotInteractiveError(
            "standard input is not a terminal, so crisis cannot ask about each post",
            hint="decide one post: crisis queue decide POST_ID keep|cancel|reschedule "
            "--reason R [--to TIME]; or many: crisis queue decide --answers FILE",
        )
    found = find_incident(env, incident, open_only=incident is None)
    state = found.state()
    now = env.clock()
    if post is not None:
        if decision is None:
            raise UsageError(
                "missing the decision", hint=f"crisis queue decide {post} keep|cancel|reschedule"
            )
        made = make_decision(state, post, decision, reason, to, now, zone)
        record(found, made)
        shown = f" to {fmt_time(made.new_time, zone)}" if made.new_time else ""
        echo(f"Recorded: {made.post} → {made.decision}{shown}")
    elif answers is not None:
        decisions = load_decisions(answers, state, now, zone)
        recorded = 0
        for made in decisions:
            current = state.queue[made.post]
            if (current.decision, current.reason, current.new_time) == (
                made.decision,
                made.reason,
                made.new_time,
            ):
                continue  # the same decision again (a rerun): nothing new to record
            state = record(found, made)
            recorded += 1
        echo(f"Recorded {recorded} decision(s) from {answers}.")
    else:
        if not state.queue:
            echo("No scheduled posts imported yet: crisis queue import FILE")
            return
        if not undecided(state):
            echo("Every imported post already has a decision (see: crisis queue).")
            return
        made_count = interactive(found, zone)
        echo(f"{made_count} decision(s) recorded.")
    state = found.state()
    left = len(undecided(state))
    if left:
        echo(f"{left} post(s) still undecided: crisis queue decide")


def register(app: typer.Typer) -> None:
    sub = command_group(HELP, default_command=True)
    sub.callback()(list_posts)
    sub.command("import", help=IMPORT_HELP)(import_command)
    sub.command("decide", help=DECIDE_HELP)(decide_command)
    app.add_typer(sub, name="queue", help=HELP)
