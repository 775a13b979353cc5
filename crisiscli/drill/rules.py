"""What a scenario means against its playbook: the drill's lint rules (``DR`` ids).

A scenario that loads can still be wrong: it expects a step the playbook does not have, plays
an inject after the drill has ended, or expects something no walk-through could do. These
are found before anything is played (``crisis drill lint``, and ``crisis drill run`` refuses
a scenario with errors). docs/drills.md lists the rules.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from crisiscli.drill.scenario import Scenario, offset_text
from crisiscli.errors import Location
from crisiscli.playbook import model as m

#: id → (severity, one line on what it finds)
RULES = {
    "DR101": ("error", "an expectation names a step the playbook does not have"),
    "DR102": ("error", "an inject comes after the drill's end"),
    "DR103": ("error", "an expectation no walk-through can meet"),
    "DR104": ("error", "a starting input the playbook does not ask"),
    "DR105": ("error", "an evidence file or image that is not there"),
    "DR106": ("warning", "a scenario with no expectations scores nothing"),
}


class Finding(NamedTuple):
    rule: str
    location: Location
    message: str

    @property
    def severity(self) -> str:
        return RULES[self.rule][0]

    def line(self) -> str:
        return f"{self.location}: {self.rule} {self.severity}: {self.message}"


def check(scenario: Scenario, playbook: m.Playbook) -> list[Finding]:
    """Every finding for ``scenario`` run against ``playbook``, in file order."""
    found: list[Finding] = []
    steps = {s.id: s for s in playbook.steps}
    reachable = _reachable(playbook)
    started = _reachable_from_start(playbook, scenario)
    end = offset_text(scenario.length)

    def add(rule: str, line: int, message: str) -> None:
        found.append(Finding(rule, scenario.location(line), message))

    questions = {q.id for q in playbook.inputs}
    for key, _ in scenario.inputs:
        if key not in questions:
            add("DR104", 0, f"start.inputs: '{key}' is not an input of playbook '{playbook.id}'")
    files = [(scenario.image, 0)] if scenario.image else []
    files += [(i.evidence, i.line) for i in scenario.injects if i.evidence]
    for name, line in files:
        assert name is not None
        if not (Path(scenario.folder) / name).is_file():
            add("DR105", line, f"'{name}' is not a file next to the scenario")
    for inject in scenario.injects:
        if inject.at > scenario.length:
            add(
                "DR102",
                inject.line,
                f"inject '{inject.key}' at {offset_text(inject.at)} comes after the drill "
                f"ends ({end}): nobody would see it",
            )
    if not scenario.expectations:
        add("DR106", 0, "no expectations: the drill plays, but nothing is scored")
    for exp in scenario.expectations:
        where = f"expectation '{exp.id}'"
        if exp.step is not None and exp.step not in steps:
            import difflib

            close = difflib.get_close_matches(exp.step, list(steps), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            add(
                "DR101",
                exp.line,
                f"{where}: no step '{exp.step}' in playbook '{playbook.id}'{hint}",
            )
            continue
        if exp.by is not None and exp.by > scenario.length:
            add(
                "DR103",
                exp.line,
                f"{where}: due by {offset_text(exp.by)}, after the drill ends ({end})",
            )
        step = steps.get(exp.step) if exp.step else None
        if step is not None and step.id not in reachable:
            add("DR103", exp.line, f"{where}: no path through the playbook reaches '{step.id}'")
        elif step is not None and started is not None and step.id not in started:
            given = ", ".join(f"{k}={_word(v)}" for k, v in scenario.inputs)
            add(
                "DR103",
                exp.line,
                f"{where}: no path through the playbook reaches '{step.id}' from the "
                f"scenario's starting inputs ({given})",
            )
        elif exp.expect in ("message", "approved") and step is not None and step.message is None:
            add("DR103", exp.line, f"{where}: step '{step.id}' has no message")
        elif exp.expect == "approved" and step is not None and step.message is not None:
            if not step.message.approval:
                add("DR103", exp.line, f"{where}: step '{step.id}' asks for no approval")
        elif exp.expect == "message" and step is None and not _has_messages(playbook):
            add("DR103", exp.line, f"{where}: the playbook has no message step")
    return found


def _has_messages(playbook: m.Playbook) -> bool:
    return any(s.message is not None for s in playbook.steps)


def _reachable(playbook: m.Playbook) -> set[str]:
    """Steps some path can enter, assuming any condition can hold (walk/paths.flow_graph)."""
    from crisiscli.walk.paths import flow_graph

    successors, start = flow_graph(playbook)
    seen: set[int] = set()
    todo = list(start)
    while todo:
        here = todo.pop()
        if here in seen or here >= len(playbook.steps):
            continue
        seen.add(here)
        todo.extend(successors[here])
    return {playbook.steps[i].id for i in seen}


def _word(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return "+".join(str(v) for v in value)
    return str(value)


def _reachable_from_start(playbook: m.Playbook, scenario: Scenario) -> set[str] | None:
    """Steps some path can enter when the walk-through starts from the scenario's inputs
    (the path explorer's state graph, every later answer tried); None when that cannot be
    told: no input the flow reads is given, one does not fit its question, or the graph is
    too big to follow whole (the static reachability above still holds then)."""
    from crisiscli.errors import CrisisError
    from crisiscli.walk.answers import coerce_answer
    from crisiscli.walk.paths import DEFAULT_MAX_STATES, Explorer, State, Value

    explorer = Explorer(playbook)
    questions = {q.id: q for q in playbook.inputs}
    fixed: dict[str, Value] = {}
    for key, raw in scenario.inputs:
        if key in explorer.relevant and key in questions:
            try:
                value = coerce_answer(questions[key], raw, scenario.location(0))
            except CrisisError:
                return None  # DR104 or the run's own check says what is wrong
            fixed[key] = tuple(value) if isinstance(value, list) else value
    if not fixed:
        return None
    seen: set[State] = set()
    todo = [t.target for t in explorer.starts(fixed) if t.target is not None]
    entered: set[str] = set()
    while todo:
        state = todo.pop()
        if state in seen:
            continue
        if len(seen) >= DEFAULT_MAX_STATES:
            return None
        seen.add(state)
        entered.add(state.step)
        todo.extend(t.target for t in explorer.transitions(state) if t.target is not None)
    return entered
