"""The report model: one incident's fold + playbook snapshot → a plain mapping.

The mapping holds only strings, numbers, booleans, ``None``, lists and dicts (the two lists
that grow with every event, ``notes`` and ``timeline``, are ``Rows``: each row is made when
it is read), so it is at once the ``--format json`` output (documented in docs/report.md),
the context of every template, and easy to test. Times are ``{"utc", "local", "zone"}``
objects; durations are seconds. Text is stored as written (or redacted): each renderer
escapes for its format.

Everything comes from the fold (``IncidentState`` and, for the lists of every note and
every event, its ``History``); the timeline lines are the ones ``describe.describe`` wrote.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timezone, tzinfo
from typing import Any, overload

from crisiscli.playbook.model import MILESTONES, Playbook
from crisiscli.playbook.spec import PLATFORM_AUDIENCES, PUBLIC_AUDIENCES
from crisiscli.record.events import is_quiet
from crisiscli.record.fold import IncidentState, MessageState
from crisiscli.timeutil import is_utc
from crisiscli.views.log_sections import answer_text, message_fate, notification_summary
from crisiscli.views.report import FORMAT, FORMAT_VERSION
from crisiscli.views.report.redact import KINDS as REDACTION_KINDS
from crisiscli.views.report.redact import Redactor
from crisiscli.walk.deadlines import deadline_statuses
from crisiscli.walk.flow import applies

MILESTONE_LABELS = {
    "acknowledged": "Acknowledged",
    "queue-paused": "Queue paused",
    "first-response": "First public response",
    "apology": "Apology",
    "off-platform": "First off-platform contact",
    "contained": "Contained",
    "resolution": "Resolution",
}
# The review fields (``review:`` on a playbook question, playbook/spec.py) and their keys in
# the report model. A playbook written before ``review:`` (no question carries it): the
# five questions that always filled the report are read by their ids, as they were.
REVIEW_KEYS = {
    "summary": "summary",
    "impact": "impact",
    "contributing-factors": "contributing_factors",
    "what-helped": "what_helped",
    "went-well": "went_well",
    "went-wrong": "went_wrong",
    "lucky": "lucky",
    "review-owner": "owner",
    "review-date": "meeting_date",
}
LEGACY_REVIEW_IDS = ("summary", "impact", "went-well", "went-wrong", "lucky")
# The kinds of message that answer the public (a reply under a post counts; a DM invitation
# does not): the first one published where the public reads it is the first public response.
RESPONSE_KINDS = frozenset({"statement", "apology", "reply", "update"})
EVIDENCE_EVENTS = frozenset({"evidence.added", "evidence.linked"})


class Rows(Sequence[dict[str, Any]]):
    """A list of report rows made as they are read, from a list the fold keeps (every note,
    every timeline line): a 100,000-event report holds each row only while it is written,
    not all of them at once. Reads like a list (``len``, index, iterate, JSON: a list)."""

    __slots__ = ("_items", "_row")

    def __init__(self, items: Sequence[Any], row: Callable[[Any], dict[str, Any]]) -> None:
        self._items = items
        self._row = row

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self._row(item) for item in self._items[index]]
        return self._row(self._items[index])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return map(self._row, self._items)

    def __repr__(self) -> str:
        return f"Rows({len(self)} rows)"


def stamp(ts: datetime | None, tz: tzinfo | None) -> dict[str, str] | None:
    """A time as UTC and local ISO text plus the local zone's abbreviation."""
    if ts is None:
        return None
    if ts.tzinfo is not timezone.utc:
        ts = ts.astimezone(timezone.utc)  # the fold's times are UTC already: usually skipped
    utc = ts.isoformat(timespec="seconds")
    local = ts if tz is timezone.utc else ts.astimezone(tz) if tz is not None else ts.astimezone()
    return {
        "utc": utc[:-6] + "Z",
        "local": utc if local is ts else local.isoformat(timespec="seconds"),
        "zone": local.tzname() or local.strftime("%z"),
    }


def _prompt(playbook: Playbook, question_id: str | None) -> str | None:
    if question_id is None:
        return None
    question = playbook.questions().get(question_id)
    return question.prompt if question is not None else question_id


def _str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if text.strip() else None


def milestone_times(playbook: Playbook, state: IncidentState) -> dict[str, tuple[str, datetime]]:
    """For each milestone reached: (step id, when). A milestone step counts when done; the
    first public response is also reached by any earlier public message published."""
    found: dict[str, tuple[str, datetime]] = {}

    def offer(milestone: str, step_id: str, ts: datetime) -> None:
        best = found.get(milestone)
        if best is None or ts < best[1]:
            found[milestone] = (step_id, ts)

    for step in playbook.steps:
        st = state.steps.get(step.id)
        if st is None or st.done_at is None:
            continue
        if step.milestone is not None:
            offer(step.milestone, step.id, st.done_at)
        message = state.messages.get(step.id)
        if (
            message is not None
            and message.kind in RESPONSE_KINDS
            and message.audience in PUBLIC_AUDIENCES
        ):  # a press statement or a staff memo is not a public response
            offer("first-response", step.id, st.done_at)
    # Off-platform contact is also made outside any step: a call or an email logged with
    # `crisis contact` in which someone was reached (a playbook's invitation step may even
    # have been not applicable, as when the person asked to keep it public).
    for contact in state.contacts.values():
        if contact.outcome in CONTACT_REACHED:
            offer("off-platform", CONTACT_PREFIX + contact.id, contact.ts)
    # Resolved is when the incident was closed, not when the walk-through passed its close
    # step (a team that finishes the review at 21:19 and closes the next evening did not
    # resolve it in 49 minutes); not closed: not resolved. Contained, when no step marked
    # it, is the close too, as the key times measure it.
    found.pop("resolution", None)
    if state.closed and state.closed_at is not None:
        found["resolution"] = (CLOSE, state.closed_at)
        found.setdefault("contained", (CLOSE, state.closed_at))
    return found


CONTACT_PREFIX = "contact:"  # a milestone reached through the contact log, not a step
CLOSE = "close:"  # a milestone reached when the incident was closed (`crisis close`)
CONTACT_REACHED = ("talked", "resolved")


class _Ctx:
    def __init__(self, playbook: Playbook, tz: tzinfo | None, r: Redactor) -> None:
        self.playbook = playbook
        self.tz = tz
        self.r = r
        self.step_titles = {s.id: s.title for s in playbook.steps}

    def t(self, ts: datetime | None) -> dict[str, str] | None:
        return stamp(ts, self.tz)

    def title(self, step_id: Any) -> str:
        return self.step_titles.get(str(step_id), f"step {step_id}")


def people_of(state: IncidentState, playbook: Playbook) -> list[str]:
    """Every person the journal knows, in the order met: whoever recorded an event, role
    holders, approvers asked or deciding, handoff recipients, contacts, people in the reply
    ledger, action owners, whoever
    checked an exit criterion, the review owner. ``--redact`` replaces each of them."""
    people: dict[str, None] = dict.fromkeys(state.actors)
    people.update((c.person, None) for c in state.role_changes if c.person)
    for m in state.messages.values():
        people.update((p, None) for p in (m.approver, m.decided_by, m.approved_by) if p)
        people.update((q.approver, None) for q in m.requests if q.approver)
        people.update((q.escalated_from, None) for q in m.requests if q.escalated_from)
        people.update((v.approver, None) for v in m.voided if v.approver)
    people.update((h.to, None) for h in state.handoffs if h.to)
    people.update((h.actor, None) for h in state.handoffs)
    people.update((c.who, None) for c in state.contacts.values() if c.who)
    people.update((t.who, None) for t in state.replies.values() if t.who)
    for a in state.actions.values():
        people.update((p, None) for p in (a.owner, a.added_by, a.done_by) if p)
    people.update((c.actor, None) for c in state.exit_checks.values())
    owner = review_questions(playbook).get("review-owner")
    if owner and isinstance(state.answers.get(owner), str):
        people[str(state.answers[owner])] = None
    return [p for p in people if p and str(p).strip()]


# Values the templates compare or that are not text from people: never redacted.
UNREDACTED_KEYS = frozenset(
    {
        "format", "utc", "local", "zone", "status", "state", "kind", "type", "outcome",
        "why", "key", "end", "sha256", "per", "decision", "step_status", "summary_source",
        "asked", "missing", "milestone", "phase", "id", "step", "measured_to", "timezone",
        "platforms",
    }
)  # fmt: skip


def _redact_value(value: Any, r: Redactor, key: str | None = None) -> Any:
    """A model value with every text of people redacted (structure and ids kept)."""
    if isinstance(value, str):
        return value if key in UNREDACTED_KEYS else r.text(value)
    if isinstance(value, dict):
        return {k: _redact_value(v, r, k) for k, v in value.items()}
    if isinstance(value, Rows):
        row = value._row

        def redacted_row(item: Any) -> dict[str, Any]:
            return dict(_redact_value(row(item), r))

        return Rows(value._items, redacted_row)
    if isinstance(value, list):
        return [_redact_value(v, r, key) for v in value]
    return value


def _redacted_slug(incident_id: str, r: Redactor) -> str:
    """An incident id is its date and its title's words ("…-complaint-from-tom-berg"): the
    words pass the redactor as text, so a name in the title does not leak through the id."""
    stamp = re.match(r"\d{4}-\d\d-\d\d-\d{4}-", incident_id)  # kept: it is no one's
    head = stamp.group() if stamp else ""
    words = incident_id[len(head) :].replace("-", " ")
    redacted = r.text(words) or words
    if redacted == words:
        return incident_id
    return head + re.sub(r"[^a-z0-9]+", "-", redacted.lower()).strip("-")


REDACTION_LIMITS = (
    "Names typed in free text that the journal records nowhere else (not a responder, "
    "role, approver, contact, person replied to, action owner or review owner, and not "
    "right after a greeting such as “Hi …,”), names written without a capital or as a nickname, and people "
    "shown in images or quoted inside links that are not social-network links cannot be "
    "recognised and are left as written. Read a public version before you publish it."
)


def build_report(
    state: IncidentState,
    playbook: Playbook,
    incident_id: str,
    *,
    now: datetime,
    tz: tzinfo | None = None,
    zone_name: str | None = None,
    redact: bool = False,
    warnings: list[str] | None = None,
    redact_terms: Sequence[str] = (),
    redactor: list[Redactor] | None = None,
) -> dict[str, Any]:
    """The model of a state folded with ``history`` (every note and timeline line).

    ``redact``: every person the journal knows, contact details and ``redact_terms`` are
    replaced in every text (``redactor``, if given, receives the Redactor: it counts what it
    replaced as the report is written)."""
    history = state.history
    assert history is not None, "the report needs a full replay with history"
    r = (
        Redactor(
            enabled=True,
            people=people_of(state, playbook),
            terms=redact_terms,
            parts=True,
        )
        if redact
        else Redactor(enabled=False)
    )
    ctx = _Ctx(playbook, tz, r)
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
    messages = _messages(ctx, state)
    model = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generated_at": ctx.t(now),
        "timezone": zone_name or "local",
        "local_is_utc": is_utc(tz, state.started_at or now) and is_utc(tz, end_at or now),
        "redacted": redact,
        "incident": {
            "id": incident_id,
            "title": r.text(state.title) or incident_id,
            "severity": state.severity,
            "first_severity": state.first_severity,
            "status": state.status,
            "drill": state.drill,
            "playbook": {"id": playbook.id, "title": playbook.title, "version": playbook.version},
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
        "metrics": _metrics(ctx, state, steps, deadlines, len(history.timeline)),
        "severity_changes": [
            {
                "at": ctx.t(c.ts),
                "by": c.actor,
                "from": c.was,
                "to": c.to,
                "reason": r.text(c.reason),
                "by_question": c.by_question,
                "by_question_prompt": _prompt(playbook, c.by_question),
                "floor": c.floor,
                "floor_facts": r.text(c.floor_facts),
            }
            for c in state.severity_changes
        ],
        "replies": [
            {
                "id": x.id,
                "who": r.text(x.who),
                "platform": x.platform,
                "sent_at": ctx.t(x.sent_at),
                "text": r.text(x.text),
                "outcome": x.outcome,
                "contact": x.contact,
                "unanswered": x.unanswered,
            }
            for x in state.replies.values()
        ],
        "early": [
            {
                "step": x.step,
                "title": ctx.title(x.step),
                "not_before": ctx.t(x.not_before),
                "at": ctx.t(x.ts),
                "by": x.actor,
                "reason": r.text(x.reason),
            }
            for x in state.early.values()
        ],
        "exit_criteria": _exit_criteria(ctx, state),
        "deadlines": deadlines,
        "steps": steps,
        "phases": _phases(ctx, state, end_at or state.last_event_at),
        "messages": [m for m in messages if m["sent"]],
        "drafts": [m for m in messages if not m["sent"]],
        "queue": _queue(ctx, state),
        "contacts": _contacts(ctx, state),
        "evidence": [] if redact else _evidence(ctx, state),
        "evidence_left_out": len(state.evidence) if redact else 0,
        "mentions": [
            {
                "at": ctx.t(m.ts),
                "by": m.actor,
                "count": m.amount,
                "per": m.per,
                "baseline": m.baseline,
                "ratio": round(m.ratio, 2) if m.ratio is not None else None,
                "source": r.text(m.source),
            }
            for m in state.mentions
        ],
        "roles": [
            {"role": c.role, "person": c.person, "at": ctx.t(c.ts), "by": c.actor}
            for c in state.role_changes
        ],
        "drill_score": _drill_score(ctx, state),
        "handoffs": [
            {"to": h.to, "brief": r.text(h.brief), "at": ctx.t(h.ts), "by": h.actor}
            for h in state.handoffs
        ],
        "actions": [
            {
                "id": a.id,
                "text": r.text(a.text),
                "owner": r.text(a.owner),
                "due": a.due,
                "step": a.step,
                "added_at": ctx.t(a.added_at),
                "added_by": a.added_by,
                "done": a.done_at is not None,
                "overdue": a.done_at is None and _past_due(a.due, now),
                "done_at": ctx.t(a.done_at),
                "done_by": a.done_by,
            }
            for a in state.actions.values()
        ],
        "notes": Rows(
            history.notes,
            lambda n: {
                "at": ctx.t(n.ts),
                "actor": n.actor,
                "step": n.step,
                "step_title": ctx.title(n.step) if n.step else None,
                "text": r.text(n.text),
            },
        ),
        "notifications": [
            {k: r.text(v) if isinstance(v, str) else v for k, v in entry.items()}
            for entry in notification_summary(state)
        ],
        # where the team signs: how many events verify (the rest are marked on the timeline)
        **_signature_counts(state),
        "timeline": Rows(
            # --redact leaves evidence out, its lines on the timeline too; delivery
            # bookkeeping (notify.*) is summed up per channel above, not listed
            [
                e
                for e in history.timeline
                if not is_quiet(e.type) and not (redact and e.type in EVIDENCE_EVENTS)
            ],
            lambda e: {
                "id": e.id,
                "at": ctx.t(e.ts),
                "actor": e.actor,
                "type": e.type,
                "text": r.text(e.text),
            },
        ),
        "warnings": list(warnings or ()),
    }
    model["in_brief"] = in_brief(model, now)
    if redact:
        model = _redact_value(model, r)
        model["incident"]["id"] = _redacted_slug(incident_id, r)
        model["redaction"] = {
            "replaced": [k for k, _one, _many in REDACTION_KINDS],
            "terms": len(set(redact_terms)),
            "cannot_catch": REDACTION_LIMITS,
        }
        if redactor is not None:
            redactor.append(r)
    return model


def in_brief(model: dict[str, Any], now: datetime) -> str:
    """The report's opening paragraph, written from what the journal recorded: how it was
    graded, when it began and was noticed, how soon the public heard from us, what is left
    open. Every clause is a fact of the model; what was not recorded is left out."""
    from crisiscli.walk.deadlines import format_duration as d

    inc, clocks = model["incident"], model["metrics"]["clocks"]
    rows = {r["id"]: r for r in clocks["rows"]}
    said = [f"Graded {inc['first_severity']}"]
    levels = [str(c["to"]) for c in model["severity_changes"]]
    if len(levels) > 3:
        said[0] += f", re-graded {len(levels)} times, last to {levels[-1]}"
    elif levels:  # "re-graded high, then moderate": a level that came back is still told
        said[0] += ", re-graded " + ", then ".join(levels)
    said[0] += "."
    if clocks["impact_start"] is not None:
        began = f"The impact began {_brief_time(clocks['impact_start'])}"
        if rows["detect"]["from_impact_seconds"] is not None:
            began += f" and was noticed {d(rows['detect']['from_impact_seconds'])} later"
        said.append(began + ".")
    first = rows["first-response"]
    key = "from_impact_seconds" if clocks["impact_start"] is not None else "from_opened_seconds"
    origin = "after it began" if key == "from_impact_seconds" else "after the incident was opened"
    if first[key] is not None:
        said.append(f"The first public response came {d(first[key])} {origin}.")
    else:
        said.append("No public response was published.")
    said.append(_messages_said(model["messages"], len(model["drafts"])))
    misses = sum(
        1 for dl in model["deadlines"] if dl["state"] == "missed" and dl["kind"] == "cadence"
    )
    if misses:
        said.append(f"Public updates missed: {misses}.")
    criteria = model["exit_criteria"]
    if criteria and all(c["status"] == "not checked" for c in criteria):
        # "met: 0 of 5" would read as five failures
        when = "at the close" if inc["end"] == "closed" else "yet"
        said.append(f"Exit criteria not checked ({len(criteria)}) {when}.")
    elif criteria:
        met = sum(1 for c in criteria if c["status"] == "met")
        said.append(f"Exit criteria met: {met} of {len(criteria)}.")
    actions = model["actions"]
    if actions:
        done = sum(1 for a in actions if a["done"])
        said.append(f"Action items: {done} done, {len(actions) - done} open.")
    end = {"closed": "Closed", "finished": "Walk-through finished"}.get(str(inc["end"]))
    said.append(
        f"{end} {_brief_time(inc['ended_at'])}." if end and inc["ended_at"] else "Still open."
    )
    return " ".join(said)


def _past_due(due: str | None, now: datetime) -> bool:
    """An action item's due date (``YYYY-MM-DD``, as entered) has passed at ``now``."""
    if not due:
        return False
    try:
        return datetime.fromisoformat(due.strip()[:10]).date() < now.date()
    except ValueError:
        return False


def _brief_time(ts: dict[str, str] | None) -> str:
    if ts is None:
        return "—"
    return f"{ts['local'][:16].replace('T', ' ')} {ts['zone']}"


# -- sections ------------------------------------------------------------------------------


def review_questions(playbook: Playbook) -> dict[str, str]:
    """Review field → the id of the question that fills it (``review:`` in the playbook)."""
    found = {
        q.review: q.id for step in playbook.steps for q in step.questions if q.review is not None
    }
    if found:
        return found
    asked = playbook.questions()
    return {qid: qid for qid in LEGACY_REVIEW_IDS if qid in asked}


def _review(ctx: _Ctx, state: IncidentState) -> dict[str, Any]:
    review: dict[str, Any] = {}
    missing = []
    asked = review_questions(ctx.playbook)
    review["summary_source"] = None
    review["asked"] = [REVIEW_KEYS[f] for f in REVIEW_KEYS if f in asked]
    for field, key in REVIEW_KEYS.items():
        qid = asked.get(field)
        value = state.answers.get(qid) if qid is not None else None
        text = _str(answer_text(ctx.playbook, qid, value)) if qid and value is not None else None
        if text == "—":
            text = None
        if field == "summary":
            review["summary_source"] = "review" if text else None
            if text is None and state.summary:
                text = state.summary  # `crisis close --summary` stands in
                review["summary_source"] = "close"
        review[key] = ctx.r.text(text)
        if text is None and qid is not None:
            missing.append(qid)
    # Action items typed as one free-text answer (journals written before action items
    # were entered one at a time): shown as written, never split into guessed items.
    typed = state.answers.get("actions")
    review["actions_as_typed"] = ctx.r.text(_str(typed)) if isinstance(typed, str) else None
    for qid in action_questions(ctx.playbook):
        if qid not in state.answers and not state.actions:
            missing.append(qid)
    review["missing"] = missing
    # what the team was asked ("Where did we get lucky?"), not the question's id ("lucky")
    review["missing_questions"] = [_prompt(ctx.playbook, qid) for qid in missing]
    return review


def action_questions(playbook: Playbook) -> list[str]:
    """The questions that collect action items: ``type: actions`` (and, in playbooks
    written before that type, the free-text question ``actions``)."""
    return [
        q.id
        for step in playbook.steps
        for q in step.questions
        if q.type == "actions" or q.id == "actions"
    ]


def _metrics(
    ctx: _Ctx,
    state: IncidentState,
    steps: list[dict[str, Any]],
    deadlines: list[dict[str, Any]],
    events: int,
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
        step_id, contact, title = None, None, None
        if hit is not None and hit[0] == CLOSE:
            title = "the incident was closed"
        elif hit is not None and hit[0].startswith(CONTACT_PREFIX):
            contact = state.contacts.get(hit[0].removeprefix(CONTACT_PREFIX))
            # who is in the contact log, not here: the public version names nobody
            title = f"contact log: {contact.channel}, {contact.outcome}" if contact else None
        elif hit is not None:
            step_id, title = hit[0], ctx.title(hit[0])
        milestones.append(
            {
                "id": mid,
                "label": MILESTONE_LABELS.get(mid, mid),
                "step": step_id,
                "contact": contact.id if contact else None,
                "step_title": title,
                "reached_at": ctx.t(hit[1]) if hit else None,
                "seconds": seconds,
            }
        )
    # In the order they were reached (what came first reads first), the rest after.
    milestones.sort(key=_reached_order)
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
        "clocks": _clocks(ctx, state, reached),
        "milestones": milestones,
        "steps": counts,
        "deadlines": dl_counts,
        "notes": state.note_count,
        "events": events,
    }


def _reached_order(milestone: dict[str, Any]) -> float:
    seconds = milestone["seconds"]
    return float("inf") if seconds is None else float(seconds)


def _exit_criteria(ctx: _Ctx, state: IncidentState) -> list[dict[str, Any]]:
    """Each exit criterion of the playbook as last checked (``exit.checked``, at close):
    met or not met, with the note, who checked it and when; or not checked (yet)."""
    out = []
    numbers = range(1, len(ctx.playbook.exit_criteria) + 1)
    extra = sorted(n for n in state.exit_checks if n not in numbers)  # an older playbook
    for number in [*numbers, *extra]:
        check = state.exit_checks.get(number)
        text = (
            ctx.playbook.exit_criteria[number - 1]
            if number <= len(ctx.playbook.exit_criteria)
            else check.text
            if check is not None
            else ""
        )
        out.append(
            {
                "number": number,
                "text": ctx.r.text(check.text if check is not None else text),
                "status": "not checked" if check is None else "met" if check.met else "not met",
                "met": None if check is None else check.met,
                "note": ctx.r.text(check.note) if check is not None else None,
                "checked_at": ctx.t(check.ts) if check is not None else None,
                "checked_by": check.actor if check is not None else None,
            }
        )
    return out


CLOCK_ROWS = (
    ("detect", "Time to detect"),
    ("acknowledge", "Time to acknowledge"),
    ("first-response", "Time to first public response"),
    ("contain", "Time to contain"),
)


def _clocks(
    ctx: _Ctx, state: IncidentState, reached: dict[str, tuple[str, datetime]]
) -> dict[str, Any]:
    """The peers' incident times, on two clocks: from when the impact began (the first
    post, ``impact.recorded``) and from when the incident was opened in crisis.

    detect: impact start → noticed; acknowledge: → the ``acknowledged`` milestone;
    first public response: → the ``first-response`` milestone (or the first public message
    published); contain: → the ``contained`` milestone, else the close. A time not known
    (no impact start recorded, a milestone not reached) is None, never guessed."""
    start = state.impact_start.at if state.impact_start else None
    detected = state.impact_detected.at if state.impact_detected else None
    opened = state.started_at
    contained: tuple[datetime, str] | None = None
    if "contained" in reached and reached["contained"][0] != CLOSE:
        contained = (reached["contained"][1], "contained")
    elif state.closed_at is not None:
        contained = (state.closed_at, "closed")
    moments: dict[str, datetime | None] = {
        "detect": detected,
        "acknowledge": reached["acknowledged"][1] if "acknowledged" in reached else None,
        "first-response": reached["first-response"][1] if "first-response" in reached else None,
        "contain": contained[0] if contained else None,
    }

    def since(origin: datetime | None, at: datetime | None) -> float | None:
        return (at - origin).total_seconds() if origin is not None and at is not None else None

    rows = []
    for key, label in CLOCK_ROWS:
        at = moments[key]
        rows.append(
            {
                "id": key,
                "label": label,
                "at": ctx.t(at),
                "from_impact_seconds": since(start, at),
                "from_opened_seconds": since(opened, at) if key != "detect" else None,
                "measured_to": contained[1] if key == "contain" and contained else None,
            }
        )
    return {
        "impact_start": ctx.t(start),
        "impact_start_by": state.impact_start.actor if state.impact_start else None,
        "impact_start_via": _via(ctx, state.impact_start),
        "detected_at": ctx.t(detected),
        "detected_by": state.impact_detected.actor if state.impact_detected else None,
        "detected_via": _via(ctx, state.impact_detected),
        "opened_at": ctx.t(opened),
        "before_opened_seconds": since(start, opened),
        "rows": rows,
        # the two clocks differ when the impact began before the incident was opened
        "differ": start is not None and opened is not None and start != opened,
    }


def _via(ctx: _Ctx, mark: Any) -> str | None:
    if mark is None:
        return None
    if mark.by_question:
        return f"the answer to “{_prompt(ctx.playbook, mark.by_question)}”"
    return "crisis impact"


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
    """Each deadline and what became of it; ``seconds_left`` only while it is still open.

    In the order things happened (``at``): a deadline met or missed by a late step or
    update at the time it was done, one missed in silence (or still open) at its due time,
    so the update clock reads as a story ("met 14:45, missed at 22:05, missed at 23:05")."""
    out = []
    statuses = deadline_statuses(ctx.playbook, state, now)
    statuses.sort(key=lambda d: (d.finished_at or d.due_at, d.due_at, d.key))
    for dl in statuses:
        late = dl.late_by
        left = None
        if dl.state in ("open", "overdue"):
            left = dl.seconds_left(now)
            late = -left if dl.state == "overdue" else None
        out.append(
            {
                "step": dl.step or None,
                # A cadence occurrence has no step: its label stands alone in the tables.
                "step_title": ctx.title(dl.step) if dl.step else dl.title,
                "label": dl.title,
                "kind": dl.kind,
                "key": dl.key,
                "occurrence": dl.occurrence or None,
                "due_at": ctx.t(dl.due_at),
                "at": ctx.t(dl.finished_at or dl.due_at),
                "state": dl.state,
                "why": dl.why,
                "finished_at": ctx.t(dl.finished_at),
                "late_by_seconds": late,
                "seconds_left": left,
            }
        )
    return out


def _phases(ctx: _Ctx, state: IncidentState, last: datetime | None) -> list[dict[str, Any]]:
    out = []
    for phase in ctx.playbook.phases:
        starts = [
            st.first_entered
            for s in phase.steps
            if (st := state.steps.get(s.id)) and st.first_entered
        ]
        ends = [
            t
            for s in phase.steps
            if (st := state.steps.get(s.id))
            for t in (st.finished_at, st.last_entered)
            if t is not None
        ]
        start = min(starts) if starts else None
        end = max(ends) if ends else None
        still = any(
            (st := state.steps.get(s.id)) is not None and st.status == "active" for s in phase.steps
        )
        if start is not None and still and last is not None:
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


def _message(ctx: _Ctx, state: IncidentState, m: MessageState) -> dict[str, Any]:
    """A step's final message: published (its step done) or not, and why not."""
    from crisiscli.messages.checks import placeholders_left
    from crisiscli.record.events import AUDIENCE_WORDS, sent_words

    st = state.steps.get(m.step)
    step_status = st.status if st is not None else "pending"
    fate = message_fate(state, m.step)
    sent = fate == "published"  # its step is done: it went out to its audience
    # Only what goes out in public is "published"; a staff memo or a DM went out, "sent".
    published = sent and sent_words(m.audience) == "published"
    outcome = ("published" if published else "sent") if sent else fate
    sent_at = ctx.t(st.done_at) if sent and st is not None else None

    return {
        "step": m.step,
        "step_title": ctx.title(m.step),
        "kind": m.kind,
        "audience": m.audience,
        "audience_words": AUDIENCE_WORDS.get(m.audience, m.audience),
        "sent_words": sent_words(m.audience),
        "on_platform": m.audience in PLATFORM_AUDIENCES,
        "text": ctx.r.text(m.text),
        "platforms": list(m.platforms),
        "sent": sent,
        "published": published,
        "outcome": outcome,
        "step_status": step_status,
        "step_reason": ctx.r.text(st.reason) if st is not None and not sent else None,
        "sent_at": sent_at,
        "published_at": sent_at if published else None,
        "placeholders_left": placeholders_left(m.text),
        "recorded_at": ctx.t(m.ts),
        "recorded_by": m.actor,
        "approver": m.approver,
        "approved_at": ctx.t(m.approved_at),
        "override": ctx.r.text(m.override),
        "approval": _approval(ctx, m),
        "checks": m.check_summary,
        "check_errors": m.check_errors,
        "check_override": ctx.r.text(m.check_override),
        "versions": m.versions,
    }


def _messages_said(sent: list[dict[str, Any]], drafts: int) -> str:
    """ "5 messages published; 1 direct message and 1 staff memo sent; 1 draft never went
    out.": a staff memo or a DM is never counted as published (issue 20)."""
    from crisiscli.playbook.spec import MESSAGE_AUDIENCES

    published = sum(1 for m in sent if m["published"])
    others: dict[str, int] = {}
    order = {a: i for i, a in enumerate(MESSAGE_AUDIENCES)}
    for m in sorted(sent, key=lambda m: order.get(m["audience"], len(order))):
        if not m["published"]:
            others[m["audience_words"]] = others.get(m["audience_words"], 0) + 1
    parts = [f"{published} message{'s' if published != 1 else ''} published"]
    if others:
        named = [f"{n} {words}{'s' if n != 1 else ''}" for words, n in others.items()]
        parts.append(
            " and ".join([", ".join(named[:-1]), named[-1]] if len(named) > 1 else named) + " sent"
        )
    if drafts:
        parts.append(f"{drafts} draft{'s' if drafts != 1 else ''} never went out")
    return "; ".join(parts) + "."


def sent_groups(sent: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages that went out, under one heading per audience ("Messages published"
    for public posts and replies, "Press statements issued", "Staff memos sent", …)."""
    from crisiscli.playbook.spec import MESSAGE_AUDIENCES
    from crisiscli.record.events import SENT_HEADINGS

    order = {a: i for i, a in enumerate(MESSAGE_AUDIENCES)}
    groups: dict[str, list[dict[str, Any]]] = {}
    for m in sorted(sent, key=lambda m: order.get(m["audience"], len(order))):
        groups.setdefault(SENT_HEADINGS.get(m["audience"], "Messages published"), []).append(m)
    return [{"heading": heading, "messages": found} for heading, found in groups.items()]


def _approval(ctx: _Ctx, m: MessageState) -> dict[str, Any]:
    """Who was asked, what they decided (or that nobody did), and what stopped counting."""
    from crisiscli.walk.approvals import outcome, voided_words

    if m.override:
        status = "published without approval"
    elif m.decision == "approved" and m.self_approved:
        status = "self-approved"
    elif m.decision is not None:
        status = m.decision
    elif m.approver:
        status = "approved"  # a name typed in by the responder (older journals)
    elif m.pending_request is not None:
        status = "waiting"
    elif not _needs_approval(ctx.playbook, m.step):
        status = "not needed"
    else:
        status = "none"
    words = (
        "not needed (the playbook asks no approval for this message)"
        if status == "not needed"
        else outcome(m)
    )
    return {
        "status": status,
        "needed": _needs_approval(ctx.playbook, m.step),
        "words": ctx.r.text(words),
        "decided_by": m.decided_by or m.approver,
        "decided_at": ctx.t(m.decided_at or m.approved_at),
        "comment": ctx.r.text(m.decision_comment),
        "scripted": m.decision_scripted,
        "self_approved": m.self_approved,
        "requests": [
            {
                "approver": q.approver,
                "asked_by": q.actor,
                "at": ctx.t(q.ts),
                "escalated_from": q.escalated_from,
            }
            for q in m.requests
        ],
        "voided": [
            {"approver": v.approver, "what": voided_words(v), "at": ctx.t(v.ts)} for v in m.voided
        ],
        **_signature(ctx, m),
    }


def _signature_counts(state: IncidentState) -> dict[str, Any]:
    if not state.signatures:
        return {}  # nobody set signing up: the report is as it was
    from crisiscli.record.signing import counted_words

    return {
        "signatures": dict(state.signatures),
        "signature_words": counted_words(state.signatures),
    }


def _signature(ctx: _Ctx, m: MessageState) -> dict[str, Any]:
    """Where the team signs (record/signing.py): what the decision's signature proves, and
    the decisions that did not count (the journal's lines carry the proof: ``export``)."""
    if m.decision_trust is None and not m.uncounted:
        return {}
    from crisiscli.walk.approvals import uncounted_words

    return {
        "signature": m.decision_trust,
        "not_counted": [
            {"approver": v.approver, "what": ctx.r.text(uncounted_words(v)), "at": ctx.t(v.ts)}
            for v in m.uncounted
        ],
    }


def _needs_approval(playbook: Playbook, step_id: str) -> bool:
    """Does the playbook ask approval for this step's message? (A step gone from the
    snapshot: assume it did, and say what the journal says.)"""
    step = next((s for s in playbook.steps if s.id == step_id), None)
    return step is None or step.message is None or step.message.approval


def _evidence(ctx: _Ctx, state: IncidentState) -> list[dict[str, Any]]:
    from crisiscli.team.evidence import evidence_fields

    return [
        {
            **evidence_fields(e),
            "step_title": ctx.title(e.step) if e.step else None,
            "at": ctx.t(e.ts),
            "by": e.actor,
        }
        for e in state.evidence
    ]


def _messages(ctx: _Ctx, state: IncidentState) -> list[dict[str, Any]]:
    """The final text of each step's message, with its checks, approval and outcome."""
    return [_message(ctx, state, m) for m in state.messages.values()]


def _queue(ctx: _Ctx, state: IncidentState) -> list[dict[str, Any]]:
    return [
        {
            "post": p.id,
            "text": ctx.r.text(p.text),
            "platform": p.platform,
            "due": ctx.t(p.due),
            "decision": p.decision,
            "reason": ctx.r.text(p.reason),
            "new_time": ctx.t(p.new_time),
            "decided_at": ctx.t(p.decided_at),
            "decided_by": p.decided_by,
            "decisions": len(p.history),
        }
        for p in state.queue.values()
    ]


def _contacts(ctx: _Ctx, state: IncidentState) -> list[dict[str, Any]]:
    return [
        {
            "id": c.id,
            "who": ctx.r.person(c.who),
            "channel": ctx.r.text(c.channel),
            "outcome": ctx.r.text(c.outcome),
            "follow_up_due": ctx.t(c.follow_up_due),
            "note": ctx.r.text(c.note),
            "logged_at": ctx.t(c.ts),
            "logged_by": c.actor,
            "followed_up_at": ctx.t(c.followed_up_at),
        }
        for c in state.contacts.values()
    ]


# -- entry points --------------------------------------------------------------------------


def resolve_zone(name: str | None, env: Any = None) -> tuple[tzinfo | None, str]:
    """``--tz ZONE`` → (zone, name); no name: the configured zone, else the system's own."""
    from crisiscli.errors import UsageError
    from crisiscli.timeutil import zone_named

    if name is None and env is not None:
        name = _configured_zone(env)
    if name is None:
        return None, datetime.now().astimezone().tzname() or "local"
    try:
        return zone_named(name), name
    except ValueError:
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
    redact_terms: Sequence[str] = (),
    redactor: list[Redactor] | None = None,
) -> dict[str, Any]:
    """The report model of an ``Incident``: a full replay of its journal, with history."""
    state = incident.replay(tz=tz, history=True)
    prefix = str(incident.dir) + "/"
    warnings = [w.replace(prefix, "") for w in incident.env.warnings]
    return build_report(
        state,
        incident.playbook(),
        incident.id,
        now=now,
        tz=tz,
        zone_name=zone_name,
        redact=redact,
        warnings=warnings,
        redact_terms=redact_terms,
        redactor=redactor,
    )


def report_thumbnails(incident: Any, model: dict[str, Any], fmt: str) -> dict[str, str]:
    """The evidence images an HTML report shows inline (none for md/json, none redacted)."""
    if fmt != "html" or not model["evidence"]:
        return {}
    from crisiscli.team.evidence import thumbnails

    return thumbnails(incident, incident.state().evidence)


def _drill_score(ctx: _Ctx, state: IncidentState) -> dict[str, Any] | None:
    """A drill played from a scenario: its scorecard (crisis drill score), else None."""
    if state.drill_run is None:
        return None
    from crisiscli.drill.score import scorecard

    card = scorecard(state, ctx.playbook)
    if card is None:
        return None
    data = card.as_data()
    data["started_at"] = ctx.t(card.started_at)
    data["drill_time"] = state.drill_run.clock_words(state.last_event_at or card.started_at)
    for verdict in data["verdicts"]:
        verdict["label"] = ctx.r.text(verdict["label"])
        verdict["detail"] = ctx.r.text(verdict["detail"])
    for seen in data["record"]:
        seen["text"] = ctx.r.text(seen["text"])
    from crisiscli.drill.score import SECTIONS

    data["sections"] = [
        {"title": title, "items": [o for o in data["record"] if o["section"] == key]}
        for key, title in SECTIONS.items()
    ]
    return data
