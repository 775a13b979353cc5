"""CR601 is an error by default (issue 20, finding 9): the evidence.

A held-out playbook with the flaw (tests/fixtures/heldout-gate.yaml: "Is it contained? — Not
yet" walks straight into the review) is walked the way a responder would, answering "Not yet".
The walk-through reaches the resolution milestone, reports itself complete and stops the update
clock, although the last thing anybody recorded is that the incident is not contained.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from crisiscli.lint.checks import check_file
from crisiscli.lint.config import LintConfig
from crisiscli.lint.rules import BY_CODE
from crisiscli.walk.deadlines import deadline_statuses
from tests.conftest import FrozenClock, make_env
from tests.helpers import FIXTURES, answers_from, open_incident, run_script


def test_the_flaw_closes_an_uncontained_incident(crisis_home: Path, tmp_path: Path) -> None:
    clock = FrozenClock()
    incident = open_incident(make_env(crisis_home, clock=clock), "heldout-gate")
    answers = {
        "steps": {
            "holding": {"message": "We know the service is down and are working on it."},
            "contained-check": {"answers": {"contained": "not-yet"}},
        }
    }
    run_script(incident, answers_from(tmp_path, answers))
    state = incident.state()
    assert state.answers["contained"] == "not-yet"
    assert state.finished  # "Walk-through complete"
    assert state.steps["close"].status == "done"  # the resolution milestone is reached
    later = (state.last_event_at or clock.now) + timedelta(hours=5)
    cadence = [
        d for d in deadline_statuses(incident.playbook(), state, later) if d.kind == "cadence"
    ]
    assert cadence[-1].state == "waived" and cadence[-1].why == "updates ended"


def test_cr601_is_an_error_by_default_and_finds_the_held_out_flaw() -> None:
    assert BY_CODE["CR601"].severity == "error"
    path = FIXTURES / "heldout-gate.yaml"
    found = [f for f in check_file(path, path.name, LintConfig()).findings if f.code == "CR601"]
    assert found and found[0].severity == "error"
