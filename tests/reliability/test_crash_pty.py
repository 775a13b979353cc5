"""Crash test, interactive: the real prompt_toolkit screens in a pseudo-terminal (pexpect),
SIGKILLed after a random number of answers plus a random delay, resumed with `crisis
resume` until done. Nothing acknowledged is lost; the outcome equals an uninterrupted
run's with the same keystrokes.

CI runs 20% of 50 kills here; `pytest --long` 20% of 1,000. CRISIS_CRASH_SEED=N
reproduces the choice of kill moments (timing itself is the machine's).
"""

from __future__ import annotations

import re
import signal
import time
from pathlib import Path

import pytest

from crisiscli.record.store import JOURNAL
from tests.conftest import FIXTURES, crisis_command, subprocess_env
from tests.e2e.driver import guarded, plain
from tests.reliability import crashkit

pexpect = pytest.importorskip("pexpect")

# A prompt is live from its first drawing, which follows "bracketed paste on" on the same
# line; prompt_toolkit ends every prompt with "bracketed paste off".
LIVE = r"\x1b\[\?2004h[^\r\n]*?"
PROMPT_DONE = "\x1b[?2004l"
KEYS = [
    ("Which brand?", "Acme\r"),
    ("Where did it come from?", "\r"),
    ("Tick what is done", "a\r"),
    ("How far has it spread?", "\x1b[B\r"),  # the second choice: wide
    ("Any threats?", "y\r"),  # yes/no waits for Enter
    ("Call security", "\r"),
    ("Tell legal", "\r"),
    ("The message:", "\r"),  # Edit it here
    ("Message", "\x15We are sorry, Acme. More soon.\x1b\r"),  # clear the draft, type, save
    ("Now?", "\r"),  # Use this message
    ("Next update promised by?", "\x15\r"),  # none (a promise is timed from now: runs differ)
    ("Who approves this message?", "\x1b[B\r"),  # I approve it myself (self-approved)
    ("Anything to add?", "Nothing more\r"),
    ("item(s) not ticked. Mark the step done anyway?", "y\r"),
    ("What now?", "\r"),  # Mark this step done
    ("Close the incident now? (You can still add notes and reports later.)", "y\r"),
]
# The live prompt: its first drawing, then the "?" mark and the text.
PATTERNS = [LIVE + r"\? (?:\x1b\[[0-9;]*m)*" + re.escape(text) for text, _ in KEYS]


def _spawn(home: Path, args: list[str]):  # type: ignore[no-untyped-def]
    cmd = crisis_command()
    child = pexpect.spawn(
        cmd[0],
        [*cmd[1:], *args],
        env=subprocess_env(home),
        encoding="utf-8",
        codec_errors="replace",
        # a stuck walk-through fails all the same; CI's two suites at once on two cores can
        # take longer than 20 s to start a process and draw its first prompt
        timeout=60,
        dimensions=(40, 100),
    )
    child.delaybeforesend = None
    child.delayafterclose = 0.0
    child.delayafterterminate = 0.0
    child.logfile_read = _Shown()
    return guarded(child)


class _Shown:
    """What the child drew, kept so a prompt never seen can be shown in the failure."""

    def __init__(self) -> None:
        self.raw = ""

    def write(self, text: str) -> None:
        self.raw = (self.raw + text)[-20000:]

    def flush(self) -> None:
        pass


def _answer(child, limit: int | None) -> int:  # type: ignore[no-untyped-def]
    """Answer prompts until the child exits, or stop after ``limit`` answers."""
    answered = 0
    while limit is None or answered < limit:
        try:
            index = child.expect([*PATTERNS, pexpect.EOF])
        except pexpect.TIMEOUT:
            shown = plain(child.logfile_read.raw)[-2500:]
            raise AssertionError(f"no known prompt after {answered} answers:\n{shown}") from None
        if index == len(PATTERNS):
            return answered
        child.send(KEYS[index][1])
        child.expect_exact([PROMPT_DONE, pexpect.EOF])
        answered += 1
    return answered


START = ["start", str(FIXTURES / "mini.yaml"), "--title", "Pty drill", "--severity", "high"]


def _journal(home: Path) -> Path | None:
    if not home.exists():
        return None
    return next(iter((home / "incidents").glob(f"*/{JOURNAL}")), None)


SHARDS = (
    2  # the kills dealt to two tests, each with its own random stream: parallel workers share them
)


@pytest.mark.parametrize("shard", range(SHARDS))
def test_sigkill_in_a_terminal_walkthrough(
    shard: int, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    seed, rng = crashkit.make_rng(f"pty-{shard}")
    budget = crashkit.share(crashkit.kill_budget(request.config, 0.2), shard, SHARDS)
    reference = tmp_path / "reference"
    child = _spawn(reference, START)
    total = _answer(child, None)
    child.close()
    assert child.exitstatus == 0, child.before
    expected = crashkit.essence(crashkit.the_incident(reference))
    expected_report = crashkit.report_essence(crashkit.the_incident(reference))
    assert expected["closed"] and expected["messages"][-1][1] == "We are sorry, Acme. More soon."

    kills = scenarios = 0
    while kills < budget:
        scenarios += 1
        home = tmp_path / f"run-{scenarios}"
        args = START
        while True:
            why = f"seed {seed}, scenario {scenarios}, kill {kills + 1}"
            child = _spawn(home, args)
            if kills < budget:
                limit = rng.randint(0, total)
                answered = _answer(child, limit)
                if answered == limit and child.isalive():
                    time.sleep(rng.uniform(0.0, 0.15))
                    journal = _journal(home)
                    acknowledged = crashkit.journal_ids(journal) if journal else set()
                    child.kill(signal.SIGKILL)
                    child.close(force=True)
                    kills += 1
                    crashkit.check_after_kill(home, acknowledged, [], why)
                    incident = crashkit.incident_or_none(home)
                    if incident is None:
                        home = tmp_path / f"run-{scenarios}-again-{kills}"
                        args = START
                        continue
                    state = incident.state()
                    if state.finished:
                        if not state.closed:
                            closed = crashkit.run_cli(home, "close", incident.id)
                            assert closed.exit_code == 0, f"{why}: {closed.stderr}"
                        break
                    args = ["resume", incident.id]
                    continue
            _answer(child, None)
            child.close()
            assert child.exitstatus == 0, f"{why}: exit {child.exitstatus}"
            break
        incident = crashkit.the_incident(home)
        crashkit.check_log_rebuild(incident)
        got = crashkit.essence(incident)
        assert crashkit.report_essence(incident) == expected_report, (
            f"seed {seed}, scenario {scenarios}: the report differs"
        )
        assert got == expected, f"seed {seed}, scenario {scenarios}: outcome differs"
    print(f"crash test pty: {kills} kills over {scenarios} walk-throughs (seed {seed})")
