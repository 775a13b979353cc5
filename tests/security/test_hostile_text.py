"""Hostile playbook and user text is shown literally or refused, never interpreted:
Rich markup, ANSI/OSC escapes (OSC 8 links, OSC 0 titles, BEL and ST terminators, C1
controls), HTML, Mermaid and Jinja syntax, path traversal, symlinks out of CRISIS_HOME and
huge inputs."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from rich.console import Console

from crisiscli.errors import CrisisError, PlaybookError
from crisiscli.playbook.load import build_text
from crisiscli.playbook.template import render
from crisiscli.record.events import NewEvent
from crisiscli.record.store import create_incident, find_incident, list_incidents
from crisiscli.ui.screens import show_step
from crisiscli.walk.engine import Walkthrough
from tests.conftest import make_env
from tests.helpers import assert_renders_literally, load_playbook_text, render_markdown

OSC8 = "\x1b]8;;https://evil.example/\x07click me\x1b]8;;\x07"
OSC8_ST = "\x1b]8;;https://evil.example/\x1b\\st link\x1b]8;;\x1b\\"
TITLE = "\x1b]0;pwned title\x07"
CSI = "\x1b[2J\x1b[31mred\x1b[0m"
C1 = "\x9b2J\x9d0;c1 title\x9c"
MARKUP = "[bold red]not bold[/bold red] [link=https://evil.example]x[/link]"
HTML = "<script>alert(1)</script><img src=x onerror=alert(2)>"
MERMAID = "```mermaid\ngraph TD; A-->B; click A href 'javascript:alert(1)'\n```"
JINJA = "{% for x in range(9) %}{{ x.__class__.__mro__ }}{% endfor %} {{ brand.__class__ }}"
EVERYTHING = " ".join([OSC8, OSC8_ST, TITLE, CSI, C1, MARKUP, HTML, JINJA])
RAW_CONTROLS = ("\x1b", "\x07", "\x9b", "\x9c", "\x9d")

PLAYBOOK = f"""
crisis: 1
id: hostile
title: {EVERYTHING!r}
description: {EVERYTHING!r}
inputs:
  - id: brand
    prompt: {EVERYTHING!r}
phases:
  - id: one
    title: {EVERYTHING!r}
    steps:
      - id: look
        title: {EVERYTHING!r}
        guidance: {(EVERYTHING + " [a link](https://evil.example) " + MERMAID)!r}
        items:
          - {EVERYTHING!r}
        questions:
          - id: reach
            prompt: {EVERYTHING!r}
            type: choice
            choices:
              - {{value: wide, label: {EVERYTHING!r}}}
        message:
          template: {("Hello {{ brand }} " + JINJA)!r}
"""


@pytest.fixture
def hostile(crisis_home: Path):  # type: ignore[no-untyped-def]
    env = make_env(crisis_home)
    book = load_playbook_text(PLAYBOOK, "hostile.yaml")
    incident = create_incident(env, book, title=EVERYTHING, severity="moderate")
    incident.record(NewEvent("input.set", {"input": "brand", "value": EVERYTHING}))
    incident.record(NewEvent("step.entered", {"step": "look", "via": "next"}))
    incident.record(NewEvent("answer.set", {"step": "look", "question": "reach", "value": "wide"}))
    incident.record(NewEvent("note.added", {"text": EVERYTHING + "\n" + MERMAID, "step": "look"}))
    env2 = make_env(crisis_home, actor="someone else " + TITLE)
    find_incident(env2, incident.id).record(NewEvent("note.added", {"text": EVERYTHING}))
    return incident


def _screen(incident, *, terminal: bool) -> str:  # type: ignore[no-untyped-def]
    walk = Walkthrough(incident, prompter=None)  # type: ignore[arg-type]
    view = walk.view(incident.playbook().step("look"))
    out = io.StringIO()
    console = Console(
        file=out,
        force_terminal=terminal,
        color_system="truecolor" if terminal else None,
        width=100,
        record=True,
        highlight=False,
        emoji=False,
    )
    show_step(console, view, clear=False)
    return out.getvalue()


def test_the_step_screen_shows_hostile_text_literally(hostile) -> None:  # type: ignore[no-untyped-def]
    plain = _screen(hostile, terminal=False)
    for control in RAW_CONTROLS:
        assert control not in plain
    assert "\\x1b]8;;https://evil.example/\\x07click me" in plain  # visible, not obeyed
    assert "[bold red]not bold[/bold red]" in plain  # markup printed, not applied
    assert "<script>alert(1)</script>" in plain  # a terminal shows HTML as text
    # On a real terminal Rich adds its own styling, but nothing of the user's reaches it.
    styled = _screen(hostile, terminal=True)
    assert "\x1b]8;" not in styled  # no hyperlinks (OSC 8), not even the guidance's link
    assert "\x1b]0;" not in styled and "\x07" not in styled  # no title change, no BEL
    assert "\x1b[2J" not in styled and "\x1b[31mred" not in styled
    for c1 in ("\x9b", "\x9c", "\x9d"):
        assert c1 not in styled


def test_the_log_escapes_hostile_text(hostile, cli) -> None:  # type: ignore[no-untyped-def]
    log = (hostile.dir / "log.md").read_text(encoding="utf-8")
    for control in RAW_CONTROLS:
        assert control not in log
    assert not re.search(r"(?<!\\)<(?!br>)", log)  # only the log's own <br>: HTML stays text
    assert "```mermaid" not in log  # a fence would start a diagram in some renderers
    html = render_markdown(log)
    assert "<script" not in html and "<img" not in html and "<pre" not in html
    for text in (MARKUP, HTML, JINJA):  # shown exactly as typed by a CommonMark reader
        assert_renders_literally(log, text)
    printed = cli("log", hostile.id)
    assert printed.exit_code == 0
    for control in RAW_CONTROLS:
        assert control not in printed.stdout


def test_plain_commands_print_hostile_text_visibly(hostile, cli) -> None:  # type: ignore[no-untyped-def]
    for args in (("status",), ("status", "--json"), ("list",), ("list", "--json")):
        shown = cli(*args)
        assert shown.exit_code == 0, (args, shown.stderr)
        for control in RAW_CONTROLS:
            assert control not in shown.stdout + shown.stderr, args


def test_templates_fill_names_once_and_evaluate_nothing() -> None:
    text, missing = render(JINJA + " {{ brand }}", {"brand": "{{ secret }}", "secret": "LEAK"})
    assert "{% for x in range(9) %}" in text  # Jinja blocks are plain text
    assert "{{ x.__class__.__mro__ }}" in text and "{{ brand.__class__ }}" in text
    assert text.endswith("{{ secret }}")  # a value is never rendered again
    assert "LEAK" not in text and "brand.__class__" in missing


def test_message_drafts_keep_hostile_values_literal(hostile) -> None:  # type: ignore[no-untyped-def]
    from crisiscli.walk.engine import template_values

    book = hostile.playbook()
    message = book.step("look").message
    assert message is not None
    draft, _ = render(message.template, template_values(book, hostile.state(), hostile.id))
    assert EVERYTHING in draft  # stored as typed: a message is the user's own words
    assert "{% for x in range(9) %}" in draft


# -- paths -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title", ["../../../etc/passwd", "/etc/passwd", "..", "a/../../b", "C:\\Windows\\x", "\x00", ""]
)
def test_titles_never_leave_the_incidents_folder(title: str, crisis_home: Path) -> None:
    env = make_env(crisis_home)
    book = load_playbook_text("crisis: 1\nid: p\ntitle: P\nphases: [{id: a, title: A, steps: [{id: s, title: S}]}]\n", "p.yaml")  # fmt: skip
    incident = create_incident(env, book, title=title, severity="moderate")
    assert incident.dir.resolve().parent == env.incidents_dir.resolve()
    assert incident.state().title == title  # the title itself is kept as typed


@pytest.mark.parametrize(
    "ref", ["../x", "../../etc", "/etc/passwd", "a/b", "..", ".hidden", "x\x1b]0;t\x07"]
)
def test_incident_references_are_not_paths(ref: str, cli, crisis_home: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers import open_incident

    open_incident(make_env(crisis_home))
    result = cli("note", "x", "--incident", ref)
    assert result.exit_code in (2, 4)
    assert result.stderr.startswith("crisis: error: ") and "\x1b" not in result.stderr


@pytest.mark.parametrize("bad", ["../../etc", "a/b", "UPPER", "..", "x" * 65, "é"])
def test_playbook_and_step_ids_cannot_be_paths(bad: str) -> None:
    text = f"crisis: 1\nid: {bad!r}\ntitle: T\nphases: [{{id: a, title: A, steps: [{{id: {bad!r}, title: S}}]}}]\n"
    result = build_text(text, "p.yaml")
    rules = {p.rule for p in result.errors}
    assert "bad-id" in rules


def test_symlinked_incident_pointing_outside_is_ignored(
    crisis_home: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers import open_incident

    outside_home = tmp_path / "elsewhere"
    victim = open_incident(make_env(outside_home), title="Outside")
    open_incident(make_env(crisis_home), title="Inside")
    link = crisis_home / "incidents" / "2099-01-01-0000-evil"
    link.symlink_to(victim.dir, target_is_directory=True)
    ids = [i.id for i in list_incidents(make_env(crisis_home))]
    assert link.name not in ids and len(ids) == 1
    before = (victim.dir / "journal.jsonl").read_bytes()
    result = cli("note", "x", "--incident", link.name)
    assert result.exit_code == 4
    assert (victim.dir / "journal.jsonl").read_bytes() == before


def test_log_symlink_is_replaced_not_followed(crisis_home: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers import open_incident

    incident = open_incident(make_env(crisis_home))
    target = tmp_path / "precious.txt"
    target.write_text("do not overwrite")
    incident.log_path.unlink()
    incident.log_path.symlink_to(target)
    assert cli("note", "a note", "--incident", incident.id).exit_code == 0
    assert target.read_text() == "do not overwrite"
    assert not incident.log_path.is_symlink()


def test_symlinked_playbook_is_still_only_safe_yaml(crisis_home: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    evil = tmp_path / "evil.yaml"
    flag = tmp_path / "flag"
    evil.write_text(f"!!python/object/apply:os.system ['touch {flag}']\n")
    (crisis_home / "playbooks").mkdir(parents=True)
    (crisis_home / "playbooks" / "evil.yaml").symlink_to(evil)
    listed = cli("playbooks")
    assert listed.exit_code == 0
    assert "does not load" in listed.stdout and "python/object" in listed.stdout
    started = cli("start", "evil", "--answers", str(evil))
    assert started.exit_code == 3 and started.stderr.startswith("crisis: error: ")
    assert not flag.exists()


# -- huge inputs -------------------------------------------------------------------------


def test_a_five_megabyte_note(cli, crisis_home: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers import open_incident

    incident = open_incident(make_env(crisis_home))
    note = ("Lorem ipsum \x1b[31m [x](y) <b> " * 200_000)[: 5 * 1024 * 1024]
    result = cli("note", "-", "--incident", incident.id, stdin=note)
    assert result.exit_code == 0, result.stderr
    assert incident.state().notes[-1].text == note
    log = incident.log_path.read_text(encoding="utf-8")
    assert "\x1b" not in log and "<b>" not in render_markdown(log)
    assert cli("status").exit_code == 0


def test_a_hundred_thousand_step_playbook_is_refused_clearly() -> None:
    steps = "".join(f"  - {{id: s{n}, title: Step {n}}}\n" for n in range(100_000))
    text = f"crisis: 1\nid: big\ntitle: Big\nphases:\n- id: a\n  title: A\n  steps:\n{steps}"
    with pytest.raises(CrisisError) as caught:
        build_text(text.replace("\n  - {", "\n    - {"), "big.yaml")
    assert isinstance(caught.value, PlaybookError)
    assert caught.value.location is not None and caught.value.location.line is not None
    assert "\n" not in caught.value.one_line()


def test_a_billion_laughs_is_refused() -> None:
    rows = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 9):
        prev = chr(ord("a") + n - 1)
        cur = chr(ord("a") + n)
        rows.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 10) + "]")
    with pytest.raises(PlaybookError) as caught:
        build_text("\n".join(rows) + "\n", "bomb.yaml")
    assert "more than" in caught.value.message


def test_environment_is_not_read_for_paths(
    monkeypatch: pytest.MonkeyPatch, crisis_home: Path
) -> None:
    """CRISIS_HOME with `..` still resolves to one folder; nothing is created above it."""
    odd = crisis_home / "sub" / ".." / "home2"
    monkeypatch.setenv("CRISIS_HOME", str(odd))
    from crisiscli.env import Environment

    env = Environment()
    assert os.path.normpath(env.home) == os.path.normpath(crisis_home / "home2")


def test_journal_symlink_pointing_outside_is_not_written_through(
    crisis_home: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers import open_incident

    incident = open_incident(make_env(crisis_home))
    journal = incident.dir / "journal.jsonl"
    outside = tmp_path / "outside.jsonl"
    outside.write_bytes(journal.read_bytes())
    journal.unlink()
    journal.symlink_to(outside)
    before = outside.read_bytes()
    result = cli("note", "must not land outside", "--incident", incident.id)
    assert result.exit_code == 7
    assert result.stderr.startswith("crisis: error: ") and "symbolic link" in result.stderr
    assert outside.read_bytes() == before
    read = cli("status", incident.id)  # not read through the link either
    assert read.exit_code == 7 and "cannot read the journal: it is a symbolic link" in read.stderr
    assert outside.read_bytes() == before
