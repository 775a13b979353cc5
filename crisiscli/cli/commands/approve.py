from __future__ import annotations

from typing import Annotated

import typer

HELP = """Approve or reject a message waiting for your decision, as yourself.

Shows every message version put to an approver (in the open incidents, or in ID): the
exact text, its platforms and checks, who asked and how long ago. Your decision is
recorded under your name (CRISIS_USER, config, or your git identity) for exactly that
version: an edit afterwards voids it, and `--version` (the digest the list shows) refuses
a decision when a newer version is waiting. Only the person asked, the backup, or the
incident's approver and backup may decide; anyone else decides for one of them with
`--on-behalf-of NAME --reason TEXT`, on record as such. Works from a second terminal while
the walk-through waits, or on another machine after `crisis sync` (sync again to send it).
Where the team signs (`crisis signers`), the decision is signed with your SSH key and shown
"✓ signed"; with approval.require_signature on, a decision that would not verify under
your name (no key, or a key allowed_signers lists for someone else) is refused (exit 2).

\b
Examples:
  crisis approve                                     # choose interactively
  crisis approve --list
  crisis approve wrong-image --approve --version 3f2a9c01b7de --comment "Good to go"
  crisis approve wrong-image --step apologise --reject --comment "Too defensive"
  crisis approve wrong-image --approve --on-behalf-of Dana --reason "Dana is on a flight"
"""


def command(
    incident: Annotated[
        str | None, typer.Argument(help="Incident id (default: every open incident).")
    ] = None,
    step: Annotated[
        str | None, typer.Option("--step", help="The step whose message to decide.")
    ] = None,
    approve: Annotated[bool, typer.Option("--approve", help="Approve it.")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Reject it (say why).")] = False,
    comment: Annotated[
        str | None, typer.Option("--comment", "-m", help="Your comment, recorded.")
    ] = None,
    version: Annotated[
        str | None,
        typer.Option("--version", help="The version you read (its digest, from --list)."),
    ] = None,
    on_behalf_of: Annotated[
        str | None,
        typer.Option("--on-behalf-of", help="Decide for this person (one who may decide)."),
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why you decide for them (recorded).")
    ] = None,
    list_only: Annotated[bool, typer.Option("--list", help="Only list what waits.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="List as JSON.")] = False,
) -> None:
    from crisiscli.cli.commands._approve import Decision, decide, waiting_for
    from crisiscli.env import get_env
    from crisiscli.errors import UsageError

    if approve and reject:
        raise UsageError("--approve or --reject, not both")
    env = get_env()
    found = waiting_for(env, incident, step)
    choice = "approve" if approve else "reject" if reject else None
    decision = Decision(choice, comment, version, on_behalf_of, reason)
    decide(env, found, decision, list_only=list_only or as_json, as_json=as_json)


def register(app: typer.Typer) -> None:
    app.command("approve", help=HELP)(command)
