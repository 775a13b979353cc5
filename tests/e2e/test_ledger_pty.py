"""The reply ledger in a real terminal at 80x24 (issue 20.10): at complaint's "Reply to
everyone who engaged" a person is added, replied to and closed by keys, the step's screen
lists the ledger, and "done" says who still has no reply before anything is recorded."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import crisis_command, subprocess_env
from tests.e2e.screen import Screen

pytestmark = pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "answers" / "complaint.yaml"


def paused_at_the_ledger(tmp_path: Path) -> tuple[Path, str]:
    """A complaint walked by script up to its reply-each step, paused there."""
    script = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    script["close"] = False
    kept = list(script["steps"])[: list(script["steps"]).index("reply-each")]
    script["steps"] = {sid: script["steps"][sid] for sid in kept}
    script["steps"]["reply-each"] = {"action": "pause"}
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(script, sort_keys=False), encoding="utf-8")
    home = tmp_path / "home"
    subprocess.run(
        [*crisis_command(), "start", "complaint", "--answers", str(answers)],
        env=subprocess_env(home), check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    (folder,) = (home / "incidents").iterdir()
    return home, folder.name


def test_a_reply_to_each_person_by_keys(tmp_path: Path) -> None:
    home, incident = paused_at_the_ledger(tmp_path)
    s = Screen(home, "resume", incident, size=(80, 24))
    try:
        s.wait_for(r"Reply ledger: nobody on it yet")
        s.choose("Reply to each person")
        s.choose("Add a person owed a reply")
        s.wait_for(r"Who is owed a reply\?")
        s.send("@petra_k\r")
        s.choose("x")
        s.wait_for(r"Link to what they wrote")
        s.send("https://x.com/petra_k/status/77\r")
        s.wait_for(r"@petra_k \(x\) — no reply yet[\s\S]*@petra_k is on the reply ledger\.")
        s.choose("Write the reply to @petra_k")
        s.wait_for(r"The reply to @petra_k")
        s.send("\x15Hi Petra, I'm sorry you had that too. Could you DM us the date? Kim")
        s.send("\x1b")
        s.send("\r")  # Esc then Enter: the reply is saved
        s.wait_for(r"x \d+/280")
        s.choose("It is sent")
        s.wait_for(r"Reply ledger: 1 of 1 replied[\s\S]*Reply to @petra_k recorded")
        s.choose("Add a person owed a reply")
        s.wait_for(r"Who is owed a reply\?")
        s.send("@jo\r")
        s.choose("Somewhere else")
        s.wait_for(r"Link to what they wrote")
        s.send("\r")
        s.choose("Close @petra_k's thread")
        s.choose("Moved to direct messages")
        s.wait_for(r"Anything worth keeping")
        s.send("\r")
        s.wait_for(r"@petra_k: moved to direct messages\.")
        s.choose("Back to the step")
        s.choose("Mark this step done")
        # Asked before the checklist, naming who waits; "no" records nothing.
        screen = s.wait_for(r"have no reply yet")
        assert "1 person(s) on the reply ledger have no reply yet (@jo)" in s.flat, screen
        s.send("n\r")
        s.wait_for(r"What now\?")
        s.send("\x03")
    finally:
        s.close()
    events = [
        json.loads(line)
        for line in (home / "incidents" / incident / "journal.jsonl").read_text().splitlines()
    ]
    ledger = [(e["type"], e["data"]) for e in events if e["type"].startswith("reply.")]
    assert [kind for kind, _ in ledger] == ["reply.person", "reply.sent", "reply.person", "reply.closed"]  # fmt: skip
    assert ledger[0][1] == {
        "id": "r1", "who": "@petra_k", "platform": "x", "link": "https://x.com/petra_k/status/77",
    }  # fmt: skip
    assert ledger[1][1]["text"] == "Hi Petra, I'm sorry you had that too. Could you DM us the date? Kim"  # fmt: skip
    assert ledger[2][1] == {"id": "r2", "who": "@jo"}
    assert ledger[3][1]["outcome"] == "dm"
    assert not [e for e in events if e["type"] == "step.done" and e["data"]["step"] == "reply-each"]
