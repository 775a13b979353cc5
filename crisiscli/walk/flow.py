"""Where the walk-through goes next: conditions, branches, the deferred round.

Pure functions of a playbook and an ``IncidentState``; the engine asks, the journal
remembers. Because the next step is always *derived*, resuming after a crash needs no
saved cursor beyond the events themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crisiscli.frozen import Frozen
from crisiscli.playbook.model import (
    END,
    AllOf,
    AnyOf,
    Branch,
    Condition,
    Equals,
    Not,
    Playbook,
    Step,
    truthy_word,
)
from crisiscli.record.fold import IncidentState
from crisiscli.record.names import known_answers


def holds(cond: Condition | None, answers: Mapping[str, Any]) -> bool:
    """Evaluate a condition; an unanswered question makes a comparison false."""
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
    return holds(step.when, known_answers(state))


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


def _first_applicable_from(playbook: Playbook, index: int, state: IncidentState) -> str | None:
    return Flow(playbook).first_from(index, known_answers(state))


def successor(playbook: Playbook, step_id: str, state: IncidentState) -> str | None:
    """The step after ``step_id``: its first matching branch, else the next that applies."""
    return Flow(playbook).after(step_id, known_answers(state)).step


class Target(Frozen):
    step: str
    via: str  # next | back | revisit | resume


def next_target(playbook: Playbook, state: IncidentState) -> Target | None:
    """Where to go now; None means the walk-through is over."""
    known = {s.id for s in playbook.steps}
    if state.current is not None and state.current in known:
        return Target(state.current, "resume")
    if not state.path:
        first = _first_applicable_from(playbook, 0, state)
        if first is not None:
            return Target(first, "next")
    elif state.last_entered_via != "revisit" and state.path[-1] in known:
        following = successor(playbook, state.path[-1], state)
        if following is not None:
            return Target(following, "next")
    for step in playbook.steps:  # the final round: deferred steps, offered once more
        st = state.steps.get(step.id)
        if st is not None and st.status == "deferred" and not st.revisited:
            return Target(step.id, "revisit")
    return None


def still_deferred(playbook: Playbook, state: IncidentState) -> list[str]:
    return [
        s.id
        for s in playbook.steps
        if (st := state.steps.get(s.id)) is not None and st.status == "deferred"
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
