"""Issue 22, finding 6: what notifications say — in order, about a reopening, about exit
criteria left unmet, about a self-approval and about checks someone overrode."""

from __future__ import annotations

import hashlib
from pathlib import Path

from crisiscli.record import events as ev
from crisiscli.record.store import Incident, create_incident
from crisiscli.walk.alerts import alerts
from tests.conftest import FIXTURES, FrozenClock, make_env
from tests.helpers import at, load_playbook_text, open_incident

SORRY = hashlib.sha256(b"We are sorry.").hexdigest()


def notes_of(incident: Incident, clock: FrozenClock) -> list[tuple[str, str, str]]:
    found = alerts(incident.id, incident.state(), incident.playbook(), clock.now, incident.tz())
    return [(n.kind, n.title, n.text) for n in found]


def test_the_opening_comes_before_a_deadline_due_at_once(
    crisis_home: Path, clock: FrozenClock
) -> None:
    text = (FIXTURES / "mini.yaml").read_text(encoding="utf-8").replace("due: 15m", "due: 1m")
    playbook = load_playbook_text(text, "mini.yaml")
    incident = create_incident(
        make_env(crisis_home, clock=clock), playbook, title="Fast", severity="high"
    )
    kinds = [kind for kind, _title, _text in notes_of(incident, clock)]
    assert kinds[:2] == ["incident.opened", "deadline.soon"]
    (soon,) = [
        n for n in alerts(incident.id, incident.state(), playbook, clock.now)
        if n.kind == "deadline.soon"
    ]  # fmt: skip
    assert soon.at >= incident.state().started_at  # nothing is due before the incident opened


def test_reopening_is_told(crisis_home: Path, clock: FrozenClock) -> None:
    incident = open_incident(make_env(crisis_home, clock=clock), "mini")
    clock.now = at(5)
    incident.record(ev.incident_closed("Calm again"))
    clock.now = at(7)
    incident.record(ev.incident_reopened())
    reopened = [n for n in notes_of(incident, clock) if n[0] == "incident.reopened"]
    assert reopened == [
        (
            "incident.reopened",
            "Incident reopened: Test incident",
            "tester reopened it at 15:07 UTC.",
        )
    ]


def test_the_close_notice_names_exit_criteria_not_met(
    crisis_home: Path, clock: FrozenClock
) -> None:
    incident = open_incident(make_env(crisis_home, clock=clock), "mini")
    clock.now = at(20)
    incident.record(
        ev.exit_checked(1, "No new mentions for an hour", False, "still trending"),
        ev.exit_checked(2, "Statement published", True),
        ev.incident_closed("Calm again"),
    )
    (closed,) = [n for n in notes_of(incident, clock) if n[0] == "incident.closed"]
    assert closed[1] == "Incident closed with 1 exit criterion not met: Test incident"
    assert "not met: No new mentions for an hour" in closed[2]
    assert "Statement published" not in closed[2]


def _ask_and_decide(incident: Incident, clock: FrozenClock, approver: str, **checked: str) -> None:
    clock.now = at(17)
    incident.record(
        ev.step_entered("statement", "next"),
        ev.message_recorded("statement", "We are sorry.", ["x"], "statement"),
    )
    if checked:
        incident.record(
            ev.message_checked(
                "statement",
                lengths={},
                findings=[],
                errors=1,
                warnings=0,
                summary="1 error: over the x limit",
                override=checked["override"],
            )
        )
    incident.record(
        ev.approval_requested(
            "statement", approver, text="We are sorry.", digest=SORRY, platforms=["x"]
        )
    )
    clock.now = at(18)
    incident.record(ev.approval_decided("statement", "approve", digest=SORRY, approver=approver))


def test_a_self_approval_is_announced_as_one(crisis_home: Path, clock: FrozenClock) -> None:
    incident = open_incident(make_env(crisis_home, clock=clock), "mini")
    _ask_and_decide(incident, clock, "tester")  # the person who asked approves it
    (decided,) = [n for n in notes_of(incident, clock) if n[0] == "approval.decided"]
    assert decided[1] == "Self-approved by tester: Public statement"
    assert "no second person has read it" in decided[2]
    assert "Approved by tester" not in decided[1] + decided[2]


def test_someone_elses_approval_stays_an_approval(crisis_home: Path, clock: FrozenClock) -> None:
    incident = open_incident(make_env(crisis_home, clock=clock), "mini")
    _ask_and_decide(incident, clock, "Dana")
    (decided,) = [n for n in notes_of(incident, clock) if n[0] == "approval.decided"]
    assert decided[1] == "Approved by Dana: Public statement"


def test_the_request_says_a_failed_check_was_overridden(
    crisis_home: Path, clock: FrozenClock
) -> None:
    incident = open_incident(make_env(crisis_home, clock=clock), "mini")
    _ask_and_decide(incident, clock, "Dana", override="Legal wants the full sentence")
    (requested,) = [n for n in notes_of(incident, clock) if n[0] == "approval.requested"]
    assert (
        "Failed checks overridden (1 error: over the x limit): Legal wants the full sentence"
        in requested[2]
    )
