"""Replay: the state of an incident is a fold over its journal.

``IncidentState.apply`` knows every event type; unknown types (from newer versions or
other tools) are kept in the timeline and otherwise ignored, so old readers never break
on new journals. Nothing here writes or prints.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crisiscli.record.journal import Event

# Only the walk-through's own events end a pause: notes, queue decisions, contacts, roles,
# actions or a re-grade from another terminal leave a paused incident paused.
_WALKTHROUGH_EVENTS = frozenset(
    {
        "session.resumed",
        "input.set",
        "step.entered",
        "step.done",
        "step.skipped",
        "step.deferred",
        "step.not_applicable",
        "item.checked",
        "item.unchecked",
        "answer.set",
        "message.recorded",
        "message.checked",
        "message.approved",
        "run.finished",
    }
)
TERMINAL = ("done", "skipped", "deferred", "not_applicable")
STATUS_BY_EVENT = {
    "step.done": "done",
    "step.skipped": "skipped",
    "step.deferred": "deferred",
    "step.not_applicable": "not_applicable",
}


@dataclass
class StepState:
    status: str = "pending"  # pending | active | done | skipped | deferred | not_applicable
    checked: set[str] = field(default_factory=set)
    reason: str | None = None
    first_entered: datetime | None = None
    finished_at: datetime | None = None
    done_at: datetime | None = None
    visits: int = 0
    revisited: bool = False  # offered again in the final round since it was deferred
    unchecked_at_done: tuple[str, ...] = ()


@dataclass
class Note:
    ts: datetime
    actor: str
    text: str
    step: str | None
    event_id: str


@dataclass
class MessageRecord:
    ts: datetime
    actor: str
    step: str
    text: str
    platforms: tuple[str, ...]
    kind: str
    approver: str | None = None
    approved_at: datetime | None = None
    override: str | None = None
    check_override: str | None = None  # message.checked{override}: published despite errors
    check_summary: str | None = None  # message.checked{summary}


@dataclass
class QueuedPost:
    """A scheduled post from an imported export (``queue.imported``), with its decision."""

    id: str
    due: datetime | None
    text: str
    platform: str | None
    link: str | None
    source: str
    imported_at: datetime
    decision: str | None = None  # keep | cancel | reschedule
    reason: str | None = None
    new_time: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    history: list[tuple[datetime, str, str, str]] = field(default_factory=list)


@dataclass
class ContactRecord:
    """One attempt to take a conversation off-platform (``contact.logged``)."""

    id: str
    ts: datetime
    actor: str
    who: str
    channel: str
    outcome: str
    follow_up_due: datetime | None = None
    note: str | None = None
    followed_up_at: datetime | None = None
    followed_up_by: str | None = None

    @property
    def open_follow_up(self) -> bool:
        return self.follow_up_due is not None and self.followed_up_at is None


@dataclass
class IncidentState:
    title: str = ""
    severity: str = ""
    playbook: dict[str, Any] = field(default_factory=dict)
    drill: bool = False
    opened_by: str = ""
    started_at: datetime | None = None
    actors: list[str] = field(default_factory=list)
    inputs: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)
    steps: dict[str, StepState] = field(default_factory=dict)
    path: list[str] = field(default_factory=list)  # entered steps; "back" pops
    current: str | None = None
    last_entered_via: str | None = None
    finished: bool = False
    finish_status: str | None = None
    finished_at: datetime | None = None
    closed: bool = False
    closed_at: datetime | None = None
    summary: str | None = None
    paused: bool = False
    notes: list[Note] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)  # role id → person (role.assigned)
    messages: list[MessageRecord] = field(default_factory=list)
    queue: dict[str, QueuedPost] = field(default_factory=dict)  # by post id, import order
    queue_imports: list[dict[str, Any]] = field(default_factory=list)
    contacts: dict[str, ContactRecord] = field(default_factory=dict)  # by contact id
    events: list[Event] = field(default_factory=list)
    last_event_at: datetime | None = None
    # The latest walker.started / walker.taken_over: who walks the incident (one at a time).
    walker: dict[str, Any] = field(default_factory=dict)

    def step(self, step_id: str) -> StepState:
        if step_id not in self.steps:
            self.steps[step_id] = StepState()
        return self.steps[step_id]

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

    def apply(self, event: Event) -> None:
        self.events.append(event)
        self.last_event_at = event.ts
        if event.actor and event.actor not in self.actors:
            self.actors.append(event.actor)
        handler = _HANDLERS.get(event.type)
        if handler is not None:
            handler(self, event, event.data)
        if event.type in _WALKTHROUGH_EVENTS:
            self.paused = False


def replay(events: Iterable[Event]) -> IncidentState:
    state = IncidentState()
    for event in events:
        state.apply(event)
    return state


# -- handlers ------------------------------------------------------------------------------


def _opened(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    s.title = str(d.get("title", ""))
    s.severity = str(d.get("severity", ""))
    pb = d.get("playbook")
    s.playbook = pb if isinstance(pb, dict) else {}
    s.drill = bool(d.get("drill", False))
    s.opened_by = e.actor
    s.started_at = e.ts


def _input(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    key = d.get("input")
    if isinstance(key, str):
        s.inputs[key] = d.get("value")


def _answer(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    key = d.get("question")
    if isinstance(key, str):
        s.answers[key] = d.get("value")


def _entered(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    step_id = d.get("step")
    if not isinstance(step_id, str):
        return
    via = d.get("via", "next")
    if via == "back":
        if s.path:
            s.path.pop()
        if not s.path or s.path[-1] != step_id:
            s.path.append(step_id)
    else:
        s.path.append(step_id)
    st = s.step(step_id)
    st.visits += 1
    if st.first_entered is None:
        st.first_entered = e.ts
    if via == "revisit":
        st.revisited = True
    st.status = "active"
    s.current = step_id
    s.last_entered_via = via
    s.finished = False


def _status(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    step_id = d.get("step")
    if not isinstance(step_id, str):
        return
    st = s.step(step_id)
    st.status = STATUS_BY_EVENT[e.type]
    reason = d.get("reason")
    st.reason = str(reason) if reason else None
    st.finished_at = e.ts
    if e.type == "step.done":
        st.done_at = st.done_at or e.ts
        unchecked = d.get("unchecked", [])
        st.unchecked_at_done = (
            tuple(str(u) for u in unchecked) if isinstance(unchecked, list) else ()
        )
    if e.type == "step.deferred" and s.last_entered_via != "revisit":
        st.revisited = False
    if s.current == step_id:
        s.current = None


def _checked(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    step_id, item = d.get("step"), d.get("item")
    if isinstance(step_id, str) and isinstance(item, str):
        if e.type == "item.checked":
            s.step(step_id).checked.add(item)
        else:
            s.step(step_id).checked.discard(item)


def _note(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    step = d.get("step")
    s.notes.append(
        Note(e.ts, e.actor, str(d.get("text", "")), step if isinstance(step, str) else None, e.id)
    )


def _message(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    platforms = d.get("platforms", [])
    s.messages.append(
        MessageRecord(
            e.ts,
            e.actor,
            str(d.get("step", "")),
            str(d.get("text", "")),
            tuple(str(p) for p in platforms) if isinstance(platforms, list) else (),
            str(d.get("kind", "statement")),
        )
    )


def _approved(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    step = d.get("step")
    for record in reversed(s.messages):
        if record.step == step:
            record.approver = str(d.get("approver", "")) or None
            record.approved_at = e.ts
            override = d.get("override")
            record.override = str(override) if override else None
            break


def _message_checked(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    step = d.get("step")
    for record in reversed(s.messages):
        if record.step == step:
            override = d.get("override")
            record.check_override = str(override) if override else None
            summary = d.get("summary")
            record.check_summary = str(summary) if summary else None
            break


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
    summary = d.get("summary")
    if summary:
        s.summary = str(summary)


def _reopened(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    s.closed = False
    s.closed_at = None


def _severity(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    s.severity = str(d.get("to", s.severity))


def _title(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    s.title = str(d.get("to", s.title))


def _walker(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    s.walker = {**d, "actor": e.actor, "ts": e.ts, "type": e.type}


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _opt(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _queue_imported(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    source = str(d.get("source", ""))
    posts = d.get("posts")
    if not isinstance(posts, list):
        posts = []
    s.queue_imports.append(
        {
            "ts": e.ts,
            "actor": e.actor,
            "source": source,
            "posts": len(posts),
            "window_hours": d.get("hours"),
        }
    )
    for raw in posts:
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            continue
        pid = raw["id"]
        old = s.queue.get(pid)
        post = QueuedPost(
            pid,
            _time(raw.get("due")),
            str(raw.get("text", "")),
            _opt(raw.get("platform")),
            _opt(raw.get("link")),
            source,
            e.ts,
        )
        if old is not None:  # imported again: the facts refresh, the decision stays
            post.decision, post.reason, post.new_time = old.decision, old.reason, old.new_time
            post.decided_by, post.decided_at, post.history = (
                old.decided_by,
                old.decided_at,
                old.history,
            )
        s.queue[pid] = post


def _queue_decided(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    post = s.queue.get(str(d.get("post", "")))
    decision = d.get("decision")
    if post is None or decision not in ("keep", "cancel", "reschedule"):
        return
    post.decision = str(decision)
    post.reason = _opt(d.get("reason"))
    post.new_time = _time(d.get("new_time")) if decision == "reschedule" else None
    post.decided_by = e.actor
    post.decided_at = e.ts
    post.history.append((e.ts, e.actor, post.decision, post.reason or ""))


def _contact_logged(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    cid = str(d.get("id") or f"c{len(s.contacts) + 1}")
    if cid in s.contacts:  # two terminals picked the same number: keep both, distinctly
        n = 2
        while f"{cid}-{n}" in s.contacts:
            n += 1
        cid = f"{cid}-{n}"
    s.contacts[cid] = ContactRecord(
        cid,
        e.ts,
        e.actor,
        str(d.get("who", "")),
        str(d.get("channel", "")),
        str(d.get("outcome", "")),
        _time(d.get("follow_up_due")),
        _opt(d.get("note")),
    )


def _contact_followed_up(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    contact = s.contacts.get(str(d.get("id", "")))
    if contact is not None and contact.followed_up_at is None:
        contact.followed_up_at = e.ts
        contact.followed_up_by = e.actor


def _role(s: IncidentState, e: Event, d: dict[str, Any]) -> None:
    role, person = d.get("role"), d.get("person")
    if not isinstance(role, str) or not role:
        return
    if isinstance(person, str) and person.strip():
        s.roles[role] = person.strip()
    else:
        s.roles.pop(role, None)  # an empty person leaves the role open again


_HANDLERS = {
    "incident.opened": _opened,
    "input.set": _input,
    "answer.set": _answer,
    "step.entered": _entered,
    "step.done": _status,
    "step.skipped": _status,
    "step.deferred": _status,
    "walker.started": _walker,
    "walker.taken_over": _walker,
    "step.not_applicable": _status,
    "item.checked": _checked,
    "item.unchecked": _checked,
    "note.added": _note,
    "message.recorded": _message,
    "message.approved": _approved,
    "message.checked": _message_checked,
    "session.paused": _paused,
    "session.interrupted": _paused,
    "run.finished": _finished,
    "incident.closed": _closed,
    "incident.reopened": _reopened,
    "severity.changed": _severity,
    "title.changed": _title,
    "queue.imported": _queue_imported,
    "queue.decided": _queue_decided,
    "contact.logged": _contact_logged,
    "contact.followed_up": _contact_followed_up,
    "role.assigned": _role,
}
