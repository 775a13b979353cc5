"""Opening a drill and keeping its time: what ``crisis drill run`` does around the walk-through.

``prepare`` reads a scenario and its playbook and lints them; ``open_drill`` creates the
drill incident, records ``drill.started`` (with the expectations, so any machine can score
it from the journal) and keeps the scenario for the facilitator on this machine only
(``CRISIS_HOME/drills/<id>/``, never synced: players never see what comes next).

``Pacer`` moves the drill's time: it waits (or, on a simulated clock, jumps) until a drill
time, playing every inject that falls due on the way. ``PacedPrompter`` is the answers
file's prompter with a pace: a step whose script says ``at: +8m`` is acted on at that drill
time, any other one ``PACE`` after the previous one, and the drill plays on to its end when
the walk-through finishes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crisiscli.drill.player import TOLERANCE, next_due, play_due
from crisiscli.drill.rules import Finding, check
from crisiscli.drill.scenario import Scenario, find_scenario, load_scenario, parse_offset
from crisiscli.env import Environment
from crisiscli.errors import AnswersError, Location, PlaybookError
from crisiscli.record.events import NewEvent, drill_clock, drill_started
from crisiscli.record.fold import DRILL_PLAYER, IncidentState
from crisiscli.record.store import Incident
from crisiscli.walk.answers import (
    AnswersFile,
    ScriptedPrompter,
    ScriptedQueueDecision,
)

if TYPE_CHECKING:
    from crisiscli.playbook.catalog import PlaybookEntry
    from crisiscli.playbook.model import Playbook
    from crisiscli.walk.prompter import RunSummary, StepView

PACE = 60  # drill seconds between two scripted steps when the answers file gives no ``at``
DRILLS = "drills"  # CRISIS_HOME/drills/<incident id>/scenario.yaml: the facilitator's copy
SCENARIO_COPY = "scenario.yaml"


def prepare(env: Environment, ref: str | Path) -> tuple[Scenario, PlaybookEntry, list[Finding]]:
    """The scenario (a file, or a bundled one by name), its playbook, and what the drill's
    lint rules find."""
    from crisiscli.playbook.catalog import resolve, with_configured_scale

    path = find_scenario(str(ref))
    scenario = load_scenario(path, str(ref) if Path(str(ref)) == path else str(path))
    ref = scenario.playbook
    local = Path(scenario.folder) / ref
    looks_like_path = "/" in ref or ref.endswith((".yaml", ".yml"))
    if looks_like_path and not Path(ref).is_absolute():
        ref = str(local)
    entry = resolve(env, ref)
    assert entry.playbook is not None
    book = with_configured_scale(env, entry.playbook)
    import dataclasses

    entry = dataclasses.replace(entry, playbook=book)
    return scenario, entry, check(scenario, book)


def refuse_errors(findings: list[Finding]) -> None:
    """A scenario with an error is not played: the first one, located (exit 3)."""
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more: crisis drill lint)" if len(errors) > 1 else ""
        raise PlaybookError(f"{first.rule} {first.message}{more}", location=first.location)


def drill_folder(env: Environment, incident_id: str) -> Path:
    return env.home / DRILLS / incident_id


def kept_scenario(env: Environment, incident_id: str) -> Scenario | None:
    """The facilitator's copy of a drill's scenario on this machine (None: not here)."""
    from crisiscli.drill.scenario import parse_scenario

    path = drill_folder(env, incident_id) / SCENARIO_COPY
    if not path.is_file():
        return None
    folder_file = drill_folder(env, incident_id) / "folder"
    folder = folder_file.read_text(encoding="utf-8") if folder_file.is_file() else "."
    try:
        return parse_scenario(path.read_text(encoding="utf-8"), str(path), folder=folder)
    except PlaybookError:
        return None


def open_drill(
    env: Environment,
    scenario: Scenario,
    entry: PlaybookEntry,
    *,
    title: str | None,
    severity: str | None,
    speed: float,
    clock: str,
) -> Incident:
    """The drill incident, opened: ``incident.opened`` (a drill), ``drill.started``, the
    starting facts and whatever is due at once (the first post)."""
    from crisiscli.fsutil import atomic_write_text
    from crisiscli.record.events import input_set
    from crisiscli.record.store import create_incident

    book = entry.playbook
    assert book is not None
    chosen = severity or scenario.severity
    if chosen is not None:
        from crisiscli.playbook.catalog import check_severity

        check_severity(book, chosen)
    incident = create_incident(
        env,
        book,
        title=title or scenario.incident_title or f"Drill: {scenario.title}",
        severity=chosen or book.default_severity,
        drill=True,
        source_text=entry.source_text(),
    )
    folder = drill_folder(env, incident.id)
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(folder / SCENARIO_COPY, scenario.text)
    atomic_write_text(folder / "folder", str(Path(scenario.folder).resolve()))
    incident.record(
        drill_started(
            scenario.id,
            scenario.title,
            length=scenario.length,
            speed=speed,
            clock=clock,
            injects=len(scenario.injects),
            expectations=[e.as_data() for e in scenario.expectations],
            digest=hashlib.sha256(scenario.text.encode("utf-8")).hexdigest(),
        ),
        *[input_set(key, _coerced(book, key, value, scenario)) for key, value in scenario.inputs],
    )
    if scenario.image:
        from crisiscli.team.evidence import add_files

        add_files(incident, [Path(scenario.folder) / scenario.image], note="The post (drill)")
    play_due(as_player(incident), scenario.injects, scenario.folder)
    return incident


def _coerced(book: Playbook, key: str, value: Any, scenario: Scenario) -> Any:
    """A starting input as the walk-through would record it (``yes`` → true for yes/no)."""
    from crisiscli.walk.answers import coerce_answer

    question = next(q for q in book.inputs if q.id == key)  # DR104 refused the others
    return coerce_answer(question, value, Location(scenario.path))


PLAYER = DRILL_PLAYER  # who injects are recorded by: the outside world, not the team


def as_player(incident: Incident) -> Incident:
    """The incident as the player writes it: its own object (a walk-through's fold is never
    shared between threads) and its own name, so the walk-through's status line shows each
    inject as something someone else recorded."""
    import copy

    env = copy.copy(incident.env)
    env.actor = PLAYER
    return Incident(incident.id, incident.dir, env)


class Pacer:
    """The drill's time, moved on: waits (a simulated clock jumps) and plays what falls due."""

    def __init__(self, incident: Incident, scenario: Scenario) -> None:
        self.incident = incident
        self.player = as_player(incident)
        self.scenario = scenario
        self.on_inject: Callable[[str], None] | None = None
        self.queue: list[tuple[int, ScriptedQueueDecision, int | None]] = []  # (at, it, to)

    def offset(self) -> float:
        run = self.incident.state().drill_run
        return run.offset(self.incident.env.clock()) if run is not None else 0.0

    def wait_until(self, target: float) -> None:
        env = self.incident.env
        while True:
            self.play()
            run = self.incident.state().drill_run
            if run is None or run.ended_at is not None:
                return
            now = run.offset(env.clock())
            if now + TOLERANCE >= target:
                return
            following = next_due(run, self.scenario.injects)
            # the drill's end is a stop too: it ends there, not at the next step after it
            waiting = [at for at, _, _ in self.queue if at > now + TOLERANCE] + [run.length]
            waiting += [  # a scheduled post goes out at its own time
                i.goes_out for i in self.scenario.injects
                if i.goes_out is not None and i.goes_out > now + TOLERANCE
            ]  # fmt: skip
            following = min(waiting) if following is None else min(following, *waiting)
            until = target if following is None else min(target, max(following, now))
            env.sleep(max(TOLERANCE, until - now) / (run.speed or 1.0))

    def play(self) -> None:
        for inject in play_due(self.player, self.scenario.injects, self.scenario.folder):
            if self.on_inject is not None:
                self.on_inject(inject.text)
        if self.queue:
            self.incident.record_if(self._queue_due)
        self.player.record_if(self._time_is_up)

    def _queue_due(self, state: IncidentState) -> list[NewEvent]:
        """The answers file's queue decisions whose time has come, each once, for a post
        in the queue by then (a scheduled inject's post is there once it is played)."""
        from crisiscli.record.events import queue_decided

        run = state.drill_run
        if run is None:
            return []
        now = run.offset(self.incident.env.clock()) + TOLERANCE
        events: list[NewEvent] = []
        for at, decision, to in self.queue:
            post = state.queue.get(decision.post)
            if at <= now and post is not None and post.decision is None:
                new_time = run.moment(to) if to is not None else None
                events.append(
                    queue_decided(decision.post, decision.decision, decision.reason, new_time)
                )
        return events

    def _time_is_up(self, state: IncidentState) -> list[NewEvent]:
        """``drill.ended`` once the drill's clock reaches its length, recorded by *Drill*
        (every screen tells the team, as it tells an inject)."""
        run = state.drill_run
        if run is None or run.ended_at is not None or run.paused:
            return []
        if run.offset(self.player.env.clock()) + TOLERANCE < run.length:
            return []
        return [drill_clock("ended", cause="time")]

    def finish(self) -> None:
        """Play on to the drill's end (where ``play`` records that it ended, once)."""
        self.wait_until(self.scenario.length)


class PacedPrompter(ScriptedPrompter):
    """An answers file's prompter that acts on each step at its drill time (``at:``)."""

    def __init__(self, answers: AnswersFile, pacer: Pacer, **kwargs: Callable[[str], None]) -> None:
        super().__init__(answers, **kwargs)
        self.pacer = pacer
        pacer.queue = [
            (
                self._offset(d.at, "queue", n),
                d,
                self._offset(d.to, "queue", n, "to") if d.to else None,
            )
            for n, d in enumerate(answers.queue)
        ]
        self._timed: tuple[str, int] | None = None
        self._last = 0.0

    def show_step(self, view: StepView) -> None:
        visit = (view.step.id, view.visit)
        if visit != self._timed:
            self._timed = visit
            self.pacer.wait_until(self._target(view))
            self._last = max(self._last, self.pacer.offset())
        super().show_step(view)

    def _target(self, view: StepView) -> float:
        script = self.answers.steps.get(view.step.id)
        if script is not None and script.at and view.visit == 1:
            return float(self._offset(script.at, "steps", view.step.id))
        return self._last + PACE

    def _offset(self, text: str, *at: str | int) -> int:
        seconds = parse_offset(text)
        if seconds is None:
            raise AnswersError(
                f"at '{text}' is not a time offset (use e.g. +12m, +1h30m)",
                location=self.answers.where(*at, "at"),
            )
        return seconds

    def finished(self, summary: RunSummary) -> bool:
        self.pacer.finish()
        return super().finished(summary)


class PlayerThread:
    """Beside a live walk-through: plays each inject as it falls due, in the background.

    It works on its own ``Incident`` object (the walk-through's fold is not shared between
    threads) and records through the incident's lock, so the walk-through sees each inject
    at its next fold, and ``crisis watch`` and a teammate's machine (through sync) as any
    other event."""

    TICK = 0.5  # seconds between looks: an inject shows within a second of its time

    def __init__(self, pacer: Pacer) -> None:
        import threading

        self.pacer = Pacer(as_player(pacer.incident), pacer.scenario)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="crisis-drill-player", daemon=True)

    def __enter__(self) -> PlayerThread:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.pacer.play()
            except Exception as exc:  # the walk-through goes on; the next look plays it
                self.pacer.incident.env.warn(f"drill: an inject could not be played now ({exc})")
            self._stop.wait(self.TICK)


def player_for(incident: Incident) -> AbstractContextManager[object]:
    """Beside a walk-through of a drill whose scenario this machine keeps: the player
    thread; anywhere else nothing (a teammate's machine plays nothing, it receives)."""
    from contextlib import nullcontext

    run = incident.state().drill_run
    scenario = kept_scenario(incident.env, incident.id)
    if run is None or run.ended_at is not None or scenario is None:
        return nullcontext()
    return PlayerThread(Pacer(incident, scenario))


def catch_up(incident: Incident) -> None:
    """Play what fell due while no player ran (a killed process, a closed laptop): each
    inject once, late, with the time it was due. Facilitator commands call it first."""
    run = incident.state().drill_run
    scenario = kept_scenario(incident.env, incident.id)
    if run is not None and run.ended_at is None and scenario is not None:
        Pacer(incident, scenario).play()
