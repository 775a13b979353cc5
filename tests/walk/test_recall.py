"""A step deferred again after it came back is brought back again (issue 20, deferral).

Before, a step recalled at its deadline and deferred again was marked "revisited" for good:
no phase boundary, no end of the walk-through brought it back, only the step menu did.
Now: it comes back before the next phase begins, once more when its deadline passes
(overdue — once, not every tick), and at the latest in the final round before the end.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from crisiscli.errors import Paused
from crisiscli.record.fold import replay
from crisiscli.record.store import Incident, find_incident
from crisiscli.walk.engine import Walkthrough
from crisiscli.walk.flow import recall_at
from tests.conftest import FrozenClock, make_env, run_cli
from tests.helpers import events_of
from tests.walk.fake import ListPrompter
from tests.walk.test_gates import GATED, start

ONE_PHASE = """
id: one-phase
title: One phase
phases:
  - id: only
    title: Only
    steps:
      - id: halt
        title: Stop the queue
        due: 10m
        items: [Paused the queue]
      - id: look
        title: Look around
        items: [Looked]
      - id: wrap
        title: Wrap up
        items: [Wrapped]
"""


@pytest.fixture
def env(crisis_home: Path, clock: FrozenClock):  # type: ignore[no-untyped-def]
    return make_env(crisis_home, clock=clock)


def entered(incident: Incident) -> list[tuple[str, str, str]]:
    return [
        (e.data["step"], e.data.get("via", ""), e.data.get("why", ""))
        for e in events_of(incident)
        if e.type == "step.entered"
    ]


def later(clock: FrozenClock, minutes: float, answer: Any) -> Any:
    """An answer given ``minutes`` after the prompt appeared."""
    return lambda name, view: (clock.advance(minutes * 60), answer)[1]


def defer_twice(clock: FrozenClock) -> list[Any]:
    """halt deferred at 0; at 6 minutes (its recall, 5 before its 10-minute deadline) it
    comes back in the middle of look and is deferred again."""
    return [
        [],
        "defer",
        "Scheduler login is broken",  # halt, deferred at once
        later(clock, 6, ["i1"]),  # look: six minutes in, halt's deadline nears
        [],
        "defer",
        "Still no login",  # halt back before its deadline, deferred again
    ]


def test_deferred_again_after_its_recall_it_comes_back_before_the_next_phase(env, clock) -> None:
    incident = start(env, GATED)
    prompter = ListPrompter(
        [
            *defer_twice(clock),
            "done",  # look, where it was
            ["i1"],
            "done",  # halt, back before the phase "Later" begins
            ["i1"],
            "pause",  # resume
        ]
    )
    with pytest.raises(Paused):
        Walkthrough(incident, prompter).run()
    assert entered(incident) == [
        ("halt", "next", ""),
        ("look", "next", ""),
        ("halt", "recall", "deadline"),
        ("look", "return", ""),
        ("halt", "recall", "phase"),
        ("resume", "next", ""),
    ]
    assert incident.state().steps["halt"].status == "done"
    assert any("the next phase begins after it" in n for n in prompter.notices)


def test_deferred_again_it_comes_back_once_more_when_its_deadline_passes(
    env, clock, crisis_home: Path
) -> None:
    incident = start(env, GATED)
    prompter = ListPrompter(
        [
            *defer_twice(clock),
            # look, where it was: five minutes later halt's deadline (10m) has passed
            later(clock, 5, "done"),
            [],
            "defer",
            "Vendor still down",  # halt, overdue: deferred a third time
            ["i1"],
            later(clock, 60, "pause"),  # resume, an hour later
        ]
    )
    with pytest.raises(Paused):
        Walkthrough(incident, prompter).run()
    assert entered(incident)[2:] == [
        ("halt", "recall", "deadline"),
        ("look", "return", ""),
        # back between look and the next phase for its deadline: not twice at that boundary
        ("halt", "recall", "overdue"),
        ("resume", "next", ""),
    ]
    assert any("its deadline passed at" in n for n in prompter.notices)
    state = incident.state()
    assert recall_at(incident.playbook().step("halt"), state) is None  # no third time by clock
    status = run_cli(crisis_home, "status", incident.id, clock=clock).stdout
    assert "deferred: Stop the queue — Vendor still down (comes back at the end" in status

    # An hour on, resumed: the clock does not bring it back again (it is not every tick).
    prompter = ListPrompter(["pause"])
    with pytest.raises(Paused):
        Walkthrough(find_incident(env, incident.id), prompter).run()
    assert [s for s, via, _ in entered(incident)].count("halt") == 3


def test_deferred_again_in_the_last_phase_it_comes_back_before_the_end(env, clock) -> None:
    incident = start(env, ONE_PHASE)
    prompter = ListPrompter(
        [
            *defer_twice(clock),
            "done",  # look
            ["i1"],
            "done",  # wrap
            [],
            "defer",
            "Vendor says tomorrow",  # halt, offered once more before the end: deferred again
        ]
    )
    summary = Walkthrough(incident, prompter).run()
    assert not prompter.answers
    assert entered(incident)[-2:] == [("wrap", "next", ""), ("halt", "revisit", "")]
    assert list(summary.deferred) == ["halt"]  # left open, by title, and the walk-through ended
    assert incident.state().finished


def test_an_answers_file_defers_twice_and_finishes(tmp_path: Path, clock: FrozenClock) -> None:
    home = tmp_path / "home"
    book = tmp_path / "gated.yaml"
    book.write_text(GATED, encoding="utf-8")
    answers = tmp_path / "a.yaml"
    answers.write_text(
        yaml.safe_dump(
            {
                "default": "done",
                "steps": {
                    "halt": {"action": ["defer", "defer", "done"]},
                    "resume": {"action": "pause"},
                },
            }
        ),
        encoding="utf-8",
    )
    result = run_cli(home, "start", str(book), "--answers", str(answers), clock=clock)
    assert result.exit_code == 0, result.stderr
    (folder,) = (home / "incidents").iterdir()
    env = make_env(home, clock=clock)
    incident = find_incident(env, folder.name)
    vias = [(s, via) for s, via, _ in entered(incident) if s == "halt"]
    assert vias == [("halt", "next"), ("halt", "recall")]
    assert incident.state().steps["halt"].status == "deferred"

    # Always deferred: back before the end once more, and the walk-through ends (no loop).
    answers.write_text(
        yaml.safe_dump({"default": "done", "steps": {"resume": {"why": "Board said go"}}}),
        encoding="utf-8",
    )
    result = run_cli(home, "resume", folder.name, "--answers", str(answers), clock=clock)
    assert result.exit_code == 0, result.stderr
    state = find_incident(env, folder.name).state()
    assert state.finished
    assert state.steps["halt"].status == "done"  # the third answer, in the final round


def test_killed_after_the_second_deferral_it_still_comes_back(
    env, clock, crisis_home: Path
) -> None:
    class Killed(BaseException):
        pass

    incident = start(env, GATED)
    prompter = ListPrompter([*defer_twice(clock), Killed()])  # at look's menu, just after
    with pytest.raises(Killed):
        Walkthrough(incident, prompter).run()
    assert incident.state().steps["halt"].status == "deferred"

    # What the team sees meanwhile: still deferred, and when it comes back (not "never").
    status = run_cli(crisis_home, "status", incident.id, clock=clock).stdout
    assert (
        "deferred: Stop the queue — Still no login "
        "(comes back at 15:10 UTC, when its deadline passes)" in status
    )
    handoff = json.loads(run_cli(crisis_home, "handoff", "--json", clock=clock).stdout)
    assert [(d["step"], d["back_why"]) for d in handoff["deferred"]] == [("halt", "overdue")]
    watch = json.loads(run_cli(crisis_home, "watch", "--once", "--json", clock=clock).stdout)
    (halt,) = [d for d in watch["deadlines"] if d["key"] == "step:halt"]
    assert halt["deferred"] == "back at 15:10 UTC"

    again = find_incident(env, incident.id)  # a new process: checkpoint and journal
    state = again.state()
    assert repr(state.steps) == repr(replay(events_of(again)).steps)
    assert state.turns == replay(events_of(again)).turns
    prompter = ListPrompter(["done", ["i1"], "done", ["i1"], "pause"])
    with pytest.raises(Paused):
        Walkthrough(again, prompter).run()
    assert entered(again)[-2:] == [
        ("halt", "recall", "phase"),
        ("resume", "next", ""),
    ]


def test_resumed_after_its_deadline_it_comes_back_once_as_overdue(env, clock) -> None:
    """Deferred, paused, resumed 20 minutes later: both moments have passed; it comes back
    once, said as overdue (not "its deadline nears"), and deferred again it stays put."""
    incident = start(env, GATED)
    with pytest.raises(Paused):
        Walkthrough(incident, ListPrompter([[], "defer", "", ["i1"], "pause"])).run()
    clock.advance(20 * 60)
    prompter = ListPrompter([[], "defer", "Vendor down", "pause"])
    with pytest.raises(Paused):
        Walkthrough(find_incident(env, incident.id), prompter).run()
    assert entered(incident)[-2:] == [("halt", "recall", "overdue"), ("look", "return", "")]
    assert any("its deadline passed at 15:10" in n for n in prompter.notices)
    assert incident.state().steps["halt"].status == "deferred"
    assert recall_at(incident.playbook().step("halt"), incident.state()) is None
