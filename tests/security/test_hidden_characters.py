"""Bidi overrides, zero-width characters and terminal escapes in what people type are kept
exact in the journal and made visible in every output a person reads — on screen, in the
log, in reports (also printed to a terminal as HTML or JSON), in status, handoff and lists."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from crisiscli.record.events import NewEvent
from crisiscli.record.store import find_incident
from crisiscli.text import json_dumps, visible, visible_line
from crisiscli.ui.screens import show_step
from crisiscli.walk.engine import Walkthrough
from tests.conftest import make_env
from tests.helpers import open_incident

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
PDF = "\u202c"  # POP DIRECTIONAL FORMATTING
HIDDEN = {
    "\u202e": "<U+202E>", "\u202d": "<U+202D>", "\u2066": "<U+2066>", "\u2069": "<U+2069>",
    "\u200e": "<U+200E>", "\u200f": "<U+200F>", "\u061c": "<U+061C>", "\u200b": "<U+200B>",
    "\u2060": "<U+2060>", "\ufeff": "<U+FEFF>", "\U000e0041": "<U+E0041>",
}  # fmt: skip
TROJAN = f"Refund approved{RLO} 0001$ :tnuoma{PDF} ok"
ZERO_WIDTH = "#Brand\u200bCare by @a\u2060cme\ufeff"
OSC = "\x1b]0;pwned\x07 and \x9b2J"
NOTE = f"{TROJAN} | {ZERO_WIDTH} | {OSC} | tag\U000e0041 | \u2066iso\u2069 \u200e\u200f\u061c"
RAW = [*HIDDEN, "\x1b", "\x07", "\x9b", "\u202c"]


def test_visible_marks_each_kind() -> None:
    for char, shown in HIDDEN.items():
        assert visible(f"a{char}b") == f"a{shown}b"
    assert visible("\x1b[31m") == "\\x1b[31m"
    assert visible_line("a\nb\tc") == "a\\x0ab\\x09c"
    # part of the writing: emoji sequences, Persian, subdivision flags
    for kept in ("👩\u200d💻", "می\u200cخواهم", "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"):  # fmt: skip
        assert visible(kept) == kept
    assert visible("a\u200db") == "a<U+200D>b"  # between ASCII letters it hides something
    data = {"t": NOTE}
    assert json.loads(json_dumps(data)) == data
    for raw in RAW:
        assert raw not in json_dumps(data)


@pytest.fixture
def tricky(crisis_home: Path):  # type: ignore[no-untyped-def]
    incident = open_incident(make_env(crisis_home), title=f"Title {RLO}gpj.exe {ZERO_WIDTH}")
    incident.record(NewEvent("input.set", {"input": "brand", "value": TROJAN}))
    incident.record(NewEvent("input.set", {"input": "source", "value": "ours"}))
    incident.record(NewEvent("step.entered", {"step": "look", "via": "next"}))
    find_incident(make_env(crisis_home, actor=f"mal{RLO}lory"), incident.id).record(
        NewEvent("note.added", {"text": NOTE})
    )
    incident.record(NewEvent("note.added", {"text": NOTE, "step": "look"}))
    return incident


def test_the_journal_keeps_the_text_exact(tricky) -> None:  # type: ignore[no-untyped-def]
    assert [n.text for n in tricky.state().notes] == [NOTE, NOTE]
    assert tricky.state().title == f"Title {RLO}gpj.exe {ZERO_WIDTH}"


OUTPUTS = [
    ("status",), ("status", "--json"), ("list",), ("list", "--json"), ("log",),
    ("report",), ("report", "--format", "html"), ("report", "--format", "json"),
    ("handoff",), ("handoff", "--json"), ("role", "list"), ("role", "list", "--json"),
    ("contact", "list"), ("stats",), ("stats", "--json"),
]  # fmt: skip


@pytest.mark.parametrize("args", OUTPUTS, ids=" ".join)
def test_no_output_carries_a_hidden_character(tricky, cli, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    result = cli(*args)
    assert result.exit_code == 0, (args, result.stderr)
    found = [repr(raw) for raw in RAW if raw in result.stdout + result.stderr]
    assert not found, (args, found)
    if "--json" in args or "json" in args:
        json.loads(result.stdout)  # still JSON, the value escaped, not changed


@pytest.mark.parametrize("args", [("status",), ("log",), ("report",), ("report", "--format", "html"), ("handoff",)], ids=" ".join)  # fmt: skip
def test_the_marks_are_shown(tricky, cli, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    out = cli(*args).stdout.replace("\\", "")  # markdown escapes the brackets and the plus
    assert "<U+202E>" in out or "&lt;U+202E&gt;" in out
    assert "U+200B" in out


def test_the_report_printed_to_a_terminal_changes_no_title(tricky, cli) -> None:  # type: ignore[no-untyped-def]
    for fmt in ("md", "html", "json"):
        out = cli("report", "--format", fmt).stdout
        assert "\x1b]0;" not in out and "\x07" not in out and "\x9b" not in out, fmt
    html = cli("report", "--format", "html").stdout
    assert "\\x1b]0;pwned\\x07" in html
    data = json.loads(cli("report", "--format", "json").stdout)

    def strings(value: object) -> list[str]:
        if isinstance(value, str):
            return [value]
        items = (
            value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
        )
        return [s for item in items for s in strings(item)]

    assert NOTE in strings(data)  # the JSON value is exact, only its spelling escaped


def test_the_step_screen_marks_them(tricky) -> None:  # type: ignore[no-untyped-def]
    walk = Walkthrough(tricky, prompter=None)  # type: ignore[arg-type]
    view = walk.view(tricky.playbook().step("look"))
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system="truecolor", width=200)
    show_step(console, view, clear=False)
    screen = out.getvalue()
    for raw in RAW:
        if raw != "\x1b":  # Rich styles with escapes of its own on a real terminal
            assert raw not in screen, repr(raw)
    assert "\x1b]0;pwned" not in screen and "\\x1b]0;pwned\\x07" in screen
    assert "<U+202E>" in screen and "<U+200B>" in screen
