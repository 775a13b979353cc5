"""Severity floors: recorded facts that set a minimum severity (issue 20).

A playbook declares them (``floor:``): on a yes/no question (a yes sets it), on a choice
(chosen, it sets it), or on the mention count (``severity: {mentions: {above: 5, floor:
high}}``: more than five times a normal period). Grading below the highest floor the facts
set asks for a reason, recorded with the re-grade (``severity.changed``: ``floor``,
``floor_facts``, ``reason``) and shown by status, handoff, log and report. Pure functions of
the playbook and the fold.
"""

from __future__ import annotations

from typing import Any

from crisiscli.frozen import Frozen
from crisiscli.playbook.model import Playbook, truthy_word
from crisiscli.record.fold import IncidentState
from crisiscli.record.labels import known_answers


class Floor(Frozen):
    """The minimum level the recorded facts set, and those facts in words."""

    level: str
    facts: tuple[str, ...]

    @property
    def words(self) -> str:
        return "; ".join(self.facts)


def _yes(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and truthy_word(value) is True


def severity_floor(playbook: Playbook, state: IncidentState) -> Floor | None:
    """The highest floor the facts recorded so far set (None: no floor)."""
    order = [lv.id for lv in playbook.severities]
    found: list[tuple[str, str]] = []
    answers = known_answers(state)
    for qid, question in playbook.questions().items():
        if qid not in answers:
            continue
        value = answers[qid]
        if question.floor and question.type == "yesno" and _yes(value):
            found.append((question.floor, f"“{question.prompt}” yes"))
        chosen = value if isinstance(value, list) else [value]
        for choice in question.choices:
            if choice.floor and choice.value in [str(v) for v in chosen]:
                found.append((choice.floor, f"“{question.prompt}” {choice.label}"))
    last = state.mentions[-1] if state.mentions else None
    ratio = last.ratio if last is not None else None
    for above, level in playbook.mention_floors:
        if ratio is not None and ratio > above:
            found.append((level, f"mentions at {ratio:.1f}x normal (over {above:g}x)"))
    known = [(lv, fact) for lv, fact in found if lv in order]
    if not known:
        return None
    top = max(order.index(lv) for lv, _ in known)
    return Floor(order[top], tuple(fact for lv, fact in known if order.index(lv) == top))


def below_floor(playbook: Playbook, state: IncidentState, level: str) -> Floor | None:
    """The floor ``level`` falls below, if it does."""
    floor = severity_floor(playbook, state)
    order = [lv.id for lv in playbook.severities]
    if floor is None or level not in order:
        return None
    return floor if order.index(level) < order.index(floor.level) else None
