"""The ``Prompter`` interface the engine talks to, the views it shows, and the scripted
implementation used by ``--answers`` and tests.

The interactive implementation lives in ``crisiscli/ui/prompts.py`` (the only module that
loads prompt_toolkit and rich screens), so running from an answers file never loads them.
Any prompt may raise ``GoBack`` (Esc): the engine then records nothing and shows the step
menu again.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from crisiscli.messages.checks import Review
from crisiscli.playbook.model import Item, Question, Step
from crisiscli.record.fold import ReplyThread
from crisiscli.team.contacts import FollowUp
from crisiscli.walk.closing import CriterionCheck
from crisiscli.walk.deadlines import DeadlineStatus


class GoBack(Exception):
    """The person pressed Esc: leave this prompt, record nothing, show the step menu again."""


class Changed(Exception):  # a signal, not an error
    """The incident changed from another terminal (severity, approvals, notes…) while the
    step menu waited: nothing was chosen; the step is drawn again with the new facts."""


class LeftWithDraft(GoBack):
    """Esc twice at a note or a message with words typed and not saved: back to the step
    menu, and ``text`` is kept as a draft (``draft.kept``) that the next prompt offers back."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class InterruptedWithDraft(KeyboardInterrupt):
    """Ctrl-C at a note or a message with words typed and not saved: the run stops, and
    ``text`` is kept as a draft first."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class Action(str, enum.Enum):
    DONE = "done"
    EDIT = "edit"
    NOTE = "note"
    SKIP = "skip"
    DEFER = "defer"
    NOT_APPLICABLE = "na"
    BACK = "back"
    PAUSE = "pause"
    MESSAGE = "message"
    WAIT = "wait"  # wait here for the approval decision
    EVIDENCE = "evidence"  # keep a file or a link as evidence
    RECALL = "recall"  # go back to a deferred step now (this one waits, and comes back)
    REPLIES = "replies"  # the reply ledger: a reply to each person (``per_person`` messages)


class ReviewDecision(str, enum.Enum):
    """What the responder does with a checked message."""

    ACCEPT = "accept"  # use it (no errors, or errors left for later: the step stays open)
    EDIT = "edit"  # edit it again
    OVERRIDE = "override"  # publish despite the errors, with a recorded reason
    LATER = "later"  # keep the draft; the step cannot be done until it is fixed


class Waiting(str, enum.Enum):
    """What the responder does while an approver decides."""

    WAIT = "wait"  # wait here (the engine watches the journal)
    GO_ON = "go-on"  # go on with other steps; the step comes back when the decision arrives
    MENU = "menu"  # back to the step's menu


@dataclass(frozen=True)
class ApprovalChoice:
    """Who is to approve a message: ``ask`` a person (``name``), ``self`` (the responder
    approves their own message), ``override`` (publish without approval, ``reason``) or
    ``later`` (nobody yet)."""

    kind: str
    name: str = ""
    reason: str = ""


@dataclass(frozen=True)
class StandIn:
    """A decision an answers file makes for the person asked (drills and tests)."""

    decision: str  # approve | reject
    comment: str = ""


@dataclass(frozen=True)
class EvidenceChoice:
    """A file path or a URL to keep, with a note."""

    target: str
    note: str = ""
    is_url: bool = False


class ActionEntry(NamedTuple):
    """One action item as a person enters it: what is to be done, who owns it, by when."""

    what: str
    owner: str | None = None
    due: str | None = None  # YYYY-MM-DD


@dataclass(frozen=True)
class ReplyPick:
    """What to do next on the reply ledger: ``add`` a person, ``write`` the reply to one,
    ``close`` one's thread (``reply``: the thread's id; empty for ``add``)."""

    kind: str  # add | write | close (| back: a menu's way out, never given to the engine)
    reply: str = ""


@dataclass(frozen=True)
class ReplyPerson:
    """A person owed a reply of their own, as the responder names them."""

    who: str
    platform: str | None = None
    link: str | None = None


@dataclass(frozen=True)
class ReplyOutcome:
    """What came of a reply thread: answered, dm, phone, email or no-reply-needed."""

    outcome: str
    note: str = ""


@dataclass(frozen=True)
class ItemView:
    item: Item
    text: str  # placeholders filled
    checked: bool


@dataclass(frozen=True)
class QuestionView:
    question: Question
    answer: Any  # None when unanswered


@dataclass(frozen=True)
class NoteView:
    ts: datetime
    actor: str
    text: str
    mine: bool


@dataclass(frozen=True)
class StepView:
    """Everything a screen needs to draw one step; no behaviour."""

    incident_id: str
    title: str
    severity: str
    drill: bool
    elapsed_seconds: float
    now: datetime
    phase_title: str
    phase_index: int
    phase_count: int
    step: Step
    step_index: int
    step_count: int
    done_count: int
    guidance: str  # markdown, placeholders filled (values escaped)
    items: tuple[ItemView, ...]
    questions: tuple[QuestionView, ...]
    deadlines: tuple[DeadlineStatus, ...]
    recent_notes: tuple[NoteView, ...]
    missing_values: tuple[str, ...]
    revisit: bool = False
    recalled: bool = False  # deferred, back before its deadline or the next phase
    recalled_overdue: bool = False  # …back after its deadline passed (deferred again)
    visit: int = 1
    can_go_back: bool = False
    message_text: str | None = None
    # (when, text) of words typed at a note / this step's message and left unsaved
    note_draft: tuple[datetime, str] | None = None
    message_draft: tuple[datetime, str] | None = None
    message_approved_by: str | None = None
    message_review: Review | None = None  # lengths per platform and pre-publication findings
    roles: tuple[tuple[str, str], ...] = ()  # (role, person) for the roles held
    # Texts of the notes already recorded for this step (a resumed script skips them).
    step_notes: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    follow_ups: tuple[FollowUp, ...] = ()  # open off-platform follow-ups (contact log)
    # (name, why) of the people who can approve this step's message: named approver, backup
    approvers: tuple[tuple[str, str], ...] = ()
    # "waiting for approval from Dana — 3m", one per version waiting (any step): the status line
    waiting: tuple[str, ...] = ()
    approval: str | None = None  # what became of this step's approval, in words
    mentions: str | None = None  # the latest mention count and its ratio, in words
    evidence_count: int = 0  # a new file from another terminal redraws the step
    replies: tuple[ReplyThread, ...] = ()  # the reply ledger, at a ``per_person`` step
    reply_platforms: tuple[str, ...] = ()  # where this step's replies go (incident's first)
    reply_draft: tuple[datetime, str] | None = None  # a reply typed and left unsaved
    # (when, who, what) of the latest event someone else recorded: the status line shows it
    latest: tuple[datetime, str, str] | None = None
    # A drill's clock, short (``+12m/60m 4x``): the status line says it beside DRILL.
    drill_time: str | None = None
    # Deferred steps with a deadline: (step id, title, when it comes back before it).
    recalls: tuple[tuple[str, str, datetime], ...] = ()


@dataclass(frozen=True)
class RunSummary:
    incident_id: str
    status: str  # complete | complete-except-deferred
    counts: dict[str, int]
    deferred: tuple[str, ...]
    deadlines: tuple[DeadlineStatus, ...]
    log_path: str
    drill: bool = False
    step_times: tuple[tuple[str, float], ...] = ()
    open_steps: tuple[tuple[str, str], ...] = ()  # (title, status) of unfinished steps


class Prompter(Protocol):
    """What the engine may ask of a person (or of a script standing in for one)."""

    def ask_input(self, question: Question) -> Any: ...

    def show_step(self, view: StepView) -> None: ...

    def tick_items(self, view: StepView, pending: list[ItemView]) -> list[str]: ...

    def confirm_item(self, view: StepView, item: ItemView) -> bool: ...

    def answer(self, view: StepView, question: Question) -> Any: ...

    def ask_action_item(
        self, view: StepView, question: Question, added: list[ActionEntry]
    ) -> ActionEntry | None:
        """The next action item of an ``actions`` question, or None: no more. ``added``
        are the items this step already holds (from earlier, or before an interruption)."""
        ...

    def choose_action(self, view: StepView, allowed: list[Action]) -> Action: ...

    def ask_reason(self, view: StepView, action: Action, required: bool) -> str: ...

    def ask_note(self, view: StepView) -> str: ...

    def confirm(self, message: str, default: bool = False) -> bool: ...

    def compose_message(self, view: StepView, draft: str) -> str: ...

    def review_message(self, view: StepView, review: Review) -> tuple[ReviewDecision, str]:
        """Show lengths and findings; the decision and, for an override, its reason."""
        ...

    def ask_approval(self, view: StepView) -> ApprovalChoice:
        """Who approves this version (``view.approvers`` lists the people named)."""
        ...

    def ask_next_update(self, view: StepView, suggested: datetime | None) -> str:
        """When this public message says the next update comes ("30m", "15:30"); empty:
        it promises none. ``suggested`` (the cadence's next due time, or the time promised
        before) is offered as the answer to accept."""
        ...

    def choose_step(
        self, view: StepView, prompt: str, options: list[tuple[str, str]]
    ) -> str | None:
        """One of ``options`` (step id, title); None: stay at this step."""
        ...

    def ask_why(self, view: StepView, text: str) -> str:
        """``text`` says what needs a reason (done before the step's earliest time, graded
        below a floor): the reason, or "" to go back to the step."""
        ...

    def ask_approval_override(self, view: StepView) -> str:
        """Nobody can approve: a reason to go ahead without approval, or "" to wait."""
        ...

    def stand_in(self, view: StepView, approver: str) -> StandIn | None:
        """The decision ``approver`` makes at once, where a script stands in for them;
        None: a real person decides, in their own terminal (``crisis approve``)."""
        ...

    def while_waiting(self, view: StepView, waiting: str, backup_next: str | None) -> Waiting:
        """A version waits for a decision (``waiting`` says from whom, since when;
        ``backup_next``: who is asked if nobody answers in time): wait here, go on with
        other steps meanwhile, or back to the step's menu."""
        ...

    def show_status(self, view: StepView, text: str) -> None:
        """Tell the responder how things stand (an approval came in, the walk-through waits
        for one, a backup was asked): not a question, never a reason to stop."""
        ...

    def recorded(self, view: StepView, text: str) -> None:
        """Say what was just recorded (a note added, evidence kept): one line that stays
        with the step's screen until the walk-through moves to another step."""
        ...

    def ask_evidence(self, view: StepView) -> EvidenceChoice | None:
        """A file or a link to keep as evidence (None: nothing)."""
        ...

    def choose_reply(self, view: StepView) -> ReplyPick | None:
        """The reply ledger (``view.replies``): add a person, write one's reply, close one's
        thread; None: back to the step menu."""
        ...

    def ask_reply_person(self, view: StepView) -> ReplyPerson | None:
        """Who is owed a reply (handle or name), where they wrote, a link; None: nobody."""
        ...

    def ask_reply_text(self, view: StepView, thread: ReplyThread, draft: str) -> str:
        """The reply to ``thread.who``, starting from ``draft``."""
        ...

    def review_reply(
        self, view: StepView, thread: ReplyThread, review: Review
    ) -> tuple[ReviewDecision, str]:
        """The checks of a reply: send it, edit it, keep it for later or override (reason)."""
        ...

    def ask_reply_outcome(self, view: StepView, thread: ReplyThread) -> ReplyOutcome | None:
        """What came of the thread; None: still open."""
        ...

    def notify(self, text: str) -> None: ...

    def warn(self, text: str) -> None:
        """Something went wrong beside the walk-through (a journal line left out, a log not
        rewritten): shown on the screen; never a reason to stop."""
        ...

    def finished(self, summary: RunSummary) -> bool:
        """Show the end of the walk-through; True if the incident should be closed now."""
        ...

    def check_exit(self, criteria: tuple[str, ...]) -> list[CriterionCheck]:
        """Before closing: each exit criterion met or not (an empty list: not checked)."""
        ...

    def close_anyway(self, unmet: list[CriterionCheck]) -> bool:
        """Some exit criteria are not met: close all the same?"""
        ...
