"""One way to make a command with sub-commands (action, config, contact, queue, role), so
they all accept -h, wrap help the same way and never load Rich for help."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from crisiscli.record.fold import IncidentState
    from crisiscli.record.store import Incident

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def command_group(help_text: str | None = None, *, default_command: bool = False) -> typer.Typer:
    """A sub-app; ``default_command`` lets the group's callback run with no sub-command."""
    return typer.Typer(
        rich_markup_mode=None,
        help=help_text,
        invoke_without_command=default_command,
        no_args_is_help=not default_command,
        add_completion=False,
        context_settings=CONTEXT,
    )


#: ``--incident/-i``, as every sub-command that acts on one incident takes it.
IncidentOption = Annotated[
    str | None,
    typer.Option("--incident", "-i", help="Incident id (default: the latest open one)."),
]
#: ``--note``: free text kept with what is recorded.
NoteOption = Annotated[str | None, typer.Option("--note", help="Anything worth keeping.")]


def entry_of(
    incident: str | None, table: str, key: str, what: str, command: str
) -> tuple[Incident, IncidentState, Any]:
    """The incident (default: the latest open one), its state, and the ``what`` called
    ``key`` in ``state.<table>`` (contacts, replies); ``NotFoundError`` naming the command
    that lists them otherwise."""
    from crisiscli.env import get_env
    from crisiscli.errors import NotFoundError
    from crisiscli.record.store import find_incident

    found = find_incident(get_env(), incident, open_only=incident is None)
    state = found.state()
    entry = getattr(state, table).get(key)
    if entry is None:
        raise NotFoundError(f"no {what} '{key}' in {found.id}", hint=f"see: {command}")
    return found, state, entry
