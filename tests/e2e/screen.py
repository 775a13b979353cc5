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

    def pump(self, wait: float = 0.1) -> None:
        try:
            chunk = self.child.read_nonblocking(65536, timeout=wait)
        except (pexpect.TIMEOUT, pexpect.EOF):
            return
        self.raw += chunk
        self.bells += chunk.count("\a")
        self.stream.feed(chunk)

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
        """Wait until ``pattern`` is on the screen (and ``gone`` is not); returns the screen
        (``flat``: search, and return, the rows run together)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            self.pump()
            shown = self.flat if flat else self.text
            if re.search(pattern, shown) and not (gone and re.search(gone, shown)):
                return shown
            if time.monotonic() > deadline or not self.child.isalive():
                raise AssertionError(f"{pattern!r} not on screen:\n{shown}")

    def settle(self, seconds: float = 0.5) -> str:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.pump(0.05)
        return self.text

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def close(self) -> int:
        deadline = time.monotonic() + self.timeout
        while self.child.isalive() and time.monotonic() < deadline:
            self.pump()
        self.child.close(force=True)
        return int(self.child.exitstatus if self.child.exitstatus is not None else 128)
