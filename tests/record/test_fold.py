"""Incident-level state: re-grading (`sets: severity`, `crisis severity`), pauses, next steps."""

from __future__ import annotations

from pathlib import Path

from crisiscli.playbook.load import build_text
from crisiscli.record.events import NewEvent
from tests.conftest import FrozenClock, make_env
from tests.helpers import answers_from, events_of, open_incident, run_script

GRADING = """\
id: g
title: G
phases:
  - id: p
    title: P
    steps:
      - id: grade-it
        title: Grade
        questions:
          - id: grade
            prompt: How serious?
            type: choice
            sets: severity
            choices: [low, moderate, high, critical]
"""


def test_grading_question_changes_the_incident_severity(crisis_home: Path, tmp_path: Path) -> None:
    from crisiscli.record.store import create_incident
    from tests.helpers import load_playbook_text

    env = make_env(crisis_home, clock=FrozenClock())
    incident = create_incident(
        env, load_playbook_text(GRADING, "g.yaml"), title="t", severity="moderate"
    )
    run_script(
        incident, answers_from(tmp_path, {"steps": {"grade-it": {"answers": {"grade": "high"}}}})
    )
    state = incident.state()
    assert state.severity == "high"
    changed = [e for e in events_of(incident) if e.type == "severity.changed"]
    assert [e.data["to"] for e in changed] == ["high"]
    assert "Severity changed to high" in incident.log_path.read_text()


def test_same_grade_records_no_change(crisis_home: Path, tmp_path: Path) -> None:
    from crisiscli.record.store import create_incident
    from tests.helpers import load_playbook_text

    env = make_env(crisis_home, clock=FrozenClock())
    incident = create_incident(
        env, load_playbook_text(GRADING, "g.yaml"), title="t", severity="moderate"
    )
    run_script(
        incident,
        answers_from(tmp_path, {"steps": {"grade-it": {"answers": {"grade": "moderate"}}}}),
    )
    assert not [e for e in events_of(incident) if e.type == "severity.changed"]


def test_sets_is_validated() -> None:
    bad_level = GRADING.replace("[low, moderate, high, critical]", "[low, huge]")
    problems = build_text(bad_level, "g.yaml").problems
    assert any(
        p.rule == "unknown-choice" and "'huge' is not a severity level" in p.message
        for p in problems
    )
    not_choice = GRADING.replace("type: choice", "type: text").replace(
        "            choices: [low, moderate, high, critical]\n", ""
    )
    assert any(
        "only a 'choice' question" in p.message for p in build_text(not_choice, "g.yaml").problems
    )
    unknown = GRADING.replace("sets: severity", "sets: title")
    assert any(
        "sets must be one of severity" in p.message for p in build_text(unknown, "g.yaml").problems
    )


def test_severity_command(cli, crisis_home: Path) -> None:  # type: ignore[no-untyped-def]
    env = make_env(crisis_home)
    incident = open_incident(env)
    shown = cli("severity")
    assert shown.exit_code == 0 and "» moderate" in shown.stdout and "critical" in shown.stdout
    changed = cli("severity", "high", "--reason", "Two national outlets")
    assert changed.exit_code == 0 and "moderate → high" in changed.stdout
    assert incident.state().severity == "high"
    assert "Severity changed to high — Two national outlets" in incident.log_path.read_text()
    wrong = cli("severity", "apocalyptic")
    assert wrong.exit_code == 2 and "not a severity level" in wrong.stderr
    assert cli("severity", "high").stdout.strip().endswith("is already high.")


def test_side_work_from_another_terminal_keeps_a_pause(cli, crisis_home: Path) -> None:  # type: ignore[no-untyped-def]
    env = make_env(crisis_home)
    incident = open_incident(env)
    incident.record(NewEvent("session.paused", {"step": "look"}))
    for args in (
        ("note", "from the other terminal"),
        ("severity", "high"),
        ("action", "add", "Fix the queue rules"),
    ):
        assert cli(*args).exit_code == 0, args
        assert incident.state().paused, args
    incident.record(NewEvent("session.resumed", {}))
    assert not incident.state().paused


def test_status_of_a_finished_incident_says_what_comes_next(
    cli, crisis_home: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    env = make_env(crisis_home, clock=FrozenClock())
    incident = open_incident(env)
    steps = {"look": {"answers": {"reach": "wide", "threat": False}},
             "statement": {"message": "We are sorry.", "approver": "Dana"}}  # fmt: skip
    run_script(
        incident,
        answers_from(tmp_path, {"inputs": {"brand": "A", "source": "ours"}, "steps": steps}),
    )
    shown = cli("status", incident.id)
    assert f"next: crisis report {incident.id}" in shown.stdout
    assert "continue: crisis resume" not in shown.stdout
