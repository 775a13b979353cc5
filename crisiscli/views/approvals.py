"""What ``crisis approve`` shows an approver: every version waiting for a decision, its
exact text, platforms and checks, who asked whom and how long ago. Plain text lines; the
command prints them (through ``ui.output``, which makes control characters visible)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from crisiscli.playbook.spec import PLATFORM_AUDIENCES
from crisiscli.record.events import AUDIENCE_WORDS, sent_words
from crisiscli.record.store import Incident, list_incidents, read_summary
from crisiscli.text import one_line
from crisiscli.timeutil import short_when
from crisiscli.walk import approvals
from crisiscli.walk.approvals import Pending, not_counted


class Waiting:
    """One version waiting, in one incident."""

    __slots__ = ("incident", "item", "title")

    def __init__(self, incident: Incident, title: str, item: Pending) -> None:
        self.incident = incident
        self.title = title
        self.item = item


def waiting_in(incident: Incident) -> list[Waiting]:
    state = incident.state()
    return [
        Waiting(incident, state.title, p) for p in approvals.pending(incident.playbook(), state)
    ]


def waiting_everywhere(env: Any) -> list[Waiting]:
    """Every version waiting in every open incident (oldest incident first)."""
    found: list[Waiting] = []
    for incident in list_incidents(env):
        if read_summary(incident).get("status") == "closed":
            continue
        found += waiting_in(incident)
    return found


def for_me_first(found: list[Waiting], me: str) -> list[Waiting]:
    """The requests addressed to ``me`` first (each group keeps its order)."""
    mine = [w for w in found if approvals.addressed_to(w.item.request, me)]
    return mine + [w for w in found if w not in mine]


def request_lines(waiting: Waiting, now: datetime, tz: tzinfo | None) -> list[str]:
    item = waiting.item
    request, message = item.request, item.message
    # every platform it was checked for (the incident's own first), with its length
    checked = list(message.lengths) or list(message.platforms)
    platforms = ", ".join(checked) or "no platform named"
    where = (
        platforms
        if message.audience in PLATFORM_AUDIENCES
        else AUDIENCE_WORDS.get(message.audience, message.audience)
    )
    asked = " then ".join(item.asked)
    lines = [
        f"{waiting.incident.id} · {one_line(waiting.title)}",
        f"  step: {one_line(item.step.title)} ({item.step.id}) · {message.kind} · {where}",
        f"  asked of {asked} by {request.actor} at {short_when(request.ts, tz, now)}"
        f" ({approvals.waited(request.ts, now)} ago)",
        f"  written by {message.actor}, version {message.versions}",
        "  ---",
        *(f"  {line}" for line in message.text.splitlines() or [""]),
        "  ---",
        f"  checks: {message.check_summary or 'not checked'}",
    ]
    for severity, what in message.check_findings:
        lines.append(f"    {severity}: {one_line(what)}")
    for refused in not_counted(message):
        lines.append(f"  {one_line(refused)}")
    if message.check_override:
        went = sent_words(message.audience)
        lines.append(
            f"  the writer chose to let it go out despite the failed checks (not {went}"
            f" yet), because: {one_line(message.check_override)}"
        )
    return lines


def waiting_json(waiting: Waiting, now: datetime) -> dict[str, Any]:
    item = waiting.item
    return {
        "incident": waiting.incident.id,
        "title": waiting.title,
        "step": item.step.id,
        "step_title": item.step.title,
        "approver": item.request.approver,
        "asked": list(item.asked),
        "asked_by": item.request.actor,
        "asked_at": item.request.ts.isoformat(),
        "waiting_seconds": (now - item.request.ts).total_seconds(),
        "text": item.message.text,
        "digest": item.message.digest,
        "platforms": list(item.message.platforms),
        "checks": item.message.check_summary,
        "written_by": item.message.actor,
        "version": item.message.versions,
    }
