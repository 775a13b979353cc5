"""The walk-through: moves an incident through its playbook, one recorded event at a time.

The engine never draws or reads a terminal: it builds ``StepView``s, asks a ``Prompter``
and records every answer through ``Incident.record`` (durable before it returns) before it
asks the next thing. State is re-read from the journal before each screen, so notes added
from another terminal appear, and a crash at any point resumes exactly where it stopped.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any, Literal

from crisiscli.errors import Paused, StateError, UsageError
from crisiscli.i18n import Catalogue
from crisiscli.messages.checks import Review, review, summary_line
from crisiscli.messages.platforms import merged_limits
from crisiscli.playbook.model import Question, Step
from crisiscli.playbook.spec import said_in_public
from crisiscli.playbook.template import render
from crisiscli.record import events as ev
from crisiscli.record.fold import ApprovalRequest, IncidentState, MessageState, draft_key
from crisiscli.record.labels import known_answers, template_values
from crisiscli.record.store import Incident
from crisiscli.team.actions import new_action
from crisiscli.team.contacts import open_follow_ups
from crisiscli.team.roles import assigned_roles
from crisiscli.text import md_escape
from crisiscli.timeutil import short_when, system_zone
from crisiscli.walk import approvals, ledger
from crisiscli.walk.deadlines import deadline_statuses, next_update_due, not_before_at
from crisiscli.walk.floors import below_floor
from crisiscli.walk.flow import (
    Target,
    applies,
    facts,
    holds,
    next_target,
    position,
    recall_at,
    recall_due,
    recall_why,
    regrade_event,
    still_deferred,
    unfinished,
)
from crisiscli.walk.lease import ClosedElsewhere
from crisiscli.walk.prompter import (
    Action,
    ActionEntry,
    Changed,
    GoBack,
    InterruptedWithDraft,
    ItemView,
    LeftWithDraft,
    NoteView,
    Prompter,
    QuestionView,
    ReviewDecision,
    RunSummary,
    StepView,
    Waiting,
)

MAX_VISITS_PER_STEP = 200  # a branch cycle in a scripted run must not spin forever
POLL_SECONDS = 1.0  # how often a walk-through waiting for an approval reads the journal


def mention_words(state: Any) -> str | None:
    """The latest mention count and its ratio to a normal period, for the grading step."""
    if not state.mentions:
        return None
    last = state.mentions[-1]
    line = f"mentions: {last.amount} per {last.per}"
    if last.ratio is not None:
        line += f", {last.ratio:.1f}x a normal {last.per} ({last.baseline:g})"
    return line + (f" — {last.source}" if last.source else "")


def step_facts(view: StepView) -> tuple[Any, ...]:
    """What a step's screen says that another terminal can change (not the clocks)."""
    return (
        view.title,
        view.severity,
        view.recent_notes,
        view.approval,
        view.message_text,
        view.message_approved_by,
        view.evidence_count,
        view.roles,
        tuple(text.split(" — ")[0] for text in view.waiting),
        view.follow_ups,
        tuple((r.id, r.sent_at, r.outcome) for r in view.replies),
        view.latest,
    )


def _clock_text(ts: datetime, zone: tzinfo, now: datetime) -> str:
    """``16:10`` today, ``Tue 16:10`` on another day, in the incident's time zone."""
    local = ts.astimezone(zone)
    same_day = local.date() == now.astimezone(zone).date()
    return local.strftime("%H:%M" if same_day else "%a %H:%M")


def config_limits(env: Any) -> dict[str, int]:
    """``platform_limits`` from the team configuration (a bad file warns and is ignored:
    a broken config must not stop a walk-through mid-crisis)."""
    from crisiscli.config import current_config

    return {str(k): int(v) for k, v in dict(current_config(env).platform_limits).items()}


class Walkthrough:
    def __init__(self, incident: Incident, prompter: Prompter) -> None:
        self.incident = incident
        self.incident.save_interval = 2.0  # a walker holds the fold; others catch up from the log
        self.prompter = prompter
        self.playbook = incident.playbook()
        self.env = incident.env
        self.state = incident.state()
        self._reviews: dict[tuple[str, str, str | None, tuple[str, ...] | None], Review] = {}
        self._config_limits = config_limits(self.env)
        self.words = Catalogue(self.playbook.language)  # notices in the playbook's language
        self._mine: set[str] = set()  # ids of the events this walker recorded
        self._showing: Step | None = None  # the step on screen (for the live status line)
        self._menu_facts: tuple[Any, ...] | None = None  # what the waiting step menu shows
        # Checks run before each screen and each record: who walks (lease), closed elsewhere.
        self.guards: list[Callable[[IncidentState], None]] = []

    # -- recording -------------------------------------------------------------------------

    def record(self, event: ev.NewEvent) -> None:
        # Read afresh: a take-over or a close from another terminal while a prompt waited
        # stops this walker before it writes (the fold catches up incrementally: cheap).
        self.check(self.incident.state())
        self.state = self.incident.record(event)
        if self.state.last_key is not None:
            self._mine.add(self.state.last_key[1])
        self.show_warnings()

    def show_warnings(self) -> None:
        for warning in self.env.take_warnings():
            self.prompter.warn(warning)

    def refresh(self) -> None:
        self.state = self.incident.state()
        self.show_warnings()
        self.check(self.state)

    def check(self, state: IncidentState) -> None:
        """Stop (an exception) when this walker may no longer write: the incident was closed
        from another terminal, or a guard (the one-walker lease, walk/lease.py) says so."""
        if state.closed:
            raise ClosedElsewhere(self.incident.id, state)
        for guard in self.guards:
            guard(state)

    # -- the run ---------------------------------------------------------------------------

    def run(self) -> RunSummary:
        # A prompt that can watch while it waits stops as soon as another terminal takes
        # over or closes the incident, not only at the next screen.
        watch = getattr(self.prompter, "set_watchdog", None)
        if callable(watch):
            watch(self.watch_tick)
        try:
            return self._run()
        finally:
            self.incident.flush()
            if callable(watch):
                watch(None)

    def watch_tick(self) -> None:
        """Every two seconds while a prompt waits: stop if this walker may no longer write;
        bring what others recorded (severity, approvals, notes, who walks) to the status
        line; at the step menu, draw the step again when its facts changed (``Changed``)."""
        state = self.incident.state()
        self.check(state)
        step, live = self._showing, getattr(self.prompter, "live", None)
        if step is None or not callable(live):
            return
        self.state = state
        try:
            view = self.view(step)
        except Exception:  # a status line never stops a walk-through
            return
        live(view)
        if self._menu_facts is not None and self._menu_facts != step_facts(view):
            self._menu_facts = None
            raise Changed()

    def refuse_if_over(self) -> None:
        """A closed incident, or a finished walk-through, is not walked again."""
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

    def _run(self) -> RunSummary:
        self.refuse_if_over()
        # not on a fresh start (roles, walker events, a drill scenario's starting inputs)
        given = self.state.inputs and self.state.drill_run is None
        if self.state.steps or given or self.state.paused:
            self.record(ev.session("resumed"))
        self.ask_inputs()
        while True:
            self.refresh()
            target = next_target(self.playbook, self.state, self.env.clock())
            if target is None:
                return self.finish()
            self.visit(target)

    def ask_inputs(self) -> None:
        for question in self.playbook.inputs:
            if question.id in self.state.inputs:
                continue
            value = self.prompter.ask_input(question)
            self.record(ev.input_set(question.id, value))

    def visit(self, target: Target) -> None:
        step = self.playbook.step(target.step)
        if target.via != "resume":
            st = self.state.steps.get(step.id)
            if st is not None and st.visits >= MAX_VISITS_PER_STEP:
                raise StateError(
                    f"step '{step.id}' was entered {st.visits} times: the playbook loops"
                )
            self.record(ev.step_entered(step.id, target.via, target.why))
        if target.via == "recall":
            self.prompter.show_status(self.view(step), self.recall_words(step, target.why))
        worked = False
        while True:
            self.refresh()
            if self.state.current != step.id:
                return  # another process moved this incident on (or closed it)
            self.escalate()
            if self.recall_now(step):
                return
            if self.switched_off(step):
                return
            view = self.view(step)
            self._showing = step
            self.prompter.show_step(view)
            try:
                if not worked:
                    worked = True
                    if self.work(step, view):
                        continue
                allowed = self.allowed_actions(step, view)
                self._menu_facts = step_facts(view)
                try:
                    action = self.prompter.choose_action(view, allowed)
                finally:
                    self._menu_facts = None
                if self.act(step, view, action):
                    return
            except Changed:
                pass  # drawn again, with what changed elsewhere
            except LeftWithDraft:
                pass  # kept as a draft, and said so where it was kept
            except GoBack:
                # Esc: nothing more is recorded; the step and its menu are shown again.
                self.prompter.notify(self.words.t("esc_back"))

    def recall_now(self, step: Step) -> bool:
        """A deferred step's deadline nears while this step is open: that step comes back
        now (this one stays begun and comes back after it). True when it did."""
        recalled = recall_due(self.playbook, self.state, self.env.clock())
        if recalled is None or recalled == step.id:
            return False
        back = self.playbook.step(recalled)
        why = recall_why(back, self.state, self.env.clock())
        self.record(ev.step_entered(recalled, "recall", why))
        self.prompter.show_status(self.view(back), self.recall_words(back, why))
        return True

    def recall_words(self, step: Step, why: str) -> str:
        """Why a deferred step is back: its deadline nears, has passed, or a phase ends."""
        if why in ("deadline", "overdue"):
            assert step.due is not None and self.state.started_at is not None
            due = self.state.from_start(step.due.seconds, self.env.clock())
            when = short_when(due, self.incident.tz() or system_zone(), self.env.clock())
            said = self.words.t(f"engine.recall_{why}", when=when)
        else:
            said = self.words.t("engine.recall_phase")
        return self.words.t("engine.recalled", title=step.title, why=said)

    def work(self, step: Step, view: StepView) -> bool:
        """Items, questions and message of a step; True if anything was recorded.

        A message step asks its questions first (they may fill the template), then the
        message is written and approved, and only then comes its checklist ("posted it…").
        """
        recorded = False
        # A ledger step opens on its menu: the replies are written one person at a time
        # (its one text stays on offer, and is asked for at "done" while nobody is on it);
        # its checklist ("replied to everyone") is offered at "done".
        one_text = step.message is not None and not ledger.keeps_ledger(step)
        if step.message is None:
            recorded |= self.tick(step, view)
        for qv in view.questions:
            if qv.answer is None:
                recorded |= self.ask_question(step, qv)
            elif qv.question.sets == "severity" and self.regrade_pending(qv.question.id):
                # Interrupted between the answer and the re-grade it implies: finish it.
                self.record(self.regrade_event(str(qv.answer), by_question=qv.question.id))
                recorded = True
            elif (role := approvals.role_still_to_fill(qv.question.id, self.state)) is not None:
                # Interrupted between naming the approver and the role it fills: fill it.
                self.record(role)
                recorded = True
        if one_text:
            current = self.state_message(step)
            if view.message_text is None or (current is not None and current.check_summary is None):
                # Not written yet, or interrupted between writing it and its check.
                self.compose(step)
                recorded = True
            elif not (view.message_review is not None and view.message_review.blocked):
                # Back at a written message (resumed, or its decision came back): carry
                # its approval on, in the same order as a walk-through never interrupted.
                recorded |= self.settle_approval(step)
            self.refresh()
            if self.state.current != step.id:
                return True  # left to wait for the approval (the step comes back)
            if not approvals.needs_approval(step) or approvals.settled(self.state_message(step)):
                recorded |= self.tick(step, self.view(step))  # "posted it" comes after approval
        return recorded

    def tick(self, step: Step, view: StepView) -> bool:
        """Offer the unticked items: all at once (DO-CONFIRM) or one by one (READ-DO)."""
        recorded = False
        pending = [iv for iv in view.items if not iv.checked]
        if not pending:
            return False
        if step.checklist == "read-do":
            for item in pending:
                if not self.prompter.confirm_item(view, item):
                    break
                self.record(ev.item_ticked(step.id, item.item.id))
                recorded = True
        else:
            for item_id in self.prompter.tick_items(view, pending):
                self.record(ev.item_ticked(step.id, item_id))
                recorded = True
        return recorded

    # -- the message composer --------------------------------------------------------------

    def limits_for(self, step: Step) -> dict[str, int]:
        """Config, then playbook ``platform_limits``, then the message's ``limits``."""
        message_limits = step.message.limits if step.message else ()
        return merged_limits(
            self._config_limits, dict(self.playbook.platform_limits), dict(message_limits)
        )

    def review(
        self,
        step: Step,
        text: str,
        override: str | None = None,
        *,
        platforms: list[str] | None = None,
    ) -> Review:
        """Lengths and pre-publication findings for a text of this step (cached by text).
        ``platforms``: where this text goes (a reply to one person: their platform) instead
        of the incident's platforms the step posts on."""
        key = (step.id, text, override, tuple(platforms) if platforms is not None else None)
        cached = self._reviews.get(key)
        if cached is None:
            assert step.message is not None
            known = [
                str(v)
                for v in template_values(self.playbook, self.state, self.incident.id).values()
                if isinstance(v, (str, list))
            ]
            # Only what goes out on a platform is held to its limits (a press brief or a
            # staff memo is not): banned and excuse phrases apply to every audience.
            if not step.message.on_platform:
                where: list[str] = []
            elif platforms is not None:
                where = platforms
            else:
                where = list(self.step_platforms(step))
            cached = review(
                text,
                where,
                self.playbook.language,
                step.message.banned,
                self.limits_for(step),
                known_words=known,
                override=override,
            )
            self._reviews[key] = cached
        return cached

    def compose(self, step: Step) -> None:
        """Draft, edit and check a message until the responder accepts, overrides or leaves it.

        Every version is journaled (``message.recorded``) with its checks
        (``message.checked``), so nothing typed is lost and the log shows what was fixed.
        """
        message = step.message
        assert message is not None
        self.refresh()
        view = self.view(step)
        kept = self.draft("message", step.id)
        if kept is not None:
            draft = kept[1]  # words typed and left unsaved come back first
        elif view.message_text is not None:
            draft = view.message_text
        else:
            values = template_values(self.playbook, self.state, self.incident.id)
            draft, _missing = render(message.template, values)
        while True:
            with self.drafting("message", step.id):
                text = self.prompter.compose_message(view, draft)
            current = self.state_message(step)
            unchanged = current is not None and current.text == text
            if not unchanged:
                self.record(
                    ev.message_recorded(
                        step.id, text, list(message.platforms), message.kind, message.audience
                    )
                )
            if self.draft("message", step.id) is not None:
                self.record(ev.draft_dropped("message", step.id, "saved"))
            # An unchanged text keeps its version, its approval and any override of its checks.
            checked = self.review(
                step, text, current.check_override if current and unchanged else None
            )
            decision, reason = self.prompter.review_message(self.view(step), checked)
            reason = reason.strip()
            if decision is ReviewDecision.OVERRIDE and not reason:
                self.prompter.notify(self.words.t("engine.override_needs_reason"))
                decision = ReviewDecision.LATER
            overriding = decision is ReviewDecision.OVERRIDE and bool(checked.errors)
            unchecked = current is not None and current.check_summary is None
            if not unchanged or overriding or unchecked:
                self.record(
                    ev.message_checked(
                        step.id,
                        lengths={
                            ln.platform: {"count": ln.count, "limit": ln.limit}
                            for ln in checked.lengths
                        },
                        findings=[f.to_data() for f in checked.findings if f.severity != "info"],
                        errors=len(checked.errors),
                        warnings=len(checked.warnings),
                        summary=summary_line(checked),
                        override=reason if overriding else None,
                        audience=message.audience,
                    )
                )
            if decision is not ReviewDecision.EDIT:
                break
            draft = text
            view = self.view(step)
        final = self.view(step)
        ready = final.message_review is None or not final.message_review.blocked
        if ready and decision is not ReviewDecision.LATER:
            self.promise_next_update(step)
            final = self.view(step)
        if message.approval and ready and final.message_approved_by is None:
            self.settle_approval(step, just_written=True)

    # -- approvals -------------------------------------------------------------------------

    def settle_approval(self, step: Step, *, just_written: bool = False) -> bool:
        """Carry a version's approval on: ask someone, wait for them, or take in their
        decision (a rejection goes back to the composer). True if anything was recorded."""
        if not approvals.needs_approval(step):
            return False
        message = self.state_message(step)
        if message is None or approvals.settled(message):
            return False
        if message.decision == "rejected" and not just_written:
            self.prompter.show_status(
                self.view(step),
                self.words.t("engine.rejected", outcome=approvals.outcome(message, self.words)),
            )
            self.compose(step)
            return True
        if message.pending_request is None:
            if not self.seek_approval(step):
                return False
        elif self.asked_oneself(message.pending_request):
            # "I approve it myself" is two records; a run stopped between them finishes it.
            self.decide_as(step, self.env.actor, "approve", scripted=False)
        else:
            # Asked before this run (interrupted between the request and the decision): a
            # script standing in for the person asked decides now, as it would have then.
            self.stand_in(step, message.pending_request.approver)
        self.await_decision(step)
        return True  # a request stands (or was decided): the step waits or moves on

    def seek_approval(self, step: Step) -> bool:
        """Put the current version to someone (or approve it oneself, or record that it
        goes out without approval). True if anything was recorded."""
        message = self.state_message(step)
        assert message is not None
        choice = self.prompter.ask_approval(self.view(step))
        if choice.kind == "override" and choice.reason.strip():
            self.record(ev.message_approved(step.id, override=choice.reason.strip()))
            return True
        if choice.kind == "self":
            who = self.env.actor
        elif choice.kind == "ask" and choice.name.strip():
            who = " ".join(choice.name.split())
        else:
            return False
        _, backup = approvals.named_approvers(self.state)
        self.record(
            approvals.request_event(step, message, who, checks=message.check_summary, backup=backup)
        )
        if choice.kind == "self" or approvals.same_person(who, self.env.actor):
            # The writer approves their own words: recorded as such (the report says so).
            self.decide_as(step, who, "approve", scripted=False)
        else:
            self.stand_in(step, who)
        return True

    def asked_oneself(self, request: ApprovalRequest) -> bool:
        """A request this walker put to themselves (not an escalation, not someone else's
        request to them): their own approval, left unrecorded by an interrupted run."""
        me = self.env.actor
        return (
            request.escalated_from is None
            and approvals.same_person(request.actor, me)
            and approvals.same_person(request.approver, me)
        )

    def decide_as(
        self, step: Step, who: str, decision: str, comment: str = "", *, scripted: bool
    ) -> None:
        message = self.state_message(step)
        assert message is not None
        self.record(
            ev.approval_decided(
                step.id,
                decision,
                digest=message.digest,
                approver=who,
                comment=comment,
                scripted=scripted,
            )
        )

    def stand_in(self, step: Step, who: str) -> bool:
        """Where an answers file plays the approver, its decision is made at once."""
        decided = self.prompter.stand_in(self.view(step), who)
        if decided is None:
            return False
        self.decide_as(step, who, decided.decision, decided.comment, scripted=True)
        return True

    def escalate(self) -> bool:
        """Ask the backup about every version unanswered for its ``escalate_after``."""
        due = approvals.escalation_events(self.playbook, self.state, self.env.clock())
        for event in due:
            self.record(event)
            step = self.playbook.step(event.data["step"])
            self.prompter.show_status(
                self.view(step),
                f"No answer from {event.data['escalated_from']} in time: "
                f"the message for “{step.title}” is now also with {event.data['approver']}.",
            )
            self.stand_in(step, event.data["approver"])
        return bool(due)

    def await_decision(self, step: Step) -> None:
        """A version waits for a decision: wait here, or go on with other steps meanwhile
        (the step is deferred and comes back, out of turn, when the decision arrives)."""
        while True:
            self.refresh()
            message = self.state_message(step)
            if message is None:
                return
            pending = message.pending_request
            if pending is None:
                if message.decision == "rejected":
                    words = self.words.t(
                        "engine.rejected", outcome=approvals.outcome(message, self.words)
                    )
                    self.prompter.show_status(self.view(step), words)
                    self.compose(step)
                elif approvals.settled(message):
                    outcome = approvals.outcome(message, self.words)
                    words = self.words.t("engine.message_is", outcome=outcome)
                    self.prompter.show_status(self.view(step), words)
                return
            text = approvals.waiting_text(pending, self.env.clock(), self.words)
            backup = approvals.backup_next(self.playbook, self.state, step.id)
            choice = self.prompter.while_waiting(self.view(step), text, backup)
            if choice is Waiting.GO_ON:
                reason = f"waiting for approval from {pending.approver}"
                self.record(ev.step_left("deferred", step.id, reason))
                return
            if choice is not Waiting.WAIT or not self.wait_for_decision(step):
                return

    def wait_for_decision(self, step: Step) -> bool:
        """Watch the journal until the version is decided (by ``crisis approve`` here or
        on another machine after a sync), asking the backup when it is time. False when
        the responder stops waiting (Ctrl-C): the request stays open."""
        shown = ""
        try:
            while True:
                self.refresh()
                self.escalate()
                message = self.state_message(step)
                pending = message.pending_request if message is not None else None
                if pending is None or self.state.current != step.id:
                    return True
                text = approvals.waiting_text(pending, self.env.clock(), self.words)
                if text != shown:
                    self.prompter.show_status(self.view(step), f"{text} (Ctrl-C stops waiting)")
                    shown = text
                self.env.sleep(POLL_SECONDS)
        except KeyboardInterrupt:
            self.prompter.show_status(self.view(step), "Stopped waiting: the request stays open.")
            return False

    def switched_off(self, step: Step) -> bool:
        """A re-grade made the step at hand not apply: recorded, and the walk-through
        moves on at this screen."""
        from crisiscli.playbook.model import tests_severity

        if not tests_severity(step.when) or applies(step, self.state):
            return False
        reason = f"not for severity {self.state.severity} (re-graded)"
        self.prompter.show_status(
            self.view(step), f"“{step.title}” does not apply any more: {reason}."
        )
        self.record(ev.step_left("not_applicable", step.id, reason))
        return True

    def promise_next_update(self, step: Step) -> None:
        """A public message says when the next update comes: ask for that time (suggested
        by the playbook's cadence, or the time promised before) and record the promise — it
        becomes a deadline once the message goes out."""
        assert step.message is not None
        # a promise to the public: what staff or one person are told is kept by no post
        if not said_in_public(step.message.kind, step.message.audience):
            return
        from crisiscli.messages.promise import promised_in
        from crisiscli.moments import parse_when

        now = self.env.clock()
        zone = self.incident.tz() or system_zone()
        current = self.state_message(step)
        known = current.promise if current is not None else None
        # The time the message itself names ("Next update by 02:30", "om 30 minuter") comes
        # first: the promise is what the public reads, not what the cadence would like.
        said_at = None
        said = promised_in(current.text, self.playbook.language) if current is not None else None
        if said is not None:
            with contextlib.suppress(UsageError):
                said_at = parse_when(said, now, zone, what="next update")
        suggested = said_at or known or next_update_due(self.playbook, self.state, now)
        warned: str | None = None
        while True:
            text = self.prompter.ask_next_update(self.view(step), suggested).strip()
            if not text:
                return
            try:
                due = parse_when(text, now, zone, what="next update")
            except UsageError:
                self.prompter.notify(self.words.t("update.bad_time", typed=text))
                continue
            if (
                said_at is not None
                and abs((due - said_at).total_seconds()) >= 60
                and warned != text
            ):
                # Said before anything is recorded; typing the same again keeps it.
                self.prompter.warn(
                    self.words.t(
                        "update.disagrees",
                        said=_clock_text(said_at, zone, now),
                        typed=_clock_text(due, zone, now),
                    )
                )
                warned, suggested = text, said_at
                continue
            if due != known:
                self.record(ev.update_promised(step.id, due))
            return

    def state_message(self, step: Step) -> MessageState | None:
        """The latest recorded version of this step's message, if any."""
        return self.state.messages.get(step.id)

    def regrade_pending(self, question_id: str) -> bool:
        """A grading answer differs from the severity and no re-grade followed it."""
        value = self.state.answers.get(question_id)
        if value is None or value == self.state.severity:
            return False
        answered = self.state.answered_at.get(question_id)
        changes = self.state.severity_changes
        return answered is not None and (not changes or changes[-1].ts < answered)

    def asked_before_loop(self, step: Step, question_id: str) -> bool:
        """The step was entered again by the flow (a goto looped back to it) after this
        question was last answered: the answer belongs to the earlier visit, so the question
        is asked again ("are we resuming now?" at the next check). Derived from the journal,
        so a walk-through interrupted mid-loop asks again after ``crisis resume`` too."""
        st = self.state.steps.get(step.id)
        answered = self.state.answered_at.get(question_id)
        return (
            st is not None
            and st.visits > 1
            and self.state.current == step.id
            and self.state.last_entered_via == "next"
            and st.last_entered is not None
            and answered is not None
            and answered < st.last_entered
        )

    def ask_question(self, step: Step, qv: QuestionView) -> bool:
        if qv.question.type == "actions":
            return self.ask_action_items(step, qv.question)
        view = self.view(step)
        question = qv.question
        if question.sets == "severity" and qv.answer is None and self.state.severity:
            # The grading question starts on the level the incident is at: one Enter
            # keeps it, never quietly downgrades it.
            question = Question(**{**question.__dict__, "default": self.state.severity})
        elif qv.answer is None and question.type == "text" and question.default is None:
            named = self.roster_name(question.id)
            if named:  # the standing roster names people in advance: offered, not assumed
                question = Question(**{**question.__dict__, "default": named})
        while True:
            value = self.prompter.answer(view, question)
            if value is None or (value == "" and not question.required):
                return False
            marks = self.impact_event(step, question, value)
            if marks is not False:
                break
        floor = below_floor(self.playbook, self.state, str(value)) if question.sets else None
        why = None
        if floor is not None:
            text = self.words.t(
                "engine.below_floor", level=value, floor=floor.level, facts=floor.words
            )
            why = self.prompter.ask_why(view, text).strip()
            if not why:
                self.prompter.notify(self.words.t("engine.floor_needs_reason"))
                return False
        routine = any(c.no_incident and c.value == value for c in question.choices)
        grades = question.sets == "severity"
        self.record(ev.answer_set(step.id, question.id, value, no_incident=routine, grades=grades))
        if isinstance(marks, ev.NewEvent):
            self.record(marks)
        role = approvals.role_for_answer(question.id, value, self.state)
        if role is not None:  # naming the approver fills the approver role
            self.record(role)
        if question.sets == "severity" and (value != self.state.severity or floor is not None):
            # A grading question re-grades the incident: header, log and reports follow it,
            # and so do the steps whose conditions read the severity. Graded below a
            # floor, the re-grade carries the floor and the reason (even a level kept).
            self.record(
                regrade_event(
                    self.playbook,
                    self.state,
                    str(value),
                    was=(self.state.severity or None) if floor is not None else None,
                    reason=why,
                    by_question=question.id,
                    floor=floor.level if floor is not None else None,
                    floor_facts=floor.words if floor is not None else None,
                )
            )
        return True

    def roster_name(self, question_id: str) -> str | None:
        """The standing roster's person for a role question (``roster.*`` in the config):
        approver (the night approver between 22:00 and 07:00 local time), backup,
        spokesperson."""
        from crisiscli.config import current_config

        roster = current_config(self.env).roster
        if question_id == "approver":
            hour = self.env.clock().astimezone(self.incident.tz() or system_zone()).hour
            if (hour >= 22 or hour < 7) and roster.get("night_approver"):
                return roster["night_approver"]
        if question_id in ("approver", "backup", "spokesperson"):
            return roster.get(question_id)
        return None

    def impact_event(
        self, step: Step, question: Question, value: Any
    ) -> ev.NewEvent | Literal[False] | None:
        """What a ``sets: impact-start | detected-at | first-post`` answer records besides
        the answer: the impact time (``impact.recorded``) or the link kept as evidence
        (``evidence.linked``). None: nothing more; False: not a time, ask again."""
        text = str(value).strip()
        if question.sets in ("impact-start", "detected-at") and text:
            from crisiscli.moments import PastRefused, parse_past

            now, zone = self.env.clock(), self.incident.tz() or system_zone()
            try:
                at = parse_past(text, now, zone, what=question.sets)
            except PastRefused as refused:
                what = self.words.t(f"impact.what.{question.sets}")
                why = self.words.t(f"impact.why.{refused.reason}")
                self.prompter.notify(
                    self.words.t("impact.bad_time", typed=text, what=what, why=why)
                )
                return False
            if question.sets == "impact-start":
                return ev.impact_recorded(started=at, by_question=question.id)
            return ev.impact_recorded(detected=at, by_question=question.id)
        if question.sets == "first-post" and text:
            return ev.evidence_linked(text, note=question.prompt, step=step.id)
        return None

    def regrade_event(self, level: str, *, by_question: str) -> ev.NewEvent:
        return regrade_event(self.playbook, self.state, level, by_question=by_question)

    def shown_answer(self, step: Step, question: Question) -> Any:
        """The answer as the step's screen shows it: action items by their words, not ids."""
        if self.asked_before_loop(step, question.id):
            return None
        answer = self.state.answers.get(question.id)
        if question.type == "actions" and isinstance(answer, list):
            actions = self.state.actions
            return [f"{i}: {actions[i].text}" if i in actions else str(i) for i in answer]
        return answer

    def ask_action_items(self, step: Step, question: Question) -> bool:
        """Action items one at a time (what, owner, due), each recorded as it is given,
        until the responder has no more; then the answer: the ids of this step's items."""
        recorded = False
        while True:
            added = [
                ActionEntry(a.text, a.owner, a.due)
                for a in self.state.actions.values()
                if a.step == step.id
            ]
            entry = self.prompter.ask_action_item(self.view(step), question, added)
            if entry is None:
                break
            try:
                event = new_action(
                    self.state, entry.what, owner=entry.owner, due=entry.due, step=step.id
                )
            except UsageError as exc:
                self.prompter.notify(exc.message)
                continue
            self.record(event)
            recorded = True
        ids = [a.id for a in self.state.actions.values() if a.step == step.id]
        if self.state.answers.get(question.id) != ids:
            self.record(ev.answer_set(step.id, question.id, ids))
            recorded = True
        return recorded

    def allowed_actions(self, step: Step, view: StepView) -> list[Action]:
        actions = [Action.DONE]
        if view.items or view.questions:
            actions.append(Action.EDIT)
        if step.message is not None:
            actions.append(Action.MESSAGE)
            message = self.state_message(step)
            if message is not None and message.pending_request is not None:
                actions.append(Action.WAIT)
            if ledger.keeps_ledger(step):
                actions.append(Action.REPLIES)
        actions += [Action.NOTE, Action.SKIP, Action.DEFER, Action.NOT_APPLICABLE]
        actions.append(Action.EVIDENCE)
        if self.deferred_others(step):
            actions.append(Action.RECALL)
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
        if action is Action.MESSAGE and step.message is not None:
            self.compose(step)
            return False
        if action is Action.WAIT:
            self.await_decision(step)
            return False
        if action is Action.REPLIES:
            ledger.work(self, step)
            return False
        if action is Action.EVIDENCE:
            self.add_evidence(step, view)
            return False
        if action is Action.NOTE:
            with self.drafting("note", step.id):
                text = self.prompter.ask_note(view)
            if text.strip():
                self.record(ev.note_added(text, step.id))
                shown = " ".join(text.split())
                self.prompter.recorded(view, self.words.t("engine.note_added", text=shown))
            if self.draft("note", step.id) is not None:
                self.record(
                    ev.draft_dropped("note", step.id, "saved" if text.strip() else "emptied")
                )
            return False
        if action is Action.SKIP:
            reason = self.prompter.ask_reason(view, action, True).strip()
            if not reason:
                self.prompter.notify(self.words.t("engine.skip_needs_reason"))
                return False
            self.record(ev.step_left("skipped", step.id, reason))
            return True
        if action is Action.DEFER:
            reason = self.prompter.ask_reason(view, action, False).strip()
            self.record(ev.step_left("deferred", step.id, reason or None))
            return True
        if action is Action.NOT_APPLICABLE:
            reason = self.prompter.ask_reason(view, action, False).strip()
            self.record(ev.step_left("not_applicable", step.id, reason or None))
            return True
        if action is Action.BACK:
            if len(self.state.path) < 2:
                self.prompter.notify(self.words.t("engine.first_step"))
                return False
            self.record(ev.step_entered(self.state.path[-2], "back"))
            return True
        if action is Action.RECALL:
            options = self.deferred_others(step)
            chosen = self.prompter.choose_step(view, self.words.t("engine.recall_which"), options)
            if chosen is None or chosen not in dict(options):
                return False
            # Out of turn: this step stays begun and comes back when that one is left.
            self.record(ev.step_entered(chosen, "aside"))
            return True
        if action is Action.PAUSE:
            self.record(ev.session("paused", step.id))
            raise Paused()
        raise StateError(f"unknown action {action!r}")

    # -- drafts: words typed and not saved are never lost ------------------------------------

    def draft(self, field: str, step_id: str) -> tuple[datetime, str] | None:
        """This person's unsaved words for a note or a message of this step."""
        found = self.state.drafts.get(draft_key(field, step_id, self.env.actor))
        return (found.ts, found.text) if found is not None else None

    def drafting(self, field: str, step_id: str) -> Any:
        """Around a note or a message prompt: words left there (Esc twice, Ctrl-C) are
        recorded as a draft (``draft.kept``) before the step menu comes back or the run
        stops; words emptied by their author end the draft."""
        import contextlib

        engine = self

        @contextlib.contextmanager
        def kept() -> Any:
            try:
                yield
            except (LeftWithDraft, InterruptedWithDraft) as left:
                engine.keep_draft(field, step_id, left.text)
                if isinstance(left, LeftWithDraft):
                    engine.prompter.notify(engine.words.t(f"draft.kept_{field}"))
                raise

        return kept()

    def keep_draft(self, field: str, step_id: str, text: str) -> None:
        before = self.draft(field, step_id)
        if text.strip():
            if before is None or before[1] != text:
                self.record(ev.draft_kept(field, text, step_id))
        elif before is not None:
            self.record(ev.draft_dropped(field, step_id, "emptied"))

    def deferred_others(self, step: Step) -> list[tuple[str, str]]:
        """Deferred steps (other than this one) the responder can go back to now."""
        return [
            (sid, self.playbook.step(sid).title)
            for sid in still_deferred(self.playbook, self.state)
            if sid != step.id
        ]

    def mark_done(self, step: Step, view: StepView) -> bool:
        missing = [
            qv.question.prompt
            for qv in view.questions
            if qv.answer is None and qv.question.required
        ]
        if missing:
            self.prompter.notify(self.words.t("engine.answer_first", question=missing[0]))
            return False
        approved_before = approvals.settled(self.state_message(step))
        # At a ledger step the replies to each person are the step's messages: its one
        # text is needed only while nobody is on the ledger.
        needs_text = step.message is not None and not ledger.in_use(self, step)
        if needs_text and not self.message_ready(step, view):
            return False
        owed = ledger.still_owed(self, step)
        if owed and not self.prompter.confirm(
            self.words.t(
                "replies.done_anyway", count=len(owed), names=", ".join(r.who for r in owed)
            ),
            default=False,
        ):
            return False
        if ledger.keeps_ledger(step) or (approvals.needs_approval(step) and not approved_before):
            # Approved (or overridden) just now, or the replies written: the items that come
            # after it ("posted it", "replied to everyone").
            self.refresh()
            view = self.view(step)
            if self.tick(step, view):
                view = self.view(step)
        unchecked = [iv.item.id for iv in view.items if not iv.checked]
        if unchecked and not self.prompter.confirm(
            self.words.t("engine.done_anyway", count=len(unchecked)), default=False
        ):
            return False
        if not self.gate_passed(step):
            return False
        self.record(ev.step_done(step.id, unchecked))
        return True

    def gate_passed(self, step: Step) -> bool:
        """A step with ``not_before`` done before that time: only with a reason, recorded
        (``step.early``) just before its outcome. True when the step may be done now."""
        opens = not_before_at(step, self.state)
        now = self.env.clock()
        if opens is None or now >= opens:
            return True
        st = self.state.steps.get(step.id)
        early = self.state.early.get(step.id)
        if (
            early is not None
            and st is not None
            and st.last_entered is not None
            and early.ts >= st.last_entered
        ):
            return True  # already given at this visit (interrupted before "done")
        from crisiscli.timeutil import format_duration

        text = self.words.t(
            "engine.early",
            title=step.title,
            when=short_when(opens, self.incident.tz() or system_zone(), now),
            left=format_duration((opens - now).total_seconds()),
        )
        reason = self.prompter.ask_why(self.view(step), text).strip()
        if not reason:
            self.prompter.notify(self.words.t("engine.early_needs_reason"))
            return False
        self.record(ev.step_early(step.id, opens, reason))
        return True

    def message_ready(self, step: Step, view: StepView) -> bool:
        """A message step is done only with a message that passes its checks (or carries a
        recorded override) and, when required, an approver (or a recorded override)."""
        assert step.message is not None
        current = self.state_message(step)
        # interrupted between writing it and its check: the check is recorded now
        unchecked = current is not None and current.check_summary is None
        if view.message_text is None or unchecked:
            if view.message_text is None:
                # said once, before the composer: not kept under the screens that follow,
                # where the message is written by then
                self.prompter.show_status(view, self.words.t("engine.message_not_written"))
            self.compose(step)
            if not ledger.keeps_ledger(step):
                return False
            # A ledger step opened on its menu: its one text, written now, goes on to done.
            self.refresh()
            view = self.view(step)
            if view.message_text is None or self.state.current != step.id:
                return False
        checked = view.message_review
        if checked is not None and checked.blocked:
            problems = "; ".join(f.message for f in checked.errors[:3])
            self.prompter.notify(self.words.t("engine.cannot_go_out", problems=problems))
            return False
        if step.message.approval and view.message_approved_by is None:
            self.settle_approval(step)
            self.refresh()
            if self.state.current != step.id:
                return False  # gone on with other steps while the approver decides
            message = self.state_message(step)
            if approvals.settled(message):
                return True
            reason = self.prompter.ask_approval_override(self.view(step)).strip()
            if reason:
                self.record(ev.message_approved(step.id, override=reason))
                return True
            waiting = message.pending_request if message is not None else None
            if waiting is not None and message is not None:
                self.prompter.notify(
                    self.words.t(
                        "engine.waiting_for_decision",
                        outcome=approvals.outcome(message, self.words),
                    )
                )
            else:
                self.prompter.notify(self.words.t("engine.needs_approver"))
            return False
        return True

    def add_evidence(self, step: Step, view: StepView) -> None:
        """Keep a file (copied, hashed) or a link as evidence, at this step."""
        from crisiscli.errors import CrisisError
        from crisiscli.team.evidence import add_files, add_link

        choice = self.prompter.ask_evidence(view)
        if choice is None or not choice.target.strip():
            return
        try:
            if choice.is_url:
                add_link(self.incident, choice.target.strip(), note=choice.note, step=step.id)
            else:
                from pathlib import Path

                add_files(
                    self.incident, [Path(choice.target.strip())], note=choice.note, step=step.id
                )
        except CrisisError as exc:
            self.prompter.notify(exc.one_line())
            return
        self.refresh()
        self.show_warnings()
        what = choice.target.strip() + (
            f" — {' '.join(choice.note.split())}" if choice.note.strip() else ""
        )
        self.prompter.recorded(view, self.words.t("engine.evidence_kept", what=what))

    def edit(self, step: Step, view: StepView) -> None:
        if view.items:
            wanted = set(self.prompter.tick_items(view, list(view.items)))
            for iv in view.items:
                if iv.checked and iv.item.id not in wanted:
                    self.record(ev.item_ticked(step.id, iv.item.id, ticked=False))
                elif not iv.checked and iv.item.id in wanted:
                    self.record(ev.item_ticked(step.id, iv.item.id))
        for qv in self.view(step).questions:
            self.ask_question(step, qv)

    def finish(self) -> RunSummary:
        deferred = still_deferred(self.playbook, self.state)
        left_open = unfinished(self.playbook, self.state)
        status = "complete-except-deferred" if left_open else "complete"
        self.record(ev.run_finished(deferred, left_open))
        summary = self.summary(status, deferred)
        if self.prompter.finished(summary):
            from crisiscli.walk.closing import check_and_close

            check_and_close(self.incident, self.playbook.exit_criteria, self.prompter)
            self.state = self.incident.state()  # closed by this walker: not "elsewhere"
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
            tuple(
                (self.playbook.step(sid).title, self.state.steps[sid].status)
                for sid in unfinished(self.playbook, self.state)
            ),
        )

    # -- views -----------------------------------------------------------------------------

    def step_platforms(self, step: Step) -> tuple[str, ...]:
        """Where a step's message goes: the incident's platforms first, then those the
        step's message names (each once)."""
        from crisiscli.messages.platforms import checked_platforms, incident_platforms

        named = step.message.platforms if step.message is not None else ()
        return tuple(checked_platforms(incident_platforms(known_answers(self.state)), named))

    def approver_choices(self, step: Step) -> tuple[tuple[str, str], ...]:
        if not approvals.needs_approval(step):
            return ()
        primary, backup = approvals.named_approvers(self.state)
        found = [(primary, "named approver"), (backup, "backup")]
        return tuple((name, why) for name, why in found if name)

    def view(self, step: Step) -> StepView:
        state = self.state
        now = self.env.clock()
        values = template_values(self.playbook, state, self.incident.id)
        guidance, missing = render(step.guidance, values, escape=md_escape)
        answers = facts(state)
        st = state.steps.get(step.id)
        checked = st.checked if st else set()
        items = []
        for item in step.items:
            if holds(item.when, answers):
                text, gaps = render(item.text, values)
                missing += [g for g in gaps if g not in missing]
                items.append(ItemView(item, text, item.id in checked))
        questions = tuple(QuestionView(q, self.shown_answer(step, q)) for q in step.questions)
        phase = self.playbook.phase_of(step.id)
        phase_index = [p.id for p in self.playbook.phases].index(phase.id) + 1
        index, total = position(self.playbook, step.id)
        done = sum(
            1 for s in state.steps.values() if s.status in ("done", "skipped", "not_applicable")
        )
        started = state.started_at or now
        message = state.messages.get(step.id)
        roles = assigned_roles(state, self.playbook)
        notes = tuple(
            NoteView(n.ts, n.actor, n.text, n.event_id in self._mine) for n in state.notes[-5:]
        )
        keeps_ledger = ledger.keeps_ledger(step)
        return StepView(
            incident_id=self.incident.id,
            title=state.title,
            severity=state.severity,
            drill=state.drill,
            elapsed_seconds=(now - started).total_seconds(),
            drill_time=state.drill_run.clock_words(now, short=True) if state.drill_run else None,
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
            recalled=state.last_entered_via == "recall",
            recalled_overdue=state.last_entered_via == "recall"
            and step.due is not None
            and state.started_at is not None
            and now >= state.from_start(step.due.seconds, now),
            visit=st.visits if st else 1,
            can_go_back=len(state.path) >= 2,
            message_text=message.text if message else None,
            note_draft=self.draft("note", step.id),
            message_draft=self.draft("message", step.id),
            message_approved_by=(message.approver or message.override) if message else None,
            approvers=self.approver_choices(step),
            waiting=approvals.waiting_texts(self.playbook, state, now, self.words),
            approval=approvals.outcome(message, self.words)
            if message and approvals.needs_approval(step)
            else None,
            evidence_count=len(state.evidence),
            latest=next(
                (
                    (e.ts, e.actor, e.text)
                    for e in reversed(state.recent)
                    if e.id not in self._mine and e.actor != self.env.actor
                ),
                None,
            ),
            recalls=tuple(
                (sid, self.playbook.step(sid).title, back)
                for sid in still_deferred(self.playbook, state)
                if (back := recall_at(self.playbook.step(sid), state)) is not None
            ),
            mentions=mention_words(state)
            if any(q.sets == "severity" for q in step.questions)
            else None,
            message_review=(
                self.review(step, message.text, message.check_override)
                if message is not None and step.message is not None
                else None
            ),
            follow_ups=open_follow_ups(state, now),
            replies=tuple(state.replies.values()) if keeps_ledger else (),
            reply_platforms=self.step_platforms(step) if keeps_ledger else (),
            reply_draft=self.draft(ledger.DRAFT_FIELD, step.id) if keeps_ledger else None,
            roles=roles,
            step_notes=tuple(st.notes) if st else (),
        )
