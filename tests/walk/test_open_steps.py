"""A deferred or unfinished step never vanishes: the end summary names it by title (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crisiscli.walk.engine import Walkthrough
from tests.conftest import FrozenClock, make_env
from tests.helpers import events_of, open_incident
from tests.walk.fake import ListPrompter


@pytest.fixture
def env(crisis_home: Path):  # type: ignore[no-untyped-def]
    return make_env(crisis_home, clock=FrozenClock())


def test_deferred_step_left_by_back_at_its_return_stays_open_by_title(env) -> None:
    """Deferred twice (it came back before the next phase), then taken up from the step
    menu and left by "back": it stays open, by title (issue 20 changed when it returns)."""
    incident = open_incident(env)
    answers = [
        "Acme", "ours",                      # inputs
        ["i1", "links", "own"], "wide", True, "done",   # look
        False, "defer", "",                  # safety: not yet, defer (no reason)
        False, "defer", "Legal is asleep",   # back before the next phase: deferred again
        "Sorry, Acme.", "accept", "", "Dana",  # statement message (no update promised)
        "done",
        None, "done",                        # reply
        "recall", "safety",                  # lessons: go back to the deferred step
        False, "back",                       # safety: not yet, back (to the reply)
        None, "done",                        # reply again
        "done",                              # lessons again
    ]  # fmt: skip
    prompter = ListPrompter(answers)
    summary = Walkthrough(incident, prompter).run()
    assert not prompter.answers
    assert summary.status != "complete"
    assert summary.open_steps == (("Safety first", "active"),)
    finished = [e for e in events_of(incident) if e.type == "run.finished"]
    assert finished[-1].data["unfinished"] == ["safety"]


def _walk_leaving_safety_open(env) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(env)
    answers = [
        "Acme", "ours", ["i1", "links", "own"], "wide", True, "done",
        False, "defer", "Legal is asleep", False, "defer", "Legal is asleep",
        "Sorry, Acme.", "accept", "", "Dana", "done",
        None, "done", "recall", "safety", False, "back", None, "done", "done",
    ]  # fmt: skip
    Walkthrough(incident, ListPrompter(answers)).run()


def test_status_handoff_and_close_name_the_open_step(env, crisis_home: Path) -> None:
    from tests.conftest import run_cli

    _walk_leaving_safety_open(env)
    status = run_cli(crisis_home, "status", "test-incident")
    assert "begun, not finished: Safety first" in status.stdout
    handoff = run_cli(crisis_home, "handoff", "test-incident")
    assert "Begun and left unfinished:\n  - Safety first" in handoff.stdout
    closing = run_cli(crisis_home, "close", "test-incident")
    assert "1 step(s) still open: Safety first" in closing.stderr
    assert closing.exit_code == 0  # no terminal to ask: warned, then closed


def test_close_names_the_step_a_paused_walk_through_stopped_at(env, crisis_home: Path) -> None:
    from crisiscli.errors import Paused
    from tests.conftest import run_cli

    incident = open_incident(env)
    with pytest.raises(Paused):
        Walkthrough(incident, ListPrompter(["Acme", "ours", [], None, None, "pause"])).run()
    closing = run_cli(crisis_home, "close", "test-incident")
    assert (
        "1 step(s) still open: Look first (the walk-through stopped here, step 1 of 5)"
        in closing.stderr
    )
