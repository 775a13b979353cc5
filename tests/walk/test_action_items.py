"""Action items as a repeatable entry: a ``type: actions`` question asks for one item at a
time (what, owner, due), in the walk-through and in --answers files; each is an
``action.added`` event of its step, and the answer is the list of their ids."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from crisiscli.errors import AnswersError, PlaybookError
from crisiscli.playbook.load import load_playbook
from crisiscli.record.store import Incident, create_incident
from crisiscli.walk.answers import ScriptedPrompter
from crisiscli.walk.engine import Walkthrough
from crisiscli.walk.prompter import ActionEntry
from tests.conftest import FrozenClock, make_env
from tests.helpers import answers_from, events_of

PLAYBOOK = {
    "crisis": 1,
    "id": "actions-test",
    "title": "Action items",
    "phases": [
        {
            "id": "review",
            "title": "Review",
            "steps": [
                {"id": "lessons", "title": "Look back",
                 "questions": [{"id": "summary", "prompt": "What happened?"}]},
                {"id": "close", "title": "Prevent the next one",
                 "questions": [{"id": "actions", "prompt": "Action items", "type": "actions"}]},
            ],
        }
    ],
}  # fmt: skip
ITEMS = [
    {"what": "Add an image check to the routine", "owner": "Sam", "due": "2026-12-15"},
    "Name a night-time approver",
]


def playbook_file(tmp_path: Path, data: dict[str, object] | None = None) -> Path:
    path = tmp_path / "actions.yaml"
    path.write_text(yaml.safe_dump(data or PLAYBOOK, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def incident(crisis_home: Path, tmp_path: Path) -> Incident:
    env = make_env(crisis_home, clock=FrozenClock(), actor="dana")
    return create_incident(
        env, load_playbook(playbook_file(tmp_path)), title="Review", severity="moderate"
    )


def script(items: object) -> dict[str, object]:
    return {
        "steps": {
            "lessons": {"answers": {"summary": "It went out."}},
            "close": {"answers": {"actions": items}},
        }
    }


def test_items_are_recorded_one_at_a_time_with_owner_due_and_step(
    incident: Incident, tmp_path: Path
) -> None:
    Walkthrough(incident, ScriptedPrompter(answers_from(tmp_path, script(ITEMS)))).run()
    added = [e.data for e in events_of(incident) if e.type == "action.added"]
    assert added == [
        {"id": "A1", "text": "Add an image check to the routine", "owner": "Sam",
         "due": "2026-12-15", "step": "close"},
        {"id": "A2", "text": "Name a night-time approver", "step": "close"},
    ]  # fmt: skip
    state = incident.state()
    assert state.answers["actions"] == ["A1", "A2"]
    assert state.steps["close"].status == "done"
    log = incident.log_path.read_text(encoding="utf-8")
    assert "| A1 | Add an image check to the routine | Sam | 2026-12-15 | open |" in log


def test_no_items_is_an_answer_and_the_step_can_be_done(incident: Incident, tmp_path: Path) -> None:
    Walkthrough(incident, ScriptedPrompter(answers_from(tmp_path, script([])))).run()
    state = incident.state()
    assert state.actions == {} and state.answers["actions"] == []
    assert state.steps["close"].status == "done"


def test_a_resumed_script_does_not_add_an_item_twice(incident: Incident, tmp_path: Path) -> None:
    answers = answers_from(tmp_path, script(ITEMS))

    class DiesAfterTheFirstItem(ScriptedPrompter):
        def ask_action_item(self, view, question, added):  # type: ignore[no-untyped-def]
            if added:
                raise KeyboardInterrupt  # killed between the first and the second item
            return super().ask_action_item(view, question, added)

    with pytest.raises(KeyboardInterrupt):
        Walkthrough(incident, DiesAfterTheFirstItem(answers)).run()
    assert [a.text for a in incident.state().actions.values()] == [
        "Add an image check to the routine"
    ]
    Walkthrough(incident, ScriptedPrompter(answers)).run()
    state = incident.state()
    assert [(a.id, a.text) for a in state.actions.values()] == [
        ("A1", "Add an image check to the routine"),
        ("A2", "Name a night-time approver"),
    ]
    assert state.answers["actions"] == ["A1", "A2"]


def test_a_person_adds_items_until_they_say_no_more(incident: Incident) -> None:
    """The engine's side of the prompt: an invalid entry is refused with a word and asked
    again; every valid one is recorded before the next question."""
    given = [
        ActionEntry("Fix the image check", "Sam", "2026-12-01"),
        ActionEntry("   ", None, None),  # nothing to do: refused, asked again
        ActionEntry("Call legal", None, None),
        None,
    ]
    seen: list[list[ActionEntry]] = []
    told: list[str] = []

    class Person(ScriptedPrompter):
        def ask_action_item(self, view, question, added):  # type: ignore[no-untyped-def]
            seen.append(list(added))
            return given.pop(0)

        def notify(self, text: str) -> None:
            told.append(text)

    answers = answers_from(Path(incident.dir), script([]))
    Walkthrough(incident, Person(answers)).run()
    assert told == ["the action item is empty (say what is to be done)"]
    assert [len(s) for s in seen] == [0, 1, 1, 2]  # each ask knows what is already held
    assert seen[-1][0] == ActionEntry("Fix the image check", "Sam", "2026-12-01")
    assert incident.state().answers["actions"] == ["A1", "A2"]


@pytest.mark.parametrize(
    ("items", "line", "message"),
    [
        ("Fix it (Sam, Friday); Call legal", 7,
         "'actions' takes action items one at a time: give a list"),
        ([{"what": "Fix it", "due": "next friday"}], 9,
         "the due date 'next friday' is not a date (use YYYY-MM-DD)"),
        ([{"what": "Fix it", "who": "Sam"}], 9, "unknown key 'who' in action item 1 of 'actions'"),
        ([{"owner": "Sam"}], 8, "action item 1 of 'actions' says nothing to do"),
    ],
)  # fmt: skip
def test_answers_file_mistakes_are_located(
    incident: Incident, tmp_path: Path, items: object, line: int, message: str
) -> None:
    from crisiscli.walk.answers import check_against

    answers = answers_from(tmp_path, script(items))
    with pytest.raises(AnswersError) as caught:
        check_against(answers, incident.playbook())
    assert caught.value.message.startswith(message), caught.value.message
    assert caught.value.location is not None and caught.value.location.line == line


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda q, pb: q.update(default="x"), "an 'actions' question takes no default"),
        (lambda q, pb: pb["phases"][0]["steps"][0].update(when={"actions": "x"}),
         "'actions' collects action items; a condition cannot test it"),
        (lambda q, pb: pb.update(inputs=[{"id": "todo", "prompt": "To do", "type": "actions"}]),
         "an input cannot be an 'actions' question"),
    ],
)  # fmt: skip
def test_the_playbook_loader_knows_the_type(tmp_path: Path, change, message: str) -> None:  # type: ignore[no-untyped-def]
    import copy

    data = copy.deepcopy(PLAYBOOK)
    question = data["phases"][0]["steps"][1]["questions"][0]  # type: ignore[index]
    change(question, data)
    with pytest.raises(PlaybookError) as caught:
        load_playbook(playbook_file(tmp_path, data))
    assert message in caught.value.message


def test_the_steps_screen_shows_the_items_words_not_their_ids(incident: Incident) -> None:
    shown: list[object] = []

    class Person(ScriptedPrompter):
        def choose_action(self, view, allowed):  # type: ignore[no-untyped-def]
            if view.step.id == "close":
                shown.extend(qv.answer for qv in view.questions)
            return super().choose_action(view, allowed)

    answers = answers_from(Path(incident.dir), script(ITEMS))
    Walkthrough(incident, Person(answers)).run()
    assert shown and shown[-1] == [
        "A1: Add an image check to the routine",
        "A2: Name a night-time approver",
    ]
