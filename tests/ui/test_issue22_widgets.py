"""Issue 22 at the level of the prompts, through prompt_toolkit's pipe input: an Enter
right after a prompt closed chooses nothing; menus stop at their ends; words typed at a
note or a message are never decided by a timeout."""

from __future__ import annotations

import threading
import time

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from crisiscli.i18n import Catalogue
from crisiscli.ui.widgets import Prompts
from crisiscli.walk.prompter import GoBack, InterruptedWithDraft, LeftWithDraft

UP, DOWN = "\x1b[A", "\x1b[B"
OPTIONS = [("done", "Mark this step done"), ("note", "Add a note"), ("pause", "Pause")]


def later(pipe, keys: str, seconds: float) -> None:  # type: ignore[no-untyped-def]
    threading.Timer(seconds, pipe.send_text, args=(keys,)).start()


def test_an_enter_within_half_a_second_of_the_last_prompt_chooses_nothing() -> None:
    with create_pipe_input() as pipe:
        p = Prompts(Catalogue("en"), None, pipe, DummyOutput())
        pipe.send_text("Kim\r")
        assert p.text("Who posted it?") == "Kim"
        pipe.send_text(DOWN + "\r")  # at once: Down moves, Enter is too soon
        later(pipe, "\r", 0.8)  # a deliberate Enter, later
        started = time.monotonic()
        assert p.select("What now?", OPTIONS) == "note"
        assert time.monotonic() - started >= 0.7  # the first Enter did not choose


def test_menus_do_not_wrap_onto_the_last_entry() -> None:
    with create_pipe_input() as pipe:
        p = Prompts(Catalogue("en"), None, pipe, DummyOutput(), guard=0.0)
        pipe.send_text(UP + UP + "\r")
        assert p.select("What now?", OPTIONS) == "done"
        pipe.send_text(DOWN * 7 + "\r")
        assert p.select("What now?", OPTIONS) == "pause"


@pytest.mark.parametrize(
    ("keys", "pause", "then", "outcome"),
    [
        ("Legal says no", 0.0, "\x1b\r", "saved"),  # Alt-Enter
        ("Legal says no", 0.0, "\x1b", "armed"),  # Esc … (then Enter 2 s later)
        ("Legal says no", 0.0, "\x1b\x1b", "draft"),  # Esc Esc: kept as a draft
        ("", 0.0, "\x1b", "back"),  # nothing typed: Esc goes back at once
        ("Legal says no", 0.0, "\x03", "interrupted"),
    ],
)
def test_esc_never_drops_the_words_of_a_note(
    keys: str, pause: float, then: str, outcome: str
) -> None:
    with create_pipe_input() as pipe:
        p = Prompts(Catalogue("en"), None, pipe, DummyOutput())
        pipe.send_text(keys + then)
        if outcome == "armed":
            later(pipe, "\r", 2.0)  # the Enter a stressed person presses two seconds later
        try:
            got = p.text("Note", draft=True)
        except LeftWithDraft as left:
            assert outcome == "draft" and left.text == keys
            return
        except InterruptedWithDraft as stopped:
            assert outcome == "interrupted" and stopped.text == keys
            return
        except GoBack:
            assert outcome == "back"
            return
        assert outcome in ("saved", "armed") and got == keys


def test_esc_twice_at_an_answer_that_is_no_draft_drops_it_as_asked() -> None:
    with create_pipe_input() as pipe:
        p = Prompts(Catalogue("en"), None, pipe, DummyOutput())
        pipe.send_text("by phone\x1b")
        later(pipe, "\x1b", 1.0)
        with pytest.raises(GoBack) as left:
            p.text("Why skip it?")
        assert not isinstance(left.value, LeftWithDraft)


@pytest.mark.parametrize(
    ("then", "expected"),
    [
        ("\x1b\x7f", "Legal says no to the statement"),  # Esc, Backspace: one character
        ("\x1b\x1b[Dd", "Legal says no to the statementdt"),  # Esc, Left: not Alt-d after
        ("\x1bu", "Legal says no to the statementtu"),  # not Alt-u (upper-case a word)
    ],
)
def test_a_key_right_after_esc_is_that_key_never_an_alt_edit(then: str, expected: str) -> None:
    """Esc followed at once by a key was Alt+key: Esc-Backspace deleted the last word,
    Esc-d the next, Esc-u upper-cased a word — words lost without a draft or a word. Esc
    only asks; the key after it does what it does alone ("or go on typing")."""
    with create_pipe_input() as pipe:
        p = Prompts(Catalogue("en"), None, pipe, DummyOutput())
        pipe.send_text("Legal says no to the statementt" + then)
        later(pipe, "\x1b\r", 0.5)  # then saved, as a person does
        assert p.text("Note", draft=True) == expected
