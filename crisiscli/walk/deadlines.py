"""Deadline status, computed in one place from the playbook, the fold and ``now``.

Three kinds of deadline, one ``DeadlineStatus`` each:

- **step** — a step's ``due`` (counted from the incident's start). It is *met* or *missed*
  when its step was done (on time or late); *waived* when the step did not have to be done
  (skipped, not applicable, not on the path the incident took, or the incident closed before
  it was due — ``why`` says which); *missed* when the incident closed after it was due
  without it; otherwise *open*, or *overdue* once ``now`` passes it.
- **cadence** — one occurrence of a recurring deadline (``cadence:`` in the playbook, e.g. a
  public update every 30 minutes). The clock starts at the incident's start and restarts at
  every message of the cadence's kinds published where the public reads it (a public post or
  reply: a staff memo, a support macro, a DM or a press statement keeps no public clock —
  ``Cadence.met_by``): the occurrence it ends is *met* (published
  by its due time) or *missed* (published later; ``late_by`` says how much). A re-grade to a
  level with a shorter interval brings the open occurrence forward at once; a level with
  ``off`` waives it. Silence does not stop the clock: an occurrence with no update before the
  next one comes due is *missed* at its own due time (``why``: ``no update``) and the next
  runs from it, so hours of silence are as many misses as the interval fits. The cadence
  runs only while some step that applies at the severity of the moment can still post a
  message of its kinds (``can_post``): an occurrence that comes due while none can is waived
  and the clock waits for a re-grade or an update; one already overdue when a re-grade takes
  the means away was missed. The close (or the end of the ``until`` step) ends the clock:
  the open occurrence is waived if it was not due yet, else missed.
- **promise** — the next update a published message promised (``update.promised``): *met* by
  the next statement, apology or update posted or replied in public by then
  (``spec.said_in_public``), *missed* by a later one or by none before the close, waived if
  the incident closed before it was due.

Nothing here reads a clock: ``now`` only tells *open* from *overdue*, so a view without a
clock (``log.md``) passes the time of the last event and words both as "not done yet".
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from crisiscli.frozen import Frozen
from crisiscli.playbook.model import Cadence, Playbook, Step
from crisiscli.playbook.spec import said_in_public
from crisiscli.record.fold import IncidentState, Publication
from crisiscli.timeutil import format_duration, since_start
from crisiscli.walk.flow import applies, facts, holds

__all__ = [
    "DeadlineStatus",
    "deadline_statuses",
    "format_duration",
    "next_update_due",
    "since_start",
]

PROMISE_LABEL = "Promised next update"


class DeadlineStatus(Frozen):
    step: str  # the step (step deadlines), the promising message's step (promises), or ""
    label: str
    due_at: datetime
    state: str  # met | missed | open | overdue | waived
    finished_at: datetime | None = None
    why: str | None = None  # for waived: skipped | not applicable | not on the path | closed…
    kind: str = "step"  # step | cadence | promise
    key: str = ""  # stable and unique: step:<id>, cadence:<id>:<n>, promise:<step>:<time>
    occurrence: int = 0  # cadence: 1, 2, 3… (0 for the other kinds)
    every: str | None = None  # cadence: the interval as written ("30m")

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

    @property
    def pending(self) -> bool:
        return self.state in ("open", "overdue")

    @property
    def name(self) -> str:
        """What a live view calls it: ``Public update (every 30m)``."""
        if self.kind == "cadence" and self.every:
            return f"{self.label} (every {self.every})"
        return self.label

    @property
    def title(self) -> str:
        """The label with what tells occurrences apart: ``Public update #3 (every 30m)``."""
        if self.kind == "cadence":
            every = f" (every {self.every})" if self.every else ""
            return f"{self.label} #{self.occurrence}{every}"
        return self.label


def not_before_at(step: Step, state: IncidentState) -> datetime | None:
    """When a step's earliest-time gate (``not_before``) opens; None without one."""
    if step.not_before is None or state.started_at is None:
        return None
    return state.from_start(step.not_before.seconds)


class EarlyStatus(Frozen):
    """A step done before its ``not_before`` time (with the reason given), or a gate still
    closed: ``early`` (done ahead of it), ``waiting`` (not yet time) or ``open``."""

    step: str
    label: str
    opens_at: datetime
    state: str  # early | waiting | open | kept
    reason: str | None = None
    done_at: datetime | None = None
    by: str | None = None


def gate_statuses(playbook: Playbook, state: IncidentState, now: datetime) -> list[EarlyStatus]:
    """Every earliest-time gate of the playbook and what became of it."""
    found = []
    for step in playbook.steps:
        opens = not_before_at(step, state)
        if opens is None or step.not_before is None:
            continue
        label = step.not_before.label
        early = state.early.get(step.id)
        st = state.steps.get(step.id)
        if early is not None:
            found.append(
                EarlyStatus(step.id, label, opens, "early", early.reason, early.ts, early.actor)
            )
        elif st is not None and st.done_at is not None:
            found.append(EarlyStatus(step.id, label, opens, "kept", done_at=st.done_at))
        elif applies(step, state):
            found.append(EarlyStatus(step.id, label, opens, "waiting" if now < opens else "open"))
    return found


def _status(
    step_id: str, label: str, due_at: datetime, state: IncidentState, relevant: bool, now: datetime
) -> DeadlineStatus:
    key = f"step:{step_id}"
    st = state.steps.get(step_id)
    if st is not None and st.done_at is not None:
        kind = "met" if st.done_at <= due_at else "missed"
        return DeadlineStatus(step_id, label, due_at, kind, st.done_at, key=key)
    if st is not None and st.status in ("skipped", "not_applicable"):
        why = "skipped" if st.status == "skipped" else "not applicable"
        return DeadlineStatus(step_id, label, due_at, "waived", st.finished_at, why, key=key)
    if not relevant:
        return DeadlineStatus(step_id, label, due_at, "waived", None, "not applicable", key=key)
    if state.finished and (st is None or st.visits == 0):
        # The walk-through ended without needing this step (a branch went past it).
        return DeadlineStatus(step_id, label, due_at, "waived", None, "not on the path", key=key)
    if state.closed and state.closed_at is not None:
        in_time = closed_in_time(state.closed_at, due_at)
        if in_time is not None:
            return DeadlineStatus(step_id, label, due_at, "waived", None, in_time, key=key)
        return DeadlineStatus(step_id, label, due_at, "missed", key=key)
    state_word = "overdue" if now > due_at else "open"
    return DeadlineStatus(step_id, label, due_at, state_word, key=key)


def deadline_statuses(
    playbook: Playbook, state: IncidentState, now: datetime
) -> list[DeadlineStatus]:
    """Every deadline of the incident — steps, cadence occurrences, promises — by due time."""
    if state.started_at is None:
        return []
    found = []
    for step in playbook.steps:
        if step.due is None:
            continue
        try:
            due_at = state.from_start(step.due.seconds, now)
        except OverflowError:  # an old snapshot's deadline beyond the calendar never comes due
            continue
        found.append(_status(step.id, step.due.label, due_at, state, applies(step, state), now))
    for cadence in playbook.cadences:
        found += _occurrences(cadence, state, now, playbook)
    found += _promises(state, now)
    found.sort(key=lambda d: (d.due_at, d.key))
    return found


def next_update_due(playbook: Playbook, state: IncidentState, at: datetime) -> datetime | None:
    """When the next public update would be due if one went out at ``at`` (the composer's
    suggestion for the time to promise): the shortest cadence interval at the severity now."""
    intervals = [
        seconds
        for c in playbook.cadences
        if (seconds := c.interval(state.severity)) is not None and not _stopped(c, state)
    ]
    return _after(at, min(intervals), state) if intervals else None


# -- cadence -------------------------------------------------------------------------------


CLOSED_BEFORE = "closed before it was due"
CLOSED_AS_DUE = "closed as it fell due"


def closed_in_time(closed_at: datetime, due: datetime) -> str | None:
    """Why a deadline was not needed because the incident closed (or its updates ended) in
    time, else None (it was missed). Times are said to the second: a close recorded in the
    second the deadline fell due (the exit checks and the close are one act, written
    microseconds apart) ended the need for it; it is not missed."""
    if closed_at < due:
        return CLOSED_BEFORE
    if closed_at.replace(microsecond=0) <= due:
        return CLOSED_AS_DUE
    return None


def _after(
    ts: datetime, seconds: int | None, state: IncidentState, now: datetime | None = None
) -> datetime | None:
    """``ts`` plus ``seconds`` (None: no interval, or one beyond the calendar: never due);
    in a drill, drill seconds (``IncidentState.from_start``)."""
    if seconds is None:
        return None
    try:
        run = state.drill_run
        if run is not None:
            return run.moment(run.offset(ts) + seconds, now)
        return ts + timedelta(seconds=seconds)
    except OverflowError:
        return None


def _stopped(cadence: Cadence, state: IncidentState) -> bool:
    return state.closed or _until_at(cadence, state) is not None


def _until_at(cadence: Cadence, state: IncidentState) -> datetime | None:
    if cadence.until is None:
        return None
    st = state.steps.get(cadence.until)
    if st is not None and st.status in ("done", "skipped", "not_applicable"):
        return st.finished_at
    return None


def _moments(cadence: Cadence, state: IncidentState) -> Iterator[tuple[datetime, str, str | None]]:
    """What moves a cadence's clock, in time order: re-grades, publications, the stop."""
    moments: list[tuple[datetime, int, str, str | None]] = []
    for change in state.severity_changes:
        moments.append((change.ts, 0, "severity", change.to))
    for pub in state.published:
        if cadence.met_by(pub.kind, pub.audience):
            moments.append((pub.ts, 1, "update", None))
    stops = [t for t in (state.closed_at, _until_at(cadence, state)) if t is not None]
    if stops:
        moments.append((min(stops), 2, "stop", None))
    for ts, _order, what, value in sorted(moments, key=lambda m: (m[0], m[1])):
        yield ts, what, value


SILENT = "no update"  # ``why`` of a deadline that passed with no public update by then
MAX_MISSES_IN_A_ROW = 200  # a silence of days at a short interval lists this many misses


def recurring_kinds(cadence: Cadence) -> frozenset[str]:
    """The kinds of message that meet a cadence again and again: its updates (a statement or
    an apology goes out once); every kind it lists when it lists no ``update``."""
    kinds = frozenset(cadence.kinds)
    return kinds & {"update"} or kinds


def can_post(
    cadence: Cadence,
    playbook: Playbook | None,
    state: IncidentState,
    severity: str | None = None,
    at: datetime | None = None,
) -> bool:
    """Some step that posts a message of the cadence's kinds can still do so at ``severity``
    (the current one by default) at the time ``at`` (the end of the record by default): it
    applies, and by then it was not skipped and its message had not gone out yet or is an
    update (posted again and again). Without a playbook the cadence always runs."""
    if playbook is None:
        return True
    known = facts(state, severity)
    again = recurring_kinds(cadence)
    for step in playbook.steps:
        message = step.message
        if message is None or not cadence.met_by(message.kind, message.audience):
            continue
        if not holds(step.when, known):
            continue
        st = state.steps.get(step.id)
        over = st is not None and _over_by(st.finished_at, at)
        if over and st is not None and st.status == "skipped":
            continue
        if over and st is not None and st.status == "done" and message.kind not in again:
            continue
        return True
    return False


def _over_by(finished_at: datetime | None, at: datetime | None) -> bool:
    """A step that finished at ``finished_at`` was over by ``at`` (always, without a time)."""
    if at is None or finished_at is None:
        return True
    return finished_at <= at


def _occurrences(
    cadence: Cadence, state: IncidentState, now: datetime, playbook: Playbook | None = None
) -> list[DeadlineStatus]:
    """A cadence's occurrences. With ``playbook``, it runs only while some step can post a
    message of its kinds (``can_post``): the open occurrence is waived while none can, and a
    re-grade that makes one possible again starts the clock afresh."""
    assert state.started_at is not None
    out: list[DeadlineStatus] = []
    severity = state.first_severity or state.severity
    n = 1
    every = cadence.interval_text(severity)

    def made(
        due: datetime, word: str, done: datetime | None = None, why: str | None = None
    ) -> None:
        key = f"cadence:{cadence.id}:{n}"
        status = DeadlineStatus(
            "", cadence.label, due, word, done, why, "cadence", key, occurrence=n, every=every
        )
        out.append(status)

    first = cadence.first if cadence.first is not None else cadence.interval(severity)
    due = _after(state.started_at, first, state, now)

    def silence_until(ts: datetime) -> None:
        """Every occurrence that came due and passed before ``ts`` with no update is missed
        at its own time, and the clock runs on from it: hours of silence are as many misses
        as the interval fits (at most MAX_MISSES_IN_A_ROW are listed; the clock jumps on).
        An occurrence that came due while no step could post the update is waived instead,
        and the clock stops until a re-grade or an update starts it again."""
        nonlocal due, n
        seconds = cadence.interval(severity)
        if due is None or seconds is None or seconds <= 0:
            return
        listed = 0
        while due is not None:
            passed = _after(due, seconds, state, now)  # the next one came due: this passed
            if passed is None or passed > ts:
                break
            if not can_post(cadence, playbook, state, severity, due):
                made(due, "waived", None, f"no step to post it at severity {severity}")
                n += 1
                due = None
                return
            if listed < MAX_MISSES_IN_A_ROW:
                made(due, "missed", None, SILENT)
                listed += 1
            n += 1
            due = _after(due, seconds, state, now)

    for ts, what, value in _moments(cadence, state):
        silence_until(ts)
        if what == "severity":
            assert value is not None
            was, severity = severity, value
            seconds = cadence.interval(severity)
            sooner = _after(ts, seconds, state, now)
            before = can_post(cadence, playbook, state, was, ts)
            after = can_post(cadence, playbook, state, severity, ts)
            resumed = playbook is not None and not before and after
            if (sooner is None or not after) and due is not None and due < ts and before:
                # It came due at the old level, while it could be posted: that one was missed.
                made(due, "missed", None, SILENT)
                n += 1
                due = None if sooner is None else sooner
                every = cadence.interval_text(severity)
            elif sooner is None:
                if due is not None:
                    made(due, "waived", None, f"not needed at severity {severity}")
                    n += 1
                due = None
            elif resumed:  # nothing could post it before this re-grade: the clock starts now
                if due is not None and due < ts:
                    made(due, "waived", None, f"no step to post it at severity {was}")
                    n += 1
                due, every = sooner, cadence.interval_text(severity)
            elif due is None or sooner < due:
                due, every = sooner, cadence.interval_text(severity)
        elif what == "update":
            if due is not None:
                made(due, "met" if ts <= due else "missed", ts)
                n += 1
            due = _after(ts, cadence.interval(severity), state, now)
            every = cadence.interval_text(severity)
        else:  # the incident closed, or the step that ends the updates is over
            if due is not None:
                why = closed_in_time(ts, due)
                if why is not None:
                    made(due, "waived", None, why if ts == state.closed_at else "updates ended")
                else:
                    made(due, "missed")
            return out
    silence_until(now)
    if due is not None:
        if can_post(cadence, playbook, state, severity, min(due, now)):
            made(due, "overdue" if now > due else "open")
        else:
            made(due, "waived", None, f"no step to post it at severity {state.severity}")
    return out


# -- promises ------------------------------------------------------------------------------


def _promises(state: IncidentState, now: datetime) -> list[DeadlineStatus]:
    public = [p for p in state.published if said_in_public(p.kind, p.audience)]
    return [_promise(pub, public, state, now) for pub in state.published if pub.promise]


def _promise(
    pub: Publication, public: list[Publication], state: IncidentState, now: datetime
) -> DeadlineStatus:
    assert pub.promise is not None
    due = pub.promise
    key = f"promise:{pub.step}:{pub.ts.isoformat()}"
    after = next((p for p in public if p.ts > pub.ts), None)
    word, done, why = "overdue" if now > due else "open", None, None
    if after is not None and (state.closed_at is None or after.ts <= state.closed_at):
        word, done = ("met" if after.ts <= due else "missed"), after.ts
    elif state.closed and state.closed_at is not None:
        if (in_time := closed_in_time(state.closed_at, due)) is not None:
            word, why = "waived", in_time
        else:
            word, why = "missed", SILENT  # nothing public after the promise at all
    return DeadlineStatus(pub.step, PROMISE_LABEL, due, word, done, why, "promise", key)
