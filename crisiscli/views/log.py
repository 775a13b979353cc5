"""The markdown incident log: a pure function of the state and the playbook snapshot.

Every piece of user or playbook text passes through ``md_escape`` so that markup in a
note is logged literally; times are shown local and UTC.
"""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo
from typing import Any

from crisiscli.playbook.model import Playbook
from crisiscli.playbook.template import display_value
from crisiscli.record.fold import IncidentState
from crisiscli.record.journal import Event
from crisiscli.text import md_escape, md_escape_block
from crisiscli.walk.deadlines import deadline_statuses, format_duration
from crisiscli.walk.flow import applies

STATUS_WORDS = {
    "done": "done",
    "skipped": "skipped",
    "deferred": "deferred",
    "not_applicable": "not applicable",
    "active": "in progress",
    "pending": "not reached",
}


def local_and_utc(ts: datetime, tz: tzinfo | None = None, *, date: bool = False) -> str:
    local = ts.astimezone(tz) if tz else ts.astimezone()
    utc = ts.astimezone(timezone.utc)
    fmt = "%Y-%m-%d %H:%M:%S" if date else "%H:%M:%S"
    zone = local.tzname() or local.strftime("%z")
    return f"{local.strftime(fmt)} {zone} ({utc.strftime('%H:%M:%S')} UTC)"


def _step_title(playbook: Playbook, step_id: Any) -> str:
    try:
        return md_escape(playbook.step(str(step_id)).title)
    except KeyError:
        return f"step {md_escape(str(step_id))}"


def _question_label(playbook: Playbook, qid: str) -> str:
    question = playbook.questions().get(qid)
    return md_escape(question.prompt if question else qid)


def answer_text(playbook: Playbook, qid: str, value: Any) -> str:
    """The label a person chose, not the stored id, where the question has choices."""
    question = playbook.questions().get(qid)
    if question is not None and question.choices:
        labels = {c.value: c.label for c in question.choices}
        if isinstance(value, list):
            value = [labels.get(str(v), str(v)) for v in value]
        elif value is not None:
            value = labels.get(str(value), str(value))
    return display_value(value) or "—"


def describe_event(event: Event, playbook: Playbook) -> str:
    """One markdown line saying what happened (user text escaped)."""
    d = event.data
    kind = event.type
    step = _step_title(playbook, d.get("step")) if "step" in d else ""
    if kind == "incident.opened":
        pb = d.get("playbook", {}) if isinstance(d.get("playbook"), dict) else {}
        drill = " — **drill**" if d.get("drill") else ""
        return (
            f"Incident opened: {md_escape(str(d.get('title', '')))} "
            f"(severity {md_escape(str(d.get('severity', '')))}, playbook "
            f"{md_escape(str(pb.get('title', '')))}){drill}"
        )
    if kind == "input.set":
        qid = str(d.get("input", ""))
        return f"{_question_label(playbook, qid)} → {md_escape(answer_text(playbook, qid, d.get('value')))}"
    if kind == "answer.set":
        qid = str(d.get("question", ""))
        return f"{_question_label(playbook, qid)} → {md_escape(answer_text(playbook, qid, d.get('value')))}"
    if kind == "step.entered":
        via = {"back": " (went back)", "revisit": " (deferred, back again)"}.get(
            str(d.get("via")), ""
        )
        return f"Started step: {step}{via}"
    if kind == "step.done":
        unchecked = d.get("unchecked") or []
        extra = f" ({len(unchecked)} item(s) left unticked)" if unchecked else ""
        return f"Done: {step}{extra}"
    if kind == "step.skipped":
        return f"Skipped: {step} — reason: {md_escape(str(d.get('reason', '')))}"
    if kind == "step.deferred":
        reason = d.get("reason")
        return f"Deferred: {step}" + (f" — {md_escape(str(reason))}" if reason else "")
    if kind == "step.not_applicable":
        reason = d.get("reason")
        return f"Not applicable: {step}" + (f" — {md_escape(str(reason))}" if reason else "")
    if kind in ("item.checked", "item.unchecked"):
        item_text = playbook.item_text(str(d.get("step")), str(d.get("item", "")))
        verb = "Ticked" if kind == "item.checked" else "Unticked"
        return f"{verb}: {md_escape(item_text)}"
    if kind == "note.added":
        text = str(d.get("text", ""))
        lines = md_escape_block(text)
        if len(lines) == 1:
            return f"Note: {lines[0]}"
        return "Note:<br>" + "<br>".join(lines)
    if kind == "message.recorded":
        platforms = ", ".join(md_escape(str(p)) for p in d.get("platforms", []) or [])
        return f"Message for {step}" + (f" ({platforms})" if platforms else "") + " recorded"
    if kind == "message.checked":
        checks = md_escape(str(d.get("summary", "")))
        despite = d.get("override")
        line = f"Checked the message for {step}: {checks}"
        if despite:
            line += f" — published despite the errors: {md_escape(str(despite))}"
        return line
    if kind == "message.approved":
        override = d.get("override")
        if override:
            return f"Approval overridden for {step}: {md_escape(str(override))}"
        return f"Message for {step} approved by {md_escape(str(d.get('approver', '')))}"
    if kind == "session.paused":
        return "Paused"
    if kind == "session.interrupted":
        return "Interrupted (Ctrl-C)"
    if kind == "session.resumed":
        return "Resumed"
    if kind in ("walker.started", "walker.taken_over"):
        where = md_escape(f"{d.get('host', '?')} {d.get('tty', '')}".strip())
        verb = "Took over the walk-through" if kind == "walker.taken_over" else "Walking"
        return f"{verb} (pid {md_escape(str(d.get('pid', '?')))} on {where})"
    if kind == "run.finished":
        deferred = d.get("unfinished") or d.get("deferred") or []
        if deferred:
            names = ", ".join(_step_title(playbook, s) for s in deferred)
            return f"Walk-through ended with steps still open: {names}"
        return "Walk-through complete"
    if kind == "incident.closed":
        summary = d.get("summary")
        return "Incident closed" + (f": {md_escape(str(summary))}" if summary else "")
    if kind == "incident.reopened":
        return "Incident reopened"
    if kind == "severity.changed":
        reason = d.get("reason")
        return f"Severity changed to {md_escape(str(d.get('to', '')))}" + (
            f" — {md_escape(str(reason))}" if reason else ""
        )
    if kind == "title.changed":
        return f"Title changed to {md_escape(str(d.get('to', '')))}"
    if kind == "action.added":
        owner = f", owner {md_escape(str(d['owner']))}" if d.get("owner") else ""
        due = f", due {md_escape(str(d['due']))}" if d.get("due") else ""
        return (
            f"Action item {md_escape(str(d.get('id', '')))} added: "
            f"{md_escape(str(d.get('text', '')))}{owner}{due}"
        )
    if kind == "action.done":
        return f"Action item {md_escape(str(d.get('id', '')))} done"
    if kind in _QUEUE_AND_CONTACT_EVENTS:
        return _describe_queue_or_contact(event)
    if kind == "role.assigned":
        role, person = md_escape(str(d.get("role", ""))), str(d.get("person") or "").strip()
        return f"Role {role}: {md_escape(person)}" if person else f"Role {role} left open"
    if kind == "handoff.recorded":
        return _describe_handoff(d)
    return f"{md_escape(kind)}"


_QUEUE_AND_CONTACT_EVENTS = (
    "queue.imported",
    "queue.decided",
    "contact.logged",
    "contact.followed_up",
)
DECISION_WORDS = {"keep": "keep", "cancel": "cancel", "reschedule": "reschedule"}


def _short_time(value: Any, tz: tzinfo | None = None) -> str:
    if not isinstance(value, str):
        return "—"
    try:
        ts = datetime.fromisoformat(value)
    except ValueError:
        return md_escape(value)
    if ts.tzinfo is None:
        return md_escape(value)
    return local_and_utc(ts, tz, date=True)


def _hours(value: Any) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else md_escape(str(value))


def _excerpt(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _describe_queue_or_contact(event: Event) -> str:
    d = event.data
    kind = event.type
    if kind == "queue.imported":
        posts = d.get("posts") if isinstance(d.get("posts"), list) else []
        return (
            f"Scheduled posts imported from {md_escape(str(d.get('source', '')))}: "
            f"{len(posts or [])} due in the next {_hours(d.get('hours', '?'))} h"
        )
    if kind == "queue.decided":
        decision = str(d.get("decision", ""))
        line = f"Scheduled post {md_escape(str(d.get('post', '')))}: {md_escape(decision)}"
        if decision == "reschedule":
            line += f" to {_short_time(d.get('new_time'))}"
        reason = d.get("reason")
        return line + (f" — {md_escape(str(reason))}" if reason else "")
    if kind == "contact.logged":
        line = (
            f"Contact {md_escape(str(d.get('id', '')))}: {md_escape(_excerpt(str(d.get('who', '')), 80))} "
            f"by {md_escape(str(d.get('channel', '')))} — {md_escape(str(d.get('outcome', '')))}"
        )
        if d.get("follow_up_due"):
            line += f"; follow up by {_short_time(d.get('follow_up_due'))}"
        return line
    return f"Followed up contact {md_escape(str(d.get('id', '')))}"


def _queue_section(state: IncidentState, tz: tzinfo | None) -> list[str]:
    out = ["## Scheduled posts", ""]
    for source in state.queue_imports:
        out.append(
            f"- Imported {md_escape(str(source['source']))} at "
            f"{local_and_utc(source['ts'], tz, date=True)} by {md_escape(str(source['actor']))}: "
            f"{source['posts']} post(s) in the next {_hours(source['window_hours'])} h"
        )
    out.append("")
    out.append("| Post | Due | Platform | Text | Decision | Reason | By |")
    out.append("|---|---|---|---|---|---|---|")
    for post in state.queue.values():
        due = local_and_utc(post.due, tz, date=True) if post.due else "—"
        if post.decision is None:
            decision = "**undecided**"
        elif post.decision == "reschedule" and post.new_time is not None:
            decision = f"reschedule to {local_and_utc(post.new_time, tz, date=True)}"
        else:
            decision = DECISION_WORDS.get(post.decision, md_escape(post.decision))
        by = md_escape(post.decided_by) if post.decided_by else ""
        out.append(
            f"| `{md_escape(post.id)}` | {due} | {md_escape(post.platform or '—')} "
            f"| {md_escape(_excerpt(post.text))} | {decision} | {md_escape(post.reason or '')} "
            f"| {by} |"
        )
    out.append("")
    return out


def _contacts_section(state: IncidentState, now: datetime, tz: tzinfo | None) -> list[str]:
    out = ["## Contacts", ""]
    out.append("| Id | When | Who | Channel | Outcome | Follow-up | Note | By |")
    out.append("|---|---|---|---|---|---|---|---|")
    for c in state.contacts.values():
        if c.follow_up_due is None:
            follow = "—"
        elif c.followed_up_at is not None:
            follow = f"done {local_and_utc(c.followed_up_at, tz, date=True)}"
        elif c.follow_up_due <= now:
            follow = f"**OVERDUE** (due {local_and_utc(c.follow_up_due, tz, date=True)})"
        else:
            follow = f"due {local_and_utc(c.follow_up_due, tz, date=True)}"
        out.append(
            f"| {md_escape(c.id)} | {local_and_utc(c.ts, tz, date=True)} | {md_escape(_excerpt(c.who, 80))} "
            f"| {md_escape(c.channel)} | {md_escape(c.outcome)} | {follow} "
            f"| {md_escape(_excerpt(c.note or '', 80))} | {md_escape(c.actor)} |"
        )
    out.append("")
    return out


def _role_row(state: IncidentState, playbook: Playbook) -> list[tuple[str, str]]:
    if not state.roles and not playbook.roles:
        return []
    from crisiscli.team.roles import role_rows

    shown = [
        f"{md_escape(role)}: {md_escape(person) if person else 'open'}"
        for role, person in role_rows(state, playbook)
        if person or playbook.roles
    ]
    return [("Roles", " · ".join(shown))]


def _describe_handoff(d: dict[str, Any]) -> str:
    to = str(d.get("to") or "").strip()
    raw = d.get("counts")
    counts: dict[str, Any] = raw if isinstance(raw, dict) else {}
    words = {
        "overdue": "deadline(s) overdue",
        "deferred": "deferred",
        "follow_ups": "follow-up(s) owed",
        "approvals": "approval(s) pending",
        "actions": "open action(s)",
    }
    open_items = [
        f"{counts[k]} {w}"
        for k, w in words.items()
        if isinstance(counts.get(k), int) and not isinstance(counts.get(k), bool) and counts[k]
    ]
    text = "Handoff" + (f" to {md_escape(to)}" if to else "")
    return text + (f" — {', '.join(open_items)}" if open_items else " — nothing left open")


def render_log(
    state: IncidentState,
    playbook: Playbook,
    incident_id: str,
    *,
    now: datetime | None = None,
    tz: tzinfo | None = None,
) -> str:
    now = now or datetime.now(timezone.utc)
    out: list[str] = []
    drill = " (DRILL)" if state.drill else ""
    out.append(f"# {md_escape(state.title or incident_id)}{drill}")
    out.append("")
    if state.drill:
        out.append("> **Drill.** This is a rehearsal, not a real incident.")
        out.append("")
    started = local_and_utc(state.started_at, tz, date=True) if state.started_at else "—"
    rows = [
        ("Status", state.status),
        ("Severity", md_escape(state.severity)),
        (
            "Playbook",
            f"{md_escape(playbook.title)} (`{playbook.id}` v{md_escape(playbook.version)})",
        ),
        ("Started", f"{started} by {md_escape(state.opened_by)}"),
        ("Responders", ", ".join(md_escape(a) for a in state.actors) or "—"),
        *_role_row(state, playbook),
        ("Incident", f"`{incident_id}`"),
    ]
    if state.closed_at:
        rows.append(("Closed", local_and_utc(state.closed_at, tz, date=True)))
        if state.started_at:
            rows.append(
                ("Duration", format_duration((state.closed_at - state.started_at).total_seconds()))
            )
    out.append("| | |")
    out.append("|---|---|")
    out.extend(f"| {k} | {v} |" for k, v in rows)
    out.append("")
    if state.summary:
        out.append("## Summary")
        out.append("")
        out.extend(md_escape_block(state.summary))
        out.append("")
    if playbook.inputs:
        out.append("## Facts at the start")
        out.append("")
        for q in playbook.inputs:
            value = answer_text(playbook, q.id, state.inputs.get(q.id))
            out.append(f"- **{md_escape(q.prompt)}** {md_escape(value)}")
        out.append("")
    out.append("## Steps")
    out.append("")
    for phase in playbook.phases:
        out.append(f"### {md_escape(phase.title)}")
        out.append("")
        for step in phase.steps:
            st = state.steps.get(step.id)
            status = st.status if st else "pending"
            word = STATUS_WORDS.get(status, status)
            if status == "pending" and not applies(step, state):
                word = "not applicable (condition)"
            mark = {"done": "x"}.get(status, " ")
            line = f"- [{mark}] {md_escape(step.title)} — {word}"
            if st and st.reason:
                line += f": {md_escape(st.reason)}"
            out.append(line)
            for q in step.questions:
                if q.id in state.answers:
                    out.append(
                        f"  - {md_escape(q.prompt)} **{md_escape(answer_text(playbook, q.id, state.answers[q.id]))}**"
                    )
        out.append("")
    deadlines = deadline_statuses(playbook, state, now)
    if deadlines:
        out.append("## Deadlines")
        out.append("")
        for dl in deadlines:
            other_day = state.started_at is not None and dl.due_at.date() != state.started_at.date()
            due = local_and_utc(dl.due_at, tz, date=other_day)
            if dl.state == "met":
                detail = f"met, {format_duration(-(dl.late_by or 0))} early"
            elif dl.state == "missed" and dl.late_by is not None:
                detail = f"missed by {format_duration(dl.late_by)}"
            elif dl.state == "overdue":
                detail = f"OVERDUE by {format_duration(-dl.seconds_left(now))}"
            else:
                detail = {"waived": "not needed", "missed": "missed", "open": "open"}[dl.state]
            out.append(f"- {md_escape(dl.label)} — due {due} — {detail}")
        out.append("")
    if state.messages:
        out.append("## Messages")
        out.append("")
        final: dict[str, Any] = {}
        drafts: dict[str, int] = {}
        for msg in state.messages:  # the last version of each step's message is the final one
            final[msg.step] = msg
            drafts[msg.step] = drafts.get(msg.step, 0) + 1
        for msg in final.values():
            platforms = ", ".join(md_escape(p) for p in msg.platforms) or "no platform named"
            out.append(f"### {_step_title(playbook, msg.step)} — {platforms}")
            out.append("")
            out.extend(f"> {line}" if line else ">" for line in md_escape_block(msg.text))
            out.append("")
            facts = [f"Written by {md_escape(msg.actor)} at {local_and_utc(msg.ts, tz)}"]
            if drafts[msg.step] > 1:
                facts.append(f"{drafts[msg.step] - 1} earlier version(s) in the timeline")
            if msg.check_summary:
                facts.append(f"Checks: {md_escape(msg.check_summary)}")
            if msg.check_override:
                facts.append(f"Published despite failed checks: {md_escape(msg.check_override)}")
            if msg.override:
                when = f" ({local_and_utc(msg.approved_at, tz)})" if msg.approved_at else ""
                facts.append(f"Published without approval{when}: {md_escape(msg.override)}")
            elif msg.approver:
                when = f" at {local_and_utc(msg.approved_at, tz)}" if msg.approved_at else ""
                facts.append(f"Approved by {md_escape(msg.approver)}{when}")
            out.extend(f"- {fact}" for fact in facts)
            out.append("")
    if state.queue or state.queue_imports:
        out.extend(_queue_section(state, tz))
    if state.contacts:
        out.extend(_contacts_section(state, now, tz))
    out.append("## Timeline")
    out.append("")
    current_day = None
    for event in state.events:
        local = event.ts.astimezone(tz) if tz else event.ts.astimezone()
        day = local.strftime("%Y-%m-%d")
        if day != current_day:
            out.append(f"**{day}**")
            out.append("")
            current_day = day
        out.append(
            f"- {local_and_utc(event.ts, tz)} · {md_escape(event.actor)} · {describe_event(event, playbook)}"
        )
    out.append("")
    return "\n".join(out)
