"""What is worth telling the team: the notifications an incident has given rise to so far.

``alerts`` reads the fold (and the deadlines, computed in ``deadlines.py``) and returns
every notification whose moment has come, each with a key that is the same in every
terminal and after every sync — so a bell rings once per terminal, and each channel gets
each notification once (``notifier.py`` records what was sent in the journal):

==================== ============================================ ===========================
kind                 when                                         key
==================== ============================================ ===========================
incident.opened      the incident opened                          ``incident.opened``
severity.changed     each re-grade                                ``severity.changed:<time>``
deadline.soon        2 minutes before a deadline still open       ``deadline.soon:<deadline>``
deadline.passed      a deadline passed and is still not met       ``deadline.passed:<deadline>``
approval.requested   a version is put to someone (or the backup)  ``approval.requested:<step>:<time>``
approval.decided     approved, rejected, or sent without (why)    ``approval.decided:<step>:<time>``
handoff              each handoff                                 ``handoff:<time>``
incident.closed      the incident closed                          ``incident.closed:<time>``
incident.reopened    a closed incident was reopened               ``incident.reopened:<time>``
==================== ============================================ ===========================

A deadline's notifications are offered only while they still mean something: "soon" while
it is open, "passed" while it is overdue (not once it was met late or waived). Nothing is
due before the incident opened: a deadline two minutes after the start is "soon" from the
start, and the opening comes first whatever the clock says (``ORDER``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, tzinfo
from typing import Any

from crisiscli.i18n import catalogue
from crisiscli.playbook.model import Playbook
from crisiscli.record.describe import audience_words, notice
from crisiscli.record.fold import IncidentState
from crisiscli.team.notify.message import Notification
from crisiscli.timeutil import format_duration, short_when
from crisiscli.walk.deadlines import DeadlineStatus, deadline_statuses

SOON = timedelta(minutes=2)
# At one moment, the order a person would tell it in: the opening before anything else.
ORDER = {
    "incident.opened": 0,
    "incident.reopened": 1,
    "severity.changed": 2,
    "approval.requested": 3,
    "approval.decided": 4,
    "handoff": 5,
    "deadline.soon": 6,
    "deadline.passed": 7,
    "incident.closed": 8,
}


class _Facts:
    """The fields every notification of one incident shares."""

    def __init__(
        self, incident_id: str, state: IncidentState, playbook: Playbook, now: datetime,
        tz: tzinfo | None,
    ) -> None:  # fmt: skip
        self.incident_id = incident_id
        self.state = state
        self.playbook = playbook
        self.now = now
        self.tz = tz
        self.words = catalogue(playbook.language)  # the sentences: describe.notice

    def say(self, kind: str, **values: Any) -> tuple[str, str]:
        return notice(self.words, kind, **values)

    def t(self, key: str, **values: Any) -> str:
        return self.words.t(f"notice.{key}", **values)

    def when(self, ts: datetime) -> str:
        return short_when(ts, self.tz, self.now)

    def make(
        self,
        key: str,
        kind: str,
        at: datetime,
        title: str,
        text: str,
        *fields: tuple[str, str],
        actor: str | None = None,
    ) -> Notification:
        s = self.state
        common = [("Incident", s.title or self.incident_id), ("Severity", s.severity)]
        if s.started_at is not None:
            since = format_duration((self.now - s.started_at).total_seconds())
            common.append(("Since start", since))
        common.append(("Id", self.incident_id))
        return Notification(
            key, kind, at, title, text, (*fields, *common), self.incident_id,
            s.title or self.incident_id, s.severity, s.drill, actor,
        )  # fmt: skip

    def step_title(self, step_id: str) -> str:
        try:
            return self.playbook.step(step_id).title
        except KeyError:
            return step_id


def alerts(
    incident_id: str,
    state: IncidentState,
    playbook: Playbook,
    now: datetime,
    tz: tzinfo | None = None,
) -> list[Notification]:
    """Every notification whose moment has come, oldest first (an event's the moment it
    was recorded; a deadline's while it is two minutes away or overdue at ``now``)."""
    if state.started_at is None:
        return []
    facts = _Facts(incident_id, state, playbook, now, tz)
    found = [
        *_opened(facts),
        *_regrades(facts),
        *_deadlines(facts),
        *approvals(facts),
        *_handoffs(facts),
        *_closed(facts),
        *_reopened(facts),
    ]
    return sorted(found, key=lambda n: (n.at, ORDER.get(n.kind, 9), n.key))


def _opened(f: _Facts) -> Iterator[Notification]:
    s = f.state
    assert s.started_at is not None
    playbook = f"{f.playbook.title} ({f.playbook.id})"
    title, text = f.say(
        "incident.opened", title=s.title, who=s.opened_by, when=f.when(s.started_at),
        playbook=playbook,
    )  # fmt: skip
    yield f.make(
        "incident.opened", "incident.opened", s.started_at, title, text,
        ("Opened by", s.opened_by), ("Playbook", playbook), actor=s.opened_by,
    )  # fmt: skip


def _regrades(f: _Facts) -> Iterator[Notification]:
    for change in f.state.severity_changes:
        was = f.t("was", level=f.words.level(change.was)) if change.was else ""
        why = f.t("colon_tail", text=change.reason) if change.reason else ""
        title, text = f.say(
            "severity.changed", level=f.words.level(change.to), was=was, who=change.actor,
            why=why,
        )  # fmt: skip
        yield f.make(
            f"severity.changed:{change.ts.isoformat()}", "severity.changed", change.ts,
            title, text, ("By", change.actor), actor=change.actor,
        )  # fmt: skip


def _deadline_fields(f: _Facts, d: DeadlineStatus) -> tuple[tuple[str, str], ...]:
    fields = [("Due", f.when(d.due_at))]
    if d.kind == "promise":
        fields.append(("Promised in", f.step_title(d.step)))
    elif d.kind == "step":
        fields.append(("Step", f.step_title(d.step)))
    return tuple(fields)


def _deadlines(f: _Facts) -> Iterator[Notification]:
    opened = f.state.started_at
    assert opened is not None
    for d in deadline_statuses(f.playbook, f.state, f.now):
        if d.state == "open" and d.due_at - f.now <= SOON:
            left = format_duration(d.seconds_left(f.now))
            title, text = f.say("deadline.soon", left=left, name=d.name, when=f.when(d.due_at))
            yield f.make(
                f"deadline.soon:{d.key}", "deadline.soon", max(d.due_at - SOON, opened),
                title, text, *_deadline_fields(f, d),
            )  # fmt: skip
        elif d.state == "overdue":
            title, text = f.say("deadline.passed", name=d.name, when=f.when(d.due_at))
            yield f.make(
                f"deadline.passed:{d.key}", "deadline.passed", max(d.due_at, opened),
                title, text, *_deadline_fields(f, d),
            )  # fmt: skip


def approvals(f: _Facts) -> Iterator[Notification]:
    """Every request for an approval (``message.approval_requested``: the person asked, and
    the backup when nobody answered within ``escalate_after``) and every decision on it
    (``message.approval_decided``, or ``message.approved``: an override with its reason, or
    an approver typed in by an older version)."""
    for message in f.state.messages.values():
        try:
            step = f.playbook.step(message.step)
        except KeyError:
            continue
        if step.message is None or not step.message.approval:
            continue
        title = step.title
        platforms = ", ".join(message.platforms) or f.t("no_platform")
        if not step.message.on_platform:  # a press statement, a staff memo: on no platform
            platforms = audience_words(f.words, message.audience)
        st = f.state.steps.get(step.id)
        dropped = st is not None and st.status in ("skipped", "not_applicable")
        checks = _overridden_checks(f, message)
        for request in message.requests:
            if dropped:
                break
            late = f.t("late", who=request.escalated_from) if request.escalated_from else ""
            heading, text = f.say(
                "approval.requested", approver=request.approver, step=title, who=request.actor,
                late=late, platforms=platforms, checks=f" {checks}." if checks else "",
                text=message.text,
            )  # fmt: skip
            yield f.make(
                f"approval.requested:{step.id}:{request.ts.isoformat()}", "approval.requested",
                request.ts, heading, text,
                ("Asked of", request.approver), ("Asked by", request.actor),
                ("Platforms", platforms), *((("Checks", checks),) if checks else ()),
                actor=request.actor,
            )  # fmt: skip
        someone = f.t("someone")
        if message.decided_at is not None and message.decision is not None:
            who = message.decided_by or someone
            if message.decision == "approved" and _self_approved(message, who):
                verdict = f.t("self_approved", who=who)
                said = f.t("self_approved.said", who=who)
            else:
                decision = "approved" if message.decision == "approved" else "rejected"
                verdict = said = f.t(f"decision.{decision}", who=who)
            if message.decision_comment:
                said += f.t("colon_tail", text=message.decision_comment)
            at, actor = message.decided_at, message.decided_by
        elif message.approved_at is not None:
            if message.override:
                verdict = f.t("without_approval")
                said = f.t("without_approval.said", text=message.override)
            elif _self_approved(message, message.approver or ""):
                verdict = f.t("self_approved", who=message.approver)
                said = f"{verdict}{f.t('no_second_reader')}"
            else:
                verdict = said = f.t("decision.approved", who=message.approver)
            at, actor = message.approved_at, message.approved_by
        else:
            continue
        if checks:
            said += f" ({checks})"
        heading, text = f.say(
            "approval.decided", verdict=verdict, step=title, said=said, who=actor or someone
        )
        yield f.make(
            f"approval.decided:{step.id}:{at.isoformat()}", "approval.decided",
            at, heading, text, ("Decision", verdict), ("Platforms", platforms),
            *((("Checks", checks),) if checks else ()), actor=actor,
        )  # fmt: skip


def _self_approved(message: Any, who: str) -> bool:
    """Approved by the person who wrote the version or asked for its approval."""
    if message.self_approved:
        return True
    same = " ".join(who.split()).casefold()
    askers = {" ".join(r.actor.split()).casefold() for r in message.requests}
    return bool(same) and (same in askers or same == " ".join(message.actor.split()).casefold())


def _overridden_checks(f: _Facts, message: Any) -> str | None:
    """ "Failed checks overridden (1 error: …): reason", when the version failed its
    pre-publication checks and someone chose to go on."""
    if not message.check_override:
        return None
    summary = f" ({message.check_summary})" if message.check_summary else ""
    return f.t("checks_overridden", summary=summary, text=message.check_override)


def _handoffs(f: _Facts) -> Iterator[Notification]:
    for h in f.state.handoffs:
        to = f.t("handoff.to", to=h.to) if h.to else ""
        open_items = [_count_words(f, k, n) for k, n in h.counts.items() if n]
        left = ", ".join(open_items) or f.words.t("event.handoff.nothing_open")
        title, text = f.say("handoff", who=h.actor, to=to, left=left)
        yield f.make(
            f"handoff:{h.ts.isoformat()}", "handoff", h.ts, title, text, ("From", h.actor),
            *((("To", h.to),) if h.to else ()), actor=h.actor,
        )  # fmt: skip


def _count_words(f: _Facts, key: str, count: Any) -> str:
    """``2 follow-up(s) owed``, as the log says it (a count this version has no words for,
    from a newer one: ``2 new things``)."""
    said = f"event.handoff.{key}"
    return (
        f.words.t(said, count=count) if f.words.knows(said) else f"{count} {key.replace('_', ' ')}"
    )


def _closed(f: _Facts) -> Iterator[Notification]:
    s = f.state
    if not s.closed or s.closed_at is None:
        return
    extra: list[Any] = []
    if s.started_at is not None:
        extra.append(("Duration", format_duration((s.closed_at - s.started_at).total_seconds())))
    unmet = [  # as checked at this close (not at one before a reopening)
        c.text
        for _n, c in sorted(s.exit_checks.items())
        if not c.met and (s.reopened_at is None or c.ts >= s.reopened_at)
    ]
    title, text = f.say("incident.closed", title=s.title)
    text = s.summary or text
    if unmet:
        key = "exit.criteria" if len(unmet) > 1 else "exit.criterion"
        many = f.words.t(key, count=len(unmet))
        title = f.t("incident.closed.unmet.title", many=many, title=s.title)
        text += f.t("incident.closed.unmet.text", many=many, unmet="; ".join(unmet))
        extra.append(("Not met", "; ".join(unmet)))
    yield f.make(
        f"incident.closed:{s.closed_at.isoformat()}", "incident.closed", s.closed_at,
        title, text, *extra, ("Closed by", s.closed_by or f.t("someone")), actor=s.closed_by,
    )  # fmt: skip


def _reopened(f: _Facts) -> Iterator[Notification]:
    s = f.state
    if s.closed or s.reopened_at is None:
        return
    who = s.reopened_by or f.t("someone")
    title, text = f.say("incident.reopened", title=s.title, who=who, when=f.when(s.reopened_at))
    yield f.make(
        f"incident.reopened:{s.reopened_at.isoformat()}", "incident.reopened", s.reopened_at,
        title, text, ("Reopened by", who), actor=s.reopened_by,
    )  # fmt: skip
