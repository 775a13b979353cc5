"""One walker at a time (issue 11): the lease, a take-over, a close from another terminal,
and notes from other terminals — by anyone, the walker's own user included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crisiscli.errors import Paused
from crisiscli.record import events as ev
from crisiscli.record.store import Incident
from crisiscli.walk.engine import Walkthrough
from crisiscli.walk.lease import ClosedElsewhere, Lease, TakenOver
from tests.conftest import FrozenClock, make_env
from tests.helpers import events_of, open_incident
from tests.walk.fake import ListPrompter

LOOK = ["Acme", "ours", ["i1", "links", "own"]]  # inputs, then the first step's checklist


@pytest.fixture
def env(crisis_home: Path):  # type: ignore[no-untyped-def]
    return make_env(crisis_home, clock=FrozenClock())


def walker(incident: Incident, answers: list[Any]) -> tuple[Walkthrough, Lease, ListPrompter]:
    lease = Lease(incident)
    assert lease.try_hold() is None
    lease.start()
    prompter = ListPrompter(answers)
    walk = Walkthrough(incident, prompter)
    walk.guards.append(lease.guard)
    return walk, lease, prompter


def test_a_second_lease_is_told_who_walks_where_and_since_when(env) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(env)
    first = Lease(incident)
    assert first.try_hold() is None
    first.start()
    holder = Lease(incident).try_hold()
    assert holder is not None and holder.lease == first.info.lease
    told = holder.describe()
    assert told.startswith("tester (pid ") and first.info.host in told and " since " in told
    first.release()  # a walker that ends (or is killed: the kernel lets go) never blocks
    again = Lease(incident)
    assert again.try_hold() is None
    again.release()
    claim = incident.state().walker
    assert claim is not None and claim.lease == first.info.lease and not claim.taken_over


def test_a_take_over_stops_the_first_walker_before_it_writes_again(env) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(env)

    def take_over(name: str, view: Any) -> Any:
        # While the first walker waits at "How far has it spread?", another terminal takes
        # over; the answer typed here must not be recorded.
        other = Lease(incident)
        holder = other.try_hold()
        assert holder is not None
        other.start(taking_over=holder)
        return "wide"

    walk, lease, _ = walker(incident, [*LOOK, take_over])
    with pytest.raises(TakenOver) as stopped:
        walk.run()
    lease.release()
    assert "took over this walk-through" in stopped.value.message
    kinds = [e.type for e in events_of(incident)]
    assert kinds[-1] == "walker.taken_over" and "answer.set" not in kinds
    taken = events_of(incident)[-1].data
    assert taken["from"]["pid"] == lease.info.pid and taken["from"]["actor"] == "tester"
    assert incident.state().walker.taken_over  # type: ignore[union-attr]


def test_a_close_from_another_terminal_stops_the_walk_with_who_and_when(env) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(env)

    def closed_elsewhere(name: str, view: Any) -> Any:
        Incident(incident.id, incident.dir, incident.env).record(ev.incident_closed("Done"))
        return "wide"

    walk, lease, _ = walker(incident, [*LOOK, closed_elsewhere])
    with pytest.raises(ClosedElsewhere) as stopped:
        walk.run()
    lease.release()
    assert "closed at" in stopped.value.message and "by tester" in stopped.value.message
    assert "--reopen" in (stopped.value.hint or "")
    kinds = [e.type for e in events_of(incident)]
    assert kinds[-1] == "incident.closed" and "answer.set" not in kinds  # nothing after


def test_notes_from_another_terminal_show_even_by_the_same_user(env) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(env)

    def note_elsewhere(name: str, view: Any) -> Any:
        # Same user (CRISIS_USER), another terminal: `crisis note` records it directly.
        Incident(incident.id, incident.dir, incident.env).record(ev.note_added("Herald called"))
        return "note"

    walk, lease, prompter = walker(
        incident, [*LOOK, "wide", False, note_elsewhere, "Legal is on it", "pause"]
    )
    with pytest.raises(Paused):
        walk.run()
    lease.release()
    last = prompter.shown[-1]
    notes = {n.text: n.mine for n in last.recent_notes}
    assert notes == {"Herald called": False, "Legal is on it": True}
