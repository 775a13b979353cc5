"""The fold's checkpoint: the state of an incident as of a byte offset in its journal.

A command folds only the lines it has not seen: it loads ``.checkpoint.json``, checks that
the journal is still the file the checkpoint was taken from (same device and inode, at
least as long, the same bytes just before the offset), and applies the new lines. Anything
else — a missing, damaged or foreign checkpoint, a journal that shrank or was rewritten by a
git merge, a line that sorts before what was already applied — means a full replay. The
checkpoint is a cache: always safe to delete, never trusted over the journal, never synced.

JSON, not pickle: a file in CRISIS_HOME must never be able to run code.
"""

# No `from __future__ import annotations` here: with it, typing.NamedTuple turns each
# field's annotation into a ForwardRef and compiles it when the module loads, which
# doubles what the classes below cost on every `crisis note` (docs/benchmarks.md).
import json
import os
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from crisiscli import __version__
from crisiscli.fsutil import atomic_write_text, read_bounded
from crisiscli.record.fold import (
    ActionItem,
    ApprovalRequest,
    ContactRecord,
    EvidenceItem,
    ExitCheck,
    Handoff,
    ImpactMark,
    IncidentState,
    Mention,
    MessageState,
    Note,
    Notice,
    PostDecision,
    Publication,
    Quarantined,
    QueuedPost,
    RoleChange,
    SeverityChange,
    StepState,
    TimelineEntry,
    VoidedApproval,
    WalkerClaim,
)

CHECKPOINT = ".checkpoint.json"
FORMAT = 1
TAIL = 4096  # bytes before the offset whose hash proves the journal was only appended to
MAX_CHECKPOINT = 64 * 1024 * 1024
MAX_UNDELIVERED = 500  # more lines folded by readers than this: derived files rebuild


class Position(NamedTuple):
    """Where in the journal a state was taken: file identity, offset, lines consumed."""

    dev: int
    ino: int
    offset: int
    lines: int
    tail: str  # CRC-32 of the TAIL bytes before offset (a cache check, not a seal)

    def to_data(self) -> list[Any]:
        return list(self)


def tail_hash(blob: bytes) -> str:
    return f"{zlib.crc32(blob):08x}:{len(blob)}"


def still_valid(position: Position, journal: Path, fd: int | None = None) -> bool:
    """The journal is the same file and was only appended to since ``position``."""
    try:
        st = os.fstat(fd) if fd is not None else os.stat(journal)
    except OSError:
        return False
    if (st.st_dev, st.st_ino) != (position.dev, position.ino) or st.st_size < position.offset:
        return False
    start = max(0, position.offset - TAIL)
    try:
        if fd is not None:
            blob = os.pread(fd, position.offset - start, start)
        else:
            with open(journal, "rb") as handle:
                handle.seek(start)
                blob = handle.read(position.offset - start)
    except OSError:
        return False
    return tail_hash(blob) == position.tail


class Checkpoint(NamedTuple):
    position: Position
    state: IncidentState
    pending: list[tuple[int, str]]  # (line, raw) of events stamped ahead of every clock
    derived: dict[str, Any]  # caches of the derived files (log.md), by name
    undelivered: list[TimelineEntry]  # folded by a reader, not yet shown to derived files
    zone: str


def load(folder: Path) -> Checkpoint | None:
    try:
        blob = read_bounded(folder / CHECKPOINT, MAX_CHECKPOINT)
        data = json.loads(blob)
        if data.get("format") != FORMAT or data.get("crisis") != __version__:
            return None  # another version folds differently: replay
        position = Position(*data["position"])
        return Checkpoint(
            position,
            decode_state(data["state"]),
            [(int(n), str(raw)) for n, raw in data.get("pending", [])],
            dict(data.get("derived", {})),
            [TimelineEntry(e[0], _req(e[1]), *e[2:]) for e in data.get("undelivered", [])],
            str(data.get("zone", "")),
        )
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def save(folder: Path, checkpoint: Checkpoint) -> None:
    """Write the checkpoint (no fsync: it is a cache; a torn one is simply not used)."""
    data = {
        "format": FORMAT,
        "crisis": __version__,
        "position": checkpoint.position.to_data(),
        "zone": checkpoint.zone,
        "pending": checkpoint.pending,
        "derived": checkpoint.derived,
        "undelivered": _tuples_at(checkpoint.undelivered, 1),
        "state": encode_state(checkpoint.state),
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    atomic_write_text(folder / CHECKPOINT, text, durable=False)


# -- the state as JSON ---------------------------------------------------------------------


def _t(ts: datetime | None) -> str | None:
    return ts.isoformat() if ts is not None else None


def _dt(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def _step(st: StepState) -> list[Any]:
    return [
        st.status, sorted(st.checked), st.reason, _t(st.first_entered), _t(st.last_entered),
        _t(st.finished_at), _t(st.done_at), st.visits, st.revisited, list(st.unchecked_at_done),
        st.notes,
    ]  # fmt: skip


def _unstep(v: list[Any]) -> StepState:
    return StepState(
        v[0],
        set(v[1]),
        v[2],
        _dt(v[3]),
        _dt(v[4]),
        _dt(v[5]),
        _dt(v[6]),
        v[7],
        v[8],
        tuple(v[9]),
        list(v[10]),
    )


def _message(m: MessageState) -> list[Any]:
    return [
        m.step, m.text, list(m.platforms), m.kind, _t(m.ts), m.actor, _t(m.first_at), m.versions,
        m.approver, _t(m.approved_at), m.approved_by, m.override, m.check_summary,
        m.check_override, m.check_errors, m.lengths, _tuples(m.requests), m.decision,
        _t(m.decided_at), m.decided_by, m.decision_comment, m.decision_scripted,
        m.self_approved, _tuples(m.voided), _t(m.promise),
    ]  # fmt: skip


def _unmessage(v: list[Any]) -> MessageState:
    return MessageState(
        v[0], v[1], tuple(v[2]), v[3], _req(v[4]), v[5], _req(v[6]), v[7], v[8], _dt(v[9]),
        v[10], v[11], v[12], v[13], v[14], v[15],
        [ApprovalRequest(_req(r[0]), *r[1:]) for r in v[16]], v[17], _dt(v[18]), v[19], v[20],
        v[21], v[22], [VoidedApproval(_req(x[0]), *x[1:]) for x in v[23]], _dt(v[24]),
    )  # fmt: skip


def _req(value: Any) -> datetime:
    ts = _dt(value)
    if ts is None:
        raise ValueError("a required time is missing")
    return ts


def _post(p: QueuedPost) -> list[Any]:
    return [
        p.id, _t(p.due), p.text, p.platform, p.link, p.source, _t(p.imported_at), p.decision,
        p.reason, _t(p.new_time), p.decided_by, _t(p.decided_at),
        [[_t(h.ts), h.actor, h.decision, h.reason] for h in p.history],
    ]  # fmt: skip


def _unpost(v: list[Any]) -> QueuedPost:
    return QueuedPost(
        v[0], _dt(v[1]), v[2], v[3], v[4], v[5], _req(v[6]), v[7], v[8], _dt(v[9]), v[10],
        _dt(v[11]), [PostDecision(_req(h[0]), h[1], h[2], h[3]) for h in v[12]],
    )  # fmt: skip


def _contact(c: ContactRecord) -> list[Any]:
    return [
        c.id, _t(c.ts), c.actor, c.who, c.channel, c.outcome, _t(c.follow_up_due), c.note,
        _t(c.followed_up_at), c.followed_up_by,
    ]  # fmt: skip


def _uncontact(v: list[Any]) -> ContactRecord:
    return ContactRecord(v[0], _req(v[1]), v[2], v[3], v[4], v[5], _dt(v[6]), v[7], _dt(v[8]), v[9])


def _action(a: ActionItem) -> list[Any]:
    return [
        a.id,
        a.text,
        a.owner,
        a.due,
        a.step,
        _t(a.added_at),
        a.added_by,
        _t(a.done_at),
        a.done_by,
    ]


def _unaction(v: list[Any]) -> ActionItem:
    return ActionItem(v[0], v[1], v[2], v[3], v[4], _req(v[5]), v[6], _dt(v[7]), v[8])


def _notice(n: Notice) -> list[Any]:
    return [
        n.key, n.channel, n.kind, n.text, n.label, n.status, n.attempt, _t(n.first_at),
        _t(n.last_at), n.error,
    ]  # fmt: skip


def _unnotice(v: list[Any]) -> Notice:
    return Notice(v[0], v[1], v[2], v[3], v[4], v[5], v[6], _req(v[7]), _req(v[8]), v[9])


def _publication(p: Publication) -> list[Any]:
    return [_t(p.ts), p.actor, p.step, p.kind, _t(p.promise)]


def _tuples(items: list[Any]) -> list[list[Any]]:
    """NamedTuples whose first field is a time (notes, changes, handoffs) as lists."""
    return _tuples_at(items, 0)


def _tuples_at(items: list[Any], at: int) -> list[list[Any]]:
    """NamedTuples as lists, the field at ``at`` (a time) as ISO text."""
    return [[*item[:at], _t(item[at]), *item[at + 1 :]] for item in items]


def encode_state(s: IncidentState) -> dict[str, Any]:
    imports = [{**i, "ts": _t(i["ts"])} for i in s.queue_imports]
    return {
        "title": s.title, "severity": s.severity, "first_severity": s.first_severity,
        "playbook": s.playbook, "drill": s.drill, "opened_by": s.opened_by,
        "started_at": _t(s.started_at), "actors": s.actors, "inputs": s.inputs,
        "answers": s.answers, "answered_at": {k: _t(v) for k, v in s.answered_at.items()},
        "steps": {k: _step(v) for k, v in s.steps.items()}, "path": s.path,
        "current": s.current, "last_entered_via": s.last_entered_via, "flow_via": s.flow_via,
        "finished": s.finished,
        "finish_status": s.finish_status, "finished_at": _t(s.finished_at), "closed": s.closed,
        "closed_at": _t(s.closed_at), "closed_by": s.closed_by, "summary": s.summary, "paused": s.paused,
        "notes": _tuples(s.notes), "note_count": s.note_count, "roles": s.roles,
        "role_changes": _tuples(s.role_changes),
        "messages": [_message(m) for m in s.messages.values()],
        "severity_changes": _tuples(s.severity_changes), "handoffs": _tuples(s.handoffs),
        "actions": [_action(a) for a in s.actions.values()],
        "queue": [_post(p) for p in s.queue.values()], "queue_imports": imports,
        "contacts": [_contact(c) for c in s.contacts.values()],
        "exit_checks": [[*c[:4], _t(c.ts), c.actor] for c in s.exit_checks.values()],
        "evidence": _tuples(s.evidence), "mentions": _tuples(s.mentions),
        "event_count": s.event_count, "last_event_at": _t(s.last_event_at),
        "last_key": [_t(s.last_key[0]), s.last_key[1]] if s.last_key else None,
        "quarantined": [list(q) for q in s.quarantined],
        "walker": _tuples([s.walker])[0] if s.walker else None,
        "published": [_publication(p) for p in s.published],
        "walked_by": s.walked_by, "walked_at": _t(s.walked_at),
        "recent": _tuples_at(s.recent, 1),
        "notices": [_notice(n) for n in s.notices.values()],
        "impact_start": _impact(s.impact_start), "impact_detected": _impact(s.impact_detected),
    }  # fmt: skip


def _impact(mark: ImpactMark | None) -> list[Any] | None:
    """An impact mark by position: [at, ts, actor, by_question]."""
    return None if mark is None else [_t(mark.at), _t(mark.ts), mark.actor, mark.by_question]


def _unimpact(data: list[Any] | None) -> ImpactMark | None:
    if not data:
        return None
    return ImpactMark(_req(data[0]), _req(data[1]), data[2], data[3])


def decode_state(d: dict[str, Any]) -> IncidentState:
    key = d["last_key"]
    return IncidentState(
        title=d["title"],
        severity=d["severity"],
        first_severity=d["first_severity"],
        playbook=d["playbook"],
        drill=d["drill"],
        opened_by=d["opened_by"],
        started_at=_dt(d["started_at"]),
        actors=list(d["actors"]),
        inputs=dict(d["inputs"]),
        answers=dict(d["answers"]),
        answered_at={k: _req(v) for k, v in d["answered_at"].items()},
        steps={k: _unstep(v) for k, v in d["steps"].items()},
        path=list(d["path"]),
        current=d["current"],
        last_entered_via=d["last_entered_via"],
        flow_via=d["flow_via"],
        finished=d["finished"],
        finish_status=d["finish_status"],
        finished_at=_dt(d["finished_at"]),
        closed=d["closed"],
        closed_at=_dt(d["closed_at"]),
        closed_by=d["closed_by"],
        summary=d["summary"],
        paused=d["paused"],
        notes=[Note(_req(n[0]), *n[1:]) for n in d["notes"]],
        note_count=d["note_count"],
        roles=dict(d["roles"]),
        role_changes=[RoleChange(_req(r[0]), *r[1:]) for r in d["role_changes"]],
        messages={m[0]: _unmessage(m) for m in d["messages"]},
        severity_changes=[SeverityChange(_req(c[0]), *c[1:]) for c in d["severity_changes"]],
        handoffs=[Handoff(_req(h[0]), *h[1:]) for h in d["handoffs"]],
        actions={a[0]: _unaction(a) for a in d["actions"]},
        queue={p[0]: _unpost(p) for p in d["queue"]},
        queue_imports=[{**i, "ts": _req(i["ts"])} for i in d["queue_imports"]],
        contacts={c[0]: _uncontact(c) for c in d["contacts"]},
        exit_checks={
            c[0]: ExitCheck(c[0], c[1], c[2], c[3], _req(c[4]), c[5]) for c in d["exit_checks"]
        },
        evidence=[EvidenceItem(_req(x[0]), *x[1:]) for x in d["evidence"]],
        mentions=[Mention(_req(x[0]), *x[1:]) for x in d["mentions"]],
        event_count=d["event_count"],
        last_event_at=_dt(d["last_event_at"]),
        last_key=(_req(key[0]), key[1]) if key else None,
        quarantined=[Quarantined(*q) for q in d["quarantined"]],
        walker=WalkerClaim(_req(w[0]), *w[1:]) if (w := d["walker"]) else None,
        published=[Publication(_req(p[0]), p[1], p[2], p[3], _dt(p[4])) for p in d["published"]],
        walked_by=d["walked_by"],
        walked_at=_dt(d["walked_at"]),
        recent=[TimelineEntry(e[0], _req(e[1]), *e[2:]) for e in d["recent"]],
        notices={f"{n[0]}|{n[1]}": _unnotice(n) for n in d["notices"]},
        # absent from a checkpoint written before impact marks: none recorded
        impact_start=_unimpact(d.get("impact_start")),
        impact_detected=_unimpact(d.get("impact_detected")),
    )
