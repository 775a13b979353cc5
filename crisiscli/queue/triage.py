"""Scheduled-post triage: one recorded decision per queued post.

Each decision is appended to the journal (``queue.decided``) the moment it is made, so a
crash, ``kill -9`` or Ctrl-C loses at most the post on screen; running ``crisis queue
decide`` again asks only about the posts still undecided. The interactive loop imports
questionary lazily; the scripted forms (arguments, ``--answers``) never load it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import Any

from crisiscli.errors import AnswersError, NotFoundError, UsageError
from crisiscli.moments import parse_when
from crisiscli.record.events import queue_decided
from crisiscli.record.fold import IncidentState, QueuedPost
from crisiscli.record.store import Incident
from crisiscli.timeutil import format_duration

DECISIONS = ("keep", "cancel", "reschedule")


@dataclass(frozen=True)
class Decision:
    post: str
    decision: str
    reason: str
    new_time: datetime | None = None


def fmt_time(ts: datetime | None, zone: tzinfo) -> str:
    if ts is None:
        return "—"
    local = ts.astimezone(zone)
    return f"{local.strftime('%a %d %b %H:%M')} {local.tzname() or ''}".rstrip()


def relative(ts: datetime | None, now: datetime) -> str:
    if ts is None:
        return ""
    seconds = (ts - now).total_seconds()
    if seconds >= 0:
        return f"in {format_duration(seconds)}"
    return f"{format_duration(-seconds)} ago"


def undecided(state: IncidentState) -> list[QueuedPost]:
    """Posts without a decision, soonest first."""
    posts = [p for p in state.queue.values() if p.decision is None]
    far = datetime.max.replace(tzinfo=timezone.utc)
    return sorted(posts, key=lambda p: p.due or far)


def resolve_post(state: IncidentState, ref: str) -> QueuedPost:
    """By exact id or unique prefix."""
    if ref in state.queue:
        return state.queue[ref]
    matches = [p for p in state.queue.values() if p.id.startswith(ref)]
    if len(matches) == 1:
        return matches[0]
    if not state.queue:
        raise NotFoundError(
            "no scheduled posts imported in this incident",
            hint="import the scheduler's export first: crisis queue import FILE",
        )
    if not matches:
        raise NotFoundError(f"no scheduled post '{ref}'", hint="see the ids with: crisis queue")
    raise UsageError(
        f"'{ref}' matches {len(matches)} posts: {', '.join(p.id for p in matches[:5])}"
    )


def make_decision(
    state: IncidentState,
    ref: str,
    decision: str,
    reason: str | None,
    to: str | None,
    now: datetime,
    zone: tzinfo,
) -> Decision:
    """Validate one decision (all-or-nothing, before anything is recorded)."""
    post = resolve_post(state, ref)
    word = decision.strip().lower()
    if word not in DECISIONS:
        raise UsageError(f"decision must be keep, cancel or reschedule, not '{decision}'")
    why = (reason or "").strip()
    if not why:
        raise UsageError(
            f"a decision on {post.id} needs a reason", hint="add --reason 'why' (one line is fine)"
        )
    new_time = None
    if word == "reschedule":
        if not (to or "").strip():
            raise UsageError(
                f"rescheduling {post.id} needs the new time",
                hint="add --to 2h | --to 18:00 | --to '2026-11-25 09:00'",
            )
        new_time = parse_when(str(to), now, zone, what="new time")
        if new_time <= now:
            raise UsageError(f"the new time for {post.id} ({to}) is in the past")
    elif to:
        raise UsageError("--to only goes with reschedule")
    return Decision(post.id, word, why, new_time)


def record(incident: Incident, decision: Decision) -> IncidentState:
    return incident.record(
        queue_decided(decision.post, decision.decision, decision.reason, decision.new_time)
    )


# -- the answers file --------------------------------------------------------------------


def load_decisions(path: Path, state: IncidentState, now: datetime, zone: tzinfo) -> list[Decision]:
    """``decisions: {POST_ID: {decision: cancel, reason: ..., to: ...}}`` → Decisions.

    Every entry is checked before anything is recorded; errors name file:line:column.
    """
    from crisiscli.errors import CrisisError
    from crisiscli.walk.answers import read_script

    doc = read_script(path)
    data = doc.data
    if not isinstance(data, dict) or set(data) - {"decisions"} or "decisions" not in data:
        raise AnswersError(
            "expected a mapping with one key, decisions: {POST_ID: {decision, reason, to}}",
            location=doc.location(()),
        )
    entries = data["decisions"]
    if not isinstance(entries, dict):
        raise AnswersError(
            "decisions must map post ids to {decision, reason, to}",
            location=doc.location(("decisions",)),
        )
    result = []
    for ref, entry in entries.items():
        at: tuple[str | int, ...] = ("decisions", ref)
        if isinstance(entry, str):
            entry = {"decision": entry}
        if not isinstance(entry, dict):
            raise AnswersError(
                "expected {decision: keep|cancel|reschedule, reason: ..., to: ...}",
                location=doc.location(at),
            )
        unknown = set(entry) - {"decision", "reason", "to"}
        if unknown:
            key = sorted(unknown)[0]
            raise AnswersError(
                f"unknown key '{key}' (expected decision, reason, to)",
                location=doc.location((*at, key), key=True),
            )

        def text(key: str, entry: dict[str, Any] = entry, at: tuple[str | int, ...] = at) -> str:
            raw = doc.raw.get((*at, key))
            value = entry.get(key)
            return raw if raw is not None else ("" if value is None else str(value))

        try:
            result.append(
                make_decision(
                    state,
                    str(ref),
                    text("decision"),
                    text("reason"),
                    text("to") or None,
                    now,
                    zone,
                )
            )
        except CrisisError as exc:
            raise AnswersError(
                exc.message, location=doc.location(at, key=True), hint=exc.hint
            ) from None
    return result


# -- interactive -------------------------------------------------------------------------
