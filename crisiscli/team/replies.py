"""The reply ledger: a reply to each person who engaged (``reply.*`` events).

Pure helpers over ``IncidentState.replies``; the command is ``commands/reply.py``; status,
handoff and the report read ``unanswered``.
"""

from __future__ import annotations

from crisiscli.playbook.model import Playbook
from crisiscli.record.events import NewEvent, reply_person
from crisiscli.record.fold import IncidentState, ReplyThread


def next_reply_id(state: IncidentState) -> str:
    n = len(state.replies) + 1
    while f"r{n}" in state.replies:
        n += 1
    return f"r{n}"


def person_added(
    state: IncidentState, who: str, platform: str | None, link: str | None
) -> NewEvent | None:
    """The ``reply.person`` event for someone owed a reply, as typed (spacing, case of the
    platform and blank fields tidied); None when no name was given."""
    name = " ".join(who.split())
    if not name:
        return None
    return reply_person(
        next_reply_id(state),
        name,
        platform=(platform or "").strip().lower() or None,
        link=(link or "").strip() or None,
    )


def unanswered(state: IncidentState) -> list[ReplyThread]:
    """People on the ledger nobody has replied to yet."""
    return [r for r in state.replies.values() if r.unanswered]


def reply_banned(playbook: Playbook) -> tuple[str, ...]:
    """The banned phrases of the playbook's reply steps (a reply is checked like them)."""
    found: list[str] = []
    for step in playbook.steps:
        if step.message is not None and step.message.kind == "reply":
            found += [b for b in step.message.banned if b not in found]
    return tuple(found)
