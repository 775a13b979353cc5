"""Earliest-time gates, severity floors and the return of deferred steps (issue 20, 3-5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crisiscli.errors import Paused
from crisiscli.record.store import Incident, create_incident
from crisiscli.walk.engine import Walkthrough
from tests.conftest import FrozenClock, make_env
from tests.helpers import events_of, load_playbook_text
from tests.walk.fake import ListPrompter

GATED = """
id: gated
title: Gated
phases:
  - id: first
    title: First
    steps:
      - id: halt
        title: Stop the queue
        due: 10m
        milestone: queue-paused
        items: [Paused the queue]
      - id: look
        title: Look around
        items: [Looked]
  - id: later
    title: Later
    steps:
      - id: resume
        title: Decide whether to resume
        not_before: {after: 24h, label: "Resume decision (not before 24 hours)"}
        items: [Criteria checked]
      - id: lessons
        title: Lessons
        items: [Written]
"""

GRADED = """
id: graded
title: Graded
severity:
  levels: [low, moderate, high, critical]
  default: moderate
  mentions: {above: 5, floor: high}
phases:
  - id: assess
    title: Assess
    steps:
      - id: facts
        title: Facts
        questions:
          - id: threat
            prompt: Has anyone threatened violence or filed a police report?
            type: yesno
            floor: high
          - id: grade
            prompt: How serious is it now?
            type: choice
            sets: severity
            choices:
              - {value: low, label: "Low"}
              - {value: moderate, label: "Moderate"}
              - {value: high, label: "High"}
              - {value: critical, label: "Critical"}
      - id: lessons
        title: Lessons
        items: [Written]
"""


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def env(crisis_home: Path, clock: FrozenClock):  # type: ignore[no-untyped-def]
    return make_env(crisis_home, clock=clock)


def start(env: Any, text: str) -> Incident:
    return create_incident(
        env, load_playbook_text(text, "test.yaml"), title="Gates", severity="moderate"
    )


def types(incident: Incident) -> list[str]:
    return [e.type for e in events_of(incident)]


# -- 3. not before is not due by ----------------------------------------------------------------


def test_resuming_before_not_before_asks_a_reason_and_records_it_as_early(env) -> None:
    incident = start(env, GATED)
    prompter = ListPrompter(
        [
            ["i1"],
            "done",  # halt
            ["i1"],
            "done",  # look
            ["i1"],
            "done",  # resume, 2 s in: not before 24 h
            "",  # no reason: not done
            "done",
            "Management decided to resume early",
            ["i1"],
            "done",  # lessons
        ]
    )
    Walkthrough(incident, prompter).run()
    assert not prompter.answers
    assert prompter.asked.count("why") == 2
    assert any("not before" in n for n in prompter.notices)
    state = incident.state()
    early = state.early["resume"]
    assert early.reason == "Management decided to resume early"
    assert (early.not_before - state.started_at).total_seconds() == 24 * 3600
    kinds = types(incident)
    assert kinds[kinds.index("step.early") + 1] == "step.done"
    log = incident.log_path.read_text()
    assert "Early: Decide whether to resume done before its earliest time" in log
    assert "23h 59m early" not in log and "Resume decision" not in _deadline_lines(log)


def _deadline_lines(log: str) -> str:
    """The log's deadline section: a gate is not a deadline."""
    _, _, rest = log.partition("## Deadlines")
    return rest.split("\n## ", 1)[0] if rest else ""


def test_after_its_time_a_gated_step_needs_no_reason(env, clock: FrozenClock) -> None:
    incident = start(env, GATED)
    prompter = ListPrompter([["i1"], "done", ["i1"], "done", ["i1"]])
    prompter.answers.append(lambda name, view: (clock.advance(25 * 3600), "done")[1])
    prompter.answers += [["i1"], "done"]
    Walkthrough(incident, prompter).run()
    assert not prompter.answers
    assert "why" not in prompter.asked
    assert incident.state().early == {}


def test_the_gate_loads_round_trips_and_is_not_a_deadline() -> None:
    from crisiscli.playbook.model import from_data, to_data

    book = load_playbook_text(GATED, "test.yaml")
    step = book.step("resume")
    assert step.due is None
    assert step.not_before is not None and step.not_before.seconds == 24 * 3600
    assert from_data(to_data(book)).step("resume").not_before == step.not_before


def test_status_handoff_and_report_show_the_early_step(env, crisis_home: Path) -> None:
    from tests.conftest import run_cli

    incident = start(env, GATED)
    answers = [["i1"], "done", ["i1"], "done", ["i1"], "done", "Board said go", ["i1"], "pause"]
    with pytest.raises(Paused):
        Walkthrough(incident, ListPrompter(answers)).run()
    status = run_cli(crisis_home, "status", incident.id).stdout
    assert "EARLY: Decide whether to resume done" in status and "Board said go" in status
    handoff = run_cli(crisis_home, "handoff", incident.id).stdout
    assert "Done early: Decide whether to resume" in handoff
    report = run_cli(crisis_home, "report", incident.id).stdout
    assert "## Done before their earliest time" in report and "Board said go" in report


# -- 4. severity: the current level, and floors ------------------------------------------------


class Recording(ListPrompter):
    """Also keeps the question objects the engine asked."""

    def __init__(self, answers: list[Any]) -> None:
        super().__init__(answers)
        self.questions: list[Any] = []

    def answer(self, view: Any, question: Any) -> Any:
        self.questions.append(question)
        return super().answer(view, question)


def test_the_grading_question_starts_on_the_current_level(env) -> None:
    incident = start(env, GRADED)
    prompter = Recording([False, lambda name, view: None, "pause"])
    with pytest.raises(Paused):
        Walkthrough(incident, prompter).run()
    grade = next(q for q in prompter.questions if q.id == "grade")
    assert grade.default == "moderate"  # not the first choice, Low


def test_grading_below_a_floor_asks_a_reason_and_records_it(env, crisis_home: Path) -> None:
    from tests.conftest import run_cli

    incident = start(env, GRADED)
    prompter = ListPrompter(
        [
            True,  # threats of violence: floor high
            "low",
            "",  # low, no reason: not graded
            "edit",
            True,
            "low",
            "It was one troll, police say no risk",
            "done",
            ["i1"],
            "pause",
        ]
    )
    with pytest.raises(Paused):
        Walkthrough(incident, prompter).run()
    assert prompter.asked.count("why") == 2
    state = incident.state()
    change = state.severity_changes[-1]
    assert (change.to, change.floor, change.reason) == (
        "low",
        "high",
        "It was one troll, police say no risk",
    )
    assert "threatened" in (change.floor_facts or "")
    log = incident.log_path.read_text()
    assert "below the floor high" in log
    report = run_cli(crisis_home, "report", incident.id).stdout
    assert "below the floor high" in report
    status = run_cli(crisis_home, "status", incident.id).stdout
    assert "BELOW FLOOR" in status


def test_a_mention_ratio_over_the_threshold_sets_a_floor(env) -> None:
    from crisiscli.record import events as ev
    from crisiscli.walk.floors import severity_floor

    incident = start(env, GRADED)
    book = incident.playbook()
    assert severity_floor(book, incident.state()) is None
    incident.record(ev.mentions_recorded(400, per="hour", baseline=50))
    floor = severity_floor(book, incident.state())
    assert floor is not None and floor.level == "high" and "8.0x" in floor.words


# -- 5. a deferred step comes back before its deadline or the next phase ------------------------


def test_a_deferred_step_comes_back_before_its_deadline(
    env, clock: FrozenClock, crisis_home: Path
) -> None:
    from tests.conftest import run_cli

    incident = start(env, GATED)

    prompter = ListPrompter(
        [
            [],
            "defer",
            "Scheduler login is broken",  # halt, deferred at once
            lambda name, view: (clock.advance(60), ["i1"])[1],  # look ...
            "pause",
        ]
    )
    with pytest.raises(Paused):
        Walkthrough(incident, prompter).run()
    status = run_cli(crisis_home, "status", incident.id, clock=clock).stdout
    assert "deferred: Stop the queue — Scheduler login is broken (comes back at" in status
    assert "before its deadline" in status

    clock.advance(5 * 60)  # six minutes in: the 10-minute step's deadline nears
    prompter = ListPrompter([["i1"], "done", "done", ["i1"], "pause"])
    with pytest.raises(Paused):
        Walkthrough(incident, prompter).run()
    entered = [
        (e.data["step"], e.data.get("via")) for e in events_of(incident) if e.type == "step.entered"
    ]
    assert ("halt", "recall") in entered
    assert any("Back to the deferred step “Stop the queue”" in n for n in prompter.notices)
    state = incident.state()
    assert state.steps["halt"].status == "done"
    done_at = state.steps["halt"].done_at
    assert done_at is not None and (done_at - state.started_at).total_seconds() < 600
    # the step it interrupted came back after it, and went on
    assert state.steps["look"].status == "done"
    assert entered.index(("halt", "recall")) < entered.index(("look", "return"))


def test_a_deferred_step_without_deadline_comes_back_before_the_next_phase(env) -> None:
    incident = start(env, GATED)
    prompter = ListPrompter(
        [
            ["i1"],
            "done",  # halt
            [],
            "defer",
            "",  # look: deferred
            ["i1"],
            "done",  # look, back before the phase "Later" begins
            ["i1"],
            "pause",  # resume (phase Later)
        ]
    )
    with pytest.raises(Paused):
        Walkthrough(incident, prompter).run()
    entered = [
        (e.data["step"], e.data.get("via")) for e in events_of(incident) if e.type == "step.entered"
    ]
    assert entered[-2:] == [("look", "recall"), ("resume", "next")]


def test_the_step_menu_goes_back_to_a_deferred_step_any_time(env) -> None:
    from crisiscli.walk.prompter import Action

    incident = start(env, GATED)
    seen: list[list[Any]] = []

    class Menu(ListPrompter):
        def choose_action(self, view: Any, allowed: list[Action]) -> Action:
            seen.append(list(allowed))
            return super().choose_action(view, allowed)

    prompter = Menu(
        [
            [],
            "defer",
            "",  # halt: deferred
            [],
            "recall",
            "halt",  # look: go back to the pause step now
            ["i1"],
            "done",  # halt
            ["i1"],
            "done",  # look again
            ["i1"],
            "pause",
        ]
    )
    with pytest.raises(Paused):
        Walkthrough(incident, prompter).run()
    assert Action.RECALL not in seen[0] and Action.RECALL in seen[1]
    state = incident.state()
    assert state.steps["halt"].status == "done" and state.steps["look"].status == "done"


# -- 8. a standing roster names people in advance ---------------------------------------------

ROLES = """
id: roles
title: Roles
phases:
  - id: people
    title: People
    steps:
      - id: bring-in
        title: Bring in the people
        questions:
          - {id: approver, prompt: Who approves public messages?}
          - {id: backup, prompt: Who approves if they can't be reached?, required: false}
          - {id: spokesperson, prompt: Who speaks to the press?}
"""


def test_the_roster_prefills_every_role_question(
    env, crisis_home: Path, clock: FrozenClock
) -> None:
    from tests.conftest import run_cli

    for key, person in (
        ("roster.approver", "Dana Reyes"),
        ("roster.backup", "Sam Ode"),
        ("roster.night_approver", "Noor Night"),
        ("roster.spokesperson", "Ruth Olsen"),
    ):
        assert run_cli(crisis_home, "config", "set", key, person).exit_code == 0
    incident = start(env, ROLES)
    prompter = Recording([None, None, None, "pause"])
    with pytest.raises(Paused):
        Walkthrough(incident, prompter).run()
    defaults = {q.id: q.default for q in prompter.questions}
    assert defaults == {"approver": "Dana Reyes", "backup": "Sam Ode", "spokesperson": "Ruth Olsen"}
    # At night the night approver is offered
    clock.now = clock.now.replace(hour=23)
    night = start(env, ROLES.replace("id: roles", "id: roles-night"))
    prompter = Recording([None, None, None, "pause"])
    with pytest.raises(Paused):
        Walkthrough(night, prompter).run()
    assert prompter.questions[0].default == "Noor Night"


def test_the_night_approver_follows_daylight_saving(
    env, crisis_home: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """20:30 UTC is 22:30 in a Stockholm summer (night) and 21:30 in its winter (not yet):
    the walk-through's local zone is the system's at that moment, not today's offset
    (issue 25.3: the zone was computed twice, once without DST)."""
    import time
    from datetime import datetime, timezone

    from tests.conftest import run_cli

    monkeypatch.setenv("TZ", "Europe/Stockholm")
    time.tzset()
    try:
        for key, person in (("roster.approver", "Dana Day"), ("roster.night_approver", "Noor")):
            assert run_cli(crisis_home, "config", "set", key, person).exit_code == 0
        # the season opposite to today's, where a fixed offset of today would be an hour off
        summer_now = time.localtime().tm_isdst > 0
        month = 1 if summer_now else 7
        clock.now = datetime(2026, month, 15, 20, 30, tzinfo=timezone.utc)
        incident = start(env, ROLES.replace("id: roles", "id: roles-dst"))
        prompter = Recording([None, None, None, "pause"])
        with pytest.raises(Paused):
            Walkthrough(incident, prompter).run()
        expected = "Noor" if month == 7 else "Dana Day"
        assert prompter.questions[0].default == expected
    finally:
        monkeypatch.undo()
        time.tzset()


def test_crisis_severity_below_a_floor_needs_a_reason(env, crisis_home: Path) -> None:
    from crisiscli.record import events as ev
    from tests.conftest import run_cli

    incident = start(env, GRADED)
    incident.record(ev.answer_set("facts", "threat", True))
    refused = run_cli(crisis_home, "severity", "low", "-i", incident.id)
    assert refused.exit_code != 0 and "below the floor high" in refused.stderr
    assert incident.state().severity == "moderate"
    done = run_cli(crisis_home, "severity", "low", "-i", incident.id, "--reason", "Police: no risk")
    assert done.exit_code == 0, done.stderr
    from crisiscli.record.store import find_incident

    change = find_incident(make_env(crisis_home), incident.id).state().severity_changes[-1]
    assert (change.to, change.floor, change.reason) == ("low", "high", "Police: no risk")
