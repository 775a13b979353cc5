"""Approvals in the walk-through: requested for the exact version, decided as the person
asked (another process, or a script standing in), voided by an edit, escalated to the
backup, self-approval on record; and steps switched on and off by a re-grade."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crisiscli.errors import Paused
from crisiscli.record import events as ev
from crisiscli.record.store import Incident
from crisiscli.walk import approvals
from crisiscli.walk.answers import ScriptedPrompter
from crisiscli.walk.engine import Walkthrough
from crisiscli.walk.prompter import StepView, Waiting
from tests.conftest import FrozenClock, make_env
from tests.helpers import answers_from, events_of, open_incident, run_script

TEXT = "We know about the post and are looking into it."


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def env(crisis_home: Path, clock: FrozenClock):  # type: ignore[no-untyped-def]
    made = make_env(crisis_home, clock=clock)
    made.sleep = clock.advance  # waiting moves the test's clock, not the wall clock
    return made


def data(incident: Incident, kind: str) -> list[dict[str, Any]]:
    return [e.data for e in events_of(incident) if e.type == kind]


def entered(incident: Incident) -> list[tuple[str, str]]:
    return [(d["step"], d.get("via", "next")) for d in data(incident, "step.entered")]


def script(holding: dict[str, Any] | None = None, **steps: Any) -> dict[str, Any]:
    return {
        "inputs": {"brand": "Acme"},
        "steps": {
            "people": {"answers": {"approver": "Dana Reyes", "backup": "Sam Ode"}},
            "holding": holding or {"approver": "Dana Reyes"},
            "grade": {"answers": {"grade": "moderate"}},
            **steps,
        },
    }


def test_the_exact_version_is_put_to_the_approver_and_decided_as_them(env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(env, "approvals")
    run_script(incident, answers_from(tmp_path, script()))
    (asked,) = data(incident, "message.approval_requested")
    message = incident.state().messages["holding"]
    assert asked["approver"] == "Dana Reyes" and asked["text"] == TEXT
    assert asked["digest"] == message.digest and asked["platforms"] == ["x"]
    assert asked["checks"] == message.check_summary and asked["escalate_after"] == 120
    assert asked["backup"] == "Sam Ode"
    (decided,) = data(incident, "message.approval_decided")
    assert decided["approver"] == "Dana Reyes" and decided["scripted"] is True
    assert message.decided_by == "Dana Reyes" and not message.self_approved
    assert approvals.outcome(message) == "approved by Dana Reyes (scripted)"
    # Answering "who approves?" filled the roles.
    assert incident.state().roles == {"approver": "Dana Reyes", "backup-approver": "Sam Ode"}
    # The items that come after the approval were ticked after it.
    assert incident.state().steps["holding"].checked == {"i1"}


def test_an_edit_voids_the_approval(env) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(env, "approvals")
    incident.record(ev.message_recorded("holding", TEXT, ["x"], "statement"))
    state = incident.state()
    message = state.messages["holding"]
    step = incident.playbook().step("holding")
    incident.record(approvals.request_event(step, message, "Dana", checks=None, backup=None))
    (item,) = approvals.pending(incident.playbook(), incident.state())
    incident.env.actor = "Dana"
    incident.record(approvals.decision_event(item, "approve", "Dana", "Fine"))
    assert approvals.settled(incident.state().messages["holding"])
    incident.env.actor = "tester"
    incident.record(ev.message_recorded("holding", TEXT + " More soon.", ["x"], "statement"))
    edited = incident.state().messages["holding"]
    assert not approvals.settled(edited) and edited.approver is None
    assert [(v.approver, v.what) for v in edited.voided] == [("Dana", "approved")]
    # A decision on the old version arriving late (a sync) does not count either.
    incident.env.actor = "Sam"
    incident.record(approvals.decision_event(item, "approve", "Sam"))
    late = incident.state().messages["holding"]
    assert not approvals.settled(late)
    assert late.voided[-1].what == "decided on an earlier version"
    assert "approved" in incident.log_path.read_text()  # the timeline keeps every decision


class GoesOn(ScriptedPrompter):
    """A responder who asks Dana, goes on meanwhile, and whose Dana decides (in another
    process) while the responder is at the grading step."""

    def __init__(self, *args: Any, incident: Incident, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.other = incident
        self.statuses: list[str] = []

    def stand_in(self, view: StepView, approver: str) -> None:
        return None  # Dana decides in her own terminal

    def while_waiting(self, view: StepView, waiting: str, backup_next: str | None) -> Waiting:
        assert waiting == "waiting for approval from Dana Reyes — under a minute"
        assert backup_next == "Sam Ode"
        self.other.env.clock.advance(90)  # type: ignore[attr-defined]
        return Waiting.GO_ON

    def show_step(self, view: StepView) -> None:
        super().show_step(view)
        if view.step.id == "grade" and view.waiting:
            assert view.waiting == ("waiting for approval from Dana Reyes — 1m",)
            # Dana, in her own terminal: `crisis approve` records her decision.
            other = Incident(self.other.id, self.other.dir, make_env(self.other.env.home, actor="Dana Reyes", clock=self.other.env.clock))  # fmt: skip
            (item,) = approvals.pending(other.playbook(), other.state())
            other.record(approvals.decision_event(item, "approve", "Dana Reyes", "Go"))

    def show_status(self, view: StepView, text: str) -> None:
        self.statuses.append(text)


def test_the_responder_goes_on_and_the_step_comes_back_with_the_decision(env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(env, "approvals")
    answers = answers_from(tmp_path, script())
    prompter = GoesOn(answers, incident=incident)
    Walkthrough(incident, prompter).run()
    assert entered(incident) == [
        ("people", "next"),
        ("holding", "next"),
        ("grade", "next"),
        ("holding", "aside"),  # back with Dana's decision, out of turn
        ("watch", "next"),  # then on from where the walk-through was
        ("lessons", "next"),
    ]
    state = incident.state()
    assert state.steps["holding"].status == "done"
    assert state.messages["holding"].decided_by == "Dana Reyes"
    deferred = data(incident, "step.deferred")
    assert deferred == [{"step": "holding", "reason": "waiting for approval from Dana Reyes"}]
    assert "Dana Reyes" in [e.actor for e in events_of(incident)]  # recorded as her


def test_no_answer_in_time_asks_the_backup(env, tmp_path: Path, clock: FrozenClock) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(env, "approvals")
    holding = {"approver": {"name": "Dana Reyes", "decision": "none"}, "backup": {"decision": "approve", "comment": "OK from me"}}  # fmt: skip
    start = clock.now
    run_script(incident, answers_from(tmp_path, script(holding)))
    first, second = [e for e in events_of(incident) if e.type == "message.approval_requested"]
    assert first.data["approver"] == "Dana Reyes" and "escalated_from" not in first.data
    assert second.data["approver"] == "Sam Ode" and second.data["escalated_from"] == "Dana Reyes"
    assert (second.ts - first.ts).total_seconds() >= 120  # not before escalate_after
    assert (second.ts - start).total_seconds() < 130  # and as soon as it passed
    (decided,) = data(incident, "message.approval_decided")
    assert decided["approver"] == "Sam Ode" and decided["comment"] == "OK from me"
    log = incident.log_path.read_text()
    assert "asked of Sam Ode (no answer from Dana Reyes in 2m: escalated)" in log


def test_self_approval_is_recorded_and_reported(env, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(env, "approvals")
    run_script(incident, answers_from(tmp_path, script({"approver": "self"})))
    message = incident.state().messages["holding"]
    assert message.self_approved and message.decided_by == "tester"
    assert data(incident, "message.approval_decided")[0].get("scripted") is None
    report = cli("report", incident.id).stdout
    assert "self-approved" in report


def test_published_without_approval_says_why(env, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(env, "approvals")
    reason = "Dana and Sam unreachable; the CEO said go by phone"
    holding = {"approver": {"name": "Dana Reyes", "decision": "none"}, "override": reason}
    steps = script(holding)
    run_script(incident, answers_from(tmp_path, steps))
    assert incident.state().messages["holding"].override == reason
    assert f"published without approval: {reason}" in cli("report", incident.id).stdout


def test_a_rejection_goes_back_to_the_composer(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(env, "approvals")
    holding = {
        "message": [TEXT, "We know. We are on it, and will post again by 10:00."],
        "approver": [
            {"name": "Dana Reyes", "decision": "reject", "comment": "Say when we update"},
            {"name": "Dana Reyes"},
        ],
    }
    run_script(incident, answers_from(tmp_path, script(holding)))
    decided = data(incident, "message.approval_decided")
    assert [d["decision"] for d in decided] == ["reject", "approve"]
    assert decided[0]["digest"] != decided[1]["digest"]
    message = incident.state().messages["holding"]
    assert message.versions == 2 and message.decided_by == "Dana Reyes"
    assert [(v.approver, v.what) for v in message.voided] == [("Dana Reyes", "rejected")]


def test_a_script_rejected_without_another_version_stops_clearly(env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from crisiscli.errors import AnswersError

    incident = open_incident(env, "approvals")
    holding = {"approver": {"name": "Dana Reyes", "decision": "reject", "comment": "No"}}
    with pytest.raises(AnswersError, match=r"rejected by Dana Reyes: No.*no other version"):
        run_script(incident, answers_from(tmp_path, script(holding)))


# -- severity drives the playbook ----------------------------------------------------------


def test_a_regrade_switches_on_a_step_already_passed_and_one_ahead(env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(env, "approvals")
    steps = script(grade={"answers": {"grade": "high"}}, statement={"approver": "Dana Reyes"})
    run_script(incident, answers_from(tmp_path, steps))
    assert entered(incident) == [
        ("people", "next"),
        ("holding", "next"),
        ("grade", "next"),
        ("brief-ceo", "aside"),  # meant for high: passed at moderate, taken now
        ("statement", "next"),  # meant for high: on the way
        ("watch", "next"),
        ("lessons", "next"),
    ]
    (change,) = data(incident, "severity.changed")
    assert change["switched_on"] == ["brief-ceo", "statement"]
    assert "switches on: Brief the CEO, Public statement" in incident.log_path.read_text()


def test_a_regrade_down_switches_the_current_step_off(env, tmp_path: Path, cli, clock) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(env, "approvals", severity="high")

    class Calmer(ScriptedPrompter):
        def show_step(self, view: StepView) -> None:
            super().show_step(view)
            if view.step.id == "brief-ceo" and view.visit == 1:
                done = cli("severity", "low", "--reason", "It calmed down", clock=clock)
                assert done.exit_code == 0

    Walkthrough(incident, Calmer(answers_from(tmp_path, script()))).run()
    state = incident.state()
    assert state.steps["brief-ceo"].status == "not_applicable"
    assert state.steps["brief-ceo"].reason == "not for severity low (re-graded)"
    assert "statement" not in state.steps  # off at moderate (the grade) as well


def test_crisis_severity_switches_steps_on_records_them_and_the_walk_through_follows(
    env, tmp_path: Path, cli, clock
) -> None:  # type: ignore[no-untyped-def]
    """A re-grade from another terminal while the responder is at the holding line: the
    command says what it switches on, the event records it, and the resumed walk-through
    takes the step meant for high that it had passed (out of turn) and the one ahead."""
    incident = open_incident(env, "approvals")
    paused = script(holding={"approver": "Dana Reyes", "action": "pause"})
    with pytest.raises(Paused):
        run_script(incident, answers_from(tmp_path, paused))
    said = cli("severity", "high", "--reason", "Picked up by the press", clock=clock)
    assert said.exit_code == 0, said.stderr
    assert "Switches on: Brief the CEO, Public statement" in said.stdout
    (change,) = data(incident, "severity.changed")
    assert change["switched_on"] == ["brief-ceo", "statement"] and change["from"] == "moderate"
    assert "switches on: Brief the CEO, Public statement" in incident.log_path.read_text()
    again = script(
        holding={"approver": "Dana Reyes"},
        grade={"answers": {"grade": "high"}},
        statement={"approver": "Dana Reyes"},
    )
    run_script(incident, answers_from(tmp_path, again))
    assert entered(incident) == [
        ("people", "next"),
        ("holding", "next"),
        ("brief-ceo", "aside"),  # passed at moderate, switched on by `crisis severity high`
        ("grade", "next"),
        ("statement", "next"),
        ("watch", "next"),
        ("lessons", "next"),
    ]
    state = incident.state()
    assert state.steps["brief-ceo"].status == "done" and state.steps["statement"].status == "done"


def test_a_run_stopped_between_the_answer_and_its_role_fills_the_role(
    env, tmp_path: Path, cli, clock
) -> None:  # type: ignore[no-untyped-def]
    """Killed after "Who approves if they can't be reached?" was recorded, before the role
    it fills: the resumed run fills it. A role set by hand after the answer is kept."""
    incident = open_incident(env, "approvals")
    incident.record(ev.input_set("brand", "Acme"))
    incident.record(ev.step_entered("people", "next"))
    incident.record(ev.answer_set("people", "approver", "Dana Reyes"))
    incident.record(ev.answer_set("people", "backup", "Lee Park"))  # ... and then killed
    assert incident.state().roles.get("backup-approver") is None
    clock.advance(60)
    assert cli("role", "set", "approver", "Kim Long", clock=clock).exit_code == 0  # by hand
    run_script(incident, answers_from(tmp_path, script(people={})))
    roles = incident.state().roles
    assert roles.get("backup-approver") == "Lee Park"
    assert roles.get("approver") == "Kim Long"


def test_the_team_is_told_who_is_asked_the_backup_after_escalation_and_the_decision(
    env, tmp_path: Path, clock
) -> None:  # type: ignore[no-untyped-def]
    """Notifications (the live incident's channels and bell) follow the approval events:
    the person asked, the backup when nobody answered in time, and the decision."""
    from crisiscli.walk.alerts import alerts

    incident = open_incident(env, "approvals")
    holding = {"approver": {"name": "Dana Reyes", "decision": "none"}, "backup": {"decision": "approve", "comment": "Go"}}  # fmt: skip
    run_script(incident, answers_from(tmp_path, script(holding)))
    state = incident.state()
    found = [
        (n.kind, n.title, n.text)
        for n in alerts(incident.id, state, incident.playbook(), clock())
        if n.kind.startswith("approval.")
    ]
    assert [(kind, title) for kind, title, _ in found] == [
        ("approval.requested", "Approval needed from Dana Reyes: Holding line"),
        ("approval.requested", "Approval needed from Sam Ode: Holding line"),
        ("approval.decided", "Approved by Sam Ode: Holding line"),
    ]
    assert "(Dana Reyes did not answer in time)" in found[1][2] and TEXT in found[1][2]


class _Killed(BaseException):
    """A SIGKILL between two records, as the crash tests make one (BaseException: nothing
    in the walk-through may catch it)."""


def test_a_run_killed_between_asking_oneself_and_the_self_approval_completes_it(
    env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Choosing "I approve it myself" makes two records (the request to oneself, then the
    decision). A kill between them left the resumed walk-through waiting for the walker's
    own decision (tests/reliability/test_crash_pty.py, seen in CI): the resumed run
    completes it, as the writer's own approval, not a script's."""
    incident = open_incident(env, "approvals")
    script_ = script({"approver": "self"})
    original = Walkthrough.decide_as

    def killed(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[no-untyped-def]
        raise _Killed()

    monkeypatch.setattr(Walkthrough, "decide_as", killed)
    with pytest.raises(_Killed):
        run_script(incident, answers_from(tmp_path, script_))
    (asked,) = data(incident, "message.approval_requested")
    assert asked["approver"] == "tester" and not data(incident, "message.approval_decided")

    monkeypatch.setattr(Walkthrough, "decide_as", original)
    waited: list[str] = []

    class Interactive(ScriptedPrompter):
        def stand_in(self, view: StepView, approver: str) -> None:  # type: ignore[override]
            return None  # a person decides in their own terminal (ui/prompts.py)

        def while_waiting(self, view: StepView, waiting: str, backup_next: str | None) -> Waiting:
            waited.append(waiting)
            return Waiting.GO_ON

    Walkthrough(incident, Interactive(answers_from(tmp_path, script_))).run()
    (decided,) = data(incident, "message.approval_decided")
    message = incident.state().messages["holding"]
    assert decided["approver"] == "tester" and decided.get("scripted") is None
    assert message.self_approved and approvals.outcome(message) == "self-approved"
    assert waited == []  # nobody waited for themselves
