"""crisis handoff: the brief for the next person, on an incident with deferred steps,
follow-ups owed and a message waiting for approval."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crisiscli.errors import Paused
from crisiscli.record.events import NewEvent
from crisiscli.record.store import Incident, find_incident
from tests.conftest import FrozenClock, make_env
from tests.helpers import answers_from, append_raw, events_of, open_incident, run_script


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()  # 2026-11-23 15:00 UTC


@pytest.fixture
def busy(crisis_home: Path, tmp_path: Path, clock: FrozenClock) -> Incident:
    """Look done, the statement drafted without approval and deferred, paused at reply."""
    env = make_env(crisis_home, clock=clock)
    incident = open_incident(env, title="Wrong image")
    script = answers_from(
        tmp_path,
        {
            "inputs": {"brand": "Acme", "source": "ours"},
            "steps": {
                "look": {"answers": {"reach": "wide", "threat": False}},
                "statement": {
                    "message": "We posted the wrong image. Sorry.",
                    "action": "defer",
                    "reason": "Legal wants to read it",
                },
                "reply": {"action": "pause"},
            },
        },
    )
    clock.advance(60)
    with pytest.raises(Paused):
        run_script(incident, script)
    clock.advance(60)
    incident.record(NewEvent("contact.logged", {"id": "c1", "who": "Jane (customer)", "channel": "dm",
                                       "outcome": "listened", "follow_up_due": "2026-11-23T15:30:00+00:00"}))  # fmt: skip
    incident.record(NewEvent("contact.logged", {"id": "c2", "who": "Herald reporter", "channel": "email",
                                       "outcome": "asked for comment", "follow_up_due": "2026-11-23T18:00:00Z"}))  # fmt: skip
    incident.record(NewEvent("contact.logged", {"id": "c3", "who": "Old friend", "channel": "phone",
                                       "outcome": "ok", "follow_up_due": "2026-11-23T16:00:00Z"}))  # fmt: skip
    incident.record(NewEvent("contact.followed_up", {"id": "c3"}))
    incident.record(
        NewEvent("contact.logged", {"id": "c4", "who": "No follow-up needed", "outcome": "ok"})
    )
    # Lines that do not fit the vocabulary (another tool, a hand edit): left out, with a warning.
    append_raw(incident, "contact.logged", {"id": 7, "who": ["not", "text"], "follow_up_due": 12})
    append_raw(incident, "contact.logged", {"who": "no id"})
    incident.record(NewEvent("role.assigned", {"role": "commander", "person": "Ana"}))
    incident.record(NewEvent("note.added", {"text": "Legal is reading the statement"}))
    return incident


def test_brief_lists_everything_open(cli, busy: Incident, clock: FrozenClock) -> None:  # type: ignore[no-untyped-def]
    clock.advance(40 * 60)  # 15:42: the first follow-up (15:30) and the 15-minute deadline are past
    result = cli("handoff", "--to", "Sam (nights)", clock=clock)
    assert result.exit_code == 0, result
    text = result.stdout
    assert text.startswith("HANDOFF: Wrong image\n")
    assert "from tester to Sam (nights) at 15:42 UTC" in text
    assert "Roles: commander Ana · comms-lead (open) · approver (open) · monitor (open)" in text
    assert "Now: Reply to each person (phase Respond, step 4 of 5)" in text
    assert "Progress: 1 done of 5, 1 deferred, 1 active" in text
    assert (
        "Deferred:\n  - Public statement — Legal wants to read it "
        "(comes back now: its deadline has passed)" in text
    )
    assert "  - Jane (customer) (dm), due 15:30 UTC — OVERDUE" in text
    assert "  - Herald reporter (email), due 18:00 UTC\n" in text
    assert "Old friend" not in text and "No follow-up needed" not in text and "no id" not in text
    assert (
        'Waiting for approval:\n  - Public statement (x): "We posted the wrong image. Sorry."'
        in text
    )
    assert "OVERDUE  Public statement" in text  # due 30m after the start; still open
    assert "due      Reply to each person" in text
    assert "Last notes:\n  15:02 UTC tester: Legal is reading the statement" in text
    assert f"Continue with: crisis resume {busy.id}" in text
    # Follow-ups come in due order; the overdue one first.
    assert text.index("Jane (customer)") < text.index("Herald reporter")


def test_handoff_is_recorded_and_logged(cli, busy: Incident, clock: FrozenClock) -> None:  # type: ignore[no-untyped-def]
    busy.record(NewEvent("session.paused", {"step": "reply"}))
    result = cli("handoff", "--to", "Sam", clock=clock)
    incident = find_incident(make_env(busy.dir.parent.parent), busy.id)
    recorded = [e for e in events_of(incident) if e.type == "handoff.recorded"]
    assert len(recorded) == 1
    data = recorded[0].data
    assert data["to"] == "Sam" and data["brief"] == result.stdout.rstrip("\n")
    assert data["counts"] == {
        "deferred": 1,
        "unfinished": 0,
        "follow_ups": 2,
        "approvals": 1,
        "overdue": 0,
        "actions": 0,
    }
    assert incident.state().status == "paused"  # a handoff does not resume anything
    log = incident.log_path.read_text(encoding="utf-8")
    assert "Handoff to Sam — 1 deferred, 2 follow-up(s) owed, 1 approval(s) pending" in log
    assert "## Lines left out of the journal's reading" in log
    assert "'id' is not a name" in log and "without 'id'" in log
    second = cli("handoff", clock=clock)
    assert "previous handoff: 15:02 UTC by tester to Sam" in second.stdout


def test_approval_and_follow_up_clear(cli, busy: Incident, clock: FrozenClock) -> None:  # type: ignore[no-untyped-def]
    busy.record(NewEvent("message.approved", {"step": "statement", "approver": "Dana"}))
    busy.record(NewEvent("contact.followed_up", {"id": "c1"}))
    data = json.loads(cli("handoff", "--json", clock=clock).stdout)
    assert data["approvals"] == []
    assert [f["who"] for f in data["follow_ups"]] == ["Herald reporter"]
    assert data["deferred"] == [
        {
            "step": "statement",
            "title": "Public statement",
            "reason": "Legal wants to read it",
            "back_at": "2026-11-23T15:25:00+00:00",  # its deadline nears: it comes back
            "back_why": "deadline",
        }
    ]
    assert data["current"]["step"] == "reply"
    assert data["counts"]["approvals"] == 0 and data["to"] is None


def test_a_new_draft_needs_approval_again(cli, busy: Incident, clock: FrozenClock) -> None:  # type: ignore[no-untyped-def]
    busy.record(NewEvent("message.approved", {"step": "statement", "approver": "Dana"}))
    busy.record(
        NewEvent(
            "message.recorded",
            {"step": "statement", "text": "Second draft", "platforms": ["x"], "kind": "apology"},
        )
    )
    data = json.loads(cli("handoff", "--json", clock=clock).stdout)
    assert [a["text"] for a in data["approvals"]] == ["Second draft"]


def test_handoff_of_a_finished_drill(
    cli, crisis_home: Path, tmp_path: Path, clock: FrozenClock
) -> None:  # type: ignore[no-untyped-def]
    env = make_env(crisis_home, clock=clock)
    incident = open_incident(env, drill=True)
    run_script(incident, answers_from(tmp_path, {"inputs": {"brand": "A", "source": "ours"},
               "steps": {"look": {"answers": {"reach": "isolated", "threat": False}}}}))  # fmt: skip
    text = cli("handoff", incident.id, clock=clock).stdout
    assert "[DRILL — a rehearsal]" in text
    assert "Now: the walk-through is finished" in text
    assert "Continue with" not in text and "Waiting for approval" not in text
