from __future__ import annotations

from typing import Annotated

import typer

from crisiscli.cli.commands._group import command_group

HELP = """Action items from a post-mortem: add them, mark them done, list them.

Each item has what is to be done, an owner and a due date. They are added one at a time:
in the walk-through's review step, in an --answers file, or with this command (ids A1,
A2, …). They appear in the log, `crisis report`, and `crisis stats` while open. Works on
closed incidents too.

\b
Examples:
  crisis action add "Name a backup approver for nights" --owner Dana --due 2026-12-15
  crisis action list
  crisis action done A1 --incident wrong-image
"""

ADD_HELP = """Add an action item (recorded as action.added).

\b
Examples:
  crisis action add "Name a backup approver for nights" --owner Dana --due 2026-12-15
  crisis action add "Add a licence check to the posting routine" --incident wrong-image
"""
DONE_HELP = """Mark an action item done (recorded as action.done).

\b
Examples:
  crisis action done A1
  crisis action done A2 --incident wrong-image
"""
LIST_HELP = """List an incident's action items.

\b
Examples:
  crisis action list
  crisis action list --incident wrong-image --json
"""

IncidentOpt = Annotated[
    str | None,
    typer.Option("--incident", "-i", help="Incident id (default: the latest one)."),
]


def add(
    text: Annotated[str, typer.Argument(help="What is to be done.")],
    owner: Annotated[str | None, typer.Option("--owner", help="Who does it.")] = None,
    due: Annotated[
        str | None, typer.Option("--due", help="By when, as YYYY-MM-DD.", metavar="DATE")
    ] = None,
    incident: IncidentOpt = None,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.record.store import find_incident
    from crisiscli.team.actions import new_action
    from crisiscli.ui.output import echo

    env = get_env()
    found = find_incident(env, incident)
    event = new_action(found.state(), text, owner=owner, due=due)
    state = found.record(event)
    item_id = list(state.actions)[-1]  # as the fold settled it (two terminals, one number)
    echo(f"Added action item {item_id} to {found.id}.")


def done(
    item_id: Annotated[str, typer.Argument(help="The item's id (see: crisis action list).")],
    incident: IncidentOpt = None,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.errors import NotFoundError, StateError
    from crisiscli.record.events import action_done
    from crisiscli.record.store import find_incident
    from crisiscli.ui.output import echo

    env = get_env()
    found = find_incident(env, incident)
    items = {key.upper(): item for key, item in found.state().actions.items()}
    item = items.get(item_id.strip().upper())
    if item is None:
        raise NotFoundError(
            f"no action item '{item_id}' in {found.id}",
            hint=f"see: crisis action list --incident {found.id}",
        )
    if item.done_at is not None:
        raise StateError(f"action item {item.id} is already done")
    found.record(action_done(item.id))
    echo(f"Marked {item.id} done in {found.id}.")


def list_items(
    incident: IncidentOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.record.store import find_incident
    from crisiscli.ui.output import echo, echo_json, table

    env = get_env()
    found = find_incident(env, incident)
    rows = [
        {
            "id": i.id,
            "text": i.text,
            "owner": i.owner,
            "due": i.due,
            "step": i.step,
            "done": i.done_at is not None,
        }
        for i in found.state().actions.values()
    ]
    if as_json:
        echo_json({"incident": found.id, "actions": rows})
        return
    if not rows:
        echo(f"No action items in {found.id}. Add one with: crisis action add TEXT")
        return
    table(
        [
            [
                str(r["id"]),
                "done" if r["done"] else "open",
                str(r["owner"] or "—"),
                str(r["due"] or "—"),
                " ".join(str(r["text"]).split()),
            ]
            for r in rows
        ],
        ["ID", "STATUS", "OWNER", "DUE", "WHAT"],
    )


def register(app: typer.Typer) -> None:
    sub = command_group(HELP)
    sub.command("add", help=ADD_HELP)(add)
    sub.command("done", help=DONE_HELP)(done)
    sub.command("list", help=LIST_HELP)(list_items)
    app.add_typer(sub, name="action")
