"""The reply ledger in the walk-through.

At a step whose message is ``per_person`` (complaint's "Reply to everyone who engaged"), the
responder keeps a reply to each person: adds the person (handle, platform, link), writes
the reply for them (checked against the platform they wrote on, with the step's banned and
excuse phrases), records it as sent, and closes the thread when they answered or it moved
to a DM, a call or email. These are the ``reply.*`` events ``crisis reply`` records, so
status, handoff, watch and the report list who is still unanswered whichever way it was
kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crisiscli.messages.checks import summary_line
from crisiscli.playbook.model import Step
from crisiscli.playbook.template import render
from crisiscli.record import events as ev
from crisiscli.record.fold import ReplyThread
from crisiscli.record.labels import template_values
from crisiscli.team.replies import person_added, unanswered
from crisiscli.walk.prompter import GoBack, ReviewDecision, StepView

if TYPE_CHECKING:
    from crisiscli.walk.engine import Walkthrough as Engine

#: A draft of a reply is one per step and person typing it (``draft.kept`` field).
DRAFT_FIELD = "reply"


def keeps_ledger(step: Step) -> bool:
    return step.message is not None and step.message.per_person


def work(engine: Engine, step: Step) -> None:
    """The ledger's own menu, until the responder goes back to the step."""
    while True:
        engine.refresh()
        view = engine.view(step)
        engine.prompter.show_step(view)  # the ledger on screen as it stands now
        pick = engine.prompter.choose_reply(view)  # Esc here: back to the step menu
        if pick is None:
            return
        thread = engine.state.replies.get(pick.reply)
        try:  # Esc in what follows: back to this menu (words typed are kept as a draft)
            if pick.kind == "add":
                add(engine, step, view)
            elif thread is not None and pick.kind == "write":
                write(engine, step, thread)
            elif thread is not None and pick.kind == "close":
                close(engine, step, thread)
        except GoBack:
            continue


def add(engine: Engine, step: Step, view: StepView) -> None:
    person = engine.prompter.ask_reply_person(view)
    event = None
    if person is not None:
        event = person_added(engine.state, person.who, person.platform, person.link)
    if event is None:
        return
    engine.record(event)
    who = event.data["who"]
    engine.prompter.recorded(engine.view(step), engine.words.t("replies.added", who=who))


def first_draft(engine: Engine, step: Step, thread: ReplyThread) -> str:
    """Words left unsaved at this step come back first, then what was sent to this person
    before, then the step's template."""
    kept = engine.draft(DRAFT_FIELD, step.id)
    if kept is not None:
        return kept[1]
    if thread.text:
        return thread.text
    assert step.message is not None
    values = template_values(engine.playbook, engine.state, engine.incident.id)
    return render(step.message.template, values)[0]


def write(engine: Engine, step: Step, thread: ReplyThread) -> None:
    """Write the reply to one person and check it; recorded as sent once it passes (or the
    responder overrides the failed checks with a reason). Left unsent, it is a draft."""
    draft = first_draft(engine, step, thread)
    while True:
        with engine.drafting(DRAFT_FIELD, step.id):
            text = engine.prompter.ask_reply_text(engine.view(step), thread, draft)
        if not text.strip():
            return
        platforms = [thread.platform] if thread.platform else None
        checked = engine.review(step, text, platforms=platforms)
        decision, reason = engine.prompter.review_reply(engine.view(step), thread, checked)
        reason = reason.strip()
        if decision is ReviewDecision.EDIT:
            draft = text
            continue
        if decision is ReviewDecision.OVERRIDE and not reason:
            engine.prompter.notify(engine.words.t("engine.override_needs_reason"))
            decision = ReviewDecision.LATER
        overriding = decision is ReviewDecision.OVERRIDE and bool(checked.errors)
        if decision is ReviewDecision.LATER or (checked.errors and not overriding):
            engine.keep_draft(DRAFT_FIELD, step.id, text)
            engine.prompter.notify(engine.words.t("replies.kept", who=thread.who))
            return
        engine.record(
            ev.reply_sent(
                thread.id,
                text,
                checks=summary_line(checked),
                override=reason if overriding else None,
            )
        )
        if engine.draft(DRAFT_FIELD, step.id) is not None:
            engine.record(ev.draft_dropped(DRAFT_FIELD, step.id, "saved"))
        engine.prompter.recorded(
            engine.view(step),
            engine.words.t("replies.sent", who=thread.who, checks=summary_line(checked)),
        )
        return


def close(engine: Engine, step: Step, thread: ReplyThread) -> None:
    outcome = engine.prompter.ask_reply_outcome(engine.view(step), thread)
    if outcome is None:
        return
    engine.record(ev.reply_closed(thread.id, outcome.outcome, note=outcome.note.strip() or None))
    said = engine.words.t(f"replies.outcome.{outcome.outcome}")
    engine.prompter.recorded(
        engine.view(step), engine.words.t("replies.closed", who=thread.who, outcome=said)
    )


def in_use(engine: Engine, step: Step) -> bool:
    """This step keeps the ledger and someone is on it."""
    return keeps_ledger(step) and bool(engine.state.replies)


def still_owed(engine: Engine, step: Step) -> list[ReplyThread]:
    """People on the ledger with no reply yet, when this step keeps the ledger."""
    return unanswered(engine.state) if keeps_ledger(step) else []
