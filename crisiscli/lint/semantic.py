"""Checks that need the whole built playbook: flow, variables, messages, checklist design.

Each check yields ``(rule code, path, on_key, message)``; ``checks.py`` turns paths into
positions. The flow graph over-approximates: every conditional branch and every step's
``when`` may go either way, so "unreachable" and "no way out" hold for every answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from crisiscli.playbook import model as m
from crisiscli.playbook.spec import PUBLIC_AUDIENCES, PUBLIC_KINDS
from crisiscli.playbook.template import placeholders
from crisiscli.walk.approvals import BACKUP_QUESTION, BACKUP_ROLE
from crisiscli.walk.paths import flow_graph

Path_ = tuple[str | int, ...]
Raw = tuple[str, Path_, bool, str]  # code, path, on_key, message

BUILTIN_VARIABLES = ("incident.title", "incident.severity", "incident.id", "playbook.title")
#: CR402: the audiences that read a public statement as the brand's word on record; a staff
#: memo, a support macro or a DM to one person is not asked for a second reader.
ON_RECORD = {
    "public-post": "public {kind} message",
    "public-reply": "{kind} replied in public",
    "press": "{kind} for the press",
}
MAX_ITEMS_WITHOUT_PAUSE = 9


def step_paths(playbook: m.Playbook) -> list[Path_]:
    return [
        ("phases", pi, "steps", si)
        for pi, phase in enumerate(playbook.phases)
        for si, _ in enumerate(phase.steps)
    ]


# -- flow -------------------------------------------------------------------------------------


def _reachable(successors: list[set[int]], start: set[int]) -> set[int]:
    end = len(successors)
    seen: set[int] = set()
    todo = [s for s in start if s < end]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        todo.extend(s for s in successors[node] if s < end and s not in seen)
    return seen


def _sccs(nodes: set[int], successors: list[set[int]]) -> list[list[int]]:
    """Strongly connected components (iterative Tarjan) of the graph restricted to nodes."""
    index_of: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    result: list[list[int]] = []
    counter = 0
    for root in sorted(nodes):
        if root in index_of:
            continue
        work: list[tuple[int, Iterator[int]]] = [(root, iter(sorted(successors[root] & nodes)))]
        index_of[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index_of:
                    index_of[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(successors[child] & nodes))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index_of[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index_of[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                result.append(sorted(component))
    return result


def check_flow(playbook: m.Playbook, paths: list[Path_]) -> Iterator[Raw]:
    steps = playbook.steps
    successors, start = flow_graph(playbook)
    reachable = _reachable(successors, start)
    end = len(steps)
    for i, step in enumerate(steps):
        if i not in reachable:
            yield (
                "CR301",
                (*paths[i], "id"),
                False,
                f"step '{step.id}' can never be reached: no step before it flows or branches to it",
            )
    # Steps from which the end can never be reached are stuck in a loop.
    predecessors: list[set[int]] = [set() for _ in range(end + 1)]
    for i, outs in enumerate(successors):
        for o in outs:
            predecessors[o].add(i)
    can_finish: set[int] = set()
    todo = [end]
    while todo:
        node = todo.pop()
        for p in predecessors[node]:
            if p not in can_finish:
                can_finish.add(p)
                todo.append(p)
    stuck = reachable - can_finish
    if not stuck:
        return
    for component in _sccs(stuck, successors):
        members = set(component)
        leaves = any(successors[n] - members for n in component)
        looped = len(component) > 1 or component[0] in successors[component[0]]
        if leaves or not looped:
            continue  # it flows into another stuck loop, which is reported itself
        closer = max(component)  # the step whose goto jumps back
        names = ", ".join(f"'{steps[n].id}'" for n in component)
        where: Path_ = (*paths[closer], "goto") if steps[closer].goto else (*paths[closer], "id")
        yield (
            "CR302",
            where,
            True,
            f"steps {names} loop with no way out: every path leads back into them, "
            "never to a later step or the end",
        )


# -- variables and references -----------------------------------------------------------------


def template_fields(playbook: m.Playbook, paths: list[Path_]) -> Iterator[tuple[Path_, str]]:
    """Every text that is rendered with ``{{ variables }}``, with its path."""
    for i, step in enumerate(playbook.steps):
        at = paths[i]
        if step.guidance:
            yield (*at, "guidance"), step.guidance
        for k, item in enumerate(step.items):
            yield (*at, "items", k), item.text
        if step.message is not None:
            yield (*at, "message", "template"), step.message.template


def check_variables(playbook: m.Playbook, paths: list[Path_]) -> Iterator[tuple[Path_, str, str]]:
    """``(path, name, message)`` for each field using a variable nothing defines."""
    defined = set(playbook.questions()) | set(BUILTIN_VARIABLES)
    import difflib

    for at, text in template_fields(playbook, paths):
        if "{{" not in text:
            continue
        reported: set[str] = set()
        for name in placeholders(text):
            if name in defined or name in reported:
                continue
            reported.add(name)
            close = difflib.get_close_matches(name, sorted(defined), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            yield (
                at,
                name,
                f"'{{{{ {name} }}}}' is not an input, question or built-in variable{hint}",
            )


def _conditions(step: m.Step, at: Path_) -> Iterator[tuple[Path_, m.Condition | None, bool]]:
    """Conditions of a step: (path, condition, evaluated after the step's own questions)."""
    yield (*at, "when"), step.when, False
    for k, item in enumerate(step.items):
        yield (*at, "items", k, "when"), item.when, False
    for b, branch in enumerate(step.goto):
        yield (*at, "goto", b, "when"), branch.when, True


def check_question_order(playbook: m.Playbook, paths: list[Path_]) -> Iterator[Raw]:
    asked: dict[str, int] = {q.id: -1 for q in playbook.inputs}
    for i, step in enumerate(playbook.steps):
        for q in step.questions:
            asked.setdefault(q.id, i)
    for i, step in enumerate(playbook.steps):
        for where, cond, after in _conditions(step, paths[i]):
            for leaf in m.condition_refs(cond):
                at = asked.get(leaf.ref)
                if at is None:
                    continue  # unknown-ref, reported by the loader
                too_late = at > i or (at == i and not after)
                if too_late:
                    asker = playbook.steps[at].id
                    when = "by this step itself" if at == i else f"later, in step '{asker}'"
                    yield (
                        "CR206",
                        (*where, leaf.ref),
                        True,
                        f"condition on '{leaf.ref}', which is only asked {when}: "
                        "here it is still unanswered, so the comparison is false",
                    )


# -- messages ---------------------------------------------------------------------------------


_PLACEHOLDER = re.compile(r"\{\{\s*[A-Za-z0-9_.-]+\s*\}\}")


def check_messages(
    playbook: m.Playbook, paths: list[Path_], extra_limits: Mapping[str, int], platforms: Any
) -> Iterator[Raw]:
    asks_backup = BACKUP_QUESTION in playbook.questions()
    for i, step in enumerate(playbook.steps):
        msg = step.message
        if msg is None:
            continue
        at = (*paths[i], "message")
        if msg.escalate_after is not None and not msg.approval:
            yield (
                "CR403",
                (*at, "escalate_after"),
                True,
                f"escalate_after: {msg.escalate_after} on a message without 'approval: true': "
                "nobody is asked, so nobody is escalated to",
            )
        elif msg.escalate_after is not None and not asks_backup:
            yield (
                "CR404",
                (*at, "escalate_after"),
                True,
                f"escalate_after: {msg.escalate_after}, but no step asks the '{BACKUP_QUESTION}' "
                "question: the backup is only known if someone runs "
                f"'crisis role set {BACKUP_ROLE} NAME'",
            )
        if msg.kind in PUBLIC_KINDS and msg.audience in ON_RECORD and not msg.approval:
            yield (
                "CR402",
                at,
                True,
                f"{ON_RECORD[msg.audience].format(kind=msg.kind)} with no approval: add "
                "'approval: true' so a second person reads it before it goes out",
            )
        yield from _own_words(msg, at, playbook.language)
        if not msg.platforms or not msg.on_platform:
            continue  # a press statement or a staff memo is held to no platform's limit
        overrides = platforms.merged_limits(
            extra_limits, dict(playbook.platform_limits), dict(msg.limits)
        )
        fixed = _PLACEHOLDER.sub("", msg.template).strip()
        for platform in msg.platforms:
            limit = platforms.limit(platform, overrides)
            if limit is None:
                continue
            size = platforms.count(fixed, platform)
            if size > limit:
                gap = " (not counting {{ variables }})" if fixed != msg.template.strip() else ""
                yield (
                    "CR401",
                    (*at, "template"),
                    False,
                    f"message is {size} characters on {platform}{gap}, over its limit of {limit}",
                )


def _own_words(msg: m.Message, at: Path_, language: str) -> Iterator[Raw]:
    """CR405/CR406: a template that says what its own banned list, or the excuse checks,
    forbid — every responder starts from a draft that fails its checks."""
    from crisiscli.messages.checks import _excuse_patterns, _norm

    template = _norm(msg.template)
    banned = [phrase for phrase in msg.banned if phrase.strip() and _norm(phrase) in template]
    for phrase in dict.fromkeys(banned):
        yield (
            "CR405",
            (*at, "template"),
            False,
            f"the template contains '{phrase}', which its own banned list forbids: every "
            "draft starts with an error",
        )
    for pattern, why in _excuse_patterns(language):
        found = pattern.search(msg.template)
        if found and not any(_norm(found.group()) in _norm(b) for b in banned):
            yield (
                "CR406",
                (*at, "template"),
                False,
                f"the template says '{found.group()}' ({why}): the composer warns about it in "
                "every draft",
            )


#: Milestones that say the public was told something: the step must post a public message.
PUBLIC_MILESTONES = ("acknowledged", "first-response", "apology")


def check_milestones(playbook: m.Playbook, paths: list[Path_]) -> Iterator[Raw]:
    """CR407: a public milestone on a step that posts nothing to the public (the report would
    say "Acknowledged 0s" for a checklist that told nobody anything)."""
    for i, step in enumerate(playbook.steps):
        if step.milestone not in PUBLIC_MILESTONES:
            continue
        msg = step.message
        if msg is not None and msg.audience in PUBLIC_AUDIENCES:
            continue
        what = (
            "posts nothing"
            if msg is None
            else f"posts no public message (its audience is {msg.audience})"
        )
        yield (
            "CR407",
            (*paths[i], "milestone"),
            False,
            f"milestone '{step.milestone}' on step '{step.id}', which {what}: the report "
            "would time a public response that never went out; move the milestone to the step "
            "that posts it, or give this step its message",
        )


# -- checklist design -------------------------------------------------------------------------


def check_design(playbook: m.Playbook, paths: list[Path_], doc: Any) -> Iterator[Raw]:
    steps = playbook.steps
    for i, step in enumerate(steps):
        if len(step.items) > MAX_ITEMS_WITHOUT_PAUSE and not step.pause_point:
            yield (
                "CR501",
                (*paths[i], "items"),
                True,
                f"step '{step.id}' has {len(step.items)} items and no pause point: split it, "
                f"or set 'pause_point: true' (at most {MAX_ITEMS_WITHOUT_PAUSE} items is easier to follow)",
            )
    has_review = any(p.id == "review" for p in playbook.phases) or any(
        s.milestone == "resolution" for s in steps
    )
    if not has_review:
        yield (
            "CR502",
            ("phases",),
            True,
            "no review phase: add a phase with id 'review' (or a step with "
            "'milestone: resolution') so every incident ends with lessons learned",
        )
    if playbook.purpose == "incident":
        yield from _incident_basics(playbook, paths, doc)
    if not playbook.exit_criteria:
        yield (
            "CR503",
            (),
            False,
            "no exit_criteria: say when the incident is over, so nobody closes it too early "
            "or keeps it open forever",
        )
    # A deadline should not come after a deadline of a later phase.
    located: list[tuple[int, int, m.Step, Path_]] = []
    k = 0
    for pi, phase in enumerate(playbook.phases):
        for step in phase.steps:
            if step.due is not None:
                located.append((pi, k, step, paths[k]))
            k += 1
    for pi, _, step, at in located:
        assert step.due is not None
        later = [
            (other.due.seconds, other)
            for qi, _, other, _ in located
            if qi > pi and other.due is not None and other.due.seconds < step.due.seconds
        ]
        if not later:
            continue
        _, first = min(later, key=lambda pair: pair[0])
        assert first.due is not None
        phase = playbook.phase_of(first.id)
        due_at: Path_ = (*at, "due")
        if isinstance(_value_at(doc, due_at), dict):
            due_at = (*due_at, "after")
        yield (
            "CR504",
            due_at,
            False,
            f"due {step.due.text} is later than step '{first.id}' (due {first.due.text}) "
            f"in the later phase '{phase.id}'",
        )


def _incident_basics(playbook: m.Playbook, paths: list[Path_], doc: Any) -> Iterator[Raw]:
    """CR505/CR506: what every incident playbook needs — a step that pauses the queue, and
    a severity scale of its own (a routine check, ``purpose: check``, needs neither)."""
    if not any(step.milestone == "queue-paused" for step in playbook.steps):
        yield (
            "CR505",
            ("phases",),
            True,
            "no step pauses the scheduled posts: add an early step with 'milestone: "
            "queue-paused' (the queue, ads, auto-replies), or say 'purpose: check' if this is "
            "a routine check rather than an incident",
        )
    if _value_at(doc, ("severity",)) is None:
        yield (
            "CR506",
            (),
            False,
            "no severity scale: describe what low, moderate, high and critical mean for this "
            "kind of incident under 'severity: levels', so it can be graded",
        )


def _value_at(doc: Any, path: Path_) -> Any:
    data = doc.data if doc is not None else None
    for part in path:
        try:
            data = data[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return None
    return data
