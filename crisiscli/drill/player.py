"""Playing injects: each one recorded exactly once, when it is due (docs/drills.md).

Who plays: whichever process runs the drill — ``crisis drill run`` (the walk-through's
loop, and a thread beside an interactive one) or ``crisis resume`` of a drill whose
scenario this machine holds. Each call records, under the incident's lock, the injects due
now that the fold does not hold yet (``Incident.record_if``): two players, or a player
killed after the append, can never record one twice, and a killed player loses nothing —
whatever is due when a player next runs is played then, with the time it was due.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from crisiscli.drill.scenario import Inject
from crisiscli.record.events import NewEvent, drill_inject, evidence_added, mentions_recorded
from crisiscli.record.fold import DrillRun, IncidentState
from crisiscli.record.store import Incident

SOURCE = "drill"
TOLERANCE = 0.001  # drill seconds  # what a mentions inject's count says it came from


def due(run: DrillRun, injects: Sequence[Inject], offset: float) -> list[Inject]:
    """The injects due at drill time ``offset`` that are not played yet."""
    if run.ended_at is not None or run.paused:
        return []
    # A thousandth of a second's grace: a clock moved to an inject's time by float steps
    # lands a hair before it.
    return [i for i in injects if i.at <= offset + TOLERANCE and i.key not in run.played]


def next_due(run: DrillRun, injects: Sequence[Inject]) -> float | None:
    """Drill time of the next inject not played yet (None: all played)."""
    waiting = [i.at for i in injects if i.key not in run.played]
    return min(waiting) if waiting else None


WENT_OUT = "-went-out"  # the key of what a scheduled inject's post did at its goes_out


def went_out(
    state: IncidentState,
    run: DrillRun,
    injects: Sequence[Inject],
    offset: float,
    now_played: Sequence[Inject] = (),
) -> list[Inject]:
    """A scheduled post nobody stopped goes out at its ``goes_out``: an inject of its own
    ("The scheduled post went out: …"), played once, unless it was cancelled or
    rescheduled by then (kept: it goes out too)."""
    if run.ended_at is not None or run.paused:
        return []
    keys = set(run.played) | {i.key for i in now_played}
    found = []
    for inject in injects:
        out = inject.key + WENT_OUT
        if inject.kind != "scheduled" or inject.goes_out is None or inject.key not in keys:
            continue
        if out in run.played or inject.goes_out > offset + TOLERANCE:
            continue
        post = state.queue.get(queued_post_id(inject))
        if post is not None and post.decision in ("cancel", "reschedule"):
            continue
        text = f"The scheduled post went out: {inject.text}"
        found.append(Inject(key=out, at=inject.goes_out, kind="scheduled", text=text))
    return found


def queued_post_id(inject: Inject) -> str:
    """The id ``crisis queue`` shows for a scheduled inject's post."""
    return f"drill-{inject.key}"


def events_for(
    inject: Inject, run: DrillRun | None = None, *, by_hand: bool = False
) -> list[NewEvent]:
    """The inject, and what it means for the fold where it is a fact crisis tracks (that
    first: the inject is the latest event, the one a status line shows): a mention count,
    a scheduled post in the queue (``crisis queue decide`` it, ``expect: queue-decided``)."""
    found: list[NewEvent] = []
    if inject.kind == "mentions" and inject.count is not None:
        found.append(mentions_recorded(inject.count, per=inject.per or "hour", source=SOURCE))
    if inject.kind == "scheduled" and inject.goes_out is not None and run is not None:
        found.append(_queued(inject, run.moment(inject.goes_out)))
    found += [
        drill_inject(
            inject.key,
            inject.kind,
            inject.text,
            due=None if by_hand else inject.at,  # by hand: no scenario time
            sender=inject.sender,
            count=inject.count,
            per=inject.per,
        )
    ]
    return found


def _queued(inject: Inject, due: datetime) -> NewEvent:
    post: dict[str, object] = {"id": queued_post_id(inject), "due": due.isoformat()}
    post.update(text=inject.text, platform=None)
    # not read from a scheduler's export: only the post ("Scheduled posts imported from the
    # drill scenario: 1")
    return NewEvent("queue.imported", {"source": "the drill scenario", "posts": [post]})


def owed_replies(state: IncidentState, injects: Sequence[Inject]) -> list[NewEvent]:
    """A customer who writes in a drill (a ``customer`` inject with ``from``) is owed a reply
    of their own: on the reply ledger once, as ``crisis reply add`` would put them, so the
    team sees them in status and the handoff and ``expect: replies`` scores them."""
    from crisiscli.record.events import reply_person

    known = {" ".join(t.who.split()).casefold() for t in state.replies.values()}
    found: list[NewEvent] = []
    n = len(state.replies)
    for inject in injects:
        who = " ".join((inject.sender or "").split())
        if inject.kind != "customer" or not who or who.casefold() in known:
            continue
        known.add(who.casefold())
        n += 1
        while f"r{n}" in state.replies:
            n += 1
        found.append(reply_person(f"r{n}", who))
    return found


def _evidence(incident: Incident, path: Path, inject: Inject) -> NewEvent:
    from crisiscli.team.evidence import store_file

    stored = store_file(incident, path)  # content-addressed: storing twice keeps one copy
    note = f"Drill inject {inject.key}"
    return evidence_added(stored.sha256, stored.size, stored.name, stored.type, note=note)


def play_due(
    incident: Incident, injects: Sequence[Inject], folder: str | None = None
) -> list[Inject]:
    """Record every inject due now, once; return those this call recorded. An inject's
    evidence file (relative to ``folder``, the scenario's) is kept with it."""
    played: list[Inject] = []

    def decide(state: IncidentState) -> list[NewEvent]:
        played.clear()
        run = state.drill_run
        if run is None:
            return []
        offset = run.offset(incident.env.clock())
        played.extend(due(run, injects, offset))
        # the ledger first: the inject itself is the latest event, the one a status line shows
        events = owed_replies(state, played)
        events += [event for inject in played for event in events_for(inject, run)]
        for out in went_out(state, run, injects, offset, played):
            played.append(out)
            events += events_for(out)
        for inject in played:
            if inject.evidence and folder is not None:
                events.append(_evidence(incident, Path(folder) / inject.evidence, inject))
        return events

    incident.record_if(decide)
    return played


def coming(run: DrillRun, injects: Sequence[Inject], now: datetime, most: int = 5) -> list[str]:
    """What the scenario plays next, in words, for the facilitator's screen only."""
    from crisiscli.record.events import INJECT_WORDS
    from crisiscli.timeutil import format_duration

    offset = run.offset(now)
    outs = [
        Inject(
            key=i.key + WENT_OUT,
            at=i.goes_out,
            kind="scheduled",
            text=f"goes out unless stopped: {i.text}",
        )
        for i in injects
        if i.kind == "scheduled"
        and i.goes_out is not None
        and i.key + WENT_OUT not in run.played
        and i.goes_out > offset  # past its time and not played: it was stopped
    ]
    waiting = sorted((i for i in (*injects, *outs) if i.key not in run.played), key=lambda i: i.at)
    lines = []
    for inject in waiting[:most]:
        if run.ended_at is not None:
            when = "not played: the drill has ended"
        elif run.paused:
            when = "clock paused"
        elif inject.at <= offset:
            when = "due now"
        else:
            when = "in " + format_duration(max(0.0, inject.at - offset) / (run.speed or 1.0))
        kind = INJECT_WORDS.get(inject.kind, inject.kind)
        lines.append(f"+{inject.at // 60}m ({when}) {kind}: {inject.text}")
    if len(waiting) > most:
        lines.append(f"… and {len(waiting) - most} more")
    if run.ended_at is None:
        # the end is what comes last: the facilitator plans the debrief by it
        if run.paused:
            when = "clock paused"
        else:
            when = "in " + format_duration(max(0.0, run.length - offset) / (run.speed or 1.0))
        head = "nothing more; " if not waiting else ""
        lines.append(f"+{int(run.length) // 60}m ({when}) {head}the drill ends")
    return lines
