"""Incident roles: who is commander, comms lead, approver, monitor.

Roles are ``role.assigned {role, person}`` events (an empty person opens the role again);
the fold keeps the latest holder of each. A playbook may name its own roles.
"""

from __future__ import annotations

from crisiscli.errors import UsageError
from crisiscli.playbook.model import Playbook
from crisiscli.record.fold import IncidentState

DEFAULT_ROLES = ("commander", "comms-lead", "approver", "monitor")


def known_roles(playbook: Playbook) -> tuple[str, ...]:
    """The playbook's own roles first, then the defaults (each once)."""
    return tuple(dict.fromkeys((*playbook.roles, *DEFAULT_ROLES)))


def check_role(playbook: Playbook, role: str) -> str:
    role = role.strip().lower()
    roles = known_roles(playbook)
    if role not in roles:
        raise UsageError(
            f"unknown role '{role}' (roles: {', '.join(roles)})",
            hint="a playbook can name its own roles with a top-level 'roles:' list",
        )
    return role


def check_person(person: str) -> str:
    name = person.strip()
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise UsageError("a person's name must be one line without control characters")
    if len(name) > 200:
        raise UsageError("a person's name must be at most 200 characters")
    return name


def parse_assignment(text: str, playbook: Playbook) -> tuple[str, str]:
    """``"approver=Dana Smith"`` → ``("approver", "Dana Smith")``."""
    role, sep, person = text.partition("=")
    if not sep or not role.strip() or not person.strip():
        raise UsageError(
            f"--role wants ROLE=NAME, e.g. --role approver=Dana, not '{text}'",
            hint=f"roles: {', '.join(known_roles(playbook))}",
        )
    return check_role(playbook, role), check_person(person)


def role_rows(state: IncidentState, playbook: Playbook) -> list[tuple[str, str | None]]:
    """Every role worth showing: the playbook's (or default) roles, then others assigned."""
    shown = list(playbook.roles or DEFAULT_ROLES)
    shown += [r for r in state.roles if r not in shown]
    return [(role, state.roles.get(role)) for role in shown]


def assigned_roles(state: IncidentState, playbook: Playbook) -> tuple[tuple[str, str], ...]:
    return tuple((role, person) for role, person in role_rows(state, playbook) if person)
