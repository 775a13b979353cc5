"""The event vocabulary: every kind of fact crisis records, in one place.

For each event type this module says which payload fields it carries and of what type
(``SPECS``), offers the builder that commands call (no command assembles a payload by
hand), checks a line read back from a journal against it (``problem``), and says in one
plain-text sentence what it means (``describe``; each view escapes that text for its own
format). A line that does not fit is kept in the file but left out of the fold.

Kept free of dataclasses and heavy imports: ``crisis note`` loads it on every call.
"""

# No `from __future__ import annotations` here: with it, typing.NamedTuple turns each
# field's annotation into a ForwardRef and compiles it when the module loads, which
# doubles what the classes below cost on every `crisis note` (docs/benchmarks.md).
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from sys import intern
from typing import Any, NamedTuple

from crisiscli.timeutil import parse_iso, utc_text

FORMAT_VERSION = 1
MAX_TEXT = 64 * 1024 * 1024  # a pasted 5 MB note is kept; a text this long is damage
MAX_DEPTH = 6  # payloads are flat records; deeper nesting is damage or an attack
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(9000, 1, 1, tzinfo=timezone.utc)


class Event(NamedTuple):
    """One line of a journal, as read back (``ts`` is aware, in UTC)."""

    id: str
    ts: datetime
    actor: str
    type: str
    data: dict[str, Any]
    sig: str | None = None  # the author's SSH signature (record/signing.py), if signed
    trust: str | None = None  # set by the fold's reader: what the signature proves

    @property
    def key(self) -> tuple[datetime, str]:
        """The fold's order: time, then id (so every merged copy agrees)."""
        return (self.ts, self.id)


class NewEvent(NamedTuple):
    """An event about to be recorded: what a builder returns and ``record`` appends."""

    type: str
    data: dict[str, Any]


# -- field types ---------------------------------------------------------------------------
# A field check returns None when the value fits, else a short reason.

Check = Callable[[Any], "str | None"]


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return "not a string"
    return "too long" if len(value) > MAX_TEXT else None


def _name(value: Any) -> str | None:
    """An id or a short name (step, item, question, post, contact, role)."""
    if not isinstance(value, str) or not value:
        return "not a name"
    return "too long" if len(value) > 200 else None


def _flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else "not true/false"


def _number(value: Any) -> str | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    return None if ok else "not a number"


def _time(value: Any) -> str | None:
    if not isinstance(value, str):
        return "not a time"
    parsed = parse_iso(value)
    if parsed is None or not EARLIEST <= parsed < LATEST:
        return "not a time crisis can place"
    return None


def _names(value: Any) -> str | None:
    if not isinstance(value, list) or any(_name(v) for v in value):
        return "not a list of names"
    return None


def _answer(value: Any) -> str | None:
    """Answers are a string, a yes/no, a number or a list of strings."""
    if isinstance(value, (str, bool, int, float)):
        return _text(value) if isinstance(value, str) else None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return None
    return "not an answer (text, yes/no, a number or a list of texts)"


def _record(value: Any) -> str | None:
    """A nested mapping or list (queue posts, check results), bounded in depth."""
    if not isinstance(value, (dict, list)):
        return "not a mapping or list"
    return "nested too deeply" if _depth(value) > MAX_DEPTH else None


def _digest(value: Any) -> str | None:
    """A SHA-256 as 64 lowercase hexadecimal digits (evidence files, message versions)."""
    ok = isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)
    return None if ok else "not a SHA-256 (64 lowercase hex digits)"


def _count(value: Any) -> str | None:
    """A whole number from 0 to 10^15 (sizes, counts)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return "not a whole number"
    return None if 0 <= value <= 10**15 else "out of range"


def _amount(value: Any) -> str | None:
    """A non-negative number (a baseline, seconds)."""
    reason = _number(value)
    if reason:
        return reason
    return None if 0 <= value <= 10**15 else "out of range"


def _one_of(*words: str) -> Check:
    def check(value: Any) -> str | None:
        return None if value in words else f"not one of {', '.join(words)}"

    return check


class Spec(NamedTuple):
    required: Mapping[str, Check]
    optional: Mapping[str, Check]
    walkthrough: bool = False  # the walk-through's own events end a pause
    steps: tuple[str, ...] = ()  # fields naming a step of the playbook
    quiet: bool = False  # bookkeeping (notification deliveries): not among the latest events
    notifies: bool = False  # may give rise to a notification (walk/alerts.py)


def _spec(
    required: Mapping[str, Check] | None = None,
    optional: Mapping[str, Check] | None = None,
    *,
    walkthrough: bool = False,
    steps: tuple[str, ...] = (),
    quiet: bool = False,
    notifies: bool = False,
) -> Spec:
    return Spec(required or {}, optional or {}, walkthrough, steps, quiet, notifies)


STEP = {"step": _name}
REASON = {"reason": _text}
WALKER = {"lease": _name, "pid": _number, "host": _text, "tty": _text}
NOTICE = {"key": _name, "channel": _name, "attempt": _number}
SPECS: dict[str, Spec] = {
    "incident.opened": _spec(
        {"title": _text, "severity": _text},
        {"drill": _flag, "playbook": _record, "crisis_version": _text},
        notifies=True,
    ),
    "input.set": _spec({"input": _name, "value": _answer}, walkthrough=True),
    "answer.set": _spec(
        {"step": _name, "question": _name, "value": _answer},
        {"no_incident": _flag, "grades": _flag},
        walkthrough=True,
        steps=("step",),
    ),
    "step.entered": _spec(
        {"step": _name},
        {
            "via": _one_of("next", "back", "revisit", "aside", "return", "recall"),
            "why": _one_of("deadline", "overdue", "phase"),  # a recall: what brought it back
        },
        walkthrough=True,
        steps=("step",),
    ),
    "step.done": _spec(STEP, {"unchecked": _names}, walkthrough=True, steps=("step",)),
    "step.skipped": _spec({**STEP, **REASON}, walkthrough=True, steps=("step",)),
    "step.deferred": _spec(STEP, REASON, walkthrough=True, steps=("step",)),
    "step.not_applicable": _spec(STEP, REASON, walkthrough=True, steps=("step",)),
    # Done before the step's ``not_before`` time, and why (recorded just before its outcome).
    "step.early": _spec({**STEP, **REASON, "not_before": _time}, walkthrough=True, steps=("step",)),
    "item.checked": _spec({**STEP, "item": _name}, walkthrough=True, steps=("step",)),
    "item.unchecked": _spec({**STEP, "item": _name}, walkthrough=True, steps=("step",)),
    "note.added": _spec({"text": _text}, STEP, steps=("step",)),
    "message.recorded": _spec(
        {**STEP, "text": _text},
        {"platforms": _names, "kind": _name, "approval": _flag, "audience": _name},
        walkthrough=True,
        steps=("step",),
        notifies=True,
    ),
    "message.checked": _spec(
        STEP,
        {
            "lengths": _record,
            "findings": _record,
            "errors": _number,
            "warnings": _number,
            "summary": _text,
            "override": _text,
            "audience": _name,
        },
        walkthrough=True,
        steps=("step",),
    ),
    "message.approved": _spec(
        STEP,
        {"approver": _text, "override": _text},
        walkthrough=True,
        steps=("step",),
        notifies=True,
    ),
    "message.approval_requested": _spec(
        {**STEP, "approver": _text, "digest": _digest, "text": _text},
        {
            "platforms": _names,
            "checks": _text,
            "escalate_after": _amount,
            "backup": _text,
            "escalated_from": _text,
        },
        walkthrough=True,
        steps=("step",),
        notifies=True,
    ),
    "message.approval_decided": _spec(
        {
            **STEP,
            "decision": _one_of("approve", "reject"),
            "digest": _digest,
            "approver": _text,
        },
        {"comment": _text, "scripted": _flag, "on_behalf_of": _text, "reason": _text},
        steps=("step",),
        notifies=True,
    ),
    "session.paused": _spec(optional=STEP, steps=("step",)),
    "session.interrupted": _spec(),
    "session.resumed": _spec(walkthrough=True),
    "run.finished": _spec(
        optional={
            "status": _one_of("complete", "complete-except-deferred"),
            "deferred": _names,
            "unfinished": _names,  # deferred, or begun and left: still open at the end
        },
        walkthrough=True,
    ),
    "walker.started": _spec(WALKER),
    "walker.taken_over": _spec(WALKER, {"from": _record}),
    "incident.closed": _spec(optional={"summary": _text}, notifies=True),
    "exit.checked": _spec({"criterion": _number, "text": _text, "met": _flag}, {"note": _text}),
    "incident.reopened": _spec(),
    "severity.changed": _spec(
        {"to": _name},
        {
            "from": _text,
            "reason": _text,
            "by_question": _name,
            "switched_on": _names,
            "switched_off": _names,
            "floor": _name,  # graded below this minimum level (the reason says why)
            "floor_facts": _text,  # the recorded facts that set it, in words
        },
        notifies=True,
    ),
    "title.changed": _spec({"to": _text}),
    "role.assigned": _spec({"role": _name}, {"person": _text}),
    "handoff.recorded": _spec(
        optional={"to": _text, "brief": _text, "counts": _record}, notifies=True
    ),
    "action.added": _spec(
        {"id": _name, "text": _text},
        {"owner": _text, "due": _text, "step": _name},
        steps=("step",),
    ),
    "action.done": _spec({"id": _name}),
    "queue.imported": _spec(
        {"posts": _record},
        {
            "source": _text,
            "preset": _text,
            "hours": _number,
            "window_start": _time,
            "window_end": _time,
            "rows": _number,
            "encoding": _text,
            "delimiter": _text,
            "columns": _record,
            "past": _number,
            "later": _number,
        },
    ),
    "queue.decided": _spec(
        {"post": _name, "decision": _one_of("keep", "cancel", "reschedule")},
        {"reason": _text, "new_time": _time},
    ),
    "contact.logged": _spec(
        {"id": _name, "who": _text},
        {"channel": _text, "outcome": _text, "follow_up_due": _time, "note": _text},
    ),
    "contact.followed_up": _spec({"id": _name}),
    # The reply ledger: each person who engaged, the reply written for them, what came of it.
    "reply.person": _spec({"id": _name, "who": _text}, {"platform": _name, "link": _text}),
    "reply.sent": _spec({"id": _name, "text": _text}, {"checks": _text, "override": _text}),
    "reply.closed": _spec(
        {"id": _name, "outcome": _one_of("answered", "dm", "phone", "email", "no-reply-needed")},
        {"contact": _name, "note": _text},
    ),
    "evidence.added": _spec(
        {"sha256": _digest, "size": _count, "name": _text, "type": _text},
        {"note": _text, "step": _name},
        steps=("step",),
    ),
    "evidence.linked": _spec({"url": _text}, {"note": _text, "step": _name}, steps=("step",)),
    "mentions.recorded": _spec(
        {"count": _count},
        {"per": _one_of("minute", "hour", "day"), "baseline": _amount, "source": _text},
    ),
    "impact.recorded": _spec(
        optional={"started": _time, "detected": _time, "by_question": _name, "note": _text}
    ),
    "update.promised": _spec({**STEP, "due": _time}, walkthrough=True, steps=("step",)),
    "notify.claimed": _spec({**NOTICE, "kind": _name}, {"text": _text, "label": _text}, quiet=True),
    "notify.delivered": _spec(NOTICE, {"label": _text}, quiet=True),
    "notify.failed": _spec(
        {**NOTICE, "error": _text}, {"final": _flag, "label": _text}, quiet=True
    ),
    # Words typed at a note, a message or a reply and left unsaved (Esc, Ctrl-C): kept,
    # offered back by the next prompt, never part of the record until saved (quiet: not in log.md).
    "draft.kept": _spec(
        {"field": _one_of("note", "message", "reply"), "text": _text},
        STEP,
        steps=("step",),
        quiet=True,
    ),
    "draft.dropped": _spec(
        {"field": _one_of("note", "message", "reply")},
        {**STEP, "why": _one_of("saved", "emptied")},
        steps=("step",),
        quiet=True,
    ),
    # Tabletop drills (crisiscli/drill/, docs/drills.md): the scenario played, what the
    # outside world did (each inject once, by its key) and the drill's own clock.
    "drill.started": _spec(
        {"scenario": _name, "title": _text, "length": _amount, "speed": _amount},
        {
            "clock": _one_of("simulated", "real"),
            "injects": _count,
            "expectations": _record,
            "digest": _digest,
        },
    ),
    "drill.inject": _spec(
        {"key": _name, "kind": _name, "text": _text},
        {"due": _amount, "from": _text, "count": _count, "per": _one_of("minute", "hour", "day")},
        notifies=True,
    ),
    "drill.paused": _spec(),
    "drill.resumed": _spec(),
    # ``cause``: why it ended when no person said (its time was up, the walk-through ended)
    "drill.ended": _spec(optional={**REASON, "cause": _one_of("time", "finished")}),
}


# -- reading: does a line fit? ----------------------------------------------------------------


def _depth(value: Any, level: int = 1) -> int:
    if level > MAX_DEPTH + 1:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level)
    return level - 1


def from_record(record: Any) -> Event:
    """A parsed JSON line → ``Event``; ``ValueError`` says why it is not an event."""
    if not isinstance(record, dict):
        raise ValueError("not an object")
    event_id, kind, ts_text = record.get("id"), record.get("type"), record.get("ts")
    data = record.get("data", {})
    if not isinstance(event_id, str) or not 0 < len(event_id) <= 64:
        raise ValueError("no event id")
    if not isinstance(kind, str) or not 0 < len(kind) <= 64:
        raise ValueError("no event type")
    if not isinstance(ts_text, str):
        raise ValueError("no timestamp")
    ts = parse_iso(ts_text)
    if ts is None:
        raise ValueError(f"timestamp {ts_text[:40]!r} is not an ISO time with an offset")
    if not EARLIEST <= ts < LATEST:
        raise ValueError(f"timestamp {ts_text[:40]} is outside the years 2000-8999")
    if not isinstance(data, dict):
        raise ValueError("data is not an object")
    actor = record.get("actor")
    actor = actor if isinstance(actor, str) and actor else "unknown"
    sig = record.get("sig")
    sig = sig if isinstance(sig, str) else None  # checked by record/signing.py, where used
    # A few people and a few dozen types, written on every line: one copy of each is kept.
    return Event(event_id, ts, intern(actor[:200]), intern(kind), data, sig)


def problem(event: Event, known_steps: Callable[[str], bool] | None = None) -> str | None:
    """Why an event cannot be folded (None: it fits). ``known_steps`` checks step ids."""
    spec = SPECS.get(event.type)
    if spec is None:
        return f"unknown event type '{event.type[:64]}' (from a newer crisis?)"
    data = event.data
    for name, check in spec.required.items():
        if name not in data:
            return f"{event.type} without '{name}'"
        reason = check(data[name])
        if reason:
            return f"{event.type}: '{name}' is {reason}"
    for name, check in spec.optional.items():
        if name in data and data[name] is not None:
            reason = check(data[name])
            if reason:
                return f"{event.type}: '{name}' is {reason}"
    nested = any(isinstance(value, (dict, list)) for value in data.values())
    if nested and _depth(data) > MAX_DEPTH:  # most payloads are flat: no walk needed
        return f"{event.type}: the data is nested too deeply"
    if known_steps is not None:
        for name in spec.steps:
            step = data.get(name)
            if isinstance(step, str) and not known_steps(step):
                return f"{event.type}: step '{step[:64]}' is not in this incident's playbook"
    return None


def is_walkthrough(kind: str) -> bool:
    spec = SPECS.get(kind)
    return spec is not None and spec.walkthrough


def notifies(kinds: set[str]) -> bool:
    """Any of these event types may give rise to a notification."""
    return any((spec := SPECS.get(kind)) is not None and spec.notifies for kind in kinds)


def is_quiet(kind: str) -> bool:
    spec = SPECS.get(kind)
    return spec is not None and spec.quiet


def recorded_fields(event: Event) -> dict[str, Any]:
    """The fields a line records and a reader trusts (what a signature covers, too)."""
    return {
        "id": event.id,
        "ts": event.ts.astimezone(timezone.utc).isoformat(timespec="microseconds"),
        "actor": event.actor,
        "type": event.type,
        "data": event.data,
    }


def to_line(event: Event) -> str:
    """The journal line of an event (without the newline)."""
    import json

    record = {"v": FORMAT_VERSION, **recorded_fields(event)}
    if event.sig is not None:
        record["sig"] = event.sig
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


# -- builders: the only way commands make events ----------------------------------------------


def _with(data: dict[str, Any], **optional: Any) -> dict[str, Any]:
    """``data`` plus the optional fields that have a value."""
    data.update({k: v for k, v in optional.items() if v not in (None, "", [], {})})
    return data


def incident_opened(
    title: str, severity: str, *, drill: bool, playbook: Mapping[str, Any], version: str
) -> NewEvent:
    return NewEvent(
        "incident.opened",
        {
            "title": title,
            "severity": severity,
            "drill": drill,
            "playbook": dict(playbook),
            "crisis_version": version,
        },
    )


def input_set(question: str, value: Any) -> NewEvent:
    return NewEvent("input.set", {"input": question, "value": value})


def answer_set(
    step: str, question: str, value: Any, *, no_incident: bool = False, grades: bool = False
) -> NewEvent:
    """An answer; ``no_incident``: the chosen answer says the run is a routine check;
    ``grades``: the question grades the incident (``sets: severity``), so conditions on it
    read the severity as it is now, whoever changed it since."""
    data = {"step": step, "question": question, "value": value}
    return NewEvent(
        "answer.set",
        _with(data, no_incident=True if no_incident else None, grades=True if grades else None),
    )


def step_entered(step: str, via: str, why: str = "") -> NewEvent:
    return NewEvent("step.entered", _with({"step": step, "via": via}, why=why or None))


def step_done(step: str, unchecked: list[str] | None = None) -> NewEvent:
    return NewEvent("step.done", _with({"step": step}, unchecked=unchecked))


def step_left(kind: str, step: str, reason: str | None = None) -> NewEvent:
    """``skipped`` (a reason is required), ``deferred`` or ``not_applicable``."""
    if kind not in ("skipped", "deferred", "not_applicable"):
        raise ValueError(kind)
    if kind == "skipped" and not reason:
        raise ValueError("a skip needs a reason")
    return NewEvent(f"step.{kind}", _with({"step": step}, reason=reason))


def step_early(step: str, not_before: datetime, reason: str) -> NewEvent:
    """``step`` is done before its earliest time (``not_before``), for ``reason``."""
    return NewEvent(
        "step.early", {"step": step, "reason": reason, "not_before": not_before.isoformat()}
    )


def item_ticked(step: str, item: str, ticked: bool = True) -> NewEvent:
    return NewEvent("item.checked" if ticked else "item.unchecked", {"step": step, "item": item})


def note_added(text: str, step: str | None = None) -> NewEvent:
    return NewEvent("note.added", _with({"text": text}, step=step))


def draft_kept(field: str, text: str, step: str | None = None) -> NewEvent:
    return NewEvent("draft.kept", _with({"field": field, "text": text}, step=step))


def draft_dropped(field: str, step: str | None = None, why: str = "saved") -> NewEvent:
    return NewEvent("draft.dropped", _with({"field": field}, step=step, why=why))


def message_recorded(
    step: str, text: str, platforms: list[str], kind: str, audience: str | None = None
) -> NewEvent:
    """A version of a step's message; ``audience``: who it is for (public-post, public-reply,
    dm, press, internal, support-macro)."""
    data = {"step": step, "text": text, "platforms": platforms, "kind": kind}
    return NewEvent("message.recorded", _with(data, audience=audience))


def message_checked(
    step: str,
    *,
    lengths: dict[str, Any],
    findings: list[dict[str, Any]],
    errors: int,
    warnings: int,
    summary: str,
    override: str | None = None,
    audience: str | None = None,
) -> NewEvent:
    data = {
        "step": step,
        "lengths": lengths,
        "findings": findings,
        "errors": errors,
        "warnings": warnings,
        "summary": summary,
    }
    return NewEvent("message.checked", _with(data, override=override, audience=audience))


def message_approved(
    step: str, *, approver: str | None = None, override: str | None = None
) -> NewEvent:
    if bool(approver) == bool(override):
        raise ValueError("an approval names an approver or an override reason, not both")
    return NewEvent("message.approved", _with({"step": step}, approver=approver, override=override))


def approval_requested(
    step: str,
    approver: str,
    *,
    text: str,
    digest: str,
    platforms: list[str],
    checks: str | None = None,
    escalate_after: float | None = None,
    backup: str | None = None,
    escalated_from: str | None = None,
) -> NewEvent:
    """The exact version of a message (text, platforms, checks) put to one approver."""
    data = {"step": step, "approver": approver, "digest": digest, "text": text}
    return NewEvent(
        "message.approval_requested",
        _with(
            data,
            platforms=platforms,
            checks=checks,
            escalate_after=escalate_after,
            backup=backup,
            escalated_from=escalated_from,
        ),
    )


def approval_decided(
    step: str,
    decision: str,
    *,
    digest: str,
    approver: str,
    comment: str | None = None,
    scripted: bool = False,
    on_behalf_of: str | None = None,
    reason: str | None = None,
) -> NewEvent:
    """``approve`` or ``reject`` of the version with ``digest``, by ``approver`` (the person
    deciding; ``scripted``: an answers file stood in for them; ``on_behalf_of``: the person
    who may decide, for whom ``approver`` decided, and why)."""
    if decision not in ("approve", "reject"):
        raise ValueError(decision)
    data = {"step": step, "decision": decision, "digest": digest, "approver": approver}
    return NewEvent(
        "message.approval_decided",
        _with(
            data,
            comment=(comment or "").strip() or None,
            scripted=scripted or None,
            on_behalf_of=(on_behalf_of or "").strip() or None,
            reason=(reason or "").strip() or None,
        ),
    )


def session(kind: str, step: str | None = None) -> NewEvent:
    """``paused`` (at a step), ``interrupted`` or ``resumed``."""
    if kind not in ("paused", "interrupted", "resumed"):
        raise ValueError(kind)
    return NewEvent(f"session.{kind}", _with({}, step=step))


def run_finished(deferred: list[str], unfinished: list[str] | None = None) -> NewEvent:
    """The walk-through ended; ``unfinished``: every step still open (deferred ones too)."""
    status = "complete-except-deferred" if deferred or unfinished else "complete"
    return NewEvent(
        "run.finished", _with({"status": status, "deferred": deferred}, unfinished=unfinished)
    )


def walker_started(lease: str, *, pid: int, host: str, tty: str) -> NewEvent:
    """This process walks the incident from now on (one walker at a time)."""
    return NewEvent("walker.started", {"lease": lease, "pid": pid, "host": host, "tty": tty})


def walker_taken_over(
    lease: str, *, pid: int, host: str, tty: str, taken_from: Mapping[str, Any]
) -> NewEvent:
    """This process takes the walk-through over from a live walker (``taken_from``)."""
    data = {"lease": lease, "pid": pid, "host": host, "tty": tty}
    return NewEvent("walker.taken_over", _with(data, **{"from": dict(taken_from)}))


def incident_closed(summary: str | None = None) -> NewEvent:
    return NewEvent("incident.closed", _with({}, summary=summary))


def exit_checked(criterion: int, text: str, met: bool, note: str | None = None) -> NewEvent:
    """One exit criterion of the playbook, checked at close: met or not (and why not)."""
    data = {"criterion": criterion, "text": text, "met": met}
    return NewEvent("exit.checked", _with(data, note=(note or "").strip() or None))


def impact_recorded(
    *,
    started: datetime | None = None,
    detected: datetime | None = None,
    by_question: str | None = None,
    note: str | None = None,
) -> NewEvent:
    """When the impact began (the first post) and when the team noticed: the post-mortem
    measures its times from these, not only from the incident's opening. Either or both;
    the latest recorded one of each counts."""
    return NewEvent(
        "impact.recorded",
        _with(
            {},
            started=utc_text(started) if started is not None else None,
            detected=utc_text(detected) if detected is not None else None,
            by_question=by_question,
            note=(note or "").strip() or None,
        ),
    )


def incident_reopened() -> NewEvent:
    return NewEvent("incident.reopened", {})


def severity_changed(
    to: str,
    *,
    was: str | None = None,
    reason: str | None = None,
    by_question: str | None = None,
    switched_on: list[str] | None = None,
    switched_off: list[str] | None = None,
    floor: str | None = None,
    floor_facts: str | None = None,
) -> NewEvent:
    """A re-grade; ``switched_on``/``switched_off``: the steps whose conditions on the
    severity now hold / no longer hold (as the playbook stood when it was recorded);
    ``floor``: graded below the minimum level ``floor_facts`` set (``reason`` says why)."""
    return NewEvent(
        "severity.changed",
        _with(
            {"to": to},
            reason=reason,
            by_question=by_question,
            switched_on=switched_on,
            switched_off=switched_off,
            floor=floor,
            floor_facts=floor_facts,
            **{"from": was},
        ),
    )


def role_assigned(role: str, person: str) -> NewEvent:
    return NewEvent("role.assigned", {"role": role, "person": person})


def handoff_recorded(brief: str, counts: dict[str, int], to: str | None = None) -> NewEvent:
    return NewEvent("handoff.recorded", _with({"brief": brief, "counts": counts}, to=to))


def action_added(
    item_id: str,
    text: str,
    *,
    owner: str | None = None,
    due: str | None = None,
    step: str | None = None,
) -> NewEvent:
    return NewEvent(
        "action.added", _with({"id": item_id, "text": text}, owner=owner, due=due, step=step)
    )


def action_done(item_id: str) -> NewEvent:
    return NewEvent("action.done", {"id": item_id})


def queue_imported(
    source: str,
    posts: list[dict[str, Any]],
    *,
    preset: str,
    hours: float,
    window: tuple[datetime, datetime],
    rows: int,
    encoding: str,
    delimiter: str,
    columns: dict[str, Any],
    past: int,
    later: int,
) -> NewEvent:
    """A scheduler export read: the posts due in the window, and how the file was read."""
    return NewEvent(
        "queue.imported",
        {
            "source": source,
            "preset": preset,
            "hours": hours,
            "window_start": window[0].isoformat(),
            "window_end": window[1].isoformat(),
            "rows": rows,
            "encoding": encoding,
            "delimiter": delimiter,
            "columns": columns,
            "past": past,
            "later": later,
            "posts": posts,
        },
    )


def queue_decided(
    post: str, decision: str, reason: str, new_time: datetime | None = None
) -> NewEvent:
    data: dict[str, Any] = {"post": post, "decision": decision, "reason": reason}
    if new_time is not None:
        data["new_time"] = new_time.astimezone(timezone.utc).isoformat()
    return NewEvent("queue.decided", data)


def contact_logged(
    contact_id: str,
    who: str,
    channel: str,
    outcome: str,
    *,
    follow_up_due: datetime | None = None,
    note: str | None = None,
) -> NewEvent:
    due = follow_up_due.isoformat() if follow_up_due is not None else None
    data = {"id": contact_id, "who": who, "channel": channel, "outcome": outcome}
    return NewEvent("contact.logged", _with(data, follow_up_due=due, note=note))


def reply_person(
    reply_id: str, who: str, *, platform: str | None = None, link: str | None = None
) -> NewEvent:
    """A person who engaged and is owed a reply of their own (the reply ledger)."""
    return NewEvent(
        "reply.person", _with({"id": reply_id, "who": who}, platform=platform, link=link)
    )


def reply_sent(
    reply_id: str, text: str, *, checks: str | None = None, override: str | None = None
) -> NewEvent:
    """The reply written for that person went out (with its checks' summary)."""
    return NewEvent(
        "reply.sent", _with({"id": reply_id, "text": text}, checks=checks, override=override)
    )


def reply_closed(
    reply_id: str, outcome: str, *, contact: str | None = None, note: str | None = None
) -> NewEvent:
    """The person answered, or the thread moved to DM, phone or email (``contact``: the
    contact log entry), or needed no reply after all."""
    return NewEvent(
        "reply.closed", _with({"id": reply_id, "outcome": outcome}, contact=contact, note=note)
    )


def contact_followed_up(contact_id: str) -> NewEvent:
    return NewEvent("contact.followed_up", {"id": contact_id})


def evidence_added(
    sha256: str,
    size: int,
    name: str,
    kind: str,
    *,
    note: str | None = None,
    step: str | None = None,
) -> NewEvent:
    """A file kept as evidence: stored as ``evidence/<sha256>`` in the incident folder."""
    data = {"sha256": sha256, "size": size, "name": name, "type": kind}
    return NewEvent("evidence.added", _with(data, note=(note or "").strip() or None, step=step))


def evidence_linked(url: str, *, note: str | None = None, step: str | None = None) -> NewEvent:
    """A link kept as evidence (nothing is fetched)."""
    return NewEvent(
        "evidence.linked", _with({"url": url}, note=(note or "").strip() or None, step=step)
    )


def mentions_recorded(
    count: int, *, per: str = "hour", baseline: float | None = None, source: str | None = None
) -> NewEvent:
    """A count of mentions or replies in one ``per`` (minute, hour, day), with the count of a
    normal ``per`` beside it when known."""
    if per not in ("minute", "hour", "day"):
        raise ValueError(per)
    data: dict[str, Any] = {"count": count, "per": per}
    if baseline is not None:
        data["baseline"] = baseline
    return NewEvent("mentions.recorded", _with(data, source=(source or "").strip() or None))


def update_promised(step: str, due: datetime) -> NewEvent:
    """The message of ``step`` promises the next public update by ``due``."""
    return NewEvent(
        "update.promised", {"step": step, "due": due.astimezone(timezone.utc).isoformat()}
    )


def notify_claimed(
    key: str, channel: str, *, kind: str, attempt: int, text: str, label: str
) -> NewEvent:
    """This process sends notification ``key`` to ``channel`` now (others leave it)."""
    data = {"key": key, "channel": channel, "kind": kind, "attempt": attempt}
    return NewEvent("notify.claimed", {**data, "text": text, "label": label})


def notify_delivered(key: str, channel: str, *, attempt: int, label: str) -> NewEvent:
    data = {"key": key, "channel": channel, "attempt": attempt, "label": label}
    return NewEvent("notify.delivered", data)


def notify_failed(
    key: str, channel: str, *, attempt: int, error: str, final: bool, label: str
) -> NewEvent:
    data = {"key": key, "channel": channel, "attempt": attempt, "error": error[:500]}
    return NewEvent("notify.failed", {**data, "final": final, "label": label})


def drill_started(
    scenario: str,
    title: str,
    *,
    length: int,
    speed: float,
    clock: str,
    injects: int,
    expectations: list[dict[str, Any]],
    digest: str,
) -> NewEvent:
    """A drill of ``scenario`` begins: its length and speed, and what it expects."""
    data: dict[str, Any] = {"scenario": scenario, "title": title, "length": length}
    data.update(speed=speed, clock=clock, injects=injects)
    return NewEvent("drill.started", {**data, "expectations": expectations, "digest": digest})


def drill_inject(
    key: str,
    kind: str,
    text: str,
    *,
    due: float | None = None,
    sender: str | None = None,
    count: int | None = None,
    per: str | None = None,
) -> NewEvent:
    """The outside world acts in a drill (``due``: when the scenario said, in drill seconds)."""
    data = {"key": key, "kind": kind, "text": text}
    return NewEvent("drill.inject", _with(data, due=due, count=count, per=per, **{"from": sender}))


def drill_clock(kind: str, reason: str | None = None, *, cause: str | None = None) -> NewEvent:
    """``drill.paused``, ``drill.resumed`` or ``drill.ended`` (``cause``: time | finished)."""
    if kind not in ("paused", "resumed", "ended"):
        raise ValueError(kind)
    return NewEvent(f"drill.{kind}", _with({}, reason=(reason or "").strip() or None, cause=cause))


# -- words the English views use (sentences about events: ``describe.py``, in every language) --


REPLY_OUTCOMES = {
    "answered": "they answered",
    "dm": "moved to direct messages",
    "phone": "moved to a phone call",
    "email": "moved to email",
    "no-reply-needed": "no reply needed",
}


#: How the log's sections and the report name each audience (``event.audience.*`` in en.yaml
#: says the same; a test keeps them equal).
AUDIENCE_WORDS = {
    "public-post": "public post",
    "public-reply": "public reply",
    "dm": "direct message",
    "press": "press statement",
    "internal": "staff memo",
    "support-macro": "support macro",
}


#: What happened to a message of each audience when its step was done.
SENT_WORDS = {
    "public-post": "published",
    "public-reply": "published",
    "dm": "sent",
    "press": "issued to the press",
    "internal": "sent to staff",
    "support-macro": "handed to support",
}
#: The report's heading for the messages of each audience that went out.
SENT_HEADINGS = {
    "public-post": "Messages published",
    "public-reply": "Messages published",
    "dm": "Direct messages sent",
    "press": "Press statements issued",
    "internal": "Staff memos sent",
    "support-macro": "Support macros handed over",
}


def sent_words(audience: str | None) -> str:
    """``published``, ``sent to staff``, ``issued to the press``… (public: published)."""
    return SENT_WORDS.get(audience or "public-post", "published")


INJECT_WORDS = {
    "post": "the post",
    "mentions": "mentions",
    "press": "press enquiry",
    "customer": "customer",
    "executive": "executive",
    "platform": "platform notice",
    "screenshot": "leaked screenshot",
    "scheduled": "scheduled post",
    "facilitator": "facilitator",
}
