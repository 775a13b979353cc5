"""A real terminal screen for end-to-end tests: pexpect runs `crisis`, pyte emulates the
terminal, and tests read the rows a person would see (not the raw stream)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pexpect
import pyte

from tests.conftest import crisis_command, subprocess_env


class Screen:
    def __init__(self, home: Path, *args: str, size: tuple[int, int], timeout: float = 60.0,
                 **env: str) -> None:  # fmt: skip
        cols, rows = size
        cmd = crisis_command()
        self.child = pexpect.spawn(
            cmd[0], [*cmd[1:], *args], dimensions=(rows, cols), encoding="utf-8",
            codec_errors="replace", timeout=timeout,
            env=subprocess_env(home, VISUAL="", EDITOR="", COLUMNS=str(cols), LINES=str(rows), **env),
        )  # fmt: skip
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.Stream(self.screen)
        self.timeout = timeout
        self.bells = 0
        self.raw = ""

    def pump(self, wait: float = 0.1) -> bool:
        """Read what the terminal was sent within ``wait`` seconds; False: nothing came."""
        try:
            chunk = self.child.read_nonblocking(65536, timeout=wait)
        except (pexpect.TIMEOUT, pexpect.EOF):
            return False
        self.raw += chunk
        self.bells += chunk.count("\a")
        self.stream.feed(chunk)
        return True

    @property
    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    @property
    def flat(self) -> str:
        """The rows run together: a line the terminal wrapped reads as one."""
        return "".join(line.rstrip() for line in self.screen.display)

    def wait_for(
        self,
        pattern: str,
        timeout: float | None = None,
        *,
        gone: str | None = None,
        flat: bool = False,
    ) -> str:
        """Wait until ``pattern`` is on the screen (and ``gone`` is not), and the terminal has
        been sent nothing more for a moment; returns the screen (``flat``: search, and
        return, the rows run together).

        The moment matters: a prompt's question, its choices and the hints under it can
        arrive in separate writes, and a test that read the screen right after the question
        would miss what the same redraw was about to show."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            arrived = self.pump()
            shown = self.flat if flat else self.text
            found = re.search(pattern, shown) and not (gone and re.search(gone, shown))
            ended = not self.child.isalive()  # then nothing more can arrive: no need to wait
            if found and (ended or (not arrived and not self.pump(QUIET))):
                return self.flat if flat else self.text
            if time.monotonic() > deadline or not self.child.isalive():
                raise AssertionError(f"{pattern!r} not on screen:\n{shown}")

    def settle(self, seconds: float = 0.5) -> str:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.pump(0.05)
        return self.text

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def choose(self, label: str, timeout: float | None = None) -> None:
        """Pick the menu entry that starts with ``label``: wait until the menu shows it, move
        the pointer (``»``) there and press Enter — by what the entry says, not by where it
        stands, so a menu that gains an entry does not send a test somewhere else."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            self.pump()
            moves = _moves_to(list(self.screen.display), label)
            if moves is not None:
                break
            if time.monotonic() > deadline or not self.child.isalive():
                raise AssertionError(f"no menu entry {label!r} on screen:\n{self.text}")
        self.send((DOWN if moves > 0 else UP) * abs(moves) + ENTER)

    def close(self) -> int:
        deadline = time.monotonic() + self.timeout
        while self.child.isalive() and time.monotonic() < deadline:
            self.pump()
        self.child.close(force=True)
        return int(self.child.exitstatus if self.child.exitstatus is not None else 128)


DOWN, UP, ENTER = "\x1b[B", "\x1b[A", "\r"
QUIET = 0.15  # seconds without output after which a screen counts as drawn


def _moves_to(rows: list[str], label: str) -> int | None:
    """How many rows the menu's pointer must move to reach ``label`` (None: no menu with it
    on screen). The menu is the block of rows around the pointer's, each an entry:
    ``» chosen`` or two spaces and its text."""
    at = next((i for i, row in enumerate(rows) if row.startswith("» ")), None)
    if at is None:
        return None
    start = end = at
    while start > 0 and _entry(rows[start - 1]):
        start -= 1
    while end + 1 < len(rows) and _entry(rows[end + 1]):
        end += 1
    for i in range(start, end + 1):
        if rows[i][2:].startswith(label):
            return i - at
    return None


def _entry(row: str) -> bool:
    return row.startswith("  ") and len(row) > 2 and not row[2].isspace()
