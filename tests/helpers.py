"""Helpers for tests that build incidents directly through the library."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from crisiscli.env import Environment
from crisiscli.playbook.load import load_playbook
from crisiscli.record.events import Event
from crisiscli.record.store import Incident, create_incident
from crisiscli.walk.answers import AnswersFile, ScriptedPrompter, load_answers
from crisiscli.walk.engine import Walkthrough
from crisiscli.walk.prompter import RunSummary

if TYPE_CHECKING:
    from prompt_toolkit.input.base import PipeInput

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def load_fixture_playbook(name: str = "mini"):  # type: ignore[no-untyped-def]
    return load_playbook(FIXTURES / f"{name}.yaml")


def answers_from(tmp: Path, data: dict[str, Any]) -> AnswersFile:
    path = tmp / "answers.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_answers(path)


def open_incident(
    env: Environment, name: str = "mini", title: str = "Test incident", **kw: Any
) -> Incident:
    playbook = load_fixture_playbook(name)
    return create_incident(
        env, playbook, title=title, severity=kw.pop("severity", "moderate"), **kw
    )


def run_script(incident: Incident, answers: AnswersFile) -> RunSummary:
    return Walkthrough(incident, ScriptedPrompter(answers)).run()


def events_of(incident: Incident) -> list[Event]:
    """The incident's journal, read raw (tests inspect what was written; views never do)."""
    return incident.journal.read().events


def render_markdown(markdown: str) -> str:
    """HTML as a CommonMark renderer (with GFM tables and strikethrough) makes it."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)


def rendered_text(markdown: str) -> str:
    """What a reader sees: the text of the rendered HTML, white space folded."""
    from html.parser import HTMLParser

    parts: list[str] = []

    class Text(HTMLParser):
        def handle_data(self, data: str) -> None:
            parts.append(data)

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in ("br", "p", "li", "td", "th", "tr", "blockquote", "h1", "h2", "h3"):
                parts.append(" ")

    parser = Text(convert_charrefs=True)
    parser.feed(render_markdown(markdown))
    parser.close()
    return " ".join("".join(parts).split())


def assert_renders_literally(markdown: str, text: str) -> None:
    """``text`` (as crisis shows it: controls made visible) appears word for word in the
    rendered markdown, and no HTML element came from it."""
    from crisiscli.text import visible_controls

    html = render_markdown(markdown).lower()
    for tag in ("<script", "<img", "<a ", "<b>", "<em>", "<strong>", "<h1", "<iframe"):
        if tag in visible_controls(text).lower():
            assert tag not in html, f"{tag} became markup: {html[:300]}"
    shown = " ".join(visible_controls(text).split())
    assert shown in rendered_text(markdown), (shown, rendered_text(markdown)[:500])


def append_raw(incident: Incident, kind: str, data: object, *, actor: str = "other") -> None:
    """A line as another tool, version or a hand edit might write it: not checked."""
    import json
    import os

    line = {"v": 1, "id": os.urandom(16).hex(), "ts": incident.env.clock().isoformat(),
            "actor": actor, "type": kind, "data": data}  # fmt: skip
    with incident.journal.locked(), open(incident.journal.path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line) + "\n")


def per_prompt(monkeypatch: pytest.MonkeyPatch, pipe: PipeInput, keys: list[str]) -> list[str]:
    """Type each entry of ``keys`` when the next prompt opens, as a person does (keys typed
    earlier are dropped on purpose: no keystroke for one prompt acts on the next)."""
    from crisiscli.ui import widgets

    left = list(keys)
    real = widgets.drop_typeahead

    def opened(inp):  # type: ignore[no-untyped-def]
        real(inp)
        pipe.send_text(left.pop(0))

    monkeypatch.setattr(widgets, "drop_typeahead", opened)
    return left
