"""Deadline status derived from the playbook's ``due`` times and the journal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from crisiscli.playbook.model import Playbook
from crisiscli.record.fold import IncidentState
from crisiscli.walk.flow import applies


@dataclass(frozen=True)
class DeadlineStatus:
    step: str
    label: str
    due_at: datetime
    state: str  # met | missed | open | overdue | waived
    finished_at: datetime | None = None

    def seconds_left(self, now: datetime) -> float:
        return (self.due_at - now).total_seconds()

    @property
    def late_by(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.due_at).total_seconds()


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
        st = state.steps.get(step.id)
        if st is not None and st.done_at is not None:
            kind = "met" if st.done_at <= due_at else "missed"
            found.append(DeadlineStatus(step.id, step.due.label, due_at, kind, st.done_at))
        elif (st is not None and st.status in ("skipped", "not_applicable")) or not applies(
            step, state
        ):
            found.append(DeadlineStatus(step.id, step.due.label, due_at, "waived"))
        elif state.finished and (st is None or st.visits == 0):
            # The walk-through ended without needing this step (a branch went past it).
            found.append(DeadlineStatus(step.id, step.due.label, due_at, "waived"))
        elif state.closed or state.finished:
            found.append(DeadlineStatus(step.id, step.due.label, due_at, "missed"))
        else:
            kind = "overdue" if now > due_at else "open"
            found.append(DeadlineStatus(step.id, step.due.label, due_at, kind))
    found.sort(key=lambda d: d.due_at)
    return found


def since_start(seconds: float) -> str:
    """``"2h 10m since start"``; a clock behind the incident's start is said to be so
    (never folded into a positive time, which would read as a plausible but false age)."""
    if seconds >= 0:
        return f"{format_duration(seconds)} since start"
    return f"starts in {format_duration(-seconds)} by this computer's clock (clock behind?)"


def format_duration(seconds: float) -> str:
    """``5400`` → ``1h 30m``; short and calm. A negative time keeps its sign (``-5m``)."""
    if seconds < 0:
        return "-" + format_duration(-seconds)
    seconds = int(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m" if minutes >= 10 or not secs else f"{minutes}m {secs:02d}s"
    return f"{secs}s"
