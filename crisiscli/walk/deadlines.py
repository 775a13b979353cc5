"""Deadline status derived from the playbook's ``due`` times and the fold.

A deadline is *met* or *missed* when its step was done (on time or late); *waived* when the
step did not have to be done (skipped, not applicable, not on the path the incident took,
or the incident closed before it was due — ``why`` says which); *missed* when the incident
closed after it was due without it; otherwise *open*, or *overdue* once ``now`` passes it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from crisiscli.frozen import Frozen
from crisiscli.playbook.model import Playbook
from crisiscli.record.fold import IncidentState
from crisiscli.timeutil import format_duration, since_start
from crisiscli.walk.flow import applies

__all__ = ["DeadlineStatus", "deadline_statuses", "format_duration", "since_start"]


class DeadlineStatus(Frozen):
    step: str
    label: str
    due_at: datetime
    state: str  # met | missed | open | overdue | waived
    finished_at: datetime | None = None
    why: str | None = None  # for waived: skipped | not applicable | not on the path | closed early

    def seconds_left(self, now: datetime) -> float:
        return (self.due_at - now).total_seconds()

    @property
    def late_by(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.due_at).total_seconds()

    @property
    def settled(self) -> bool:
        """Its outcome no longer depends on the clock."""
        return self.state in ("met", "missed", "waived")


def _status(
    step_id: str, label: str, due_at: datetime, state: IncidentState, relevant: bool, now: datetime
) -> DeadlineStatus:
    st = state.steps.get(step_id)
    if st is not None and st.done_at is not None:
        kind = "met" if st.done_at <= due_at else "missed"
        return DeadlineStatus(step_id, label, due_at, kind, st.done_at)
    if st is not None and st.status in ("skipped", "not_applicable"):
        why = "skipped" if st.status == "skipped" else "not applicable"
        return DeadlineStatus(step_id, label, due_at, "waived", st.finished_at, why)
    if not relevant:
        return DeadlineStatus(step_id, label, due_at, "waived", None, "not applicable")
    if state.finished and (st is None or st.visits == 0):
        # The walk-through ended without needing this step (a branch went past it).
        return DeadlineStatus(step_id, label, due_at, "waived", None, "not on the path")
    if state.closed and state.closed_at is not None:
        if state.closed_at < due_at:
            return DeadlineStatus(
                step_id, label, due_at, "waived", None, "closed before it was due"
            )
        return DeadlineStatus(step_id, label, due_at, "missed")
    return DeadlineStatus(step_id, label, due_at, "overdue" if now > due_at else "open")


def deadline_statuses(
    playbook: Playbook, state: IncidentState, now: datetime
) -> list[DeadlineStatus]:
    if state.started_at is None:
        return []
    found = []
    for step in playbook.steps:
        if step.due is None:
            continue
        try:
            due_at = state.started_at + timedelta(seconds=step.due.seconds)
        except OverflowError:  # an old snapshot's deadline beyond the calendar never comes due
            continue
        found.append(_status(step.id, step.due.label, due_at, state, applies(step, state), now))
    found.sort(key=lambda d: d.due_at)
    return found
