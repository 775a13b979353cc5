"""The fold: an incident's state is its events, applied one by one in (time, id) order.

``IncidentState.apply`` is the one place that knows what each event means. Everything a
view shows — the walk-through, ``log.md``, ``status``, ``handoff``, ``report``, ``stats`` —
is read from this state, never from the journal itself.

The state is bounded by the playbook and by what the incident really holds (steps,
answers, one current message per step, posts, contacts, actions, re-grades), not by the
number of events: notes keep only the latest few here. A full replay may also keep the
``History`` (every note and one described line per event) for the views that list
everything, the report. ``to_data``/``from_data`` turn the state into JSON-ready data for
the checkpoint (see ``record/checkpoint.py``).
"""

# No `from __future__ import annotations` here: with it, typing.NamedTuple turns each
# field's annotation into a ForwardRef and compiles it when the module loads, which
# doubles what the classes below cost on every `crisis note` (docs/benchmarks.md).
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from crisiscli.playbook.spec import audience_of
from crisiscli.record.events import Event, is_quiet, is_walkthrough
from crisiscli.timeutil import parse_iso

RECENT_NOTES = 20  # what status, handoff and the walk-through show; the report replays all
RECENT_EVENTS = 12  # the latest described events (``crisis watch`` shows them as they come)
STEP_NOTES = 10  # notes kept with their step (shown on its screen)
PATH_LIMIT = 1000  # how far "back" can go; a walk-through is never this deep
STATUS_BY_EVENT = {
    "step.done": "done",
    "step.skipped": "skipped",
    "step.deferred": "deferred",
    "step.not_applicable": "not_applicable",
}


class _Slots:
    """Plain classes with ``__slots__`` rather than dataclasses: ``crisis note`` imports this
    module on every call, and building eight dataclasses costs several milliseconds."""

    __slots__ = ()

    def __repr__(self) -> str:
        names: tuple[str, ...] = self.__slots__
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{type(self).__name__}({shown})"


class Note(NamedTuple):
    ts: datetime
    actor: str
    text: str
    step: str | None
    event_id: str


class Draft(NamedTuple):
    """Words typed at a note or a message and not saved yet (``draft.kept``)."""

    ts: datetime
    actor: str
    field: str  # note | message
    step: str | None
    text: str


class SeverityChange(NamedTuple):
    ts: datetime
    actor: str
    was: str | None
    to: str
    reason: str | None
    by_question: str | None
    floor: str | None = None  # graded below this minimum level (``reason`` says why)
    floor_facts: str | None = None  # what set the floor, in words


class EarlyStep(NamedTuple):
    """A step done before its ``not_before`` time (``step.early``), and why."""

    ts: datetime
    actor: str
    step: str
    not_before: datetime
    reason: str


class Handoff(NamedTuple):
    ts: datetime
    actor: str
    to: str | None
    brief: str
    counts: dict[str, int]


class RoleChange(NamedTuple):
    ts: datetime
    actor: str
    role: str
    person: str | None


class PostDecision(NamedTuple):
    ts: datetime
    actor: str
    decision: str
    reason: str


class WalkerClaim(NamedTuple):
    """Who walks the incident (the latest ``walker.started`` / ``walker.taken_over``)."""

    ts: datetime
    actor: str
    lease: str
    pid: int
    host: str
    tty: str
    taken_over: bool


class Publication(NamedTuple):
    """A message that went out: its step was done with a current message (``step.done``)."""

    ts: datetime
    actor: str
    step: str
    kind: str
    promise: datetime | None  # the next update it promised (``update.promised``), if any
    audience: str = "public-post"  # who it went to (only a public one keeps a public clock)


class Quarantined(NamedTuple):
    """A journal line left out of the fold, and why (kept in the file as it is)."""

    line: int
    reason: str


class Unproven(NamedTuple):
    """An event whose signature does not verify (record/signing.py), as the views name it."""

    ts: datetime
    actor: str
    type: str
    event_id: str
    why: str  # "signature does not verify: …"


UNPROVEN_KEPT = 20
EARLIER_VERSION = "decided on an earlier version"  # a VoidedApproval's ``what``


class ApprovalRequest(NamedTuple):
    """A version of a message put to an approver (``message.approval_requested``)."""

    ts: datetime
    actor: str  # who asked
    approver: str  # who is asked
    digest: str  # the SHA-256 of the text asked about
    escalate_after: float | None  # seconds without an answer before the backup is asked
    backup: str | None
    escalated_from: str | None  # asked because this approver did not answer in time


class VoidedApproval(NamedTuple):
    """An approval (or a request, or a decision) that no longer counts: the text changed."""

    ts: datetime  # when it stopped counting
    approver: str
    what: str  # approved | rejected | requested | decided on an earlier version | override
    # What its signature proved (record/signing.Verdict.word), where the team signs; for a
    # decision that did not count (``uncounted``): why.
    trust: str | None = None


class EvidenceItem(NamedTuple):
    """A file (``evidence.added``, stored as ``evidence/<sha256>``) or a link kept."""

    ts: datetime
    actor: str
    kind: str  # file | link
    sha256: str | None
    size: int | None
    name: str  # the file's original name, or the URL
    type: str | None  # media type of a file
    note: str | None
    step: str | None
    event_id: str


class Mention(NamedTuple):
    """A mention count (``mentions.recorded``) and its ratio to a normal period."""

    ts: datetime
    actor: str
    amount: int  # mentions (or replies) counted in one ``per``
    per: str  # minute | hour | day
    baseline: float | None  # given, or the latest one given before (same source)
    source: str | None

    @property
    def ratio(self) -> float | None:
        return self.amount / self.baseline if self.baseline else None


class QueueImport(NamedTuple):
    """A scheduler export read (``queue.imported``): where from, and how many posts."""

    ts: datetime
    actor: str
    source: str
    posts: int
    window_hours: Any  # the hours the import looked ahead, as recorded


class TimelineEntry(NamedTuple):
    id: str
    ts: datetime
    actor: str
    type: str
    text: str


class StepState(_Slots):
    __slots__ = (
        "checked",
        "done_at",
        "finished_at",
        "first_entered",
        "last_entered",
        "notes",
        "reason",
        "revisited",
        "status",
        "unchecked_at_done",
        "visits",
    )

    def __init__(
        self,
        status: str = "pending",
        checked: set[str] | None = None,
        reason: str | None = None,
        first_entered: datetime | None = None,
        last_entered: datetime | None = None,
        finished_at: datetime | None = None,
        done_at: datetime | None = None,
        visits: int = 0,
        revisited: bool = False,
        unchecked_at_done: tuple[str, ...] = (),
        notes: list[str] | None = None,
    ) -> None:
        self.status = status  # pending | active | done | skipped | deferred | not_applicable
        self.checked: set[str] = checked if checked is not None else set()
        self.reason = reason
        self.first_entered = first_entered
        self.last_entered = last_entered
        self.finished_at = finished_at
        self.done_at = done_at
        self.visits = visits
        self.revisited = revisited  # offered again in the final round since it was deferred
        self.unchecked_at_done = unchecked_at_done
        self.notes: list[str] = (
            notes if notes is not None else []
        )  # the latest STEP_NOTES written at it


class MessageState(_Slots):
    """The current version of a step's message, with its checks and approval."""

    __slots__ = (
        "actor",
        "approved_at",
        "approved_by",
        "approver",
        "audience",
        "check_errors",
        "check_findings",
        "check_override",
        "check_summary",
        "decided_at",
        "decided_by",
        "decided_for",
        "decided_for_reason",
        "decision",
        "decision_comment",
        "decision_scripted",
        "decision_trust",
        "first_at",
        "kind",
        "lengths",
        "override",
        "platforms",
        "promise",
        "requests",
        "self_approved",
        "step",
        "text",
        "ts",
        "uncounted",
        "versions",
        "voided",
    )

    def __init__(
        self,
        step: str,
        text: str,
        platforms: tuple[str, ...],
        kind: str,
        ts: datetime,
        actor: str,
        first_at: datetime,
        versions: int = 1,
        approver: str | None = None,
        approved_at: datetime | None = None,
        approved_by: str | None = None,
        override: str | None = None,
        check_summary: str | None = None,
        check_override: str | None = None,
        check_errors: int = 0,
        lengths: dict[str, Any] | None = None,
        requests: list[ApprovalRequest] | None = None,
        decision: str | None = None,
        decided_at: datetime | None = None,
        decided_by: str | None = None,
        decision_comment: str | None = None,
        decision_scripted: bool = False,
        self_approved: bool = False,
        voided: list[VoidedApproval] | None = None,
        promise: datetime | None = None,
        decided_for: str | None = None,
        decided_for_reason: str | None = None,
        check_findings: list[tuple[str, str]] | None = None,
        audience: str = "",
        decision_trust: str | None = None,
        uncounted: list[VoidedApproval] | None = None,
    ) -> None:
        self.step = step
        self.text = text
        self.platforms = platforms
        self.kind = kind
        self.ts = ts  # when this version was recorded
        self.actor = actor
        self.first_at = first_at  # when the first version was recorded
        self.versions = versions
        self.approver = approver
        self.approved_at = approved_at
        self.approved_by = approved_by  # who recorded the approval
        self.override = override  # published without approval, and why
        self.check_summary = check_summary
        self.check_override = check_override  # published despite failed checks, and why
        self.check_errors = check_errors
        self.lengths: dict[str, Any] = lengths if lengths is not None else {}
        # Approval of this version: who was asked (an escalation adds a request), and the
        # latest decision on it. A new text starts over; what no longer counts is ``voided``.
        self.requests: list[ApprovalRequest] = requests if requests is not None else []
        self.decision = decision  # approved | rejected
        self.decided_at = decided_at
        self.decided_by = decided_by  # who decided (a scripted stand-in names who it played)
        self.decision_comment = decision_comment
        self.decision_scripted = decision_scripted
        self.self_approved = self_approved  # approved by the person who wrote this version
        self.voided: list[VoidedApproval] = voided if voided is not None else []
        self.promise = promise  # the next public update it promises, by when
        self.decided_for = decided_for  # decided on behalf of this person
        self.decided_for_reason = decided_for_reason
        # (severity, what) of each error and warning its checks found (message.checked)
        self.check_findings: list[tuple[str, str]] = (
            check_findings if check_findings is not None else []
        )
        # who it is for (public-post, public-reply, dm, press, internal, support-macro)
        self.audience = audience or audience_of(kind)
        # What the decision's signature proves (record/signing.py: "signed", "unsigned" or
        # why it does not verify; None: nobody set signing up), and the decisions that did
        # not count because approval.require_signature is on and theirs did not verify.
        self.decision_trust = decision_trust
        self.uncounted: list[VoidedApproval] = uncounted if uncounted is not None else []

    @property
    def digest(self) -> str:
        """The SHA-256 of the text: an approval names the exact version it is for."""
        import hashlib  # only where approvals are folded (not on the note path)

        return hashlib.sha256(self.text.encode("utf-8", "surrogatepass")).hexdigest()

    @property
    def pending_request(self) -> ApprovalRequest | None:
        """The latest request of this version still waiting for a decision."""
        if self.decision is not None or self.override or not self.requests:
            return None
        return self.requests[-1]


class Notice(_Slots):
    """One notification to one channel (``notify.*``): claimed, delivered or failed."""

    __slots__ = (
        "attempt",
        "channel",
        "error",
        "first_at",
        "key",
        "kind",
        "label",
        "last_at",
        "status",
        "text",
    )

    def __init__(
        self,
        key: str,
        channel: str,
        kind: str,
        text: str,
        label: str,
        status: str,
        attempt: int,
        first_at: datetime,
        last_at: datetime,
        error: str | None = None,
    ) -> None:
        self.key = key
        self.channel = channel
        self.kind = kind
        self.text = text
        self.label = label  # the channel as it may be shown (a webhook's host, never its URL)
        self.status = status  # claimed | delivered | failed | given_up
        self.attempt = attempt
        self.first_at = first_at  # first claimed
        self.last_at = last_at  # the latest claim or outcome
        self.error = error


class QueuedPost(_Slots):
    """A scheduled post from an imported export (``queue.imported``), with its decision."""

    __slots__ = (
        "decided_at",
        "decided_by",
        "decision",
        "due",
        "history",
        "id",
        "imported_at",
        "link",
        "new_time",
        "platform",
        "reason",
        "source",
        "text",
    )

    def __init__(
        self,
        id: str,
        due: datetime | None,
        text: str,
        platform: str | None,
        link: str | None,
        source: str,
        imported_at: datetime,
        decision: str | None = None,
        reason: str | None = None,
        new_time: datetime | None = None,
        decided_by: str | None = None,
        decided_at: datetime | None = None,
        history: list[PostDecision] | None = None,
    ) -> None:
        self.id = id
        self.due = due
        self.text = text
        self.platform = platform
        self.link = link
        self.source = source
        self.imported_at = imported_at
        self.decision = decision  # keep | cancel | reschedule
        self.reason = reason
        self.new_time = new_time
        self.decided_by = decided_by
        self.decided_at = decided_at
        self.history: list[PostDecision] = history if history is not None else []


class ContactRecord(_Slots):
    """One attempt to take a conversation off-platform (``contact.logged``)."""

    __slots__ = (
        "actor",
        "channel",
        "follow_up_due",
        "followed_up_at",
        "followed_up_by",
        "id",
        "note",
        "outcome",
        "ts",
        "who",
    )

    def __init__(
        self,
        id: str,
        ts: datetime,
        actor: str,
        who: str,
        channel: str,
        outcome: str,
        follow_up_due: datetime | None = None,
        note: str | None = None,
        followed_up_at: datetime | None = None,
        followed_up_by: str | None = None,
    ) -> None:
        self.id = id
        self.ts = ts
        self.actor = actor
        self.who = who
        self.channel = channel
        self.outcome = outcome
        self.follow_up_due = follow_up_due
        self.note = note
        self.followed_up_at = followed_up_at
        self.followed_up_by = followed_up_by


class ReplyThread(_Slots):
    """One person owed a reply of their own (``reply.*``): who, where, what was sent, and
    whether they answered or the thread moved off the platform."""

    __slots__ = (
        "added_at", "added_by", "checks", "closed_at", "contact", "id", "link", "note",
        "outcome", "override", "platform", "sent_at", "sent_by", "text", "who",
    )  # fmt: skip

    def __init__(
        self,
        id: str,
        who: str,
        platform: str | None,
        link: str | None,
        added_at: datetime,
        added_by: str,
        text: str | None = None,
        sent_at: datetime | None = None,
        sent_by: str | None = None,
        checks: str | None = None,
        override: str | None = None,
        outcome: str | None = None,
        closed_at: datetime | None = None,
        contact: str | None = None,
        note: str | None = None,
    ) -> None:
        self.id = id
        self.who = who
        self.platform = platform
        self.link = link
        self.added_at = added_at
        self.added_by = added_by
        self.text = text  # the reply as sent (the latest, if sent again)
        self.sent_at = sent_at
        self.sent_by = sent_by
        self.checks = checks
        self.override = override
        self.outcome = outcome  # answered | dm | phone | email | no-reply-needed
        self.closed_at = closed_at
        self.contact = contact  # the contact log entry the thread moved to
        self.note = note

    @property
    def unanswered(self) -> bool:
        """Nobody has replied to this person yet (and they were not let go)."""
        return self.sent_at is None and self.outcome is None


class ActionItem(_Slots):
    __slots__ = (
        "added_at",
        "added_by",
        "done_at",
        "done_by",
        "due",
        "id",
        "owner",
        "step",
        "text",
    )

    def __init__(
        self,
        id: str,
        text: str,
        owner: str | None,
        due: str | None,
        step: str | None,
        added_at: datetime,
        added_by: str,
        done_at: datetime | None = None,
        done_by: str | None = None,
    ) -> None:
        self.id = id
        self.text = text
        self.owner = owner
        self.due = due
        self.step = step
        self.added_at = added_at
        self.added_by = added_by
        self.done_at = done_at
        self.done_by = done_by


class ExitCheck(NamedTuple):
    """One exit criterion as checked at close (``exit.checked``); the latest one counts."""

    number: int  # 1-based, in the playbook's order
    text: str
    met: bool
    note: str | None
    ts: datetime
    actor: str


DRILL_PLAYER = "Drill"  # who a drill's injects are recorded by: the outside world, not the team


class DrillInject(NamedTuple):
    """What the outside world did in a drill (``drill.inject``), once per key."""

    key: str
    kind: str
    text: str
    due: float | None  # drill seconds the scenario said (None: injected by hand)
    sender: str | None
    ts: datetime
    actor: str
    event_id: str


class DrillPause(NamedTuple):
    """The drill's clock stood still from ``start`` to ``end`` (None: still paused)."""

    start: datetime
    end: datetime | None


class DrillRun(_Slots):
    """A tabletop drill played on this incident (``drill.*``, crisiscli/drill/)."""

    __slots__ = (
        "actor", "clock", "digest", "ended_at", "ended_reason", "expectations", "injects",
        "length", "pauses", "played", "scenario", "speed", "started_at", "title",
    )  # fmt: skip

    def __init__(
        self,
        scenario: str,
        title: str,
        started_at: datetime,
        actor: str,
        length: float,
        speed: float = 1.0,
        clock: str = "real",
        injects: int = 0,
        expectations: list[dict[str, Any]] | None = None,
        digest: str | None = None,
        played: dict[str, DrillInject] | None = None,
        pauses: list[DrillPause] | None = None,
        ended_at: datetime | None = None,
        ended_reason: str | None = None,
    ) -> None:
        self.scenario = scenario
        self.title = title
        self.started_at = started_at
        self.actor = actor
        self.length = length  # drill seconds
        self.speed = speed  # drill seconds per second of the clock the events are stamped by
        self.clock = clock  # simulated | real
        self.injects = injects  # how many the scenario holds (their texts are not recorded)
        self.expectations: list[dict[str, Any]] = expectations if expectations is not None else []
        self.digest = digest
        self.played: dict[str, DrillInject] = played if played is not None else {}  # by key
        self.pauses: list[DrillPause] = pauses if pauses is not None else []
        self.ended_at = ended_at
        self.ended_reason = ended_reason

    @property
    def paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1].end is None

    def offset(self, ts: datetime) -> float:
        """Drill seconds at ``ts``: the time since the start, less the pauses, times the speed."""
        stood = 0.0
        for pause in self.pauses:
            if pause.start >= ts:
                break
            end = ts if pause.end is None or pause.end > ts else pause.end
            stood += (end - pause.start).total_seconds()
        return max(0.0, ((ts - self.started_at).total_seconds() - stood) * self.speed)

    def moment(self, seconds: float, now: datetime | None = None) -> datetime:
        """When the drill's clock shows ``seconds`` (``offset`` turned round): the playbook's
        deadlines in a drill are drill time, so ``--speed`` compresses them as it does the
        injects, and a pause holds them. A pause not over yet lasts until ``now``."""
        at = self.started_at + timedelta(seconds=seconds / (self.speed or 1.0))
        for pause in self.pauses:
            if pause.start >= at:
                break
            end = pause.end if pause.end is not None else now
            if end is not None and end > pause.start:
                at += end - pause.start
        return at

    def clock_words(self, now: datetime, *, short: bool = False) -> str:
        """The drill's clock in words, for every screen: ``drill time +12m of 60m · 4x speed``
        (``short``: ``+12m/60m 4x``, for the walk-through's status line)."""
        # a thousandth's grace: journal times are made unique by a microsecond or two
        at = int(self.offset(self.ended_at if self.ended_at is not None else now) + 0.001)
        if self.ended_at is not None:  # recorded by a player's look a moment after the end
            at = min(at, int(self.length))
        minutes, seconds = divmod(at, 60)
        if short:
            fast = f" {self.speed:g}x" if self.speed != 1 else ""
            held = " ended" if self.ended_at is not None else " paused" if self.paused else ""
            return f"+{minutes}m/{int(self.length) // 60}m{fast}{held}"
        words = f"drill time +{minutes}m{seconds:02d}s of {int(self.length) // 60}m"
        if self.speed != 1:
            words += f" · {self.speed:g}x speed"
        if self.ended_at is not None:
            return words + " · ended"
        return words + (" · clock paused" if self.paused else "")


class ImpactMark(NamedTuple):
    """When the impact began, or when the team noticed (``impact.recorded``): the latest
    one recorded counts."""

    at: datetime  # the moment it marks
    ts: datetime  # when it was recorded
    actor: str
    by_question: str | None  # recorded by the answer to this question (else by command)


class History(_Slots):
    """What only a full replay keeps: every note, and every event's described line."""

    __slots__ = (
        "notes",
        "timeline",
    )

    def __init__(
        self,
        notes: list[Note] | None = None,
        timeline: list[TimelineEntry] | None = None,
    ) -> None:
        self.notes: list[Note] = notes if notes is not None else []
        self.timeline: list[TimelineEntry] = timeline if timeline is not None else []


class IncidentState(_Slots):
    __slots__ = (
        "actions",
        "actors",
        "answered_at",
        "answers",
        "closed",
        "closed_at",
        "closed_by",
        "contacts",
        "current",
        "drafts",
        "drill",
        "drill_run",
        "early",
        "event_count",
        "evidence",
        "exit_checks",
        "finish_status",
        "finished",
        "finished_at",
        "first_severity",
        "flow_via",
        "grading",
        "handoffs",
        "history",
        "impact_detected",
        "impact_start",
        "inputs",
        "last_entered_via",
        "last_event_at",
        "last_key",
        "mentions",
        "messages",
        "no_incident",
        "note_count",
        "notes",
        "notices",
        "opened_by",
        "path",
        "paused",
        "playbook",
        "published",
        "quarantined",
        "queue",
        "queue_imports",
        "recent",
        "reopened_at",
        "reopened_by",
        "replies",
        "role_changes",
        "roles",
        "severity",
        "severity_changes",
        "signatures",
        "started_at",
        "steps",
        "summary",
        "title",
        "unproven",
        "walked_at",
        "walked_by",
        "walker",
    )

    def __init__(
        self,
        title: str = "",
        severity: str = "",
        first_severity: str = "",
        playbook: dict[str, Any] | None = None,
        drill: bool = False,
        opened_by: str = "",
        started_at: datetime | None = None,
        actors: list[str] | None = None,
        inputs: dict[str, Any] | None = None,
        answers: dict[str, Any] | None = None,
        answered_at: dict[str, datetime] | None = None,
        steps: dict[str, StepState] | None = None,
        path: list[str] | None = None,
        current: str | None = None,
        last_entered_via: str | None = None,
        flow_via: str | None = None,
        finished: bool = False,
        finish_status: str | None = None,
        finished_at: datetime | None = None,
        closed: bool = False,
        closed_at: datetime | None = None,
        closed_by: str | None = None,
        summary: str | None = None,
        paused: bool = False,
        notes: list[Note] | None = None,
        note_count: int = 0,
        roles: dict[str, str] | None = None,
        role_changes: list[RoleChange] | None = None,
        messages: dict[str, MessageState] | None = None,
        severity_changes: list[SeverityChange] | None = None,
        handoffs: list[Handoff] | None = None,
        actions: dict[str, ActionItem] | None = None,
        queue: dict[str, QueuedPost] | None = None,
        queue_imports: list[QueueImport] | None = None,
        contacts: dict[str, ContactRecord] | None = None,
        exit_checks: dict[int, ExitCheck] | None = None,
        evidence: list[EvidenceItem] | None = None,
        mentions: list[Mention] | None = None,
        event_count: int = 0,
        last_event_at: datetime | None = None,
        last_key: tuple[datetime, str] | None = None,
        quarantined: list[Quarantined] | None = None,
        history: History | None = None,
        walker: WalkerClaim | None = None,
        published: list[Publication] | None = None,
        walked_by: str | None = None,
        walked_at: datetime | None = None,
        recent: list[TimelineEntry] | None = None,
        notices: dict[str, Notice] | None = None,
        reopened_at: datetime | None = None,
        reopened_by: str | None = None,
        drafts: dict[str, Draft] | None = None,
        no_incident: str | None = None,
        early: dict[str, EarlyStep] | None = None,
        replies: dict[str, ReplyThread] | None = None,
        impact_start: ImpactMark | None = None,
        impact_detected: ImpactMark | None = None,
        grading: list[str] | None = None,
        drill_run: DrillRun | None = None,
        signatures: dict[str, int] | None = None,
        unproven: list[Unproven] | None = None,
    ) -> None:
        self.title = title
        self.severity = severity
        self.first_severity = first_severity
        self.playbook: dict[str, Any] = playbook if playbook is not None else {}
        self.drill = drill
        self.opened_by = opened_by
        self.started_at = started_at
        self.actors: list[str] = actors if actors is not None else []
        self.inputs: dict[str, Any] = inputs if inputs is not None else {}
        self.answers: dict[str, Any] = answers if answers is not None else {}
        self.answered_at: dict[str, datetime] = answered_at if answered_at is not None else {}
        self.steps: dict[str, StepState] = steps if steps is not None else {}
        self.path: list[str] = path if path is not None else []  # entered steps; "back" pops
        self.current = current
        self.last_entered_via = last_entered_via
        self.flow_via = flow_via  # how the last step in turn was entered (not aside/return)
        self.finished = finished
        self.finish_status = finish_status
        self.finished_at = finished_at
        self.closed = closed
        self.closed_at = closed_at
        self.closed_by = closed_by  # who recorded the latest incident.closed
        self.reopened_at = reopened_at  # the latest incident.reopened, and who
        self.reopened_by = reopened_by
        self.summary = summary
        self.paused = paused
        self.notes: list[Note] = notes if notes is not None else []  # the latest RECENT_NOTES
        self.note_count = note_count
        self.roles: dict[str, str] = roles if roles is not None else {}  # role id → person
        self.role_changes: list[RoleChange] = role_changes if role_changes is not None else []
        self.messages: dict[str, MessageState] = messages if messages is not None else {}  # by step
        self.severity_changes: list[SeverityChange] = (
            severity_changes if severity_changes is not None else []
        )
        self.handoffs: list[Handoff] = handoffs if handoffs is not None else []
        self.actions: dict[str, ActionItem] = (
            actions if actions is not None else {}
        )  # by id, in order added
        self.queue: dict[str, QueuedPost] = (
            queue if queue is not None else {}
        )  # by post id, import order
        self.queue_imports: list[QueueImport] = queue_imports if queue_imports is not None else []
        self.contacts: dict[str, ContactRecord] = contacts if contacts is not None else {}
        self.exit_checks: dict[int, ExitCheck] = exit_checks if exit_checks is not None else {}
        self.evidence: list[EvidenceItem] = evidence if evidence is not None else []
        self.mentions: list[Mention] = mentions if mentions is not None else []
        self.event_count = event_count
        self.last_event_at = last_event_at
        self.last_key = last_key  # the (time, id) of the last event applied
        self.quarantined: list[Quarantined] = quarantined if quarantined is not None else []
        self.history = history  # kept only by a full replay that asks for it
        self.walker = walker  # one walker at a time: see walk/lease.py
        self.published: list[Publication] = published if published is not None else []
        self.walked_by = walked_by  # who recorded the latest walk-through event
        self.walked_at = walked_at
        # The latest RECENT_EVENTS described events, bookkeeping left out (``remember``).
        self.recent: list[TimelineEntry] = recent if recent is not None else []
        self.notices: dict[str, Notice] = notices if notices is not None else {}  # key|channel
        self.drafts: dict[str, Draft] = drafts if drafts is not None else {}  # field|step|actor
        # The question whose current answer says this run is no incident (a routine check).
        self.no_incident = no_incident
        self.early: dict[str, EarlyStep] = early if early is not None else {}  # by step
        self.replies: dict[str, ReplyThread] = replies if replies is not None else {}  # by id
        self.impact_start = impact_start  # when the impact began (the first post)
        self.impact_detected = impact_detected  # when the team noticed
        # Questions that grade the incident (``sets: severity``): conditions on them read
        # the current severity (walk/flow.facts), so a re-grade from another terminal
        # reaches the steps that read the grade.
        self.grading: list[str] = grading if grading is not None else []
        # Where the team signs (record/signing.py): how many events are signed (and
        # verify), unsigned, or do not verify; and the latest that do not verify.
        self.signatures: dict[str, int] = signatures if signatures is not None else {}
        self.unproven: list[Unproven] = unproven if unproven is not None else []
        self.drill_run = drill_run  # a tabletop drill played on this incident (crisis drill)

    def from_start(self, seconds: float, now: datetime | None = None) -> datetime:
        """``seconds`` after the incident's start (a step's ``due``, ``not_before``) — in a
        drill played from a scenario, drill seconds (``DrillRun.moment``: ``--speed``
        compresses the playbook's deadlines as it does the injects; a pause holds them)."""
        assert self.started_at is not None
        if self.drill_run is not None:
            return self.drill_run.moment(seconds, now)
        return self.started_at + timedelta(seconds=seconds)

    def step(self, step_id: str) -> StepState:
        if step_id not in self.steps:
            self.steps[step_id] = StepState()
        return self.steps[step_id]

    @property
    def routine(self) -> bool:
        """A routine check, not an incident: its playbook says ``purpose: check``, or an
        answer said so (``no_incident``). Not counted in ``stats``; ``list`` shows it apart."""
        return self.playbook.get("purpose") == "check" or self.no_incident is not None

    @property
    def status(self) -> str:
        if self.closed:
            return "closed"
        if self.finished:
            return "finished"
        if self.paused:
            return "paused"
        return "active"

    @property
    def is_open(self) -> bool:
        return not self.closed

    def remember(self, entry: TimelineEntry) -> None:
        """Keep a described event among the latest ones (bookkeeping is left out)."""
        if is_quiet(entry.type):
            return
        self.recent.append(entry)
        del self.recent[:-RECENT_EVENTS]

    def tally_signature(self, event: Event, word: str, shown: str) -> None:
        """Count what an event's signature proves (``signed``, ``unsigned``, anything else:
        it does not verify) and keep the latest that do not verify, named."""
        kind = word if word in ("signed", "unsigned") else "not verifying"
        self.signatures[kind] = self.signatures.get(kind, 0) + 1
        if kind == "not verifying":
            self.unproven.append(Unproven(event.ts, event.actor, event.type, event.id, shown))
            del self.unproven[:-UNPROVEN_KEPT]

    def refuse(self, event: Event, why: str) -> None:  # why: a signing.Verdict.word
        """A decision that does not count (``approval.require_signature`` is on and its
        signature is missing or does not verify): in sight on its message, not applied."""
        self.event_count += 1
        self.last_event_at = event.ts
        self.last_key = event.key
        d = event.data
        message = self.messages.get(d.get("step", ""))
        if message is None:
            return
        if event.type == "message.approval_decided":
            what = "approved" if d.get("decision") == "approve" else "rejected"
        else:
            what = "override" if d.get("override") else "approved"
        who = _opt(d.get("approver")) or event.actor
        message.uncounted.append(VoidedApproval(event.ts, who, what, why))
        del message.uncounted[:-VOIDED_KEPT]

    def apply(self, event: Event) -> None:
        """Apply one event that fits the vocabulary (``events.problem`` found nothing)."""
        self.event_count += 1
        self.last_event_at = event.ts
        self.last_key = event.key
        # a wall screen that sent a notification is no responder, nor a drill's outside world
        if (
            event.actor not in self.actors
            and not is_quiet(event.type)
            and not (self.drill_run is not None and event.actor == DRILL_PLAYER)
        ):
            self.actors.append(event.actor)
        handler = _HANDLERS.get(event.type)
        if handler is not None:
            handler(self, event, event.data)
        if is_walkthrough(event.type):
            self.paused = False
            self.walked_by, self.walked_at = event.actor, event.ts


def replay(events: list[Event], *, history: bool = False) -> IncidentState:
    """The state of already-validated events (tests and simple callers)."""
    state = IncidentState(history=History() if history else None)
    for event in sorted(events, key=lambda e: e.key):
        state.apply(event)
    return state


# -- handlers ------------------------------------------------------------------------------


def _opt(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _opened(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    s.title = str(d.get("title", ""))
    s.severity = s.first_severity = str(d.get("severity", ""))
    pb = d.get("playbook")
    s.playbook = pb if isinstance(pb, dict) else {}
    s.drill = bool(d.get("drill", False))
    s.opened_by = e.actor
    s.started_at = e.ts


def _input(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    s.inputs[d["input"]] = d["value"]
    s.answered_at[d["input"]] = e.ts


def _answer(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    s.answers[d["question"]] = d["value"]
    s.answered_at[d["question"]] = e.ts
    if d.get("grades") is True and d["question"] not in s.grading:
        s.grading.append(d["question"])
    if d.get("no_incident") is True:
        s.no_incident = d["question"]
    elif s.no_incident == d["question"]:
        s.no_incident = None  # answered again: an incident after all


def _entered(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    step_id = d["step"]
    via = d.get("via", "next")
    if via == "back":
        s.flow_via = via
        if s.path:
            s.path.pop()
        if not s.path or s.path[-1] != step_id:
            s.path.append(step_id)
    elif via in ("aside", "return", "recall"):
        # Out of turn (an approval came back, a re-grade switched a step on) and back to
        # where the walk-through was: the path, which "next" follows, stays as it was.
        pass
    else:
        s.flow_via = via
        s.path.append(step_id)
        del s.path[:-PATH_LIMIT]
    st = s.step(step_id)
    st.visits += 1
    if st.first_entered is None:
        st.first_entered = e.ts
    st.last_entered = e.ts
    if via in ("revisit", "recall"):
        st.revisited = True
    st.status = "active"
    s.current = step_id
    s.last_entered_via = via
    s.finished = False


def _status(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    step_id = d["step"]
    st = s.step(step_id)
    st.status = STATUS_BY_EVENT[e.type]
    st.reason = _opt(d.get("reason"))
    st.finished_at = e.ts
    if e.type == "step.done":
        st.done_at = st.done_at or e.ts
        st.unchecked_at_done = tuple(d.get("unchecked") or ())
        message = s.messages.get(step_id)
        if message is not None:  # its message went out now
            s.published.append(
                Publication(e.ts, e.actor, step_id, message.kind, message.promise, message.audience)
            )
    if e.type == "step.deferred" and s.last_entered_via not in ("revisit", "recall"):
        st.revisited = False
    if s.current == step_id:
        s.current = None


def _early(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    due = parse_iso(d["not_before"])
    if due is not None:
        s.early[d["step"]] = EarlyStep(e.ts, e.actor, d["step"], due, d["reason"])


def _ticked(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    checked = s.step(d["step"]).checked
    if e.type == "item.checked":
        checked.add(d["item"])
    else:
        checked.discard(d["item"])


def _note(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    note = Note(e.ts, e.actor, d["text"], _opt(d.get("step")), e.id)
    s.note_count += 1
    s.notes.append(note)
    del s.notes[:-RECENT_NOTES]
    if note.step is not None:
        kept = s.step(note.step).notes
        kept.append(note.text)
        del kept[:-STEP_NOTES]
    if s.history is not None:
        s.history.notes.append(note)


VOIDED_KEPT = 10  # per message, what stopped counting (shown in the report)


def _message(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    step = d["step"]
    before = s.messages.get(step)
    new = MessageState(
        step,
        d["text"],
        tuple(d.get("platforms") or ()),
        str(d.get("kind") or "statement"),
        e.ts,
        e.actor,
        before.first_at if before else e.ts,
        before.versions + 1 if before else 1,
        audience=str(d.get("audience") or ""),
    )
    if before is not None and before.text == new.text:
        # The same words again (a merged copy, a resumed composer): the approval stands.
        for name in _APPROVAL_SLOTS:
            setattr(new, name, getattr(before, name))
    elif before is not None:
        new.voided, new.uncounted = before.voided, before.uncounted
        for gone in _still_counting(before):
            new.voided.append(VoidedApproval(e.ts, *gone))
        del new.voided[:-VOIDED_KEPT]
    s.messages[step] = new


_APPROVAL_SLOTS = (
    "approver", "approved_at", "approved_by", "override", "requests", "decision", "decided_at",
    "decided_by", "decision_comment", "decision_scripted", "self_approved", "voided",
    "decision_trust", "uncounted",
    "check_summary", "check_override", "check_errors", "lengths", "check_findings",
)  # fmt: skip


def _still_counting(message: MessageState) -> list[tuple[str, str]]:
    """What an edit of this version voids: its decision or its open request."""
    if message.decision is not None:
        return [(message.decided_by or "", message.decision)]
    if message.approver and not message.override:
        return [(message.approver, "approved")]
    pending = message.pending_request
    return [(pending.approver, "requested")] if pending is not None else []


def _approved(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    """An override (published without approval), or an approver's name typed in by the
    responder (journals written before approvals were requested and decided)."""
    message = s.messages.get(d["step"])
    if message is None:
        return
    message.approver = _opt(d.get("approver"))
    message.override = _opt(d.get("override"))
    message.approved_at = e.ts
    message.approved_by = e.actor
    message.decision_trust = e.trust


def _approval_requested(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    message = s.messages.get(d["step"])
    if message is None or d["digest"] != message.digest:
        return  # asked about a version that is no longer the current one
    if message.decision == "rejected":  # asked again (someone else): the "no" is history
        message.voided.append(VoidedApproval(e.ts, message.decided_by or "", "rejected"))
        del message.voided[:-VOIDED_KEPT]
        message.decision = message.decided_at = message.decided_by = None
        message.decision_comment, message.decision_scripted = None, False
    after = d.get("escalate_after")
    message.requests.append(
        ApprovalRequest(
            e.ts,
            e.actor,
            d["approver"],
            d["digest"],
            float(after) if isinstance(after, (int, float)) and after > 0 else None,
            _opt(d.get("backup")),
            _opt(d.get("escalated_from")),
        )
    )
    del message.requests[:-VOIDED_KEPT]


def _approval_decided(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    message = s.messages.get(d["step"])
    if message is None:
        return
    approver = d["approver"]
    if d["digest"] != message.digest:  # decided on a version since edited: recorded, void
        # where the team signs, what its signature proves (was it really theirs?)
        message.voided.append(VoidedApproval(e.ts, approver, EARLIER_VERSION, e.trust))
        del message.voided[:-VOIDED_KEPT]
        return
    approved = d["decision"] == "approve"
    message.decision = "approved" if approved else "rejected"
    message.decided_at = e.ts
    message.decided_by = approver
    message.decision_comment = _opt(d.get("comment"))
    message.decision_scripted = bool(d.get("scripted"))
    message.decided_for = _opt(d.get("on_behalf_of"))
    message.decided_for_reason = _opt(d.get("reason"))
    message.self_approved = approved and _same_person(approver, message.actor)
    message.approver = approver if approved else None
    message.approved_at = e.ts if approved else None
    message.approved_by = e.actor if approved else None
    message.decision_trust = e.trust


def _same_person(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _evidence(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    if e.type == "evidence.added":
        item = EvidenceItem(
            e.ts, e.actor, "file", d["sha256"], d["size"], d["name"], d["type"],
            _opt(d.get("note")), _opt(d.get("step")), e.id,
        )  # fmt: skip
    else:
        item = EvidenceItem(
            e.ts, e.actor, "link", None, None, d["url"], None,
            _opt(d.get("note")), _opt(d.get("step")), e.id,
        )  # fmt: skip
    s.evidence.append(item)


def _mentions(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    source = _opt(d.get("source"))
    per = str(d.get("per") or "hour")
    baseline = d.get("baseline")
    if not isinstance(baseline, (int, float)) or baseline <= 0:
        baseline = next(
            (m.baseline for m in reversed(s.mentions) if m.source == source and m.per == per),
            None,
        )
    s.mentions.append(Mention(e.ts, e.actor, d["count"], per, baseline, source))


def _message_checked(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    message = s.messages.get(d["step"])
    if message is None:
        return
    message.check_summary = _opt(d.get("summary"))
    message.check_override = _opt(d.get("override"))
    errors = d.get("errors")
    message.check_errors = errors if isinstance(errors, int) else 0
    lengths = d.get("lengths")
    message.lengths = lengths if isinstance(lengths, dict) else {}
    found = d.get("findings")
    message.check_findings = [
        (str(f.get("severity")), str(f.get("message"))[:500])
        for f in (found if isinstance(found, list) else [])[:FINDINGS_KEPT]
        if isinstance(f, dict) and f.get("severity") in ("error", "warning") and f.get("message")
    ]


FINDINGS_KEPT = 20


def _promised(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    due = parse_iso(d["due"])
    message = s.messages.get(d["step"])
    if message is None or due is None:
        return
    message.promise = due
    st = s.steps.get(d["step"])
    last = s.published[-1] if s.published else None
    if st is not None and st.status == "done" and last is not None and last.step == d["step"]:
        s.published[-1] = last._replace(promise=due)  # promised after it went out


def _notice(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    ref = f"{d['key']}|{d['channel']}"
    attempt = int(d["attempt"])
    notice = s.notices.get(ref)
    if e.type == "notify.claimed":
        if notice is None:
            notice = Notice(
                d["key"], d["channel"], d["kind"], str(d.get("text") or ""),
                str(d.get("label") or ""), "claimed", attempt, e.ts, e.ts,
            )  # fmt: skip
            s.notices[ref] = notice
        elif notice.status != "delivered":
            notice.status, notice.attempt, notice.last_at = "claimed", attempt, e.ts
        return
    if notice is None or notice.status == "delivered" or attempt < notice.attempt:
        return  # an outcome of an older attempt (or of nothing claimed): already superseded
    notice.attempt, notice.last_at = attempt, e.ts
    if e.type == "notify.delivered":
        notice.status, notice.error = "delivered", None
    else:
        notice.status = "given_up" if d.get("final") else "failed"
        notice.error = str(d["error"])


def _paused(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    s.paused = True


def _finished(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    s.finished = True
    s.finish_status = str(d.get("status", "complete"))
    s.finished_at = e.ts
    s.current = None


def _closed(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    s.closed = True
    s.closed_at = e.ts
    s.closed_by = e.actor
    s.summary = _opt(d.get("summary")) or s.summary


def _exit_checked(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    number = int(d["criterion"])
    s.exit_checks[number] = ExitCheck(
        number, d["text"], d["met"], _opt(d.get("note")), e.ts, e.actor
    )


def _impact(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    by_question = _opt(d.get("by_question"))
    started = parse_iso(str(d["started"])) if d.get("started") else None
    detected = parse_iso(str(d["detected"])) if d.get("detected") else None
    if started is not None:
        s.impact_start = ImpactMark(started, e.ts, e.actor, by_question)
    if detected is not None:
        s.impact_detected = ImpactMark(detected, e.ts, e.actor, by_question)


def _reopened(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    if s.closed and s.closed_at is not None:
        s.reopened_at, s.reopened_by = e.ts, e.actor
    s.closed = False
    s.closed_at = None
    s.closed_by = None


def _severity(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    was = _opt(d.get("from")) or s.severity or None
    s.severity_changes.append(
        SeverityChange(
            e.ts,
            e.actor,
            was,
            d["to"],
            _opt(d.get("reason")),
            _opt(d.get("by_question")),
            _opt(d.get("floor")),
            _opt(d.get("floor_facts")),
        )
    )
    s.severity = d["to"]
    by = _opt(d.get("by_question"))
    if by is not None and by not in s.grading:  # journals from before ``grades`` was kept
        s.grading.append(by)


def _title(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    s.title = d["to"]


def _walker(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    s.walker = WalkerClaim(
        e.ts,
        e.actor,
        d["lease"],
        int(d["pid"]),
        d["host"],
        d["tty"],
        e.type == "walker.taken_over",
    )


def _queue_imported(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    source = str(d.get("source", ""))
    posts = d["posts"] if isinstance(d["posts"], list) else []
    s.queue_imports.append(QueueImport(e.ts, e.actor, source, len(posts), d.get("hours")))
    for raw in posts:
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            continue
        pid = raw["id"]
        old = s.queue.get(pid)
        post = QueuedPost(
            pid,
            parse_iso(str(raw.get("due", ""))),
            str(raw.get("text", "")),
            _opt(raw.get("platform")),
            _opt(raw.get("link")),
            source,
            e.ts,
        )
        if old is not None:  # imported again: the facts refresh, the decision stays
            post.decision, post.reason, post.new_time = old.decision, old.reason, old.new_time
            post.decided_by, post.decided_at = old.decided_by, old.decided_at
            post.history = old.history
        s.queue[pid] = post


def _queue_decided(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    post = s.queue.get(d["post"])
    if post is None:
        return
    post.decision = d["decision"]
    post.reason = _opt(d.get("reason"))
    new_time = d.get("new_time")
    post.new_time = parse_iso(new_time) if d["decision"] == "reschedule" and new_time else None
    post.decided_by = e.actor
    post.decided_at = e.ts
    post.history.append(PostDecision(e.ts, e.actor, d["decision"], post.reason or ""))


def _unique(taken: dict[str, Any], wanted: str, sep: str) -> str:
    """Two terminals picked the same number: keep both, the later one distinctly."""
    if wanted not in taken:
        return wanted
    n = 2
    while f"{wanted}{sep}{n}" in taken:
        n += 1
    return f"{wanted}{sep}{n}"


def _contact_logged(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    cid = _unique(s.contacts, d["id"], "-")
    s.contacts[cid] = ContactRecord(
        cid,
        e.ts,
        e.actor,
        d["who"],
        str(d.get("channel") or ""),
        str(d.get("outcome") or ""),
        parse_iso(str(d.get("follow_up_due") or "")),
        _opt(d.get("note")),
    )


def _contact_followed_up(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    contact = s.contacts.get(d["id"])
    if contact is not None and contact.followed_up_at is None:
        contact.followed_up_at = e.ts
        contact.followed_up_by = e.actor


def _reply(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    if e.type == "reply.person":
        rid = _unique(s.replies, d["id"], "-")
        s.replies[rid] = ReplyThread(
            rid, d["who"], _opt(d.get("platform")), _opt(d.get("link")), e.ts, e.actor
        )
        return
    thread = s.replies.get(d["id"])
    if thread is None:
        return
    if e.type == "reply.sent":
        thread.text, thread.sent_at, thread.sent_by = d["text"], e.ts, e.actor
        thread.checks, thread.override = _opt(d.get("checks")), _opt(d.get("override"))
    else:
        thread.outcome, thread.closed_at = d["outcome"], e.ts
        thread.contact, thread.note = _opt(d.get("contact")), _opt(d.get("note"))


def _role(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    person = str(d.get("person") or "").strip() or None
    s.role_changes.append(RoleChange(e.ts, e.actor, d["role"], person))
    if person:
        s.roles[d["role"]] = person
    else:
        s.roles.pop(d["role"], None)  # an empty person leaves the role open again


def _handoff(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    counts = d.get("counts") if isinstance(d.get("counts"), dict) else {}
    assert isinstance(counts, dict)
    clean = {str(k): v for k, v in counts.items() if isinstance(v, int) and not isinstance(v, bool)}
    s.handoffs.append(Handoff(e.ts, e.actor, _opt(d.get("to")), str(d.get("brief") or ""), clean))


def _action_added(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    aid = _unique(s.actions, d["id"], ".")
    s.actions[aid] = ActionItem(
        aid, d["text"], _opt(d.get("owner")), _opt(d.get("due")), _opt(d.get("step")), e.ts, e.actor
    )


def _action_done(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    item = s.actions.get(d["id"])
    if item is not None and item.done_at is None:
        item.done_at, item.done_by = e.ts, e.actor


def _drill_started(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    expectations = d.get("expectations")
    s.drill = True
    s.drill_run = DrillRun(
        str(d["scenario"]), str(d["title"]), e.ts, e.actor, float(d["length"]),
        float(d["speed"]) or 1.0, str(d.get("clock") or "real"), int(d.get("injects") or 0),
        [x for x in expectations if isinstance(x, dict)] if isinstance(expectations, list) else [],
        _opt(d.get("digest")),
    )  # fmt: skip


def _drill_inject(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    run = s.drill_run
    if run is None or d["key"] in run.played:
        return  # the first of two copies counts (two players raced across machines)
    due = d.get("due")
    run.played[d["key"]] = DrillInject(
        d["key"], d["kind"], d["text"], float(due) if due is not None else None,
        _opt(d.get("from")), e.ts, e.actor, e.id,
    )  # fmt: skip


def _drill_clock(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    run = s.drill_run
    if run is None or run.ended_at is not None:
        return
    if e.type == "drill.paused" and not run.paused:
        run.pauses.append(DrillPause(e.ts, None))
    elif e.type == "drill.resumed" and run.paused:
        run.pauses[-1] = DrillPause(run.pauses[-1].start, e.ts)
    elif e.type == "drill.ended":
        if run.paused:
            run.pauses[-1] = DrillPause(run.pauses[-1].start, e.ts)
        run.ended_at, run.ended_reason = e.ts, _opt(d.get("reason"))


def draft_key(field: str, step: str | None, actor: str) -> str:
    return f"{field}|{step or ''}|{actor}"


def _draft_kept(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    key = draft_key(d["field"], _opt(d.get("step")), e.actor)
    s.drafts[key] = Draft(e.ts, e.actor, d["field"], _opt(d.get("step")), d["text"])


def _draft_dropped(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    s.drafts.pop(draft_key(d["field"], _opt(d.get("step")), e.actor), None)


_HANDLERS = {
    "incident.opened": _opened,
    "input.set": _input,
    "answer.set": _answer,
    "step.entered": _entered,
    "step.done": _status,
    "step.skipped": _status,
    "step.deferred": _status,
    "step.not_applicable": _status,
    "step.early": _early,
    "item.checked": _ticked,
    "item.unchecked": _ticked,
    "note.added": _note,
    "message.recorded": _message,
    "message.approved": _approved,
    "message.approval_requested": _approval_requested,
    "message.approval_decided": _approval_decided,
    "message.checked": _message_checked,
    "session.paused": _paused,
    "session.interrupted": _paused,
    "run.finished": _finished,
    "incident.closed": _closed,
    "exit.checked": _exit_checked,
    "impact.recorded": _impact,
    "incident.reopened": _reopened,
    "severity.changed": _severity,
    "title.changed": _title,
    "walker.started": _walker,
    "walker.taken_over": _walker,
    "queue.imported": _queue_imported,
    "queue.decided": _queue_decided,
    "contact.logged": _contact_logged,
    "contact.followed_up": _contact_followed_up,
    "reply.person": _reply,
    "reply.sent": _reply,
    "reply.closed": _reply,
    "role.assigned": _role,
    "handoff.recorded": _handoff,
    "action.added": _action_added,
    "action.done": _action_done,
    "evidence.added": _evidence,
    "evidence.linked": _evidence,
    "mentions.recorded": _mentions,
    "update.promised": _promised,
    "notify.claimed": _notice,
    "notify.delivered": _notice,
    "notify.failed": _notice,
    "draft.kept": _draft_kept,
    "draft.dropped": _draft_dropped,
    "drill.started": _drill_started,
    "drill.inject": _drill_inject,
    "drill.paused": _drill_clock,
    "drill.resumed": _drill_clock,
    "drill.ended": _drill_clock,
}
