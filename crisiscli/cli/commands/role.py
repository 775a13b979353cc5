from __future__ import annotations

from typing import Annotated

import typer

from crisiscli.cli.commands._group import command_group

HELP = """Say who holds which incident role: commander, approver, ...

Default roles: commander, comms-lead, approver, monitor.

A playbook may name its own roles (a top-level `roles:` list). Roles show in the
walk-through header, the log and the handoff brief. Setting a role again hands it to
someone else; an empty NAME leaves it open.

\b
Examples:
  crisis role set commander "Ana Ruiz"
  crisis role set approver Dana --incident wrong-image
  crisis role set monitor ""
  crisis role list
  crisis role list wrong-image --json
"""

sub = command_group(HELP)


@sub.command("set")
def set_role(
    role: Annotated[str, typer.Argument(help="The role, e.g. approver (see: crisis role list).")],
    person: Annotated[str, typer.Argument(help='Who holds it; "" leaves it open.')],
    incident: Annotated[
        str | None,
        typer.Option("--incident", "-i", help="Incident id (default: the latest open one)."),
    ] = None,
) -> None:
    """Give a role to a person (recorded as role.assigned).

    \b
    Examples:
      crisis role set commander "Ana Ruiz"
      crisis role set monitor ""
    """
    from crisiscli.env import get_env
    from crisiscli.record.events import role_assigned
    from crisiscli.record.store import find_incident
    from crisiscli.team.roles import check_person, check_role
    from crisiscli.ui.output import echo

    env = get_env()
    found = find_incident(env, incident, open_only=incident is None)
    book = found.playbook()
    role_id = check_role(book, role)
    name = check_person(person)
    found.record(role_assigned(role_id, name))
    if name:
        echo(f"{role_id}: {name} ({found.id}).")
    else:
        echo(f"{role_id} is open ({found.id}).")


@sub.command("list")
def list_roles(
    incident: Annotated[
        str | None, typer.Argument(help="Incident id (default: the latest open one).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show every role of an incident and who holds it.

    \b
    Examples:
      crisis role list
      crisis role list wrong-image --json
    """
    from crisiscli.env import get_env
    from crisiscli.record.store import find_incident
    from crisiscli.team.roles import role_rows
    from crisiscli.ui.output import echo_json, table

    env = get_env()
    found = find_incident(env, incident, open_only=incident is None)
    rows = role_rows(found.state(), found.playbook())
    if as_json:
        echo_json({"id": found.id, "roles": {role: person for role, person in rows}})
        return
    table([[role, person or "(open)"] for role, person in rows], ["role", "person"])


def register(app: typer.Typer) -> None:
    app.add_typer(sub, name="role", help=HELP)
