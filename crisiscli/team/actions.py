"""Action items: what a review decides is to be done, by whom, by when.

One item at a time, from the walk-through's review step, an --answers file or
``crisis action add``; each is an ``action.added`` event, closed by ``action.done``.
"""

from __future__ import annotations

from crisiscli.errors import UsageError
from crisiscli.record.events import NewEvent, action_added
from crisiscli.record.fold import IncidentState
from crisiscli.timeutil import not_a_date, parse_date


def next_action_id(state: IncidentState) -> str:
    taken = {key.upper() for key in state.actions}
    number = 1
    while f"A{number}" in taken:
        number += 1
    return f"A{number}"


def check_due(due: str | None) -> str | None:
    """``2026-12-15`` (or empty) → the ISO date; anything else is a usage error."""
    if due is None or not due.strip():
        return None
    day = parse_date(due)
    if day is None:
        raise UsageError(not_a_date("the due date", due))
    return day.isoformat()


def new_action(
    state: IncidentState,
    text: str,
    *,
    owner: str | None = None,
    due: str | None = None,
    step: str | None = None,
) -> NewEvent:
    """The event for a new action item, checked (what is required; due is a date)."""
    what = " ".join(text.split())
    if not what:
        raise UsageError("the action item is empty (say what is to be done)")
    return action_added(
        next_action_id(state),
        what,
        owner=" ".join((owner or "").split()) or None,
        due=check_due(due),
        step=step,
    )
