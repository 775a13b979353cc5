"""The off-platform contact log: channels, outcomes and open follow-ups.

Pure helpers over ``IncidentState.contacts`` (see ``state.py``); the commands live in
``commands/contact.py`` and the views in ``screens.py`` / ``commands/status.py``.
"""

from __future__ import annotations

from datetime import datetime

from crisiscli.frozen import Frozen
from crisiscli.record.fold import IncidentState

CHANNELS = ("dm", "email", "phone", "mutual-contact", "in-person")
OUTCOMES = ("no-answer", "refused", "talked", "resolved")
CHANNEL_WORDS = {
    "dm": "direct message",
    "email": "email",
    "phone": "phone",
    "mutual-contact": "via a mutual contact",
    "in-person": "in person",
}
OUTCOME_WORDS = {
    "no-answer": "no answer",
    "refused": "refused",
    "talked": "talked",
    "resolved": "resolved",
}


class FollowUp(Frozen):
    """An open follow-up: who to contact again, how, and by when."""

    contact_id: str
    who: str
    channel: str
    outcome: str
    due: datetime
    overdue: bool

    def seconds_left(self, now: datetime) -> float:
        return (self.due - now).total_seconds()


def open_follow_ups(state: IncidentState, now: datetime) -> tuple[FollowUp, ...]:
    """Follow-ups not yet done, soonest first (overdue ones are the earliest)."""
    items = [
        FollowUp(c.id, c.who, c.channel, c.outcome, c.follow_up_due, c.follow_up_due <= now)
        for c in state.contacts.values()
        if c.follow_up_due is not None and c.followed_up_at is None
    ]
    return tuple(sorted(items, key=lambda f: f.due))


def next_contact_id(state: IncidentState) -> str:
    n = len(state.contacts) + 1
    while f"c{n}" in state.contacts:
        n += 1
    return f"c{n}"
