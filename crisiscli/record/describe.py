"""Every sentence about an event, in the playbook's language: the one describer.

``describe`` puts an event into words once, while the fold applies it (``catchup.py``); the
timeline line it writes is what ``log.md``, ``crisis status``, ``crisis watch``, the
handoff brief and the report show. ``notice`` gives the title and text of a notification
(``walk/alerts.py`` decides *when* one is due, this module says *what* it says), so the
team's channel and the log tell an event in the same words.

The words are keys in ``locales/<language>.yaml`` (``event.*``, ``notice.*``), read through
``i18n.Catalogue``: a Swedish playbook's log says "Incident öppnad", not "Incident opened".
Every event kind of the vocabulary (``events.SPECS``) has a sentence in every language
(tests/record/test_describe.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

from crisiscli.i18n import Catalogue
from crisiscli.record.events import Event
from crisiscli.record.fold import EARLIER_VERSION, MessageState, VoidedApproval
from crisiscli.timeutil import duration_text, parse_iso


class Names(Protocol):
    """What a description needs from the playbook and the incident at that moment."""

    @property
    def words(self) -> Catalogue: ...

    def step_title(self, step_id: str) -> str: ...

    def question_label(self, question_id: str) -> str: ...

    def answer_label(self, question_id: str, value: Any) -> str: ...

    def item_text(self, step_id: str, item_id: str) -> str: ...

    def time_text(self, ts: datetime) -> str: ...


Describer = Callable[[Mapping[str, Any], str, Names], str]
#: A sentence that names who did it (the event's actor) rather than a step.
WhoDescriber = Callable[[str, Mapping[str, Any], Names], str]


def describe(event: Event, names: Names) -> str:
    """One plain-text sentence, in the playbook's language: what this event says happened."""
    d, kind = event.data, event.type
    step = names.step_title(_s(d.get("step"))) if d.get("step") else ""
    by_whom = _BY_WHOM.get(kind)
    if by_whom is not None:
        return by_whom(event.actor, d, names)
    handler = _DESCRIBERS.get(kind)
    if handler is not None:
        return handler(d, step, names)
    text = _s(d.get("text"))
    return kind + (f": {text}" if text else "")


def notice(words: Catalogue, kind: str, **values: Any) -> tuple[str, str]:
    """The title and the text of a notification of ``kind`` (``notice.<kind>.title`` and
    ``.text``), in the playbook's language."""
    return words.t(f"notice.{kind}.title", **values), words.t(f"notice.{kind}.text", **values)


def audience_words(words: Catalogue, audience: str) -> str:
    """``press statement``, ``staff memo``… as the language says it (unknown: as stored)."""
    key = f"event.audience.{audience}"
    return words.t(key) if words.knows(key) else audience


def approval_outcome(message: MessageState, words: Catalogue) -> str:
    """The one phrase every view uses for what became of a version's approval: "approved by
    Dana (scripted)", "waiting for approval from Sam", "sent to staff without approval: …";
    where the team signs, with what the decision's signature proves: "approved by Dana ✓
    signed", or the decision that arrived and did not count."""
    said = _approval_outcome(message, words)
    if message.decision_trust is not None and (message.decision or message.approver):
        return f"{said} {trust_mark(message.decision_trust, words)}"
    return said


def _approval_outcome(message: MessageState, words: Catalogue) -> str:
    w = words
    if message.override:  # a memo is "sent to staff" without approval, a post "published"
        return w.t("event.approval.without", sent=_sent(w, message.audience), text=message.override)
    proxy = ""
    if message.decided_for:
        proxy = w.t("event.on_behalf_of", who=message.decided_for)
        proxy += _tail(w, "event.on_behalf_of.why", message.decided_for_reason)
    if message.decision == "approved" and message.self_approved:
        return w.t("event.approval.self", proxy=proxy)
    if message.decision == "approved":
        scripted = w.t("event.approval.scripted") if message.decision_scripted else ""
        who = message.decided_by
        return w.t("event.approval.approved", who=who, proxy=proxy, scripted=scripted)
    if message.decision == "rejected":
        comment = _tail(w, "event.comment", message.decision_comment)
        return w.t("event.approval.rejected", who=message.decided_by, proxy=proxy, comment=comment)
    if message.approver:  # typed in by the responder (journals from before crisis 0.3)
        return w.t("event.approval.recorded", who=message.approver, by=message.approved_by)
    pending = message.pending_request
    refused = ""
    late = not_counted(message, w)  # for the version waiting (a forged or replayed decision)
    if late or message.uncounted:
        refused = f" ({late[-1] if late else refusal_words(message.uncounted[-1], w)})"
    if pending is not None:
        return w.t("event.approval.waiting", who=pending.approver) + refused
    return w.t("event.approval.none") + refused


# -- signatures (record/signing.py): what a verdict and an uncounted decision say -------------


def trust_mark(word: str, words: Catalogue) -> str:
    """What follows a decision: ``✓ signed``, ``(unsigned)``, ``(signature does not
    verify: …)`` (``word``: a ``signing.Verdict.word``)."""
    from crisiscli.record.signing import Verdict

    return Verdict(word).marked(words)


def signature_mark(word: str, words: Catalogue, *, counted: bool = True) -> str:
    """What the timeline adds to an event's sentence: `` (unsigned)``, `` (signature does
    not verify: …; not counted)``."""
    from crisiscli.record.signing import Verdict

    shown = Verdict(word).shown(words)
    return words.t("signature.mark" if counted else "signature.mark.not_counted", shown=shown)


def refusal_words(refused: VoidedApproval, words: Catalogue) -> str:
    """A decision that did not count: "a decision by Dana was approved, not counted:
    unsigned" (``approval.require_signature``), or "… was not counted: decided on an
    earlier version ✓ signed"."""
    if refused.what == EARLIER_VERSION:
        mark = f" {trust_mark(refused.trust, words)}" if refused.trust else ""
        return words.t("signature.refused.earlier", who=refused.approver, mark=mark)
    return words.t("signature.refused", who=refused.approver, what=uncounted_words(refused, words))


def uncounted_words(refused: VoidedApproval, words: Catalogue) -> str:
    """``approved, not counted: signature does not verify: …`` (``MessageState.uncounted``)."""
    from crisiscli.record.signing import UNSIGNED, Verdict

    why = Verdict(refused.trust or UNSIGNED).shown(words)
    what = words.t(f"signature.decision.{refused.what}")
    return words.t("signature.not_counted", what=what, why=why)


def voided_words(gone: VoidedApproval, words: Catalogue) -> str:
    """What stopped counting, with what its signature proved where the team signs:
    ``decided on an earlier version ✓ signed``."""
    return gone.what + (f" {trust_mark(gone.trust, words)}" if gone.trust else "")


def not_counted(message: MessageState, words: Catalogue) -> list[str]:
    """The decisions that arrived for the version waiting and do not count, in words: a
    signature missing or not verifying, or a (possibly replayed) decision naming an earlier
    version. What status, watch and ``crisis approve --list`` show under the request."""
    request = message.pending_request
    if request is None:
        return []
    late = [v for v in message.uncounted if v.ts > request.ts]
    late += [v for v in message.voided if v.ts > request.ts and v.what == EARLIER_VERSION]
    return [refusal_words(v, words) for v in sorted(late, key=lambda v: v.ts)]


def waiting_for(approver: str, waited: str, words: Catalogue) -> str:
    """``waiting for approval from Dana — 3m``."""
    return words.t("event.approval.waiting_since", who=approver, waited=waited)


# -- the sentences ---------------------------------------------------------------------------


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def _tail(words: Catalogue, key: str, value: Any) -> str:
    """An optional part (`` — reason``): its words when ``value`` is there, else nothing."""
    text = _s(value).strip()
    return words.t(key, text=text) if text else ""


def _simple(key: str) -> Describer:
    """A sentence filled from the event's fields as they are (``{id}``, ``{to}``, …)."""
    return lambda d, step, names: names.words.t(
        key, **{**{k: _s(v) for k, v in d.items()}, "step": step}
    )


def _opened(d: Mapping[str, Any], step: str, names: Names) -> str:
    pb = d.get("playbook") if isinstance(d.get("playbook"), dict) else {}
    w = names.words
    line = w.t(
        "event.incident.opened",
        title=_s(d.get("title")),
        severity=w.level(_s(d.get("severity"))),
        playbook=_s(pb.get("title") if pb else ""),
    )
    return line + (w.t("event.incident.opened.drill") if d.get("drill") else "")


def _answered(key: str) -> Describer:
    def describe_answer(d: Mapping[str, Any], step: str, names: Names) -> str:
        qid = _s(d.get(key))
        value = d.get("value")
        if isinstance(value, bool):  # a yes/no answer is said in the language: "→ nej"
            said = names.words.t("yes" if value else "no").lower()
        else:
            said = names.answer_label(qid, value)
        line = f"{names.question_label(qid)} → {said}"
        routine = d.get("no_incident") is True
        return line + (names.words.t("event.answer.set.no_incident") if routine else "")

    return describe_answer


_VIA = ("back", "revisit", "recall", "aside", "return")


_WHY = ("deadline", "overdue", "phase")


def _entered(d: Mapping[str, Any], step: str, names: Names) -> str:
    via = _s(d.get("via"))
    w = names.words
    if via == "recall" and _s(d.get("why")) in _WHY:  # what brought it back (older: either)
        via = f"recall.{_s(d.get('why'))}"
    elif via not in _VIA:
        return w.t("event.step.entered", step=step)
    return w.t("event.step.entered", step=step) + w.t(f"event.step.entered.{via}")


def _done(d: Mapping[str, Any], step: str, names: Names) -> str:
    unchecked = d.get("unchecked") or []
    w = names.words
    left = w.t("event.step.done.unticked", count=len(unchecked)) if unchecked else ""
    return w.t("event.step.done", step=step) + left


def _left(kind: str) -> Describer:
    def describe_left(d: Mapping[str, Any], step: str, names: Names) -> str:
        w = names.words
        return w.t(f"event.{kind}", step=step) + _tail(w, f"event.{kind}.reason", d.get("reason"))

    return describe_left


def _ticked(key: str) -> Describer:
    def describe_tick(d: Mapping[str, Any], step: str, names: Names) -> str:
        item = names.item_text(_s(d.get("step")), _s(d.get("item")))
        return names.words.t(key, item=item)

    return describe_tick


def _message(d: Mapping[str, Any], step: str, names: Names) -> str:
    w = names.words
    audience = _s(d.get("audience"))
    said = audience_words(w, audience) if audience else ""
    what = said[:1].upper() + said[1:] if said and said != audience else w.t("event.message")
    platforms = ", ".join(_s(p) for p in d.get("platforms") or [])
    if audience and audience not in ("public-post", "public-reply", "dm"):
        platforms = ""  # a press statement or a memo goes on no platform
    where = f" ({platforms})" if platforms else ""
    return w.t("event.message.recorded", what=what, step=step, platforms=where)


def _sent(words: Catalogue, audience: str | None) -> str:
    key = f"event.sent.{audience or 'public-post'}"
    return words.t(key if words.knows(key) else "event.sent.public-post")


def _checked(d: Mapping[str, Any], step: str, names: Names) -> str:
    w = names.words
    line = w.t("event.message.checked", step=step, summary=_s(d.get("summary")))
    override = _s(d.get("override")).strip()
    if not override:
        return line
    went = _sent(w, _s(d.get("audience")) or None)
    return line + w.t("event.message.checked.override", went=went, text=override)


def _approved(d: Mapping[str, Any], step: str, names: Names) -> str:
    override = _s(d.get("override")).strip()
    if override:
        return names.words.t("event.message.approved.override", step=step, text=override)
    return names.words.t("event.message.approved", step=step, approver=_s(d.get("approver")))


def _requested(d: Mapping[str, Any], step: str, names: Names) -> str:
    w = names.words
    line = w.t("event.message.approval_requested", step=step, approver=_s(d.get("approver")))
    late = _s(d.get("escalated_from")).strip()
    if late:
        after = d.get("escalate_after")
        waited = ""
        if isinstance(after, (int, float)) and after >= 1:
            waited = w.t("event.escalated.after", after=duration_text(int(after)))
        line += w.t("event.escalated", who=late, waited=waited)
    return line + _tail(w, "event.message.approval_requested.checks", d.get("checks"))


def _approval_decided(d: Mapping[str, Any], step: str, names: Names) -> str:
    w = names.words
    key = "approve" if d.get("decision") == "approve" else "reject"
    line = w.t(f"event.message.approval_decided.{key}", step=step, who=_s(d.get("approver")))
    if d.get("on_behalf_of"):
        line += w.t("event.on_behalf_of", who=_s(d.get("on_behalf_of")))
        line += _tail(w, "event.on_behalf_of.why", d.get("reason"))
    if d.get("scripted"):
        line += w.t("event.scripted")
    return line + _tail(w, "event.comment", d.get("comment"))


def _evidence(d: Mapping[str, Any], step: str, names: Names) -> str:
    size = d.get("size")
    shown = f", {_size_text(size)}" if isinstance(size, int) else ""
    w = names.words
    line = w.t(
        "event.evidence.added",
        name=_s(d.get("name")),
        type=_s(d.get("type")),
        size=shown,
        sha=_s(d.get("sha256"))[:12],
    )
    return line + _tail(w, "event.note_tail", d.get("note"))


def _size_text(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def _linked(d: Mapping[str, Any], step: str, names: Names) -> str:
    w = names.words
    return w.t("event.evidence.linked", url=_s(d.get("url"))) + _tail(
        w, "event.note_tail", d.get("note")
    )


def _mentions(d: Mapping[str, Any], step: str, names: Names) -> str:
    w = names.words
    per = f"event.per.{_s(d.get('per')) or 'hour'}"
    line = w.t(
        "event.mentions.recorded",
        count=_s(d.get("count")),
        per=w.t(per) if w.knows(per) else per[10:],
    )
    baseline = d.get("baseline")
    if isinstance(baseline, (int, float)) and not isinstance(baseline, bool) and baseline > 0:
        count = d.get("count")
        ratio = f", {count / baseline:.1f}x" if isinstance(count, int) else ""
        line += w.t("event.mentions.baseline", baseline=f"{baseline:g}", ratio=ratio)
    return line + _tail(w, "event.note_tail", d.get("source"))


def _drill_offset(seconds: Any) -> str:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        return ""
    minutes, secs = divmod(int(seconds), 60)
    return f" +{minutes}m" + (f"{secs:02d}s" if secs else "")


def inject_kind_words(words: Catalogue, kind: str) -> str:
    """``press enquiry``, ``leaked screenshot``… as the language says a drill inject's kind."""
    key = f"event.drill.kind.{kind}"
    return words.t(key) if words.knows(key) else kind


def _drill_started(d: Mapping[str, Any], step: str, names: Names) -> str:
    w = names.words
    speed = d.get("speed")
    fast = ""
    if isinstance(speed, (int, float)) and not isinstance(speed, bool) and speed not in (0, 1):
        fast = w.t("event.drill.speed", speed=f"{speed:g}")
    length = d.get("length")
    minutes = str(int(length) // 60) if isinstance(length, (int, float)) else "?"
    return w.t("event.drill.started", title=_s(d.get("title")), minutes=minutes, speed=fast)


def _drill_ended(d: Mapping[str, Any], step: str, names: Names) -> str:
    w = names.words
    cause = f"event.drill.ended.{_s(d.get('cause'))}"
    why = w.t(cause) if d.get("cause") and w.knows(cause) else _s(d.get("reason")).strip()
    return w.t("event.drill.ended") + (w.t("event.reason_tail", text=why) if why else "")


def _drill_inject(d: Mapping[str, Any], step: str, names: Names) -> str:
    w = names.words
    kind = _s(d.get("kind"))
    count = d.get("count")
    amount = ""
    if kind == "mentions" and isinstance(count, int) and not isinstance(count, bool):
        per = f"event.per.{_s(d.get('per')) or 'hour'}"
        amount = w.t("event.drill.count", count=count, per=w.t(per) if w.knows(per) else per[10:])
    sender = _s(d.get("from")).strip()
    return w.t(
        "event.drill.inject",
        kind=inject_kind_words(w, kind),
        at=_drill_offset(d.get("due")),
        count=amount,
        sender=w.t("event.drill.sender", text=sender) if sender else "",
        text=_s(d.get("text")),
    )


def _finished(d: Mapping[str, Any], step: str, names: Names) -> str:
    w = names.words
    for field in ("unfinished", "deferred"):
        ids = d.get(field) or []
        if ids:
            titles = ", ".join(names.step_title(_s(s)) for s in ids)
            return w.t(f"event.run.finished.{field}", titles=titles)
    return w.t("event.run.finished")


def _walker(who: str, d: Mapping[str, Any], names: Names) -> str:
    """Who started walking, or took over from whom: the people, never the process or the
    machine (pid and host are the lease's business, ``walk/lease.py``; a post-mortem and
    a public report name people)."""
    taken = d.get("from") if isinstance(d.get("from"), dict) else None
    if taken is None:
        return names.words.t("event.walker.started", who=who)
    return names.words.t("event.walker.taken_over", who=who, was=_s(taken.get("actor")))


def _closed(d: Mapping[str, Any], step: str, names: Names) -> str:
    w = names.words
    return w.t("event.incident.closed") + _tail(w, "event.colon_tail", d.get("summary"))


def _impact(d: Mapping[str, Any], step: str, names: Names) -> str:
    w = names.words
    when = {}
    for key in ("started", "detected"):
        at = parse_iso(_s(d.get(key))) if d.get(key) else None
        if at is not None:
            when[key] = names.time_text(at)
    if len(when) == 2:
        line = w.t("event.impact.both", started=when["started"], detected=when["detected"])
    elif when:
        ((key, text),) = when.items()
        line = w.t(f"event.impact.{key}", when=text)
    else:
        line = w.t("event.impact.recorded")
    if d.get("by_question"):
        question = names.question_label(_s(d.get("by_question")))
        line += w.t("event.impact.by_question", question=question)
    return line + _tail(w, "event.note_tail", d.get("note"))


def _exit(d: Mapping[str, Any], step: str, names: Names) -> str:
    w = names.words
    key = "event.exit.checked.met" if d.get("met") is True else "event.exit.checked.not_met"
    line = w.t(key, criterion=_s(d.get("criterion")), text=_s(d.get("text")))
    return line + _tail(w, "event.note_tail", d.get("note"))


def _early(d: Mapping[str, Any], step: str, names: Names) -> str:
    w = names.words
    due = parse_iso(_s(d.get("not_before")))
    when = names.time_text(due) if due is not None else _s(d.get("not_before"))
    return w.t("event.step.early", step=step, when=when) + _tail(
        w, "event.step.skipped.reason", d.get("reason")
    )


def _severity(d: Mapping[str, Any], step: str, names: Names) -> str:
    w = names.words
    kept = d.get("from") and d.get("from") == d.get("to")
    key = "event.severity.kept" if kept else "event.severity.changed"
    line = w.t(key, level=w.level(_s(d.get("to"))))
    if d.get("floor"):
        line += w.t("event.severity.floor", floor=w.level(_s(d.get("floor"))))
        line += _tail(w, "event.severity.floor_facts", d.get("floor_facts"))
    line += _tail(w, "event.reason_tail", d.get("reason"))
    if d.get("from") and not kept:
        line += w.t("event.severity.was", level=w.level(_s(d.get("from"))))
    if d.get("by_question"):
        question = names.question_label(_s(d.get("by_question")))
        line += w.t("event.severity.by_question", question=question)
    for key in ("switched_on", "switched_off"):
        ids = d.get(key) or []
        if ids:
            titles = ", ".join(names.step_title(_s(s)) for s in ids)
            line += w.t(f"event.severity.{key}", titles=titles)
    return line


def _role(d: Mapping[str, Any], step: str, names: Names) -> str:
    person = _s(d.get("person")).strip()
    role = _s(d.get("role"))
    if person:
        return names.words.t("event.role.assigned", role=role, person=person)
    return names.words.t("event.role.assigned.open", role=role)


_HANDOFF_COUNTS = ("overdue", "deferred", "unfinished", "follow_ups", "approvals", "actions")


def _handoff(d: Mapping[str, Any], step: str, names: Names) -> str:
    w = names.words
    counts = d.get("counts") if isinstance(d.get("counts"), dict) else {}
    assert isinstance(counts, dict)
    open_items = [
        w.t(f"event.handoff.{k}", count=counts[k])
        for k in _HANDOFF_COUNTS
        if isinstance(counts.get(k), int) and not isinstance(counts.get(k), bool) and counts[k]
    ]
    to = _s(d.get("to")).strip()
    text = w.t("event.handoff.recorded.to", to=to) if to else w.t("event.handoff.recorded")
    left = ", ".join(open_items) if open_items else w.t("event.handoff.nothing_open")
    return f"{text} — {left}"


def _action_added(d: Mapping[str, Any], step: str, names: Names) -> str:
    w = names.words
    extra = [
        w.t("event.action.owner", who=_s(d["owner"])) if d.get("owner") else "",
        w.t("event.action.due", date=_s(d["due"])) if d.get("due") else "",
    ]
    shown = ", ".join(x for x in extra if x)
    line = w.t("event.action.added", id=_s(d.get("id")), text=_s(d.get("text")))
    return line + (f" ({shown})" if shown else "")


def _imported(d: Mapping[str, Any], step: str, names: Names) -> str:
    w = names.words
    posts = d.get("posts") if isinstance(d.get("posts"), list) else []
    hours = d.get("hours")
    source = _s(d.get("source"))
    line = w.t("event.queue.imported")
    line += w.t("event.queue.imported.from", source=source) if source else ""
    line += f": {len(posts or [])}"
    if isinstance(hours, (int, float)):
        line += w.t("event.queue.imported.window", hours=f"{hours:g}")
    return line


def _decided(d: Mapping[str, Any], step: str, names: Names) -> str:
    w = names.words
    decision = _s(d.get("decision"))
    key = f"event.queue.decision.{decision}"
    shown = w.t(key) if w.knows(key) else decision
    line = w.t("event.queue.decided", post=_s(d.get("post")), decision=shown)
    new_time = parse_iso(_s(d.get("new_time")))
    if decision == "reschedule" and new_time is not None:
        line += w.t("event.queue.decided.to", when=names.time_text(new_time))
    return line + _tail(w, "event.reason_tail", d.get("reason"))


def _contact(d: Mapping[str, Any], step: str, names: Names) -> str:
    w = names.words
    line = w.t(
        "event.contact.logged",
        id=_s(d.get("id")),
        who=" ".join(_s(d.get("who")).split()),
        channel=_s(d.get("channel")),
        outcome=_s(d.get("outcome")),
    )
    due = parse_iso(_s(d.get("follow_up_due")))
    if due is not None:
        line += w.t("event.contact.follow_up", when=names.time_text(due))
    return line + _tail(w, "event.note_tail", d.get("note"))


def _promised(d: Mapping[str, Any], step: str, names: Names) -> str:
    due = parse_iso(_s(d.get("due")))
    when = names.time_text(due) if due is not None else _s(d.get("due"))
    return names.words.t("event.update.promised", step=step, when=when)


def _reply_person(d: Mapping[str, Any], step: str, names: Names) -> str:
    w = names.words
    line = w.t("event.reply.person", id=_s(d.get("id")), who=" ".join(_s(d.get("who")).split()))
    return line + _tail(w, "event.reply.person.platform", d.get("platform"))


def _reply_sent(d: Mapping[str, Any], step: str, names: Names) -> str:
    w = names.words
    line = w.t("event.reply.sent", id=_s(d.get("id")), text=_s(d.get("text")))
    return line + _tail(w, "event.reply.sent.override", d.get("override"))


def _reply_closed(d: Mapping[str, Any], step: str, names: Names) -> str:
    w = names.words
    outcome = _s(d.get("outcome"))
    key = f"event.reply.outcome.{outcome}"
    line = w.t(
        "event.reply.closed", id=_s(d.get("id")), outcome=w.t(key) if w.knows(key) else outcome
    )
    line += _tail(w, "event.reply.closed.contact", d.get("contact"))
    return line + _tail(w, "event.note_tail", d.get("note"))


def _notice_claimed(d: Mapping[str, Any], step: str, names: Names) -> str:
    w = names.words
    attempt = d.get("attempt")
    again = w.t("event.notify.attempt", attempt=attempt)
    again = again if isinstance(attempt, int) and attempt > 1 else ""
    return w.t(
        "event.notify.claimed",
        to=_s(d.get("label")) or w.t("event.notify.a_channel"),
        again=again,
        text=_s(d.get("text")).strip() or _s(d.get("kind")),
    )


def _notice_delivered(d: Mapping[str, Any], step: str, names: Names) -> str:
    w = names.words
    return w.t("event.notify.delivered", to=_s(d.get("label")) or w.t("event.notify.a_channel"))


def _notice_failed(d: Mapping[str, Any], step: str, names: Names) -> str:
    w = names.words
    return w.t(
        "event.notify.failed",
        to=_s(d.get("label")) or w.t("event.notify.a_channel"),
        attempt=_s(d.get("attempt")),
        error=_s(d.get("error")),
        then=w.t("event.notify.gave_up" if d.get("final") else "event.notify.will_retry"),
    )


def _draft(key: str) -> Describer:
    def describe_draft(d: Mapping[str, Any], step: str, names: Names) -> str:
        w = names.words
        said = f"event.draft.field.{_s(d.get('field'))}"
        field = w.t(said) if w.knows(said) else _s(d.get("field"))
        return w.t(key, field=field, count=len(_s(d.get("text")).split()))

    return describe_draft


_DESCRIBERS: dict[str, Describer] = {
    "incident.opened": _opened,
    "input.set": _answered("input"),
    "answer.set": _answered("question"),
    "step.entered": _entered,
    "step.done": _done,
    "step.skipped": _left("step.skipped"),
    "step.deferred": _left("step.deferred"),
    "step.not_applicable": _left("step.not_applicable"),
    "step.early": _early,
    "item.checked": _ticked("event.item.checked"),
    "item.unchecked": _ticked("event.item.unchecked"),
    "note.added": _simple("event.note.added"),
    "message.recorded": _message,
    "message.checked": _checked,
    "message.approved": _approved,
    "session.paused": _simple("event.session.paused"),
    "session.interrupted": _simple("event.session.interrupted"),
    "session.resumed": _simple("event.session.resumed"),
    "run.finished": _finished,
    "incident.closed": _closed,
    "exit.checked": _exit,
    "incident.reopened": _simple("event.incident.reopened"),
    "severity.changed": _severity,
    "title.changed": _simple("event.title.changed"),
    "role.assigned": _role,
    "handoff.recorded": _handoff,
    "action.added": _action_added,
    "action.done": _simple("event.action.done"),
    "queue.imported": _imported,
    "queue.decided": _decided,
    "contact.logged": _contact,
    "contact.followed_up": _simple("event.contact.followed_up"),
    "reply.person": _reply_person,
    "reply.sent": _reply_sent,
    "reply.closed": _reply_closed,
    "message.approval_requested": _requested,
    "message.approval_decided": _approval_decided,
    "evidence.added": _evidence,
    "evidence.linked": _linked,
    "mentions.recorded": _mentions,
    "drill.started": _drill_started,
    "drill.inject": _drill_inject,
    "drill.paused": _simple("event.drill.paused"),
    "drill.resumed": _simple("event.drill.resumed"),
    "drill.ended": _drill_ended,
    "update.promised": _promised,
    "impact.recorded": _impact,
    "notify.claimed": _notice_claimed,
    "notify.delivered": _notice_delivered,
    "notify.failed": _notice_failed,
    "draft.kept": _draft("event.draft.kept"),
    "draft.dropped": _draft("event.draft.dropped"),
}

_BY_WHOM: dict[str, WhoDescriber] = {
    "walker.started": _walker,
    "walker.taken_over": _walker,
}
