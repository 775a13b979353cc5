"""The walk-through engine, driven by the scripted prompter: every action, conditions,
branches, deadlines and resume."""

from __future__ import annotations

from pathlib import Path

import pytest

from crisiscli.errors import AnswersError, Paused
from crisiscli.record.events import NewEvent
from crisiscli.record.store import Incident
from tests.conftest import FrozenClock, make_env
from tests.helpers import answers_from, events_of, open_incident, run_script

BASE = {"inputs": {"brand": "Acme", "source": "ours"}}


def types(incident: Incident) -> list[str]:
    return [e.type for e in events_of(incident)]


def statuses(incident: Incident) -> dict[str, str]:
    return {sid: st.status for sid, st in incident.state().steps.items()}


def script(**steps: object) -> dict[str, object]:
    return {**BASE, "steps": steps}


@pytest.fixture
def env(crisis_home: Path):  # type: ignore[no-untyped-def]
    return make_env(crisis_home, clock=FrozenClock())


def full_steps(**overrides: object) -> dict[str, object]:
    steps: dict[str, object] = {
        "look": {"answers": {"reach": "wide", "threat": False}},
        "statement": {"message": "Sorry.", "approver": "Dana"},
    }
    steps.update(overrides)
    return steps


def test_done_all_steps_records_everything(env, tmp_path: Path) -> None:
    incident = open_incident(env)
    summary = run_script(incident, answers_from(tmp_path, script(**full_steps())))
    assert summary.status == "complete"
    st = statuses(incident)
    assert st == {"look": "done", "statement": "done", "reply": "done", "lessons": "done"}
    state = incident.state()
    assert state.inputs == {"brand": "Acme", "source": "ours"}
    assert state.answers["reach"] == "wide" and state.answers["threat"] is False
    assert state.steps["look"].checked == {"i1", "links", "own"}
    assert (
        next(iter(state.messages.values())).text == "Sorry."
        and next(iter(state.messages.values())).approver == "Dana"
    )
    assert "run.finished" in types(incident)
    assert "Done: Public statement" in incident.log_path.read_text()


def test_condition_false_passes_step_over_and_item_hidden(env, tmp_path: Path) -> None:
    incident = open_incident(env)
    data = {"inputs": {"brand": "Acme", "source": "customer"}, "steps": full_steps()}
    run_script(incident, answers_from(tmp_path, data))
    state = incident.state()
    assert "safety" not in state.steps  # threat is no: never entered
    assert state.steps["look"].checked == {"i1", "links"}  # 'own' only when source is ours
    assert "not applicable (condition)" in incident.log_path.read_text()


def test_condition_true_enters_read_do_step(env, tmp_path: Path) -> None:
    incident = open_incident(env)
    steps = full_steps(look={"answers": {"reach": "wide", "threat": "yes"}})
    run_script(incident, answers_from(tmp_path, script(**steps)))
    assert statuses(incident)["safety"] == "done"
    assert incident.state().steps["safety"].checked == {"i1", "i2"}


def test_branch_jumps_past_steps(env, tmp_path: Path) -> None:
    incident = open_incident(env)
    steps = full_steps(look={"answers": {"reach": "isolated", "threat": False}})
    run_script(incident, answers_from(tmp_path, script(**steps)))
    st = statuses(incident)
    assert "statement" not in st and st["reply"] == "done" and st["lessons"] == "done"
    entered = [e.data["step"] for e in events_of(incident) if e.type == "step.entered"]
    assert entered == ["look", "reply", "lessons"]


def test_skip_needs_reason(env, tmp_path: Path) -> None:
    incident = open_incident(env)
    with pytest.raises(AnswersError, match="without a reason"):
        run_script(incident, answers_from(tmp_path, script(look={"action": "skip"})))
    incident2 = open_incident(env, title="second")
    steps = full_steps(statement={"action": "skip", "reason": "Handled by phone"})
    run_script(incident2, answers_from(tmp_path, script(**steps)))
    state = incident2.state()
    assert state.steps["statement"].status == "skipped"
    assert state.steps["statement"].reason == "Handled by phone"
    assert "Skipped: Public statement — reason: Handled by phone" in incident2.log_path.read_text()


def test_defer_comes_back_before_the_next_phase(env, tmp_path: Path) -> None:
    """Issue 20: a deferred step comes back before the next phase begins, not after the
    close step (the review is not written while a reply is still owed)."""
    incident = open_incident(env)
    steps = full_steps(reply={"action": ["defer", "done"]})
    summary = run_script(incident, answers_from(tmp_path, script(**steps)))
    assert summary.status == "complete"
    entered = [
        (e.data["step"], e.data["via"]) for e in events_of(incident) if e.type == "step.entered"
    ]
    assert entered[-2:] == [("reply", "recall"), ("lessons", "next")]


def test_deferred_twice_ends_complete_except_deferred(env, tmp_path: Path) -> None:
    incident = open_incident(env)
    steps = full_steps(reply={"action": "defer"})
    summary = run_script(incident, answers_from(tmp_path, script(**steps)))
    assert summary.status == "complete-except-deferred"
    assert summary.deferred == ("reply",)
    assert "ended with steps still open: Reply to each person" in incident.log_path.read_text()


def test_not_applicable_with_reason(env, tmp_path: Path) -> None:
    incident = open_incident(env)
    steps = full_steps(statement={"action": "na", "reason": "No public post"})
    run_script(incident, answers_from(tmp_path, script(**steps)))
    st = incident.state().steps["statement"]
    assert st.status == "not_applicable" and st.reason == "No public post"


def test_notes_are_recorded_with_step(env, tmp_path: Path) -> None:
    incident = open_incident(env)
    steps = full_steps(reply={"notes": ["Called the customer", "Second note"]})
    run_script(incident, answers_from(tmp_path, script(**steps)))
    notes = incident.state().notes
    assert [(n.text, n.step) for n in notes] == [
        ("Called the customer", "reply"),
        ("Second note", "reply"),
    ]


def test_back_reopens_previous_step(env, tmp_path: Path) -> None:
    incident = open_incident(env)
    steps = full_steps(reply={"action": ["back", "done"]})
    run_script(incident, answers_from(tmp_path, script(**steps)))
    entered = [
        (e.data["step"], e.data["via"]) for e in events_of(incident) if e.type == "step.entered"
    ]
    assert ("statement", "back") in entered
    # After going back, the statement is done again and the run continues to reply.
    i = entered.index(("statement", "back"))
    assert entered[i + 1] == ("reply", "next")
    assert statuses(incident)["reply"] == "done"


def test_pause_then_resume_continues_at_same_step(env, tmp_path: Path) -> None:
    incident = open_incident(env)
    steps = full_steps(reply={"action": ["pause", "done"]})
    with pytest.raises(Paused):
        run_script(incident, answers_from(tmp_path, script(**steps)))
    state = incident.state()
    assert state.paused and state.current == "reply"
    # Resume with a script that just finishes: the same step continues, nothing repeats.
    before = len(events_of(incident))
    run_script(incident, answers_from(tmp_path, script(**full_steps())))
    after = events_of(incident)[before:]
    assert after[0].type == "session.resumed"
    assert after[1].type in ("step.done", "answer.set")
    assert next(e.data.get("step") for e in after if e.type == "step.entered") == "lessons"
    assert incident.state().finished


def test_required_answer_missing_is_a_clear_error(env, tmp_path: Path) -> None:
    incident = open_incident(env)
    with pytest.raises(AnswersError, match="no answer to 'reach'"):
        run_script(incident, answers_from(tmp_path, script()))


def test_message_needs_approver_before_done(env, tmp_path: Path) -> None:
    incident = open_incident(env)
    steps = full_steps(statement={"message": "Sorry."})
    with pytest.raises(AnswersError, match="approver"):
        run_script(incident, answers_from(tmp_path, script(**steps)))
    assert incident.state().steps["statement"].status == "active"


def test_message_template_fills_values_and_keeps_missing_visible(env, tmp_path: Path) -> None:
    incident = open_incident(env)
    steps = full_steps(statement={"approver": "Dana"})
    with pytest.raises(AnswersError, match=r"\{\{ missing \}\}.* is not filled in"):
        run_script(incident, answers_from(tmp_path, script(**steps)))
    # The draft is journaled (nothing typed is lost) with the placeholder still visible.
    assert (
        next(iter(incident.state().messages.values())).text == "We are sorry, Acme. {{ missing }}"
    )


def test_deadlines_met_missed_and_overdue(env, tmp_path: Path) -> None:
    from crisiscli.walk.deadlines import deadline_statuses

    clock = env.clock
    incident = open_incident(env)
    playbook = incident.playbook()
    clock.advance(20 * 60)  # 20 minutes: look (15m) is overdue
    by_step = {d.step: d for d in deadline_statuses(playbook, incident.state(), clock())}
    assert by_step["look"].state == "overdue"
    assert by_step["statement"].state == "open"
    run_script(incident, answers_from(tmp_path, script(**full_steps())))
    by_step = {d.step: d for d in deadline_statuses(playbook, incident.state(), clock())}
    assert by_step["look"].state == "missed" and by_step["look"].late_by == pytest.approx(
        300, abs=1
    )
    assert by_step["statement"].state == "met"
    assert "missed by 5m" in incident.log_path.read_text()


def test_deadline_of_branched_past_step_is_waived(env, tmp_path: Path) -> None:
    from crisiscli.walk.deadlines import deadline_statuses

    incident = open_incident(env)
    steps = full_steps(look={"answers": {"reach": "isolated", "threat": False}})
    run_script(incident, answers_from(tmp_path, script(**steps)))
    by_step = {
        d.step: d for d in deadline_statuses(incident.playbook(), incident.state(), env.clock())
    }
    assert by_step["statement"].state == "waived"


def test_answers_file_is_checked_against_playbook(env, tmp_path: Path) -> None:
    from crisiscli.walk.answers import check_against

    playbook = open_incident(env).playbook()
    for bad, message in [
        (script(nope={}), "no step 'nope'"),
        (script(look={"answers": {"reach": "everywhere"}}), "not a choice"),
        (script(look={"answers": {"threat": "maybe"}}), "yes/no"),
        ({"inputs": {"colour": "red"}}, "no input 'colour'"),
    ]:
        with pytest.raises(AnswersError, match=message) as info:
            check_against(answers_from(tmp_path, bad), playbook)
        assert info.value.location is not None and info.value.location.line is not None


def test_closed_by_script(env, tmp_path: Path) -> None:
    incident = open_incident(env)
    run_script(incident, answers_from(tmp_path, {**script(**full_steps()), "close": True}))
    assert incident.state().closed


def test_timestamps_increase_in_file_order_across_writers(crisis_home: Path) -> None:
    """Two writers (separate Journal objects, as separate processes are) with a frozen
    clock still produce strictly increasing times, so time order is file order."""
    from crisiscli.record.store import find_incident

    clock = FrozenClock()
    env = make_env(crisis_home, clock=clock)
    incident = open_incident(env)
    for i in range(5):
        other = find_incident(make_env(crisis_home, clock=clock), incident.id)
        other.record(NewEvent("note.added", {"text": f"note {i}"}))
    events = events_of(incident)
    assert [e.ts for e in events] == sorted({e.ts for e in events})
    assert [e.data.get("text") for e in events if e.type == "note.added"] == [
        f"note {i}" for i in range(5)
    ]


def test_message_step_composes_before_its_checklist(crisis_home: Path, tmp_path: Path) -> None:
    """Questions may fill the template, so they come first; "posted it" items come last."""
    from crisiscli.record.store import create_incident
    from crisiscli.walk.answers import ScriptedPrompter
    from crisiscli.walk.engine import Walkthrough
    from tests.helpers import load_playbook_text

    playbook = load_playbook_text(
        """
id: order
title: Order
phases:
  - id: respond
    title: Respond
    steps:
      - id: reply
        title: Reply
        items: [Posted the reply where it started]
        questions: [{id: who, prompt: Who complained?}]
        message: {template: "Hello {{ who }}, we are sorry.", platforms: [x]}
""",
        "order.yaml",
    )
    calls: list[str] = []

    class Recording(ScriptedPrompter):
        def answer(self, view, question):  # type: ignore[no-untyped-def]
            calls.append("question")
            return super().answer(view, question)

        def compose_message(self, view, draft):  # type: ignore[no-untyped-def]
            calls.append(f"compose:{draft}")
            return super().compose_message(view, draft)

        def tick_items(self, view, pending):  # type: ignore[no-untyped-def]
            calls.append("tick")
            return super().tick_items(view, pending)

    env = make_env(crisis_home, clock=FrozenClock())
    incident = create_incident(env, playbook, title="t", severity="moderate")
    answers = answers_from(tmp_path, {"steps": {"reply": {"answers": {"who": "Sam"}}}})
    Walkthrough(incident, Recording(answers)).run()
    assert calls[:3] == ["question", "compose:Hello Sam, we are sorry.", "tick"]
    assert incident.state().steps["reply"].checked == {"i1"}


def test_a_huge_last_event_still_orders_the_next_writer(crisis_home: Path) -> None:
    """The last timestamp is found even when the last line is longer than any read window."""
    from crisiscli.record.store import find_incident

    clock = FrozenClock()
    incident = open_incident(make_env(crisis_home, clock=clock))
    find_incident(make_env(crisis_home, clock=clock), incident.id).record(
        NewEvent("note.added", {"text": "x" * 300_000})
    )
    find_incident(make_env(crisis_home, clock=clock), incident.id).record(
        NewEvent("note.added", {"text": "after"})
    )
    notes = [e for e in events_of(incident) if e.type == "note.added"]
    assert [len(n.data["text"]) for n in notes] == [300_000, 5]
    assert notes[0].ts < notes[1].ts


# -- loops: a step the flow comes back to asks its questions again -----------------------


def loop_answers(tmp_path: Path, *visits: dict[str, object]) -> object:
    return answers_from(
        tmp_path,
        {
            "inputs": {"brand": "Acme"},
            "steps": {
                "check": {"answers": list(visits)},
                "keep-holding": {"answers": {"next-check": "tomorrow 9:00"}},
            },
        },
    )


def resume_answers(incident: Incident) -> list[object]:
    return [
        e.data["value"]
        for e in events_of(incident)
        if e.type == "answer.set" and e.data["question"] == "resume"
    ]


def test_a_loop_asks_again_until_the_answer_lets_go(env, tmp_path: Path) -> None:
    incident = open_incident(env, "loop")
    answers = loop_answers(tmp_path, {"resume": "no"}, {"resume": "no"}, {"resume": "yes"})
    summary = run_script(incident, answers)  # type: ignore[arg-type]
    assert summary.status == "complete"
    entered = [e.data["step"] for e in events_of(incident) if e.type == "step.entered"]
    assert entered == [
        "halt", "check", "keep-holding", "check", "keep-holding", "check", "first-back",
        "lessons",
    ]  # fmt: skip
    assert resume_answers(incident) == [False, False, True]


def test_the_same_answer_every_time_is_a_loop_that_never_ends(env, tmp_path: Path) -> None:
    from crisiscli.errors import StateError

    incident = open_incident(env, "loop")
    with pytest.raises(StateError, match="loops"):
        run_script(incident, loop_answers(tmp_path, {"resume": "no"}))  # type: ignore[arg-type]


def test_an_optional_answer_left_empty_in_a_loop_keeps_the_earlier_one(env, tmp_path: Path) -> None:  # fmt: skip
    incident = open_incident(env, "loop")
    answers = loop_answers(tmp_path, {"resume": "no", "why": "News still on"}, {"resume": "yes"})
    run_script(incident, answers)  # type: ignore[arg-type]
    assert incident.state().answers["why"] == "News still on"
    assert resume_answers(incident) == [False, True]


def test_interrupted_in_a_loop_the_question_is_asked_again_on_resume(env, tmp_path: Path) -> None:
    from crisiscli.walk.answers import ScriptedPrompter
    from crisiscli.walk.engine import Walkthrough
    from crisiscli.walk.prompter import StepView

    class CrashOnSecondCheck(ScriptedPrompter):
        def answer(self, view: StepView, question):  # type: ignore[no-untyped-def]
            if view.step.id == "check" and view.visit == 2:
                raise KeyboardInterrupt
            return super().answer(view, question)

    incident = open_incident(env, "loop")
    answers = loop_answers(tmp_path, {"resume": "no"}, {"resume": "yes"})
    with pytest.raises(KeyboardInterrupt):
        Walkthrough(incident, CrashOnSecondCheck(answers)).run()  # type: ignore[arg-type]
    state = incident.state()
    assert state.current == "check" and state.steps["check"].visits == 2
    assert state.answers["resume"] is False  # the first visit's answer is still on record
    run_script(incident, answers)  # type: ignore[arg-type]
    assert resume_answers(incident) == [False, True]
    assert incident.state().finished


def test_answers_per_visit_are_checked_against_the_playbook(env, tmp_path: Path) -> None:
    from crisiscli.playbook.load import load_playbook
    from crisiscli.walk.answers import check_against

    playbook = load_playbook(Path(__file__).resolve().parents[1] / "fixtures" / "loop.yaml")
    bad = loop_answers(tmp_path, {"resume": "no"}, {"resume": "maybe"})
    with pytest.raises(AnswersError, match="'maybe' is neither") as caught:
        check_against(bad, playbook)  # type: ignore[arg-type]
    assert caught.value.location is not None and caught.value.location.line is not None
