from __future__ import annotations

from typing import Annotated

import typer

from crisiscli.cli.commands._group import IncidentOption, NoteOption, command_group, entry_of

HELP = """A reply to each person: the reply ledger.

Each person who engaged is owed a reply of their own. Add them (handle, platform, link),
record the reply written for them (checked like any message: platform limit, banned and
excuse phrases), and close the thread when they answered or it moved to a DM, email or phone
call (naming the contact log entry). `crisis status`, `crisis handoff` and the report list who
is still unanswered. The walk-through keeps the same ledger at a step whose message is
`per_person` ("Reply to each person" in the step menu).

\b
Examples:
  crisis reply add --who "@fly_in_soup" --platform x --link https://x.com/fly_in_soup/status/1
  crisis reply sent r1 --text "Hi Sam, that should never happen. I've sent you a DM."
  crisis reply done r1 --outcome dm --contact c1
  crisis reply list
"""

ADD_HELP = """Add a person owed a reply (handle or name, platform, link to what they wrote).

\b
Examples:
  crisis reply add --who "@fly_in_soup" --platform x --link https://x.com/fly_in_soup/status/1
"""

SENT_HELP = """Record the reply sent to one person, after the message checks.

A reply over the platform's limit or with a banned or excuse phrase is refused unless
--override gives a reason.

\b
Examples:
  crisis reply sent r1 --text "Hi Sam, that should never happen. I've sent you a DM."
"""

DONE_HELP = """Close a reply thread: they answered, or it moved to dm, phone or email.

\b
Examples:
  crisis reply done r1 --outcome answered
  crisis reply done r2 --outcome phone --contact c3
"""

LIST_HELP = """List the reply ledger: who is owed a reply, what was sent, what came of it.

\b
Examples:
  crisis reply list
  crisis reply list --json
"""


def add_command(
    who: Annotated[str, typer.Option("--who", help="The person (handle or name).")],
    platform: Annotated[
        str | None, typer.Option("--platform", help="Where they wrote (x, facebook, …).")
    ] = None,
    link: Annotated[str | None, typer.Option("--link", help="Link to what they wrote.")] = None,
    incident: IncidentOption = None,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.errors import UsageError
    from crisiscli.record.store import find_incident
    from crisiscli.team.replies import person_added
    from crisiscli.ui.output import echo

    env = get_env()
    if not who.split():
        raise UsageError("--who is empty")
    found = find_incident(env, incident, open_only=incident is None)
    event = person_added(found.state(), who, platform, link)
    assert event is not None  # a name was given
    name = event.data["who"]
    state = found.record(event)
    rid = list(state.replies)[-1]
    echo(f"{name} is owed a reply ({rid} in {found.id}); when sent: crisis reply sent {rid}")


def sent_command(
    reply: Annotated[str, typer.Argument(help="Reply id (see: crisis reply list).")],
    text: Annotated[str, typer.Option("--text", help="The reply as it went out.")],
    override: Annotated[
        str | None, typer.Option("--override", help="Reason to send despite failed checks.")
    ] = None,
    incident: IncidentOption = None,
) -> None:
    from crisiscli.errors import UsageError
    from crisiscli.messages.checks import review, summary_line
    from crisiscli.record.events import reply_sent
    from crisiscli.team.replies import reply_banned
    from crisiscli.ui.output import echo
    from crisiscli.walk.engine import config_limits

    found, _state, thread = entry_of(incident, "replies", reply, "reply", "crisis reply list")
    if not text.strip():
        raise UsageError("--text is empty")
    book = found.playbook()
    limits = {**config_limits(found.env), **dict(book.platform_limits)}
    checked = review(
        text, [thread.platform] if thread.platform else [], book.language,
        reply_banned(book), limits,
    )  # fmt: skip
    why = (override or "").strip() or None
    if checked.errors and why is None:
        problems = "; ".join(f.message for f in checked.errors[:3])
        raise UsageError(
            f"the reply cannot go out as it is: {problems}",
            hint="edit it, or give --override with a reason",
        )
    found.record(
        reply_sent(
            reply, text, checks=summary_line(checked), override=why if checked.errors else None
        )
    )
    echo(f"Reply to {thread.who} recorded ({summary_line(checked)}).")


def done_command(
    reply: Annotated[str, typer.Argument(help="Reply id (see: crisis reply list).")],
    outcome: Annotated[
        str, typer.Option("--outcome", help="answered, dm, phone, email or no-reply-needed.")
    ],
    contact: Annotated[
        str | None, typer.Option("--contact", help="The contact log entry (crisis contact list).")
    ] = None,
    note: NoteOption = None,
    incident: IncidentOption = None,
) -> None:
    from crisiscli.errors import NotFoundError, UsageError
    from crisiscli.record.events import REPLY_OUTCOMES, reply_closed
    from crisiscli.ui.output import echo

    found, state, thread = entry_of(incident, "replies", reply, "reply", "crisis reply list")
    word = outcome.strip().lower()
    if word not in REPLY_OUTCOMES:
        raise UsageError(f"--outcome '{outcome}' is not one of {', '.join(REPLY_OUTCOMES)}")
    if contact is not None and contact not in state.contacts:
        raise NotFoundError(
            f"no contact '{contact}' in {found.id}", hint="see: crisis contact list"
        )
    found.record(reply_closed(reply, word, contact=contact, note=(note or "").strip() or None))
    echo(f"Reply {reply} ({thread.who}): {REPLY_OUTCOMES[word]}.")


def list_command(
    incident: IncidentOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.record.events import REPLY_OUTCOMES
    from crisiscli.record.store import find_incident
    from crisiscli.text import one_line
    from crisiscli.ui.output import echo, echo_json, table

    env = get_env()
    found = find_incident(env, incident, open_only=incident is None)
    threads = list(found.state().replies.values())
    if as_json:
        echo_json(
            [
                {
                    "id": r.id,
                    "who": r.who,
                    "platform": r.platform,
                    "link": r.link,
                    "text": r.text,
                    "sent_at": r.sent_at.isoformat() if r.sent_at else None,
                    "checks": r.checks,
                    "override": r.override,
                    "outcome": r.outcome,
                    "contact": r.contact,
                    "unanswered": r.unanswered,
                }
                for r in threads
            ]
        )
        return
    if not threads:
        echo(f"Nobody is on the reply ledger of {found.id}.")
        echo('Add a person with: crisis reply add --who "@handle" --platform x')
        return
    rows = [
        [
            r.id,
            one_line(r.who),
            r.platform or "",
            "UNANSWERED" if r.unanswered else ("sent" if r.outcome is None else "closed"),
            REPLY_OUTCOMES.get(r.outcome or "", "") + (f" ({r.contact})" if r.contact else ""),
            one_line(r.text or ""),
        ]
        for r in threads
    ]
    table(rows, ["id", "who", "platform", "reply", "then", "text"])


def register(app: typer.Typer) -> None:
    sub = command_group(HELP)
    sub.command("add", help=ADD_HELP)(add_command)
    sub.command("sent", help=SENT_HELP)(sent_command)
    sub.command("done", help=DONE_HELP)(done_command)
    sub.command("list", help=LIST_HELP)(list_command)
    app.add_typer(sub, name="reply", help=HELP)
