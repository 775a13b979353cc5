"""Issue 20, in a real terminal at 80x24: a deferred step says on the status line when it
comes back, and comes back before the next phase begins — not after the close step."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.e2e.screen import Screen

pytestmark = pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")
DEFER = str(Path(__file__).parent / "defer.yaml")


def test_a_deferred_pause_step_comes_back_before_the_next_phase(tmp_path: Path) -> None:
    home = tmp_path / "home"
    s = Screen(home, "start", DEFER, "--title", "Wrong image", "--severity", "high", size=(80, 24))
    try:
        s.wait_for(r"Tick what is done")
        s.send("\r")  # nothing ticked yet
        s.choose("Defer")
        s.wait_for(r"Why defer it\?")
        s.send("Scheduler login broken\r")
        screen = s.wait_for(r"Look around[\s\S]*Tick what is done")
        # The status line says the deferred step's deadline, and when the step comes back.
        assert "deferred: back in" in s.flat, screen
        s.send(" \r")
        s.choose("Mark this step done")
        s.wait_for(r"Deferred — back before its deadline or the next phase\.[\s\S]*Pause the queue")
        s.wait_for(r"Tick what is done")
        s.send(" \r")
        s.choose("Mark this step done")
        s.wait_for(r"Lessons[\s\S]*Tick what is done")
        s.send("\x03")
    finally:
        s.close()
    (folder,) = (home / "incidents").iterdir()
    events = [json.loads(x) for x in (folder / "journal.jsonl").read_text().splitlines()]
    entered = [
        (e["data"]["step"], e["data"].get("via")) for e in events if e["type"] == "step.entered"
    ]
    assert entered == [("halt", "next"), ("look", "next"), ("halt", "recall"), ("lessons", "next")]
    done = {e["data"]["step"]: e["ts"] for e in events if e["type"] == "step.done"}
    assert "halt" in done and "lessons" not in done
