"""Issue 11, two terminals on one incident, read from real screens at 80×24 and 100×35:
one walker at a time (watch, take over, quit), a close from another terminal stops the
walker, and a note from another terminal shows on the next screen whoever wrote it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import crisis_command, subprocess_env
from tests.e2e.screen import Screen

pytestmark = pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")
QUICK = str(Path(__file__).parent / "quick.yaml")
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((100, 35), id="100x35")]
DOWN, ENTER = "\x1b[B", "\r"
# The whole menu, not only its question: the choices are drawn after it.
MENU = r"What do you want to do\?.*Watch it read-only.*Take over.*Quit"
BUSY = r"is being walked by tester \(pid (\d+) on \S+, /dev/pts/\d+\) since \d\d:\d\d"


def first_walker(home: Path, size: tuple[int, int]) -> Screen:
    s = Screen(home, "start", QUICK, "--title", "Two terminals", "--severity", "high", size=size)
    s.wait_for(r"Tick what is done")
    return s


def kinds(home: Path) -> list[dict[str, Any]]:
    journal = next(home.glob("incidents/*/journal.jsonl")).read_text(encoding="utf-8")
    return [json.loads(line) for line in journal.splitlines()]


def crisis(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*crisis_command(), *args], env=subprocess_env(home), capture_output=True, text=True,
        stdin=subprocess.DEVNULL, timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize("size", SIZES)
def test_second_resume_is_told_who_walks_and_may_take_over(tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    a = first_walker(home, size)
    b = Screen(home, "resume", size=size)
    try:
        import re

        b.wait_for(MENU, flat=True)
        screen = b.flat
        found = re.search(BUSY, screen)
        assert found and int(found.group(1)) == a.child.pid, screen
        assert "Watch it read-only" in screen and "Take over" in screen and "Quit" in screen
        b.choose("Take over")
        b.wait_for(r"Tick what is done")  # b walks now, from the same step
        a.send(ENTER)  # the first walker's next screen: it is told, and stops
        a.wait_for(r"tester took over this walk-through at \d\d:\d\d.*nothing more", flat=True)
        assert a.close() == 5
        b.send("\x03")
        assert b.close() == 130
    finally:
        a.close()
        b.close()
    events = kinds(home)
    types = [e["type"] for e in events]
    assert types.count("walker.started") == 1 and types.count("walker.taken_over") == 1
    taken = next(e["data"] for e in events if e["type"] == "walker.taken_over")
    assert taken["from"]["pid"] == a.child.pid
    assert "item.checked" not in types and "step.done" not in types  # a wrote nothing more
    assert types[-1] == "session.interrupted"  # b's Ctrl-C; a's end is not recorded


@pytest.mark.parametrize("size", SIZES)
def test_quit_leaves_it_and_watch_follows_read_only(tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    a = first_walker(home, size)
    quitter = Screen(home, "resume", size=size)
    watcher = None
    try:
        quitter.wait_for(MENU, flat=True)
        quitter.choose("Quit")
        quitter.wait_for(r"Nothing was recorded")
        assert quitter.close() == 0
        before = len(kinds(home))
        watcher = Screen(home, "resume", size=size)
        watcher.wait_for(MENU, flat=True)
        watcher.choose("Watch it read-only")
        watcher.wait_for(r"Post the holding line[\s\S]*Watching read-only")
        a.send("a" + ENTER)  # the walker ticks everything...
        a.wait_for(r"What now\?")
        a.send(ENTER)  # ...and marks the step done
        a.wait_for(r"Wrap up")
        watcher.wait_for(r"Wrap up[\s\S]*Watching read-only", timeout=60)  # it follows
        watcher.send("\x03")
        watcher.wait_for(r"Stopped watching")
        assert watcher.close() == 0
    finally:
        a.send("\x03")
        a.close()
        quitter.close()
        if watcher is not None:
            watcher.close()
    events = kinds(home)
    assert len([e for e in events if e["type"].startswith("walker.")]) == 1
    # Quit and watch recorded nothing: what came after is the walker's own work.
    assert [e["type"] for e in events[before:]] == [
        "item.checked", "item.checked", "step.done", "step.entered", "session.interrupted"
    ]  # fmt: skip


@pytest.mark.parametrize("size", SIZES)
def test_a_close_elsewhere_stops_the_walker(tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    a = first_walker(home, size)
    try:
        (folder,) = (home / "incidents").iterdir()
        closed = crisis(home, "close", folder.name, "--summary", "Handled by phone")
        assert closed.returncode == 0, closed.stderr
        a.send("a" + ENTER)  # ticks typed before the walker knew: not recorded
        # (the hint may wrap at the space before --reopen: the flat screen has no space there)
        a.wait_for(
            r"was closed at \d\d:\d\d by tester from another terminal.*hint:.* ?--reopen",
            flat=True,
        )
        assert a.close() == 5
    finally:
        a.close()
    types = [e["type"] for e in kinds(home)]
    assert types[-1] == "incident.closed" and "item.checked" not in types


@pytest.mark.parametrize("size", SIZES)
def test_a_note_from_another_terminal_by_the_same_person_shows(tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    a = first_walker(home, size)
    try:
        a.send(ENTER)  # nothing ticked: the step menu
        a.wait_for(r"What now\?")
        noted = crisis(home, "note", "Herald called about the post")  # same CRISIS_USER
        assert noted.returncode == 0, noted.stderr
        a.choose("Add a note")  # which draws the step again afterwards
        a.wait_for(r"Enter saves")
        a.send("Legal is on it" + "\r")
        screen = a.wait_for(r"Notes from other terminals[\s\S]*Herald called about the post")
        others = screen.split("Notes from other terminals")[1].split("Note added:")[0]
        assert "Legal is on it" not in others  # one's own note is no note from elsewhere
    finally:
        a.send("\x03")
        a.close()
