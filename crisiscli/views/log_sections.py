"""The sections of ``log.md`` above the timeline: a pure function of the state.

Nothing here depends on the clock — a deadline reads "not done yet", never "overdue by
3m" — so the text is the same whenever it is rendered, and ``views/log.py`` can keep it
while only notes arrive. Every piece of user or playbook text is escaped for where it
lands (``text.md_*``); times are local, with UTC beside them when local is not UTC.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo
from typing import Any

from crisiscli.playbook.model import Playbook
from crisiscli.playbook.spec import MESSAGE_AUDIENCES, PLATFORM_AUDIENCES
from crisiscli.playbook.template import display_value, render
from crisiscli.record.events import AUDIENCE_WORDS, sent_words
from crisiscli.record.fold import IncidentState, MessageState
from crisiscli.record.labels import choice_label, template_values
from crisiscli.text import md_cell, md_code, md_inline, md_lines
from crisiscli.timeutil import format_duration, local_and_utc
from crisiscli.walk.deadlines import DeadlineStatus, deadline_statuses
from crisiscli.walk.flow import applies

STATUS_WORDS = {
    "done": "done",
    "skipped": "skipped",
    "deferred": "deferred",
    "not_applicable": "not applicable",
    "active": "in progress",
    "pending": "not reached",
}
DECISION_WORDS = {"keep": "keep", "cancel": "cancel", "reschedule": "reschedule"}


def answer_text(playbook: Playbook, question_id: str, value: Any) -> str:
    """The label a person chose (not the stored id), as text."""
    return display_value(choice_label(playbook, question_id, value)) or "—"


def _excerpt(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def render_head(
    state: IncidentState, playbook: Playbook, incident_id: str, tz: tzinfo | None
) -> str:
    out: list[str] = []
    drill = " (DRILL)" if state.drill else ""
    out += [f"# {md_inline(state.title or incident_id, starts_block=False)}{drill}", ""]
    if state.drill:
        out += ["> **Drill.** This is a rehearsal, not a real incident.", ""]
    out += _facts_table(state, playbook, incident_id, tz)
    if state.summary:
        out += ["## Summary", "", *md_lines(state.summary), ""]
    if playbook.inputs:
        out += ["## Facts at the start", ""]
        for q in playbook.inputs:
            value = answer_text(playbook, q.id, state.inputs.get(q.id))
            out.append(f"- **{md_inline(q.prompt)}** {md_inline(value)}")
        out.append("")
    out += _steps(state, playbook, incident_id)
    out += _deadlines(state, playbook, tz)
    out += _messages(state, playbook, tz)
    if state.queue or state.queue_imports:
        out += _queue(state, tz)
    if state.contacts:
        out += _contacts(state, tz)
    if state.evidence:
        out += _evidence(state, playbook, tz)
    if state.mentions:
        out += _mentions(state, tz)
    if state.actions:
        out += _actions(state, playbook)
    if state.exit_checks:
        out += ["## Exit criteria", ""]
        for check in sorted(state.exit_checks.values()):
            mark = "x" if check.met else " "
            note = f" — {md_inline(check.note)}" if check.note else ""
            out.append(
                f"- [{mark}] {md_inline(check.text)}{'' if check.met else ' (not met)'}{note}"
            )
        out.append("")
    summary = notification_summary(state)
    if summary:
        out += ["## Notifications", ""]
        out += [f"- {md_inline(c['text'])}" for c in summary]
        out.append("")
    if state.quarantined:
        out += ["## Lines left out of the journal's reading", ""]
        out += [f"- line {q.line}: {md_inline(q.reason)}" for q in state.quarantined]
        out.append("")
    return "\n".join(out)


def notification_summary(state: IncidentState) -> list[dict[str, Any]]:
    """One entry per notification channel: how many were delivered, are still owed, were
    given up (the delivery bookkeeping stays in the journal, out of the timeline). A channel
    is named by the name the team gave it in config.toml, never by its URL."""
    channels: dict[str, dict[str, Any]] = {}

    def name(label: str) -> str:  # earlier versions labelled webhooks by host and URL tail
        return "webhook" if label.startswith("webhook http") else label or "a channel"

    for notice in state.notices.values():
        entry = channels.setdefault(
            notice.channel,
            {"channel": name(notice.label), "delivered": 0, "waiting": 0,
             "given_up": 0, "last_error": None, "_at": notice.last_at},
        )  # fmt: skip
        if notice.last_at >= entry["_at"]:
            entry["_at"], entry["channel"] = notice.last_at, name(notice.label)
        if notice.status == "delivered":
            entry["delivered"] += 1
        elif notice.status == "given_up":
            entry["given_up"] += 1
            entry["last_error"] = notice.error
        else:
            entry["waiting"] += 1
            if notice.error:
                entry["last_error"] = notice.error
    out = []
    for entry in sorted(channels.values(), key=lambda e: str(e["channel"])):
        del entry["_at"]
        parts = [f"{entry['delivered']} delivered"]
        if entry["waiting"]:
            parts.append(f"{entry['waiting']} not delivered yet")
        if entry["given_up"]:
            parts.append(f"{entry['given_up']} given up")
        why = f" (last error: {entry['last_error']})" if entry["last_error"] else ""
        entry["text"] = f"{entry['channel']}: {', '.join(parts)}{why}"
        out.append(entry)
    return out


def _severity_text(state: IncidentState, tz: tzinfo | None) -> str:
    text = md_cell(state.severity)
    if state.severity_changes:
        # "moderate (changed from high at 22:35: shares have stopped; 2 changes)": the
        # level it is now, since when, from what and why; never "was high since 22:35".
        last = state.severity_changes[-1]
        count = len(state.severity_changes)
        source = f" from {md_cell(last.was)}" if last.was else ""
        why = f": {md_cell(last.reason)}" if last.reason else ""
        changes = f"; {count} changes" if count > 1 else ""
        text += f" (changed{source} at {local_and_utc(last.ts, tz)}{why}{changes})"
    return text


def _facts_table(
    state: IncidentState, playbook: Playbook, incident_id: str, tz: tzinfo | None
) -> list[str]:
    started = local_and_utc(state.started_at, tz, date=True) if state.started_at else "—"
    rows = [
        ("Status", state.status),
        ("Severity", _severity_text(state, tz)),
        (
            "Playbook",
            f"{md_cell(playbook.title)} ({md_code(playbook.id)} v{md_cell(playbook.version)})",
        ),
        ("Started", f"{started} by {md_cell(state.opened_by)}"),
        ("Responders", ", ".join(md_cell(a) for a in state.actors) or "—"),
    ]
    run = state.drill_run
    if run is not None:  # the scenario played and its clock (log.md has no clock: the last event)
        clock = run.clock_words(state.last_event_at or run.started_at)
        rows.append(("Drill", f"scenario {md_code(run.scenario)} · {md_cell(clock)}"))
    if state.roles or playbook.roles:
        from crisiscli.team.roles import role_rows

        shown = [
            f"{md_cell(role)}: {md_cell(person) if person else 'open'}"
            for role, person in role_rows(state, playbook)
            if person or playbook.roles
        ]
        rows.append(("Roles", " · ".join(shown)))
    rows.append(("Incident", md_code(incident_id)))
    if state.closed_at:
        rows.append(("Closed", local_and_utc(state.closed_at, tz, date=True)))
        if state.started_at:
            rows.append(
                ("Duration", format_duration((state.closed_at - state.started_at).total_seconds()))
            )
    return ["| | |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows), ""]


def _steps(state: IncidentState, playbook: Playbook, incident_id: str) -> list[str]:
    out = ["## Steps", ""]
    values = template_values(playbook, state, incident_id)
    for phase in playbook.phases:
        out += [f"### {md_inline(phase.title)}", ""]
        for step in phase.steps:
            st = state.steps.get(step.id)
            status = st.status if st else "pending"
            word = STATUS_WORDS.get(status, status)
            if status == "pending" and not applies(step, state):
                word = "not applicable (condition)"
            mark = "x" if status == "done" else " "
            line = f"- [{mark}] {md_inline(step.title)} — {word}"
            if st and st.reason:
                line += f": {md_inline(st.reason)}"
            out.append(line)
            if st and st.unchecked_at_done:
                texts = {i.id: i.text for i in step.items}
                left = [render(texts.get(i, i), values)[0] for i in st.unchecked_at_done]
                out.append(f"  - left unticked: {md_inline('; '.join(left))}")
            for q in step.questions:
                if q.id in state.answers:
                    shown = answer_text(playbook, q.id, state.answers[q.id])
                    out.append(f"  - {md_inline(q.prompt)} **{md_inline(shown)}**")
        out.append("")
    return out


def _outcome(dl: DeadlineStatus) -> str:
    """What became of one deadline, in words that hold at any hour (no clock)."""
    return settled_deadline_words(dl.state, dl.late_by, dl.why) or "not done yet"


def deadline_words(state: IncidentState, playbook: Playbook, tz: tzinfo | None) -> list[str]:
    """One line per deadline, the same at any hour (what is due, and what became of it).

    A recurring deadline is one line: how many occurrences were met and missed (each miss
    with its time), and the next one due."""
    lines: list[str] = []
    now = state.last_event_at or state.started_at
    if now is None:
        return lines
    statuses = deadline_statuses(playbook, state, now)

    def when(dl: DeadlineStatus) -> str:
        other_day = state.started_at is not None and dl.due_at.date() != state.started_at.date()
        return local_and_utc(dl.due_at, tz, date=other_day)

    cadences: dict[str, list[DeadlineStatus]] = {}
    for dl in statuses:
        if dl.kind == "cadence":
            cadences.setdefault(dl.key.rsplit(":", 1)[0], []).append(dl)
            continue
        name = md_inline(dl.label)
        if dl.kind == "promise":
            name += f" ({md_inline(_step_title(playbook, dl.step))})"
        lines.append(f"- {name} — due {when(dl)} — {_outcome(dl)}")
    for occurrences in cadences.values():
        last = occurrences[-1]
        every = f" (every {md_inline(last.every)})" if last.every else ""
        met = sum(1 for d in occurrences if d.state == "met")
        missed = [d for d in occurrences if d.state == "missed"]
        parts = [f"{met} met", f"{len(missed)} missed"]
        misses = "; ".join(f"#{d.occurrence} due {when(d)}, {_outcome(d)}" for d in missed[:5])
        if len(missed) > 5:
            misses += f"; {len(missed) - 5} more in the report"
        line = f"- {md_inline(last.label)}{every} — {', '.join(parts)}"
        line += f" ({misses})" if misses else ""
        if last.pending:
            line += f" — #{last.occurrence} due {when(last)}, not done yet"
        elif last.state == "waived":
            line += f" — #{last.occurrence} {_outcome(last)}"
        lines.append(line)
    return lines


def _step_title(playbook: Playbook, step_id: str) -> str:
    try:
        return playbook.step(step_id).title
    except KeyError:
        return f"step {step_id}"


WAIVED_WORDS = {
    "skipped": "the step was skipped",
    "not applicable": "the step did not apply",
    "not on the path": "the walk-through did not lead to the step",
    "closed before it was due": "the incident closed before it was due",
    "closed as it fell due": "the incident closed as it fell due",
}


def settled_deadline_words(state: str, late_by: float | None, why: str | None) -> str | None:
    """A deadline whose outcome no longer depends on the clock, in words (None: still open).
    The log and the report say it alike; only the report adds how long is left."""
    if state == "met":
        return f"met, {format_duration(-late_by)} early" if late_by else "met, on the minute"
    if state == "missed" and late_by is not None:
        return f"missed by {format_duration(late_by)}"
    if state == "missed" and why == "no update":
        # true whatever came next: the next interval, a re-grade that stopped the clock
        return "missed: no public update by the time it was due"
    if state == "missed":
        return "missed: not done before the incident closed"
    if state == "waived":
        return f"not needed: {WAIVED_WORDS.get(why, why)}" if why else "not needed"
    return None


def _deadlines(state: IncidentState, playbook: Playbook, tz: tzinfo | None) -> list[str]:
    lines = deadline_words(state, playbook, tz)
    return ["## Deadlines", "", *lines, ""] if lines else []


def message_fate(state: IncidentState, step_id: str) -> str:
    """What became of a step's message: ``published`` (its step is done), ``dropped`` (its
    step was skipped or is not applicable: it never goes out) or ``draft`` (not yet)."""
    st = state.steps.get(step_id)
    if st is not None and st.status == "done":
        return "published"
    if st is not None and st.status in ("skipped", "not_applicable"):
        return "dropped"
    return "draft"


def message_outcome(state: IncidentState, step_id: str) -> str:
    """``message_fate`` in words: a press statement is "issued to the press", a staff memo
    "sent to staff", only what goes on a platform is "published"."""
    fate = message_fate(state, step_id)
    message = state.messages.get(step_id)
    went = sent_words(message.audience if message is not None else None)
    if fate == "dropped":
        return f"never {went} (the step was " + STATUS_WORDS[state.steps[step_id].status] + ")"
    return went if fate == "published" else f"draft, not {went} yet"


def by_audience(messages: Iterable[MessageState]) -> list[MessageState]:
    """Messages grouped by audience (public posts first, then replies, DMs, press, staff,
    support), in the order they were written within each group."""
    order = {a: i for i, a in enumerate(MESSAGE_AUDIENCES)}
    return sorted(messages, key=lambda m: order.get(m.audience, len(order)))


def _messages(state: IncidentState, playbook: Playbook, tz: tzinfo | None) -> list[str]:
    if not state.messages:
        return []
    out = ["## Messages", ""]
    for msg in by_audience(state.messages.values()):
        try:
            title = playbook.step(msg.step).title
        except KeyError:
            title = f"step {msg.step}"
        platforms = ", ".join(md_inline(p) for p in msg.platforms) or "no platform named"
        if msg.audience in PLATFORM_AUDIENCES:
            where = (
                platforms
                if msg.audience == "public-post"
                else (f"{AUDIENCE_WORDS[msg.audience]}: {platforms}")
            )
        else:
            where = AUDIENCE_WORDS.get(msg.audience, msg.audience)
        out += [f"### {md_inline(title)} — {where}", ""]
        out += [f"> {line}" if line else ">" for line in md_lines(msg.text)]
        out.append("")
        facts = [
            message_outcome(state, msg.step).capitalize(),
            f"Written by {md_inline(msg.actor)} at {local_and_utc(msg.ts, tz)}",
        ]
        if msg.versions > 1:
            facts.append(f"{msg.versions - 1} earlier version(s) in the timeline")
        if msg.check_summary:
            facts.append(f"Checks: {md_inline(msg.check_summary)}")
        if msg.check_override:
            went = sent_words(msg.audience).capitalize()
            facts.append(f"{went} despite failed checks: {md_inline(msg.check_override)}")
        facts += approval_facts(msg, tz)
        out += [f"- {fact}" for fact in facts]
        out.append("")
    return out


def approval_facts(msg: MessageState, tz: tzinfo | None) -> list[str]:
    """What became of a version's approval, and what no longer counts (markdown lines)."""
    from crisiscli.walk.approvals import outcome

    facts = []
    for request in msg.requests:
        late = (
            f" (no answer from {md_inline(request.escalated_from)} in time)"
            if request.escalated_from
            else ""
        )
        facts.append(
            f"Asked of {md_inline(request.approver)} by {md_inline(request.actor)} at "
            f"{local_and_utc(request.ts, tz)}{late}"
        )
    if msg.override:
        when = f" ({local_and_utc(msg.approved_at, tz)})" if msg.approved_at else ""
        went = sent_words(msg.audience).capitalize()
        facts.append(f"{went} without approval{when}: {md_inline(msg.override)}")
    elif msg.decision or msg.approver:
        ts = msg.decided_at or msg.approved_at
        when = f" at {local_and_utc(ts, tz)}" if ts else ""
        word = outcome(msg)
        facts.append(f"{md_inline(word[:1].upper() + word[1:])}{when}")
    elif msg.pending_request is not None:
        pending = msg.pending_request
        facts.append(
            f"Waiting for approval from {md_inline(pending.approver)} since "
            f"{local_and_utc(pending.ts, tz)}"
        )
    from crisiscli.walk.approvals import uncounted_words, voided_words

    for gone in msg.voided:
        facts.append(
            f"No longer counts: {md_inline(voided_words(gone))} by {md_inline(gone.approver)} "
            f"(voided at {local_and_utc(gone.ts, tz)})"
        )
    for refused in msg.uncounted:  # approval.require_signature: the signature did not verify
        facts.append(
            f"Decision by {md_inline(refused.approver)} at {local_and_utc(refused.ts, tz)}: "
            f"{md_inline(uncounted_words(refused))}"
        )
    return facts


def _queue(state: IncidentState, tz: tzinfo | None) -> list[str]:
    out = ["## Scheduled posts", ""]
    for source in state.queue_imports:
        hours = source.window_hours
        window = f"{hours:g}" if isinstance(hours, (int, float)) else "?"
        out.append(
            f"- Imported {md_inline(source.source)} at "
            f"{local_and_utc(source.ts, tz, date=True)} by {md_inline(source.actor)}: "
            f"{source.posts} post(s) in the next {window} h"
        )
    out += ["", "| Post | Due | Platform | Text | Decision | Reason | By |"]
    out.append("|---|---|---|---|---|---|---|")
    for post in state.queue.values():
        due = local_and_utc(post.due, tz, date=True) if post.due else "—"
        if post.decision is None:
            decision = "**undecided**"
        elif post.decision == "reschedule" and post.new_time is not None:
            decision = f"reschedule to {local_and_utc(post.new_time, tz, date=True)}"
        else:
            decision = DECISION_WORDS.get(post.decision, md_cell(post.decision))
        out.append(
            f"| {md_code(post.id)} | {due} | {md_cell(post.platform or '—')} "
            f"| {md_cell(_excerpt(post.text))} | {decision} | {md_cell(post.reason or '')} "
            f"| {md_cell(post.decided_by or '')} |"
        )
    out.append("")
    return out


def _contacts(state: IncidentState, tz: tzinfo | None) -> list[str]:
    out = ["## Contacts", ""]
    out.append("| Id | When | Who | Channel | Outcome | Follow-up | Note | By |")
    out.append("|---|---|---|---|---|---|---|---|")
    for c in state.contacts.values():
        if c.follow_up_due is None:
            follow = "—"
        elif c.followed_up_at is not None:
            follow = f"done {local_and_utc(c.followed_up_at, tz, date=True)}"
        else:
            follow = f"due {local_and_utc(c.follow_up_due, tz, date=True)}, not done yet"
        out.append(
            f"| {md_cell(c.id)} | {local_and_utc(c.ts, tz, date=True)} | {md_cell(_excerpt(c.who, 80))} "
            f"| {md_cell(c.channel)} | {md_cell(c.outcome)} | {follow} "
            f"| {md_cell(_excerpt(c.note or '', 80))} | {md_cell(c.actor)} |"
        )
    out.append("")
    return out


def _actions(state: IncidentState, playbook: Playbook) -> list[str]:
    out = ["## Action items", "", "| Id | What | Owner | Due | Status |", "|---|---|---|---|---|"]
    for a in state.actions.values():
        status = f"done by {md_cell(a.done_by or '')}" if a.done_at else "open"
        out.append(
            f"| {md_cell(a.id)} | {md_cell(a.text)} | {md_cell(a.owner or '—')} "
            f"| {md_cell(a.due or '—')} | {status} |"
        )
    out.append("")
    return out


def size_text(size: int | None) -> str:
    if size is None:
        return "—"
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def _evidence(state: IncidentState, playbook: Playbook, tz: tzinfo | None) -> list[str]:
    out = [
        "## Evidence",
        "",
        "Files are kept as `evidence/<sha256>`; `crisis evidence verify` checks them.",
        "",
    ]
    out += ["| When | By | What | Type | Size | SHA-256 | Note |", "|---|---|---|---|---|---|---|"]
    for item in state.evidence:
        what = md_cell(item.name)
        titles = {st.id: st.title for st in playbook.steps}
        if item.step in titles:
            what += f" (at {md_cell(titles[item.step])})"
        sha = md_code(item.sha256) if item.sha256 else "link"
        out.append(
            f"| {local_and_utc(item.ts, tz, date=True)} | {md_cell(item.actor)} | {what} "
            f"| {md_cell(item.type or '—')} | {size_text(item.size)} | {sha} "
            f"| {md_cell(item.note or '')} |"
        )
    out.append("")
    return out


def mention_rows(state: IncidentState) -> list[tuple[str, str, str, str, str]]:
    """Per mention count: count, per, baseline, ratio, source (plain words)."""
    rows = []
    for m in state.mentions:
        ratio = f"{m.ratio:.1f}x" if m.ratio is not None else "—"
        baseline = f"{m.baseline:g}" if m.baseline else "—"
        rows.append((str(m.amount), m.per, baseline, ratio, m.source or ""))
    return rows


def _mentions(state: IncidentState, tz: tzinfo | None) -> list[str]:
    out = ["## Mentions", "", "| When | Count | Per | Normal | Ratio | Source | By |"]
    out.append("|---|---|---|---|---|---|---|")
    for m, (count, per, baseline, ratio, source) in zip(
        state.mentions, mention_rows(state), strict=True
    ):
        out.append(
            f"| {local_and_utc(m.ts, tz, date=True)} | {count} | {per} | {baseline} | {ratio} "
            f"| {md_cell(source)} | {md_cell(m.actor)} |"
        )
    out.append("")
    return out
