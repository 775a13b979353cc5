"""The report model: one incident's journal + playbook snapshot → a plain mapping.

The mapping holds only strings, numbers, booleans, ``None``, lists and dicts, so it is at
once the ``--format json`` output (documented in docs/report.md), the context of every
template, and easy to test. Times are ``{"utc", "local", "zone"}`` objects; durations are
seconds. Text is stored as written (or redacted): each renderer escapes for its format.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from typing import Any

from crisiscli.playbook.model import MILESTONES, Playbook
from crisiscli.record.fold import IncidentState, replay
from crisiscli.record.journal import Event
from crisiscli.views.log import answer_text
from crisiscli.views.report import FORMAT, FORMAT_VERSION
from crisiscli.views.report.redact import Redactor
from crisiscli.walk.deadlines import deadline_statuses
from crisiscli.walk.flow import applies

MILESTONE_LABELS = {
    "acknowledged": "Acknowledged",
    "queue-paused": "Queue paused",
    "first-response": "First public response",
    "apology": "Apology",
    "off-platform": "First off-platform contact",
    "resolution": "Resolution",
}
REVIEW_QUESTIONS = ("summary", "impact", "went-well", "went-wrong", "lucky", "actions")
REVIEW_KEYS = {"went-well": "went_well", "went-wrong": "went_wrong"}


def stamp(ts: datetime | None, tz: tzinfo | None) -> dict[str, str] | None:
    """A time as UTC and local ISO text plus the local zone's abbreviation."""
    if ts is None:
        return None
    local = ts.astimezone(tz) if tz is not None else ts.astimezone()
    utc = ts.astimezone(timezone.utc).replace(tzinfo=None)
    return {
        "utc": utc.isoformat(timespec="seconds") + "Z",
        "local": local.isoformat(timespec="seconds"),
        "zone": local.tzname() or local.strftime("%z"),
    }


def _str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if text.strip() else None


@dataclass
class ActionItem:
    id: str
    text: str
    owner: str | None = None
    due: str | None = None
    source: str = "added"  # review | added
    added_at: datetime | None = None
    added_by: str | None = None
    done_at: datetime | None = None
    done_by: str | None = None


def parse_review_actions(value: Any) -> list[ActionItem]:
    """The review's ``actions`` answer: one item per line, ``what | who | when`` (or ``;``)."""
    text = answer_text_plain(value)
    items: list[ActionItem] = []
    for line in (text or "").splitlines():
        line = line.strip().lstrip("-*•").strip()
        if not line:
            continue
        sep = "|" if "|" in line else (";" if ";" in line else None)
        parts = [p.strip() for p in line.split(sep, 2)] if sep else [line]
        what = parts[0]
        owner = parts[1] if len(parts) > 1 and parts[1] else None
        due = parts[2] if len(parts) > 2 and parts[2] else None
        items.append(ActionItem(f"R{len(items) + 1}", what or line, owner, due, "review"))
    return items


def answer_text_plain(value: Any) -> str | None:
    if isinstance(value, list):
        return "\n".join(str(v) for v in value) or None
    return _str(value)


def collect_actions(state: IncidentState) -> list[ActionItem]:
    """Action items: the review answer's lines (R1, R2, …), then ``action.added`` events."""
    items = parse_review_actions(state.answers.get("actions"))
    answered = _last_event(state.events, "answer.set", "question", "actions")
    for item in items:
        if answered is not None:
            item.added_at, item.added_by = answered.ts, answered.actor
    by_id = {item.id: item for item in items}
    for event in state.events:
        d = event.data
        if event.type == "action.added":
            item_id, text = _str(d.get("id")), _str(d.get("text"))
            if item_id is None or text is None:
                continue
            if item_id in by_id:  # two terminals added at once: keep both, the later as A1.2
                n = 2
                while f"{item_id}.{n}" in by_id:
                    n += 1
                item_id = f"{item_id}.{n}"
            item = ActionItem(
                item_id, text, _str(d.get("owner")), _str(d.get("due")), "added",
                event.ts, event.actor,
            )  # fmt: skip
            items.append(item)
            by_id[item_id] = item
        elif event.type == "action.done":
            found = by_id.get(str(d.get("id", "")))
            if found is not None and found.done_at is None:
                found.done_at, found.done_by = event.ts, event.actor
    return items


def _last_event(events: Iterable[Event], kind: str, key: str, value: str) -> Event | None:
    found = None
    for event in events:
        if event.type == kind and event.data.get(key) == value:
            found = event
    return found


def milestone_times(playbook: Playbook, state: IncidentState) -> dict[str, tuple[str, datetime]]:
    """For each milestone reached: (step id, time of that step's first ``step.done``)."""
    found: dict[str, tuple[str, datetime]] = {}
    for step in playbook.steps:
        if step.milestone is None:
            continue
        st = state.steps.get(step.id)
        if st is None or st.done_at is None:
            continue
        best = found.get(step.milestone)
        if best is None or st.done_at < best[1]:
            found[step.milestone] = (step.id, st.done_at)
    return found


@dataclass
class _Ctx:
    playbook: Playbook
    tz: tzinfo | None
    r: Redactor
    step_titles: dict[str, str] = field(default_factory=dict)
    phase_of: dict[str, str] = field(default_factory=dict)

    def t(self, ts: datetime | None) -> dict[str, str] | None:
        return stamp(ts, self.tz)

    def title(self, step_id: Any) -> str:
        return self.step_titles.get(str(step_id), f"step {step_id}")


def team_of(state: IncidentState) -> set[str]:
    team = set(state.actors)
    for event in state.events:
        if event.type == "role.assigned":
            person = _str(event.data.get("person"))
            if person:
                team.add(person)
        elif event.type == "message.approved":
            approver = _str(event.data.get("approver"))
            if approver:
                team.add(approver)
    return team


def build_report(
    events: list[Event],
    playbook: Playbook,
    incident_id: str,
    *,
    now: datetime,
    tz: tzinfo | None = None,
    zone_name: str | None = None,
    redact: bool = False,
    warnings: Iterable[str] = (),
) -> dict[str, Any]:
    state = replay(events)
    team = team_of(state)
    outsiders = [
        str(e.data.get("who"))
        for e in state.events
        if e.type == "contact.logged" and e.data.get("who")
    ]
    r = Redactor(enabled=redact, team=team, outsiders=outsiders)
    ctx = _Ctx(playbook, tz, r)
    for phase in playbook.phases:
        for step in phase.steps:
            ctx.step_titles[step.id] = step.title
            ctx.phase_of[step.id] = phase.id

    end_at, end_kind = None, None
    if state.closed_at is not None:
        end_at, end_kind = state.closed_at, "closed"
    elif state.finished_at is not None:
        end_at, end_kind = state.finished_at, "finished"
    duration = None
    if state.started_at is not None:
        duration = ((end_at or now) - state.started_at).total_seconds()

    steps = _steps(ctx, state)
    deadlines = _deadlines(ctx, state, now)
    model: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generated_at": ctx.t(now),
        "timezone": zone_name or "local",
        "redacted": redact,
        "incident": {
            "id": incident_id,
            "title": r.text(state.title) or incident_id,
            "severity": state.severity,
            "status": state.status,
            "drill": state.drill,
            "playbook": {
                "id": playbook.id,
                "title": playbook.title,
                "version": playbook.version,
            },
            "opened_by": state.opened_by,
            "responders": list(state.actors),
            "started_at": ctx.t(state.started_at),
            "ended_at": ctx.t(end_at),
            "end": end_kind,
            "duration_seconds": duration,
            "inputs": [
                {
                    "id": q.id,
                    "prompt": q.prompt,
                    "value": r.text(answer_text(playbook, q.id, state.inputs[q.id])),
                }
                for q in playbook.inputs
                if q.id in state.inputs
            ],
            "closing_summary": r.text(state.summary),
        },
        "review": _review(ctx, state),
        "metrics": _metrics(ctx, state, steps, deadlines),
        "deadlines": deadlines,
        "steps": steps,
        "phases": _phases(ctx, state, end_at or state.last_event_at),
        "messages": _messages(ctx, state),
        "queue": _queue(ctx, state),
        "contacts": _contacts(ctx, state),
        "roles": _roles(ctx, state),
        "handoffs": _handoffs(ctx, state),
        "actions": [_action(ctx, a) for a in collect_actions(state)],
        "notes": [
            {
                "at": ctx.t(n.ts),
                "actor": n.actor,
                "step": n.step,
                "step_title": ctx.title(n.step) if n.step else None,
                "text": r.text(n.text),
            }
            for n in state.notes
        ],
        "timeline": [
            {
                "id": e.id,
                "at": ctx.t(e.ts),
                "actor": e.actor,
                "type": e.type,
                "text": r.text(describe(e, ctx)),
            }
            for e in state.events
        ],
        "warnings": list(warnings),
    }
    return model


# -- sections ------------------------------------------------------------------------------


def _review(ctx: _Ctx, state: IncidentState) -> dict[str, Any]:
    review: dict[str, Any] = {}
    missing = []
    for qid in REVIEW_QUESTIONS[:-1]:
        value = state.answers.get(qid)
        text = _str(answer_text(ctx.playbook, qid, value)) if value is not None else None
        if text == "—":
            text = None
        if qid == "summary" and text is None and state.summary:
            text = state.summary  # `crisis close --summary` stands in
        review[REVIEW_KEYS.get(qid, qid)] = ctx.r.text(text)
        if text is None:
            missing.append(qid)
    if not _str(state.answers.get("actions")):
        missing.append("actions")
    review["missing"] = missing
    return review


def _metrics(
    ctx: _Ctx, state: IncidentState, steps: list[dict[str, Any]], deadlines: list[dict[str, Any]]
) -> dict[str, Any]:
    reached = milestone_times(ctx.playbook, state)
    used = {s.milestone for s in ctx.playbook.steps if s.milestone}
    milestones = []
    for mid in MILESTONES:
        if mid not in used:
            continue
        hit = reached.get(mid)
        seconds = (
            (hit[1] - state.started_at).total_seconds()
            if hit is not None and state.started_at is not None
            else None
        )
        milestones.append(
            {
                "id": mid,
                "label": MILESTONE_LABELS.get(mid, mid),
                "step": hit[0] if hit else None,
                "step_title": ctx.title(hit[0]) if hit else None,
                "reached_at": ctx.t(hit[1]) if hit else None,
                "seconds": seconds,
            }
        )
    counts = {
        k: 0 for k in ("done", "skipped", "deferred", "not_applicable", "active", "not_reached")
    }
    for step in steps:
        counts[step["status"]] = counts.get(step["status"], 0) + 1
    counts["total"] = len(steps)
    dl_counts = {k: 0 for k in ("met", "missed", "open", "overdue", "waived")}
    for dl in deadlines:
        dl_counts[dl["state"]] = dl_counts.get(dl["state"], 0) + 1
    return {
        "milestones": milestones,
        "steps": counts,
        "deadlines": dl_counts,
        "notes": len(state.notes),
        "events": len(state.events),
    }


def _steps(ctx: _Ctx, state: IncidentState) -> list[dict[str, Any]]:
    out = []
    for phase in ctx.playbook.phases:
        for step in phase.steps:
            st = state.steps.get(step.id)
            status = "not_reached"
            by_condition = False
            if st is not None:
                status = {"pending": "not_reached"}.get(st.status, st.status)
            if status == "not_reached" and not applies(step, state):
                status, by_condition = "not_applicable", True
            out.append(
                {
                    "id": step.id,
                    "title": step.title,
                    "phase": phase.id,
                    "phase_title": phase.title,
                    "status": status,
                    "by_condition": by_condition,
                    "reason": ctx.r.text(st.reason) if st else None,
                    "milestone": step.milestone,
                    "entered_at": ctx.t(st.first_entered) if st else None,
                    "finished_at": ctx.t(st.finished_at) if st else None,
                    "visits": st.visits if st else 0,
                }
            )
    return out


def _deadlines(ctx: _Ctx, state: IncidentState, now: datetime) -> list[dict[str, Any]]:
    out = []
    for dl in deadline_statuses(ctx.playbook, state, now):
        late = dl.late_by
        if dl.state == "overdue":
            late = -dl.seconds_left(now)
        out.append(
            {
                "step": dl.step,
                "step_title": ctx.title(dl.step),
                "label": dl.label,
                "due_at": ctx.t(dl.due_at),
                "state": dl.state,
                "finished_at": ctx.t(dl.finished_at),
                "late_by_seconds": late,
            }
        )
    return out


def _phases(ctx: _Ctx, state: IncidentState, last: datetime | None) -> list[dict[str, Any]]:
    spans: dict[str, list[datetime | None]] = {p.id: [None, None] for p in ctx.playbook.phases}
    for event in state.events:
        step_id = event.data.get("step")
        if not isinstance(step_id, str) or step_id not in ctx.phase_of:
            continue
        span = spans[ctx.phase_of[step_id]]
        if event.type == "step.entered":
            if span[0] is None:
                span[0] = event.ts
            span[1] = max(span[1] or event.ts, event.ts)
        elif span[0] is not None:
            span[1] = max(span[1] or event.ts, event.ts)
    out = []
    for phase in ctx.playbook.phases:
        start, end = spans[phase.id]
        if start is not None:
            still = any(
                state.steps.get(s.id) is not None and state.steps[s.id].status == "active"
                for s in phase.steps
            )
            if still and last is not None:
                end = max(end or last, last)
        out.append(
            {
                "id": phase.id,
                "title": phase.title,
                "started_at": ctx.t(start),
                "ended_at": ctx.t(end),
                "start_offset_seconds": _offset(state, start),
                "end_offset_seconds": _offset(state, end),
            }
        )
    return out


def _offset(state: IncidentState, ts: datetime | None) -> float | None:
    if ts is None or state.started_at is None:
        return None
    return (ts - state.started_at).total_seconds()


def _messages(ctx: _Ctx, state: IncidentState) -> list[dict[str, Any]]:
    """The final text per step (its last recording), with approval; drafts counted."""
    final: dict[str, dict[str, Any]] = {}
    for e in state.events:
        d = e.data
        step = str(d.get("step", ""))
        if e.type == "message.recorded":
            platforms = d.get("platforms")
            previous = final.get(step)
            final[step] = {
                "step": step,
                "step_title": ctx.title(step),
                "kind": _str(d.get("kind")) or "statement",
                "text": ctx.r.text(str(d.get("text", ""))),
                "platforms": [str(p) for p in platforms] if isinstance(platforms, list) else [],
                "recorded_at": ctx.t(e.ts),
                "recorded_by": e.actor,
                "approver": None,
                "approved_at": None,
                "override": None,
                "versions": (previous["versions"] + 1) if previous else 1,
            }
        elif e.type == "message.approved" and step in final:
            msg = final[step]
            msg["approver"] = _str(d.get("approver"))
            msg["override"] = ctx.r.text(_str(d.get("override")))
            msg["approved_at"] = ctx.t(e.ts)
    return list(final.values())


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        ts = datetime.fromisoformat(text)
    except ValueError:
        return None
    return ts if ts.tzinfo is not None else None


def _queue(ctx: _Ctx, state: IncidentState) -> list[dict[str, Any]]:
    """One row per scheduled post: imported posts (decided or not), latest decision wins."""
    rows: dict[str, dict[str, Any]] = {}

    def row(post_id: str) -> dict[str, Any]:
        if post_id not in rows:
            rows[post_id] = {
                "post": post_id, "text": None, "platform": None, "due": None, "due_text": None,
                "decision": None, "reason": None, "new_time": None, "new_time_text": None,
                "decided_at": None, "decided_by": None, "decisions": 0,
            }  # fmt: skip
        return rows[post_id]

    for e in state.events:
        d = e.data
        if e.type == "queue.imported":
            for post in d.get("posts") or []:
                if isinstance(post, dict) and post.get("id") is not None:
                    entry = row(str(post["id"]))
                    entry["text"] = ctx.r.text(_str(post.get("text")))
                    entry["platform"] = _str(post.get("platform"))
                    entry["due"] = ctx.t(_parse_time(post.get("due")))
                    entry["due_text"] = _str(post.get("due"))
        elif e.type == "queue.decided":
            entry = row(str(d.get("post", "")))
            entry["decision"] = _str(d.get("decision")) or "?"
            entry["reason"] = ctx.r.text(_str(d.get("reason")))
            entry["new_time"] = ctx.t(_parse_time(d.get("new_time")))
            entry["new_time_text"] = _str(d.get("new_time"))
            entry["decided_at"] = ctx.t(e.ts)
            entry["decided_by"] = e.actor
            entry["decisions"] += 1
    return list(rows.values())


def _contacts(ctx: _Ctx, state: IncidentState) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    by_id: dict[str, dict[str, Any]] = {}
    for e in state.events:
        d = e.data
        if e.type == "contact.logged":
            entry: dict[str, Any] = {
                "id": _str(d.get("id")),
                "who": ctx.r.person(_str(d.get("who"))),
                "channel": ctx.r.text(_str(d.get("channel"))),
                "outcome": ctx.r.text(_str(d.get("outcome"))),
                "follow_up_due": ctx.t(_parse_time(d.get("follow_up_due"))),
                "follow_up_due_text": _str(d.get("follow_up_due")),
                "note": ctx.r.text(_str(d.get("note"))),
                "logged_at": ctx.t(e.ts),
                "logged_by": e.actor,
                "followed_up_at": None,
            }
            out.append(entry)
            if entry["id"] is not None:
                by_id[entry["id"]] = entry
        elif e.type == "contact.followed_up":
            found = by_id.get(str(d.get("id", "")))
            if found is not None:
                found["followed_up_at"] = ctx.t(e.ts)
    return out


def _roles(ctx: _Ctx, state: IncidentState) -> list[dict[str, Any]]:
    return [
        {
            "role": _str(e.data.get("role")) or "?",
            "person": _str(e.data.get("person")),
            "at": ctx.t(e.ts),
            "by": e.actor,
        }
        for e in state.events
        if e.type == "role.assigned"
    ]


def _handoffs(ctx: _Ctx, state: IncidentState) -> list[dict[str, Any]]:
    return [
        {
            "to": _str(e.data.get("to")),
            "brief": ctx.r.text(_str(e.data.get("brief"))),
            "at": ctx.t(e.ts),
            "by": e.actor,
        }
        for e in state.events
        if e.type == "handoff.recorded"
    ]


def _action(ctx: _Ctx, a: ActionItem) -> dict[str, Any]:
    return {
        "id": a.id,
        "text": ctx.r.text(a.text),
        "owner": ctx.r.text(a.owner),
        "due": a.due,
        "source": a.source,
        "added_at": ctx.t(a.added_at),
        "added_by": a.added_by,
        "done": a.done_at is not None,
        "done_at": ctx.t(a.done_at),
        "done_by": a.done_by,
    }


# -- timeline text -------------------------------------------------------------------------


def describe(event: Event, ctx: _Ctx) -> str:
    """One plain-text line for the timeline (escaping is the renderer's job)."""
    d = event.data
    kind = event.type
    step = ctx.title(d.get("step")) if "step" in d else ""
    pb = ctx.playbook
    if kind == "incident.opened":
        info = d.get("playbook") if isinstance(d.get("playbook"), dict) else {}
        drill = " (drill)" if d.get("drill") else ""
        return (
            f"Incident opened: {d.get('title', '')} (severity {d.get('severity', '')}, "
            f"playbook {info.get('title', '') if isinstance(info, dict) else ''}){drill}"
        )
    if kind in ("input.set", "answer.set"):
        qid = str(d.get("input" if kind == "input.set" else "question", ""))
        question = pb.questions().get(qid)
        label = question.prompt if question else qid
        return f"{label} → {answer_text(pb, qid, d.get('value'))}"
    if kind == "step.entered":
        via = {"back": " (went back)", "revisit": " (deferred, back again)"}.get(
            str(d.get("via")), ""
        )
        return f"Started step: {step}{via}"
    if kind == "step.done":
        unchecked = d.get("unchecked") or []
        extra = (
            f" ({len(unchecked)} item(s) left unticked)"
            if isinstance(unchecked, list) and unchecked
            else ""
        )
        return f"Done: {step}{extra}"
    if kind in ("step.skipped", "step.deferred", "step.not_applicable"):
        word = {"step.skipped": "Skipped", "step.deferred": "Deferred"}.get(kind, "Not applicable")
        reason = _str(d.get("reason"))
        return f"{word}: {step}" + (f" — reason: {reason}" if reason else "")
    if kind in ("item.checked", "item.unchecked"):
        item_text = pb.item_text(str(d.get("step")), str(d.get("item", "")))
        return f"{'Ticked' if kind == 'item.checked' else 'Unticked'}: {item_text}"
    if kind == "note.added":
        return f"Note: {d.get('text', '')}"
    if kind == "message.recorded":
        platforms = d.get("platforms") if isinstance(d.get("platforms"), list) else []
        names = ", ".join(str(p) for p in platforms or [])
        return f"Message for {step}" + (f" ({names})" if names else "") + " recorded"
    if kind == "message.approved":
        if d.get("override"):
            return f"Approval overridden for {step}: {d.get('override')}"
        return f"Message for {step} approved by {d.get('approver', '')}"
    simple = {
        "session.paused": "Paused",
        "session.interrupted": "Interrupted",
        "session.resumed": "Resumed",
        "incident.reopened": "Incident reopened",
    }
    if kind in simple:
        return simple[kind]
    if kind == "run.finished":
        deferred = d.get("deferred") if isinstance(d.get("deferred"), list) else []
        if deferred:
            return "Walk-through complete except deferred: " + ", ".join(
                ctx.title(s) for s in deferred
            )
        return "Walk-through complete"
    if kind == "incident.closed":
        summary = _str(d.get("summary"))
        return "Incident closed" + (f": {summary}" if summary else "")
    if kind == "exit.checked":
        met = "met" if d.get("met") is True else "not met"
        note = _str(d.get("note"))
        return f"Exit criterion {d.get('criterion', '')} {met}: {d.get('text', '')}" + (
            f" — {note}" if note else ""
        )
    if kind == "severity.changed":
        return f"Severity changed to {d.get('to', '')}"
    if kind == "title.changed":
        return f"Title changed to {d.get('to', '')}"
    if kind == "action.added":
        owner = _str(d.get("owner"))
        due = _str(d.get("due"))
        extra = ", ".join(
            x for x in (f"owner {owner}" if owner else "", f"due {due}" if due else "") if x
        )
        return f"Action item {d.get('id', '')} added: {d.get('text', '')}" + (
            f" ({extra})" if extra else ""
        )
    if kind == "action.done":
        return f"Action item {d.get('id', '')} done"
    if kind == "queue.imported":
        posts = d.get("posts") if isinstance(d.get("posts"), list) else []
        return f"Scheduled posts imported: {len(posts or [])}"
    if kind == "queue.decided":
        extra = f" to {d.get('new_time')}" if d.get("new_time") else ""
        reason = _str(d.get("reason"))
        return f"Scheduled post {d.get('post', '')}: {d.get('decision', '')}{extra}" + (
            f" — {reason}" if reason else ""
        )
    if kind == "contact.logged":
        who = ctx.r.person(_str(d.get("who"))) or "someone"
        parts = [p for p in (_str(d.get("channel")), _str(d.get("outcome"))) if p]
        note = _str(d.get("note"))
        return (
            f"Contact with {who}"
            + (f" ({', '.join(parts)})" if parts else "")
            + (f": {note}" if note else "")
        )
    if kind == "contact.followed_up":
        return f"Followed up contact {d.get('id', '')}"
    if kind == "role.assigned":
        person = _str(d.get("person"))
        return (
            f"Role {d.get('role', '')}: {person}"
            if person
            else f"Role {d.get('role', '')} open again"
        )
    if kind == "handoff.recorded":
        to = _str(d.get("to"))
        first = (_str(d.get("brief")) or "").strip().splitlines()
        return "Handoff" + (f" to {to}" if to else "") + (f": {first[0]}" if first else "")
    if kind == "message.checked":
        return f"Message for {step} checked" if step else "Message checked"
    text = _str(d.get("text"))
    return kind + (f": {text}" if text else "")


# -- entry points --------------------------------------------------------------------------


def resolve_zone(name: str | None, env: Any = None) -> tuple[tzinfo | None, str]:
    """``--tz ZONE`` → (zone, name); no name: the configured zone, else the system's own."""
    import zoneinfo

    from crisiscli.errors import UsageError

    if name is None and env is not None:
        name = _configured_zone(env)
    if name is None:
        return None, datetime.now().astimezone().tzname() or "local"
    try:
        return zoneinfo.ZoneInfo(name), name
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise UsageError(
            f"unknown time zone '{name}'", hint="use an IANA name such as Europe/Stockholm or UTC"
        ) from None


def _configured_zone(env: Any) -> str | None:
    """The team's configured time zone (``crisis config set timezone``), if any."""
    from crisiscli.config import current_config

    value = current_config(env).timezone  # a broken config file warns once, gives defaults
    if not value or str(value).strip().lower() in ("local", "system"):
        return None
    return str(value).strip()


def report_for(
    incident: Any,
    *,
    now: datetime,
    tz: tzinfo | None = None,
    zone_name: str | None = None,
    redact: bool = False,
) -> dict[str, Any]:
    """The report model of an ``Incident`` (journal + snapshot), warnings made relative."""
    events = incident.events()
    prefix = str(incident.dir) + "/"
    warnings = [w.replace(prefix, "") for w in incident.warnings]
    return build_report(
        events,
        incident.playbook(),
        incident.id,
        now=now,
        tz=tz,
        zone_name=zone_name,
        redact=redact,
        warnings=warnings,
    )
