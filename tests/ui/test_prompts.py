"""The interactive prompter, driven through prompt_toolkit's pipe input: the real
questionary prompts, keys in, answers out — no terminal needed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.input.base import PipeInput
from prompt_toolkit.output import DummyOutput

from crisiscli.env import Environment
from crisiscli.playbook.model import Choice, Question
from crisiscli.record.events import NewEvent, answer_set
from crisiscli.ui.prompts import QuestionaryPrompter
from crisiscli.walk.engine import Walkthrough
from crisiscli.walk.prompter import Action, ApprovalChoice
from tests.conftest import FrozenClock, make_env
from tests.helpers import open_incident, per_prompt

DOWN = "\x1b[B"
SAVE = "\x1b\r"  # Esc, Enter


@pytest.fixture
def pipe() -> Iterator[PipeInput]:
    with create_pipe_input() as inp:
        yield inp


@pytest.fixture
def env(crisis_home: Path) -> Environment:
    made = make_env(crisis_home, clock=FrozenClock())
    made.editor = None  # the message composer offers no external editor here
    return made


def prompter(env: Environment, pipe: PipeInput) -> QuestionaryPrompter:
    return QuestionaryPrompter(env, input=pipe, output=DummyOutput())


def screen(env: Environment) -> str:
    return env.stdout.getvalue()  # type: ignore[attr-defined]


def walk(env: Environment) -> Walkthrough:
    """A mini incident with its inputs given, standing at its first step."""
    incident = open_incident(env)
    incident.record(NewEvent("input.set", {"input": "brand", "value": "Acme"}))
    incident.record(NewEvent("input.set", {"input": "source", "value": "ours"}))
    incident.record(NewEvent("step.entered", {"step": "look", "via": "next"}))
    return Walkthrough(incident, prompter(env, create_pipe_input()))


TEXT = Question("brand", "Which brand?")
CHOICE = Question("reach", "How far?", "choice", (Choice("isolated", "Isolated"), Choice("wide", "Wide")))  # fmt: skip
MULTI = Question(
    "where", "Where?", "multi", (Choice("x", "X"), Choice("bsky", "Bluesky"), Choice("fb", "Facebook"))
)  # fmt: skip
YESNO = Question("threat", "Any threats?", "yesno")


def test_text_input(env: Environment, pipe: PipeInput) -> None:
    pipe.send_text("Acme Coffee\r")
    assert prompter(env, pipe).ask_input(TEXT) == "Acme Coffee"


def test_required_input_refuses_empty_then_takes_the_answer(env: Environment, pipe: PipeInput) -> None:  # fmt: skip
    pipe.send_text("\r\rAcme\r")
    assert prompter(env, pipe).ask_input(TEXT) == "Acme"


def test_step_text_question_may_be_left_for_the_menu(env: Environment, pipe: PipeInput) -> None:
    w = walk(env)
    pipe.send_text("\r")
    view = w.view(w.playbook.step("look"))
    assert prompter(env, pipe).answer(view, TEXT) is None


def test_choice_moves_with_arrows(env: Environment, pipe: PipeInput) -> None:
    pipe.send_text(DOWN + "\r")
    assert prompter(env, pipe).ask_input(CHOICE) == "wide"
    pipe.send_text("\r")
    assert prompter(env, pipe).ask_input(CHOICE) == "isolated"


def test_choice_starts_at_its_default(env: Environment, pipe: PipeInput) -> None:
    question = Question("reach", "How far?", "choice", CHOICE.choices, default="wide")
    pipe.send_text("\r")
    assert prompter(env, pipe).ask_input(question) == "wide"


def test_multiple_choice_ticks_with_space(env: Environment, pipe: PipeInput) -> None:
    pipe.send_text(" " + DOWN + DOWN + " \r")
    assert prompter(env, pipe).ask_input(MULTI) == ["x", "fb"]
    pipe.send_text("\r")
    assert prompter(env, pipe).ask_input(MULTI) == []


@pytest.mark.parametrize(
    ("keys", "expected"), [("y\r", True), ("n\r", False), ("\r", True), ("yn\r", False)]
)
def test_yes_no(env: Environment, pipe: PipeInput, keys: str, expected: bool) -> None:
    pipe.send_text(keys)
    assert prompter(env, pipe).ask_input(YESNO) is expected


def test_yes_no_default_from_the_playbook(env: Environment, pipe: PipeInput) -> None:
    pipe.send_text("\r")
    assert prompter(env, pipe).ask_input(Question("t", "Threats?", "yesno", default=False)) is False


def test_checklist_ticks_items_with_space_and_enter(env: Environment, pipe: PipeInput) -> None:
    w = walk(env)
    view = w.view(w.playbook.step("look"))
    assert [iv.item.id for iv in view.items] == ["i1", "links", "own"]
    pipe.send_text(DOWN + " " + DOWN + " \r")
    assert prompter(env, pipe).tick_items(view, list(view.items)) == ["links", "own"]


def test_read_do_confirms_one_item_at_a_time(env: Environment, pipe: PipeInput) -> None:
    w = walk(env)
    view = w.view(w.playbook.step("look"))
    p = prompter(env, pipe)
    pipe.send_text("\r")
    assert p.confirm_item(view, view.items[0]) is True
    pipe.send_text(DOWN + "\r")
    assert p.confirm_item(view, view.items[1]) is False


def test_action_menu_offers_what_is_allowed(env: Environment, pipe: PipeInput) -> None:
    w = walk(env)
    view = w.view(w.playbook.step("look"))
    allowed = w.allowed_actions(w.playbook.step("look"), view)
    assert allowed == [Action.DONE, Action.EDIT, Action.NOTE, Action.SKIP, Action.DEFER,
                       Action.NOT_APPLICABLE, Action.EVIDENCE, Action.PAUSE]  # fmt: skip
    p = prompter(env, pipe)
    for index, action in enumerate(allowed):
        pipe.send_text(DOWN * index + "\r")
        assert p.choose_action(view, allowed) is action


def test_skip_reason_is_required_defer_reason_is_not(env: Environment, pipe: PipeInput) -> None:
    w = walk(env)
    view = w.view(w.playbook.step("look"))
    p = prompter(env, pipe)
    pipe.send_text("\r   \r")  # empty, then blanks: both refused
    pipe.send_text("\x15Handled by phone\r")  # clear the line, then a real reason
    assert p.ask_reason(view, Action.SKIP, True) == "Handled by phone"
    pipe.send_text("\r")
    assert p.ask_reason(view, Action.DEFER, False) == ""


def test_a_note_is_saved_with_enter_or_esc_enter(env: Environment, pipe: PipeInput) -> None:
    w = walk(env)
    view = w.view(w.playbook.step("look"))
    pipe.send_text("Legal is on the call\r")
    assert prompter(env, pipe).ask_note(view) == "Legal is on the call"
    pipe.send_text("Reporter asked for comment" + SAVE)
    assert prompter(env, pipe).ask_note(view) == "Reporter asked for comment"


def test_message_starts_from_the_draft(env: Environment, pipe: PipeInput, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    w = walk(env)
    view = w.view(w.playbook.step("statement"))
    p = prompter(env, pipe)
    left = per_prompt(
        monkeypatch, pipe, ["\r", " Truly." + SAVE, DOWN + "\r", "\r", "Dana\r", DOWN + "\r"]
    )
    # "Edit it here", then add to the draft
    assert p.compose_message(view, "We are sorry.") == "We are sorry. Truly."
    assert p.compose_message(view, "We are sorry.") == "We are sorry."  # "Use it as it is"
    assert p.ask_approval(view) == ApprovalChoice("ask", "Dana")  # "Ask someone else…", a name
    assert p.ask_approval(view) == ApprovalChoice("self")
    assert not left


def test_ctrl_c_raises_keyboard_interrupt(env: Environment, pipe: PipeInput) -> None:
    pipe.send_text("\x03")
    with pytest.raises(KeyboardInterrupt):
        prompter(env, pipe).ask_input(TEXT)


def test_whole_mini_walk_through_by_keys(env: Environment, pipe: PipeInput, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    incident = open_incident(env, title="Pipe walk")
    keys = [
        "Acme\r",  # brand
        "\r",  # source: ours
        " " + DOWN + " " + DOWN + " \r",  # look: tick all three
        DOWN + "\r",  # reach: wide
        "y\r",  # threats: yes -> the safety step applies (a letter alone answers nothing)
        "\r",  # menu: done
        "\r",  # safety (READ-DO): Call security — done
        DOWN + "\r",  # Tell legal — not yet
        DOWN * 4 + "\r",  # menu: defer
        "Legal is asleep\r",  # optional reason
        "\r",  # safety comes back before the next phase: Tell legal — done
        "\r",  # menu: done
        "\r",  # statement: the message — edit it here
        "\x15We are sorry, Acme." + SAVE,  # replace the draft (it has a blank to fill)
        "\r",  # its checks pass: use this message
        "10:30\r",  # the next update it promises
        DOWN + "\r",  # who approves: I approve it myself (recorded as self-approved)
        DOWN * 2 + "\r",  # menu (done, message, note, …): add a note
        "Posted at 10:02" + SAVE,
        "\r",  # menu: done
        "\r",  # reply: optional question left empty
        "\r",  # menu: done
        DOWN * 2 + "\r",  # lessons: menu: skip
        "\rNext week\r",  # an empty reason is refused, then a reason is taken
        "y\r",  # close the incident now
    ]
    # Keys go in as each prompt opens, as a person types them (a whole walk's worth of
    # typeahead is not how anyone answers, and prompt_toolkit need not keep it all).
    p = prompter(env, pipe)
    left = per_prompt(monkeypatch, pipe, keys)
    summary = Walkthrough(incident, p).run()
    assert not left  # every key was asked for: no prompt more, none less
    assert summary.status == "complete"
    state = incident.state()
    assert state.closed
    assert state.inputs == {"brand": "Acme", "source": "ours"}
    assert state.answers == {"reach": "wide", "threat": True}
    assert {sid: st.status for sid, st in state.steps.items()} == {
        "look": "done", "safety": "done", "statement": "done", "reply": "done", "lessons": "skipped",
    }  # fmt: skip
    assert state.steps["look"].checked == {"i1", "links", "own"}
    assert state.steps["safety"].checked == {"i1", "i2"}
    assert state.steps["lessons"].reason == "Next week"
    assert [m.text for m in list(state.messages.values())] == ["We are sorry, Acme."]
    assert (
        next(iter(state.messages.values())).approver == "tester"
        and next(iter(state.messages.values())).self_approved
    )
    assert [n.text for n in state.notes] == ["Posted at 10:02"]
    assert [(p.step, p.promise is not None) for p in state.published] == [("statement", True)]
    shown = screen(env)
    assert "step 1 of 5" in shown and "Look first" in shown
    assert "Deferred — back before its deadline or the next phase." in shown
    assert "The walk-through is complete." in shown


# -- issue 11: keys a stressed person can trust ---------------------------------------------


def test_esc_goes_back_from_a_step_prompt_and_picks_nothing(env: Environment, pipe: PipeInput) -> None:  # fmt: skip
    from crisiscli.walk.prompter import GoBack

    w = walk(env)
    view = w.view(w.playbook.step("look"))
    p = prompter(env, pipe)
    for ask in (
        lambda: p.tick_items(view, list(view.items)),
        lambda: p.confirm_item(view, view.items[0]),
        lambda: p.answer(view, CHOICE),
        lambda: p.ask_reason(view, Action.SKIP, True),
        lambda: p.compose_message(view, "Sorry."),
        lambda: p.confirm("Mark the step done anyway?"),
    ):
        pipe.send_text("\x1b")
        with pytest.raises(GoBack):
            ask()


def test_esc_at_the_step_menu_does_nothing_and_says_so(env: Environment, pipe: PipeInput) -> None:
    w = walk(env)
    view = w.view(w.playbook.step("look"))
    p = prompter(env, pipe)
    seen: list[str] = []
    real = p.ui._footer

    def footer(hint: str):  # type: ignore[no-untyped-def]
        seen.append(hint)
        return real(hint)

    p.ui._footer = footer  # type: ignore[method-assign]
    pipe.send_text("\x1b")
    pipe.send_text(DOWN + "\r")
    assert p.choose_action(view, [Action.DONE, Action.PAUSE]) is Action.PAUSE
    assert "Esc does nothing here" in seen[0]


def test_type_ahead_from_one_prompt_never_answers_the_next(env: Environment, pipe: PipeInput) -> None:  # fmt: skip
    p = prompter(env, pipe)
    pipe.send_text("n\r\r")  # "n", Enter — and one Enter too many
    assert p.confirm("Mark the step done anyway?", default=True) is False
    # The stray Enter was read with the first answer; the next prompt must not take it.
    pipe.send_text(DOWN + "\r")
    assert p.ui.select("Next?", [("a", "A"), ("b", "B")]) == "b"


def test_yes_no_answers_only_on_enter(env: Environment, pipe: PipeInput) -> None:
    p = prompter(env, pipe)
    pipe.send_text("y")
    pipe.send_text("n")
    pipe.send_text("\r")
    assert p.confirm("Sure?") is False  # the last letter before Enter counts


def test_swedish_yes_is_j(env: Environment, pipe: PipeInput) -> None:
    p = QuestionaryPrompter(env, "sv", input=pipe, output=DummyOutput())
    pipe.send_text("j\r")
    assert p.confirm("Säker?") is True
    assert p.t("what_now") == "Vad nu?"


def test_changing_answers_starts_from_the_current_ones(env: Environment, pipe: PipeInput) -> None:
    w = walk(env)
    step = w.playbook.step("look")
    w.record(answer_set("look", "reach", "wide"))
    view = w.view(step)
    p = prompter(env, pipe)
    pipe.send_text("\r")
    assert p.answer(view, view.questions[0].question) == "wide"  # not downgraded to isolated
    text = Question("brand", "Which brand?")
    from crisiscli.walk.prompter import QuestionView

    with_text = view.__class__(**{**view.__dict__, "questions": (QuestionView(text, "Acme"),)})
    pipe.send_text("\r")
    assert p.answer(with_text, text) == "Acme"  # prefilled


def test_ctrl_d_at_a_text_prompt_is_ctrl_c(env: Environment, pipe: PipeInput) -> None:
    pipe.send_text("\x04")
    with pytest.raises(KeyboardInterrupt):
        prompter(env, pipe).ask_input(TEXT)


def test_status_line_counts_down_and_turns_overdue(env: Environment) -> None:
    from crisiscli.i18n import Catalogue
    from crisiscli.ui.statusline import StatusLine

    w = walk(env)
    line = StatusLine(env, Catalogue())
    line.show(w.view(w.playbook.step("look")))  # "look" is due 15 minutes after the start

    def text() -> str:
        return "".join(t for _, t in line.lines(80))

    assert "0s since start" in text() and "next: Look first in 15m" in text()
    env.clock.advance(14 * 60 + 58)  # type: ignore[attr-defined]
    assert "14m since start" in text() and "in 2s" in text()
    env.clock.advance(3)  # type: ignore[attr-defined]
    assert "OVERDUE: Look first — 1s late" in text()  # the bell is the notifier's


def test_a_text_field_shows_hidden_characters_and_keeps_them(env: Environment, pipe: PipeInput) -> None:  # fmt: skip
    from prompt_toolkit.document import Document
    from prompt_toolkit.layout.processors import TransformationInput

    from crisiscli.ui.visible_input import ShowHiddenCharacters

    line = "sorry \u202eabc\u202c #a\u200bb 👩\u200d💻"
    shown = ShowHiddenCharacters().apply_transformation(
        TransformationInput(None, Document(line), 0, lambda i: i, [("", line)], 80, 1)  # type: ignore[arg-type]
    )
    drawn = "".join(fragment[1] for fragment in shown.fragments)
    assert drawn == "sorry <U+202E>abc<U+202C> #a<U+200B>b 👩\u200d💻"
    assert shown.source_to_display(6) == 6 and shown.source_to_display(7) == 14  # after the mark
    assert shown.display_to_source(10) == 6  # inside the mark: the hidden character itself
    pipe.send_text("\x1b[F ok" + SAVE)  # End, type, save
    answer = prompter(env, pipe).ask_text("Message", line, multiline=True)
    assert answer == line + " ok"  # the text keeps every character


ACTIONS = Question("actions", "Action items", "actions")


def test_action_items_are_entered_one_at_a_time(
    env: Environment, pipe: PipeInput, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crisiscli.walk.prompter import ActionEntry

    w = walk(env)
    view = w.view(w.playbook.step("look"))
    # Add one? (Enter: yes) · what · owner · a due date that is not a date is refused, then
    # rubbed out and typed again (at the same prompt)
    keys = ["\r", "Fix the  image check\r", "Sam\r", "friday\r" + "\x7f" * 6 + "2026-12-15\r"]
    left = per_prompt(monkeypatch, pipe, keys)
    got = prompter(env, pipe).ask_action_item(view, ACTIONS, [])
    assert got == ActionEntry("Fix the image check", "Sam", "2026-12-15")
    assert left == []


def test_action_items_stop_when_there_are_no_more(env: Environment, pipe: PipeInput) -> None:
    from crisiscli.walk.prompter import ActionEntry

    w = walk(env)
    view = w.view(w.playbook.step("look"))
    pipe.send_text("\r")  # "add another?" defaults to no once one is held
    held = [ActionEntry("Fix the image check", "Sam", "2026-12-15")]
    assert prompter(env, pipe).ask_action_item(view, ACTIONS, held) is None
    assert "1. Fix the image check — Sam, due 2026-12-15" in screen(env)


def test_an_action_item_may_leave_owner_and_date_open(
    env: Environment, pipe: PipeInput, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crisiscli.walk.prompter import ActionEntry

    w = walk(env)
    view = w.view(w.playbook.step("look"))
    per_prompt(monkeypatch, pipe, ["y\r", "Call legal\r", "\r", "\r"])
    got = prompter(env, pipe).ask_action_item(view, ACTIONS, [])
    assert got == ActionEntry("Call legal", None, None)


def test_the_evidence_key_asks_for_a_file_or_a_link_and_a_note(env: Environment, pipe: PipeInput, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    w = walk(env)
    view = w.view(w.playbook.step("look"))
    p = prompter(env, pipe)
    # One answer per prompt: a new prompt drops what was typed ahead of it.
    keys = ["'~/shots/post.png'\r", "The post\r", "https://x.com/acme/status/1\r", "\r", "\r"]
    left = per_prompt(monkeypatch, pipe, keys)
    chosen = p.ask_evidence(view)
    assert chosen is not None and not chosen.is_url and chosen.note == "The post"
    assert chosen.target == str(Path("~/shots/post.png").expanduser())
    link = p.ask_evidence(view)
    assert link is not None and link.is_url and link.target == "https://x.com/acme/status/1"
    assert p.ask_evidence(view) is None  # empty: nothing kept
    assert not left


def test_evidence_and_next_update_ask_in_the_playbooks_language(
    env: Environment, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = walk(env)
    view = w.view(w.playbook.step("look"))
    p = QuestionaryPrompter(env, "sv", input=create_pipe_input(), output=DummyOutput())
    asked: list[str] = []
    answers = iter(["https://x.com/acme/status/1", "Inlägget", "15:30"])

    def ask_text(prompt: str, default: str = "", **_: object) -> str:
        asked.append(prompt)
        return next(answers)

    monkeypatch.setattr(p, "ask_text", ask_text)
    assert p.ask_evidence(view) is not None
    assert p.ask_next_update(view, None) == "15:30"
    assert asked == [
        "En fil att spara (dess sökväg) eller en länk (https://…); tomt: ingenting",
        "Vad är det? (frivillig anteckning)",
        "Nästa uppdatering utlovad senast? (en tid som 15:30, eller 30m; tomt: inget löfte)",
    ]


def test_defer_in_the_final_round_says_the_step_stays_open() -> None:
    """Offered once more before the end, a deferred step deferred again does not come back
    by itself: the menu does not promise "back before its deadline or the next phase"."""
    import typing
    from types import SimpleNamespace

    from crisiscli.i18n import Catalogue
    from crisiscli.ui.prompts import TerminalPrompter
    from crisiscli.walk.prompter import Action

    def label(revisit: bool) -> str:
        view: typing.Any = SimpleNamespace(revisit=revisit)
        return Catalogue("en").t(TerminalPrompter.action_key(view, Action.DEFER))

    assert label(False) == "Defer — back before its deadline or the next phase"
    assert label(True) == "Defer — leave it open (it does not come back by itself)"
