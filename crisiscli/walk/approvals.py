"""Approvals: who is asked to approve a message, what they see, how long they have been
waiting, when the backup is asked, and the words every view uses for the outcome.

A message step with ``approval: true`` puts the exact version (text, platforms, check
results) to a named person (``message.approval_requested``). The person decides in their
own terminal, or on another machine after ``crisis sync`` (``crisis approve``, recorded as
``message.approval_decided`` by them). A new text voids what was decided (the fold keeps
it under ``voided``). No decision within the message's ``escalate_after``: the backup
approver is asked too (a second request, ``escalated_from`` the first approver); either
may decide. Pure functions of the playbook and the fold, like ``walk/flow.py``.

Notifications (the "live incident" issue) are a seam: a notifier sends on
``message.approval_requested`` (an escalation carries ``escalated_from``) and
``message.approval_decided``, deduplicated by event id; nothing here sends anything.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from crisiscli.i18n import Catalogue, catalogue
from crisiscli.playbook.model import Playbook, Step
from crisiscli.record import describe
from crisiscli.record import events as ev
from crisiscli.record.describe import approval_outcome, waiting_for
from crisiscli.record.fold import ApprovalRequest, IncidentState, MessageState, VoidedApproval

# An answer to one of these questions fills the role beside it (the bundled playbooks ask
# "Who approves public messages?" as ``approver`` and "... if they can't be reached?" as
# ``backup``).
APPROVER_QUESTION, BACKUP_QUESTION = "approver", "backup"
APPROVER_ROLE = "approver"
BACKUP_ROLE = "backup-approver"
ROLE_OF_QUESTION = {APPROVER_QUESTION: APPROVER_ROLE, BACKUP_QUESTION: BACKUP_ROLE}


def _name(value: Any) -> str | None:
    text = " ".join(str(value).split()) if isinstance(value, str) else ""
    return text or None


def named_approvers(state: IncidentState) -> tuple[str | None, str | None]:
    """The approver and the backup named for this incident: the roles (an answer to the
    approver question fills its role; ``crisis role set`` changes it), else the answers."""
    answers = {**state.inputs, **state.answers}
    primary = _name(state.roles.get(APPROVER_ROLE)) or _name(answers.get("approver"))
    backup = _name(state.roles.get(BACKUP_ROLE)) or _name(answers.get("backup"))
    if backup is not None and primary is not None and same_person(backup, primary):
        backup = None
    return primary, backup


def same_person(a: str, b: str) -> bool:
    """Names compared as people type them: case and spacing do not matter."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def addressed_to(request: ApprovalRequest, person: str) -> bool:
    """Is ``person`` the one asked (full name, or the first name alone)?"""
    asked, who = request.approver.split(), person.split()
    if not asked or not who:
        return False
    return same_person(request.approver, person) or same_person(asked[0], who[0])


def needs_approval(step: Step) -> bool:
    return step.message is not None and step.message.approval


def settled(message: MessageState | None) -> bool:
    """Approved (by someone, or by the writer), or published without approval on record."""
    return message is not None and bool(message.approver or message.override)


def outcome(message: MessageState, words: Catalogue | None = None) -> str:
    """The one phrase every view uses for what became of a version's approval, in the
    language of ``words`` (English unless given): ``describe.approval_outcome``."""
    return approval_outcome(message, words or catalogue("en"))


def not_counted(message: MessageState, words: Catalogue | None = None) -> list[str]:
    """The decisions that arrived for the version waiting and do not count
    (``describe.not_counted``): status, watch and ``crisis approve --list`` show them."""
    return describe.not_counted(message, words or catalogue("en"))


def uncounted_words(refused: VoidedApproval, words: Catalogue | None = None) -> str:
    return describe.uncounted_words(refused, words or catalogue("en"))


def voided_words(gone: VoidedApproval, words: Catalogue | None = None) -> str:
    return describe.voided_words(gone, words or catalogue("en"))


def waited(since: datetime, now: datetime, words: Catalogue | None = None) -> str:
    """How long someone has been waiting, in the status line's words: "3m", "1h 5m"."""
    seconds = max(0, int((now - since).total_seconds()))
    if seconds < 60:
        return (words or catalogue("en")).t("event.approval.under_a_minute")
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes}m"
    return f"{minutes // 60}h {minutes % 60}m" if minutes % 60 else f"{minutes // 60}h"


def waiting_text(request: ApprovalRequest, now: datetime, words: Catalogue | None = None) -> str:
    """``waiting for approval from Dana — 3m`` (since the version was put to them)."""
    said = words or catalogue("en")
    return waiting_for(request.approver, waited(request.ts, now, said), said)


class Pending(NamedTuple):
    """A version waiting for a decision: what ``crisis approve`` lists and shows."""

    step: Step
    message: MessageState
    request: ApprovalRequest  # the latest request (to the backup, after an escalation)
    asked: tuple[str, ...]  # everyone asked about this version, first first


def pending(playbook: Playbook, state: IncidentState) -> list[Pending]:
    """Every message version put to an approver and not decided yet, in playbook order."""
    found = []
    for step in playbook.steps:
        message = state.messages.get(step.id)
        request = message.pending_request if message is not None else None
        st = state.steps.get(step.id)
        if message is None or request is None:
            continue
        if st is not None and st.status in ("skipped", "not_applicable"):
            continue  # a draft that will not go out needs no decision
        asked = tuple(dict.fromkeys(r.approver for r in message.requests))
        found.append(Pending(step, message, request, asked))
    return found


def waiting_texts(
    playbook: Playbook, state: IncidentState, now: datetime, words: Catalogue | None = None
) -> tuple[str, ...]:
    """One status-line text per version waiting: ``waiting for approval from Dana — 3m``."""
    return tuple(waiting_text(p.request, now, words) for p in pending(playbook, state))


def escalation_due(
    playbook: Playbook, state: IncidentState, now: datetime
) -> list[tuple[Step, ApprovalRequest, str]]:
    """Requests unanswered for their message's ``escalate_after``, with the backup to ask
    now (each version is escalated once; nobody is asked twice)."""
    due = []
    for item in pending(playbook, state):
        request = item.request
        backup = backup_next(playbook, state, item.step.id)
        after = request.escalate_after
        if backup is None or after is None or (now - request.ts).total_seconds() < after:
            continue
        due.append((item.step, request, backup))
    return due


def backup_next(playbook: Playbook, state: IncidentState, step_id: str) -> str | None:
    """Who is asked next if the version of ``step_id`` stays unanswered (None: nobody)."""
    for item in pending(playbook, state):
        if item.step.id != step_id:
            continue
        request = item.request
        if request.escalate_after is None or request.escalated_from is not None:
            return None
        backup = request.backup or named_approvers(state)[1]
        if backup is None or any(same_person(backup, who) for who in item.asked):
            return None
        return backup
    return None


def request_event(
    step: Step,
    message: MessageState,
    approver: str,
    *,
    checks: str | None,
    backup: str | None,
    escalated_from: str | None = None,
) -> ev.NewEvent:
    """Put the current version of ``message`` to ``approver``."""
    assert step.message is not None
    after = step.message.escalate_seconds
    return ev.approval_requested(
        step.id,
        approver,
        text=message.text,
        digest=message.digest,
        platforms=list(message.platforms),
        checks=checks,
        escalate_after=float(after) if after else None,  # an escalation: the time it waited
        backup=backup if backup and not same_person(backup, approver) else None,
        escalated_from=escalated_from,
    )


def escalation_events(playbook: Playbook, state: IncidentState, now: datetime) -> list[ev.NewEvent]:
    """The requests to record now: the backup of every version unanswered for too long."""
    out = []
    for step, request, backup in escalation_due(playbook, state, now):
        message = state.messages[step.id]
        out.append(
            request_event(
                step,
                message,
                backup,
                checks=message.check_summary,
                backup=None,
                escalated_from=request.approver,
            )
        )
    return out


def decision_event(
    item: Pending,
    decision: str,
    approver: str,
    comment: str | None = None,
    *,
    on_behalf_of: str | None = None,
    reason: str | None = None,
) -> ev.NewEvent:
    """``approve`` or ``reject`` the exact version ``item`` shows, as ``approver`` (for
    ``on_behalf_of``, who may decide, and why)."""
    return ev.approval_decided(
        item.step.id,
        decision,
        digest=item.message.digest,
        approver=approver,
        comment=comment,
        on_behalf_of=on_behalf_of,
        reason=reason,
    )


def who_may_decide(item: Pending, state: IncidentState) -> tuple[str, ...]:
    """The people who may decide this version: everyone it was put to (the approver, the
    backup after an escalation), the backup its request names, and the incident's approver
    and backup (their roles, or the answers naming them)."""
    primary, backup = named_approvers(state)
    found: list[str] = []
    for name in (*item.asked, item.request.backup, primary, backup):
        if name and not any(same_person(name, known) for known in found):
            found.append(name)
    return tuple(found)


def may_decide(item: Pending, state: IncidentState, person: str) -> bool:
    """Is ``person`` one of ``who_may_decide`` (full name, or the first name alone)?"""
    return any(
        addressed_to(item.request._replace(approver=name), person)
        for name in who_may_decide(item, state)
    )


def role_still_to_fill(question_id: str, state: IncidentState) -> ev.NewEvent | None:
    """The role an earlier answer should have filled, when the process stopped between the
    answer and the role (no assignment of that role since the answer)."""
    role = ROLE_OF_QUESTION.get(question_id)
    answered = state.answered_at.get(question_id)
    if role is None or answered is None:
        return None
    if any(c.role == role and c.ts >= answered for c in state.role_changes):
        return None  # assigned at or after the answer (crisis role set wins)
    return role_for_answer(question_id, state.answers.get(question_id), state)


def role_for_answer(question_id: str, value: Any, state: IncidentState) -> ev.NewEvent | None:
    """Answering the approver (or backup) question fills its role, unless it holds already."""
    role = ROLE_OF_QUESTION.get(question_id)
    person = _name(value)
    if role is None or person is None:
        return None
    if state.roles.get(role) == person:
        return None
    return ev.role_assigned(role, person)
