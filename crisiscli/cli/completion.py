"""What Tab offers beyond commands and options: playbook ids and incident ids.

Only a completion script asking (``_CRISIS_COMPLETE`` set) attaches these, so everyday
start-up pays nothing. Every command names its incident ``incident`` (the argument, or
``--incident``) and its playbook ``playbook``: one place here gives those parameters their
candidates instead of each command repeating it.
"""

from __future__ import annotations

from typing import Any

#: The variable the completion scripts set when they ask `crisis` for completions.
COMPLETE_VAR = "_CRISIS_COMPLETE"


def incident_ids(ctx: Any, param: Any, incomplete: str) -> list[str]:
    """Incident folders whose id starts with, or contains, what was typed (ids are long,
    and a unique part of one is accepted everywhere), oldest first as `crisis list` shows."""
    from crisiscli.env import get_env
    from crisiscli.record.store import list_incidents

    try:
        names = [incident.id for incident in list_incidents(get_env())]
    except Exception:  # a completion never breaks the shell's line
        return []
    typed = incomplete.casefold()
    starting = [n for n in names if n.casefold().startswith(typed)]
    chosen = starting or [n for n in names if typed in n.casefold()]
    return chosen


def playbook_ids(ctx: Any, param: Any, incomplete: str) -> list[str]:
    """The ids `crisis playbooks` lists; a path is completed by the shell as a file."""
    from crisiscli.env import get_env
    from crisiscli.playbook.catalog import discover

    try:
        entries = discover(get_env())
    except Exception:
        return []
    return [entry.id for entry in entries if entry.id.startswith(incomplete)]


_BY_NAME = {"incident": incident_ids, "playbook": playbook_ids}


def attach(command: Any) -> Any:
    """``command`` (and its sub-commands) with candidates on its incident and playbook
    parameters; returns it."""
    for param in getattr(command, "params", ()):
        found = _BY_NAME.get(param.name or "")
        if found is not None:
            param._custom_shell_complete = found
    for sub in getattr(command, "commands", {}).values():
        attach(sub)
    return command
