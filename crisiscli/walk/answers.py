"""``--answers FILE``: a YAML script that stands in for the responder.

    title: Wrong image on the brand account      # optional
    severity: high                               # optional
    inputs: {brand: Acme, platform: x}
    default: done          # what to do with steps not listed (done | skip | defer | na)
    close: true            # close the incident at the end
    steps:
      assess:
        answers: {reach: isolated}
        notes: ["Screenshots saved to the team drive"]
      pause-queue:
        action: [defer, done]   # one action per visit: deferred, then done at the end
      resume-check:
        answers: [{resume: no}, {resume: yes}]   # one mapping per visit of a loop
      apology:
        message: "We got this wrong. ..."
        approver: Dana (comms lead)            # asked, and approves (scripted)
        next_update: 1h          # the next update it promises (30m, 15:30; suggested: the
                                 # time the message names, else the cadence's)
      update:
        message: ["First draft", "Second draft"]   # one text per version
        approver:                               # one decision per request
          - {name: Dana, decision: reject, comment: Too defensive}
          - {name: Dana, decision: approve}
      statement:
        approver: {name: Dana, decision: none}  # Dana never answers ...
        backup: {decision: approve}             # ... the backup does, after escalate_after
      reply:
        approver: self                          # the responder approves it: self-approved
      holding-reply:
        message: "A long reply ..."
        checks_override: Posted as a thread of two   # publish despite over-limit/banned/…
        override: Comms lead unreachable, CEO said go   # no approver: recorded override
      statement:
        action: skip
        reason: Handled by a personal reply instead
      reply-each:                # a `per_person` message: the reply ledger, one person each
        replies:
          - {who: "@fly_in_soup", platform: x, text: "Hi Sam, sorry. Could you DM us?",
             outcome: dm}
          - "@kim"                             # added: owed a reply, none sent yet
      resume-criteria:
        why: Management decided to resume early   # before `not_before`, or graded below a floor
      close:
        answers:
          actions:                 # a `type: actions` question: one item at a time
            - {what: Add an image check to the routine, owner: Sam, due: 2026-12-15}
            - Name a night-time approver          # just what, no owner or date yet

A message that fails its checks (over a platform's limit, a banned phrase, an unfilled
placeholder) is an error unless ``checks_override`` gives a reason. An approval step with
neither ``approver`` nor ``override`` stops with an error at "done". A scripted approver
stands in for the person asked: the decision is recorded as theirs, marked ``scripted``.

Items are all ticked unless ``items: none`` or a list of ids is given. Everything is
checked against the playbook before the run starts: a wrong step id, question or choice
is a one-line error naming the answers file's line and column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crisiscli.errors import AnswersError, Location
from crisiscli.messages.checks import Review
from crisiscli.playbook.model import Playbook, Question, truthy_word
from crisiscli.record.fold import ReplyThread

if TYPE_CHECKING:
    from crisiscli.playbook.yamlsource import Document

from crisiscli.walk.closing import CriterionCheck
from crisiscli.walk.prompter import (
    Action,
    ActionEntry,
    ApprovalChoice,
    EvidenceChoice,
    ItemView,
    ReplyOutcome,
    ReplyPerson,
    ReplyPick,
    ReviewDecision,
    RunSummary,
    StandIn,
    StepView,
    Waiting,
)

ACTIONS = {
    "done": Action.DONE,
    "skip": Action.SKIP,
    "defer": Action.DEFER,
    "na": Action.NOT_APPLICABLE,
    "not-applicable": Action.NOT_APPLICABLE,
    "back": Action.BACK,
    "pause": Action.PAUSE,
}
TOP_KEYS = {
    "title",
    "severity",
    "inputs",
    "steps",
    "default",
    "close",
    "exit_criteria",
    "playbook",
    "drill",
}
STEP_KEYS = {
    "action",
    "reason",
    "items",
    "answers",
    "notes",
    "message",
    "approver",
    "backup",
    "override",
    "checks_override",
    "evidence",
    "next_update",
    "why",
    "replies",
}
DECISIONS = ("approve", "reject", "none")
SELF = "self"  # ``approver: self``: the responder approves their own message


@dataclass
class ScriptedDecision:
    """Who is asked about a version, and what they decide (``none``: no answer)."""

    name: str = ""  # empty for a backup: the backup named in the incident
    decision: str = "approve"
    comment: str = ""


@dataclass(frozen=True)
class ScriptedReply:
    """One person on the reply ledger of a ``per_person`` step, as a script keeps it."""

    who: str
    platform: str | None = None
    link: str | None = None
    text: str = ""  # the reply sent ("": added, no reply yet)
    checks_override: str = ""  # reason to send it despite failed checks
    outcome: str = ""  # answered | dm | phone | email | no-reply-needed ("": still open)
    note: str = ""


REPLY_KEYS = ("who", "platform", "link", "text", "checks_override", "outcome", "note")


@dataclass
class StepScript:
    actions: list[Action] = field(default_factory=list)
    reason: str = ""
    items: str | list[str] = "all"
    # One mapping per visit (a step the flow loops back to is asked again); the last
    # one answers every later visit.
    visit_answers: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)  # one text per version (last repeats)
    approvers: list[ScriptedDecision] = field(default_factory=list)  # one per request
    backup: ScriptedDecision | None = None
    override: str = ""  # approval override reason
    checks_override: str = ""  # reason to publish despite failed checks
    next_update: str = ""  # the next update a public message promises ("suggested": the time
    # the message names, else the cadence's)
    evidence: list[tuple[str, str, bool]] = field(default_factory=list)  # (target, note, url)
    why: str = ""  # done before the step's earliest time, or graded below a floor: the reason
    replies: list[ScriptedReply] = field(default_factory=list)  # the reply ledger, in order

    @property
    def message(self) -> str | None:
        return self.messages[0] if self.messages else None

    @property
    def approver(self) -> str:
        return self.approvers[0].name if self.approvers else ""


@dataclass
class AnswersFile:
    path: str
    title: str | None = None
    severity: str | None = None
    playbook: str | None = None
    drill: bool = False
    inputs: dict[str, Any] = field(default_factory=dict)
    steps: dict[str, StepScript] = field(default_factory=dict)
    default: Action = Action.DONE
    close: bool = False
    exit_criteria: Any = None  # all | none | one yes/no (or {met, note}) per criterion
    locations: dict[tuple[str | int, ...], Location] = field(default_factory=dict)
    # Folders evidence files may come from: the answers file's own, and each --allow-path.
    allowed: tuple[Path, ...] = ()

    def check_path(self, target: str, where: Location) -> str:
        """``target`` if it lies (links resolved) under an allowed folder, else an
        ``AnswersError`` at ``where``: an answers file is handed to us and must not reach
        ``/etc/shadow`` or ``../../.gitconfig`` and have them kept and shared as evidence."""
        return inside_allowed(target, self.allowed, where)

    def where(self, *at: str | int) -> Location:
        probe = tuple(at)
        while probe and probe not in self.locations:
            probe = probe[:-1]
        return self.locations.get(probe, Location(self.path))


def read_script(path: Path) -> Document:
    """Read a YAML script (answers, queue decisions) safely; any problem is an AnswersError
    naming file:line:column, and a repeated key is an error rather than silently dropped."""
    from crisiscli.errors import PlaybookError
    from crisiscli.playbook.yamlsource import parse, read_text

    shown = str(path)
    try:
        doc = parse(read_text(path, shown), shown)
    except PlaybookError as exc:
        raise AnswersError(exc.message, location=exc.location) from None
    if doc.duplicates:
        dup = doc.duplicates[0]
        raise AnswersError(f"key '{dup.key}' appears twice", location=Location(shown, *dup.second))
    return doc


def inside_allowed(target: str, allowed: tuple[Path, ...], where: Location) -> str:
    """``target`` when its real path (every link followed) is inside one of ``allowed``."""
    import os

    real = os.path.realpath(target)
    for root in allowed:
        top = os.path.realpath(root)
        if real == top or real.startswith(top.rstrip(os.sep) + os.sep):
            return target
    shown_roots = ", ".join(str(r) for r in allowed) or "(none)"
    linked = "" if os.path.abspath(target) == real else f" (a link to {real})"
    raise AnswersError(
        f"evidence file {target}{linked} is outside the answers file's folder "
        f"({shown_roots}); nothing was kept",
        location=where,
        hint="move the file next to the answers file, or name its folder: --allow-path DIR",
    )


def load_answers(path: Path, allow: tuple[Path, ...] | list[Path] = ()) -> AnswersFile:
    """Read an answers file. Evidence files it names are relative to its folder and must
    stay inside it (links followed), or inside a folder in ``allow`` (``--allow-path``)."""
    shown = str(path)
    doc = read_script(path)
    data = doc.data
    result = AnswersFile(shown)
    result.allowed = (path.parent if str(path.parent) else Path("."), *allow)
    for at, (line, col) in doc.positions.items():
        result.locations[at] = Location(shown, line, col)

    def raw(at: tuple[str | int, ...], value: Any) -> Any:
        text = doc.raw.get(at)
        return text if text is not None and not isinstance(value, (list, dict)) else value

    if not isinstance(data, dict):
        raise AnswersError(
            "an answers file must be a mapping (title, inputs, steps, …)", location=result.where()
        )
    for key in data:
        if key not in TOP_KEYS:
            raise AnswersError(
                f"unknown key '{key}' (expected one of {', '.join(sorted(TOP_KEYS))})",
                location=result.where(key),
            )
    for key in ("title", "severity", "playbook"):
        if data.get(key) is not None:
            setattr(result, key, str(raw((key,), data[key])))
    result.drill = bool(data.get("drill", False))
    result.close = bool(data.get("close", False))
    result.exit_criteria = data.get("exit_criteria")
    if "default" in data:
        result.default = _action(str(raw(("default",), data["default"])), result.where("default"))
    inputs = data.get("inputs") or {}
    if not isinstance(inputs, dict):
        raise AnswersError(
            "inputs must be a mapping of input id to value", location=result.where("inputs")
        )
    result.inputs = {str(k): raw(("inputs", k), v) for k, v in inputs.items()}
    steps = data.get("steps") or {}
    if not isinstance(steps, dict):
        raise AnswersError(
            "steps must be a mapping of step id to what to do", location=result.where("steps")
        )
    for sid, spec in steps.items():
        at = ("steps", sid)
        script = StepScript()
        if spec is None:
            spec = {}
        if isinstance(spec, str):
            spec = {"action": spec}
        if not isinstance(spec, dict):
            raise AnswersError(
                f"step '{sid}' needs a mapping (action, answers, …)", location=result.where(*at)
            )
        for key in spec:
            if key not in STEP_KEYS:
                raise AnswersError(
                    f"unknown key '{key}' for step '{sid}' (expected one of {', '.join(sorted(STEP_KEYS))})",
                    location=result.where(*at, key),
                )
        action = spec.get("action")
        if action is not None:
            names = action if isinstance(action, list) else [action]
            script.actions = [_action(str(n), result.where(*at, "action")) for n in names]
        script.reason = str(spec.get("reason") or "")
        script.why = str(spec.get("why") or "")
        items = spec.get("items", "all")
        if isinstance(items, list):
            script.items = [str(i) for i in items]
        elif items in ("all", "none"):
            script.items = str(items)
        else:
            raise AnswersError(
                "items must be all, none or a list of item ids", location=result.where(*at, "items")
            )
        answers = spec.get("answers") or {}
        visits = answers if isinstance(answers, list) else [answers]
        for v, mapping in enumerate(visits):
            where = (*at, "answers", v) if isinstance(answers, list) else (*at, "answers")
            if not isinstance(mapping, dict):
                raise AnswersError(
                    "answers must be a mapping of question id to value, "
                    "or a list of such mappings (one per visit)",
                    location=result.where(*where),
                )
            script.visit_answers.append(
                {str(k): raw((*where, k), value) for k, value in mapping.items()}
            )
        notes = spec.get("notes") or []
        script.notes = [str(n) for n in (notes if isinstance(notes, list) else [notes])]
        raw_message = spec.get("message")
        if raw_message is not None:
            texts = raw_message if isinstance(raw_message, list) else [raw_message]
            script.messages = [str(t) for t in texts]
        if spec.get("approver") is not None:
            entries = spec["approver"] if isinstance(spec["approver"], list) else [spec["approver"]]
            for n, entry in enumerate(entries):
                where = (
                    (*at, "approver", n)
                    if isinstance(spec["approver"], list)
                    else (*at, "approver")
                )
                script.approvers.append(_decision(entry, result.where(*where), needs_name=True))
        if spec.get("backup") is not None:
            script.backup = _decision(spec["backup"], result.where(*at, "backup"), needs_name=False)
        script.evidence = _evidence(
            spec.get("evidence"),
            path.parent,
            lambda *sub, _at=at: result.where(*_at, "evidence", *sub),
            result.allowed,
        )
        script.override = str(spec.get("override") or "")
        script.checks_override = str(spec.get("checks_override") or "")
        script.next_update = str(raw((*at, "next_update"), spec.get("next_update")) or "")
        script.replies = _replies(
            spec.get("replies"), lambda *sub, _at=at: result.where(*_at, "replies", *sub)
        )
        result.steps[str(sid)] = script
    return result


def _decision(entry: Any, where: Location, *, needs_name: bool) -> ScriptedDecision:
    """``Dana`` (Dana approves), ``self``, or ``{name, decision, comment}``."""
    if isinstance(entry, str) and entry.strip():
        return ScriptedDecision(" ".join(entry.split()))
    if not isinstance(entry, dict):
        raise AnswersError(
            "an approver is a name, 'self', or {name, decision, comment}", location=where
        )
    unknown = [k for k in entry if k not in ("name", "decision", "comment")]
    if unknown:
        raise AnswersError(
            f"unknown key '{unknown[0]}' for an approver (expected name, decision, comment)",
            location=where,
        )
    name = " ".join(str(entry.get("name") or "").split())
    if needs_name and not name:
        raise AnswersError("an approver needs a name (or 'self')", location=where)
    raw = entry.get("decision", "approve")
    decision = "none" if raw is None else str(raw)
    if decision not in DECISIONS:
        raise AnswersError(
            f"decision '{decision}' is not one of {', '.join(DECISIONS)}", location=where
        )
    return ScriptedDecision(name, decision, str(entry.get("comment") or ""))


def _evidence(
    value: Any,
    folder: Path,
    where: Callable[..., Location],
    allowed: tuple[Path, ...],
) -> list[tuple[str, str, bool]]:
    """``evidence:`` a file (relative to the answers file), a list, or {file|url, note}.
    A file outside the allowed folders is refused here, before anything is created."""
    if value is None:
        return []
    found = []
    many = isinstance(value, list)
    for n, entry in enumerate(value if many else [value]):
        at: tuple[int, ...] = (n,) if many else ()
        if isinstance(entry, str) and entry.strip():
            target = str(folder / entry)
            found.append((inside_allowed(target, allowed, where(*at)), "", False))
            continue
        if isinstance(entry, dict) and (bool(entry.get("file")) != bool(entry.get("url"))):
            note = str(entry.get("note") or "")
            if entry.get("url"):
                found.append((str(entry["url"]), note, True))
            else:
                target = str(folder / str(entry["file"]))
                found.append((inside_allowed(target, allowed, where(*at, "file")), note, False))
            continue
        raise AnswersError(
            "evidence is a file name, or {file: NAME, note: TEXT}, or {url: URL, note: TEXT}",
            location=where(*at),
        )
    return found


def _replies(value: Any, where: Callable[..., Location]) -> list[ScriptedReply]:
    """``replies:`` a list of people (a name, or {who, platform, link, text,
    checks_override, outcome, note}), each added to the ledger, replied to, closed."""
    from crisiscli.record.events import REPLY_OUTCOMES

    if value is None:
        return []
    if not isinstance(value, list):
        raise AnswersError(
            "replies is a list, one person each: - {who: '@sam', platform: x, text: 'Hi Sam, …'}",
            location=where(),
        )
    found = []
    for n, raw_entry in enumerate(value):
        entry = {"who": raw_entry} if isinstance(raw_entry, str) else raw_entry
        if not isinstance(entry, dict):
            raise AnswersError(
                f"reply {n + 1} must be a name or a mapping ({', '.join(REPLY_KEYS)})",
                location=where(n),
            )
        for key in entry:
            if key not in REPLY_KEYS:
                raise AnswersError(
                    f"unknown key '{key}' in reply {n + 1} (expected {', '.join(REPLY_KEYS)})",
                    location=where(n, key),
                )
        who = " ".join(str(entry.get("who") or "").split())
        if not who:
            raise AnswersError(f"reply {n + 1} names nobody: add 'who:'", location=where(n))
        outcome = str(entry.get("outcome") or "")
        if outcome and outcome not in REPLY_OUTCOMES:
            raise AnswersError(
                f"outcome '{outcome}' is not one of {', '.join(REPLY_OUTCOMES)}",
                location=where(n, "outcome"),
            )
        found.append(
            ScriptedReply(
                who,
                str(entry["platform"]).strip().lower() if entry.get("platform") else None,
                str(entry["link"]).strip() if entry.get("link") else None,
                str(entry.get("text") or ""),
                str(entry.get("checks_override") or ""),
                outcome,
                str(entry.get("note") or ""),
            )
        )
    return found


def _action(name: str, where: Location) -> Action:
    try:
        return ACTIONS[name]
    except KeyError:
        raise AnswersError(
            f"unknown action '{name}' (use {', '.join(sorted(ACTIONS))})", location=where
        ) from None


ACTION_ITEM_KEYS = ("what", "owner", "due")


def action_entries(
    question: Question, value: Any, where: Callable[..., Location]
) -> list[ActionEntry]:
    """The action items a script gives a ``type: actions`` question: a list of
    ``{what, owner, due}`` (or of plain texts: just what). ``where(i, key)`` locates one."""
    from crisiscli.errors import UsageError
    from crisiscli.team.actions import check_due

    if value is None:
        return []
    if not isinstance(value, list):
        raise AnswersError(
            f"'{question.id}' takes action items one at a time: give a list, each with "
            "what, owner and due (e.g. - {what: Name a backup approver, owner: Dana, "
            "due: 2026-12-15})",
            location=where(),
        )
    entries = []
    for i, raw in enumerate(value):
        entry = {"what": raw} if isinstance(raw, str) else raw
        if not isinstance(entry, dict):
            raise AnswersError(
                f"action item {i + 1} of '{question.id}' must be a text or a mapping "
                "(what, owner, due)",
                location=where(i),
            )
        for key in entry:
            if key not in ACTION_ITEM_KEYS:
                raise AnswersError(
                    f"unknown key '{key}' in action item {i + 1} of '{question.id}' "
                    f"(expected {', '.join(ACTION_ITEM_KEYS)})",
                    location=where(i, key),
                )
        what = " ".join(str(entry.get("what") or "").split())
        if not what:
            raise AnswersError(
                f"action item {i + 1} of '{question.id}' says nothing to do: add 'what:'",
                location=where(i),
            )
        owner = " ".join(str(entry.get("owner") or "").split()) or None
        try:
            due = check_due(None if entry.get("due") is None else str(entry["due"]))
        except UsageError as exc:
            raise AnswersError(exc.message, location=where(i, "due")) from None
        entries.append(ActionEntry(what, owner, due))
    return entries


def coerce_answer(question: Question, value: Any, where: Location) -> Any:
    """Turn a scripted value into what the interactive prompt would have produced."""
    if question.type == "actions":
        return action_entries(question, value, lambda *_at: where)
    if question.type == "yesno":
        if isinstance(value, bool):
            return value
        parsed = truthy_word(str(value))
        if parsed is None:
            raise AnswersError(
                f"'{question.id}' is a yes/no question; '{value}' is neither", location=where
            )
        return parsed
    if question.type == "multi":
        values = value if isinstance(value, list) else [value]
        texts = [str(v) for v in values]
        known = {c.value for c in question.choices}
        for text in texts:
            if text not in known:
                raise AnswersError(
                    f"'{text}' is not a choice of '{question.id}' ({', '.join(sorted(known))})",
                    location=where,
                )
        return texts
    if question.type == "choice":
        text = str(value)
        known = {c.value for c in question.choices}
        if text not in known:
            raise AnswersError(
                f"'{text}' is not a choice of '{question.id}' ({', '.join(sorted(known))})",
                location=where,
            )
        return text
    return str(value)


def check_against(answers: AnswersFile, playbook: Playbook, *, starting: bool = False) -> None:
    """Refuse a script that names steps, questions or choices the playbook does not have,
    and (``starting``: before an incident is opened) one that leaves out an input the
    walk-through would have to ask for: it is refused before anything is recorded."""
    step_ids = {s.id for s in playbook.steps}
    questions = playbook.questions()
    if answers.exit_criteria is not None:
        from crisiscli.walk.closing import scripted_checks

        try:
            scripted_checks(answers.exit_criteria, len(playbook.exit_criteria))
        except ValueError as exc:
            raise AnswersError(str(exc), location=answers.where("exit_criteria")) from None
    for key, value in answers.inputs.items():
        input_q = next((q for q in playbook.inputs if q.id == key), None)
        if input_q is None:
            raise AnswersError(
                f"playbook '{playbook.id}' has no input '{key}'",
                location=answers.where("inputs", key),
            )
        coerce_answer(input_q, value, answers.where("inputs", key))
    for sid, script in answers.steps.items():
        if sid not in step_ids:
            raise AnswersError(
                f"playbook '{playbook.id}' has no step '{sid}'",
                location=answers.where("steps", sid),
            )
        step = playbook.step(sid)
        own = {q.id for q in step.questions}
        many = len(script.visit_answers) > 1
        for v, mapping in enumerate(script.visit_answers):
            base = ("steps", sid, "answers", v) if many else ("steps", sid, "answers")
            for qid, value in mapping.items():
                if qid not in own:
                    where = answers.where(*base, qid)
                    raise AnswersError(f"step '{sid}' has no question '{qid}'", location=where)
                if questions[qid].type == "actions":
                    at = (*base, qid)
                    action_entries(
                        questions[qid], value, lambda *more, at=at: answers.where(*at, *more)
                    )
                else:
                    coerce_answer(questions[qid], value, answers.where(*base, qid))
        if step.message is None:
            for key, value in (
                ("message", script.message),
                ("approver", script.approver),
                ("backup", script.backup),
                ("override", script.override),
                ("checks_override", script.checks_override),
                ("next_update", script.next_update),
            ):
                if value:
                    raise AnswersError(
                        f"step '{sid}' has no message, so '{key}' does not apply",
                        location=answers.where("steps", sid, key),
                    )
        if script.replies and (step.message is None or not step.message.per_person):
            raise AnswersError(
                f"step '{sid}' keeps no reply ledger (its message has no 'per_person: true'), "
                "so 'replies' does not apply",
                location=answers.where("steps", sid, "replies"),
            )
        if isinstance(script.items, list):
            known = {i.id for i in step.items}
            for item in script.items:
                if item not in known:
                    raise AnswersError(
                        f"step '{sid}' has no item '{item}'",
                        location=answers.where("steps", sid, "items"),
                    )
    if starting:  # last: the more particular refusals above come first
        for question in playbook.inputs:
            if question.id not in answers.inputs and question.default is None and question.required:
                raise AnswersError(
                    f"the answers file gives no value for input '{question.id}'",
                    location=answers.where("inputs"),
                )


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


class ScriptedPrompter:
    """A ``Prompter`` that reads every decision from an ``AnswersFile``."""

    def __init__(
        self,
        answers: AnswersFile,
        echo: Callable[[str], None] | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.answers = answers
        self.echo = echo or (lambda _line: None)
        self.warnings: list[str] = []
        self._warn = warn or self.warnings.append
        self.visits: dict[str, int] = {}
        self.pending_notes: dict[str, list[str]] = {}
        self.pending_evidence: dict[str, list[tuple[str, str, bool]]] = {}
        self.asked: dict[str, int] = {}  # approval requests made per step (one entry each)
        self.written: dict[str, int] = {}  # versions written per step
        self._last_step: str | None = None
        self._last_visit: tuple[str, int] | None = None
        self._reply: tuple[int, ScriptedReply] | None = None  # the ledger entry at work
        self._replied: set[tuple[str, int, str]] = set()  # (step, entry, pick kind) done

    def _script(self, step_id: str) -> StepScript:
        return self.answers.steps.get(step_id, StepScript())

    def ask_input(self, question: Question) -> Any:
        where = self.answers.where("inputs", question.id)
        if question.id in self.answers.inputs:
            return coerce_answer(question, self.answers.inputs[question.id], where)
        if question.default is not None:
            return (
                list(question.default) if isinstance(question.default, tuple) else question.default
            )
        if not question.required:
            return ""
        raise AnswersError(
            f"the answers file gives no value for input '{question.id}'", location=where
        )

    def show_step(self, view: StepView) -> None:
        sid = view.step.id
        self._last_step = sid
        if self._last_visit != (sid, view.visit):
            self._last_visit = (sid, view.visit)
            self.visits[sid] = view.visit  # from the journal, so a resumed script agrees
            pending = list(self._script(sid).notes) if self.visits[sid] == 1 else []
            for text in view.step_notes:  # recorded before an interruption: not again
                if text in pending:
                    pending.remove(text)
            self.pending_notes[sid] = pending
            self.pending_evidence[sid] = (
                list(self._script(sid).evidence) if self.visits[sid] == 1 else []
            )
            self.echo(f"[{view.step_index}/{view.step_count}] {view.step.title}")

    def tick_items(self, view: StepView, pending: list[ItemView]) -> list[str]:
        wanted = self._script(view.step.id).items
        if wanted == "all":
            return [iv.item.id for iv in pending]
        if wanted == "none":
            return []
        return [iv.item.id for iv in pending if iv.item.id in wanted]

    def confirm_item(self, view: StepView, item: ItemView) -> bool:
        return item.item.id in self.tick_items(view, [item])

    def ask_action_item(
        self, view: StepView, question: Question, added: list[ActionEntry]
    ) -> ActionEntry | None:
        """The script's next action item for this question that the step does not hold
        yet (a resumed script does not add again what was recorded before)."""
        given = self._script(view.step.id).visit_answers
        visit = min(self.visits.get(view.step.id, 1), len(given)) - 1
        value = given[visit].get(question.id) if given else None
        at: tuple[str | int, ...] = ("steps", view.step.id, "answers")
        at = (*at, visit, question.id) if len(given) > 1 else (*at, question.id)
        wanted = action_entries(question, value, lambda *more: self.answers.where(*at, *more))
        held = [entry.what for entry in added]
        for entry in wanted:
            if entry.what in held:
                held.remove(entry.what)
            else:
                return entry
        return None

    def answer(self, view: StepView, question: Question) -> Any:
        script = self._script(view.step.id)
        given = script.visit_answers
        visit = min(self.visits.get(view.step.id, 1), len(given)) - 1
        base: tuple[str | int, ...] = ("steps", view.step.id, "answers")
        if len(given) > 1:
            base = (*base, visit)
        if given and question.id in given[visit]:
            where = self.answers.where(*base, question.id)
            return coerce_answer(question, given[visit][question.id], where)
        if question.default is not None:
            return (
                list(question.default) if isinstance(question.default, tuple) else question.default
            )
        if not question.required:
            return None
        action = self._action(view.step.id)
        if action in (Action.SKIP, Action.NOT_APPLICABLE, Action.DEFER, Action.BACK, Action.PAUSE):
            return None
        raise AnswersError(
            f"the answers file gives no answer to '{question.id}' in step '{view.step.id}'",
            location=self.answers.where("steps", view.step.id),
        )

    def _action(self, step_id: str) -> Action:
        script = self._script(step_id)
        visit = self.visits.get(step_id, 1)
        if script.actions:
            return script.actions[min(visit, len(script.actions)) - 1]
        return self.answers.default

    def choose_action(self, view: StepView, allowed: list[Action]) -> Action:
        notes = self.pending_notes.get(view.step.id)
        if notes:
            return Action.NOTE
        if self.pending_evidence.get(view.step.id):
            return Action.EVIDENCE
        if Action.REPLIES in allowed and self._next_reply(view) is not None:
            return Action.REPLIES
        action = self._action(view.step.id)
        if action not in allowed:
            raise AnswersError(
                f"cannot '{action.value}' at step '{view.step.id}' now",
                location=self.answers.where("steps", view.step.id),
            )
        return action

    def ask_reason(self, view: StepView, action: Action, required: bool) -> str:
        reason = self._script(view.step.id).reason
        if required and not reason.strip():
            raise AnswersError(
                f"step '{view.step.id}' is skipped without a reason: add 'reason:'",
                location=self.answers.where("steps", view.step.id),
            )
        return reason

    def choose_step(
        self, view: StepView, prompt: str, options: list[tuple[str, str]]
    ) -> str | None:
        return options[0][0] if options else None  # scripts never choose it (no action)

    def ask_why(self, view: StepView, text: str) -> str:
        why = self._script(view.step.id).why
        if not why.strip():
            raise AnswersError(
                f"step '{view.step.id}': {text} Add 'why: <reason>'",
                location=self.answers.where("steps", view.step.id),
            )
        return why

    def ask_note(self, view: StepView) -> str:
        notes = self.pending_notes.get(view.step.id) or []
        return notes.pop(0) if notes else ""

    def confirm(self, message: str, default: bool = False) -> bool:
        return True  # the script already said which items to tick

    def compose_message(self, view: StepView, draft: str) -> str:
        script = self._script(view.step.id)
        n = self.written.get(view.step.id, 0)
        self.written[view.step.id] = n + 1
        if n >= len(script.messages) and view.approval and view.approval.startswith("rejected"):
            raise AnswersError(
                f"the message for step '{view.step.id}' was {view.approval}, and the answers "
                "file has no other version: add one to 'message' (a list, one per version)",
                location=self.answers.where("steps", view.step.id, "message"),
            )
        if not script.messages:
            return draft
        return script.messages[min(n, len(script.messages) - 1)]

    def review_message(self, view: StepView, review: Review) -> tuple[ReviewDecision, str]:
        from crisiscli.messages.checks import summary_line

        self.echo(f"  message: {summary_line(review)}")
        if not review.errors:
            return ReviewDecision.ACCEPT, ""
        if self._action(view.step.id) is not Action.DONE:
            return ReviewDecision.LATER, ""  # skipped, deferred, …: the draft stays a draft
        reason = self._script(view.step.id).checks_override
        if reason.strip():
            return ReviewDecision.OVERRIDE, reason
        problems = "; ".join(f.message for f in review.errors)
        raise AnswersError(
            f"the message for step '{view.step.id}' fails its checks: {problems} "
            "Fix 'message:', or add 'checks_override: <reason>'",
            location=self.answers.where("steps", view.step.id, "message"),
        )

    def _approver_entry(self, step_id: str, *, taking: bool) -> ScriptedDecision | None:
        entries = self._script(step_id).approvers
        if not entries:
            return None
        n = self.asked.get(step_id, 0)
        if taking:
            self.asked[step_id] = n + 1
        else:
            n = max(n - 1, 0)
        return entries[min(n, len(entries) - 1)]

    def ask_approval(self, view: StepView) -> ApprovalChoice:
        entry = self._approver_entry(view.step.id, taking=True)
        if entry is None:
            return ApprovalChoice("later")
        if entry.name == SELF:
            return ApprovalChoice("self")
        return ApprovalChoice("ask", entry.name)

    def stand_in(self, view: StepView, approver: str) -> StandIn | None:
        script = self._script(view.step.id)
        entry = self._approver_entry(view.step.id, taking=False)
        backup = script.backup
        chosen = None
        if entry is not None and (entry.name == SELF or _same(entry.name, approver)):
            chosen = entry
        elif backup is not None and (not backup.name or _same(backup.name, approver)):
            chosen = backup
        if chosen is None or chosen.decision == "none":
            return None
        return StandIn(chosen.decision, chosen.comment)

    def while_waiting(self, view: StepView, waiting: str, backup_next: str | None) -> Waiting:
        # Wait only for a decision the script makes: the backup's, after escalate_after.
        backup = self._script(view.step.id).backup
        if backup_next is not None and backup is not None and backup.decision != "none":
            return Waiting.WAIT
        return Waiting.MENU

    def show_status(self, view: StepView, text: str) -> None:
        self.echo(f"  {text}")

    def recorded(self, view: StepView, text: str) -> None:
        self.echo(f"  {text}")

    def ask_evidence(self, view: StepView) -> EvidenceChoice | None:
        pending = self.pending_evidence.get(view.step.id) or []
        if not pending:
            return None
        target, note, is_url = pending.pop(0)
        if not is_url:  # checked again as it is used: a link may have been swapped in since
            target = self.answers.check_path(
                target, self.answers.where("steps", view.step.id, "evidence")
            )
        return EvidenceChoice(target, note, is_url)

    # -- the reply ledger: worked out from what the journal already holds, so a resumed
    # script neither adds a person twice nor sends a reply again.

    def _next_reply(self, view: StepView) -> tuple[int, ScriptedReply, ReplyPick] | None:
        for n, entry in enumerate(self._script(view.step.id).replies):
            thread = next((t for t in view.replies if _same(t.who, entry.who)), None)
            if thread is None:
                pick = ReplyPick("add")
            elif entry.text and thread.sent_at is None and thread.outcome is None:
                pick = ReplyPick("write", thread.id)
            elif entry.outcome and thread.outcome is None:
                pick = ReplyPick("close", thread.id)
            else:
                continue
            if (view.step.id, n, pick.kind) in self._replied:  # tried: it did not take
                raise AnswersError(
                    f"the reply ledger entry for {entry.who} could not be carried out",
                    location=self.answers.where("steps", view.step.id, "replies", n),
                )
            return n, entry, pick
        return None

    def choose_reply(self, view: StepView) -> ReplyPick | None:
        found = self._next_reply(view)
        if found is None:
            return None
        n, entry, pick = found
        self._replied.add((view.step.id, n, pick.kind))
        self._reply = (n, entry)
        return pick

    def ask_reply_person(self, view: StepView) -> ReplyPerson | None:
        assert self._reply is not None
        entry = self._reply[1]
        return ReplyPerson(entry.who, entry.platform, entry.link)

    def ask_reply_text(self, view: StepView, thread: ReplyThread, draft: str) -> str:
        assert self._reply is not None
        return self._reply[1].text

    def review_reply(
        self, view: StepView, thread: ReplyThread, review: Review
    ) -> tuple[ReviewDecision, str]:
        from crisiscli.messages.checks import summary_line

        assert self._reply is not None
        n, entry = self._reply
        self.echo(f"  reply to {thread.who}: {summary_line(review)}")
        if not review.errors:
            return ReviewDecision.ACCEPT, ""
        if entry.checks_override.strip():
            return ReviewDecision.OVERRIDE, entry.checks_override
        problems = "; ".join(f.message for f in review.errors[:3])
        raise AnswersError(
            f"the reply to {entry.who} fails its checks ({problems}): fix its text, or add "
            "'checks_override: <reason>'",
            location=self.answers.where("steps", view.step.id, "replies", n),
        )

    def ask_reply_outcome(self, view: StepView, thread: ReplyThread) -> ReplyOutcome | None:
        assert self._reply is not None
        entry = self._reply[1]
        return ReplyOutcome(entry.outcome, entry.note)

    def ask_next_update(self, view: StepView, suggested: datetime | None) -> str:
        wanted = self._script(view.step.id).next_update.strip()
        if wanted == "suggested":
            return suggested.isoformat() if suggested is not None else ""
        return wanted

    def ask_approval_override(self, view: StepView) -> str:
        return self._script(view.step.id).override

    def notify(self, text: str) -> None:
        # A person would read this and choose again; a script cannot, so stop clearly.
        raise AnswersError(text, location=self.answers.where("steps", self._last_step or ""))

    def warn(self, text: str) -> None:
        self._warn(text)

    def finished(self, summary: RunSummary) -> bool:
        return self.answers.close

    def check_exit(self, criteria: tuple[str, ...]) -> list[CriterionCheck]:
        from crisiscli.walk.closing import Given, scripted_checks

        if self.answers.exit_criteria is None:
            return []  # the script does not say: closed without checking, as before
        try:
            met, notes = scripted_checks(self.answers.exit_criteria, len(criteria))
        except ValueError as exc:
            raise AnswersError(str(exc), location=self.answers.where("exit_criteria")) from None
        return Given(met, notes).check_exit(criteria)

    def close_anyway(self, unmet: list[CriterionCheck]) -> bool:
        return True  # the script asked to close, and said which criteria are not met
