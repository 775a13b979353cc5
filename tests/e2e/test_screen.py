"""Issue 11, read from a real screen (pyte) at 80×24 and 100×35: the live status line,
OVERDUE with one bell, Esc that keeps the run alive, the essentials always in view."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from tests.e2e.screen import Screen

pytestmark = pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")
QUICK = str(Path(__file__).parent / "quick.yaml")
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((100, 35), id="100x35")]
MENU_AFTER_ESC = r"Esc — back to the step menu[\s\S]*What now\?[\s\S]*Ctrl-C stop"
TITLE = "Our apology post went out with the wrong image on every platform we run today"


def start(tmp_path: Path, size: tuple[int, int]) -> Screen:
    s = Screen(tmp_path / "home", "start", QUICK, "--title", TITLE, "--severity", "high", size=size)
    s.wait_for(r"Tick what is done")
    return s


def elapsed(screen: str) -> str:
    found = re.search(r"(\d+s|\d+m(?: \d+s)?) since start", screen)
    assert found, screen
    return found.group(1)


@pytest.mark.parametrize("size", SIZES)
def test_clock_is_live_and_a_deadline_turns_overdue_with_one_bell(tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    s = start(tmp_path, size)
    try:
        first = elapsed(s.wait_for(r"since start"))
        s.wait_until(lambda shown: elapsed(shown) != first, "the clock moving", timeout=10)
        screen = s.wait_for(r"OVERDUE: Holding line", timeout=30)
        for _ in range(2):  # two more frames, to be sure it rang once only
            tick = elapsed(s.text)
            s.wait_until(lambda shown, tick=tick: elapsed(shown) != tick, "a later frame")  # type: ignore[misc]
        assert s.bells == 1
        # The essentials at once: incident line, step, next deadline and the prompt.
        assert "Our apology post" in screen and "step 1/2" in screen
        assert "Tick what is done" in screen
        # A long item wraps at a space under its own indent instead of being cut ("…platfo").
        words = " ".join(screen.split())
        assert "looking into it right now on every platform" in words, screen
        assert not [line for line in screen.splitlines() if "[ ]" in line and "…" in line]
    finally:
        s.send("\x03")
        s.close()


@pytest.mark.parametrize("size", SIZES)
def test_esc_at_every_menu_keeps_the_run_alive(tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    s = start(tmp_path, size)
    try:
        s.send("\x1b")  # at the checklist: back to the step menu, nothing recorded
        s.wait_for(MENU_AFTER_ESC)
        s.send("\x1b")  # at the step menu: nothing happens, and the screen says so
        s.wait_for(r"Esc does nothing here: choose")
        assert s.child.isalive()
        s.send("\x1b[B\r")  # Tick items / change answers
        s.wait_for(r"\[ \] Post it")
        s.send("\x1b")
        s.wait_for(MENU_AFTER_ESC, gone=r"Tick what is done|Esc does nothing here:")
        s.send("\x1b[B" * 3 + "\r")  # Skip (needs a reason) — then Esc back
        s.wait_for(r"Why skip it\?")
        s.send("\x1b")
        s.wait_for(MENU_AFTER_ESC, gone=r"Why skip it")
        assert s.child.isalive()
        s.send("\x1b[B" * 7 + "\r")  # Pause (after "Add evidence")
        s.wait_for(r"Continue with: \S*/crisis resume")  # the command as it was run
    finally:
        code = s.close()
    assert code == 0
    journal = next((tmp_path / "home").glob("incidents/*/journal.jsonl")).read_text()
    kinds = [json.loads(line)["type"] for line in journal.splitlines()]
    assert "step.skipped" not in kinds and "item.checked" not in kinds
    assert kinds[-1] == "session.paused"


def test_a_menu_entry_is_found_by_what_it_says() -> None:
    from tests.e2e.screen import _moves_to

    rows = [
        "  [ ] Screenshot the post",
        "? What now?",
        "  Mark this step done",
        "» Add a note",
        "  Defer — come back to it before the end",
        "  Back to the previous step",
        "↑↓ move · Enter choose",
    ]
    assert _moves_to(rows, "Back to the previous") == 2
    assert _moves_to(rows, "Mark this step") == -1
    assert _moves_to(rows, "Add a note") == 0
    assert _moves_to(rows, "Screenshot") is None  # a checklist row is not in the menu
    assert _moves_to(rows[:5], "Back to") is None  # not drawn yet: wait, do not guess


def test_what_a_command_printed_as_it_exited_is_found(tmp_path: Path) -> None:
    """The awaited text and the end of the process in one read (issue 25: 1 in 4 at load 6):
    the text is there, so ``wait_for`` finds it instead of reporting the exit."""
    s = Screen(tmp_path / "home", "--version", size=(80, 24))
    deadline = time.monotonic() + 60
    while s.child.isalive() and time.monotonic() < deadline:
        time.sleep(0.02)  # nothing read yet: all it printed waits in the terminal
    assert not s.child.isalive()
    assert re.search(r"crisis \d+\.\d+", s.wait_for(r"crisis \d+\.\d+"))
    with pytest.raises(AssertionError, match="crisis exited"):
        s.wait_for(r"never printed")
    assert s.close() == 0
