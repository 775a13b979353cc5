"""Hostile input: markup, escapes and markdown are shown and logged literally; titles
cannot become paths out of CRISIS_HOME; bad playbook files are one-line errors."""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

import pytest
from rich.console import Console

from crisiscli.playbook.load import load_playbook
from crisiscli.record.events import NewEvent
from crisiscli.record.store import create_incident, find_incident
from crisiscli.ui.screens import show_step
from crisiscli.walk.engine import Walkthrough
from tests.conftest import REPO, FrozenClock, crisis_command, make_env, subprocess_env
from tests.helpers import FIXTURES, assert_renders_literally, render_markdown

MARKUP = "[bold red]Alarm[/bold red] [link=http://evil.example]click[/link]"
ESCAPES = "Title\x1b]0;pwned\x07 \x1b[2Jcleared\x1b[31m"
MARKDOWN = "**not bold** _not italic_ # not a heading <script>x</script> [a](http://evil.example)"


def hostile_incident(crisis_home: Path):  # type: ignore[no-untyped-def]
    env = make_env(crisis_home, clock=FrozenClock())
    book = load_playbook(FIXTURES / "mini.yaml")
    incident = create_incident(env, book, title=f"{MARKUP} {ESCAPES}", severity="moderate")
    incident.record(NewEvent("input.set", {"input": "brand", "value": MARKDOWN}))
    incident.record(NewEvent("input.set", {"input": "source", "value": "ours"}))
    incident.record(NewEvent("step.entered", {"step": "look", "via": "next"}))
    other = find_incident(make_env(crisis_home, clock=FrozenClock(), actor=f"mallory {MARKUP}"), incident.id)  # fmt: skip
    for text in (MARKUP, ESCAPES, MARKDOWN):
        other.record(NewEvent("note.added", {"text": text}))
    return incident


def render_screen(crisis_home: Path) -> tuple[str, str]:
    incident = hostile_incident(crisis_home)
    walk = Walkthrough(incident, prompter=None)  # type: ignore[arg-type]
    view = walk.view(walk.playbook.step("look"))
    raw = io.StringIO()
    console = Console(file=raw, record=True, width=200, force_terminal=True, color_system="truecolor")  # fmt: skip
    show_step(console, view, clear=False)
    return console.export_text(), raw.getvalue()


def test_markup_and_escapes_are_shown_literally_on_screen(crisis_home: Path) -> None:
    text, raw = render_screen(crisis_home)
    # The title in the header and the notes from another responder, exactly as typed:
    assert text.count("[bold red]Alarm[/bold red]") >= 2
    assert "[link=http://evil.example]click[/link]" in text
    assert "mallory [bold red]Alarm[/bold red]" in text
    # Control characters are made visible, never sent to the terminal.
    assert "Title\\x1b]0;pwned\\x07" in text and "\\x1b[2Jcleared" in text
    assert "\x1b]0;pwned" not in raw and "\x07" not in raw and "\x1b[2J" not in raw
    assert "\x1b]8;" not in raw  # no terminal hyperlink was made from the markup


def test_markdown_in_values_is_shown_literally_in_guidance(crisis_home: Path) -> None:
    text, _raw = render_screen(crisis_home)
    # guidance is "Check what **{{ brand }}** posted.": the playbook's bold is rendered,
    # the brand's own asterisks and brackets are shown as typed.
    assert "**not bold** _not italic_ # not a heading <script>x</script>" in text
    assert "[a](http://evil.example)" in text
    # the playbook's own ** around the value are rendered as bold, not shown:
    assert "Check what **not bold** _not italic_" in text and "****" not in text


def test_markup_escapes_and_markdown_are_logged_literally(crisis_home: Path) -> None:
    incident = hostile_incident(crisis_home)
    log = incident.log_path.read_text(encoding="utf-8")
    assert "\x1b" not in log and "\x07" not in log
    title_line = log.splitlines()[0]
    assert title_line.startswith("# ")
    # What a markdown reader shows (CommonMark): each text exactly as typed, controls visible.
    assert_renders_literally(title_line, MARKUP)
    assert_renders_literally(log, f"Note: {MARKDOWN}")
    assert_renders_literally(log, f"Note: {ESCAPES}")
    assert_renders_literally(log, f"mallory {MARKUP}")  # the actor, too
    assert "<script>" not in render_markdown(log)
    # The journal keeps the exact text.
    notes = [json.loads(line)["data"]["text"] for line in (incident.dir / "journal.jsonl").read_text().splitlines() if '"note.added"' in line]  # fmt: skip
    assert notes == [MARKUP, ESCAPES, MARKDOWN]


@pytest.mark.parametrize(
    "title",
    ["../../etc", "../../../../../../tmp/x", "/etc/passwd", "..", ".", "~/.ssh", "a/../../b",
     "C:\\Windows\\System32", "\x00nul", "日本語のタイトル", "", "   ", "-rf --no-preserve-root"],
)  # fmt: skip
def test_a_title_cannot_leave_crisis_home(cli, tmp_path: Path, crisis_home: Path, title: str) -> None:  # fmt: skip
    answers = tmp_path / "a.yaml"
    answers.write_text("inputs: {brand: A, source: ours}\ndefault: pause\n", encoding="utf-8")
    result = cli("start", str(FIXTURES / "mini.yaml"), "--title", title, "--answers", str(answers))
    assert result.exit_code == 0, result
    assert "Traceback" not in result.stderr
    incidents = (crisis_home / "incidents").resolve()
    (folder,) = incidents.iterdir()
    assert folder.resolve().parent == incidents
    assert re.fullmatch(r"\d{4}-\d\d-\d\d-\d{4}-[a-z0-9-]+", folder.name)
    everything = [p.resolve() for p in tmp_path.rglob("*")]
    outside = [p for p in everything if not p.is_relative_to(crisis_home.resolve()) and p != answers.resolve()]  # fmt: skip
    assert outside == [], outside


def test_incident_refs_cannot_walk_out(cli) -> None:
    for ref in ["../..", "../../etc", "/etc", "a/b"]:
        result = cli("log", ref)
        assert result.exit_code in (2, 4) and "Traceback" not in result.stderr


BAD_PLAYBOOKS = {
    "python-tag.yaml": (b"crisis: 1\nid: !!python/object/apply:os.system ['echo pwned']\n", r":2:5: unsupported YAML tag !!python/object/apply:os\.system"),
    "python-name.yaml": (b"crisis: 1\ntitle: !!python/name:os.system\n", r":2:8: unsupported YAML tag !!python/name:os\.system"),
    "latin1.yaml": (b"crisis: 1\nid: demo\ntitle: Caf\xe9 incident\n", r":3:11: not valid UTF-8 \(byte 0xe9\)"),
    "empty.yaml": (b"", r":1:1: the file is empty"),
    "list.yaml": (b"- id: demo\n- title: Demo\n", r":1:1: expected a playbook \(a mapping with id, title and phases\), found a list"),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(BAD_PLAYBOOKS))
def test_bad_playbook_files_are_one_line_errors_and_create_nothing(tmp_path: Path, name: str) -> None:  # fmt: skip
    content, expected = BAD_PLAYBOOKS[name]
    playbook = tmp_path / name
    playbook.write_bytes(content)
    answers = tmp_path / "answers.yaml"
    answers.write_text("default: done\n", encoding="utf-8")
    home = tmp_path / "home"
    marker = tmp_path / "pwned"
    for args in (["start", str(playbook), "--answers", str(answers)], ["show", str(playbook)]):
        done = subprocess.run(
            [*crisis_command(), *args], env=subprocess_env(home), cwd=tmp_path,
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 3, done
        assert "Traceback" not in done.stderr and "pwned" not in done.stdout
        first, *rest = done.stderr.splitlines()
        assert re.fullmatch(rf"crisis: error: {re.escape(str(playbook))}{expected}.*", first), first
        assert all(line.startswith("  hint: ") for line in rest)
    assert not home.exists() or not any(home.rglob("*"))  # nothing created
    assert not marker.exists()


def test_bundled_playbook_is_untouched_by_a_hostile_title(cli, tmp_path: Path) -> None:
    before = (REPO / "playbooks" / "general.yaml").read_bytes()
    answers = tmp_path / "a.yaml"
    answers.write_text("inputs: {brand: A, platform: x, source: ours}\ndefault: pause\n", encoding="utf-8")  # fmt: skip
    assert cli("start", "general", "--title", "../../playbooks/general", "--answers", str(answers)).exit_code == 0  # fmt: skip
    assert (REPO / "playbooks" / "general.yaml").read_bytes() == before
