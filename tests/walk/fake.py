"""A prompter that answers from a list, one entry per question, in the order asked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crisiscli.walk.prompter import (
    Action,
    ApprovalChoice,
    ReviewDecision,
    RunSummary,
    StandIn,
    StepView,
    Waiting,
)


class ListPrompter:
    """Each entry is the answer to the next prompt; a callable is called with the prompt's
    name and view, and an exception instance is raised (e.g. ``GoBack()``)."""

    def __init__(self, answers: list[Any], close: bool = False) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []
        self.shown: list[StepView] = []
        self.notices: list[str] = []
        self.summary: RunSummary | None = None
        self.close = close

    def _next(self, name: str, view: Any = None) -> Any:
        self.asked.append(name)
        if not self.answers:
            raise AssertionError(f"no answer left for {name}; asked so far: {self.asked}")
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, Callable):  # type: ignore[arg-type]
            return answer(name, view)
        return answer

    def ask_input(self, question: Any) -> Any:
        return self._next("input")

    def show_step(self, view: StepView) -> None:
        self.shown.append(view)

    def tick_items(self, view: StepView, pending: Any) -> list[str]:
        return list(self._next("tick", view))

    def confirm_item(self, view: StepView, item: Any) -> bool:
        return bool(self._next("item", view))

    def answer(self, view: StepView, question: Any) -> Any:
        return self._next("answer:" + question.id, view)

    def choose_action(self, view: StepView, allowed: list[Action]) -> Action:
        return Action(self._next("menu", view))

    def ask_reason(self, view: StepView, action: Action, required: bool) -> str:
        return str(self._next("reason", view))

    def choose_step(self, view: StepView, prompt: str, options: Any) -> str | None:
        answer = self._next("step", view)
        return None if answer is None else str(answer)

    def ask_why(self, view: StepView, text: str) -> str:
        self.notices.append(text)
        return str(self._next("why", view))

    def ask_note(self, view: StepView) -> str:
        return str(self._next("note", view))

    def confirm(self, message: str, default: bool = False) -> bool:
        return bool(self._next("confirm"))

    def compose_message(self, view: StepView, draft: str) -> str:
        answer = self._next("compose", view)
        return draft if answer is None else str(answer)

    def review_message(self, view: StepView, review: Any) -> tuple[ReviewDecision, str]:
        return ReviewDecision(self._next("review", view)), ""

    def ask_next_update(self, view: StepView, suggested: Any) -> str:
        return str(self._next("next update", view))

    def ask_approval(self, view: StepView) -> ApprovalChoice:
        """A name asks that person; an ``ApprovalChoice`` is given as it is."""
        answer = self._next("approver", view)
        return answer if isinstance(answer, ApprovalChoice) else ApprovalChoice("ask", str(answer))

    def stand_in(self, view: StepView, approver: str) -> StandIn | None:
        """The named approver decides at once, as a drill's script would (``approved``)."""
        return StandIn("approve")

    def while_waiting(self, view: StepView, waiting: str, backup_next: str | None) -> Waiting:
        return Waiting.WAIT

    def show_status(self, view: StepView, text: str) -> None:
        self.notices.append(text)

    def recorded(self, view: StepView, text: str) -> None:
        self.notices.append(text)

    def ask_evidence(self, view: StepView) -> Any:
        return self._next("evidence", view)

    def ask_approval_override(self, view: StepView) -> str:
        return str(self._next("approval_override", view))

    def notify(self, text: str) -> None:
        self.notices.append(text)

    def warn(self, text: str) -> None:
        self.notices.append(f"warning: {text}")

    def finished(self, summary: RunSummary) -> bool:
        self.summary = summary
        return self.close
