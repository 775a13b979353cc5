"""A real terminal screen for end-to-end tests: pexpect runs `crisis`, pyte emulates the
terminal, and tests read the rows a person would see (not the raw stream)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
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
        self._sent = 0.0  # time.monotonic() of the last keys sent
        # when a wait last found what it waited for: a prompt seen was drawn after the one
        # before it closed, so an Enter paced from here is never "too soon" for it
        self._seen = 0.0
        self._last = ""

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
        also: tuple[str, ...] = (),
        flat: bool = False,
    ) -> str:
        """Wait until ``pattern`` and each of ``also`` are on the screen (and ``gone`` is
        not); returns the screen (``flat``: search, and return, the rows run together).

        Nothing is taken as drawn because the terminal went quiet for a moment: under load
        a redraw can pause anywhere. A test that reads more than its pattern off the
        returned screen names that too (``also``): a prompt's question, its choices and
        the hints and status line under it can arrive in separate writes. What a process
        printed as it exited counts: the text and the end may come in one read."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            self.pump()
            while self.pump(0):  # what has arrived already, without waiting for more
                pass
            shown = self.flat if flat else self.text
            if self._shows(shown, pattern, gone, also):
                self._seen = time.monotonic()
                return shown
            if not self.child.isalive():
                while self.pump(0.05):  # the last words of a process that ended
                    pass
                shown = self.flat if flat else self.text
                if self._shows(shown, pattern, gone, also):
                    self._seen = time.monotonic()
                    return shown
                raise AssertionError(f"{pattern!r} not on screen; crisis exited:\n{shown}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} not on screen:\n{shown}")

    @staticmethod
    def _shows(shown: str, pattern: str, gone: str | None, also: tuple[str, ...]) -> bool:
        if gone and re.search(gone, shown):
            return False
        return all(re.search(p, shown) for p in (pattern, *also))

    def wait_until(
        self, check: Callable[[str], bool], what: str, timeout: float | None = None
    ) -> str:
        """Wait until ``check(screen)`` holds — a change that has no fixed text, such as
        a clock that moved; ``what`` says what was awaited if it never comes."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            self.pump()
            while self.pump(0):
                pass
            if check(self.text):
                self._seen = time.monotonic()
                return self.text
            if time.monotonic() > deadline or not self.child.isalive():
                raise AssertionError(f"{what}: not on screen:\n{self.text}")

    def send(self, keys: str) -> None:
        """Type ``keys``; an Enter goes no sooner than GUARD after the keys before it: a
        menu ignores an Enter that comes right after the last prompt closed (issue 22)."""
        if "\r" in keys:
            # after an Esc, prompt_toolkit first waits to see whether a key follows it
            after = GUARD + (ESC_WAIT if self._last.endswith("\x1b") else 0.0)
            time.sleep(max(0.0, max(self._sent, self._seen) + after - time.monotonic()))
        self.child.send(keys)
        self._sent = time.monotonic()
        self._last = keys

    def choose(self, label: str, timeout: float | None = None) -> None:
        """Pick the menu entry that starts with ``label``: wait until the menu shows it, move
        the pointer (``»``) there and press Enter — by what the entry says, not by where it
        stands, so a menu that gains an entry does not send a test somewhere else."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            self.pump()
            moves = _moves_to(list(self.screen.display), label)
            if moves is not None:
                self._seen = time.monotonic()
                break
            if time.monotonic() > deadline or not self.child.isalive():
                raise AssertionError(f"no menu entry {label!r} on screen:\n{self.text}")
        self.send((DOWN if moves > 0 else UP) * abs(moves) + ENTER)

    def settle(self, seconds: float = 0.5) -> str:
        """Read for ``seconds`` (a fixed wait: kept for tests/e2e/test_issue22.py only;
        prefer ``wait_for``/``wait_until`` on what the screen should show)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.pump(0.05)
        return self.text

    def wait_exit(self, timeout: float | None = None) -> bool:
        """Read until the process has ended and all it wrote is on the screen (the last
        bytes can still be in the terminal after it exits); False: still running."""
        if self.child.closed:  # closed already (a test may close twice): nothing to read
            return True
        deadline = time.monotonic() + (timeout or self.timeout)
        while self.child.isalive() and time.monotonic() < deadline:
            self.pump()
        while self.pump(0.05):
            pass
        return not self.child.isalive()

    def close(self) -> int:
        self.wait_exit()
        self.child.close(force=True)
        return int(self.child.exitstatus if self.child.exitstatus is not None else 128)


DOWN, UP, ENTER = "\x1b[B", "\x1b[A", "\r"
GUARD = 0.6  # crisiscli.ui.widgets.GUARD_SECONDS, and a little more
ESC_WAIT = 0.9  # prompt_toolkit's wait after a lone Esc (ttimeoutlen 0.5), and some more


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
