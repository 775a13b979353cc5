"""The reply ledger in the walk-through (walk/ledger.py): at a ``per_person`` step each
person who engaged is added, replied to (checked against their platform) and closed, with
the same ``reply.*`` events as ``crisis reply`` (issue 20: a reply to each person)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.input.base import PipeInput
from prompt_toolkit.output import DummyOutput

from crisiscli.env import Environment
from crisiscli.errors import AnswersError
from crisiscli.record.events import NewEvent
from crisiscli.team.replies import unanswered
from crisiscli.ui.prompts import TerminalPrompter
from crisiscli.walk.answers import check_against
from crisiscli.walk.engine import Walkthrough
from crisiscli.walk.prompter import Action
from tests.conftest import FrozenClock, make_env
from tests.helpers import answers_from, open_incident, per_prompt, run_script
from tests.walk.fake import ListPrompter

DOWN = "\x1b[B"
SAVE = "\x1b\r"  # Esc, Enter: a multi-line text is saved


@pytest.fixture
def env(crisis_home: Path) -> Environment:
    made = make_env(crisis_home, clock=FrozenClock())
    made.editor = None
    return made


@pytest.fixture
def pipe() -> Iterator[PipeInput]:
    with create_pipe_input() as inp:
        yield inp


def ledger_script(tmp_path: Path, replies: list[object], **step: object) -> dict[str, object]:
    return {
        "inputs": {"brand": "Acme"},
        "steps": {"reply-each": {"replies": replies, **step}},
    }


def test_the_step_menu_offers_the_ledger_only_at_a_per_person_step(env: Environment) -> None:
    incident = open_incident(env, "ledger")
    walk = Walkthrough(incident, ListPrompter([]))
    book = incident.playbook()
    assert Action.REPLIES in walk.allowed_actions(book.step("reply-each"), walk.view(book.step("reply-each")))  # fmt: skip
    assert Action.REPLIES not in walk.allowed_actions(book.step("first"), walk.view(book.step("first")))  # fmt: skip
    mini = open_incident(env, "mini", title="No ledger")
    other = Walkthrough(mini, ListPrompter([]))
    reply = mini.playbook().step("statement")
    assert Action.REPLIES not in other.allowed_actions(reply, other.view(reply))


def test_a_script_keeps_a_reply_to_each_person(env: Environment, tmp_path: Path) -> None:
    incident = open_incident(env, "ledger")
    answers = answers_from(
        tmp_path,
        ledger_script(
            tmp_path,
            [
                {
                    "who": "@fly_in_soup",
                    "platform": "x",
                    "link": "https://x.com/fly_in_soup/status/1",
                    "text": "Hi Sam, that should never happen. Could you DM us?",
                    "outcome": "dm",
                    "note": "Moved to DM at 20:50",
                },
                {"who": "@kim", "platform": "bluesky", "text": "Hi Kim, sorry. Could you DM us?"},
                "@lee",
            ],
        ),
    )
    check_against(answers, incident.playbook())
    summary = run_script(incident, answers)
    assert summary.status == "complete"
    state = incident.state()
    threads = list(state.replies.values())
    assert [(t.who, t.platform) for t in threads] == [
        ("@fly_in_soup", "x"), ("@kim", "bluesky"), ("@lee", None),
    ]  # fmt: skip
    sam, kim, _lee = threads
    assert sam.link == "https://x.com/fly_in_soup/status/1"
    assert sam.text == "Hi Sam, that should never happen. Could you DM us?"
    assert sam.outcome == "dm" and sam.note == "Moved to DM at 20:50"
    assert kim.sent_at is not None and kim.outcome is None and kim.checks
    assert [t.who for t in unanswered(state)] == ["@lee"]  # added, no reply yet
    assert state.steps["reply-each"].status == "done"


def test_a_resumed_script_adds_nobody_twice_and_sends_nothing_again(env: Environment, tmp_path: Path) -> None:  # fmt: skip
    incident = open_incident(env, "ledger")
    replies = [{"who": "@kim", "platform": "x", "text": "Hi Kim, sorry. Could you DM us?"}]
    answers = answers_from(tmp_path, ledger_script(tmp_path, replies))
    # The first run stopped after Kim was added (a closed terminal, a kill): the next
    # run takes the ledger from the journal and only sends the reply.
    incident.record(NewEvent("reply.person", {"id": "r1", "who": "@kim", "platform": "x"}))
    run_script(incident, answers)
    state = incident.state()
    assert list(state.replies) == ["r1"]
    assert state.replies["r1"].text == "Hi Kim, sorry. Could you DM us?"
    kinds = [e.type for e in incident.journal.read().events if e.type.startswith("reply.")]
    assert kinds == ["reply.person", "reply.sent"]


def test_a_reply_is_checked_against_the_platform_its_person_wrote_on(env: Environment, tmp_path: Path) -> None:  # fmt: skip
    incident = open_incident(env, "ledger")
    long = "Hi Kim, " + "sorry " * 60 + "DM us?"  # over X's 280, well under Facebook's
    answers = answers_from(
        tmp_path, ledger_script(tmp_path, [{"who": "@kim", "platform": "facebook", "text": long}])
    )
    run_script(incident, answers)
    assert incident.state().replies["r1"].override is None
    # The same text to someone on X fails, and a script must say why it goes out anyway.
    other = open_incident(env, "ledger", title="On X")
    over = answers_from(
        tmp_path, ledger_script(tmp_path, [{"who": "@kim", "platform": "x", "text": long}])
    )
    with pytest.raises(AnswersError, match=r"the reply to @kim fails its checks .*280") as caught:
        run_script(other, over)
    assert caught.value.location is not None and caught.value.location.line is not None
    assert other.state().replies["r1"].sent_at is None  # nothing recorded as sent
    forced = answers_from(
        tmp_path,
        ledger_script(
            tmp_path,
            [{"who": "@kim", "platform": "x", "text": long, "checks_override": "Sent as two"}],
        ),
    )
    third = open_incident(env, "ledger", title="Overridden")
    run_script(third, forced)
    assert third.state().replies["r1"].override == "Sent as two"


def test_banned_phrases_of_the_step_hold_for_every_reply(env: Environment, tmp_path: Path) -> None:
    incident = open_incident(env, "ledger")
    answers = answers_from(
        tmp_path,
        ledger_script(
            tmp_path, [{"who": "@kim", "platform": "x", "text": "Please calm down, Kim."}]
        ),
    )
    with pytest.raises(AnswersError, match="calm down"):
        run_script(incident, answers)


def test_replies_at_a_step_without_a_ledger_are_refused_with_their_line(env: Environment, tmp_path: Path) -> None:  # fmt: skip
    incident = open_incident(env, "ledger")
    answers = answers_from(
        tmp_path, {"inputs": {"brand": "Acme"}, "steps": {"first": {"replies": ["@kim"]}}}
    )
    with pytest.raises(AnswersError, match="keeps no reply ledger") as caught:
        check_against(answers, incident.playbook())
    assert caught.value.location is not None and caught.value.location.line == 6  # the list


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"platform": "x"}, "names nobody"),
        ({"who": "@kim", "outcome": "ghosted"}, "outcome 'ghosted' is not one of"),
        ({"who": "@kim", "tone": "warm"}, "unknown key 'tone'"),
        (5, "must be a name or a mapping"),
    ],
)
def test_a_bad_ledger_entry_is_one_line_with_its_place(tmp_path: Path, entry: object, message: str) -> None:  # fmt: skip
    with pytest.raises(AnswersError, match=message) as caught:
        answers_from(tmp_path, {"steps": {"reply-each": {"replies": [entry]}}})
    assert caught.value.location is not None and caught.value.location.line is not None


def test_done_with_people_still_unanswered_asks_first(env: Environment) -> None:
    incident = open_incident(env, "ledger")
    incident.record(NewEvent("input.set", {"input": "brand", "value": "Acme"}))
    incident.record(NewEvent("step.entered", {"step": "reply-each", "via": "next"}))
    incident.record(NewEvent("reply.person", {"id": "r1", "who": "@kim"}))
    incident.record(NewEvent("reply.person", {"id": "r2", "who": "@lee"}))
    asked: list[str] = []

    def refuse(name: str, view: object) -> bool:
        asked.append(name)
        return False

    prompter = ListPrompter(["done", refuse, "pause"])
    prompter.confirm = lambda message, default=False: asked.append(message) or False  # type: ignore[method-assign]
    walk = Walkthrough(incident, prompter)
    step = incident.playbook().step("reply-each")
    assert walk.mark_done(step, walk.view(step)) is False
    assert asked == [
        "2 person(s) on the reply ledger have no reply yet (@kim, @lee). Mark the step done anyway?"
    ]
    assert incident.state().steps["reply-each"].status != "done"


# -- the terminal: the ledger by keys -------------------------------------------------------


def test_the_ledger_by_keys(env: Environment, pipe: PipeInput, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    incident = open_incident(env, "ledger")
    incident.record(NewEvent("input.set", {"input": "brand", "value": "Acme"}))
    incident.record(NewEvent("step.entered", {"step": "reply-each", "via": "next"}))
    keys = [
        DOWN * 3 + "\r",  # menu: done, edit the message, note? -> "Reply to each person"
        "\r",  # ledger: add a person
        "@kim\r",  # who
        DOWN * 4 + "\r",  # where: x, bluesky, threads, mastodon? -> the fifth entry
        "https://x.com/kim/status/2\r",  # link
        "\r",  # ledger: write the reply to @kim (the pointer starts there)
        "\x15Hi Kim, sorry. Could you DM us?" + SAVE,  # the reply, replacing the template
        "\r",  # its checks pass: it is sent
        DOWN * 2 + "\r",  # ledger: add, another reply to @kim, close @kim's thread
        DOWN + "\r",  # moved to direct messages
        "\r",  # no note
        DOWN + "\r",  # ledger: back to the step
        DOWN * 20 + "\r",  # menu: pause (the last entry)
    ]
    prompter = TerminalPrompter(env, input=pipe, output=DummyOutput())
    walk = Walkthrough(incident, prompter)
    step = incident.playbook().step("reply-each")
    allowed = walk.allowed_actions(step, walk.view(step))
    keys[0] = DOWN * allowed.index(Action.REPLIES) + "\r"
    from crisiscli.messages.platforms import DEFAULT_LIMITS

    names = list(walk.view(step).reply_platforms)
    names += [p for p in DEFAULT_LIMITS if p not in names]
    keys[3] = DOWN * names.index("x") + "\r"
    left = per_prompt(monkeypatch, pipe, keys)
    from crisiscli.errors import Paused

    with pytest.raises(Paused):
        walk.run()
    assert not left
    kim = incident.state().replies["r1"]
    assert (kim.who, kim.platform, kim.link) == ("@kim", "x", "https://x.com/kim/status/2")
    assert kim.text == "Hi Kim, sorry. Could you DM us?" and kim.outcome == "dm"
    shown = env.stdout.getvalue()  # type: ignore[attr-defined]
    assert "Reply to @kim recorded" in shown
    assert "Reply ledger: 1 of 1 replied" in shown


def test_a_run_killed_between_the_ledger_steps_text_and_its_check_records_the_check(
    crisis_home: Path, tmp_path: Path
) -> None:
    """Seen in CI (tests/reliability/test_crash_answers.py): killed after the one text of a
    ledger step was recorded and before its check, the resumed run marked the step done
    without ever recording the check, and the report lost "x 96/280 · 0 errors"."""
    from crisiscli.record import events as ev
    from tests.conftest import make_env
    from tests.helpers import answers_from, events_of, open_incident, run_script

    text = "Hi Jo, sorry about that. Could you send Acme a DM?"
    incident = open_incident(make_env(crisis_home), "ledger")
    incident.record(ev.input_set("brand", "Acme"))
    incident.record(ev.step_entered("first", "next"))
    incident.record(ev.step_done("first"))
    incident.record(ev.step_entered("reply-each", "next"))
    incident.record(ev.message_recorded("reply-each", text, ["x"], "reply"))  # ... killed
    assert incident.state().messages["reply-each"].check_summary is None
    script = {"steps": {"reply-each": {"message": text}, "lessons": {}}}
    run_script(incident, answers_from(tmp_path, script))
    checked = [e for e in events_of(incident) if e.type == "message.checked"]
    assert [e.data["step"] for e in checked] == ["reply-each"]
    assert incident.state().messages["reply-each"].check_summary
