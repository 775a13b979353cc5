"""Issue 11's findings, each read from a real screen (pyte) at 80×24 and 100×35: keys that
act only on the prompt they were typed for, current answers as the defaults, the reason a
step was refused kept in view, Esc at the composer's menus, the incident's own platform
checked first, Ctrl-D, a deferred step kept by title, Swedish words, the note's one hint.

A live prompt is told from an answered one by what only a live prompt shows: a menu's
pointer line (``» …``) or the key hint under it."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import crisis_command, subprocess_env
from tests.e2e.screen import Screen

pytestmark = pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")
HERE = Path(__file__).parent
WALK = str(HERE / "walk11.yaml")
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((100, 35), id="100x35")]
DOWN, ENTER, ESC = "\x1b[B", "\r", "\x1b"
MENU = r"\? What now\?\s*\n» Mark this step done"  # the step menu, waiting
CONFIRM_HINT = r"y/n then Enter"
# The status line under the prompt (drawn with it, maybe in a later write): wait for it too.
ESSENTIALS = (r"Walk eleven · high · step \d/4", r"next: Statement out in \d+m")


def start(home: Path, size: tuple[int, int]) -> Screen:
    """walk11 opened on Instagram, at its first question."""
    s = Screen(home, "start", WALK, "--title", "Walk eleven", "--severity", "high", size=size)
    s.wait_for(r"\? Where did it start\?\s*\n» ")
    s.send(DOWN + ENTER)  # Instagram
    s.wait_for(r"\? How far has it travelled\?\s*\n» ")
    return s


@contextlib.contextmanager
def walking(home: Path, size: tuple[int, int]) -> Iterator[Screen]:
    """``start``, and at the end Ctrl-C and the terminal closed, whatever happened."""
    s = start(home, size)
    try:
        yield s
    finally:
        s.send("\x03")
        s.close()


def answer_look(s: Screen, who: str = "Kim") -> None:
    s.send(DOWN + ENTER)  # Spreading
    s.wait_for(r"\? Who posted it\?.*\n.*Enter confirms")
    s.send(who + ENTER)
    s.wait_for(MENU)


def journal(home: Path) -> list[dict[str, Any]]:
    text = next(home.glob("incidents/*/journal.jsonl")).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def of_type(home: Path, kind: str) -> list[dict[str, Any]]:
    return [e["data"] for e in journal(home) if e["type"] == kind]


def crisis(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*crisis_command(), *args], env=subprocess_env(home), capture_output=True, text=True,
        stdin=subprocess.DEVNULL, timeout=120,
    )  # fmt: skip


def essentials_in_view(screen: str, step: str) -> None:
    """The incident line, the step and the next deadline, on the screen with the prompt."""
    assert f"Walk eleven · high · step {step}" in screen, screen
    assert re.search(r"next: Statement out in \d+m", screen), screen


@pytest.mark.parametrize("size", SIZES)
def test_keys_typed_for_one_prompt_never_act_on_the_next(tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    with walking(home, size) as s:
        answer_look(s)
        s.send(ENTER)  # Mark this step done
        s.wait_for(r"\? Check that nobody is in danger\s*\n» Done")  # READ-DO, one item
        s.choose("Not yet")  # show the step menu
        s.wait_for(MENU)
        s.send(ENTER)
        s.wait_for(r"Mark the step done anyway\? \(y/N\).*\n" + CONFIRM_HINT)
        s.send("n")  # a letter alone answers nothing: it is shown, the question stays
        s.wait_for(r"Mark the step done anyway\? \(y/N\) No\s*\n" + CONFIRM_HINT)
        assert not of_type(home, "step.done")[1:]  # only "look" is done
        s.send(ENTER)  # now "no" counts: back to the menu, the step not done
        s.wait_for(MENU)
        assert len(of_type(home, "step.done")) == 1
        s.send(ENTER)
        s.wait_for(r"Mark the step done anyway\? \(y/N\).*\n" + CONFIRM_HINT)
        s.send("y" + ENTER + ENTER)  # yes — and one Enter too many, typed ahead
        s.wait_for(r"\? The message:\s*\n» Edit it here")
        # The stray Enter did not choose "Edit it here" on the composer's menu: a key sent
        # now, read after it, still moves the pointer in that menu.
        s.send(DOWN)
        screen = s.wait_for(r"\? The message:\s*\n  Edit it here\s*\n» Use it as it is",
                            also=ESSENTIALS)  # fmt: skip
        assert [d["step"] for d in of_type(home, "step.done")] == ["look", "safety"]
        assert not of_type(home, "message.recorded")
        essentials_in_view(screen, "3/4")


@pytest.mark.parametrize("size", SIZES)
def test_changing_answers_starts_from_the_current_ones(tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    with walking(home, size) as s:
        answer_look(s)
        s.send(DOWN + ENTER)  # Tick items / change answers
        screen = s.wait_for(r"\? How far has it travelled\?\s*\n  Isolated.*\n» Spreading")
        assert "» Isolated" not in screen  # the cursor is on the current answer
        s.send(ENTER)
        s.wait_for(r"\? Who posted it\? Kim\s*\n.*Enter confirms")  # the text comes back
        s.send(ENTER)
        s.wait_for(MENU)
        reach = [d["value"] for d in of_type(home, "answer.set") if d["question"] == "reach"]
        who = [d["value"] for d in of_type(home, "answer.set") if d["question"] == "who"]
        assert reach[-1] == "spreading" and who[-1] == "Kim"  # Enter kept them both


@pytest.mark.parametrize("size", SIZES)
def test_the_reason_done_was_refused_stays_with_the_menu(tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    with walking(home, size) as s:
        s.send(DOWN + ENTER)
        s.wait_for(r"\? Who posted it\?.*\n.*Enter confirms")
        s.send(ENTER)  # left empty for now
        s.wait_for(MENU)
        s.send(ENTER)  # Mark this step done: refused, a required answer is missing
        screen = s.wait_for(r"Answer “Who posted it\?” first[\s\S]*" + MENU, also=ESSENTIALS)
        essentials_in_view(screen, "1/4")
        s.choose("Add a note")  # one save hint, not two
        # The hint is drawn after the question; a letter typed then comes back in a redraw
        # of the whole prompt, in which a second hint would show too.
        s.wait_for(r"\? Note[\s\S]*Enter saves · Esc Esc back")
        s.send("Q")
        screen = s.wait_for(r"\? Note\s+Q\s*\n[\s\S]*Enter saves · Esc Esc back")
        assert len(re.findall(r"Enter saves", screen)) == 1, screen
    assert not of_type(home, "step.done")


def walk_to_the_statement(s: Screen) -> None:
    answer_look(s)
    s.send(ENTER)
    for item in ("Check that nobody is in danger", "Tell legal what happened"):
        s.wait_for(rf"\? {item}\s*\n» Done")
        s.send(ENTER)
    s.wait_for(MENU)  # both ticked: the step's menu
    s.send(ENTER)
    s.wait_for(r"\? The message:\s*\n» Edit it here")


@pytest.mark.parametrize("size", SIZES)
def test_composer_esc_goes_back_and_the_incident_platform_is_checked_first(
    tmp_path: Path, size
) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    s = start(home, size)
    try:
        walk_to_the_statement(s)
        s.send(ESC)  # at "The message:" — back to the step menu, nothing chosen
        screen = s.wait_for(r"Esc — back to the step menu[\s\S]*" + MENU)
        s.choose("Edit the message")
        s.wait_for(r"\? The message:\s*\n» Edit it here")
        s.choose("Use it as it is")
        screen = s.wait_for(r"\? Now\?\s*\n» Use this message", also=ESSENTIALS)
        # Instagram, where the incident is, although the message names five others — first.
        assert re.search(r"Length\s+instagram 72/2200 · x 72/280", screen), screen
        essentials_in_view(screen, "3/4")  # the header may scroll; the status line does not
        s.send(ESC)  # at "Now?" — back to the step menu, the run goes on
        s.wait_for(r"Esc — back to the step menu[\s\S]*" + MENU)
        assert s.child.isalive()
    finally:
        s.send("\x03")
        code = s.close()
    assert code == 130  # Ctrl-C at the end, not a crash at Esc
    assert not of_type(home, "message.approved") and not of_type(home, "step.done")[2:]


@pytest.mark.parametrize("size", SIZES)
def test_ctrl_d_at_a_text_prompt_is_ctrl_c(tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    s = start(home, size)
    s.send(DOWN + ENTER)
    s.wait_for(r"\? Who posted it\?.*\n.*Enter confirms")
    s.send("\x04")
    screen = s.wait_for(r"Continue with: \S+ resume \S+", flat=True)
    assert "aborted" not in screen and "error" not in screen
    assert "Interrupted. Everything you confirmed is saved in" in screen
    assert s.close() == 130
    assert journal(home)[-1]["type"] == "session.interrupted"


@pytest.mark.parametrize("size", SIZES)
def test_a_deferred_step_left_by_back_stays_open_by_title(tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    s = start(home, size)
    try:
        answer_look(s)
        s.send(ENTER)
        s.wait_for(r"\? Check that nobody is in danger\s*\n» Done")
        s.choose("Not yet")
        s.wait_for(MENU)
        s.choose("Defer")
        s.wait_for(r"\? Why defer it\? \(optional\)")
        s.send(ENTER)
        s.wait_for(r"\? The message:\s*\n» Edit it here")
        s.choose("Use it as it is")
        s.wait_for(r"\? Now\?\s*\n» Use this message")
        s.send(ENTER)
        s.wait_for(r"\? Next update promised by\?.*\n.*Enter confirms", flat=False)
        s.send(ENTER)  # no promise
        s.wait_for(MENU)
        s.send(ENTER)  # the statement is done
        s.wait_for(r"Wrap up[\s\S]*" + MENU)
        s.send(ENTER)  # wrap up is done; the deferred step comes back
        s.wait_for(r"Deferred — back again before the end[\s\S]*\? Check that nobody")
        s.choose("Not yet")
        s.wait_for(MENU)
        s.choose("Back to the previous step")
        s.wait_for(r"Wrap up[\s\S]*" + MENU)
        s.send(ENTER)
        screen = s.wait_for(r"Close the incident now\?.*\n" + CONFIRM_HINT)
        assert re.search(r"ended with steps still open:\s*\n\s*- Safety first", screen), screen
        assert "safety" not in screen  # a title, not an internal id
        s.send("n" + ENTER)
        s.wait_for(r"Finished with steps still open: Safety first", flat=True)
    finally:
        code = s.close()
    assert code == 0
    assert "begun, not finished: Safety first" in crisis(home, "status").stdout
    assert "Begun and left unfinished:\n  - Safety first" in crisis(home, "handoff").stdout
    closing = crisis(home, "close")
    assert "1 step(s) still open: Safety first" in closing.stderr


@pytest.mark.parametrize("size", SIZES)
def test_a_swedish_walk_through_speaks_swedish(tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    bundled = Screen(home, "start", "complaint-sv", "--title", "Sen leverans", size=size)
    try:
        screen = bundled.wait_for(
            r"\? Hur allvarligt är det\?\s*\n» ", also=("↑↓ flytta · Enter välj", "Ctrl-C avbryt")
        )
        assert "↑↓ flytta · Enter välj" in screen and "Ctrl-C avbryt" in screen
        assert "How severe" not in screen and "move" not in screen
    finally:
        bundled.send("\x03")
        bundled.close()
    s = Screen(home, "start", str(HERE / "walk11-sv.yaml"), "--title", "Svensk", "--severity",
               "low", size=size)  # fmt: skip
    try:
        s.wait_for(r"\? Är alla i säkerhet\? \(j/N\).*\nj/n och sedan Enter")
        s.send("j" + ENTER)  # "j" is yes in Swedish
        screen = s.wait_for(r"\? Vad nu\?\s*\n» Markera steget som klart", also=("sedan start",))
        assert "Är alla i säkerhet? Ja" in screen and "sedan start" in screen
        s.send(ENTER)
        s.wait_for(r"\? Meddelandet:\s*\n» Redigera här")
        s.choose("Använd det som det är")
        screen = s.wait_for(r"\? Nu\?\s*\n» Använd meddelandet")
        assert "”om någon tog illa upp” — villkorad ursäkt." in screen
        assert "Stavningen är inte kontrollerad" in s.flat
    finally:
        s.send("\x03")
        s.close()
    (answer,) = of_type(home, "answer.set")
    assert answer["value"] is True


@pytest.mark.parametrize("size", SIZES)
def test_esc_at_the_severity_menu_picks_nothing_and_the_choice_reads_whole(
    tmp_path: Path, size
) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    title = "Our apology post went out with the wrong image on every platform we run today"
    s = Screen(home, "start", WALK, "--title", title, size=size)
    try:
        s.wait_for(r"\? How severe is it\?\s*\n» low")
        s.send(ESC)
        screen = s.wait_for(r"Esc does nothing here: choose")
        assert re.search(r"\? How severe is it\?\s*\n» low", screen)  # still asking
        assert not (home / "incidents").exists() or not list(home.glob("incidents/*/journal.jsonl"))
        s.send(DOWN + ENTER)
        s.wait_for(r"\? Where did it start\?\s*\n» ")
        # The choice as chosen, whole (its first sentence), not cut with an ellipsis.
        chosen = "high — Picked up by journalists, public figures or big creators, or on several platforms at once"  # fmt: skip
        assert chosen in " ".join(s.text.split()), s.text
        s.send(DOWN + ENTER)
        screen = s.wait_for(r"\? How far has it travelled\?\s*\n» ")
        # The header box: the title on one line of its own, the severity on the next.
        rows = screen.splitlines()
        top = next(i for i, row in enumerate(rows) if row.startswith("╭"))
        assert rows[top + 1].startswith("│ Our apology post") and "severity" not in rows[top + 1]
        assert "severity high" in rows[top + 2] and rows[top + 3].startswith("╰")
    finally:
        s.send("\x03")
        s.close()


@pytest.mark.parametrize("size", SIZES)
def test_esc_before_the_walk_through_and_at_close_keeps_the_command_alive(
    tmp_path: Path, size
) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    s = Screen(home, "start", WALK, "--severity", "high", size=size)
    try:
        s.wait_for(r"\? In one line, what happened\?.*\n.*Enter confirms")
        s.send(ESC)  # no step menu to go back to yet: nothing happens, and it says so
        s.wait_for(r"Esc does nothing here: type an answer")
        s.send("Walk eleven" + ENTER)
        s.wait_for(r"\? Where did it start\?\s*\n» ")
        s.send(ENTER)
        s.wait_for(r"\? How far has it travelled\?\s*\n» ")
        s.send("\x03")  # interrupted at the first step
    finally:
        assert s.close() == 130
    c = Screen(home, "close", size=size)  # the walk-through stopped at its first step
    try:
        c.wait_for(r"Close it anyway\? \(y/N\).*\n" + CONFIRM_HINT)
        c.send(ESC)
        c.wait_for(r"Esc does nothing here: choose")
        c.send("n" + ENTER)
        c.wait_for(r"Not closed\. Continue with: \S+ resume", flat=True)
    finally:
        assert c.close() == 0
    assert "incident.closed" not in [e["type"] for e in journal(home)]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    "depth", [pytest.param(0, id="short-home"), pytest.param(4, id="long-home")]
)
def test_lists_fit_the_terminal(request: pytest.FixtureRequest, size, depth: int) -> None:  # type: ignore[no-untyped-def]
    # The temporary folder's own length varies (pytest-xdist adds a worker's folder), so
    # the short home is made short; ``depth`` folders make it longer than any terminal here.
    short = Path(tempfile.mkdtemp(prefix="crisis-"))
    request.addfinalizer(lambda: shutil.rmtree(short, ignore_errors=True))
    home = short.joinpath(*["a-folder-with-a-long-name"] * depth, "home")
    s = Screen(home, "playbooks", size=(size[0], 100))  # as wide, and tall enough for all
    s.close()
    from crisiscli.width import display_width
    from tests.e2e.driver import plain

    # crisis wrapped every line itself, at a space: none is wider than the terminal (which
    # would wrap it anywhere, in the middle of a word); every playbook's id is whole. A
    # path is never cut: one too long for the terminal stands whole, on a line of its own.
    printed = plain(s.raw).splitlines()
    own = str(home / "playbooks")
    too_wide = [line for line in printed if display_width(line) > size[0]]
    assert all(line.strip() == own for line in too_wide), s.raw
    assert (depth > 0) == bool(too_wide)  # only the long home is wider than the terminal
    assert any(line.rstrip().endswith(own) for line in printed)  # whole, on one line
    for playbook in ("general", "complaint-sv", "product-failure", "hidden-attack"):
        assert re.search(rf"(^|\s){re.escape(playbook)}(\s|$)", s.text, re.M), s.text
