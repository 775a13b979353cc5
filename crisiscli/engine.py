"""The walk-through: moves an incident through its playbook, one recorded event at a time.

The engine never draws or reads a terminal: it builds ``StepView``s, asks a ``Prompter``
and records every answer through ``Incident.record`` (durable before it returns) before it
asks the next thing. State is re-read from the journal before each screen, so notes added
from another terminal appear, and a crash at any point resumes exactly where it stopped.
"""

from __future__ import annotations

from typing import Any

from crisiscli.contacts import open_follow_ups
from crisiscli.deadlines import deadline_statuses
from crisiscli.errors import Paused, StateError
from crisiscli.flow import (
    Target,
    applies,
    holds,
    known_answers,
    next_target,
    position,
    still_deferred,
)
from crisiscli.incident import Incident
from crisiscli.playbook.model import Playbook, Step
from crisiscli.prompts import (
    Action,
    ItemView,
    NoteView,
    Prompter,
    QuestionView,
    RunSummary,
    StepView,
)
from crisiscli.state import IncidentState
from crisiscli.template import render
from crisiscli.text import md_escape

MAX_VISITS_PER_STEP = 200  # a branch cycle in a scripted run must not spin forever


def template_values(playbook: Playbook, state: IncidentState, incident_id: str) -> dict[str, Any]:
    """Variables for ``{{ name }}``: inputs and answers (choice labels), incident facts."""
    questions = playbook.questions()
    values: dict[str, Any] = {}
    for qid, value in known_answers(state).items():
        question = questions.get(qid)
        if question is not None and question.choices:
            labels = {c.value: c.label for c in question.choices}
            value = (
                [labels.get(v, v) for v in value]
                if isinstance(value, list)
                else labels.get(str(value), value)
            )
        values[qid] = value
    values.update(
        {
            "incident.title": state.title,
            "incident.severity": state.severity,
            "incident.id": incident_id,
            "playbook.title": playbook.title,
        }
    )
    return values


class Walkthrough:
    def __init__(self, incident: Incident, prompter: Prompter) -> None:
        self.incident = incident
        self.prompter = prompter
        self.playbook = incident.playbook()
        self.env = incident.env
        self.state = incident.state()

    # -- recording -------------------------------------------------------------------------

    def record(self, event_type: str, /, **data: Any) -> None:
        self.state = self.incident.record(event_type, data)

    def refresh(self) -> None:
        self.state = self.incident.state()

    # -- the run ---------------------------------------------------------------------------

    def run(self) -> RunSummary:
        if self.state.closed:
            raise StateError(
                f"incident {self.incident.id} is closed",
                hint="reopen it with: crisis close --reopen",
            )
        if self.state.finished:
            raise StateError(
                f"the walk-through of {self.incident.id} is finished",
                hint=f"see: crisis status {self.incident.id}",
            )
        if len(self.state.events) > 1:
            self.record("session.resumed")
        self.ask_inputs()
        while True:
            self.refresh()
            target = next_target(self.playbook, self.state)
            if target is None:
                return self.finish()
            self.visit(target)

    def ask_inputs(self) -> None:
        for question in self.playbook.inputs:
            if question.id in self.state.inputs:
                continue
            value = self.prompter.ask_input(question)
            self.record("input.set", input=question.id, value=value)

    def visit(self, target: Target) -> None:
        step = self.playbook.step(target.step)
        if target.via != "resume":
            st = self.state.steps.get(step.id)
            if st is not None and st.visits >= MAX_VISITS_PER_STEP:
                raise StateError(
                    f"step '{step.id}' was entered {st.visits} times: the playbook loops"
                )
            self.record("step.entered", step=step.id, via=target.via)
        worked = False
        while True:
            self.refresh()
            if self.state.current != step.id:
                return  # another process moved this incident on (or closed it)
            view = self.view(step)
            self.prompter.show_step(view)
            if not worked:
                worked = True
                if self.work(step, view):
                    continue
            allowed = self.allowed_actions(step, view)
            action = self.prompter.choose_action(view, allowed)
            if self.act(step, view, action):
                return

    def work(self, step: Step, view: StepView) -> bool:
        """Items, questions and message of a step; True if anything was recorded."""
        recorded = False
        pending = [iv for iv in view.items if not iv.checked]
        if pending:
            if step.checklist == "read-do":
                for item in pending:
                    if not self.prompter.confirm_item(view, item):
                        break
                    self.record("item.checked", step=step.id, item=item.item.id)
                    recorded = True
            else:
                ticked = self.prompter.tick_items(view, pending)
                for item_id in ticked:
                    self.record("item.checked", step=step.id, item=item_id)
                    recorded = True
        for qv in view.questions:
            if qv.answer is None:
                recorded |= self.ask_question(step, qv)
        if step.message is not None and view.message_text is None:
            self.refresh()
            fresh = self.view(step)
            draft, _missing = render(
                step.message.template, template_values(self.playbook, self.state, self.incident.id)
            )
            text = self.prompter.compose_message(fresh, draft)
            self.record(
                "message.recorded",
                step=step.id,
                text=text,
                platforms=list(step.message.platforms),
                kind=step.message.kind,
            )
            recorded = True
            if step.message.approval:
                approver = self.prompter.ask_approver(self.view(step))
                if approver.strip():
                    self.record("message.approved", step=step.id, approver=approver.strip())
        return recorded

    def ask_question(self, step: Step, qv: QuestionView) -> bool:
        view = self.view(step)
        value = self.prompter.answer(view, qv.question)
        if value is None or (value == "" and not qv.question.required):
            return False
        self.record("answer.set", step=step.id, question=qv.question.id, value=value)
        return True

    def allowed_actions(self, step: Step, view: StepView) -> list[Action]:
        actions = [Action.DONE]
        if view.items or view.questions:
            actions.append(Action.EDIT)
        actions += [Action.NOTE, Action.SKIP, Action.DEFER, Action.NOT_APPLICABLE]
        if view.can_go_back:
            actions.append(Action.BACK)
        actions.append(Action.PAUSE)
        return actions

    def act(self, step: Step, view: StepView, action: Action) -> bool:
        """Carry out one menu action; True when the step is left."""
        if action is Action.DONE:
            return self.mark_done(step, view)
        if action is Action.EDIT:
            self.edit(step, view)
            return False
        if action is Action.NOTE:
            text = self.prompter.ask_note(view)
            if text.strip():
                self.record("note.added", step=step.id, text=text)
            return False
        if action is Action.SKIP:
            reason = self.prompter.ask_reason(view, action, True).strip()
            if not reason:
                self.prompter.notify("A step can only be skipped with a reason.")
                return False
            self.record("step.skipped", step=step.id, reason=reason)
            return True
        if action is Action.DEFER:
            reason = self.prompter.ask_reason(view, action, False).strip()
            self.record("step.deferred", step=step.id, **({"reason": reason} if reason else {}))
            return True
        if action is Action.NOT_APPLICABLE:
            reason = self.prompter.ask_reason(view, action, False).strip()
            self.record(
                "step.not_applicable", step=step.id, **({"reason": reason} if reason else {})
            )
            return True
        if action is Action.BACK:
            if len(self.state.path) < 2:
                self.prompter.notify("This is the first step; there is nothing to go back to.")
                return False
            self.record("step.entered", step=self.state.path[-2], via="back")
            return True
        if action is Action.PAUSE:
            self.record("session.paused", step=step.id)
            raise Paused()
        raise StateError(f"unknown action {action!r}")  # pragma: no cover

    def mark_done(self, step: Step, view: StepView) -> bool:
        missing = [
            qv.question.prompt
            for qv in view.questions
            if qv.answer is None and qv.question.required
        ]
        if missing:
            self.prompter.notify(
                f"Answer “{missing[0]}” first — or skip the step, with a reason, if it cannot be answered."
            )
            return False
        if step.message is not None and step.message.approval and view.message_approved_by is None:
            self.prompter.notify("This message needs an approver's name before the step is done.")
            approver = self.prompter.ask_approver(view).strip()
            if not approver:
                return False
            self.record("message.approved", step=step.id, approver=approver)
        unchecked = [iv.item.id for iv in view.items if not iv.checked]
        if unchecked and not self.prompter.confirm(
            f"{len(unchecked)} item(s) not ticked. Mark the step done anyway?", default=False
        ):
            return False
        self.record("step.done", step=step.id, **({"unchecked": unchecked} if unchecked else {}))
        return True

    def edit(self, step: Step, view: StepView) -> None:
        if view.items:
            wanted = set(self.prompter.tick_items(view, list(view.items)))
            for iv in view.items:
                if iv.checked and iv.item.id not in wanted:
                    self.record("item.unchecked", step=step.id, item=iv.item.id)
                elif not iv.checked and iv.item.id in wanted:
                    self.record("item.checked", step=step.id, item=iv.item.id)
        for qv in self.view(step).questions:
            self.ask_question(step, qv)

    def finish(self) -> RunSummary:
        deferred = still_deferred(self.playbook, self.state)
        status = "complete-except-deferred" if deferred else "complete"
        self.record("run.finished", status=status, deferred=deferred)
        summary = self.summary(status, deferred)
        if self.prompter.finished(summary):
            self.record("incident.closed")
        return summary

    def summary(self, status: str, deferred: list[str]) -> RunSummary:
        counts: dict[str, int] = {}
        times = []
        for step in self.playbook.steps:
            st = self.state.steps.get(step.id)
            word = (
                st.status if st else ("pending" if applies(step, self.state) else "not_applicable")
            )
            counts[word] = counts.get(word, 0) + 1
            if st and st.first_entered and st.finished_at:
                times.append((step.title, (st.finished_at - st.first_entered).total_seconds()))
        return RunSummary(
            self.incident.id,
            status,
            counts,
            tuple(deferred),
            tuple(deadline_statuses(self.playbook, self.state, self.env.clock())),
            str(self.incident.log_path),
            self.state.drill,
            tuple(times),
        )

    # -- views -----------------------------------------------------------------------------

    def view(self, step: Step) -> StepView:
        state = self.state
        now = self.env.clock()
        values = template_values(self.playbook, state, self.incident.id)
        guidance, missing = render(step.guidance, values, escape=md_escape)
        answers = known_answers(state)
        st = state.steps.get(step.id)
        checked = st.checked if st else set()
        items = []
        for item in step.items:
            if holds(item.when, answers):
                text, gaps = render(item.text, values)
                missing += [g for g in gaps if g not in missing]
                items.append(ItemView(item, text, item.id in checked))
        questions = tuple(QuestionView(q, state.answers.get(q.id)) for q in step.questions)
        phase = self.playbook.phase_of(step.id)
        phase_index = [p.id for p in self.playbook.phases].index(phase.id) + 1
        index, total = position(self.playbook, step.id)
        done = sum(
            1 for s in state.steps.values() if s.status in ("done", "skipped", "not_applicable")
        )
        started = state.started_at or now
        message = next((m for m in reversed(state.messages) if m.step == step.id), None)
        notes = tuple(
            NoteView(n.ts, n.actor, n.text, n.actor == self.env.actor) for n in state.notes[-5:]
        )
        return StepView(
            incident_id=self.incident.id,
            title=state.title,
            severity=state.severity,
            drill=state.drill,
            elapsed_seconds=(now - started).total_seconds(),
            now=now,
            phase_title=phase.title,
            phase_index=phase_index,
            phase_count=len(self.playbook.phases),
            step=step,
            step_index=index,
            step_count=total,
            done_count=done,
            guidance=guidance,
            items=tuple(items),
            questions=questions,
            deadlines=tuple(deadline_statuses(self.playbook, state, now)),
            recent_notes=notes,
            missing_values=tuple(missing),
            revisit=state.last_entered_via == "revisit",
            visit=st.visits if st else 1,
            can_go_back=len(state.path) >= 2,
            message_text=message.text if message else None,
            message_approved_by=(message.approver or message.override) if message else None,
            follow_ups=open_follow_ups(state, now),
        )
