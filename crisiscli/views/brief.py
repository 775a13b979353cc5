"""The handoff brief: everything the next person needs.

The brief is a pure reading of the state,
the playbook snapshot and the raw events — built defensively, because contact, action and
queue events come from other parts of crisis (and from other versions, through git).
"""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo
from typing import TYPE_CHECKING, Any

from crisiscli.playbook.model import Playbook
from crisiscli.record.fold import IncidentState
from crisiscli.team.roles import role_rows
from crisiscli.text import one_line
from crisiscli.walk.deadlines import deadline_statuses, format_duration
from crisiscli.walk.flow import next_target, position, unfinished

if TYPE_CHECKING:
    from crisiscli.record.store import Incident

# -- handoff brief -------------------------------------------------------------------------


def _when(ts: datetime, tz: tzinfo | None, now: datetime) -> str:
    local = ts.astimezone(tz) if tz else ts.astimezone()
    today = now.astimezone(tz) if tz else now.astimezone()
    fmt = "%H:%M" if local.date() == today.date() else "%Y-%m-%d %H:%M"
    return f"{local.strftime(fmt)} {local.tzname() or ''}".strip()


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _text(value: Any) -> str:
    return one_line(str(value)) if value not in (None, "") else ""


def open_follow_ups(state: IncidentState) -> list[dict[str, Any]]:
    """``contact.logged`` with a ``follow_up_due`` and no later ``contact.followed_up``."""
    owed: dict[str, dict[str, Any]] = {}
    for event in state.events:
        d = event.data
        cid = d.get("id")
        if not isinstance(cid, (str, int)):
            continue
        cid = str(cid)
        if event.type == "contact.logged":
            due = d.get("follow_up_due")
            if due in (None, "", False):
                owed.pop(cid, None)
                continue
            owed[cid] = {
                "id": cid,
                "who": _text(d.get("who")) or "someone",
                "channel": _text(d.get("channel")),
                "outcome": _text(d.get("outcome")),
                "due": str(due),
                "due_at": _parse_time(due),
                "note": _text(d.get("note")),
            }
        elif event.type == "contact.followed_up":
            owed.pop(cid, None)
    far = datetime.max.replace(tzinfo=timezone.utc)
    return sorted(owed.values(), key=lambda f: f["due_at"] or far)


def pending_approvals(state: IncidentState, playbook: Playbook) -> list[dict[str, Any]]:
    """The latest message of each step that needs an approval and has none (nor an override)."""
    needs: dict[str, bool] = {}
    for event in state.events:
        if event.type == "message.recorded":
            step = str(event.data.get("step", ""))
            flag = event.data.get("approval")
            if isinstance(flag, bool):
                needs[step] = flag
            else:
                try:
                    message = playbook.step(step).message
                except KeyError:
                    message = None
                needs[step] = bool(message and message.approval)
    latest = {m.step: m for m in state.messages}
    pending = []
    for step, record in latest.items():
        if needs.get(step) and not (record.approver or record.override):
            try:
                title = playbook.step(step).title
            except KeyError:
                title = step
            pending.append(
                {
                    "step": step,
                    "title": title,
                    "platforms": list(record.platforms),
                    "text": record.text,
                    "recorded_at": record.ts,
                    "by": record.actor,
                }
            )
    return pending


def open_actions(state: IncidentState) -> list[dict[str, Any]]:
    actions: dict[str, dict[str, Any]] = {}
    for event in state.events:
        aid = event.data.get("id")
        if not isinstance(aid, (str, int)):
            continue
        if event.type == "action.added":
            actions[str(aid)] = {
                "id": str(aid),
                "text": _text(event.data.get("text")),
                "owner": _text(event.data.get("owner")),
                "due": _text(event.data.get("due")),
            }
        elif event.type == "action.done":
            actions.pop(str(aid), None)
    return list(actions.values())


def build_brief(
    incident: Incident,
    *,
    now: datetime,
    to: str | None = None,
    tz: tzinfo | None = None,
) -> dict[str, Any]:
    """Everything the next person needs, as data (``render_brief`` makes it text)."""
    state = incident.state()
    book = incident.playbook()
    target = next_target(book, state) if not (state.closed or state.finished) else None
    current: dict[str, Any] | None = None
    if target is not None:
        step = book.step(target.step)
        index, total = position(book, step.id)
        current = {
            "step": step.id,
            "title": step.title,
            "phase": book.phase_of(step.id).title,
            "index": index,
            "of": total,
        }
    counts: dict[str, int] = {}
    for step in book.steps:
        st = state.steps.get(step.id)
        word = st.status if st else "pending"
        counts[word] = counts.get(word, 0) + 1
    deferred = [  # deferred, or entered and left without an outcome: never silently gone
        {
            "step": sid,
            "title": book.step(sid).title,
            "reason": state.steps[sid].reason or "",
            "status": state.steps[sid].status,
        }
        for sid in unfinished(book, state)
    ]
    unticked = []
    for s in book.steps:
        st = state.steps.get(s.id)
        if st is None or st.status != "done" or not st.unchecked_at_done:
            continue
        texts = {i.id: i.text for i in s.items}
        left = [texts.get(i, i) for i in st.unchecked_at_done if i not in st.checked]
        if left:
            unticked.append({"step": s.id, "title": s.title, "items": left})
    deadlines = [
        {
            "step": d.step,
            "label": d.label,
            "due": d.due_at,
            "state": d.state,
            "seconds_left": d.seconds_left(now),
        }
        for d in deadline_statuses(book, state, now)
        if d.state in ("overdue", "open")
    ]
    follow_ups = open_follow_ups(state)
    for f in follow_ups:
        f["overdue"] = f["due_at"] is not None and f["due_at"] < now
    approvals = pending_approvals(state, book)
    previous = [e for e in state.events if e.type == "handoff.recorded"]
    return {
        "id": incident.id,
        "title": state.title,
        "status": state.status,
        "severity": state.severity,
        "drill": state.drill,
        "started": state.started_at,
        "elapsed_seconds": (now - state.started_at).total_seconds() if state.started_at else 0,
        "at": now,
        "from": incident.env.actor,
        "to": to,
        "roles": [{"role": r, "person": p} for r, p in role_rows(state, book)],
        "current": current,
        "steps": counts,
        "step_count": len(book.steps),
        "deferred": deferred,
        "unticked": unticked,
        "deadlines": deadlines,
        "follow_ups": follow_ups,
        "approvals": approvals,
        "actions": open_actions(state),
        "notes": [
            {"ts": n.ts, "actor": n.actor, "text": n.text, "step": n.step} for n in state.notes[-5:]
        ],
        "previous_handoff": (
            {
                "ts": previous[-1].ts,
                "from": previous[-1].actor,
                "to": previous[-1].data.get("to"),
            }
            if previous
            else None
        ),
        "tz": tz,
    }


def brief_counts(brief: dict[str, Any]) -> dict[str, int]:
    return {
        "deferred": len(brief["deferred"]),
        "follow_ups": len(brief["follow_ups"]),
        "approvals": len(brief["approvals"]),
        "overdue": sum(1 for d in brief["deadlines"] if d["state"] == "overdue"),
        "actions": len(brief["actions"]),
    }


def render_brief(brief: dict[str, Any]) -> str:
    """Plain text for a terminal, a chat message or the journal (no markup, one fact a line)."""
    tz: tzinfo | None = brief["tz"]
    now: datetime = brief["at"]
    out: list[str] = []
    drill = "  [DRILL — a rehearsal]" if brief["drill"] else ""
    out.append(f"HANDOFF: {_text(brief['title'])}{drill}")
    out.append(
        f"  {brief['id']} · {brief['status']} · severity {_text(brief['severity'])} · "
        f"{format_duration(brief['elapsed_seconds'])} since start"
    )
    to = f" to {_text(brief['to'])}" if brief["to"] else ""
    out.append(f"  from {_text(brief['from'])}{to} at {_when(now, tz, now)}")
    prev = brief["previous_handoff"]
    if prev:
        prev_to = f" to {_text(prev['to'])}" if prev.get("to") else ""
        out.append(
            f"  previous handoff: {_when(prev['ts'], tz, now)} by {_text(prev['from'])}{prev_to}"
        )
    roles = " · ".join(f"{r['role']} {_text(r['person']) or '(open)'}" for r in brief["roles"])
    out.append(f"Roles: {roles}")
    cur = brief["current"]
    if cur:
        out.append(
            f"Now: {_text(cur['title'])} (phase {_text(cur['phase'])}, step {cur['index']} of {cur['of']})"
        )
    elif brief["status"] in ("finished", "closed"):
        out.append(f"Now: the walk-through is {brief['status']}")
    counts = brief["steps"]
    extra = "".join(
        f", {n} {k.replace('_', ' ')}" for k, n in counts.items() if k not in ("done", "pending")
    )
    out.append(f"Progress: {counts.get('done', 0)} done of {brief['step_count']}{extra}")
    if brief["deadlines"]:
        out.append("Deadlines:")
        for d in brief["deadlines"]:
            if d["state"] == "overdue":
                out.append(
                    f"  OVERDUE  {_text(d['label'])} — {format_duration(-d['seconds_left'])} late"
                )
            else:
                out.append(
                    f"  due      {_text(d['label'])} — in {format_duration(d['seconds_left'])}"
                    f" ({_when(d['due'], tz, now)})"
                )
    if brief["deferred"]:
        out.append("Still open (deferred, or started and not finished):")
        for d in brief["deferred"]:
            how = "deferred" if d["status"] == "deferred" else "started, not finished"
            reason = f" — {_text(d['reason'])}" if d["reason"] else ""
            out.append(f"  - {_text(d['title'])} ({how}){reason}")
    if brief["unticked"]:
        out.append("Done with items left unticked:")
        for u in brief["unticked"]:
            out.append(f"  - {_text(u['title'])}: {'; '.join(_text(i) for i in u['items'])}")
    if brief["follow_ups"]:
        out.append("Follow-ups owed:")
        for f in brief["follow_ups"]:
            channel = f" ({f['channel']})" if f["channel"] else ""
            if f["due_at"] is not None:
                due = _when(f["due_at"], tz, now)
                due += " — OVERDUE" if f["overdue"] else ""
            else:
                due = _text(f["due"])
            note = f" — {f['note']}" if f["note"] else ""
            out.append(f"  - {f['who']}{channel}, due {due}{note}")
    if brief["approvals"]:
        out.append("Waiting for approval:")
        for a in brief["approvals"]:
            platforms = (
                f" ({', '.join(_text(p) for p in a['platforms'])})" if a["platforms"] else ""
            )
            text = _text(a["text"])
            text = text if len(text) <= 80 else text[:77] + "..."
            out.append(f'  - {_text(a["title"])}{platforms}: "{text}"')
    if brief["actions"]:
        out.append("Open actions:")
        for a in brief["actions"]:
            owner = f" — {a['owner']}" if a["owner"] else ""
            due = f" (due {a['due']})" if a["due"] else ""
            out.append(f"  - {a['text']}{owner}{due}")
    if brief["notes"]:
        out.append("Last notes:")
        for n in brief["notes"]:
            out.append(f"  {_when(n['ts'], tz, now)} {_text(n['actor'])}: {_text(n['text'])}")
    if brief["status"] in ("active", "paused"):
        out.append(f"Continue with: crisis resume {brief['id']}")
    return "\n".join(out)


def brief_json(brief: dict[str, Any]) -> dict[str, Any]:
    """The brief as JSON-ready data (times ISO 8601, no tz object)."""

    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items() if k not in ("tz", "due_at")}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    data: dict[str, Any] = plain(brief)
    data["counts"] = brief_counts(brief)
    return data
