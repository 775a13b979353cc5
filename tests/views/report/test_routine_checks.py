"""Stats count what is an incident (issue 20, finding 7): a routine check (``purpose: check``)
and a run an answer calls "no incident" are listed apart and left out of stats."""

from __future__ import annotations

import json
from pathlib import Path

from crisiscli.playbook.load import load_playbook
from crisiscli.record import events as ev
from tests.conftest import FrozenClock, make_env
from tests.helpers import FIXTURES, answers_from, events_of, open_incident, run_script


def test_a_check_and_a_no_incident_answer_are_not_incidents(
    crisis_home: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    clock = FrozenClock()
    env = make_env(crisis_home, clock=clock)
    real = open_incident(env, "two-ways", title="Misread post")
    run_script(
        real, answers_from(tmp_path, {"steps": {"which": {"answers": {"situation": "misread"}}}})
    )
    routine = open_incident(env, "routine", title="Checked a post")
    run_script(routine, answers_from(tmp_path, {"steps": {}}))
    election = open_incident(env, "two-ways", title="Election check")
    run_script(
        election, answers_from(tmp_path, {"steps": {"which": {"answers": {"situation": "check"}}}})
    )
    said = [e.data for e in events_of(election) if e.type == "answer.set"]
    assert said == [
        {"step": "which", "question": "situation", "value": "check", "no_incident": True}
    ]
    assert election.state().routine and routine.state().routine and not real.state().routine
    for incident in (real, routine, election):
        incident.record(ev.incident_closed("done"))
    stats = json.loads(cli("stats", "--json", clock=clock).stdout)
    assert stats["incidents"] == 1 and stats["by_playbook"] == {"two-ways": 1}
    assert stats["routine_checks"] == 2
    assert stats["time_to"]["first-response"]["count"] == 1
    text = cli("stats", clock=clock).stdout
    assert text.startswith("1 incident(s)") and "2 routine checks not counted" in text
    listed = json.loads(cli("list", "--json").stdout)
    assert {r["title"]: r["routine"] for r in listed} == {
        "Misread post": False,
        "Checked a post": True,
        "Election check": True,
    }
    table = cli("list").stdout
    incidents, _, checks = table.partition("Routine checks")
    assert "Misread post" in incidents and "Election check" not in incidents
    assert "Election check" in checks and "Checked a post" in checks


def test_purpose_is_validated() -> None:
    assert load_playbook(FIXTURES / "routine.yaml").purpose == "check"
    book = load_playbook(FIXTURES / "two-ways.yaml")
    assert [c.no_incident for c in book.step("which").questions[0].choices] == [True, False]
