"""The path explorer: every way a walk-through can go through a playbook.

A *path* is the sequence of steps a walk-through visits for one set of answers, from the
inputs to its end. The explorer tries every combination of the answers that matter — the
inputs and questions that conditions and branches read (choices, yes/no, multi, the
grading question that sets the severity), plus the few answers the path rules look at
("not yet" answers, consent to be named) — and follows each one with ``walk.flow.Flow``,
the engine's own successor function, so ``crisis lint``, ``crisis show --flow`` and the
walk-through can never disagree about where a path goes.

Two views of one exploration:

- ``explore(playbook)`` builds the *state graph*. A state is the step about to be
  entered, the answers that conditions from there on can still read, and a short summary
  of the path so far (phases entered, an approver named, consent to name a person).
  Paths that differ only in answers nothing reads any more meet in one state, so the
  graph stays small when the number of paths is huge, and a check made on every
  transition holds for every path. Past ``max_states`` it stops and follows a seeded
  sample of random paths instead, and says so (``Exploration.sampled``).
- ``enumerate_paths(playbook)`` lists the paths themselves (``crisis show --paths``,
  drill scripts, the end-to-end tests), up to a budget; past it, a seeded sample.

Answers are reduced to what conditions can tell apart: two choices every condition
treats alike count once (the first stands for both), and a multi question's choices are
grouped the same way. A step entered again (a ``goto`` looping back) asks its questions
again, as the engine does.

Where conditions test the incident's severity (``{severity: {at_least: high}}``), the
severity is one more answer: the level the incident starts at (a pseudo-input named
``severity``, grouped like a choice) and every grading question (``sets: severity``)
re-grades it on the path. A re-grade from another terminal (``crisis severity``) at an
arbitrary moment is not enumerated: the engine takes it at the next screen.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from crisiscli.playbook import model as m
from crisiscli.playbook.spec import PUBLIC_KINDS  # messages anyone can read
from crisiscli.walk.flow import Flow, Move, holds

Value = str | bool | tuple[str, ...]  # a multi answer is a tuple of choice values
Answers = tuple[tuple[str, Value], ...]  # sorted by question id

DEFAULT_MAX_STATES = 20_000
DEFAULT_PATH_BUDGET = 1_000
DEFAULT_SEED = 0
MAX_MULTI_GROUPS = 10  # a multi question with more distinct groups is sampled, not expanded

# -- what some answers mean (English and Swedish, the bundled languages) ---------------------

# A yes/no question asking whether the situation has reached a state ("Are we resuming
# now?"): its "no" means "not yet".
GATE_PROMPT = re.compile(
    r"\b(resum\w*|resolved|solved|sorted out|fixed|working again|restored|contained|"
    r"calmed? down|settled|back to normal|safe to|ready to|återupp\w*|löst|lagt sig|"
    r"under kontroll|åtgärdat|fungerar igen|redo att)\b",
    re.IGNORECASE,
)
# A choice meaning "not yet" / "not resolved".
NOT_YET = re.compile(
    r"\b(not yet|no answer yet|no reply yet|unresolved|not resolved|still open|pending|ongoing|"
    r"waiting|inte än|inte ännu|ännu inte|inget svar|väntar|pågår|olöst)\b",
    re.IGNORECASE,
)
# A yes/no question asking someone's permission to be named in public.
CONSENT_PROMPT = re.compile(
    r"\b(agreed?|permission|consent\w*|okay with|ok with|happy to be named|samtyck\w*|"
    r"tillåtelse|gått med på|godkänt att|okej att)\b",
    re.IGNORECASE,
)
# A text question asking for a person's name or handle.
PERSON_PROMPT = re.compile(r"\b(name|handle|namn|användarnamn)\b", re.IGNORECASE)
# A question naming who approves public messages.
APPROVER_PROMPT = re.compile(r"\b(who approves|approver|vem godkänner)\b", re.IGNORECASE)
APPROVER_IDS = ("approver", "backup")


def not_yet(question: m.Question, value: Any) -> bool:
    """Does this answer mean "not yet" / "not resolved"?"""
    if value is None:
        return False
    if question.type == "yesno":
        return value is False and bool(GATE_PROMPT.search(question.prompt))
    if question.type in ("choice", "multi"):
        labels = {c.value: c.label for c in question.choices}
        picked = value if isinstance(value, (tuple, list)) else (value,)
        return any(NOT_YET.search(str(v)) or NOT_YET.search(labels.get(str(v), "")) for v in picked)
    return False


def asks_consent(question: m.Question) -> bool:
    return question.type == "yesno" and bool(CONSENT_PROMPT.search(question.prompt))


def names_person(question: m.Question) -> bool:
    return question.type == "text" and bool(PERSON_PROMPT.search(question.prompt))


def names_approver(question: m.Question) -> bool:
    return question.id in APPROVER_IDS or bool(APPROVER_PROMPT.search(question.prompt))


# -- the over-approximated graph (every condition may go either way) --------------------------


def flow_graph(playbook: m.Playbook) -> tuple[list[set[int]], set[int]]:
    """Successors of each step index (``len(steps)`` stands for the end) and the start set,
    assuming any condition can hold or not. Used for reachability and liveness."""
    steps = playbook.steps
    end = len(steps)
    index: dict[str, int] = {}
    for i, step in enumerate(steps):
        index.setdefault(step.id, i)

    def landing(k: int) -> set[int]:
        # Where "go to step k" can land: k, or past it while steps' conditions fail.
        found: set[int] = set()
        while k < end:
            found.add(k)
            if steps[k].when is None:
                return found
            k += 1
        found.add(end)
        return found

    successors: list[set[int]] = []
    for i, step in enumerate(steps):
        out: set[int] = set()
        for branch in step.goto:
            if branch.to == m.END:
                out.add(end)
            elif branch.to in index:
                out |= landing(index[branch.to])
            else:  # an unknown target (reported by the loader): assume it gets out
                out.add(end)
            if branch.when is None:
                break
        else:
            out |= landing(i + 1)
        successors.append(out)
    return successors, landing(0)


# -- states, visits, transitions ---------------------------------------------------------------


class State(NamedTuple):
    step: str  # the step about to be entered
    answers: Answers  # what conditions from here on can still read
    phases: int  # bit i: phase i was entered on the way here
    approver: bool  # someone was named to approve, earlier on this path
    consent: bool  # a person agreed to be named in public, earlier on this path


class Visit(NamedTuple):
    """One step entered on a path, with the answers that matter given there (None: left
    empty)."""

    step: str
    answers: tuple[tuple[str, Value | None], ...] = ()


class Transition(NamedTuple):
    """From a state, through one visit, to the next state (None: the walk-through ends)."""

    source: State | None  # None: the start, where the inputs are given
    visit: Visit | None  # None for the start
    inputs: tuple[tuple[str, Value | None], ...]  # the start's inputs (empty otherwise)
    move: Move
    target: State | None
    gates: tuple[str, ...] = ()  # questions answered "not yet" at this visit


@dataclass(frozen=True)
class Path:
    inputs: tuple[tuple[str, Value | None], ...]
    visits: tuple[Visit, ...]
    # "end" (an explicit goto: end), "last" (no step after it applies), or "open" for the
    # beginning of a path that a lint finding shows (Exploration.path_to)
    ending: str

    @property
    def steps(self) -> tuple[str, ...]:
        return tuple(v.step for v in self.visits)

    def choices(self) -> list[str]:
        """The answers that select this path, as ``id=value`` words (first visit first)."""
        words = [f"{k}={_word(v)}" for k, v in self.inputs if v is not None]
        for visit in self.visits:
            words += [f"{k}={_word(v)}" for k, v in visit.answers if v is not None]
        return words


def _word(value: Value | None) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return "+".join(value) if value else "(none)"
    return str(value)


@dataclass
class Exploration:
    """The state graph of a playbook, or a seeded sample of it when it is too big."""

    playbook: m.Playbook
    transitions: list[Transition] = field(default_factory=list)
    parent: dict[State, int] = field(default_factory=dict)  # first transition into a state
    sampled: bool = False
    seed: int = DEFAULT_SEED
    max_states: int = DEFAULT_MAX_STATES
    walks: int = 0  # random paths followed when sampled
    explorer: Explorer | None = None

    @property
    def states(self) -> int:
        return len(self.parent)

    def note(self) -> str | None:
        if not self.sampled:
            return None
        return (
            f"more than {self.max_states:,} distinct states: checked {self.walks:,} random "
            f"paths (seed {self.seed}) instead of every path"
        )

    def path_to(self, index: int) -> Path:
        """A path (from the start) that ends with transition ``index``."""
        chain: list[Transition] = []
        t: Transition | None = self.transitions[index]
        seen: set[int] = set()
        while t is not None:
            chain.append(t)
            if t.source is None:
                break
            k = self.parent[t.source]
            if k in seen:  # parents form a tree
                break
            seen.add(k)
            t = self.transitions[k]
        chain.reverse()
        inputs = chain[0].inputs if chain and chain[0].source is None else ()
        visits = tuple(x.visit for x in chain if x.visit is not None)
        last = chain[-1]
        ending = last.move.how if last.target is None else "open"
        return Path(inputs, visits, ending)


class Explorer:
    """Everything about a playbook the exploration needs, computed once."""

    def __init__(self, playbook: m.Playbook) -> None:
        self.playbook = playbook
        self.flow = Flow(playbook)
        self.steps = playbook.steps
        self.by_id: dict[str, m.Step] = {}
        for step in self.steps:
            self.by_id.setdefault(step.id, step)
        self.questions = playbook.questions()
        self.phase_bit: dict[str, int] = {}
        for pi, phase in enumerate(playbook.phases):
            for step in phase.steps:
                self.phase_bit.setdefault(step.id, 1 << pi)
        # Leaves of the conditions that decide the flow (step when, goto when), by question
        # (and by ``severity`` for the tests of the incident's severity).
        self.leaves: dict[str, list[m.Equals]] = {}
        refs_of_step: list[set[str]] = []
        for step in self.steps:
            refs: set[str] = set()
            for cond in (step.when, *(b.when for b in step.goto)):
                for leaf in m.condition_refs(cond):
                    if leaf.ref in self.questions or isinstance(leaf, m.SeverityIs):
                        self.leaves.setdefault(leaf.ref, []).append(leaf)
                        refs.add(leaf.ref)
            refs_of_step.append(refs)
        self.severity_read = m.SEVERITY_REF in self.leaves
        self.live = _liveness(playbook, refs_of_step)
        self.track_approver = any(s.message and s.message.approval for s in self.steps)
        # Person names in public messages, by step (CR606).
        self.named: dict[str, list[str]] = {
            s.id: person_variables(s, self.questions) for s in self.steps
        }
        self.track_consent = any(self.named.values())
        # Named before the first step: the role asked at start, or an input.
        self.approver_role = "approver" in playbook.roles or any(
            names_approver(q) for q in playbook.inputs
        )
        relevant = set(self.leaves) - {m.SEVERITY_REF}
        for q in self.questions.values():
            if (
                (self.severity_read and q.sets == "severity")
                or (q.type == "yesno" and GATE_PROMPT.search(q.prompt))
                or (q.type in ("choice", "multi") and any(not_yet(q, c.value) for c in q.choices))
                or (self.track_consent and asks_consent(q))
            ):
                relevant.add(q.id)
        self.relevant = relevant
        self.domains = {qid: self._domain(self.questions[qid]) for qid in sorted(relevant)}
        if self.severity_read:
            self.domains[m.SEVERITY_REF] = self._severity_domain()
        self.asked: dict[str, tuple[m.Question, ...]] = {
            s.id: tuple(q for q in s.questions if q.id in relevant) for s in self.steps
        }
        self.names_approver = {
            s.id: any(names_approver(q) for q in s.questions) for s in self.steps
        }

    # -- answers ---------------------------------------------------------------------------

    def _severity_domain(self) -> tuple[Value | None, ...]:
        """The severity levels the conditions on the severity can tell apart."""
        leaves = self.leaves[m.SEVERITY_REF]
        found: dict[tuple[bool, ...], Value | None] = {}
        for level in self.playbook.severities:
            mapping = {m.SEVERITY_REF: level.id}
            found.setdefault(tuple(holds(leaf, mapping) for leaf in leaves), level.id)
        return tuple(found.values())

    def _domain(self, q: m.Question) -> tuple[Value | None, ...]:
        """The answers of ``q`` that conditions (and the path rules) can tell apart."""
        leaves = self.leaves.get(q.id, [])
        grades = self.severity_read and q.sets == "severity"
        candidates: list[Value | None]
        if q.type == "yesno":
            candidates = [True, False]
        elif q.type == "choice":
            candidates = [c.value for c in q.choices]
        elif q.type == "multi":
            candidates = list(self._multi_candidates(q, leaves))
        else:
            mentioned = [v for leaf in leaves for v in leaf.values]
            candidates = [*dict.fromkeys(mentioned), "(anything else)"]
        if not q.required and q.default is None:
            candidates.append(None)
        found: dict[tuple[Any, ...], Value | None] = {}
        for value in candidates:
            mapping = {} if value is None else {q.id: value}
            signature = (
                tuple(holds(leaf, mapping) for leaf in leaves),
                not_yet(q, value),
                value is True and asks_consent(q),
                # a grading answer counts by the level it sets (None: the severity stays)
                value if grades else None,
                # ... and by the update cadences it switches on or off (lint CR454)
                self._cadences_on(value) if q.sets == "severity" else None,
            )
            found.setdefault(signature, value)
        return tuple(found.values())

    def _cadences_on(self, level: Value | None) -> tuple[bool, ...] | None:
        """Which cadences run at a grading answer's level (None: no level given)."""
        if not isinstance(level, str):
            return None
        return tuple(c.interval(level) is not None for c in self.playbook.cadences)

    def _multi_candidates(self, q: m.Question, leaves: list[m.Equals]) -> Iterator[Value]:
        groups: dict[tuple[bool, ...], list[str]] = {}
        for choice in q.choices:
            key = (
                *(choice.value in leaf.values for leaf in leaves),
                not_yet(q, (choice.value,)),
            )
            groups.setdefault(key, []).append(choice.value)
        reps = [values[0] for values in groups.values()]
        order = {c.value: i for i, c in enumerate(q.choices)}
        if len(reps) <= MAX_MULTI_GROUPS:
            for size in range(1, len(reps) + 1):
                for combo in itertools.combinations(reps, size):
                    yield tuple(sorted(combo, key=order.__getitem__))
        else:  # more than 10 distinct groups of choices
            for rep in reps:
                yield (rep,)
            yield tuple(reps)

    def _project(self, answers: Mapping[str, Value], step_id: str) -> Answers:
        keep = self.live[step_id]
        return tuple(sorted((k, v) for k, v in answers.items() if k in keep))

    # -- moves -----------------------------------------------------------------------------

    def starts(self, fixed: Mapping[str, Value] | None = None) -> Iterator[Transition]:
        """Every start; ``fixed`` inputs (a drill scenario's) take only the value given."""
        fixed = fixed or {}
        relevant_inputs = [q.id for q in self.playbook.inputs if q.id in self.relevant]
        if self.severity_read:  # the level the incident starts at, as if it were an input
            relevant_inputs.append(m.SEVERITY_REF)
        domains = [(fixed[qid],) if qid in fixed else self.domains[qid] for qid in relevant_inputs]
        for combo in itertools.product(*domains):
            given = tuple((qid, v) for qid, v in zip(relevant_inputs, combo, strict=True))
            yield self._start(given)

    def _start(self, given: tuple[tuple[str, Value | None], ...]) -> Transition:
        answers = {k: v for k, v in given if v is not None}
        first = self.flow.first_from(0, answers)
        target = None
        if first is not None:
            target = State(first, self._project(answers, first), 0, self.approver_role, False)
        return Transition(None, None, given, Move(first, "next" if first else "last"), target)

    def step_choices(self, state: State) -> list[tuple[m.Question, tuple[Value | None, ...]]]:
        return [(q, self.domains[q.id]) for q in self.asked[state.step]]

    def transitions(self, state: State) -> Iterator[Transition]:
        asked = self.step_choices(state)
        for combo in itertools.product(*(domain for _, domain in asked)):
            yield self.visit(
                state, tuple((q.id, v) for (q, _), v in zip(asked, combo, strict=True))
            )

    def visit(self, state: State, given: tuple[tuple[str, Value | None], ...]) -> Transition:
        answers: dict[str, Value] = dict(state.answers)
        consent = state.consent
        gates = []
        for qid, value in given:
            q = self.questions[qid]
            if value is not None:  # left empty: an earlier answer stays, as in the engine
                answers[qid] = value
                if q.sets == "severity" and self.severity_read:
                    answers[m.SEVERITY_REF] = value  # the grading answer re-grades
            if self.track_consent and value is True and asks_consent(q):
                consent = True
            if not_yet(q, value):
                gates.append(qid)
        approver = state.approver or (self.track_approver and self.names_approver[state.step])
        phases = state.phases | self.phase_bit[state.step]
        move = self.flow.after(state.step, answers)
        target = None
        if move.step is not None:
            target = State(move.step, self._project(answers, move.step), phases, approver, consent)
        return Transition(state, Visit(state.step, given), (), move, target, tuple(gates))


def review_phase(playbook: m.Playbook) -> int | None:
    """The index of the review phase: id ``review``, else the one with the ``resolution``
    milestone; None when there is none (lint CR502)."""
    for pi, phase in enumerate(playbook.phases):
        if phase.id == "review":
            return pi
    for pi, phase in enumerate(playbook.phases):
        if any(s.milestone == "resolution" for s in phase.steps):
            return pi
    return None


def person_variables(step: m.Step, questions: Mapping[str, m.Question]) -> list[str]:
    """``{{ names }}`` in a public message of the step that hold a person's name."""
    from crisiscli.playbook.template import placeholders

    msg = step.message
    if msg is None or msg.kind not in PUBLIC_KINDS or "{{" not in msg.template:
        return []
    return [
        name
        for name in dict.fromkeys(placeholders(msg.template))
        if (q := questions.get(name)) is not None and names_person(q)
    ]


def describe(path: Path, *, most_steps: int = 8, most_answers: int = 6) -> str:
    """A path in one short line: the answers that select it, then its steps."""
    steps = list(path.steps) or ["(no step applies)"]
    if len(steps) > most_steps:
        steps = [*steps[:3], "…", *steps[-(most_steps - 4) :]]
    words = path.choices()
    if len(words) > most_answers:
        words = [*words[:most_answers], "…"]
    line = " → ".join(steps)
    return f"{', '.join(words)}: {line}" if words else line


def _liveness(playbook: m.Playbook, refs_of_step: list[set[str]]) -> dict[str, frozenset[str]]:
    """For each step: the questions a condition can read from there on (its own goto, and
    every step the over-approximated graph can reach, including the steps a move passes
    over). A fixpoint over bit masks: loops converge in a few passes."""
    successors, _ = flow_graph(playbook)
    steps = playbook.steps
    end = len(steps)
    names = sorted({q for refs in refs_of_step for q in refs})
    bit = {q: 1 << i for i, q in enumerate(names)}
    mask = [sum(bit[q] for q in refs) for refs in refs_of_step]
    outs = [[n for n in successors[i] if n < end] for i in range(end)]
    changed = True
    while changed:
        changed = False
        for i in range(end - 1, -1, -1):
            grown = mask[i]
            for n in outs[i]:
                grown |= mask[n]
            if grown != mask[i]:
                mask[i] = grown
                changed = True
    live: dict[str, frozenset[str]] = {}
    for i, step in enumerate(steps):
        live.setdefault(step.id, frozenset(q for q in names if mask[i] & bit[q]))
    return live


# -- exploring ---------------------------------------------------------------------------------


def explore(
    playbook: m.Playbook, *, max_states: int = DEFAULT_MAX_STATES, seed: int = DEFAULT_SEED
) -> Exploration:
    """The state graph of every path; a seeded sample when it has over ``max_states``."""
    explorer = Explorer(playbook)
    result = Exploration(playbook, seed=seed, max_states=max_states, explorer=explorer)
    todo: list[State] = []

    def add(t: Transition) -> bool:
        result.transitions.append(t)
        if t.target is not None and t.target not in result.parent:
            if len(result.parent) >= max_states:
                return False
            result.parent[t.target] = len(result.transitions) - 1
            todo.append(t.target)
        return True

    for start in explorer.starts():
        if not add(start):
            return _sample(explorer, result)
    while todo:
        state = todo.pop()
        for t in explorer.transitions(state):
            if not add(t):
                return _sample(explorer, result)
    return result


def _sample(explorer: Explorer, result: Exploration, walks: int | None = None) -> Exploration:
    """Follow ``walks`` random paths (seeded) when the whole graph is too big."""
    result.transitions.clear()
    result.parent.clear()
    result.sampled = True
    rng = random.Random(result.seed)
    count = walks if walks is not None else max(200, min(result.max_states // 10, 2_000))
    starts = list(explorer.starts())
    for _ in range(count):
        t = rng.choice(starts)
        on_path: set[State] = set()
        for _length in range(10 * len(explorer.steps) + 10):
            result.transitions.append(t)
            if t.target is None or t.target in on_path:
                break
            on_path.add(t.target)
            result.parent.setdefault(t.target, len(result.transitions) - 1)
            state = t.target
            given = tuple((q.id, rng.choice(domain)) for q, domain in explorer.step_choices(state))
            t = explorer.visit(state, given)
        result.walks += 1
    return result


@dataclass
class PathList:
    """The paths of a playbook: all of them, or a seeded sample when over the budget."""

    paths: list[Path]
    complete: bool
    budget: int
    seed: int
    total: int | None  # how many paths there are, when they could be counted
    loops: int  # paths cut where a state repeated (a loop with a way out elsewhere)

    def note(self) -> str | None:
        if self.complete:
            return None
        many = f"{self.total:,}" if self.total is not None else f"more than {self.budget:,}"
        return (
            f"{many} paths, over the budget of {self.budget:,}: "
            f"{len(self.paths):,} sampled at random (seed {self.seed})"
        )


def enumerate_paths(
    playbook: m.Playbook,
    *,
    budget: int = DEFAULT_PATH_BUDGET,
    seed: int = DEFAULT_SEED,
    max_states: int = DEFAULT_MAX_STATES,
) -> PathList:
    """Every path that ends (a state never repeats on a path), up to ``budget`` paths."""
    exploration = explore(playbook, max_states=max_states, seed=seed)
    out: dict[State | None, list[int]] = {}
    for i, t in enumerate(exploration.transitions):
        out.setdefault(t.source, []).append(i)
    # Answers that lead to the same state have the same future: one path stands for them.
    for key, indexes in out.items():
        unique: dict[tuple[Any, ...], int] = {}
        for i in indexes:
            t = exploration.transitions[i]
            unique.setdefault((t.target, t.move), i)
        out[key] = list(unique.values())
    total = None if exploration.sampled else _count(out, exploration)
    paths: list[Path] = []
    loops = 0
    complete = False
    if not exploration.sampled and (total is None or total <= budget):
        # No loops and few enough paths: list them all. With loops the count is unknown
        # until the walk has cut every loop, so walk until the budget is passed.
        complete = True
        for chain in _walk_all(out, exploration):
            if chain is None:
                loops += 1
                continue
            if len(paths) == budget:
                complete = False
                break
            paths.append(_as_path(chain, exploration))
        if complete:
            total = len(paths)
    if not complete:
        paths, loops = [], 0
        rng = random.Random(seed)
        seen: set[tuple[Any, ...]] = set()
        tries = 0
        while len(paths) < budget and tries < budget * 20:
            tries += 1
            chain = _random_chain(out, exploration, rng)
            if chain is None:
                loops += 1
                continue
            path = _as_path(chain, exploration)
            found = (path.inputs, path.visits)
            if found not in seen:
                seen.add(found)
                paths.append(path)
    return PathList(paths, complete, budget, seed, total, loops)


def _as_path(chain: list[Transition], exploration: Exploration) -> Path:
    inputs = chain[0].inputs
    visits = tuple(t.visit for t in chain if t.visit is not None)
    return Path(inputs, visits, chain[-1].move.how)


def _walk_all(
    out: dict[State | None, list[int]], exploration: Exploration
) -> Iterator[list[Transition] | None]:
    """Depth first over the graph; a state repeated on the path cuts it (yields None)."""
    transitions = exploration.transitions
    stack: list[tuple[Transition, Iterator[int]]] = []
    on_path: set[State] = set()
    for first in out.get(None, []):
        t0 = transitions[first]
        if t0.target is None:
            yield [t0]
            continue
        stack.append((t0, iter(out.get(t0.target, []))))
        on_path.add(t0.target)
        while stack:
            _, children = stack[-1]
            nxt = next(children, None)
            if nxt is None:
                top, _ = stack.pop()
                if top.target is not None:
                    on_path.discard(top.target)
                continue
            t = transitions[nxt]
            if t.target is None:
                yield [s for s, _ in stack] + [t]
            elif t.target in on_path:
                yield None
            else:
                stack.append((t, iter(out.get(t.target, []))))
                on_path.add(t.target)


def _random_chain(
    out: dict[State | None, list[int]], exploration: Exploration, rng: random.Random
) -> list[Transition] | None:
    transitions = exploration.transitions
    starts = out.get(None, [])
    if not starts:
        return None
    t = transitions[rng.choice(starts)]
    chain = [t]
    on_path: set[State] = set()
    while t.target is not None:
        if t.target in on_path:
            return None
        on_path.add(t.target)
        options = out.get(t.target)
        if not options:
            return None  # a sampled graph may stop short
        t = transitions[rng.choice(options)]
        chain.append(t)
    return chain


def _count(out: dict[State | None, list[int]], exploration: Exploration) -> int | None:
    """The number of paths, when the graph has no loops (else None: paths cut at loops
    are counted while listing them)."""
    transitions = exploration.transitions
    memo: dict[State, int] = {}
    visiting: set[State] = set()

    def count(state: State) -> int | None:
        if state in memo:
            return memo[state]
        # Iterative post-order to stay clear of the recursion limit on long playbooks.
        stack: list[tuple[State, Iterator[int]]] = [(state, iter(out.get(state, [])))]
        visiting.add(state)
        partial: dict[State, int] = {state: 0}
        while stack:
            node, children = stack[-1]
            nxt = next(children, None)
            if nxt is None:
                stack.pop()
                visiting.discard(node)
                memo[node] = partial.pop(node)
                if stack:
                    partial[stack[-1][0]] += memo[node]
                continue
            t = transitions[nxt]
            if t.target is None:
                partial[node] += 1
            elif t.target in memo:
                partial[node] += memo[t.target]
            elif t.target in visiting:
                return None
            else:
                visiting.add(t.target)
                partial[t.target] = 0
                stack.append((t.target, iter(out.get(t.target, []))))
        return memo[state]

    total = 0
    for i in out.get(None, []):
        t = transitions[i]
        if t.target is None:
            total += 1
            continue
        found = count(t.target)
        if found is None:
            return None
        total += found
    return total
