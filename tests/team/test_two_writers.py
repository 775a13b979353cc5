"""Several writers on one machine: a walk-through runs in a pseudo-terminal while another
process adds a note; the next screen shows it, and the log keeps both notes in order."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pexpect

from crisiscli.record.journal import Journal
from tests.conftest import crisis_command, subprocess_env
from tests.e2e.driver import guarded

SHIFT = Path(__file__).parent / "fixtures" / "shift.yaml"
DOWN, ENTER, SAVE = "\x1b[B", "\r", "\x1b\r"  # Esc then Enter saves a multi-line text


def test_note_from_another_process_shows_on_the_next_screen(crisis_home: Path) -> None:
    env = subprocess_env(crisis_home, CRISIS_USER="ana")
    command = [*crisis_command(), "start", str(SHIFT), "--title", "Wrong image",
               "--severity", "high", "--drill", "--role", "commander=Ana"]  # fmt: skip
    child = guarded(pexpect.spawn(command[0], command[1:], env=env, encoding="utf-8",
                                  timeout=30, dimensions=(40, 100)))  # fmt: skip
    try:
        # The playbook names a 'legal' role that --role did not fill: it is asked for.
        child.expect("Who holds the role .legal.")
        child.send("Lee" + ENTER)
        child.expect("DRILL")
        child.expect(r"commander(\x1b\[[0-9;]*m| )+Ana")  # styles may sit between words
        child.expect("Watch the mentions")
        child.expect("What now")

        other = subprocess.run(
            [*crisis_command(), "note", "Reporter from the Herald called"],
            env=subprocess_env(crisis_home, CRISIS_USER="sam"),
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert other.returncode == 0, other.stderr

        child.send(DOWN + ENTER)  # "Add a note"
        child.expect("saves")  # the note prompt (Esc then Enter saves) is open: keys reach it
        child.send("Statement is with legal" + SAVE)
        # The screen is drawn again from the journal: the other process's note is on it.
        child.expect("DRILL")
        child.expect("Notes from other terminals")
        child.expect("sam")
        child.expect("Reporter from the Herald called")
        child.expect("What now")
        child.send(ENTER)  # done: Watch the mentions
        child.expect("Wrap up")
        child.expect("What now")
        child.send(ENTER)  # done: Wrap up
        child.expect("Close the incident now")
        child.expect("stop")
        child.send("n" + ENTER)
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0, child.before

    journal = next(crisis_home.glob("incidents/*/journal.jsonl"))
    notes = [
        (e.actor, e.data["text"]) for e in Journal(journal).read().events if e.type == "note.added"
    ]
    assert notes == [("sam", "Reporter from the Herald called"), ("ana", "Statement is with legal")]
    log = journal.with_name("log.md").read_text(encoding="utf-8")
    assert log.index("Reporter from the Herald called") < log.index("Statement is with legal")
    assert "· sam · Note: Reporter from the Herald called" in log
    assert "| Roles | commander: Ana · legal: Lee |" in log
    assert "(DRILL)" in log
