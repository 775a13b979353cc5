"""The interactive ``Prompter``: questionary prompts around the rich screens.

The only module that imports questionary. Every prompt uses ``unsafe_ask`` so Ctrl-C
raises ``KeyboardInterrupt`` (the CLI records it and prints how to resume) instead of
questionary's silent ``None``. ``input``/``output`` can be injected so tests drive the
real prompts through prompt_toolkit's pipe input.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import questionary
from questionary import Choice as QChoice

from crisiscli.env import Environment
from crisiscli.messages.checks import Review
from crisiscli.playbook.model import Question
from crisiscli.text import one_line
from crisiscli.ui.screens import make_console, safe, show_review, show_step, show_summary
from crisiscli.ui.visible_input import ShowHiddenCharacters
from crisiscli.walk.closing import CriterionCheck, criteria_words
from crisiscli.walk.prompter import (
    Action,
    ActionEntry,
    ApprovalChoice,
    EvidenceChoice,
    ItemView,
    ReviewDecision,
    RunSummary,
    StandIn,
    StepView,
    Waiting,
)

ACTION_LABELS = {
    Action.DONE: "Mark this step done",
    Action.EDIT: "Tick items / change answers",
    Action.NOTE: "Add a note",
    Action.SKIP: "Skip (needs a reason)",
    Action.DEFER: "Defer — come back to it before the end",
    Action.NOT_APPLICABLE: "Not applicable",
    Action.BACK: "Back to the previous step",
    Action.PAUSE: "Pause — resume later",
    Action.MESSAGE: "Edit the message / see its checks",
    Action.WAIT: "Wait for the approval decision",
    Action.EVIDENCE: "Add evidence — a file or a link",
}
STYLE = questionary.Style(
    [("qmark", "fg:#d70000 bold"), ("highlighted", "bold"), ("pointer", "bold")]
)


class QuestionaryPrompter:
    def __init__(self, env: Environment, **prompt_kwargs: Any) -> None:
        self.env = env
        self.kwargs = prompt_kwargs  # input=/output= for tests
        self.console = make_console(env.stdout, is_tty=env.stdout_isatty)
        self.clear = env.stdout_isatty and "input" not in prompt_kwargs

    # -- helpers ---------------------------------------------------------------------------

    def _ask(self, question: questionary.Question) -> Any:
        return question.unsafe_ask()

    def choose(
        self, message: str, options: list[tuple[str, str]], default: str | None = None
    ) -> str:
        """Pick one of ``(value, label)`` options; used by ``crisis start`` before a run."""
        choices = [QChoice(one_line(label), value=value) for value, label in options]
        picked = next((c for c in choices if c.value == default), None)
        return str(
            self._ask(
                questionary.select(
                    one_line(message), choices=choices, default=picked, style=STYLE, **self.kwargs
                )
            )
        )

    def ask_text(
        self, message: str, default: str = "", *, required: bool = False, multiline: bool = False
    ) -> str:
        validate = (lambda v: bool(v.strip()) or "Please type something.") if required else None
        return str(
            self._ask(
                questionary.text(
                    one_line(message),
                    default=default,
                    validate=validate,
                    multiline=multiline,
                    style=STYLE,
                    # the field shows bidi and invisible characters as <U+202E>; the text keeps them
                    input_processors=[ShowHiddenCharacters()],
                    **self.kwargs,
                )
            )
        )

    def _question(self, question: Question, prefix: str = "", *, may_leave: bool = False) -> Any:
        message = one_line(prefix + question.prompt)
        if question.type == "yesno":
            yes_default = question.default if isinstance(question.default, bool) else True
            return bool(
                self._ask(
                    questionary.confirm(message, default=yes_default, style=STYLE, **self.kwargs)
                )
            )
        if question.type == "choice":
            choices = [QChoice(one_line(c.label), value=c.value) for c in question.choices]
            picked = question.default if isinstance(question.default, str) else None
            return self._ask(
                questionary.select(
                    message, choices=choices, default=picked, style=STYLE, **self.kwargs
                )
            )
        if question.type == "multi":
            defaults = set(question.default) if isinstance(question.default, tuple) else set()
            choices = [
                QChoice(one_line(c.label), value=c.value, checked=c.value in defaults)
                for c in question.choices
            ]
            return list(
                self._ask(
                    questionary.checkbox(message, choices=choices, style=STYLE, **self.kwargs)
                )
            )
        prefill = question.default if isinstance(question.default, str) else ""
        answer = self.ask_text(message, prefill, required=question.required and not may_leave)
        return answer if answer.strip() else None

    # -- Prompter --------------------------------------------------------------------------

    def ask_input(self, question: Question) -> Any:
        value = self._question(question)
        return "" if value is None else value

    def show_step(self, view: StepView) -> None:
        show_step(self.console, view, clear=self.clear)

    def tick_items(self, view: StepView, pending: list[ItemView]) -> list[str]:
        choices = [
            QChoice(one_line(iv.text), value=iv.item.id, checked=iv.checked) for iv in pending
        ]
        picked = self._ask(
            questionary.checkbox(
                "Tick what is done (space to tick, enter to confirm)",
                choices=choices,
                style=STYLE,
                **self.kwargs,
            )
        )
        return list(picked)

    def confirm_item(self, view: StepView, item: ItemView) -> bool:
        choice = self._ask(
            questionary.select(
                one_line(item.text),
                choices=[
                    QChoice("Done", value=True),
                    QChoice("Not yet — show the step menu", value=False),
                ],
                style=STYLE,
                **self.kwargs,
            )
        )
        return bool(choice)

    def answer(self, view: StepView, question: Question) -> Any:
        # A step's text question may be left empty for now: the step menu still lets the
        # responder skip, defer or mark the step n/a, and "done" insists on an answer.
        return self._question(question, may_leave=True)

    def ask_action_item(
        self, view: StepView, question: Question, added: list[ActionEntry]
    ) -> ActionEntry | None:
        """``type: actions``: one item at a time — what, owner, due — until "no more"."""
        from crisiscli.errors import UsageError
        from crisiscli.team.actions import check_due

        for n, entry in enumerate(added, start=1):
            extra = ", ".join(x for x in (entry.owner, entry.due and f"due {entry.due}") if x)
            shown = one_line(f"{n}. {entry.what}" + (f" — {extra}" if extra else ""))
            self.console.print(safe(f"  {shown}"))
        more = "another action item" if added else "an action item"
        if not self.confirm(f"{question.prompt}: add {more}?", default=not added):
            return None
        what = self.ask_text("What is to be done?", required=True)
        owner = self.ask_text("Who owns it? (a name; leave empty if nobody yet)")

        def valid_date(text: str) -> bool | str:
            try:
                check_due(text)
            except UsageError:
                return "A date as YYYY-MM-DD (e.g. 2026-12-15), or leave it empty."
            return True

        due = self._ask(
            questionary.text(
                "Due by (YYYY-MM-DD; leave empty if not set yet)",
                validate=valid_date,
                style=STYLE,
                **self.kwargs,
            )
        )
        return ActionEntry(" ".join(what.split()), one_line(owner) or None, check_due(due))

    def choose_action(self, view: StepView, allowed: list[Action]) -> Action:
        choices = [QChoice(ACTION_LABELS[a], value=a) for a in allowed]
        return Action(
            self._ask(questionary.select("What now?", choices=choices, style=STYLE, **self.kwargs))
        )

    def ask_reason(self, view: StepView, action: Action, required: bool) -> str:
        label = {
            Action.SKIP: "Why skip it?",
            Action.DEFER: "Why defer it? (optional)",
            Action.NOT_APPLICABLE: "Why does it not apply? (optional)",
        }.get(action, "Reason")
        return self.ask_text(label, required=required)

    def ask_note(self, view: StepView) -> str:
        return self.ask_text("Note (press Esc then Enter to save)", multiline=True)

    def confirm(self, message: str, default: bool = False) -> bool:
        return bool(
            self._ask(
                questionary.confirm(one_line(message), default=default, style=STYLE, **self.kwargs)
            )
        )

    def compose_message(self, view: StepView, draft: str) -> str:
        from rich.panel import Panel

        self.console.print(Panel(safe(draft), title="draft", border_style="cyan"))
        choices = [QChoice("Edit it here", value="inline")]
        if self.env.editor:
            choices.append(QChoice(f"Edit it in {one_line(self.env.editor)}", value="editor"))
        choices.append(QChoice("Use it as it is", value="keep"))
        how = self._ask(
            questionary.select("The message:", choices=choices, style=STYLE, **self.kwargs)
        )
        if how == "editor":
            from crisiscli.ui.editor import EditorFailed, edit_text

            try:
                return edit_text(self.env, draft)
            except EditorFailed as exc:
                self.notify(f"{exc}. Edit it here instead.")
                how = "inline"
        if how == "inline":
            self.console.print("Edit the message. Esc then Enter saves it.", style="dim")
            return self.ask_text("Message", draft, required=True, multiline=True)
        return draft

    def review_message(self, view: StepView, review: Review) -> tuple[ReviewDecision, str]:
        show_review(self.console, review)
        if review.errors:
            choices = [
                QChoice("Edit it again", value=ReviewDecision.EDIT),
                QChoice(
                    "Keep it as a draft — the step cannot be done until it is fixed",
                    value=ReviewDecision.LATER,
                ),
                QChoice(
                    "Publish it anyway — record an override with a reason",
                    value=ReviewDecision.OVERRIDE,
                ),
            ]
        else:
            choices = [
                QChoice("Use this message", value=ReviewDecision.ACCEPT),
                QChoice("Edit it again", value=ReviewDecision.EDIT),
            ]
        decision = ReviewDecision(
            self._ask(questionary.select("Now?", choices=choices, style=STYLE, **self.kwargs))
        )
        if decision is ReviewDecision.OVERRIDE:
            return decision, self.ask_text("Why does it go out as it is?", required=True)
        return decision, ""

    def ask_approval(self, view: StepView) -> ApprovalChoice:
        choices = [
            QChoice(f"Ask {one_line(name)} ({why})", value=name) for name, why in view.approvers
        ]
        choices += [
            QChoice("Ask someone else…", value="\x00other"),
            QChoice("I approve it myself (recorded as self-approved)", value="\x00self"),
            QChoice("Publish without approval (recorded, with a reason)", value="\x00override"),
            QChoice("Not now — nobody is asked yet", value="\x00later"),
        ]
        picked = str(
            self._ask(
                questionary.select(
                    "Who approves this message? They see the exact text and its checks "
                    "(crisis approve).",
                    choices=choices,
                    style=STYLE,
                    **self.kwargs,
                )
            )
        )
        if picked == "\x00other":
            name = self.ask_text("Their name (as they appear in crisis)").strip()
            return ApprovalChoice("ask", name) if name else ApprovalChoice("later")
        if picked == "\x00self":
            return ApprovalChoice("self")
        if picked == "\x00override":
            reason = self.ask_text("Why does it go out without approval?", required=True)
            return ApprovalChoice("override", reason=reason)
        if picked == "\x00later":
            return ApprovalChoice("later")
        return ApprovalChoice("ask", picked)

    def stand_in(self, view: StepView, approver: str) -> StandIn | None:
        return None  # a person decides, in their own terminal: crisis approve

    def while_waiting(self, view: StepView, waiting: str, backup_next: str | None) -> Waiting:
        later = ""
        if backup_next is not None and view.step.message and view.step.message.escalate_after:
            later = f"; {one_line(backup_next)} is asked after {view.step.message.escalate_after}"
        self.console.print(safe(f"{waiting}{later}", "yellow"))
        choices = [
            QChoice("Wait here for the decision (Ctrl-C stops waiting)", value=Waiting.WAIT),
            QChoice(
                "Go on with other steps meanwhile — this step comes back with the decision",
                value=Waiting.GO_ON,
            ),
            QChoice("Back to this step's menu", value=Waiting.MENU),
        ]
        return Waiting(
            self._ask(questionary.select("Meanwhile?", choices=choices, style=STYLE, **self.kwargs))
        )

    def show_status(self, view: StepView, text: str) -> None:
        self.console.print(safe(text, "yellow"))

    def ask_evidence(self, view: StepView) -> EvidenceChoice | None:
        target = self.ask_text(
            "A file to keep (its path) or a link (https://…); empty: nothing"
        ).strip()
        if not target:
            return None
        note = self.ask_text("What is it? (optional note)")
        is_url = target.lower().startswith(("http://", "https://"))
        if not is_url:
            import os

            target = os.path.expanduser(target.strip("'\""))
        return EvidenceChoice(target, note, is_url)

    def ask_next_update(self, view: StepView, suggested: datetime | None) -> str:
        from crisiscli.record.store import log_timezone
        from crisiscli.timeutil import in_zone

        prefill = ""
        if suggested is not None:
            prefill = in_zone(suggested, log_timezone(self.env)).strftime("%H:%M")
        return self.ask_text(
            "Next update promised by? (a time like 15:30, or 30m; empty: no promise)", prefill
        )

    def ask_approval_override(self, view: StepView) -> str:
        if not self.confirm(
            "Nobody can approve it? Go ahead without approval (recorded, with a reason)?",
            default=False,
        ):
            return ""
        return self.ask_text("Why does it go out without approval?", required=True)

    def notify(self, text: str) -> None:
        self.console.print(safe(text, "yellow"))

    def warn(self, text: str) -> None:
        self.console.print(safe(f"warning: {text}", "yellow"))

    def check_exit(self, criteria: tuple[str, ...]) -> list[CriterionCheck]:
        """Each exit criterion, one at a time: met or not, and why not."""
        self.console.print(safe(f"Before closing: {criteria_words(len(criteria))}.", "bold"))
        checks = []
        for index, text in enumerate(criteria, 1):
            met = self.confirm(f"{index}/{len(criteria)} Is this true now? {text}", default=True)
            note = "" if met else self.ask_text("What is still open? (optional)")
            checks.append(CriterionCheck(index, text, met, note))
        return checks

    def close_anyway(self, unmet: list[CriterionCheck]) -> bool:
        numbers = ", ".join(str(c.index) for c in unmet)
        return self.confirm(
            f"{criteria_words(len(unmet))} not met ({numbers}). Close the incident anyway?",
            default=False,
        )

    def finished(self, summary: RunSummary) -> bool:
        show_summary(self.console, summary)
        return bool(
            self._ask(
                questionary.confirm(
                    "Close the incident now? (You can still add notes and reports later.)",
                    default=False,
                    style=STYLE,
                    **self.kwargs,
                )
            )
        )
