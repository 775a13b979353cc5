"""What ``crisis watch`` shows: the live incident, as data, from the fold and a clock.

``watch_model`` reads the state (``Incident.state()``, the incremental fold) and the
playbook snapshot, nothing else: incident, severity, time since the start, who is walking
it and at which step, every open deadline counting down (step deadlines, recurring updates
and promised ones), open follow-ups, messages waiting for approval, the latest notes and
events. ``ui/watchscreen.py`` draws it; ``--json`` prints ``model_json``.

``shape`` is what makes a change worth a new JSON line or a bell: the clock moves every
second, but a line is written only when an event arrives or a deadline changes state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, NamedTuple

from crisiscli.playbook.model import Playbook
from crisiscli.record.fold import IncidentState
from crisiscli.team.contacts import open_follow_ups
from crisiscli.timeutil import short_when
from crisiscli.views.brief import pending_approvals
from crisiscli.walk.deadlines import deadline_statuses
from crisiscli.walk.flow import comes_back, next_target, position

NOTES_SHOWN = 5
EVENTS_SHOWN = 12  # the fold keeps RECENT_EVENTS; a tall screen shows them all
SOON = 10 * 60  # a deadline this close is "soon" (shown louder)


class Walker(NamedTuple):
    """Who is walking the incident through its playbook, and where they are.

    From the fold: the author of the latest walk-through event (``walked_by``) and the step
    the flow is at. The walker lease of issue 11 (``walker.started``/``taken_over``:
    process, host, terminal) lands in the fold as ``state.walker``; ``walker_of`` is the
    one place to read it from when it does.
    """

    person: str | None  # None: nobody has walked it yet
    since: datetime | None  # their latest walk-through event
    step: str | None
    step_title: str | None
    phase_title: str | None
    number: int  # 1-based position of the step in the playbook (0: none)
    of: int


class LiveDeadline(NamedTuple):
    key: str
    kind: str  # step | cadence | promise
    name: str  # "Public update (every 30m)"
    due_at: datetime
    seconds_left: float  # negative: overdue by that much
    state: str  # open | overdue
    deferred: str | None = None  # its step is deferred: when it comes back ("" by the menu)

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"

    @property
    def soon(self) -> bool:
        return not self.overdue and self.seconds_left <= SOON


class Line(NamedTuple):
    ts: datetime
    actor: str
    text: str


@dataclass(frozen=True)
class WatchModel:
    incident_id: str
    title: str
    severity: str
    status: str  # active | paused | finished | closed
    drill: bool
    started_at: datetime | None
    now: datetime
    walker: Walker
    deadlines: tuple[LiveDeadline, ...]
    follow_ups: tuple[tuple[str, str, str, datetime, bool], ...]  # id, who, channel, due, late
    # title, platforms, written at, who was asked (None: nobody yet), asked at, the
    # decisions that arrived and do not count (approvals.not_counted)
    approvals: tuple[
        tuple[str, tuple[str, ...], datetime, str | None, datetime | None, tuple[str, ...]], ...
    ]
    notes: tuple[Line, ...]
    events: tuple[Line, ...]
    undelivered: int  # notifications that could not be delivered (yet)
    event_count: int
    tz: tzinfo | None = field(default=None, compare=False)
    team: str | None = field(default=None, compare=False)  # the background syncer, in words
    drill_time: str | None = None  # a drill's clock in words (every screen says it)
    # What the scenario plays next (``crisis watch --facilitator`` only: players never see it).
    coming: tuple[str, ...] = field(default=(), compare=False)

    @property
    def elapsed_seconds(self) -> float:
        return (self.now - self.started_at).total_seconds() if self.started_at else 0.0

    def shape(self) -> tuple[Any, ...]:
        """Everything but the clock: a new value means something happened."""
        return (
            self.event_count,
            self.status,
            self.severity,
            tuple((d.key, d.state) for d in self.deadlines),
            self.undelivered,
        )


def walker_of(state: IncidentState, playbook: Playbook) -> Walker:
    target = next_target(playbook, state) if not (state.closed or state.finished) else None
    if target is None:
        return Walker(state.walked_by, state.walked_at, None, None, None, 0, len(playbook.steps))
    step = playbook.step(target.step)
    index, total = position(playbook, step.id)
    return Walker(
        state.walked_by,
        state.walked_at,
        step.id,
        step.title,
        playbook.phase_of(step.id).title,
        index,
        total,
    )


def _deferred(
    state: IncidentState, playbook: Playbook, step_id: str, now: datetime, tz: tzinfo | None
) -> str | None:
    """Short, for a row that already shows the deadline: "back at 15:57", "back before the
    next phase", "back at the end"; "" when only the step menu brings it back."""
    st = state.steps.get(step_id)
    if st is None or st.status != "deferred":
        return None
    back, why = comes_back(playbook, state, step_id, now)
    if back is not None:
        return "back now" if back <= now else f"back at {short_when(back, tz, now)}"
    return {"phase": "back before the next phase", "end": "back at the end"}.get(why, "")


def watch_model(
    incident_id: str,
    state: IncidentState,
    playbook: Playbook,
    now: datetime,
    tz: tzinfo | None = None,
) -> WatchModel:
    deadlines = tuple(
        LiveDeadline(
            d.key,
            d.kind,
            d.name,
            d.due_at,
            d.seconds_left(now),
            d.state,
            _deferred(state, playbook, d.step, now, tz) if d.kind == "step" else None,
        )
        for d in deadline_statuses(playbook, state, now)
        if d.pending
    )
    follow_ups = tuple(
        (f.contact_id, f.who, f.channel, f.due, f.overdue) for f in open_follow_ups(state, now)
    )
    approvals = tuple(
        (
            str(a["title"]),
            tuple(a["platforms"]),
            a["recorded_at"],
            a["approver"],
            a["asked_at"],
            tuple(a["not_counted"]),
        )
        for a in pending_approvals(state, playbook)
    )
    notes = tuple(Line(n.ts, n.actor, n.text) for n in state.notes[-NOTES_SHOWN:])
    events = tuple(Line(e.ts, e.actor, e.text) for e in state.recent[-EVENTS_SHOWN:])
    undelivered = sum(1 for n in state.notices.values() if n.status in ("failed", "given_up"))
    return WatchModel(
        incident_id,
        state.title,
        state.severity,
        state.status,
        state.drill,
        state.started_at,
        now,
        walker_of(state, playbook),
        deadlines,
        follow_ups,
        approvals,
        notes,
        events,
        undelivered,
        state.event_count,
        tz,
        drill_time=state.drill_run.clock_words(now) if state.drill_run is not None else None,
    )


def model_json(model: WatchModel) -> dict[str, Any]:
    """One line of ``crisis watch --json``: the model with times as ISO 8601 text."""

    def t(ts: datetime | None) -> str | None:
        return ts.isoformat() if ts is not None else None

    w = model.walker
    return {
        "incident": model.incident_id,
        "title": model.title,
        "severity": model.severity,
        "status": model.status,
        "drill": model.drill,
        "at": t(model.now),
        "started": t(model.started_at),
        "elapsed_seconds": round(model.elapsed_seconds),
        "walker": {
            "person": w.person,
            "since": t(w.since),
            "step": w.step,
            "step_title": w.step_title,
            "phase": w.phase_title,
            "number": w.number,
            "of": w.of,
        },
        "deadlines": [
            {
                "key": d.key,
                "kind": d.kind,
                "name": d.name,
                "due": t(d.due_at),
                "state": d.state,
                "seconds_left": round(d.seconds_left),
                "deferred": d.deferred,
            }
            for d in model.deadlines
        ],
        "follow_ups": [
            {"contact": c, "who": who, "channel": ch, "due": t(due), "overdue": late}
            for c, who, ch, due, late in model.follow_ups
        ],
        "approvals": [
            {
                "step_title": title,
                "platforms": list(p),
                "since": t(since),
                "approver": approver,
                "asked_at": t(asked) if asked else None,
                "not_counted": list(refused),
            }
            for title, p, since, approver, asked, refused in model.approvals
        ],
        "notes": [{"ts": t(n.ts), "actor": n.actor, "text": n.text} for n in model.notes],
        "events": [{"ts": t(e.ts), "actor": e.actor, "text": e.text} for e in model.events],
        "undelivered_notifications": model.undelivered,
        **({"drill_time": model.drill_time} if model.drill_time else {}),
        **({"coming": list(model.coming)} if model.coming else {}),
        "events_total": model.event_count,
    }
