"""The interactive ``Prompter``: the prompts of ``ui/widgets.py`` around the rich screens.

Words come from the message catalogue in the playbook's language (``i18n.py``). Every
prompt carries the live status line (``ui/statusline.py``); Esc leaves a prompt for the step
menu (``GoBack``) or, where there is nothing to go back to, does nothing and says so.
Ctrl-C and Ctrl-D raise ``KeyboardInterrupt`` (the CLI records it and prints how to
resume). ``input``/``output`` can be injected so tests drive the real prompts through
prompt_toolkit's pipe input.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from crisiscli.env import Environment
from crisiscli.i18n import Catalogue
from crisiscli.messages.checks import Review
from crisiscli.playbook.model import Question
from crisiscli.record.fold import ReplyThread
from crisiscli.text import one_line
from crisiscli.ui.screens import make_console, safe, show_review, show_step, show_summary
from crisiscli.ui.statusline import StatusLine
from crisiscli.ui.widgets import Prompts
from crisiscli.walk.closing import CriterionCheck
from crisiscli.walk.prompter import (
    Action,
    ActionEntry,
    ApprovalChoice,
    Changed,
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

ACTION_KEYS = {
    Action.DONE: "action.done",
    Action.EDIT: "action.edit",
    Action.NOTE: "action.note",
    Action.SKIP: "action.skip",
    Action.DEFER: "action.defer",
    Action.NOT_APPLICABLE: "action.na",
    Action.BACK: "action.back",
    Action.PAUSE: "action.pause",
    Action.MESSAGE: "action.message",
    Action.WAIT: "action.wait",
    Action.EVIDENCE: "action.evidence",
    Action.RECALL: "action.recall",
    Action.REPLIES: "action.replies",
}
ACTION_LABELS = {action: Catalogue("en").t(key) for action, key in ACTION_KEYS.items()}


class TerminalPrompter:
    def __init__(self, env: Environment, language: str = "en", **io: Any) -> None:
        self.env = env
        self.console = make_console(env.stdout, is_tty=env.stdout_isatty)
        self.clear = env.stdout_isatty and "input" not in io
        self.words = Catalogue(language)
        self.status = StatusLine(env, self.words)
        self.ui = Prompts(self.words, None, io.get("input"), io.get("output"))
        if "input" in io:  # keys from a test's pipe, at machine speed: no hand to guard
            self.ui.guard = io.get("guard", 0.0)
        self._notices: list[str] = []  # shown again under the next screen, so none scrolls away
        self._recorded: tuple[str, str] | None = None  # (step id, what was just recorded)
        self._menu_at: Action | None = None

    def set_language(self, language: str) -> None:
        self.words = Catalogue(language)
        self.status.words = self.words
        self.ui.words = self.words

    def set_watchdog(self, check: Callable[[], None] | None) -> None:
        """``check`` runs every two seconds while a prompt waits; what it raises ends it."""
        self.ui.watchdog = check

    def t(self, key: str, **values: Any) -> str:
        return self.words.t(key, **values)

    # -- before a run ----------------------------------------------------------------------

    def choose(
        self, message: str, options: list[tuple[str, str]], default: str | None = None
    ) -> str:
        """Pick one of ``(value, label)`` options; used by ``crisis start`` before a run."""
        shown = [(value, one_line(label)) for value, label in options]
        return str(self.ui.select(one_line(message), shown, default, on_escape="stay"))

    def ask_text(
        self,
        message: str,
        default: str = "",
        *,
        required: bool = False,
        multiline: bool = False,
        on_escape: str = "back",
        draft: bool = False,
    ) -> str:
        return self.ui.text(
            one_line(message),
            default,
            required=required,
            multiline=multiline,
            on_escape=on_escape,
            draft=draft,
        )

    def _question(self, question: Question, current: Any, *, may_leave: bool, escape: str) -> Any:
        message = one_line(question.prompt)
        if question.type == "yesno":
            default = current if isinstance(current, bool) else question.default
            yes = default if isinstance(default, bool) else True
            return self.ui.confirm(message, yes, on_escape=escape)
        options = [(c.value, one_line(c.label)) for c in question.choices]
        if question.type == "choice":
            picked = current if current is not None else question.default
            return self.ui.select(
                message, options, picked if isinstance(picked, str) else None, on_escape=escape
            )
        if question.type == "multi":
            chosen = current if isinstance(current, list) else question.default
            ticked = list(chosen) if isinstance(chosen, (list, tuple)) else []
            return self.ui.checkbox(message, options, ticked, on_escape=escape)
        prefill = current if isinstance(current, str) else question.default
        answer = self.ask_text(
            message,
            prefill if isinstance(prefill, str) else "",
            required=question.required and not may_leave,
            on_escape=escape,
        )
        return answer if answer.strip() else None

    # -- Prompter --------------------------------------------------------------------------

    def ask_input(self, question: Question) -> Any:
        value = self._question(question, None, may_leave=False, escape="stay")
        return "" if value is None else value

    def show_step(self, view: StepView) -> None:
        self.ui.status = self.status
        self.status.show(view)
        show_step(self.console, view, clear=self.clear, words=self.words)
        if self._recorded is not None and self._recorded[0] != view.step.id:
            self._recorded = None  # another step: the line has done its work
        if self._recorded is not None:
            self.console.print(safe(self._recorded[1], "green"))
        for text in self._notices:
            self.console.print(safe(text, "yellow"))
        self._notices.clear()

    def tick_items(self, view: StepView, pending: list[ItemView]) -> list[str]:
        options = [(iv.item.id, one_line(iv.text)) for iv in pending]
        checked = [iv.item.id for iv in pending if iv.checked]
        return [str(v) for v in self.ui.checkbox(self.t("tick_prompt"), options, checked)]

    def confirm_item(self, view: StepView, item: ItemView) -> bool:
        options = [(True, self.t("item_done")), (False, self.t("item_not_yet"))]
        return bool(self.ui.select(one_line(item.text), options))

    def answer(self, view: StepView, question: Question) -> Any:
        # A step's text question may be left empty for now: the step menu still lets the
        # responder skip, defer or mark the step n/a, and "done" insists on an answer.
        # Changing an answer starts from the current one.
        current = next((qv.answer for qv in view.questions if qv.question.id == question.id), None)
        return self._question(question, current, may_leave=True, escape="back")

    def ask_action_item(
        self, view: StepView, question: Question, added: list[ActionEntry]
    ) -> ActionEntry | None:
        """``type: actions``: one item at a time — what, owner, due — until "no more"."""
        from crisiscli.errors import UsageError
        from crisiscli.team.actions import check_due

        for n, entry in enumerate(added, start=1):
            due = self.t("actions.due", date=entry.due) if entry.due else ""
            extra = ", ".join(x for x in (entry.owner, due) if x)
            shown = one_line(f"{n}. {entry.what}" + (f" — {extra}" if extra else ""))
            self.console.print(safe(f"  {shown}"))
        more = self.t("actions.add_another" if added else "actions.add_one", prompt=question.prompt)
        if not self.confirm(more, default=not added):
            return None
        what = self.ask_text(self.t("actions.what"), required=True)
        owner = self.ask_text(self.t("actions.owner"))

        def valid_date(text: str) -> str | None:
            try:
                check_due(text)
            except UsageError:
                return self.t("actions.bad_date")
            return None

        due = self.ui.text(self.t("actions.due_prompt"), check=valid_date)
        return ActionEntry(" ".join(what.split()), one_line(owner) or None, check_due(due))

    @staticmethod
    def action_key(view: StepView, action: Action) -> str:
        """Deferred again in the final round, a step does not come back by itself: say so."""
        if action is Action.DEFER and view.revisit:
            return "action.defer_open"
        return ACTION_KEYS[action]

    def choose_action(self, view: StepView, allowed: list[Action]) -> Action:
        options = [(a, self.t(self.action_key(view, a))) for a in allowed]
        # drawn again because something changed elsewhere: the pointer stays where it was
        at, self._menu_at = self._menu_at, None
        try:
            return Action(self.ui.select(self.t("what_now"), options, at, on_escape="stay"))
        except Changed:
            self._menu_at = self.ui.pointer
            raise

    def live(self, view: StepView) -> None:
        """What others recorded, on the status line while a prompt waits."""
        self.status.show(view)

    def ask_reason(self, view: StepView, action: Action, required: bool) -> str:
        key = {Action.SKIP: "reason.skip", Action.DEFER: "reason.defer"}.get(action)
        key = key or ("reason.na" if action is Action.NOT_APPLICABLE else "reason.other")
        return self.ask_text(self.t(key), required=required)

    def _clock_text(self, when: datetime) -> str:
        from crisiscli.record.store import log_timezone
        from crisiscli.timeutil import in_zone

        return in_zone(when, log_timezone(self.env)).strftime("%H:%M")

    def choose_step(
        self, view: StepView, prompt: str, options: list[tuple[str, str]]
    ) -> str | None:
        shown = [(sid, one_line(title)) for sid, title in options]
        shown.append(("\x00stay", self.t("recall_stay")))
        picked = str(self.ui.select(one_line(prompt), shown, on_escape="stay"))
        return None if picked == "\x00stay" else picked

    def ask_why(self, view: StepView, text: str) -> str:
        self.notify(text)
        return self.ask_text(self.t("why_prompt"))

    def ask_note(self, view: StepView) -> str:
        """One line: Enter saves it. Esc twice (or Ctrl-C) with words typed keeps them as a
        draft, which comes back here the next time."""
        prefill = ""
        if view.note_draft is not None:
            when, prefill = view.note_draft
            self.ui.notice = self.t("draft.back", time=self._clock_text(when))
        return self.ui.text(self.t("note_prompt"), prefill, draft=True, hint_key="key_hint_note")

    def confirm(self, message: str, default: bool = False, *, on_escape: str = "back") -> bool:
        """Yes/no; Esc goes back to the step menu (``stay``: outside a walk-through)."""
        return self.ui.confirm(one_line(message), default, on_escape=on_escape)

    def compose_message(self, view: StepView, draft: str) -> str:
        from rich.panel import Panel

        self.console.print(Panel(safe(draft), title=self.t("screen.draft"), border_style="cyan"))
        options = [("inline", self.t("message_edit_here"))]
        if self.env.editor:
            options.append(("editor", self.t("message_edit_in", editor=one_line(self.env.editor))))
        options.append(("keep", self.t("message_keep")))
        kept = getattr(view, "message_draft", None)
        back = ""
        if kept is not None and kept[1] == draft:
            back = self.t("draft.back_message", time=self._clock_text(kept[0]))
        self.ui.notice = back
        how = self.ui.select(self.t("message_how"), options)
        if how == "editor":
            from crisiscli.ui.editor import EditorFailed, edit_text

            try:
                return edit_text(self.env, draft)
            except EditorFailed as exc:
                self.notify(self.t("message_edit_failed", error=exc))
                how = "inline"
        if how == "inline":
            self.ui.notice = back
            return self.ask_text(
                self.t("message_label"), draft, required=True, multiline=True, draft=True
            )
        return draft

    def review_message(self, view: StepView, review: Review) -> tuple[ReviewDecision, str]:
        show_review(self.console, review, self.words)
        if review.errors:
            options = [
                (ReviewDecision.EDIT, self.t("review_edit")),
                (ReviewDecision.LATER, self.t("review_later")),
                (ReviewDecision.OVERRIDE, self.t("review_override")),
            ]
        else:
            options = [
                (ReviewDecision.ACCEPT, self.t("review_accept")),
                (ReviewDecision.EDIT, self.t("review_edit")),
            ]
        decision = ReviewDecision(self.ui.select(self.t("review_now"), options))
        if decision is ReviewDecision.OVERRIDE:
            return decision, self.ask_text(self.t("review_override_why"), required=True)
        return decision, ""

    def ask_approval(self, view: StepView) -> ApprovalChoice:
        options = [
            (name, self.t("approval.ask_named", name=one_line(name), why=one_line(why)))
            for name, why in view.approvers
        ]
        options += [
            ("\x00other", self.t("approval.ask_other")),
            ("\x00self", self.t("approval.self")),
            ("\x00override", self.t("approval.override")),
            ("\x00later", self.t("approval.later")),
        ]
        picked = str(self.ui.select(self.t("approval.who"), options))
        if picked == "\x00other":
            name = self.ask_text(self.t("approval.their_name")).strip()
            return ApprovalChoice("ask", name) if name else ApprovalChoice("later")
        if picked == "\x00self":
            return ApprovalChoice("self")
        if picked == "\x00override":
            reason = self.ask_text(self.t("approval_override_why"), required=True)
            return ApprovalChoice("override", reason=reason)
        if picked == "\x00later":
            return ApprovalChoice("later")
        return ApprovalChoice("ask", picked)

    def stand_in(self, view: StepView, approver: str) -> StandIn | None:
        return None  # a person decides, in their own terminal: crisis approve

    def while_waiting(self, view: StepView, waiting: str, backup_next: str | None) -> Waiting:
        later = ""
        if backup_next is not None and view.step.message and view.step.message.escalate_after:
            after = view.step.message.escalate_after
            later = self.t("waiting.backup_later", name=one_line(backup_next), after=after)
        self.console.print(safe(f"{waiting}{later}", "yellow"))
        options = [
            (Waiting.WAIT, self.t("waiting.wait")),
            (Waiting.GO_ON, self.t("waiting.go_on")),
            (Waiting.MENU, self.t("waiting.menu")),
        ]
        return Waiting(self.ui.select(self.t("waiting.meanwhile"), options))

    def show_status(self, view: StepView, text: str) -> None:
        self.console.print(safe(text, "yellow"))

    def recorded(self, view: StepView, text: str) -> None:
        """One line (cut to the screen's width), kept under the step until the next step."""
        from crisiscli.width import clip

        line = clip(one_line(text), max(self.console.width - 1, 20))
        self.console.print(safe(line, "green"))
        self._recorded = (view.step.id, line)

    def ask_evidence(self, view: StepView) -> EvidenceChoice | None:
        target = self.ask_text(self.t("evidence.target")).strip()
        if not target:
            return None
        note = self.ask_text(self.t("evidence.what"))
        is_url = target.lower().startswith(("http://", "https://"))
        if not is_url:
            import os

            target = os.path.expanduser(target.strip("'\""))
        return EvidenceChoice(target, note, is_url)

    # -- the reply ledger (``per_person`` steps) ---------------------------------------------

    def choose_reply(self, view: StepView) -> ReplyPick | None:
        """The next reply to write first (the pointer starts there), then a new person,
        another reply to someone already answered, closing threads, back."""
        open_threads = [t for t in view.replies if t.outcome is None]
        unsent = [t for t in open_threads if t.sent_at is None]
        sent = [t for t in open_threads if t.sent_at is not None]

        def entry(kind: str, key: str, thread: ReplyThread) -> tuple[ReplyPick, str]:
            return ReplyPick(kind, thread.id), self.t(key, who=one_line(thread.who))

        options = [entry("write", "replies.write_option", t) for t in unsent]
        options.append((ReplyPick("add"), self.t("replies.add_option")))
        options += [entry("write", "replies.rewrite_option", t) for t in sent]
        options += [entry("close", "replies.close_option", t) for t in open_threads]
        # Not None: the menu starts at its default, and None is the default it is given.
        options.append((ReplyPick("back"), self.t("replies.back_option")))
        picked = self.ui.select(self.t("replies.choose"), options, on_escape="back")
        return picked if isinstance(picked, ReplyPick) and picked.kind != "back" else None

    def ask_reply_person(self, view: StepView) -> ReplyPerson | None:
        from crisiscli.messages.platforms import DEFAULT_LIMITS

        who = self.ask_text(self.t("replies.who")).strip()
        if not who:
            return None
        names = list(view.reply_platforms) + [
            p for p in DEFAULT_LIMITS if p not in view.reply_platforms
        ]
        options = [(name, name) for name in names]
        options.append(("", self.t("replies.platform_unknown")))
        platform = str(self.ui.select(self.t("replies.platform"), options))
        link = self.ask_text(self.t("replies.link")).strip()
        return ReplyPerson(who, platform or None, link or None)

    def ask_reply_text(self, view: StepView, thread: ReplyThread, draft: str) -> str:
        kept = view.reply_draft
        self.ui.notice = (
            self.t("draft.back_message", time=self._clock_text(kept[0]))
            if kept is not None and kept[1] == draft
            else ""
        )
        label = self.t("replies.text_label", who=one_line(thread.who))
        return self.ask_text(label, draft, required=True, multiline=True, draft=True)

    def review_reply(
        self, view: StepView, thread: ReplyThread, review: Review
    ) -> tuple[ReviewDecision, str]:
        show_review(self.console, review, self.words)
        options = [] if review.errors else [(ReviewDecision.ACCEPT, self.t("replies.review_sent"))]
        options.append((ReviewDecision.EDIT, self.t("review_edit")))
        options.append((ReviewDecision.LATER, self.t("replies.review_later")))
        if review.errors:
            options.append((ReviewDecision.OVERRIDE, self.t("replies.review_override")))
        decision = ReviewDecision(self.ui.select(self.t("review_now"), options))
        if decision is ReviewDecision.OVERRIDE:
            return decision, self.ask_text(self.t("review_override_why"), required=True)
        return decision, ""

    def ask_reply_outcome(self, view: StepView, thread: ReplyThread) -> ReplyOutcome | None:
        from crisiscli.record.events import REPLY_OUTCOMES

        options = [(key, self.t(f"replies.outcome.{key}").capitalize()) for key in REPLY_OUTCOMES]
        options.append(("", self.t("replies.back_to_ledger")))
        prompt = f"{one_line(thread.who)}: {self.t('replies.outcome_prompt')}"
        picked = self.ui.select(prompt, options, on_escape="back")
        if not picked:
            return None
        note = self.ask_text(self.t("replies.outcome_note"))
        return ReplyOutcome(str(picked), note)

    def ask_next_update(self, view: StepView, suggested: datetime | None) -> str:
        from crisiscli.record.store import log_timezone
        from crisiscli.timeutil import in_zone

        prefill = ""
        if suggested is not None:
            prefill = in_zone(suggested, log_timezone(self.env)).strftime("%H:%M")
        return self.ask_text(self.t("update.promise"), prefill)

    def ask_approval_override(self, view: StepView) -> str:
        if not self.confirm(self.t("approval_override_ask"), default=False):
            return ""
        return self.ask_text(self.t("approval_override_why"), required=True)

    def notify(self, text: str) -> None:
        self.console.print(safe(text, "yellow"))
        self._notices.append(text)

    def warn(self, text: str) -> None:
        self.console.print(safe(self.t("warning", text=text), "yellow"))

    def check_exit(self, criteria: tuple[str, ...]) -> list[CriterionCheck]:
        """Each exit criterion, one at a time: met or not, and why not."""
        count = len(criteria)
        self.console.print(safe(self.t("exit.before", criteria=self._criteria(count)), "bold"))
        checks = []
        for index, text in enumerate(criteria, 1):
            asked = self.t("exit.true_now", index=index, count=count, text=text)
            met = self.ui.confirm(one_line(asked), True, on_escape="stay")
            note = "" if met else self.ask_text(self.t("exit.still_open"), on_escape="stay")
            checks.append(CriterionCheck(index, text, met, note))
        return checks

    def close_anyway(self, unmet: list[CriterionCheck]) -> bool:
        numbers = ", ".join(str(c.index) for c in unmet)
        asked = self.t("exit.close_anyway", criteria=self._criteria(len(unmet)), numbers=numbers)
        return self.ui.confirm(asked, False, on_escape="stay")

    def _criteria(self, count: int) -> str:
        return self.t("exit.criterion" if count == 1 else "exit.criteria", count=count)

    def finished(self, summary: RunSummary) -> bool:
        self.ui.status = None  # the walk-through is over: no step, no countdown to show
        show_summary(self.console, summary, words=self.words)
        return self.ui.confirm(self.t("close_now"), False, on_escape="stay")


QuestionaryPrompter = TerminalPrompter  # the name it had while it was built on questionary
