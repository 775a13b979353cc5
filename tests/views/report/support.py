"""A fixed incident for report tests, written event by event with a FrozenClock.

It starts at 2026-10-25 00:30 UTC, so in Europe/Stockholm it crosses the end of summer time
(03:00 CEST → 02:00 CET at 01:00 UTC). It has a met and a missed deadline, every milestone,
a message with two versions, an approver and a checks override, a re-grade with a reason, a
draft left on a step that is then skipped, a role, a queue decision, a contact attempt with
an outsider's details, a handoff, a deferred-then-skipped step, review answers with one
missing ("lucky"), action items from the review and from `crisis action`, and a close.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from crisiscli.env import Environment
from crisiscli.playbook.load import load_playbook
from crisiscli.record.events import NewEvent
from crisiscli.record.store import Incident, create_incident
from tests.conftest import FrozenClock, make_env

FIXTURES = Path(__file__).resolve().parent / "fixtures"
START = datetime(2026, 10, 25, 0, 30, 0, tzinfo=timezone.utc)


def review_playbook():  # type: ignore[no-untyped-def]
    return load_playbook(FIXTURES / "review.yaml")


class Writer:
    """Record events at given minutes after the start."""

    def __init__(self, incident: Incident, clock: FrozenClock, start: datetime) -> None:
        self.incident, self.clock, self.start = incident, clock, start

    def at(self, minutes: float, event: str, actor: str | None = None, **data: Any) -> None:
        from datetime import timedelta

        self.clock.now = self.start + timedelta(minutes=minutes)
        if actor is not None:
            self.incident.env.actor = actor
        self.incident.record(NewEvent(event, data))


def golden_incident(home: Path, clock: FrozenClock | None = None) -> tuple[Incident, FrozenClock]:
    clock = clock or FrozenClock(START)
    clock.now = START
    env: Environment = make_env(home, clock=clock, actor="dana")
    incident = create_incident(
        env, review_playbook(), title="Wrong image on the brand account", severity="high"
    )
    w = Writer(incident, clock, START)
    w.at(0.3, "input.set", input="brand", value="Acme")
    w.at(0.5, "step.entered", step="look", via="next")
    w.at(1, "item.checked", step="look", item="i1")
    w.at(2, "item.checked", step="look", item="i2")
    w.at(4, "note.added", step="look", text="Screenshots are in the team drive.\nLinks too.")
    w.at(6, "step.done", step="look")
    w.at(6.5, "step.entered", step="pause", via="next")
    w.at(8, "step.done", step="pause")
    w.at(9, "role.assigned", role="approver", person="Sam")
    w.at(10, "step.entered", step="apology", via="next")
    w.at(14, "message.recorded", step="apology", kind="apology", platforms=["x", "bluesky"],
         text="We got this wrong.")  # fmt: skip
    w.at(16, "message.recorded", step="apology", kind="apology", platforms=["x", "bluesky"],
         text="We got this wrong, and we're sorry.\nThe image is down; we are checking how it went out.")  # fmt: skip
    w.at(17, "message.checked", step="apology", errors=1, warnings=0,
         summary="x 86/280 · bluesky 86/300 · 1 error, 0 warnings",
         override="“checking” is on the banned list, but it is the plain truth here")  # fmt: skip
    w.at(18, "message.approved", step="apology", approver="Sam")
    w.at(19, "step.done", step="apology")
    w.at(20, "queue.imported", source="buffer.csv", posts=[
        {"id": "p1", "due": "2026-10-25T02:00:00+00:00", "text": "Happy Sunday! Coffee on us", "platform": "instagram", "row": 2},
        {"id": "p2", "due": "2026-10-25T06:00:00+00:00", "text": "New autumn menu", "platform": "x", "row": 3},
    ])  # fmt: skip
    w.at(21, "queue.decided", post="p1", decision="cancel", reason="Wrong tone today")
    w.at(22, "step.entered", step="reply", via="next")
    w.at(25, "answer.set", step="reply", question="individual", value=True)
    w.at(30, "severity.changed", to="critical", reason="Picked up by the press", **{"from": "high"})
    w.at(32, "step.done", step="reply")
    w.at(33, "step.entered", step="invite", via="next")
    w.at(40, "contact.logged", id="c1", who="Jo Customer", channel="phone", outcome="talked",
         follow_up_due="2026-10-25T08:00:00+00:00",
         note="Jo Customer wants a refund; reach at jo@example.com or +46 70 123 45 67, @jocust")  # fmt: skip
    w.at(45, "step.done", step="invite")
    w.at(
        46,
        "handoff.recorded",
        to="alex",
        brief="Watch mentions overnight; Jo Customer may call back",
    )
    w.at(47, "step.entered", step="updates", via="next", actor="alex")
    w.at(48, "message.recorded", step="updates", kind="update", platforms=["x"],
         text="Update on Acme: [what has changed], next update at [time].")  # fmt: skip
    w.at(50, "step.deferred", step="updates", reason="Nothing new to say yet")
    w.at(51, "step.entered", step="lessons", via="next")
    w.at(53, "answer.set", step="lessons", question="summary",
         value="A personal photo went out on the brand account.\nIt was up for 40 minutes.")  # fmt: skip
    w.at(
        54,
        "answer.set",
        step="lessons",
        question="impact",
        value="About 2,000 views; one complaint by phone.",
    )
    w.at(
        55,
        "answer.set",
        step="lessons",
        question="went-well",
        value="The queue was paused in minutes.",
    )
    w.at(
        56,
        "answer.set",
        step="lessons",
        question="went-wrong",
        value="The approver was hard to reach.",
    )
    w.at(60, "step.done", step="lessons")
    w.at(61, "step.entered", step="close", via="next")
    w.at(63, "action.added", id="A1", text="Add an image check to the posting routine",
         owner="Sam", due="2026-11-15", step="close")  # fmt: skip
    w.at(64, "action.added", id="A2", text="Name a night-time approver", step="close")
    w.at(65, "answer.set", step="close", question="actions", value=["A1", "A2"])
    w.at(66, "step.done", step="close")
    w.at(67, "step.entered", step="updates", via="revisit")
    w.at(70, "step.skipped", step="updates", reason="Contained; no update needed")
    w.at(71, "run.finished", status="complete", deferred=[])
    w.at(
        75,
        "action.added",
        actor="dana",
        id="A3",
        text="Share the log with legal",
        owner="dana",
        due="2026-11-01",
    )
    w.at(80, "action.done", id="A2")
    w.at(90, "incident.closed", summary="Resolved by phone")
    w.at(95, "note.added", text="Report drafted")
    return incident, clock
