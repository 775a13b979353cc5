"""Answers files for the paths of a playbook: one drill script per path.

``drill_script(playbook, path)`` turns a path found by the path explorer
(``crisiscli.walk.paths``) into the mapping of an answers file (docs/answers.md) that
walks exactly that path: the answers that select it, visit by visit, and plain filler for
everything the path does not depend on (a text answer, the first choice, a short message
that passes the composer's checks, an approver's name). ``crisis show PLAYBOOK --paths
--scripts DIR`` writes them; the test suite runs every one of them end to end.
"""

from __future__ import annotations

from typing import Any

from crisiscli.playbook import model as m
from crisiscli.walk.paths import Path, Value

APPROVER = "Drill Approver"


def _plain(value: Value) -> Any:
    return list(value) if isinstance(value, tuple) else value


def filler(question: m.Question) -> Any:
    """An answer for a question no condition on this path depends on (None: leave it)."""
    if question.default is not None:
        return list(question.default) if isinstance(question.default, tuple) else question.default
    if not question.required:
        return None
    if question.type == "yesno":
        return False
    if question.type == "choice":
        return question.choices[0].value
    if question.type == "multi":
        return [question.choices[0].value]
    if question.type == "actions":
        return []  # a drill decides no action items
    return f"Drill answer ({question.id})"


def drill_message(step: m.Step) -> str:
    """A short message for a drill: no placeholders, no banned words, fits every platform."""
    return "This is a drill. We are practising our response, and nothing has happened."


DRILL_WHY = "A drill: this path is walked to test the playbook"


def drill_script(
    playbook: m.Playbook,
    path: Path,
    *,
    title: str | None = None,
    close: bool = True,
) -> dict[str, Any]:
    """The answers file (as a mapping) that walks ``path`` from its inputs to its end."""
    given_inputs = {k: v for k, v in path.inputs}
    inputs: dict[str, Any] = {}
    for q in playbook.inputs:
        value = given_inputs.get(q.id)
        chosen = _plain(value) if value is not None else filler(q)
        if chosen is not None:
            inputs[q.id] = chosen
    visits: dict[str, list[dict[str, Any]]] = {}
    for visit in path.visits:
        step = playbook.step(visit.step)
        given = dict(visit.answers)
        answers: dict[str, Any] = {}
        for q in step.questions:
            if q.id in given:
                value = given[q.id]
                if value is not None:
                    answers[q.id] = _plain(value)
            else:
                fill = filler(q)
                if fill is not None:
                    answers[q.id] = fill
        visits.setdefault(step.id, []).append(answers)
    steps: dict[str, Any] = {}
    for sid, per_visit in visits.items():
        step = playbook.step(sid)
        entry: dict[str, Any] = {}
        if any(per_visit):
            distinct = [a for a in per_visit]
            entry["answers"] = distinct[0] if all(a == distinct[0] for a in distinct) else distinct
        if step.not_before is not None or any(q.sets for q in step.questions):
            # A drill runs in minutes: it acts before a step's earliest time, and a path may
            # grade below a floor the facts set. Both ask for a reason; this is it.
            entry["why"] = DRILL_WHY
        if step.message is not None:
            entry["message"] = drill_message(step)
            if step.message.approval:
                entry["approver"] = APPROVER
        steps[sid] = entry
    script: dict[str, Any] = {
        "title": title or f"Drill: {playbook.title}",
        "drill": True,
        "inputs": inputs,
        "default": "done",
        "close": close,
    }
    start_level = given_inputs.get(m.SEVERITY_REF)
    if isinstance(start_level, str):  # the path depends on the level the incident starts at
        script["severity"] = start_level
    if close and playbook.exit_criteria:
        script["exit_criteria"] = "all"  # a drill that closes checks them all as met
    script["steps"] = steps
    return script
