"""The path rules (``CR6xx``): checks that hold on every path through a playbook.

They read the state graph of ``crisiscli.walk.paths.explore`` — the engine's own
moves over every combination of the answers that matter — so a finding is a way the
walk-through really goes, and its message shows one such path. Each check yields
``(rule code, path, on_key, message)`` like ``semantic.py``; a finding is reported once per
place, with the first path found.
"""

from __future__ import annotations

from collections.abc import Iterator

from crisiscli.playbook import model as m
from crisiscli.walk.paths import (
    Exploration,
    Explorer,
    Transition,
    asks_consent,
    describe,
    explore,
    review_phase,
)

Path_ = tuple[str | int, ...]
Raw = tuple[str, Path_, bool, str]
Variable = tuple[Path_, str, str]  # (template path, variable name, message): CR606

PATH_CODES = frozenset(
    {"CR453", "CR454", "CR600", "CR601", "CR602", "CR603", "CR604", "CR605", "CR606"}
)


class _Places:
    """Where each step, question and phase is written."""

    def __init__(self, playbook: m.Playbook, step_paths: list[Path_]) -> None:
        self.step: dict[str, Path_] = {}
        self.index: dict[str, int] = {}
        for i, (step, at) in enumerate(zip(playbook.steps, step_paths, strict=True)):
            self.step.setdefault(step.id, at)
            self.index.setdefault(step.id, i)

    def question(self, step: m.Step, question_id: str) -> Path_:
        at = self.step[step.id]
        for qi, q in enumerate(step.questions):
            if q.id == question_id:
                return (*at, "questions", qi, "id")
        return (*at, "id")  # the explorer only reports asked questions


def check_paths(
    playbook: m.Playbook, step_paths: list[Path_], enabled: frozenset[str], max_states: int
) -> tuple[list[Raw], list[Variable]]:
    """Every path finding; CR606's come apart so they can point at the variable itself."""
    exploration = explore(playbook, max_states=max_states)
    explorer = exploration.explorer
    assert explorer is not None
    places = _Places(playbook, step_paths)
    raw: list[Raw] = []
    if exploration.sampled and "CR600" in enabled:
        raw.append(("CR600", ("phases",), True, f"{exploration.note()}; findings may be missing"))
    checks = (
        ("CR601", _gates),
        ("CR602", _approver),
        ("CR603", _required_phases),
        ("CR604", _deadlines),
        ("CR605", _endings),
        ("CR453", _cadence_until),
        ("CR454", _cadence_unmet),
    )
    for code, check in checks:
        if code in enabled:
            raw.extend(_once(check(exploration, explorer, places)))
    variables = list(_consent(exploration, explorer, places)) if "CR606" in enabled else []
    return raw, variables


def _once(found: Iterator[Raw]) -> Iterator[Raw]:
    seen: set[tuple[str, Path_]] = set()
    for item in found:
        key = (item[0], item[1])
        if key not in seen:
            seen.add(key)
            yield item


def _witness(exploration: Exploration, index: int) -> str:
    return describe(exploration.path_to(index))


def _gates(exploration: Exploration, explorer: Explorer, places: _Places) -> Iterator[Raw]:
    playbook = exploration.playbook
    review = review_phase(playbook)
    wrap_up = {s.id for s in playbook.phases[review].steps} if review is not None else set()
    for i, t in enumerate(exploration.transitions):
        if not t.gates or t.visit is None:
            continue
        after = t.move.step
        step = explorer.by_id[t.visit.step]
        for qid in t.gates:
            if after is not None:
                if after not in wrap_up:
                    continue
                handler = explorer.by_id[after]
                if any(leaf.ref == qid for leaf in m.condition_refs(handler.when)):
                    continue  # a step written for this answer
            q = explorer.questions[qid]
            value = dict(t.visit.answers)[qid]
            answer = _label(q, value)
            where = "the end of the walk-through" if after is None else f"'{after}', in the review"
            yield (
                "CR601",
                places.question(step, qid),
                True,
                f"answering {answer} to '{qid}' leads straight to {where}: a 'not yet' "
                "answer needs a step that handles it (hold, check again, follow up) before "
                f"the review; path: {_witness(exploration, i)}",
            )


def _label(question: m.Question, value: object) -> str:
    if isinstance(value, bool):
        return "'yes'" if value else "'no'"
    labels = {c.value: c.label for c in question.choices}
    picked = value if isinstance(value, tuple) else (value,)
    return ", ".join(f"'{labels.get(str(v), str(v))}'" for v in picked)


def _approver(exploration: Exploration, explorer: Explorer, places: _Places) -> Iterator[Raw]:
    for i, t in enumerate(exploration.transitions):
        if t.visit is None or t.source is None:
            continue
        step = explorer.by_id[t.visit.step]
        if step.message is None or not step.message.approval:
            continue
        if t.source.approver or explorer.names_approver[step.id]:
            continue
        yield (
            "CR602",
            (*places.step[step.id], "message"),
            True,
            f"step '{step.id}' needs an approver, but on this path nobody has been named to "
            "approve yet: ask 'Who approves public messages?' (question id 'approver') in an "
            "earlier step on every path, or list 'approver' in the playbook's roles; "
            f"path: {_witness(exploration, i)}",
        )


def _final_phases(explorer: Explorer, t: Transition) -> int:
    """The phases a path entered, up to and including its last step."""
    if t.source is None or t.visit is None:
        return 0
    return t.source.phases | explorer.phase_bit[t.visit.step]


def _required_phases(
    exploration: Exploration, explorer: Explorer, places: _Places
) -> Iterator[Raw]:
    phases = exploration.playbook.phases
    required = [(pi, phase) for pi, phase in enumerate(phases) if phase.required]
    if not required:
        return
    for i, t in enumerate(exploration.transitions):
        if t.target is not None:
            continue
        entered = _final_phases(explorer, t)
        for pi, phase in required:
            if not entered & (1 << pi):
                yield (
                    "CR603",
                    ("phases", pi, "required"),
                    True,
                    f"phase '{phase.id}' is required, but a path passes by every one of its "
                    f"steps: {_witness(exploration, i)}",
                )


def _deadlines(exploration: Exploration, explorer: Explorer, places: _Places) -> Iterator[Raw]:
    """A deadline no path reaches while its own phase is still the latest one entered."""
    if exploration.sampled:
        return  # "no path reaches it" needs every path
    playbook = exploration.playbook
    in_time: set[str] = set()
    late: dict[str, int] = {}  # step → a transition reaching it after a later phase began
    for i, t in enumerate(exploration.transitions):
        if t.visit is None or t.source is None:
            continue
        sid = t.visit.step
        if t.source.phases < explorer.phase_bit[sid] << 1:
            in_time.add(sid)
        else:
            late.setdefault(sid, i)
    for step in playbook.steps:
        if step.due is None or step.id in in_time:
            continue
        where = (*places.step[step.id], "due")
        if step.id in late:
            i = late[step.id]
            source = exploration.transitions[i].source
            assert source is not None
            later = source.phases.bit_length() - 1
            yield (
                "CR604",
                where,
                True,
                f"deadline '{step.due.label}' (due {step.due.text}) is reached only after "
                f"phase '{playbook.phases[later].id}' began, on every path that reaches it: "
                f"move the step or its deadline; path: {_witness(exploration, i)}",
            )
        else:
            yield (
                "CR604",
                where,
                True,
                f"deadline '{step.due.label}' (due {step.due.text}) can never be met: no path "
                f"through the playbook reaches step '{step.id}'",
            )


def _cadence_until(exploration: Exploration, explorer: Explorer, places: _Places) -> Iterator[Raw]:
    """A cadence's ``until`` step that no path reaches: only the close stops the clock."""
    if exploration.sampled:
        return  # "no path reaches it" needs every path
    reached = {t.visit.step for t in exploration.transitions if t.visit is not None}
    for ci, cadence in enumerate(exploration.playbook.cadences):
        if cadence.until is None or cadence.until in reached:
            continue
        yield (
            "CR453",
            ("cadence", ci, "until"),
            False,
            f"cadence '{cadence.id}' stops at step '{cadence.until}', which no path through "
            "the playbook reaches: the updates stay due until the incident is closed",
        )


def _grade(explorer: Explorer, t: Transition) -> str | None:
    """The level a transition's grading answer sets (None: it grades nothing)."""
    level = None
    for qid, value in t.visit.answers if t.visit is not None else ():
        q = explorer.questions.get(qid)
        if q is not None and q.sets == "severity" and isinstance(value, str):
            level = value
    return level


def _cadence_unmet(exploration: Exploration, explorer: Explorer, places: _Places) -> Iterator[Raw]:
    """A cadence that runs at a level an incident can be left at — graded there (or started
    there), then walked to the end — with no step on the way that posts the updates it asks
    for. At runtime that cadence is waived ("no step to post it"); a playbook should say so."""
    from crisiscli.walk.deadlines import recurring_kinds

    playbook = exploration.playbook
    if not playbook.cadences:
        return
    outgoing: dict[object, list[int]] = {}
    for i, t in enumerate(exploration.transitions):
        outgoing.setdefault(t.source, []).append(i)
    # Where a level is set: a grading visit (its target state), or the start.
    entries: list[tuple[int, str]] = []
    for i, t in enumerate(exploration.transitions):
        if t.source is None:
            level = dict(t.inputs).get(m.SEVERITY_REF)
            entries.append((i, level if isinstance(level, str) else playbook.default_severity))
        elif (graded := _grade(explorer, t)) is not None:
            entries.append((i, graded))
    for ci, cadence in enumerate(playbook.cadences):
        kinds = recurring_kinds(cadence)
        posts = {
            s.id
            for s in playbook.steps
            if s.message is not None
            and s.message.kind in kinds
            and cadence.met_by(s.message.kind, s.message.audience)
        }
        if not posts:
            continue  # no step posts them at all: CR450 says so
        reported: set[str] = set()
        for i, level in entries:
            every = cadence.interval_text(level)
            if every is None or level in reported:
                continue
            first = exploration.transitions[i]
            if first.visit is not None and first.visit.step in posts:
                continue
            if not _reaches_end_without(exploration, explorer, outgoing, i, posts):
                continue
            reported.add(level)
            listed = any(lv == level for lv, _s, _t in cadence.by_severity)
            where: Path_ = ("cadence", ci, "severity", level) if listed else ("cadence", ci, "id")
            yield (
                "CR454",
                where,
                True,
                f"cadence '{cadence.id}' asks for an update every {every} at severity "
                f"'{level}', but a path can go on from there to the end with no step that "
                f"posts a message of kind {' or '.join(sorted(kinds))}: switch the cadence "
                "off at that level, or let an update step apply there; path: "
                f"{_witness(exploration, i)}",
            )


def _reaches_end_without(
    exploration: Exploration,
    explorer: Explorer,
    outgoing: dict[object, list[int]],
    start: int,
    posts: set[str],
) -> bool:
    """From transition ``start`` on, the walk-through can end without visiting a step of
    ``posts`` and without a re-grade (which sets another level)."""
    todo = [start]
    seen: set[int] = set()
    while todo:
        k = todo.pop()
        if k in seen:
            continue
        seen.add(k)
        t = exploration.transitions[k]
        if t.target is None:
            return True
        for n in outgoing.get(t.target, ()):
            nxt = exploration.transitions[n]
            if nxt.visit is not None and nxt.visit.step in posts:
                continue
            if _grade(explorer, nxt) is not None:
                continue
            todo.append(n)
    return False


def _endings(exploration: Exploration, explorer: Explorer, places: _Places) -> Iterator[Raw]:
    playbook = exploration.playbook
    review = review_phase(playbook)
    if review is None:
        return  # CR502 says there is no review at all
    for i, t in enumerate(exploration.transitions):
        if t.target is not None or t.move.how == "end":
            continue
        if _final_phases(explorer, t) & (1 << review):
            continue
        last = t.visit.step if t.visit is not None else None
        where: Path_ = (*places.step[last], "id") if last is not None else ("phases",)
        yield (
            "CR605",
            where,
            last is None,
            f"a path ends {'after step ' + repr(last) if last else 'before any step'} "
            f"without reaching the review phase '{playbook.phases[review].id}': make a step "
            "of the review apply on this path, or end it on purpose with 'goto: end'; "
            f"path: {_witness(exploration, i)}",
        )


def _consent(exploration: Exploration, explorer: Explorer, places: _Places) -> Iterator[Variable]:
    if not explorer.track_consent:
        return
    seen: set[tuple[str, str]] = set()
    for i, t in enumerate(exploration.transitions):
        if t.visit is None or t.source is None:
            continue
        names = explorer.named[t.visit.step]
        if not names:
            continue
        step = explorer.by_id[t.visit.step]
        given = t.source.consent or any(
            value is True and asks_consent(explorer.questions[qid])
            for qid, value in t.visit.answers
        )
        if given:
            continue
        assert step.message is not None
        for name in names:
            if (step.id, name) in seen:
                continue
            seen.add((step.id, name))
            yield (
                (*places.step[step.id], "message", "template"),
                name,
                f"public {step.message.kind} names '{{{{ {name} }}}}' on a path where nobody "
                "asked them first: ask a yes/no question such as 'Has this person agreed to "
                "be named in public?' and name them only on the 'yes' path, or leave the name "
                f"out; path: {_witness(exploration, i)}",
            )


def check_grading(playbook: m.Playbook, step_paths: list[Path_]) -> Iterator[Raw]:
    """CR607: a question that grades the incident without setting its severity."""
    levels = {lv.id for lv in playbook.severities}
    located: list[tuple[Path_, m.Question]] = [
        (("inputs", qi, "id"), q) for qi, q in enumerate(playbook.inputs)
    ]
    for step, at in zip(playbook.steps, step_paths, strict=True):
        located += [((*at, "questions", qi, "id"), q) for qi, q in enumerate(step.questions)]
    for where, q in located:
        values = {c.value for c in q.choices}
        if q.type == "choice" and len(values) >= 2 and values <= levels and q.sets is None:
            yield (
                "CR607",
                where,
                False,
                f"question '{q.id}' grades the incident (its choices are severity levels) but "
                "does not set the severity: add 'sets: severity', or the incident keeps its "
                "old grade whatever the answer",
            )
