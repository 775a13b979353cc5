"""`crisis watch` in a real pseudo-terminal at 80x24, read as a person reads it: a note
another process writes shows within 2 seconds, a deadline passing turns it OVERDUE with
one bell, and q leaves with exit code 0 and the terminal as it was."""

from __future__ import annotations

import re
import subprocess
import termios
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from crisiscli.record import events as ev
from crisiscli.record.store import Incident, find_incident
from tests.conftest import FrozenClock, crisis_command, make_env, subprocess_env
from tests.helpers import open_incident

pytest.importorskip("pexpect")
pytest.importorskip("pyte")

from tests.e2e.screen import Screen

LEAVE = "\x1b[?1049l"  # the normal screen back


def opened(home: Path) -> Incident:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text('timezone = "UTC"\n', encoding="utf-8")
    started = datetime.now(timezone.utc) - timedelta(minutes=1)
    return open_incident(
        make_env(home, clock=FrozenClock(started)), "cadence", title="Wrong image posted"
    )


def echoing(fd: int) -> bool:
    lflag = termios.tcgetattr(fd)[3]
    return bool(lflag & termios.ECHO) and bool(lflag & termios.ICANON)


def test_watch_follows_another_terminal_rings_once_for_a_deadline_and_q_restores(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    incident = opened(home)
    screen = Screen(home, "watch", size=(80, 24))
    try:
        shown = screen.wait_for(r"DEADLINES", also=(r"Walking: nobody yet", "Public update"))
        assert "Post a holding line" in shown
        assert "Public update (every 30m)" in shown  # the recurring deadline counts down
        assert "Walking: nobody yet · step 1 of 4: Post a holding line" in shown
        assert not echoing(screen.child.child_fd)  # keys without Enter, no echo

        # Another process writes a note: on screen within 2 s of being durable.
        note = subprocess.run(
            [*crisis_command(), "note", "Legal says: hold the apology"],
            env=subprocess_env(home),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert note.returncode == 0, note.stderr
        shown = screen.wait_for(r"tester\s+Note: Legal says: hold the apology", timeout=2.0)

        # The holding line goes out promising the next update in a few seconds.
        due = datetime.now(timezone.utc) + timedelta(seconds=4)
        incident = find_incident(make_env(home), incident.id)
        incident.record(
            ev.message_recorded("holding", "On it. Next update shortly.", ["x"], "statement"),
            ev.update_promised("holding", due),
            ev.step_done("holding"),
        )
        shown = screen.wait_for(r"(due|soon)\s+in \d+:\d\d\s+Promised next update", timeout=5.0)
        before = screen.bells
        late = r"OVERDUE\s+(\d+:\d\d) late\s+Promised next update"
        shown = screen.wait_for(late, timeout=15)
        first = re.search(late, shown).group(1)  # type: ignore[union-attr]
        # A later frame (the lateness moved on), to be sure it rings once only.
        screen.wait_until(lambda now: re.search(late, now) is not None
                          and re.search(late, now).group(1) != first, "a later frame")  # type: ignore[union-attr]  # fmt: skip
        assert screen.bells == before + 1
        deadlines = screen.text.split("DEADLINES")[1].split("LATEST")[0]
        assert "Post a holding line" not in deadlines  # met: no longer counting down

        screen.send("q")
        assert screen.wait_exit(20)  # ended, and all it wrote is read
        assert echoing(screen.child.child_fd)  # the line discipline given back
        assert screen.raw.rstrip().endswith(LEAVE)  # the normal screen, the cursor back
        assert "\x1b[?25h" in screen.raw.rsplit("\x1b[?25l", 1)[-1]
    finally:
        code = screen.close()
    assert code == 0


def test_ctrl_c_leaves_cleanly_too(tmp_path: Path) -> None:
    home = tmp_path / "home"
    opened(home)
    screen = Screen(home, "watch", size=(80, 24))
    try:
        screen.wait_for(r"DEADLINES")
        screen.send("\x03")
        assert screen.wait_exit(20)  # ended, and all it wrote is read
        assert echoing(screen.child.child_fd)
        assert screen.raw.rstrip().endswith(LEAVE)
    finally:
        code = screen.close()
    assert code == 0


def test_sigterm_and_sighup_give_the_terminal_back(tmp_path: Path) -> None:
    import signal

    home = tmp_path / "home"
    opened(home)
    for sig, code in ((signal.SIGTERM, 0), (signal.SIGHUP, 128 + signal.SIGHUP)):
        screen = Screen(home, "watch", size=(80, 24))
        try:
            screen.wait_for(r"DEADLINES")
            screen.child.kill(sig)
            assert screen.wait_exit(20)  # ended, and all it wrote is read
            assert echoing(screen.child.child_fd), sig
            assert screen.raw.rstrip().endswith(LEAVE), sig
        finally:
            exit_code = screen.close()
        assert exit_code == code, sig
