"""Build a ``Playbook`` from YAML data, collecting every problem with its place.

``build`` never raises on bad content: it records ``Problem``s (path, message, rule,
severity) and returns the best model it could make. ``load_playbook`` raises the first
error as a one-line ``PlaybookError`` naming file:line:column; ``crisis lint`` reports
them all. Checks the engine relies on (unique ids, branch targets that exist, conditions
on questions that exist) live here too, so a playbook that loads can always be run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from crisiscli.errors import Location, PlaybookError
from crisiscli.playbook import model as m
from crisiscli.playbook import spec
from crisiscli.timeutil import DURATION_HELP, not_a_duration, parse_duration

if TYPE_CHECKING:
    from crisiscli.playbook.yamlsource import Document

Path_ = tuple[str | int, ...]

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """Something wrong with a playbook. ``rule`` is a stable short name lint maps to ids."""

    path: Path_
    message: str
    rule: str
    severity: Severity = "error"
    on_key: bool = False


@dataclass
class BuildResult:
    playbook: m.Playbook | None
    problems: list[Problem] = field(default_factory=list)
    document: Document | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


PLAYBOOK_KEYS = set(spec.PLAYBOOK_KEYS)
PHASE_KEYS = set(spec.PHASE_KEYS)
STEP_KEYS = set(spec.STEP_KEYS)
QUESTION_KEYS = set(spec.QUESTION_KEYS)
SETTABLE = spec.SETTABLE
ITEM_KEYS = set(spec.ITEM_KEYS)
MESSAGE_KEYS = set(spec.MESSAGE_KEYS)
MESSAGE_KINDS = spec.MESSAGE_KINDS
CADENCE_KEYS = set(spec.CADENCE_KEYS)
# YAML 1.2 (what editors read) knows only these as booleans; ``yes``/``on`` are text there.
_YAML12_BOOLEANS = {"true", "True", "TRUE", "false", "False", "FALSE"}


def _close(word: str, options: list[str], n: int = 1) -> list[str]:
    import difflib  # only when there is a hint to give

    return difflib.get_close_matches(word, options, n=n)


class _Builder:
    def __init__(self, doc: Document | None) -> None:
        self.doc = doc
        self.problems: list[Problem] = []
        # The severity scale, lowest first: read before the phases, whose conditions use it.
        self.severity_order: tuple[str, ...] = tuple(lv.id for lv in m.DEFAULT_SEVERITIES)
        self.located: list[tuple[Path_, m.Step]] = []  # each built step and where it is written
        self.located_cadences: list[tuple[Path_, m.Cadence]] = []
        self.floors: list[tuple[Path_, str]] = []  # every ``floor:`` and where (checked last)
        self.mention_floors: tuple[tuple[float, str], ...] = ()

    # -- reporting ----------------------------------------------------------------------

    def problem(
        self,
        at: Path_,
        message: str,
        rule: str = "schema",
        severity: Severity = "error",
        *,
        on_key: bool = False,
    ) -> None:
        self.problems.append(Problem(at, message, rule, severity, on_key))

    # -- typed accessors ------------------------------------------------------------------

    def mapping(
        self, value: Any, at: Path_, allowed: set[str], what: str, required: tuple[str, ...] = ()
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.problem(at, f"{what} must be a mapping, not {_kind(value)}")
            return None
        for key in value:
            if key not in allowed:
                close = _close(key, sorted(allowed), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                self.problem(
                    (*at, key), f"unknown key '{key}' in {what}{hint}", "unknown-key", on_key=True
                )
        for key in required:
            if value.get(key) is None:
                self.problem(at, f"{what} needs '{key}'", "required")
        for key, entry in value.items():
            # `goto:` with nothing after it is a line left half-written, not "no goto"
            if entry is None and key in allowed and key not in required:
                self.problem((*at, key), f"'{key}' is empty: give it a value or remove the line")
        return value

    def text(self, value: Any, at: Path_, what: str) -> str | None:
        """A string field; YAML 1.1 surprises keep their written text (and get a warning)."""
        if value is None:
            return None
        if isinstance(value, str):
            return value
        raw = self.doc.raw.get(at) if self.doc else None
        if raw is not None and not isinstance(value, (list, dict)):
            self.problem(
                at,
                f"{what} '{raw}' is read by YAML as {_kind(value)}; quote it to keep it text",
                "yaml11-scalar",
                "warning",
            )
            return raw
        if isinstance(value, (bool, int, float)):
            return str(value)
        self.problem(at, f"{what} must be text, not {_kind(value)}")
        return None

    def ident(self, value: Any, at: Path_, what: str) -> str | None:
        if value is not None and not isinstance(value, str):
            raw = self.doc.raw.get(at) if self.doc else None
            shown = f"'{raw}' " if raw is not None else ""
            self.problem(at, f"{what} {shown}must be text; quote it")
            return raw
        result = self.text(value, at, what)
        if result is None:
            return None
        if not spec.is_id(result):
            self.problem(
                at,
                f"{what} '{result}' must be lowercase letters, digits, '-' or '_' (max 64)",
                "bad-id",
            )
        return result

    def flag(self, value: Any, at: Path_, what: str, default: bool) -> bool:
        if value is None:
            return default
        raw = self.doc.raw.get(at) if self.doc else None
        if isinstance(value, bool) and raw is not None and raw not in _YAML12_BOOLEANS:
            self.problem(
                at,
                f"{what} '{raw}' is true or false only in YAML 1.1; write {str(value).lower()}",
            )
            return value
        if isinstance(value, bool):
            return value
        self.problem(at, f"{what} must be true or false, not {_kind(value)}")
        return default

    def text_list(self, value: Any, at: Path_, what: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, (list, dict)):
            single = self.text(value, at, what)
            return (single,) if single is not None else ()
        if not isinstance(value, list):
            self.problem(at, f"{what} must be a list, not {_kind(value)}")
            return ()
        found = []
        for i, entry in enumerate(value):
            if entry is None:
                self.problem((*at, i), f"{what} is empty")
                continue
            item = self.text(entry, (*at, i), what)
            if item is not None:
                found.append(item)
        return tuple(found)

    def limits(self, value: Any, at: Path_) -> tuple[tuple[str, int], ...]:
        if value is None:
            return ()
        if not isinstance(value, dict):
            self.problem(at, f"platform limits must be a mapping, not {_kind(value)}")
            return ()
        found = []
        for name, limit in value.items():
            if isinstance(limit, float) and limit.is_integer():
                limit = int(limit)  # 280.0 is 280, as JSON Schema's "integer" has it
            if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
                self.problem((*at, name), f"limit for '{name}' must be a positive whole number")
                continue
            found.append((str(name).lower(), limit))
        return tuple(found)

    # -- pieces ---------------------------------------------------------------------------

    def condition(self, value: Any, at: Path_) -> m.Condition | None:
        if value is None:
            return None
        if not isinstance(value, dict) or not value:
            self.problem(at, "a condition must be a mapping such as {question-id: value}")
            return None
        parts: list[m.Condition] = []
        for key, sub in value.items():
            where = (*at, key)
            if key in ("all", "any"):
                if not isinstance(sub, list) or not sub:
                    self.problem(where, f"'{key}' needs a non-empty list of conditions")
                    continue
                subs = [self.condition(c, (*where, i)) for i, c in enumerate(sub)]
                kept = tuple(c for c in subs if c is not None)
                parts.append(m.AllOf(kept) if key == "all" else m.AnyOf(kept))
            elif key == "not":
                inner = self.condition(sub, where)
                if inner is not None:
                    parts.append(m.Not(inner))
            elif key == m.SEVERITY_REF:
                severity = self.severity_condition(sub, where)
                if severity is not None:
                    parts.append(severity)
            else:
                values = sub if isinstance(sub, list) else [sub]
                texts = []
                for i, v in enumerate(values):
                    vat = (*where, i) if isinstance(sub, list) else where
                    raw = self.doc.raw.get(vat) if self.doc else None
                    if isinstance(v, (dict, list)) or v is None:
                        self.problem(vat, f"condition on '{key}' needs a value to compare with")
                        continue
                    texts.append(raw if raw is not None else str(v))
                parts.append(m.Equals(str(key), tuple(texts)))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else m.AllOf(tuple(parts))

    def severity_condition(self, value: Any, at: Path_) -> m.SeverityIs | None:
        """``severity: high``, ``severity: [high, critical]`` or ``severity: {at_least: high}``
        (``at_most`` too, or both): a test of the incident's current severity."""
        order = self.severity_order
        if isinstance(value, dict):
            if not value:
                self.problem(at, "a severity condition needs at_least or at_most")
                return None
            bounds: list[tuple[str, str]] = []
            for word, level in value.items():
                where = (*at, word)
                if word not in m.SEVERITY_BOUNDS:
                    self.problem(
                        where,
                        f"unknown key '{word}' in a severity condition "
                        f"(use {' or '.join(m.SEVERITY_BOUNDS)})",
                        "unknown-key",
                        on_key=True,
                    )
                    continue
                text = self.text(level, where, "severity level")
                if text is None or isinstance(level, (dict, list)):
                    self.problem(where, f"{word} needs one severity level")
                    continue
                if text not in order:
                    self.problem(
                        where,
                        f"'{text}' is not a severity level ({', '.join(order)})",
                        "unknown-choice",
                    )
                    continue
                bounds.append((str(word), text))
            if not bounds:
                return None
            levels = m.severity_levels_between(order, tuple(bounds))
            if not levels:
                self.problem(at, "no severity level is within these bounds: it never holds")
            return m.SeverityIs(m.SEVERITY_REF, levels, tuple(bounds))
        values = value if isinstance(value, list) else [value]
        found = []
        for i, v in enumerate(values):
            where = (*at, i) if isinstance(value, list) else at
            text = None if isinstance(v, (dict, list)) else self.text(v, where, "severity level")
            if text is None:
                self.problem(where, "a condition on severity needs a level to compare with")
            elif text not in order:
                self.problem(
                    where,
                    f"'{text}' is not a severity level ({', '.join(order)})",
                    "unknown-choice",
                )
            else:
                found.append(text)
        return m.SeverityIs(m.SEVERITY_REF, tuple(found)) if found else None

    def question(self, value: Any, at: Path_, what: str) -> m.Question | None:
        data = self.mapping(value, at, QUESTION_KEYS, what, ("id", "prompt"))
        if data is None:
            return None
        qid = self.ident(data.get("id"), (*at, "id"), f"{what} id")
        prompt = self.text(data.get("prompt"), (*at, "prompt"), "prompt")
        qtype = self.text(data.get("type", "text"), (*at, "type"), "type")
        if qtype == "":
            self.problem((*at, "type"), "type is empty: name one of " + ", ".join(m.QUESTION_TYPES))
        qtype = qtype or "text"
        if qtype not in m.QUESTION_TYPES:
            self.problem(
                (*at, "type"), f"type '{qtype}' is not one of {', '.join(m.QUESTION_TYPES)}"
            )
            qtype = "text"
        choices: list[m.Choice] = []
        raw_choices = data.get("choices")
        if qtype in ("choice", "multi"):
            if not isinstance(raw_choices, list) or not raw_choices:
                self.problem(at, f"a '{qtype}' question needs a non-empty list of choices")
            else:
                for i, entry in enumerate(raw_choices):
                    choice = self.choice(entry, (*at, "choices", i))
                    if choice is None:
                        continue
                    if any(c.value == choice.value for c in choices):
                        self.problem(
                            (*at, "choices", i),
                            f"choice '{choice.value}' is listed twice",
                            "duplicate-id",
                        )
                    choices.append(choice)
        elif raw_choices is not None:
            self.problem((*at, "choices"), f"a '{qtype}' question takes no choices")
        required = self.flag(data.get("required"), (*at, "required"), "required", True)
        if qtype == "actions" and data.get("default") is not None:
            self.problem((*at, "default"), "an 'actions' question takes no default")
        if qtype == "actions" and what == "input":
            self.problem(
                (*at, "type"), "an input cannot be an 'actions' question (ask it in a step)"
            )
        default = self.default(data.get("default"), (*at, "default"), qtype, choices)
        help_text = self.text(data.get("help"), (*at, "help"), "help")
        sets = self.text(data.get("sets"), (*at, "sets"), "sets")
        if sets is not None and sets not in SETTABLE:
            self.problem((*at, "sets"), f"sets must be one of {', '.join(SETTABLE)}, not '{sets}'")
            sets = None
        if sets is not None and qtype != spec.SETS_TYPE[sets]:
            if sets == "severity":
                self.problem((*at, "sets"), "only a 'choice' question can set the severity")
            else:
                self.problem((*at, "sets"), f"only a 'text' question can set {sets}")
            sets = None
        floor = self.text(data.get("floor"), (*at, "floor"), "floor")
        if floor is not None and qtype != "yesno":
            self.problem(
                (*at, "floor"),
                "floor on a question is for yes/no questions (a yes sets it); "
                "put it on the choices of a choice question",
            )
            floor = None
        if floor is not None:
            self.floors.append(((*at, "floor"), floor))
        review = self.text(data.get("review"), (*at, "review"), "review")
        if review is not None and review not in spec.REVIEW_FIELDS:
            self.problem(
                (*at, "review"),
                f"review must be one of {', '.join(spec.REVIEW_FIELDS)}, not '{review}'",
            )
            review = None
        if qid is None or prompt is None:
            return None
        return m.Question(
            qid,
            prompt,
            qtype,  # type: ignore[arg-type]
            tuple(choices),
            required,
            default,
            help_text,
            sets,
            floor,
            review,
        )

    def choice(self, value: Any, at: Path_) -> m.Choice | None:
        if isinstance(value, dict):
            data = self.mapping(value, at, set(spec.CHOICE_KEYS), "choice", ("value",))
            if data is None:
                return None
            cvalue = self.text(data.get("value"), (*at, "value"), "choice value")
            label = self.text(data.get("label"), (*at, "label"), "choice label")
            routine = self.flag(data.get("no_incident"), (*at, "no_incident"), "no_incident", False)
            floor = self.text(data.get("floor"), (*at, "floor"), "floor")
            if floor is not None:
                self.floors.append(((*at, "floor"), floor))
            if cvalue is None:
                return None
            return m.Choice(cvalue, label or cvalue, bool(routine), floor)
        if value is None:
            self.problem(at, "a choice needs text (this one is empty)")
            return None
        text = self.text(value, at, "choice")
        return m.Choice(text, text) if text is not None else None

    def default(
        self, value: Any, at: Path_, qtype: str, choices: list[m.Choice]
    ) -> str | bool | tuple[str, ...] | None:
        if value is None:
            return None
        if qtype == "yesno":
            if isinstance(value, bool):
                return value
            word = value if isinstance(value, str) else None
            parsed = m.truthy_word(word) if word is not None else None
            if parsed is None:
                self.problem(at, "default of a yes/no question must be yes or no")
            return parsed
        if qtype == "multi":
            values = self.text_list(value, at, "default")
            known = {c.value for c in choices}
            for v in values:
                if known and v not in known:
                    self.problem(at, f"default '{v}' is not one of the choices", "unknown-choice")
            return values
        text = self.text(value, at, "default")
        if (
            qtype == "choice"
            and text is not None
            and choices
            and text not in {c.value for c in choices}
        ):
            self.problem(at, f"default '{text}' is not one of the choices", "unknown-choice")
        return text

    def item(self, value: Any, at: Path_, index: int) -> m.Item | None:
        if value is None:
            self.problem(at, "an item needs text (this one is empty)")
            return None
        if isinstance(value, str) or (
            not isinstance(value, dict) and self.doc and at in self.doc.raw
        ):
            text = self.text(value, at, "item")
            return m.Item(f"i{index + 1}", text) if text is not None else None
        data = self.mapping(value, at, ITEM_KEYS, "item", ("id", "text"))
        if data is None:
            return None
        iid = self.ident(data.get("id"), (*at, "id"), "item id")
        text = self.text(data.get("text"), (*at, "text"), "item text")
        when = self.condition(data.get("when"), (*at, "when"))
        if iid is None or text is None:
            return None
        return m.Item(iid, text, when)

    def deadline(self, value: Any, at: Path_, step_title: str) -> m.Deadline | None:
        if value is None:
            return None
        label = f"{step_title}"
        after_at = at
        if isinstance(value, dict):
            data = self.mapping(value, at, {"after", "label"}, "due", ("after",))
            if data is None:
                return None
            after_at = (*at, "after")
            label = self.text(data.get("label"), (*at, "label"), "label") or label
            value = data.get("after")
        if isinstance(value, (bool, int, float)):
            self.problem(after_at, f"due '{value}' needs a unit, such as '{value}m' (minutes)")
            return None
        if not isinstance(value, str):
            self.problem(after_at, f"due must be a duration: {DURATION_HELP}")
            return None
        seconds = parse_duration(value)
        if seconds is None:
            self.problem(after_at, not_a_duration(value))
            return None
        if seconds > m.MAX_DUE_SECONDS:
            self.problem(
                after_at,
                f"due '{value.strip()}' is more than {m.MAX_DUE_SECONDS // 86400} days after the "
                "start; a deadline must fall within a year",
            )
            return None
        return m.Deadline(seconds, label, value.strip())

    def duration(self, value: Any, at: Path_, what: str) -> tuple[int, str] | None:
        """A duration such as ``30m`` (seconds and the text as written), or a problem."""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.problem(at, f"{what} '{value}' needs a unit, such as '{value}m' (minutes)")
            return None
        if not isinstance(value, str):
            self.problem(at, f"{what} must be a duration: {DURATION_HELP}")
            return None
        seconds = parse_duration(value)
        if seconds is None:
            self.problem(at, not_a_duration(value))
            return None
        return seconds, value.strip()

    def cadence(self, value: Any, at: Path_) -> m.Cadence | None:
        """One recurring deadline: ``{id, label, every, first, severity, kinds, until}``."""
        data = self.mapping(value, at, CADENCE_KEYS, "cadence", spec.CADENCE_REQUIRED)
        if data is None:
            return None
        cid = self.ident(data.get("id"), (*at, "id"), "cadence id")
        label = self.text(data.get("label"), (*at, "label"), "label")
        every = first = None
        if "every" in data:
            every = self.duration(data.get("every"), (*at, "every"), "every")
        if "first" in data:
            first = self.duration(data.get("first"), (*at, "first"), "first")
        levels: list[tuple[str, int | None, str]] = []
        raw_levels = data.get("severity")
        if "severity" in data and not isinstance(raw_levels, dict):
            self.problem(
                (*at, "severity"),
                "severity must map levels to a duration or off, e.g. {critical: 15m, low: off}",
            )
        for level, interval in (raw_levels or {}).items() if isinstance(raw_levels, dict) else ():
            where = (*at, "severity", level)
            raw = self.doc.raw.get(where) if self.doc else None
            word = raw if raw is not None else interval
            # "off" (which YAML 1.1 reads as false), "none" or a YAML 1.2 false: no updates.
            if (interval is False and raw in (None, *_YAML12_BOOLEANS)) or (
                isinstance(word, str) and word.strip() in spec.OFF_WORDS
            ):
                levels.append((str(level), None, "off"))
                continue
            found = self.duration(interval, where, f"the interval for '{level}'")
            if found is not None:
                levels.append((str(level), found[0], found[1]))
        if "every" not in data and "severity" not in data:
            self.problem(at, "a cadence needs 'every' (e.g. every: 30m) or intervals by severity")
        kinds = self.text_list(data.get("kinds"), (*at, "kinds"), "message kind")
        for i, kind in enumerate(kinds):
            if kind not in MESSAGE_KINDS:
                where = (*at, "kinds", i) if isinstance(data.get("kinds"), list) else (*at, "kinds")
                self.problem(
                    where, f"message kind '{kind}' is not one of {', '.join(MESSAGE_KINDS)}"
                )
        until = self.ident(data.get("until"), (*at, "until"), "until")
        if cid is None:
            return None
        cadence = m.Cadence(
            cid,
            label or cid,
            every[0] if every else None,
            every[1] if every else None,
            first[0] if first else None,
            first[1] if first else None,
            tuple(levels),
            tuple(k for k in kinds if k in MESSAGE_KINDS) if kinds else spec.PUBLIC_KINDS,
            until,
        )
        self.located_cadences.append((at, cadence))
        return cadence

    def cadences(self, value: Any, at: Path_) -> tuple[m.Cadence, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(at, f"cadence must be a list of recurring deadlines, not {_kind(value)}")
            return ()
        found = []
        for i, entry in enumerate(value):
            cadence = self.cadence(entry, (*at, i))
            if cadence is not None:
                found.append(cadence)
        return tuple(found)

    def branches(self, value: Any, at: Path_) -> tuple[m.Branch, ...]:
        if value is None:
            return ()
        if not isinstance(value, (list, dict)):
            target = self.text(value, at, "goto target")  # `goto: 5` is step '5', as `to: 5` is
            return (m.Branch(target),) if target else ()
        if not isinstance(value, list):
            self.problem(at, "goto must be a step id or a list of {to, when} rules")
            return ()
        found = []
        for i, rule in enumerate(value):
            where = (*at, i)
            if rule is not None and not isinstance(rule, (dict, list)):
                target = self.text(rule, where, "goto target")
                if target:
                    found.append(m.Branch(target))
                continue
            data = self.mapping(rule, where, {"to", "when"}, "goto rule", ("to",))
            if data is None:
                continue
            to = self.text(data.get("to"), (*where, "to"), "goto target")
            when = self.condition(data.get("when"), (*where, "when"))
            if to is not None:
                found.append(m.Branch(to, when))
        return tuple(found)

    def message(self, value: Any, at: Path_) -> m.Message | None:
        if value is None:
            return None
        data = self.mapping(value, at, MESSAGE_KEYS, "message", ("template",))
        if data is None:
            return None
        template = self.text(data.get("template"), (*at, "template"), "template")
        platforms = tuple(
            p.lower() for p in self.text_list(data.get("platforms"), (*at, "platforms"), "platform")
        )
        approval = self.flag(data.get("approval"), (*at, "approval"), "approval", False)
        kind = (
            self.text(data.get("kind", "statement"), (*at, "kind"), "message kind") or "statement"
        )
        if kind not in MESSAGE_KINDS:
            self.problem(
                (*at, "kind"), f"message kind '{kind}' is not one of {', '.join(MESSAGE_KINDS)}"
            )
        banned = self.text_list(data.get("banned"), (*at, "banned"), "banned phrase")
        limits = self.limits(data.get("limits"), (*at, "limits"))
        escalate = None
        if data.get("escalate_after") is not None:
            found = self.duration(data["escalate_after"], (*at, "escalate_after"), "escalate_after")
            escalate = found[1] if found is not None else None
        audience = None
        if data.get("audience") is not None:
            audience = self.text(data["audience"], (*at, "audience"), "audience")
            if audience is not None and audience not in spec.MESSAGE_AUDIENCES:
                self.problem(
                    (*at, "audience"),
                    f"audience '{audience}' is not one of {', '.join(spec.MESSAGE_AUDIENCES)}",
                )
                audience = None
        per_person = self.flag(data.get("per_person"), (*at, "per_person"), "per_person", False)
        if template is None:
            return None
        return m.Message(
            template,
            platforms,
            approval,
            kind,
            banned,
            limits,
            escalate,
            written_audience=audience,
            per_person=per_person,
        )

    def step(self, value: Any, at: Path_) -> m.Step | None:
        data = self.mapping(value, at, STEP_KEYS, "step", ("id", "title"))
        if data is None:
            return None
        sid = self.ident(data.get("id"), (*at, "id"), "step id")
        title = self.text(data.get("title"), (*at, "title"), "title")
        guidance = self.text(data.get("guidance"), (*at, "guidance"), "guidance") or ""
        checklist = self.text(data.get("checklist", "do-confirm"), (*at, "checklist"), "checklist")
        if checklist not in m.CHECKLIST_KINDS:
            self.problem(
                (*at, "checklist"), f"checklist must be one of {', '.join(m.CHECKLIST_KINDS)}"
            )
            checklist = "do-confirm"
        items: list[m.Item] = []
        raw_items = data.get("items")
        if raw_items is not None and not isinstance(raw_items, list):
            self.problem((*at, "items"), f"items must be a list, not {_kind(raw_items)}")
        if isinstance(raw_items, list) and len(raw_items) > m.MAX_ITEMS_PER_STEP:
            self.problem(
                (*at, "items"),
                f"a step has {len(raw_items):,} items; at most {m.MAX_ITEMS_PER_STEP} "
                "(a responder cannot work through more at 2 a.m.: split it into steps)",
                on_key=True,
            )
            raw_items = raw_items[: m.MAX_ITEMS_PER_STEP]
        for i, entry in enumerate(raw_items if isinstance(raw_items, list) else []):
            item = self.item(entry, (*at, "items", i), i)
            if item is not None:
                items.append(item)
        questions: list[m.Question] = []
        raw_questions = data.get("questions")
        if raw_questions is not None and not isinstance(raw_questions, list):
            self.problem(
                (*at, "questions"), f"questions must be a list, not {_kind(raw_questions)}"
            )
        for i, entry in enumerate(raw_questions if isinstance(raw_questions, list) else []):
            q = self.question(entry, (*at, "questions", i), "question")
            if q is not None:
                questions.append(q)
        when = self.condition(data.get("when"), (*at, "when"))
        goto = self.branches(data.get("goto"), (*at, "goto"))
        due = self.deadline(data.get("due"), (*at, "due"), title or sid or "step")
        milestone = self.text(data.get("milestone"), (*at, "milestone"), "milestone")
        if milestone is not None and milestone not in m.MILESTONES:
            self.problem(
                (*at, "milestone"),
                f"milestone '{milestone}' is not one of {', '.join(m.MILESTONES)}",
            )
            milestone = None
        message = self.message(data.get("message"), (*at, "message"))
        pause_point = self.flag(data.get("pause_point"), (*at, "pause_point"), "pause_point", False)
        not_before = self.deadline(
            data.get("not_before"), (*at, "not_before"), f"{title or sid or 'step'}: not before"
        )
        if sid is None or title is None:
            return None
        step = m.Step(
            sid,
            title,
            guidance,
            checklist,  # type: ignore[arg-type]
            tuple(items),
            tuple(questions),
            when,
            goto,
            due,
            milestone,
            message,
            pause_point,
            not_before,
        )
        self.located.append((at, step))
        return step

    def phase(self, value: Any, at: Path_) -> m.Phase | None:
        data = self.mapping(value, at, PHASE_KEYS, "phase", ("id", "title", "steps"))
        if data is None:
            return None
        pid = self.ident(data.get("id"), (*at, "id"), "phase id")
        title = self.text(data.get("title"), (*at, "title"), "title")
        description = self.text(data.get("description"), (*at, "description"), "description") or ""
        required = self.flag(data.get("required"), (*at, "required"), "required", False)
        raw_steps = data.get("steps")
        steps = []
        if raw_steps is not None and (not isinstance(raw_steps, list) or not raw_steps):
            self.problem((*at, "steps"), "steps must be a non-empty list")
        for i, entry in enumerate(raw_steps if isinstance(raw_steps, list) else []):
            step = self.step(entry, (*at, "steps", i))
            if step is not None:
                steps.append(step)
        if pid is None or title is None:
            return None
        return m.Phase(pid, title, tuple(steps), description, required)

    def severity(self, value: Any, at: Path_) -> tuple[tuple[m.SeverityLevel, ...], str]:
        if value is None:
            return m.DEFAULT_SEVERITIES, "moderate"
        data = self.mapping(value, at, {"levels", "default", "mentions"}, "severity", ("levels",))
        if data is None:
            return m.DEFAULT_SEVERITIES, "moderate"
        self.mention_floors = self.mention_floor_list(data.get("mentions"), (*at, "mentions"))
        levels: list[m.SeverityLevel] = []
        raw = data.get("levels")
        if not isinstance(raw, list) or not raw:
            self.problem((*at, "levels"), "severity levels must be a non-empty list")
        for i, entry in enumerate(raw if isinstance(raw, list) else []):
            where = (*at, "levels", i)
            if isinstance(entry, dict):
                level = self.mapping(entry, where, {"id", "description"}, "severity level", ("id",))
                if level is None:
                    continue
                lid = self.ident(level.get("id"), (*where, "id"), "severity id")
                desc = self.text(level.get("description"), (*where, "description"), "description")
                if lid:
                    levels.append(m.SeverityLevel(lid, desc or ""))
            else:
                lid = self.ident(entry, where, "severity id")
                if lid:
                    levels.append(m.SeverityLevel(lid))
        if not levels:
            levels = list(m.DEFAULT_SEVERITIES)
        default = self.text(data.get("default"), (*at, "default"), "default severity")
        ids = [lv.id for lv in levels]
        if default is None:
            default = "moderate" if "moderate" in ids else ids[(len(ids) - 1) // 2]
        elif default not in ids:
            self.problem(
                (*at, "default"),
                f"default severity '{default}' is not one of {', '.join(ids)}",
                "unknown-choice",
            )
            default = ids[0]
        return tuple(levels), default

    def mention_floor_list(self, value: Any, at: Path_) -> tuple[tuple[float, str], ...]:
        """``mentions: [{above: 5, floor: high}]``: a ratio to normal that sets a floor."""
        if value is None:
            return ()
        entries = value if isinstance(value, list) else [value]
        found: list[tuple[float, str]] = []
        for i, entry in enumerate(entries):
            where = (*at, i) if isinstance(value, list) else at
            data = self.mapping(
                entry, where, {"above", "floor"}, "mention floor", ("above", "floor")
            )
            if data is None:
                continue
            above = data.get("above")
            if isinstance(above, bool) or not isinstance(above, (int, float)) or above <= 0:
                self.problem((*where, "above"), "above must be a ratio to normal, such as 5")
                continue
            floor = self.text(data.get("floor"), (*where, "floor"), "floor")
            if floor is not None:
                self.floors.append(((*where, "floor"), floor))
                found.append((float(above), floor))
        return tuple(found)

    def approval(self, value: Any, at: Path_) -> bool:
        """``approval: {require_signature: true}``: signed approvals only (docs/team.md)."""
        if value is None:
            return False
        if not isinstance(value, dict):
            self.problem(at, f"approval must be a mapping such as {{require_signature: true}}, not {_kind(value)}")  # fmt: skip
            return False
        for key in value:
            if key not in spec.APPROVAL_KEYS:
                self.problem((*at, key), f"unknown key '{key}' (expected: {', '.join(spec.APPROVAL_KEYS)})")  # fmt: skip
        required = value.get("require_signature", False)
        if not isinstance(required, bool):
            self.problem((*at, "require_signature"), "require_signature must be true or false")
            return False
        return required

    def roles(self, value: Any, at: Path_) -> tuple[str, ...]:
        """Optional incident roles (``[commander, comms-lead, legal]``): ids, each once."""
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(at, f"roles must be a list of role ids, not {_kind(value)}")
            return ()
        found: list[str] = []
        for i, entry in enumerate(value):
            role = self.ident(entry, (*at, i), "role id")
            if role is None:
                continue
            if role in found:
                self.problem((*at, i), f"role '{role}' is listed twice", "duplicate-id")
                continue
            found.append(role)
        return tuple(found)

    # -- whole playbook -------------------------------------------------------------------

    def playbook(self, value: Any, source: str) -> m.Playbook | None:
        if not isinstance(value, dict):
            self.problem(
                (),
                f"expected a playbook (a mapping with id, title and phases), found {_kind(value)}",
            )
            return None
        data = self.mapping(value, (), PLAYBOOK_KEYS, "playbook", ("id", "title", "phases"))
        assert data is not None
        fmt = data.get("crisis", m.FORMAT_VERSION)
        if isinstance(fmt, bool) or not isinstance(fmt, (int, float)) or fmt != m.FORMAT_VERSION:
            self.problem(
                ("crisis",),
                f"format version {fmt!r} is not supported (this crisis reads {m.FORMAT_VERSION})",
            )
        pid = self.ident(data.get("id"), ("id",), "playbook id")
        title = self.text(data.get("title"), ("title",), "title")
        version = self.text(data.get("version", "1"), ("version",), "version") or "1"
        description = self.text(data.get("description"), ("description",), "description") or ""
        language = self.text(data.get("language", "en"), ("language",), "language") or "en"
        kind = self.text(data.get("kind", "general"), ("kind",), "kind") or "general"
        purpose = self.text(data.get("purpose", "incident"), ("purpose",), "purpose") or "incident"
        if purpose not in spec.PURPOSES:
            self.problem(
                ("purpose",), f"purpose '{purpose}' is not one of {', '.join(spec.PURPOSES)}"
            )
            purpose = "incident"
        tags = self.text_list(data.get("tags"), ("tags",), "tag")
        inputs = []
        raw_inputs = data.get("inputs")
        if raw_inputs is not None and not isinstance(raw_inputs, list):
            self.problem(("inputs",), f"inputs must be a list, not {_kind(raw_inputs)}")
        for i, entry in enumerate(raw_inputs if isinstance(raw_inputs, list) else []):
            q = self.question(entry, ("inputs", i), "input")
            if q is not None:
                inputs.append(q)
        severities, default_severity = self.severity(data.get("severity"), ("severity",))
        self.severity_order = tuple(lv.id for lv in severities)
        exit_criteria = self.text_list(
            data.get("exit_criteria"), ("exit_criteria",), "exit criterion"
        )
        platform_limits = self.limits(data.get("platform_limits"), ("platform_limits",))
        roles = self.roles(data.get("roles"), ("roles",))
        cadences = self.cadences(data.get("cadence"), ("cadence",))
        require_signature = self.approval(data.get("approval"), ("approval",))
        phases = []
        raw_phases = data.get("phases")
        if raw_phases is not None and (not isinstance(raw_phases, list) or not raw_phases):
            self.problem(("phases",), "phases must be a non-empty list")
        for i, entry in enumerate(raw_phases if isinstance(raw_phases, list) else []):
            phase = self.phase(entry, ("phases", i))
            if phase is not None:
                phases.append(phase)
        if pid is None or title is None or not phases:
            return None
        playbook = m.Playbook(
            pid,
            title,
            tuple(phases),
            version,
            description,
            language,
            kind,
            tags,
            tuple(inputs),
            severities,
            default_severity,
            exit_criteria,
            platform_limits,
            source,
            roles=roles,
            cadences=cadences,
            purpose=purpose,
            mention_floors=self.mention_floors,
            require_signature=require_signature,
        )
        self.references(playbook)
        for where, level in self.floors:
            if level not in self.severity_order:
                self.problem(
                    where,
                    f"floor '{level}' is not one of {', '.join(self.severity_order)}",
                    "unknown-choice",
                )
        return playbook

    def references(self, playbook: m.Playbook) -> None:
        """Ids unique, branch targets and condition references that exist."""
        located = self.located  # built steps with where each is written
        seen_phase: set[str] = set()
        for pi, phase in enumerate(playbook.phases):
            if phase.id in seen_phase:
                self.problem(
                    ("phases", pi, "id"), f"phase id '{phase.id}' is used twice", "duplicate-id"
                )
            seen_phase.add(phase.id)
        seen_step: set[str] = set()
        questions: dict[str, m.Question] = {}
        asked: list[tuple[Path_, m.Question]] = [
            (("inputs", qi), q) for qi, q in enumerate(playbook.inputs)
        ]
        asked += [
            ((*sa, "questions", qi), q) for sa, s in located for qi, q in enumerate(s.questions)
        ]
        for where_asked, question in asked:
            if question.id == m.SEVERITY_REF:
                self.problem(
                    (*where_asked, "id"),
                    f"'{m.SEVERITY_REF}' is reserved: in conditions it means the incident's "
                    "severity (a grading question uses sets: severity)",
                    "bad-id",
                )
        for qi, q in enumerate(playbook.inputs):
            if q.id in questions:
                self.problem(
                    ("inputs", qi, "id"), f"input id '{q.id}' is used twice", "duplicate-id"
                )
            questions[q.id] = q
        for at, step in located:
            if step.id in seen_step:
                self.problem((*at, "id"), f"step id '{step.id}' is used twice", "duplicate-id")
            if step.id == m.END:
                self.problem((*at, "id"), f"'{m.END}' is reserved for 'goto: end'", "bad-id")
            seen_step.add(step.id)
            item_ids: set[str] = set()
            for ii, item in enumerate(step.items):
                if item.id in item_ids:
                    self.problem(
                        (*at, "items", ii, "id"),
                        f"item id '{item.id}' is used twice in step '{step.id}'",
                        "duplicate-id",
                    )
                item_ids.add(item.id)
            for qi, q in enumerate(step.questions):
                if q.id in questions:
                    self.problem(
                        (*at, "questions", qi, "id"),
                        f"question id '{q.id}' is used twice",
                        "duplicate-id",
                    )
                questions[q.id] = q
        levels = {lv.id for lv in playbook.severities}
        filled: dict[str, str] = {}  # review field → the question that fills it
        for at, step in located:
            for qi, q in enumerate(step.questions):
                if q.review is None:
                    continue
                if q.review in filled:
                    self.problem(
                        (*at, "questions", qi, "review"),
                        f"review field '{q.review}' is already filled by question "
                        f"'{filled[q.review]}'",
                        "duplicate-id",
                    )
                filled.setdefault(q.review, q.id)
        for at, step in located:
            for qi, q in enumerate(step.questions):
                if q.sets == "severity":
                    for ci, choice in enumerate(q.choices):
                        if choice.value not in levels:
                            self.problem(
                                (*at, "questions", qi, "choices", ci),
                                f"'{choice.value}' is not a severity level "
                                f"({', '.join(lv.id for lv in playbook.severities)})",
                                "unknown-choice",
                            )
        step_ids = {s.id for s in playbook.steps}
        self.cadence_references(playbook, step_ids)
        for at, step in located:
            for bi, branch in enumerate(step.goto):
                if branch.to != m.END and branch.to not in step_ids:
                    where = (
                        (*at, "goto", bi, "to")
                        if self._has((*at, "goto", bi, "to"))
                        else (*at, "goto")
                    )
                    close = _close(branch.to, sorted(step_ids), n=1)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    self.problem(
                        where, f"goto target '{branch.to}' is not a step id{hint}", "unknown-target"
                    )
            conds: list[tuple[Path_, m.Condition | None]] = [((*at, "when"), step.when)]
            conds += [((*at, "goto", bi, "when"), b.when) for bi, b in enumerate(step.goto)]
            conds += [((*at, "items", ii, "when"), it.when) for ii, it in enumerate(step.items)]
            for where, cond in conds:
                for leaf in m.condition_refs(cond):
                    if isinstance(leaf, m.SeverityIs):
                        continue  # checked against the scale as it was read
                    if leaf.ref not in questions:
                        close = _close(leaf.ref, sorted(questions), n=1)
                        hint = f"; did you mean '{close[0]}'?" if close else ""
                        self.problem(
                            (*where, leaf.ref),
                            f"condition refers to '{leaf.ref}', which is no input or question{hint}",
                            "unknown-ref",
                            on_key=True,
                        )
                        continue
                    q = questions[leaf.ref]
                    if q.type in ("choice", "multi"):
                        known = {c.value for c in q.choices}
                        for value in leaf.values:
                            if value not in known:
                                self.problem(
                                    (*where, leaf.ref),
                                    f"'{value}' is not a choice of '{leaf.ref}' ({', '.join(sorted(known))})",
                                    "unknown-choice",
                                    on_key=True,
                                )
                    elif q.type == "actions":
                        self.problem(
                            (*where, leaf.ref),
                            f"'{leaf.ref}' collects action items; a condition cannot test it",
                            "unknown-choice",
                            on_key=True,
                        )
                    elif q.type == "yesno":
                        for value in leaf.values:
                            if m.truthy_word(value) is None:
                                self.problem(
                                    (*where, leaf.ref),
                                    f"'{leaf.ref}' is a yes/no question; '{value}' is neither",
                                    "unknown-choice",
                                    on_key=True,
                                )

    def cadence_references(self, playbook: m.Playbook, step_ids: set[str]) -> None:
        """Cadence ids unique, severity levels and ``until`` steps that exist."""
        levels = [lv.id for lv in playbook.severities]
        seen: set[str] = set()
        for at, cadence in self.located_cadences:
            if cadence.id in seen:
                self.problem(
                    (*at, "id"), f"cadence id '{cadence.id}' is used twice", "duplicate-id"
                )
            seen.add(cadence.id)
            for level, _seconds, _text in cadence.by_severity:
                if level not in levels:
                    close = _close(level, levels, n=1)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    self.problem(
                        (*at, "severity", level),
                        f"'{level}' is not a severity level ({', '.join(levels)}){hint}",
                        "unknown-choice",
                        on_key=True,
                    )
            if cadence.until is not None and cadence.until not in step_ids:
                close = _close(cadence.until, sorted(step_ids), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                self.problem(
                    (*at, "until"),
                    f"until '{cadence.until}' is not a step id{hint}",
                    "unknown-target",
                )

    def _has(self, at: Path_) -> bool:
        return bool(self.doc and at in self.doc.positions)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "text"


def build(data: Any, document: Document | None = None, source: str = "") -> BuildResult:
    """Validate and build; never raises for bad content."""
    builder = _Builder(document)
    if document is not None:
        for dup in document.duplicates:
            builder.problem(
                dup.path,
                f"key '{dup.key}' appears twice (first at line {dup.first[0]}); "
                "YAML keeps only the last",
                "duplicate-key",
                on_key=True,
            )
    playbook = builder.playbook(data, source)
    return BuildResult(playbook, builder.problems, document)


def build_text(text: str, shown: str) -> BuildResult:
    """Parse and build; YAML syntax errors still raise ``PlaybookError``."""
    from crisiscli.playbook.yamlsource import parse  # YAML only where YAML is read

    doc = parse(text, shown)
    return build(doc.data, doc, shown)


def problem_location(result: BuildResult, problem: Problem, shown: str) -> Location:
    if result.document is None:
        return Location(shown)
    return result.document.location(problem.path, key=problem.on_key)


def load_playbook(path: Path, display: str | None = None) -> m.Playbook:
    """Load a playbook file; the first error becomes a one-line ``PlaybookError``."""
    from crisiscli.playbook.yamlsource import read_text

    shown = display or str(path)
    result = build_text(read_text(path, shown), shown)
    return _accept(result, shown)


def _accept(result: BuildResult, shown: str) -> m.Playbook:
    if result.errors:
        first = result.errors[0]
        raise PlaybookError(first.message, location=problem_location(result, first, shown))
    assert result.playbook is not None
    return result.playbook
