"""Issue 22: random keys with random gaps over the note and the composer never lose a typed
character that no confirmed choice discarded.

Hypothesis draws what a hurried person does — words, Esc, Enter — and the pauses between
them (none, a hesitation, seconds). A small model says where every word must end up: in
a recorded note or message, or in the draft kept for the next time. The real `crisis`
runs in a pseudo-terminal; the journal is compared with the model at the end. Gaps never
change the outcome (no prompt_toolkit timeout decides), so the model has no clock."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.screen import Screen
from tests.e2e.test_findings import answer_look, of_type, start

pytestmark = pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")
ESC, ENTER = "\x1b", "\r"
MENU = r"\? What now\?\s*\n» Mark this step done"
WORDS = ["press", "legal", "kim", "wait", "statement", "now", "ok"]
# no pause, a quick one, a hesitation, a stressed pause
GAPS = st.sampled_from([0.0, 0.2, 0.6, 1.5, 3.0])
ACTIONS = st.lists(
    st.tuples(st.one_of(st.sampled_from(WORDS), st.just("<esc>"), st.just("<enter>")), GAPS),
    min_size=1,
    max_size=7,
)


@dataclass
class Model:
    """Where the words must be: saved texts, the kept draft, the text being edited."""

    multiline: bool
    saved: list[str] = field(default_factory=list)
    draft: str | None = None
    buffer: str = ""
    prefill: str = ""
    armed: bool = False
    open: bool = False

    def opened(self, prefill: str) -> None:
        self.prefill = self.buffer = prefill
        self.armed, self.open = False, True

    def key(self, action: str) -> str:
        """Apply ``action``; what happens: typing, armed, saved, kept, back."""
        if action == "<esc>":
            if self.buffer == self.prefill:
                self.open = False
                return "back"
            if self.armed:
                self.draft = self.buffer if self.buffer.strip() else None
                self.open = False
                return "kept"
            self.armed = True
            return "armed"
        if action == "<enter>":
            if self.multiline and not self.armed:
                self.buffer += "\n"
                return "typing"
            if self.buffer.strip():
                self.saved.append(self.buffer)
                self.draft = None
            self.open = False
            return "saved"
        self.buffer += action + " "
        self.armed = False
        return "typing"


def send_all(s: Screen, model: Model, actions: list[tuple[str, float]], reopen) -> None:  # type: ignore[no-untyped-def]
    previous = ""
    for action, gap in actions:
        if not model.open:
            if model.multiline and model.saved:
                return  # the message was saved: the composer is over
            reopen(s, model)
        if previous == "<esc>" and action not in ("<esc>", "<enter>"):
            gap = max(gap, 0.8)  # Esc and a letter at once is Alt-letter, an editing key
        time.sleep(gap)
        keys = {"<esc>": ESC, "<enter>": ENTER}.get(action, action + " ")
        s.child.send(keys)
        s._sent, s._last = time.monotonic(), keys
        outcome = model.key(action)
        previous = action
        if outcome in ("back", "kept") or (outcome == "saved" and not model.multiline):
            s.wait_for(MENU)
        elif outcome == "saved":
            s.wait_for(r"\? Now\?")
    if model.open:
        s.wait_for(r"Enter saves")


def fresh_home() -> Path:
    return Path(tempfile.mkdtemp(prefix="walk-nolost-")) / "home"


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(actions=ACTIONS)
def test_random_keys_at_the_note_lose_no_word(actions: list[tuple[str, float]]) -> None:
    home = fresh_home()
    model = Model(multiline=False)

    def reopen(s: Screen, m: Model) -> None:
        s.choose("Add a note")
        s.wait_for(r"\? Note[\s\S]*Enter saves")
        m.opened(m.draft or "")

    s = start(home, (80, 24))
    try:
        answer_look(s)
        send_all(s, model, actions, reopen)
    finally:
        s.send("\x03")
        s.close()
    try:
        assert [d["text"] for d in of_type(home, "note.added")] == model.saved
        if model.open and model.buffer != model.prefill and model.buffer.strip():
            model.draft = model.buffer  # Ctrl-C with words typed keeps them
        assert kept_draft(home, "note") == model.draft
    finally:
        shutil.rmtree(home.parent, ignore_errors=True)


TEMPLATE = "We are looking into it now and will post an update here within the hour."


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(actions=ACTIONS)
def test_random_keys_at_the_composer_lose_no_word(actions: list[tuple[str, float]]) -> None:
    home = fresh_home()
    model = Model(multiline=True)

    def reopen(s: Screen, m: Model) -> None:
        if m.draft is not None or m.prefill:  # back at the step menu
            s.choose("Edit the message")
        s.wait_for(r"\? The message:\s*\n» Edit it here")
        s.send(ENTER)
        s.wait_for(r"\? Message[\s\S]*Esc then Enter saves")
        m.opened(m.draft or TEMPLATE)

    s = start(home, (80, 24))
    try:
        answer_look(s)
        s.send(ENTER)
        for item in ("Check that nobody is in danger", "Tell legal what happened"):
            s.wait_for(rf"\? {item}\s*\n» Done")
            s.send(ENTER)
        s.wait_for(MENU)
        s.send(ENTER)
        send_all(s, model, actions, reopen)
    finally:
        s.send("\x03")
        s.close()
    try:
        assert [d["text"] for d in of_type(home, "message.recorded")] == model.saved
        if model.open and model.buffer != model.prefill and model.buffer.strip():
            model.draft = model.buffer
        assert kept_draft(home, "message") == (None if model.saved else model.draft)
    finally:
        shutil.rmtree(home.parent, ignore_errors=True)


def kept_draft(home: Path, field_name: str) -> str | None:
    """The draft the journal keeps for this field now (the fold's rule, read plainly)."""
    from tests.e2e.test_findings import journal

    kept: str | None = None
    for event in journal(home):
        data = event["data"]
        if event["type"] == "draft.kept" and data["field"] == field_name:
            kept = data["text"]
        elif event["type"] == "draft.dropped" and data["field"] == field_name:
            kept = None
    return kept
