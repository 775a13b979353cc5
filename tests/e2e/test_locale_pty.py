"""Issue 26 finding 4, in a real terminal: `crisis start` under LC_ALL=C PYTHONUTF8=0 with an
accented, emoji-bearing title typed at the prompt opens the incident with that title."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.e2e.driver import CTRL_C, Session
from tests.e2e.test_walkthrough import SEVERITIES, labels

pytestmark = pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")

TITLE = "Café — incendie 🔥"


def test_an_interactive_start_in_the_c_locale_keeps_what_was_typed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    s = Session(home, "start", "general", LC_ALL="C", PYTHONUTF8="0", CRISIS_USER="Zoé")
    s.text_answer("In one line, what happened?", TITLE)
    s.select("How severe is it?", SEVERITIES, SEVERITIES[2], start=1)
    s.text_answer("Which brand or account is this about?", "Acmé Café")
    s.select("Where did it start?", labels("platform"), "Bluesky")
    s.select("What kind of incident is it?", labels("source"), labels("source")[0])
    s.expect(r"Take a breath, then look")
    s.expect(r"Find out who posted it")
    s.send(CTRL_C)
    assert s.finish() == 130
    (folder,) = (home / "incidents").iterdir()
    events = [json.loads(line) for line in (folder / "journal.jsonl").read_text("utf-8").splitlines()]  # fmt: skip
    opened = events[0]
    assert opened["data"]["title"] == TITLE and opened["actor"] == "Zoé"
    assert {"input": "brand", "value": "Acmé Café"} in [e["data"] for e in events if e["type"] == "input.set"]  # fmt: skip
    assert "Traceback" not in s.text and "internal error" not in s.text
