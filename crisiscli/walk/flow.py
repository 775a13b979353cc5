"""Where the walk-through goes next: conditions, branches, the deferred round.

Pure functions of a playbook and an ``IncidentState``; the engine asks, the journal
remembers. Because the next step is always *derived*, resuming after a crash needs no
saved cursor beyond the events themselves.

Conditions read the answers and the incident's current severity (``facts``), so a
re-grade switches steps on and off at the next screen. Two kinds of step come *out of
turn* (``via: aside``), between two steps: a step waiting for an approval whose decision
has arrived, and a step a re-grade switched on that the walk-through already passed.
Afterwards it goes on where it was (``via: return`` to a step an aside interrupted).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from crisiscli.frozen import Frozen
from crisiscli.playbook.model import (
    END,
    SEVERITY_REF,
    AllOf,
    AnyOf,
    Branch,
    Condition,
    Equals,
    Not,
    Playbook,
    Step,
    condition_refs,
    tests_severity,
    truthy_word,
)
from crisiscli.record.fold import IncidentState
from crisiscli.record.labels import known_answers

if TYPE_CHECKING:
    from crisiscli.record.events import NewEvent


def facts(state: IncidentState, severity: str | None = None) -> dict[str, Any]:
    """What conditions read: the inputs and answers, and the severity as it is now (or
    as ``severity`` would make it). A grading answer (``sets: severity``) reads as the
    severity too: the grade is the incident's level, whether the grading step set it or
    ``crisis severity`` changed it since (the answer as given stays in the record)."""
    found = known_answers(state)
    level = severity if severity is not None else state.severity
    found[SEVERITY_REF] = level
    if level:
        for question in state.grading:
            if question in found:
                found[question] = level
    return found


def holds(cond: Condition | None, answers: Mapping[str, Any]) -> bool:
    """Evaluate a condition over ``facts`` (answers, and ``severity`` for the incident's
    current severity); an unanswered question makes a comparison false."""
    if cond is None:
        return True
    if isinstance(cond, AllOf):
        return all(holds(c, answers) for c in cond.conditions)
    if isinstance(cond, AnyOf):
        return any(holds(c, answers) for c in cond.conditions)
    if isinstance(cond, Not):
        return not holds(cond.condition, answers)
    return _equals(cond, answers)


def _equals(cond: Equals, answers: Mapping[str, Any]) -> bool:
    answer = answers.get(cond.ref)
    if answer is None:
        return False
    if isinstance(answer, bool):
        return any(truthy_word(v) is answer for v in cond.values)
    if isinstance(answer, (list, tuple)):
        return any(str(a) in cond.values for a in answer)
    return str(answer) in cond.values


def applies(step: Step, state: IncidentState) -> bool:
    return holds(step.when, facts(state))


class Move(Frozen):
    """Where the walk-through goes after a step: ``step`` (None: the walk-through ends),
    and how: ``branch`` (a goto rule), ``next`` (the next step that applies), ``end`` (an
    explicit ``goto: end``) or ``last`` (no step after it applies)."""

    step: str | None
    how: str


class Flow:
    """The walk-through's moves over one playbook, for any answers.

    The engine asks it with the answers of an incident; the path explorer
    (``crisiscli/walk/paths.py``) asks it with every combination of answers, so lint
    and the walk-through can never disagree about where a path goes.
    """

    def __init__(self, playbook: Playbook) -> None:
        self.steps = playbook.steps
        self.order = {s.id: i for i, s in enumerate(self.steps)}

    def first_from(self, index: int, answers: Mapping[str, Any]) -> str | None:
        """The first step at or after ``index`` whose ``when`` holds."""
        for step in self.steps[index:]:
            if holds(step.when, answers):
                return step.id
        return None

    def branch(self, step: Step, answers: Mapping[str, Any]) -> Branch | None:
        """The step's first goto rule whose condition holds."""
        for rule in step.goto:
            if holds(rule.when, answers):
                return rule
        return None

    def after(self, step_id: str, answers: Mapping[str, Any]) -> Move:
        """The step after ``step_id``: its first matching branch, else the next that applies."""
        index = self.order[step_id]
        rule = self.branch(self.steps[index], answers)
        if rule is not None:
            if rule.to == END:
                return Move(None, "end")
            found = self.first_from(self.order[rule.to], answers)
            return Move(found, "branch" if found is not None else "last")
        found = self.first_from(index + 1, answers)
        return Move(found, "next" if found is not None else "last")

    def would_visit(self, answers: Mapping[str, Any]) -> list[str]:
        """The steps a walk-through with these answers takes from the start (each once)."""
        out: list[str] = []
        step = self.first_from(0, answers)
        while step is not None and step not in out:
            out.append(step)
            step = self.after(step, answers).step
        return out


def _first_applicable_from(playbook: Playbook, index: int, state: IncidentState) -> str | None:
    return Flow(playbook).first_from(index, facts(state))


def successor(playbook: Playbook, step_id: str, state: IncidentState) -> str | None:
    """The step after ``step_id``: its first matching branch, else the next that applies."""
    return Flow(playbook).after(step_id, facts(state)).step


class Target(Frozen):
    step: str
    via: str  # next | back | revisit | aside | return | resume | recall
    why: str = ""  # a recall: deadline (it nears) | overdue (it passed) | phase


# A deferred step with a deadline comes back this long before it is due (or, deferred
# inside this window, when it is due or before the next phase, whichever comes first).
RECALL_BEFORE = 5 * 60


def _recall_moments(step: Step, state: IncidentState) -> tuple[datetime, ...]:
    """When a deferred step with a deadline comes back: RECALL_BEFORE before it is due, and
    when it is due (deferred again, it is overdue from then on: once more, not every tick)."""
    if step.due is None or state.started_at is None:
        return ()
    near = state.from_start(max(step.due.seconds - RECALL_BEFORE, 0))
    due = state.from_start(step.due.seconds)
    return (near, due) if near < due else (due,)


def recall_at(step: Step, state: IncidentState) -> datetime | None:
    """When a deferred step comes back next for its deadline: the first of its moments
    after it was deferred; None when none is left (or it has no deadline)."""
    st = state.steps.get(step.id)
    if st is None or st.finished_at is None:
        return None
    return next((m for m in _recall_moments(step, state) if st.finished_at < m), None)


def recall_why(step: Step, state: IncidentState, at: datetime) -> str:
    """What brings a deferred step back at ``at`` (its recall moment, or now when that has
    passed): ``deadline`` while it is not yet due, ``overdue`` from then on."""
    if step.due is None or state.started_at is None:
        return "phase"
    return "overdue" if at >= state.from_start(step.due.seconds) else "deadline"


def _waiting_deferred(playbook: Playbook, state: IncidentState) -> list[Step]:
    """Deferred steps still switched on, not offered in the final round since deferred."""
    found = []
    for step in playbook.steps:
        st = state.steps.get(step.id)
        if (
            st is not None
            and st.status == "deferred"
            and not st.revisited
            and _still_on(step, state)
        ):
            found.append(step)
    return found


def recall_due(playbook: Playbook, state: IncidentState, now: datetime) -> str | None:
    """A deferred step whose deadline nears, or has passed since it was deferred: it comes
    back now. Each moment brings it back once: deferred before its deadline nears, it comes
    back then; deferred again, once more when it is due; deferred after that, it waits for
    the next phase, the end or the step menu."""
    for step in _waiting_deferred(playbook, state):
        back = recall_at(step, state)
        if back is not None and back <= now:
            return step.id
    return None


def recall_before_phase(playbook: Playbook, state: IncidentState, following: str) -> str | None:
    """A deferred step of an earlier phase than ``following``: it comes back before the
    next phase begins — once (deferred again then, it waits for its deadline or the end),
    and not right after it came back here, between these two steps, for its deadline."""
    phases = [p.id for p in playbook.phases]
    next_phase = phases.index(playbook.phase_of(following).id)
    for step in _waiting_deferred(playbook, state):
        st = state.steps[step.id]
        if st.phase_recalled or st.recalled_turn == state.turns:
            continue
        if phases.index(playbook.phase_of(step.id).id) < next_phase:
            return step.id
    return None


def comes_back(
    playbook: Playbook, state: IncidentState, step_id: str, now: datetime
) -> tuple[datetime | None, str]:
    """When a deferred step comes back by itself, for status, handoff and watch: at a time
    (``deadline``, ``overdue``), else ``phase`` (before the next phase begins) or ``end``
    (in the final round); ``menu``: deferred in the final round, only the step menu brings
    it back; ``""``: not deferred, or the walk-through is over."""
    step, st = playbook.step(step_id), state.steps.get(step_id)
    if st is None or st.status != "deferred" or state.finished:
        return None, ""
    if st.revisited:
        return None, "menu"
    back = recall_at(step, state)
    if back is not None:
        return back, recall_why(step, state, max(back, now))
    here = state.path[-1] if state.path else step_id
    phases = [p.id for p in playbook.phases]
    later = phases.index(playbook.phase_of(here).id) < len(phases) - 1
    return None, "phase" if later and not st.phase_recalled else "end"


def next_target(
    playbook: Playbook, state: IncidentState, now: datetime | None = None
) -> Target | None:
    """Where to go now; None means the walk-through is over. With ``now``, a deferred step
    whose deadline nears comes back first (``recall``)."""
    known = {s.id for s in playbook.steps}
    if state.current is not None and state.current in known:
        return Target(state.current, "resume")
    if state.path and state.path[-1] in known:
        last = state.steps.get(state.path[-1])
        if last is not None and last.status == "active":
            return Target(state.path[-1], "return")  # a step taken aside interrupted it
    aside = out_of_turn(playbook, state)
    if aside is not None:
        return Target(aside, "aside")
    if now is not None:
        recalled = recall_due(playbook, state, now)
        if recalled is not None:
            return Target(recalled, "recall", recall_why(playbook.step(recalled), state, now))
    if not state.path:
        first = _first_applicable_from(playbook, 0, state)
        if first is not None:
            return Target(first, "next")
    elif (state.flow_via or state.last_entered_via) != "revisit" and state.path[-1] in known:
        following = successor(playbook, state.path[-1], state)
        if following is not None:
            held = recall_before_phase(playbook, state, following)
            if held is not None:
                return Target(held, "recall", "phase")
            return Target(following, "next")
    waiting = _waiting_deferred(playbook, state)  # the final round: offered once more
    return Target(waiting[0].id, "revisit") if waiting else None


def _still_on(step: Step, state: IncidentState) -> bool:
    """False for a step a re-grade has switched off (its condition reads the severity)."""
    return not tests_severity(step.when) or applies(step, state)


def decision_arrived(playbook: Playbook, state: IncidentState) -> list[str]:
    """Steps left to wait for an approval (deferred) whose decision has come in since."""
    found = []
    for step in playbook.steps:
        st = state.steps.get(step.id)
        message = state.messages.get(step.id)
        if st is None or message is None or st.status != "deferred":
            continue
        decided = message.decided_at
        if decided is not None and (st.finished_at is None or decided > st.finished_at):
            found.append(step.id)
    return found


def switched_on_behind(playbook: Playbook, state: IncidentState) -> list[str]:
    """Steps a re-grade switched on that the walk-through already went past: on the path
    these facts take, before the step it is at, never entered."""
    if not state.path or not any(tests_severity(s.when) for s in playbook.steps):
        return []
    route = Flow(playbook).would_visit(facts(state))
    here = state.path[-1]
    if here not in route:
        return []
    behind = route[: route.index(here)]
    found = []
    for step_id in behind:
        st = state.steps.get(step_id)
        if (st is None or st.status == "pending") and tests_severity(playbook.step(step_id).when):
            found.append(step_id)
    return found


def out_of_turn(playbook: Playbook, state: IncidentState) -> str | None:
    """A step to take now, out of turn: an approval came back, or a re-grade switched on a
    step already passed (approvals first: someone is waiting to publish)."""
    for step_id in decision_arrived(playbook, state):
        if applies(playbook.step(step_id), state):
            return step_id
    behind = switched_on_behind(playbook, state)
    return behind[0] if behind else None


def switched_steps(
    playbook: Playbook, state: IncidentState, severity: str
) -> tuple[list[str], list[str]]:
    """The steps not yet finished that a re-grade to ``severity`` switches on and off."""
    before, after = facts(state), facts(state, severity)
    grading = set(state.grading)
    on, off = [], []
    for step in playbook.steps:
        reads_grade = any(leaf.ref in grading for leaf in condition_refs(step.when))
        if not (tests_severity(step.when) or reads_grade):
            continue
        st = state.steps.get(step.id)
        if st is not None and st.status in ("done", "skipped", "not_applicable"):
            continue
        was, now = holds(step.when, before), holds(step.when, after)
        if now and not was:
            on.append(step.id)
        elif was and not now:
            off.append(step.id)
    return on, off


def regrade_event(
    playbook: Playbook,
    state: IncidentState,
    level: str,
    *,
    was: str | None = None,
    reason: str | None = None,
    by_question: str | None = None,
    floor: str | None = None,
    floor_facts: str | None = None,
) -> NewEvent:
    """A re-grade to ``level``, with the steps it switches on and off (a grading question
    in the walk-through and ``crisis severity`` record the same)."""
    from crisiscli.record import events as ev

    on, off = switched_steps(playbook, state, level)
    return ev.severity_changed(
        level,
        was=was,
        reason=reason,
        by_question=by_question,
        switched_on=on or None,
        switched_off=off or None,
        floor=floor,
        floor_facts=floor_facts,
    )


def still_deferred(playbook: Playbook, state: IncidentState) -> list[str]:
    return [
        s.id
        for s in playbook.steps
        if (st := state.steps.get(s.id)) is not None
        and st.status == "deferred"
        and _still_on(s, state)
    ]


def unfinished(playbook: Playbook, state: IncidentState) -> list[str]:
    """Steps deferred, or entered and left without an outcome (e.g. "back" from a deferred
    step's return): they stay open, by title, in the summary, status, handoff and close."""
    return [
        s.id
        for s in playbook.steps
        if (st := state.steps.get(s.id)) is not None
        and s.id != state.current
        and (st.status == "deferred" or (st.status == "active" and applies(s, state)))
    ]


def position(playbook: Playbook, step_id: str) -> tuple[int, int]:
    """1-based index of a step and the number of steps."""
    ids = [s.id for s in playbook.steps]
    return ids.index(step_id) + 1, len(ids)
