"""Drive the real `crisis` in a pseudo-terminal and read the screen like a person would.

The raw output is full of cursor movement and colour codes; ``Session`` strips them and
matches regular expressions against the plain text that accumulates, from a cursor that
moves past every match, so a test waits for what appears *next* and never for an escape
sequence. Keys are sent only after the prompt that will read them is on screen.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pexpect

from tests.conftest import crisis_command, subprocess_env

# CSI sequences, OSC strings, and two-character escapes (ESC 7, ESC =, …).
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_=>78]")

DOWN = "\x1b[B"
UP = "\x1b[A"
ENTER = "\r"
SPACE = " "
SAVE = "\x1b\r"  # Esc then Enter: accept a multi-line text
CTRL_C = "\x03"
GUARD = 0.6  # crisiscli.ui.widgets.GUARD_SECONDS, and a little more
ESC_WAIT = 0.9  # prompt_toolkit's wait after a lone Esc (ttimeoutlen 0.5), and some more


def wrapped(text: str) -> str:
    """A regex for ``text`` that still matches where it was wrapped (by the terminal, in a
    word, or by the prompt, at a space)."""
    return "\n?".join(r"\s+" if ch == " " else re.escape(ch) for ch in text)


def plain(raw: str) -> str:
    return _ANSI.sub("", raw).replace("\r", "")


class Session:
    def __init__(self, home: Path, *args: str, timeout: float = 10.0, **env: str) -> None:
        cmd = crisis_command()
        self.child = pexpect.spawn(
            cmd[0],
            [*cmd[1:], *args],
            env=subprocess_env(home, **{"VISUAL": "", "EDITOR": "", **env}),
            dimensions=(40, 100),
            encoding="utf-8",
            codec_errors="replace",
            timeout=timeout,
        )
        self.timeout = timeout
        self.raw = ""
        self._plain = ""  # plain() of self.raw[: self._done]
        self._done = 0
        self.cursor = 0  # in self.text
        self._sent = 0.0  # time.monotonic() of the last keys sent
        # when an expect last matched: a prompt seen was drawn after the one before it
        # closed, so an Enter paced from here is never "too soon" under any load
        self._seen = 0.0
        self._last = ""

    # -- reading ---------------------------------------------------------------------------

    def _pump(self, wait: float) -> bool:
        try:
            self.raw += self.child.read_nonblocking(65536, timeout=wait)
            return True
        except pexpect.TIMEOUT:
            return False
        except pexpect.EOF:
            return False

    @property
    def text(self) -> str:
        """Everything shown so far, without escape sequences."""
        # Convert only what is new; hold back a possibly unfinished escape sequence.
        end = len(self.raw)
        last_escape = self.raw.rfind("\x1b", self._done)
        if last_escape != -1 and not _ANSI.match(self.raw, last_escape):
            end = last_escape  # not a complete sequence yet
        self._plain += plain(self.raw[self._done : end])
        self._done = end
        return self._plain

    def expect(self, pattern: str, timeout: float | None = None) -> re.Match[str]:
        """Wait until ``pattern`` (a regex) appears after the last match; move past it."""
        deadline = time.monotonic() + (timeout or self.timeout)
        regex = re.compile(pattern)
        while True:
            shown = self.text
            found = regex.search(shown, self.cursor)
            if found:
                self.cursor = found.end()
                self._seen = time.monotonic()
                return found
            if not self.child.isalive() and not self._pump(0.05):
                raise AssertionError(
                    f"crisis exited before showing {pattern!r}; last screen:\n{shown[-2500:]}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out waiting for {pattern!r}; last screen:\n{shown[-2500:]}"
                )
            self._pump(0.1)

    def since(self, start: int) -> str:
        return self.text[start : self.cursor]

    # -- typing ----------------------------------------------------------------------------

    def send(self, keys: str) -> None:
        """Type ``keys``; an Enter goes no sooner than GUARD after the keys before it: a
        menu ignores an Enter that comes right after the last prompt closed (issue 22)."""
        if ENTER in keys:
            # after an Esc, prompt_toolkit first waits to see whether a key follows it
            after = GUARD + (ESC_WAIT if self._last.endswith("\x1b") else 0.0)
            time.sleep(max(0.0, max(self._sent, self._seen) + after - time.monotonic()))
        self.child.send(keys)
        self._sent = time.monotonic()
        self._last = keys

    def type_line(self, text: str) -> None:
        self.send(text + ENTER)

    # -- prompts, waiting for each before typing (keys typed earlier are dropped) ----------

    def text_answer(self, prompt: str, answer: str) -> None:
        self.expect(re.escape(prompt))
        self.type_line(answer)
        self.expect(
            re.escape(prompt) + r".*" + re.escape(answer.splitlines()[-1] if answer else "")
        )

    def promise(self, answer: str | None) -> None:
        """The composer's "Next update promised by?": None keeps the suggestion (Enter),
        "" clears it (no promise), anything else replaces it."""
        self.expect(r"Next update promised by\?")
        if answer is None:
            self.send(ENTER)
            return
        self.send("\x15" + answer + ENTER)  # Ctrl-U: the line emptied first

    def select(self, prompt: str, labels: list[str], pick: str, start: int = 0) -> None:
        """Answer a single-choice prompt whose choices are ``labels`` (in order)."""
        self.expect(re.escape(prompt))
        self.expect(re.escape(labels[-1][:40]))
        moves = labels.index(pick) - start
        self.send((DOWN if moves >= 0 else UP) * abs(moves) + ENTER)
        # The answered line; a long question wraps, so the pick may be on the next line.
        self.expect(re.escape(prompt) + r"[^\n»]*\n?[^\n»]*?" + wrapped(pick[:40]))

    def checklist(self, labels: list[str], tick: list[int]) -> None:
        """Tick the items at the given 0-based positions of a checkbox prompt, then confirm."""
        self.expect(r"Tick what is done")
        self.expect(re.escape(labels[-1][:40]))
        keys = ""
        for index in range(len(labels)):
            if index in tick:
                keys += SPACE
            keys += DOWN
        self.send(keys + ENTER)  # what comes next is waited for by the next expect

    def confirm(self, prompt: str, yes: bool) -> None:
        self.expect(re.escape(prompt))
        self.expect(f"(?:{wrapped('(Y/n)')}|{wrapped('(y/N)')})")
        self.send(("y" if yes else "n") + ENTER)  # a letter alone answers nothing
        self.expect(re.escape(prompt) + r"[^\n]*\n?[^\n]*?" + wrapped("Yes" if yes else "No"))

    def menu(self, label: str) -> str:
        """Pick an entry of the step's action menu by its label; returns the menu's text."""
        self.expect(r"What now\?")
        start = self.cursor
        self.expect(r"Pause — resume later")
        shown = self.text[start : self.cursor]
        from crisiscli.i18n import Catalogue
        from crisiscli.ui.prompts import ACTION_LABELS

        # the final round's Defer says the step stays open (ui/prompts.action_key)
        labels = [*ACTION_LABELS.values(), Catalogue("en").t("action.defer_open")]
        present = [text for text in labels if text in shown]
        present.sort(key=shown.index)
        self.send(DOWN * present.index(label) + ENTER)
        self.expect(r"What now\?\s*" + re.escape(label[:30]))
        return shown

    def message(self, text: str | None) -> None:
        """The composer: type ``text`` over the draft, or keep the draft (None)."""
        choices = ["Edit it here", "Use it as it is"]
        self.select("The message:", choices, choices[1] if text is None else choices[0])
        if text is not None:
            self.expect(r"Message")
            self.expect(r"saves")  # the hint under the text: the prompt is live
            self.send("\x15" + text + SAVE)  # Ctrl-U clears the draft's line

    def review(self, pick: str, *, errors: bool = False) -> None:
        """Answer the composer's "Now?" after the checks (``errors``: the checks failed)."""
        labels = (
            [
                "Edit it again",
                "Keep it as a draft — the step cannot be done until it is fixed",
                "Publish it anyway — record an override with a reason",
            ]
            if errors
            else ["Use this message", "Edit it again"]
        )
        self.select("Now?", labels, pick)

    def finish(self, timeout: float | None = None) -> int:
        """Wait for the process to end; its exit status (or 128+signal)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while self.child.isalive() and time.monotonic() < deadline:
            self._pump(0.1)
        while self._pump(0.05):
            pass
        self.child.close()
        if self.child.signalstatus is not None:
            return 128 + int(self.child.signalstatus)
        return int(self.child.exitstatus or 0)


def guarded(child: pexpect.spawn) -> pexpect.spawn:  # type: ignore[type-arg]
    """``child.send`` as a person types: an Enter no sooner than GUARD after the keys before
    it, or after the last ``expect`` found what it waited for (ESC_WAIT more after an Esc) —
    a menu ignores an Enter that comes right after the last prompt closed (issue 22). A
    prompt found was drawn after the one before it closed, however loaded the machine."""
    send, expect, expect_exact = child.send, child.expect, child.expect_exact
    last = {"at": 0.0, "seen": 0.0, "keys": ""}

    def paced(keys: str) -> int:
        if "\r" in keys:
            after = GUARD + (ESC_WAIT if last["keys"].endswith("\x1b") else 0.0)
            time.sleep(max(0.0, max(last["at"], last["seen"]) + after - time.monotonic()))
        sent = int(send(keys))
        last["at"], last["keys"] = time.monotonic(), keys
        return sent

    def seen(wait: Any) -> Any:
        def waited(*args: Any, **kwargs: Any) -> Any:
            found = wait(*args, **kwargs)
            last["seen"] = time.monotonic()
            return found

        return waited

    child.send = paced  # type: ignore[method-assign]
    child.expect = seen(expect)  # type: ignore[method-assign]
    child.expect_exact = seen(expect_exact)  # type: ignore[method-assign]
    return child
