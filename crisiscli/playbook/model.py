"""The playbook as frozen value classes (``crisiscli.frozen``): what a loaded, validated playbook is.

The YAML format is described in docs/playbooks.md; ``load.py`` builds these objects and
``to_data`` turns them back into the canonical mapping (used for the snapshot stored
with every incident, so an edited or deleted playbook never breaks resume or reports).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import Any, Literal

from crisiscli.frozen import Frozen, field
from crisiscli.playbook.spec import PLATFORM_AUDIENCES, PUBLIC_AUDIENCES, PUBLIC_KINDS, audience_of
from crisiscli.timeutil import parse_duration

FORMAT_VERSION = 1

QuestionType = Literal["text", "choice", "multi", "yesno", "actions"]
# ``actions``: action items, entered one at a time (what, owner, due) until "no more";
# each one is an ``action.added`` event, the answer the list of their ids.
QUESTION_TYPES: tuple[str, ...] = ("text", "choice", "multi", "yesno", "actions")

ChecklistKind = Literal["do-confirm", "read-do"]
CHECKLIST_KINDS: tuple[str, ...] = ("do-confirm", "read-do")

# Milestones a step can mark; reports measure the time from incident start to each.
MILESTONES: tuple[str, ...] = (
    "acknowledged",
    "queue-paused",
    "first-response",
    "apology",
    "off-platform",
    "contained",
    "resolution",
)

END = "end"  # a branch target that finishes the walk-through


MAX_DUE_SECONDS = 366 * 86400  # a deadline falls within a year of the start
MAX_ITEMS_PER_STEP = 200  # a checklist longer than this is not a step (and would be slow)


def truthy_word(text: str) -> bool | None:
    """YAML 1.1's reading of a yes/no word (``yes``, ``off``, …), or None."""
    lowered = text.strip().lower()
    if lowered in {"yes", "true", "on", "y"}:
        return True
    if lowered in {"no", "false", "off", "n"}:
        return False
    return None


class Choice(Frozen):
    value: str
    label: str
    no_incident: bool = False  # choosing it says the run is a routine check, not an incident
    floor: str | None = None  # chosen, this answer sets a minimum severity (``floor:``)


class Question(Frozen):
    id: str
    prompt: str
    type: QuestionType = "text"
    choices: tuple[Choice, ...] = ()
    required: bool = True
    default: str | bool | tuple[str, ...] | None = None
    help: str | None = None
    sets: str | None = None  # "severity": the answer becomes the incident's severity
    # A yes to a yes/no question sets a minimum severity (threats, press, a safety risk):
    # grading below it asks for a reason (choices carry their own ``floor``).
    floor: str | None = None
    review: str | None = None  # the post-mortem field the answer fills (spec.REVIEW_FIELDS)


# --- conditions -------------------------------------------------------------------------


class Equals(Frozen):
    """True when the answer to ``ref`` is one of ``values`` (any overlap for multi)."""

    ref: str
    values: tuple[str, ...]


SEVERITY_REF = "severity"  # in a condition: the incident's current severity, not a question
SEVERITY_BOUNDS = ("at_least", "at_most")


class SeverityIs(Equals):
    """The incident's severity *now* is one of ``values`` (``ref`` is always ``severity``).

    ``{severity: {at_least: high}}`` is resolved against the playbook's scale when it
    loads (``values`` = high and every level after it); ``bounds`` keeps it as written, for
    the snapshot and for people. A re-grade changes what it says at the next screen.
    """

    bounds: tuple[tuple[str, str], ...] = ()


def severity_levels_between(
    order: tuple[str, ...], bounds: tuple[tuple[str, str], ...]
) -> tuple[str, ...]:
    """The levels of ``order`` within every ``(at_least|at_most, level)`` bound."""
    keep = list(order)
    for word, level in bounds:
        if level not in order:
            continue  # reported by the loader
        cut = order.index(level)
        allowed = order[cut:] if word == "at_least" else order[: cut + 1]
        keep = [lv for lv in keep if lv in allowed]
    return tuple(keep)


class AllOf(Frozen):
    conditions: tuple[Condition, ...]


class AnyOf(Frozen):
    conditions: tuple[Condition, ...]


class Not(Frozen):
    condition: Condition


Condition = Equals | AllOf | AnyOf | Not


def tests_severity(cond: Condition | None) -> bool:
    """Does the condition read the incident's severity?"""
    return any(isinstance(leaf, SeverityIs) for leaf in condition_refs(cond))


def condition_refs(cond: Condition | None) -> Iterator[Equals]:
    """Every leaf comparison in a condition (used by lint and the engine)."""
    if cond is None:
        return
    if isinstance(cond, Equals):
        yield cond
    elif isinstance(cond, (AllOf, AnyOf)):
        for sub in cond.conditions:
            yield from condition_refs(sub)
    else:
        yield from condition_refs(cond.condition)


# --- steps ------------------------------------------------------------------------------


class Item(Frozen):
    id: str
    text: str
    when: Condition | None = None


class Branch(Frozen):
    """Go to ``to`` after the step when ``when`` holds (no condition: always)."""

    to: str
    when: Condition | None = None


class Deadline(Frozen):
    """Due ``seconds`` after the incident started."""

    seconds: int
    label: str
    text: str  # as written, e.g. "15m"


class Cadence(Frozen):
    """A recurring deadline: a public update every ``every`` while the incident is open.

    The clock starts when the incident opens (the first update is due ``first`` after it,
    else one interval after it) and restarts at every published message of one of ``kinds``;
    a severity with its own interval (``by_severity``; ``None`` there means no updates at that
    level) takes over from the moment the incident is re-graded. ``until`` names a step whose
    end stops the clock (the incident's close always does).
    """

    id: str
    label: str
    every: int | None  # seconds, for levels not listed in by_severity (None: no default)
    every_text: str | None = None
    first: int | None = None  # seconds from the start to the first update (None: one interval)
    first_text: str | None = None
    by_severity: tuple[tuple[str, int | None, str], ...] = ()  # (level, seconds or None, text)
    kinds: tuple[str, ...] = PUBLIC_KINDS
    until: str | None = None

    def met_by(self, kind: str, audience: str) -> bool:
        """A message of ``kind`` to ``audience`` keeps this clock: one of its kinds, where
        the public reads it (a staff memo, a support macro, a DM or a press statement
        does not)."""
        return kind in self.kinds and audience in PUBLIC_AUDIENCES

    def interval(self, severity: str) -> int | None:
        """Seconds between updates at ``severity`` (None: no updates due at that level)."""
        for level, seconds, _text in self.by_severity:
            if level == severity:
                return seconds
        return self.every

    def interval_text(self, severity: str) -> str | None:
        for level, seconds, text in self.by_severity:
            if level == severity:
                return text if seconds is not None else None
        return self.every_text


class Message(Frozen):
    """A message the responder composes and publishes from this step."""

    template: str
    platforms: tuple[str, ...] = ()
    approval: bool = False
    kind: str = "statement"  # statement | apology | reply | dm-invite | update | internal
    banned: tuple[str, ...] = ()
    limits: tuple[tuple[str, int], ...] = ()  # per-step overrides of platform limits
    escalate_after: str | None = None  # e.g. "5m": no decision by then, the backup is asked
    written_audience: str | None = None  # ``audience:`` as written (None: by its kind)
    # ``per_person: true``: one reply to each person who engaged, written and checked one by
    # one at this step (the reply ledger), beside or instead of the step's one text.
    per_person: bool = False

    @property
    def audience(self) -> str:
        """Who it is for: public-post, public-reply, dm, press, internal or support-macro."""
        return self.written_audience or audience_of(self.kind)

    @property
    def on_platform(self) -> bool:
        """It goes out on a platform (held to the platform's limits)."""
        return self.audience in PLATFORM_AUDIENCES

    @property
    def escalate_seconds(self) -> int | None:
        return parse_duration(self.escalate_after) if self.escalate_after else None


class Step(Frozen):
    id: str
    title: str
    guidance: str = ""
    checklist: ChecklistKind = "do-confirm"
    items: tuple[Item, ...] = ()
    questions: tuple[Question, ...] = ()
    when: Condition | None = None
    goto: tuple[Branch, ...] = ()
    due: Deadline | None = None
    milestone: str | None = None
    message: Message | None = None
    pause_point: bool = False
    # The earliest time to act (counted from the start, like ``due``): done earlier asks
    # for a reason, recorded as ``step.early``. A gate, never a deadline.
    not_before: Deadline | None = None


class Phase(Frozen):
    id: str
    title: str
    steps: tuple[Step, ...]
    description: str = ""
    required: bool = False  # every path must enter it (lint CR603)


class SeverityLevel(Frozen):
    id: str
    description: str = ""


DEFAULT_SEVERITIES: tuple[SeverityLevel, ...] = (
    SeverityLevel("low", "One unhappy voice, little reach. Answer it; no statement."),
    SeverityLevel("moderate", "Spreading in our own channels; a holding reply is due."),
    SeverityLevel("high", "Amplified by big accounts or press; a public statement is due."),
    SeverityLevel("critical", "Mainstream coverage, safety or legal exposure; all hands."),
)


class Playbook(Frozen):
    id: str
    title: str
    phases: tuple[Phase, ...]
    version: str = "1"
    description: str = ""
    language: str = "en"
    kind: str = "general"
    tags: tuple[str, ...] = ()
    inputs: tuple[Question, ...] = ()
    severities: tuple[SeverityLevel, ...] = DEFAULT_SEVERITIES
    default_severity: str = "moderate"
    exit_criteria: tuple[str, ...] = ()
    platform_limits: tuple[tuple[str, int], ...] = ()
    source: str = field(default="", compare=False)  # where it was loaded from
    roles: tuple[str, ...] = ()  # incident roles this playbook names (empty: the defaults)
    cadences: tuple[Cadence, ...] = ()  # recurring deadlines (public updates while open)
    purpose: str = "incident"  # incident | check (a routine check: not counted as an incident)
    # ``severity: {mentions: [{above: 5, floor: high}]}``: a mention count more than
    # ``above`` times a normal period sets a minimum severity.
    mention_floors: tuple[tuple[float, str], ...] = ()
    # ``approval: {require_signature: true}``: an approval counts only when signed by a key
    # allowed_signers lists for the approver (record/signing.py), as the config setting does.
    require_signature: bool = False

    # Lookups are asked for on every screen and every described event: each is built once
    # (the playbook is frozen, so they can never go stale).
    @cached_property
    def steps(self) -> tuple[Step, ...]:
        return tuple(step for phase in self.phases for step in phase.steps)

    @cached_property
    def _by_id(self) -> dict[str, tuple[Step, Phase]]:
        return {step.id: (step, phase) for phase in self.phases for step in phase.steps}

    def step(self, step_id: str) -> Step:
        return self._by_id[step_id][0]

    def has_step(self, step_id: str) -> bool:
        return step_id in self._by_id

    def phase_of(self, step_id: str) -> Phase:
        return self._by_id[step_id][1]

    def item_text(self, step_id: str, item_id: str) -> str:
        """The words of a checklist item (its id if the step or item is unknown)."""
        found = self._by_id.get(step_id)
        for item in found[0].items if found else ():
            if item.id == item_id:
                return item.text
        return item_id

    @cached_property
    def _questions(self) -> dict[str, Question]:
        found: dict[str, Question] = {q.id: q for q in self.inputs}
        for step in self.steps:
            for question in step.questions:
                found[question.id] = question
        return found

    def questions(self) -> dict[str, Question]:
        """Inputs and step questions by id: they share one namespace (do not change it)."""
        return self._questions

    @cached_property
    def _choice_labels(self) -> dict[str, dict[str, str]]:
        return {
            qid: {c.value: c.label for c in q.choices}
            for qid, q in self._questions.items()
            if q.choices
        }

    def choice_labels(self) -> dict[str, dict[str, str]]:
        """Per question with choices: stored value → the label a person saw."""
        return self._choice_labels


# --- canonical mapping (snapshot) ---------------------------------------------------------


def condition_to_data(cond: Condition) -> Any:
    if isinstance(cond, SeverityIs) and cond.bounds:
        return {SEVERITY_REF: dict(cond.bounds)}
    if isinstance(cond, Equals):
        values: Any = cond.values[0] if len(cond.values) == 1 else list(cond.values)
        return {cond.ref: values}
    if isinstance(cond, AllOf):
        return {"all": [condition_to_data(c) for c in cond.conditions]}
    if isinstance(cond, AnyOf):
        return {"any": [condition_to_data(c) for c in cond.conditions]}
    return {"not": condition_to_data(cond.condition)}


def _question_to_data(q: Question) -> dict[str, Any]:
    data: dict[str, Any] = {"id": q.id, "prompt": q.prompt, "type": q.type}
    if q.choices:
        data["choices"] = [
            {
                "value": c.value,
                "label": c.label,
                **({"no_incident": True} if c.no_incident else {}),
                **({"floor": c.floor} if c.floor else {}),
            }
            for c in q.choices
        ]
    if not q.required:
        data["required"] = False
    if q.default is not None:
        data["default"] = list(q.default) if isinstance(q.default, tuple) else q.default
    if q.help:
        data["help"] = q.help
    if q.sets:
        data["sets"] = q.sets
    if q.floor:
        data["floor"] = q.floor
    if q.review:
        data["review"] = q.review
    return data


def _step_to_data(step: Step) -> dict[str, Any]:
    data: dict[str, Any] = {"id": step.id, "title": step.title}
    if step.guidance:
        data["guidance"] = step.guidance
    if step.checklist != "do-confirm":
        data["checklist"] = step.checklist
    if step.items:
        items = []
        for item in step.items:
            entry: dict[str, Any] = {"id": item.id, "text": item.text}
            if item.when is not None:
                entry["when"] = condition_to_data(item.when)
            items.append(entry)
        data["items"] = items
    if step.questions:
        data["questions"] = [_question_to_data(q) for q in step.questions]
    if step.when is not None:
        data["when"] = condition_to_data(step.when)
    if step.goto:
        rules = []
        for branch in step.goto:
            rule: dict[str, Any] = {"to": branch.to}
            if branch.when is not None:
                rule["when"] = condition_to_data(branch.when)
            rules.append(rule)
        data["goto"] = rules
    if step.due is not None:
        data["due"] = {"after": step.due.text, "label": step.due.label}
    if step.milestone:
        data["milestone"] = step.milestone
    if step.pause_point:
        data["pause_point"] = True
    if step.not_before is not None:
        data["not_before"] = {"after": step.not_before.text, "label": step.not_before.label}
    if step.message is not None:
        msg = step.message
        mdata: dict[str, Any] = {"template": msg.template, "kind": msg.kind}
        if msg.platforms:
            mdata["platforms"] = list(msg.platforms)
        if msg.approval:
            mdata["approval"] = True
        if msg.banned:
            mdata["banned"] = list(msg.banned)
        if msg.written_audience:
            mdata["audience"] = msg.written_audience
        if msg.limits:
            mdata["limits"] = dict(msg.limits)
        if msg.escalate_after:
            mdata["escalate_after"] = msg.escalate_after
        if msg.per_person:
            mdata["per_person"] = True
        data["message"] = mdata
    return data


def cadence_to_data(cadence: Cadence) -> dict[str, Any]:
    data: dict[str, Any] = {"id": cadence.id, "label": cadence.label}
    if cadence.every_text is not None:
        data["every"] = cadence.every_text
    if cadence.first_text is not None:
        data["first"] = cadence.first_text
    if cadence.by_severity:
        data["severity"] = {
            level: text if seconds is not None else "off"
            for level, seconds, text in cadence.by_severity
        }
    data["kinds"] = list(cadence.kinds)
    if cadence.until is not None:
        data["until"] = cadence.until
    return data


def _cadence_from_data(d: dict[str, Any]) -> Cadence:
    def seconds(text: Any) -> int:
        value = parse_duration(str(text))
        if value is None:
            raise ValueError(f"bad duration {text!r}")
        return value

    every, first = d.get("every"), d.get("first")
    levels = tuple(
        (str(level), None if text == "off" else seconds(text), str(text))
        for level, text in (d.get("severity") or {}).items()
    )
    return Cadence(
        id=str(d["id"]),
        label=str(d.get("label") or d["id"]),
        every=seconds(every) if every is not None else None,
        every_text=str(every) if every is not None else None,
        first=seconds(first) if first is not None else None,
        first_text=str(first) if first is not None else None,
        by_severity=levels,
        kinds=tuple(str(k) for k in d.get("kinds", PUBLIC_KINDS)),
        until=d.get("until"),
    )


def to_data(playbook: Playbook) -> dict[str, Any]:
    """The canonical mapping of a playbook: valid input for ``load.build_playbook``."""
    data: dict[str, Any] = {
        "crisis": FORMAT_VERSION,
        "id": playbook.id,
        "title": playbook.title,
        "version": playbook.version,
        "language": playbook.language,
        "kind": playbook.kind,
    }
    if playbook.purpose != "incident":
        data["purpose"] = playbook.purpose
    if playbook.description:
        data["description"] = playbook.description
    if playbook.tags:
        data["tags"] = list(playbook.tags)
    data["severity"] = {
        "levels": [{"id": s.id, "description": s.description} for s in playbook.severities],
        "default": playbook.default_severity,
    }
    if playbook.mention_floors:
        data["severity"]["mentions"] = [
            {"above": above, "floor": level} for above, level in playbook.mention_floors
        ]
    if playbook.inputs:
        data["inputs"] = [_question_to_data(q) for q in playbook.inputs]
    if playbook.exit_criteria:
        data["exit_criteria"] = list(playbook.exit_criteria)
    if playbook.platform_limits:
        data["platform_limits"] = dict(playbook.platform_limits)
    if playbook.roles:
        data["roles"] = list(playbook.roles)
    if playbook.cadences:
        data["cadence"] = [cadence_to_data(c) for c in playbook.cadences]
    if playbook.require_signature:
        data["approval"] = {"require_signature": True}
    data["phases"] = [
        {
            "id": phase.id,
            "title": phase.title,
            **({"description": phase.description} if phase.description else {}),
            **({"required": True} if phase.required else {}),
            "steps": [_step_to_data(step) for step in phase.steps],
        }
        for phase in playbook.phases
    ]
    return data


# --- reading the canonical mapping back -------------------------------------------------------
# The snapshot stored with an incident is ``to_data`` output, written by crisis itself, so it is
# read back directly, without the YAML validator (which keeps ``crisis note`` and ``status``
# fast). A damaged snapshot raises ValueError/KeyError/TypeError; callers report it.


def condition_from_data(data: Any, order: tuple[str, ...] = ()) -> Condition:
    """``order``: the playbook's severity levels, lowest first (for ``at_least``/``at_most``)."""
    if not isinstance(data, dict) or not data:
        raise ValueError("condition must be a non-empty mapping")
    parts: list[Condition] = []
    for key, value in data.items():
        if key == "all":
            parts.append(AllOf(tuple(condition_from_data(c, order) for c in value)))
        elif key == "any":
            parts.append(AnyOf(tuple(condition_from_data(c, order) for c in value)))
        elif key == "not":
            parts.append(Not(condition_from_data(value, order)))
        elif key == SEVERITY_REF and isinstance(value, dict):
            bounds = tuple((str(k), str(v)) for k, v in value.items())
            levels = severity_levels_between(order, bounds)
            parts.append(SeverityIs(SEVERITY_REF, levels, bounds))
        elif key == SEVERITY_REF:
            values = value if isinstance(value, list) else [value]
            parts.append(SeverityIs(SEVERITY_REF, tuple(str(v) for v in values)))
        else:
            values = value if isinstance(value, list) else [value]
            parts.append(Equals(str(key), tuple(str(v) for v in values)))
    return parts[0] if len(parts) == 1 else AllOf(tuple(parts))


def _maybe_condition(data: Any, order: tuple[str, ...] = ()) -> Condition | None:
    return None if data is None else condition_from_data(data, order)


def _question_from_data(d: dict[str, Any]) -> Question:
    default = d.get("default")
    if isinstance(default, list):
        default = tuple(str(v) for v in default)
    return Question(
        id=str(d["id"]),
        prompt=str(d["prompt"]),
        type=d.get("type", "text"),
        choices=tuple(
            Choice(
                str(c["value"]),
                str(c["label"]),
                bool(c.get("no_incident", False)),
                c.get("floor"),
            )
            for c in d.get("choices", [])
        ),
        required=bool(d.get("required", True)),
        default=default,
        help=d.get("help"),
        sets=d.get("sets"),
        floor=d.get("floor"),
        review=d.get("review"),
    )


def _deadline_from_data(due: Any) -> Deadline | None:
    if due is None:
        return None
    seconds = parse_duration(str(due["after"]))
    if seconds is None:
        raise ValueError(f"bad duration {due['after']!r}")
    return Deadline(seconds, str(due["label"]), str(due["after"]))


def _step_from_data(d: dict[str, Any], order: tuple[str, ...] = ()) -> Step:
    deadline = _deadline_from_data(d.get("due"))
    msg = d.get("message")
    message = None
    if msg is not None:
        message = Message(
            template=str(msg["template"]),
            platforms=tuple(msg.get("platforms", [])),
            approval=bool(msg.get("approval", False)),
            kind=str(msg.get("kind", "statement")),
            banned=tuple(msg.get("banned", [])),
            limits=tuple((str(k), int(v)) for k, v in msg.get("limits", {}).items()),
            escalate_after=str(msg["escalate_after"]) if msg.get("escalate_after") else None,
            written_audience=str(msg["audience"]) if msg.get("audience") else None,
            per_person=bool(msg.get("per_person", False)),
        )
    return Step(
        id=str(d["id"]),
        title=str(d["title"]),
        guidance=str(d.get("guidance", "")),
        checklist=d.get("checklist", "do-confirm"),
        items=tuple(
            Item(str(i["id"]), str(i["text"]), _maybe_condition(i.get("when"), order))
            for i in d.get("items", [])
        ),
        questions=tuple(_question_from_data(q) for q in d.get("questions", [])),
        when=_maybe_condition(d.get("when"), order),
        goto=tuple(
            Branch(str(b["to"]), _maybe_condition(b.get("when"), order)) for b in d.get("goto", [])
        ),
        due=deadline,
        milestone=d.get("milestone"),
        message=message,
        pause_point=bool(d.get("pause_point", False)),
        not_before=_deadline_from_data(d.get("not_before")),
    )


def from_data(data: dict[str, Any], source: str = "") -> Playbook:
    """The inverse of ``to_data`` (for snapshots written by crisis)."""
    if not isinstance(data, dict):
        raise TypeError("a playbook snapshot must be a mapping")
    severity = data.get("severity") or {}
    levels = tuple(
        SeverityLevel(str(lv["id"]), str(lv.get("description", "")))
        for lv in severity.get("levels", [])
    )
    order = tuple(lv.id for lv in levels or DEFAULT_SEVERITIES)
    return Playbook(
        id=str(data["id"]),
        title=str(data["title"]),
        phases=tuple(
            Phase(
                str(p["id"]),
                str(p["title"]),
                tuple(_step_from_data(s, order) for s in p["steps"]),
                str(p.get("description", "")),
                bool(p.get("required", False)),
            )
            for p in data["phases"]
        ),
        version=str(data.get("version", "1")),
        description=str(data.get("description", "")),
        language=str(data.get("language", "en")),
        kind=str(data.get("kind", "general")),
        tags=tuple(str(t) for t in data.get("tags", [])),
        inputs=tuple(_question_from_data(q) for q in data.get("inputs", [])),
        severities=levels or DEFAULT_SEVERITIES,
        default_severity=str(severity.get("default", "moderate")),
        exit_criteria=tuple(str(c) for c in data.get("exit_criteria", [])),
        platform_limits=tuple((str(k), int(v)) for k, v in data.get("platform_limits", {}).items()),
        source=source,
        roles=tuple(str(r) for r in data.get("roles", [])),
        cadences=tuple(_cadence_from_data(c) for c in data.get("cadence", [])),
        purpose=str(data.get("purpose", "incident")),
        require_signature=bool((data.get("approval") or {}).get("require_signature", False)),
        mention_floors=tuple(
            (float(f["above"]), str(f["floor"])) for f in severity.get("mentions", [])
        ),
    )
