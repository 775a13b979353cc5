"""Where an incident stands: the data behind ``crisis status`` and ``crisis handoff``.

``build_brief`` reads the fold's state and the playbook snapshot, nothing else: the step
the walk-through is at, progress, every step left unfinished (deferred, or begun and not
finished) by title, items left unticked, deadlines still open or overdue, follow-ups owed,
messages waiting for approval, open action items and the last notes. ``render_brief`` is
the handoff's plain text, ``render_status`` the short form; ``brief_json`` is both JSONs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from crisiscli.playbook.model import Playbook
from crisiscli.playbook.spec import PLATFORM_AUDIENCES
from crisiscli.record.events import AUDIENCE_WORDS
from crisiscli.record.fold import IncidentState
from crisiscli.team.contacts import open_follow_ups
from crisiscli.team.roles import role_rows
from crisiscli.text import one_line
from crisiscli.timeutil import format_duration, short_when, since_start
from crisiscli.walk.deadlines import deadline_statuses, gate_statuses
from crisiscli.walk.flow import comes_back, next_target, position, unfinished

if TYPE_CHECKING:
    from crisiscli.record.store import Incident


def _text(value: Any) -> str:
    return one_line(str(value)) if value not in (None, "") else ""


def unfinished_steps(
    state: IncidentState, playbook: Playbook, now: datetime
) -> list[dict[str, Any]]:
    """Steps deferred, or begun and left without an outcome, by title (never lost from sight;
    the step the walk-through is at is "now", not "left behind")."""
    out = []
    for step_id in unfinished(playbook, state):
        st, step = state.steps[step_id], playbook.step(step_id)
        back, why = comes_back(playbook, state, step_id, now)
        out.append(
            {
                "step": step.id,
                "title": step.title,
                "reason": st.reason or "",
                "status": st.status,
                # a deferred step with a deadline comes back at this time: before it is
                # due ("deadline") or, deferred again, when it is ("overdue"); else before
                # the next phase ("phase"), in the final round ("end"), or from the menu
                "back_at": back,
                "back_why": why,
            }
        )
    return out


def pending_approvals(
    state: IncidentState, playbook: Playbook, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The current message of each step that needs an approval and has none (nor an
    override): put to someone and waiting (who, since when), or not put to anyone yet."""
    from crisiscli.walk import approvals

    pending = []
    for message in state.messages.values():
        try:
            step = playbook.step(message.step)
        except KeyError:
            continue
        if not approvals.needs_approval(step) or approvals.settled(message):
            continue
        st = state.steps.get(step.id)
        if st is not None and st.status in ("skipped", "not_applicable"):
            continue  # a draft that will not go out needs no approval
        request = message.pending_request
        pending.append(
            {
                "step": step.id,
                "title": step.title,
                "platforms": list(message.platforms),
                "audience": message.audience,
                "text": message.text,
                "recorded_at": message.ts,
                "by": message.actor,
                "approver": request.approver if request else None,
                "asked_at": request.ts if request else None,
                "waiting": (
                    approvals.waiting_text(request, now)
                    if request and now
                    else approvals.outcome(message)
                ),
                # decisions that arrived and do not count (signature, or an earlier version)
                "not_counted": approvals.not_counted(message),
            }
        )
    return pending


def build_brief(
    incident: Incident,
    *,
    now: datetime,
    to: str | None = None,
    tz: tzinfo | None = None,
    state: IncidentState | None = None,
) -> dict[str, Any]:
    """Everything the next person needs, as data (``render_brief`` makes it text)."""
    state = state if state is not None else incident.state()
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
            "step": d.step or None,
            "label": d.label,
            "kind": d.kind,
            "every": d.every,
            "due": d.due_at,
            "state": d.state,
            "seconds_left": d.seconds_left(now),
        }
        for d in deadline_statuses(book, state, now)
        if d.state in ("overdue", "open")
    ]
    follow_ups = [
        {
            "contact": f.contact_id,
            "who": _text(f.who) or "someone",
            "channel": f.channel,
            "outcome": f.outcome,
            "due": f.due,
            "overdue": f.overdue,
        }
        for f in open_follow_ups(state, now)
    ]
    previous = state.handoffs[-1] if state.handoffs else None
    unfinished = unfinished_steps(state, book, now)
    gates = gate_statuses(book, state, now)
    return {
        "id": incident.id,
        "title": state.title,
        "status": state.status,
        "severity": state.severity,
        "drill": state.drill,
        "drill_run": _drill_run(state, now),
        "playbook": {"id": book.id, "title": book.title, "version": book.version},
        "started": state.started_at,
        "elapsed_seconds": (now - state.started_at).total_seconds() if state.started_at else 0,
        "at": now,
        "from": incident.env.actor,
        "to": to,
        "roles": [{"role": r, "person": p} for r, p in role_rows(state, book)],
        "current": current,
        "steps": counts,
        "step_count": len(book.steps),
        "deferred": [_without_status(u) for u in unfinished if u["status"] == "deferred"],
        "unfinished": [_without_status(u) for u in unfinished if u["status"] == "active"],
        "unticked": unticked,
        "deadlines": deadlines,
        "early": [
            {
                "step": g.step,
                "title": book.step(g.step).title,
                "not_before": g.opens_at,
                "at": g.done_at,
                "by": g.by,
                "reason": g.reason,
            }
            for g in gates
            if g.state == "early"
        ],
        "gates": [
            {"step": g.step, "title": book.step(g.step).title, "not_before": g.opens_at}
            for g in gates
            if g.state == "waiting"
        ],
        "below_floor": [
            {
                "at": c.ts,
                "by": c.actor,
                "to": c.to,
                "floor": c.floor,
                "facts": c.floor_facts,
                "reason": c.reason,
            }
            for c in state.severity_changes
            if c.floor
        ],
        "unanswered": [
            {"id": r.id, "who": r.who, "platform": r.platform, "since": r.added_at}
            for r in state.replies.values()
            if r.unanswered
        ],
        "follow_ups": follow_ups,
        "approvals": pending_approvals(state, book, now),
        "evidence": {
            "files": sum(1 for e in state.evidence if e.kind == "file"),
            "links": sum(1 for e in state.evidence if e.kind == "link"),
            "last": [
                {"name": e.name, "kind": e.kind, "at": e.ts, "by": e.actor}
                for e in state.evidence[-3:]
            ],
        },
        "mentions": (
            {
                "count": state.mentions[-1].amount,
                "per": state.mentions[-1].per,
                "ratio": state.mentions[-1].ratio,
                "at": state.mentions[-1].ts,
            }
            if state.mentions
            else None
        ),
        "actions": [
            {"id": a.id, "text": a.text, "owner": a.owner, "due": a.due}
            for a in state.actions.values()
            if a.done_at is None
        ],
        "queue": {
            "posts": len(state.queue),
            "undecided": sum(1 for p in state.queue.values() if p.decision is None),
        },
        "responders": list(state.actors),
        "notes": [
            {"ts": n.ts, "actor": n.actor, "text": n.text, "step": n.step} for n in state.notes[-5:]
        ],
        "drafts": [
            {
                "ts": d.ts,
                "actor": d.actor,
                "field": d.field,
                "step": d.step,
                "step_title": book.step(d.step).title if d.step and book.has_step(d.step) else None,
                "words": len(d.text.split()),
            }
            for d in state.drafts.values()
        ],
        "previous_handoff": (
            {"ts": previous.ts, "from": previous.actor, "to": previous.to} if previous else None
        ),
        "log": str(incident.log_path),
        "left_out": [{"line": q.line, "reason": q.reason} for q in state.quarantined],
        # where the team signs: how many events verify, and the latest that do not
        "signatures": dict(state.signatures),
        # the team signs, and this machine has no key: what it records is unsigned
        "no_key_here": bool(state.signatures) and _no_key(incident),
        "unproven": [
            {"at": u.ts, "actor": u.actor, "type": u.type, "id": u.event_id, "why": u.why}
            for u in state.unproven[-3:]
        ],
        "tz": tz,
    }


def _no_key(incident: Incident) -> bool:
    from crisiscli.record.signing import configured_key

    return configured_key(incident.env) is None


def _signature_lines(brief: dict[str, Any], tz: tzinfo | None, now: datetime) -> list[str]:
    """Where the team signs: how many events verify, and the latest that do not, named."""
    counts = brief.get("signatures")
    if not counts:
        return []
    from crisiscli.record.signing import counted_words

    out = [f"  signatures: {counted_words(counts)} (marked in crisis log)"]
    for u in brief.get("unproven", []):
        out.append(
            f"    {short_when(u['at'], tz, now)} {_text(u['actor'])} ({u['type']}):"
            f" {_text(u['why'])}"
        )
    if brief.get("no_key_here"):
        out.append(
            "    you sign nothing here: no key is set"
            " (crisis config set signing.key ~/.ssh/id_ed25519; crisis signers check)"
        )
    return out


def _without_status(step: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in step.items() if k != "status"}


def _drill_run(state: IncidentState, now: datetime) -> dict[str, Any] | None:
    """A drill's clock and the injects played so far, latest five (never what comes next)."""
    from crisiscli.drill.scenario import offset_text
    from crisiscli.record.events import INJECT_WORDS

    run = state.drill_run
    if run is None:
        return None
    played = sorted(run.played.values(), key=lambda i: (i.ts, i.key))[-5:]
    return {
        "time": run.clock_words(now),
        "injects": [
            {
                "at": i.ts,
                "drill_at": offset_text(run.offset(i.ts) + 0.001),  # drill time: +4m
                "kind": INJECT_WORDS.get(i.kind, i.kind),
                "from": i.sender,
                "text": i.text,
            }
            for i in played
        ],
    }


def brief_counts(brief: dict[str, Any]) -> dict[str, int]:
    return {
        "deferred": len(brief["deferred"]),
        "unfinished": len(brief["unfinished"]),
        "follow_ups": len(brief["follow_ups"]),
        "approvals": len(brief["approvals"]),
        "overdue": sum(1 for d in brief["deadlines"] if d["state"] == "overdue"),
        "actions": len(brief["actions"]),
    }


def _progress(brief: dict[str, Any]) -> str:
    counts = brief["steps"]
    extra = "".join(
        f", {n} {k.replace('_', ' ')}" for k, n in counts.items() if k not in ("done", "pending")
    )
    return f"{counts.get('done', 0)} done of {brief['step_count']}{extra}"


def deadline_name(d: dict[str, Any]) -> str:
    """``Holding line``, ``Public update (every 30m)``, ``Promised next update``."""
    every = f" (every {d['every']})" if d.get("kind") == "cadence" and d.get("every") else ""
    return f"{_text(d['label'])}{every}"


def _step_line(u: dict[str, Any], tz: tzinfo | None = None, now: datetime | None = None) -> str:
    reason = f" — {_text(u['reason'])}" if u["reason"] else ""
    return f"{_text(u['title'])}{reason}{_back_words(u, tz, now)}"


def _back_words(u: dict[str, Any], tz: tzinfo | None, now: datetime | None) -> str:
    said = back_words(u.get("back_at"), u.get("back_why", ""), tz, now)
    return f" ({said})" if said else ""


def back_words(back: datetime | None, why: str, tz: tzinfo | None, now: datetime | None) -> str:
    """When a deferred step comes back by itself (``flow.comes_back``), as a clause."""
    if back is not None and now is not None:
        if back <= now:
            passed = why == "overdue"
            return "comes back now: its deadline " + ("has passed" if passed else "nears")
        when = short_when(back, tz, now)
        if why == "overdue":
            return f"comes back at {when}, when its deadline passes"
        return f"comes back at {when}, before its deadline"
    return {
        "phase": "comes back before the next phase begins",
        "end": "comes back at the end of the walk-through",
        "menu": "comes back only from the step menu",
    }.get(why, "")


def render_brief(brief: dict[str, Any]) -> str:
    """Plain text for a terminal, a chat message or the journal (no markup, one fact a line)."""
    tz: tzinfo | None = brief["tz"]
    now: datetime = brief["at"]
    out: list[str] = []
    drill = "  [DRILL — a rehearsal]" if brief["drill"] else ""
    out.append(f"HANDOFF: {_text(brief['title'])}{drill}")
    out.append(
        f"  {brief['id']} · {brief['status']} · severity {_text(brief['severity'])} · "
        f"{since_start(brief['elapsed_seconds'])}"
    )
    to = f" to {_text(brief['to'])}" if brief["to"] else ""
    out.append(f"  from {_text(brief['from'])}{to} at {short_when(now, tz, now)}")
    prev = brief["previous_handoff"]
    if prev:
        prev_to = f" to {_text(prev['to'])}" if prev.get("to") else ""
        out.append(
            f"  previous handoff: {short_when(prev['ts'], tz, now)} by {_text(prev['from'])}{prev_to}"
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
    out.append(f"Progress: {_progress(brief)}")
    if brief["deadlines"]:
        out.append("Deadlines:")
        for d in brief["deadlines"]:
            if d["state"] == "overdue":
                out.append(
                    f"  OVERDUE  {deadline_name(d)} — {format_duration(-d['seconds_left'])} late"
                    f" (was due {short_when(d['due'], tz, now)})"
                )
            else:
                out.append(
                    f"  due      {deadline_name(d)} — in {format_duration(d['seconds_left'])}"
                    f" ({short_when(d['due'], tz, now)})"
                )
    if brief["deferred"]:
        out.append("Deferred:")
        out += [f"  - {_step_line(u, tz, now)}" for u in brief["deferred"]]
    for g in brief["gates"]:
        out.append(f"Not before {short_when(g['not_before'], tz, now)}: {_text(g['title'])}")
    for x in brief["early"]:
        out.append(
            f"Done early: {_text(x['title'])} at {short_when(x['at'], tz, now)}, not before "
            f"{short_when(x['not_before'], tz, now)} — {_text(x['reason'])}"
        )
    for c in brief["below_floor"]:
        out.append(
            f"Graded {_text(c['to'])}, below the floor {_text(c['floor'])}"
            f" ({_text(c['facts'])}) — {_text(c['reason'])}"
        )
    out += _listing("Begun and left unfinished:", brief["unfinished"], _step_line)
    out += _listing(
        "Done with items left unticked:",
        brief["unticked"],
        lambda u: f"{_text(u['title'])}: {'; '.join(_text(i) for i in u['items'])}",
    )
    out += _listing(
        "Still owed a reply:",
        brief["unanswered"],
        lambda r: f"{_text(r['who'])}{_on(r['platform'])} ({r['id']})",
    )
    out += _listing("Follow-ups owed:", brief["follow_ups"], lambda f: _follow_up(f, tz, now))
    if brief["approvals"]:
        out.append("Waiting for approval:")
        for a in brief["approvals"]:
            audience = a.get("audience", "public-post")
            if audience not in PLATFORM_AUDIENCES:  # a press statement, a staff memo, …
                platforms = f" ({AUDIENCE_WORDS.get(audience, audience)})"
            else:
                platforms = (
                    f" ({', '.join(_text(p) for p in a['platforms'])})" if a["platforms"] else ""
                )
            text = _text(a["text"])
            text = text if len(text) <= 80 else text[:77] + "..."
            out.append(f'  - {_text(a["title"])}{platforms}: "{text}"')
            out.append(f"    {_text(a['waiting'])}")
            out += [f"    {_text(refused)}" for refused in a.get("not_counted", ())]
    run = brief.get("drill_run")
    if run:
        out.append(f"Drill ({run['time']}): what the outside world did so far:")
        for i in run["injects"]:
            sender = f"{_text(i['from'])}: " if i["from"] else ""
            when = f"{i['drill_at']} ({short_when(i['at'], tz, now)})"
            out.append(f"  {when} {i['kind']}: {sender}{_text(i['text'])}")
    out += _evidence_lines(brief, "Evidence: ", "")
    if brief["mentions"]:
        out.append(f"Mentions: {_mention_words(brief['mentions'], tz, now)}")
    out += _listing("Open actions:", brief["actions"], _action)
    out += _listing(
        "Last notes:",
        brief["notes"],
        lambda n: f"{short_when(n['ts'], tz, now)} {_text(n['actor'])}: {_text(n['text'])}",
        bullet="  ",
    )
    if brief["status"] in ("active", "paused"):
        out.append(f"Continue with: crisis resume {brief['id']}")
    return "\n".join(out)


def render_status(brief: dict[str, Any]) -> str:
    """``crisis status``: the short form, one fact a line."""
    tz: tzinfo | None = brief["tz"]
    now: datetime = brief["at"]
    out = [f"{_text(brief['title'])}{'  [DRILL]' if brief['drill'] else ''}"]
    out.append(
        f"  {brief['id']} · {brief['status']} · severity {_text(brief['severity'])} · "
        f"{since_start(brief['elapsed_seconds'])}"
    )
    pb = brief["playbook"]
    out.append(f"  playbook: {_text(pb['title'])} ({pb['id']} v{_text(pb['version'])})")
    out.append(f"  steps: {_progress(brief)}")
    run = brief.get("drill_run")
    if run:
        last = run["injects"][-1] if run["injects"] else None
        latest = f"; latest: {last['kind']}: {_text(last['text'])}" if last else ""
        out.append(f"  drill: {run['time']}{latest}")
    if brief["current"] is not None:
        out.append(f"  now: {_text(brief['current']['title'])}")
    for u in brief["deferred"]:
        out.append(f"  deferred: {_step_line(u, tz, now)}")
    for u in brief["unfinished"]:
        out.append(f"  begun, not finished: {_step_line(u)}")
    for g in brief["gates"]:
        out.append(f"  not before {short_when(g['not_before'], tz, now)}: {_text(g['title'])}")
    for x in brief["early"]:
        out.append(
            f"  EARLY: {_text(x['title'])} done {short_when(x['at'], tz, now)}, not before "
            f"{short_when(x['not_before'], tz, now)} — {_text(x['reason'])}"
        )
    for c in brief["below_floor"]:
        out.append(
            f"  BELOW FLOOR: graded {_text(c['to'])}, floor {_text(c['floor'])}"
            f" ({_text(c['facts'])}) — {_text(c['reason'])}"
        )
    for d in brief["deadlines"]:
        if d["state"] == "overdue":
            out.append(
                f"  OVERDUE: {deadline_name(d)} ({format_duration(-d['seconds_left'])} late,"
                f" was due {short_when(d['due'], tz, now)})"
            )
        else:
            out.append(
                f"  due: {deadline_name(d)} in {format_duration(d['seconds_left'])}"
                f" ({short_when(d['due'], tz, now)})"
            )
    for r in brief["unanswered"]:
        out.append(
            f"  UNANSWERED: {_text(r['who'])}{_on(r['platform'])} — crisis reply sent {r['id']}"
        )
    for f in brief["follow_ups"]:
        hint = f" — crisis contact done {f['contact']}"
        left = (f["due"] - now).total_seconds()
        if f["overdue"]:
            out.append(
                f"  FOLLOW UP OVERDUE: {f['who']} ({f['channel']}) {format_duration(-left)} late{hint}"
            )
        else:
            out.append(f"  follow up: {f['who']} ({f['channel']}) in {format_duration(left)}{hint}")
    for a in brief["approvals"]:
        out.append(f"  {_text(a['waiting'])}: {_text(a['title'])}")
        out += [f"    {_text(refused)}" for refused in a.get("not_counted", ())]
    out += _evidence_lines(brief, "  evidence: ", " — crisis evidence list")
    if brief["mentions"]:
        out.append(f"  mentions: {_mention_words(brief['mentions'], tz, now)}")
    queue = brief["queue"]
    if queue["posts"]:
        undecided = queue["undecided"]
        out.append(
            f"  scheduled posts: {queue['posts']} imported, {undecided} undecided"
            + (" — crisis queue decide" if undecided else "")
        )
    for a in brief["actions"]:
        out.append(f"  open action {a['id']}: {_text(a['text'])}")
    for note in brief["notes"][-3:]:
        out.append(
            f"  note {short_when(note['ts'], tz, now)} {_text(note['actor'])}: {_text(note['text'])}"
        )
    for d in brief.get("drafts", []):
        where = f" at {_text(d['step_title'])}" if d["step_title"] else ""
        out.append(
            f"  unsaved draft: a {d['field']} by {_text(d['actor'])}{where}"
            f" ({d['words']} words, {short_when(d['ts'], tz, now)}), not recorded yet"
        )
    for q in brief["left_out"]:
        out.append(f"  left out of the reading: journal line {q['line']} ({_text(q['reason'])})")
    out += _signature_lines(brief, tz, now)
    out.append(f"  log: {brief['log']}")
    if brief["status"] in ("active", "paused"):
        out.append(f"  continue: crisis resume {brief['id']}")
    elif brief["status"] == "finished":
        out.append(
            f'  next: crisis report {brief["id"]}  ·  crisis close {brief["id"]} --summary "…"'
        )
    return "\n".join(out)


def _listing(
    heading: str,
    items: list[dict[str, Any]],
    line: Callable[[dict[str, Any]], str],
    *,
    bullet: str = "  - ",
) -> list[str]:
    """A heading and one line per item (nothing at all when there are no items). The
    approvals keep their own loop: each takes two lines (the text, then who it waits for)."""
    return [heading, *(f"{bullet}{line(item)}" for item in items)] if items else []


def _on(platform: str | None) -> str:
    return f" on {_text(platform)}" if platform else ""


def _follow_up(f: dict[str, Any], tz: tzinfo | None, now: datetime) -> str:
    channel = f" ({f['channel']})" if f["channel"] else ""
    due = short_when(f["due"], tz, now) + (" — OVERDUE" if f["overdue"] else "")
    return f"{f['who']}{channel}, due {due}"


def _action(a: dict[str, Any]) -> str:
    owner = f" — {_text(a['owner'])}" if a["owner"] else ""
    due = f" (due {a['due']})" if a["due"] else ""
    return f"{a['id']}: {_text(a['text'])}{owner}{due}"


def _evidence_lines(brief: dict[str, Any], lead: str, tail: str) -> list[str]:
    files, links = brief["evidence"]["files"], brief["evidence"]["links"]
    if not files and not links:
        return []
    names = ", ".join(_text(e["name"]) for e in brief["evidence"]["last"])
    return [f"{lead}{files} file(s), {links} link(s) kept; latest: {names}{tail}"]


def _mention_words(m: dict[str, Any], tz: tzinfo | None, now: datetime) -> str:
    ratio = f", {m['ratio']:.1f}x normal" if m["ratio"] is not None else ""
    return f"{m['count']} per {m['per']}{ratio} ({short_when(m['at'], tz, now)})"


def brief_json(brief: dict[str, Any]) -> dict[str, Any]:
    """The brief as JSON-ready data (times ISO 8601, no tz object)."""

    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items() if k != "tz"}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    data: dict[str, Any] = plain(brief)
    data["counts"] = brief_counts(brief)
    return data
