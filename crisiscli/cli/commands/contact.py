from __future__ import annotations

from typing import Annotated

import typer

from crisiscli.cli.commands._group import IncidentOption, NoteOption, command_group, entry_of

HELP = """Log attempts to move a conversation off-platform, and their follow-ups.

Each entry: who, channel (DM, email, phone, a mutual contact, in person), outcome and when to
follow up.

Open follow-ups show at every later step of the walk-through and in `crisis status`.

\b
Examples:
  crisis contact add --who "@angry_customer" --channel dm --outcome no-answer --follow-up 2h
  crisis contact add --who "Group admin (mutual)" --channel mutual-contact --outcome talked
  crisis contact list
  crisis contact done c1
"""

ADD_HELP = """Record one contact attempt (who, channel, outcome, optional follow-up).

--follow-up takes a duration from now (45s, 30m, 90min, 1h30m, 1d) or a time (18:00,
2026-11-25 09:00).

\b
Examples:
  crisis contact add --who "Dana K." --channel phone --outcome talked --note "Calmer now"
  crisis contact add --who "@fly_in_soup" --channel dm --outcome no-answer --follow-up 2h
"""

LIST_HELP = """List the contact log of an incident, with open follow-ups first.

\b
Examples:
  crisis contact list
  crisis contact list --json
"""

DONE_HELP = """Mark a contact's follow-up as done.

\b
Examples:
  crisis contact done c1
"""


def add_command(
    who: Annotated[str, typer.Option("--who", help="The person (name, handle).")],
    channel: Annotated[
        str, typer.Option("--channel", help="dm, email, phone, mutual-contact or in-person.")
    ],
    outcome: Annotated[
        str, typer.Option("--outcome", help="no-answer, refused, talked or resolved.")
    ],
    follow_up: Annotated[
        str | None,
        typer.Option("--follow-up", help="When to try again: 45s, 90min, 2h, 18:00, a date."),
    ] = None,
    note: NoteOption = None,
    incident: IncidentOption = None,
    tz: Annotated[
        str | None, typer.Option("--tz", help="Zone for a follow-up time written without one.")
    ] = None,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.errors import UsageError
    from crisiscli.moments import local_zone, parse_when
    from crisiscli.queue.triage import fmt_time
    from crisiscli.record.events import contact_logged
    from crisiscli.record.store import find_incident
    from crisiscli.team.contacts import CHANNELS, OUTCOMES, next_contact_id
    from crisiscli.ui.output import echo

    env = get_env()
    if not who.strip():
        raise UsageError("--who is empty")
    chan = channel.strip().lower()
    if chan not in CHANNELS:
        raise UsageError(f"--channel '{channel}' is not one of {', '.join(CHANNELS)}")
    result = outcome.strip().lower()
    if result not in OUTCOMES:
        raise UsageError(f"--outcome '{outcome}' is not one of {', '.join(OUTCOMES)}")
    zone = local_zone(tz)
    now = env.clock()
    due = parse_when(follow_up, now, zone, what="follow-up") if follow_up else None
    if due is not None and due <= now:
        raise UsageError(f"the follow-up time '{follow_up}' is in the past")
    found = find_incident(env, incident, open_only=incident is None)
    event = contact_logged(
        next_contact_id(found.state()),
        who.strip(),
        chan,
        result,
        follow_up_due=due,
        note=(note or "").strip() or None,
    )
    state = found.record(event)
    # the id as the fold settled it (two terminals may have picked the same number)
    cid = list(state.contacts)[-1]
    line = f"Logged contact {cid} in {found.id}"
    if due is not None:
        line += f"; follow up by {fmt_time(due, zone)} (then: crisis contact done {cid})"
    echo(line + ".")


def list_command(
    incident: IncidentOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    tz: Annotated[str | None, typer.Option("--tz", help="Zone to show times in.")] = None,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.moments import local_zone
    from crisiscli.queue.triage import fmt_time, relative
    from crisiscli.record.store import find_incident
    from crisiscli.team.contacts import CHANNEL_WORDS, OUTCOME_WORDS
    from crisiscli.text import one_line
    from crisiscli.ui.output import echo, echo_json, table

    env = get_env()
    found = find_incident(env, incident, open_only=incident is None)
    state = found.state()
    now = env.clock()
    zone = local_zone(tz)
    contacts = list(state.contacts.values())
    if as_json:
        echo_json(
            [
                {
                    "id": c.id,
                    "ts": c.ts.isoformat(),
                    "actor": c.actor,
                    "who": c.who,
                    "channel": c.channel,
                    "outcome": c.outcome,
                    "follow_up_due": c.follow_up_due.isoformat() if c.follow_up_due else None,
                    "followed_up_at": c.followed_up_at.isoformat() if c.followed_up_at else None,
                    "note": c.note,
                }
                for c in contacts
            ]
        )
        return
    if not contacts:
        echo(f"No contacts logged in {found.id}.")
        echo("Log one with: crisis contact add --who NAME --channel dm --outcome no-answer")
        return
    rows = []
    for c in contacts:
        if c.follow_up_due is None:
            follow = "—"
        elif c.followed_up_at is not None:
            follow = "done"
        elif c.follow_up_due <= now:
            follow = f"OVERDUE ({relative(c.follow_up_due, now)})"
        else:
            follow = f"{fmt_time(c.follow_up_due, zone)} ({relative(c.follow_up_due, now)})"
        rows.append(
            [
                c.id,
                fmt_time(c.ts, zone),
                one_line(c.who),
                CHANNEL_WORDS.get(c.channel, c.channel),
                OUTCOME_WORDS.get(c.outcome, c.outcome),
                follow,
                one_line(c.note or ""),
            ]
        )
    table(rows, ["id", "when", "who", "channel", "outcome", "follow-up", "note"])


def done_command(
    contact: Annotated[str, typer.Argument(help="Contact id (see: crisis contact list).")],
    incident: IncidentOption = None,
) -> None:
    from crisiscli.errors import StateError
    from crisiscli.record.events import contact_followed_up
    from crisiscli.ui.output import echo

    found, _state, record = entry_of(
        incident, "contacts", contact, "contact", "crisis contact list"
    )
    if record.followed_up_at is not None:
        raise StateError(f"contact {contact}'s follow-up is already done")
    found.record(contact_followed_up(contact))
    echo(f"Follow-up of {contact} ({' '.join(record.who.split())}) marked done.")


def register(app: typer.Typer) -> None:
    sub = command_group(HELP)
    sub.command("add", help=ADD_HELP)(add_command)
    sub.command("list", help=LIST_HELP)(list_command)
    sub.command("done", help=DONE_HELP)(done_command)
    app.add_typer(sub, name="contact", help=HELP)
