"""Helpers for tests that build incidents directly through the library."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from crisiscli.env import Environment
from crisiscli.playbook.load import load_playbook
from crisiscli.record.store import Incident, create_incident
from crisiscli.walk.answers import AnswersFile, ScriptedPrompter, load_answers
from crisiscli.walk.engine import Walkthrough
from crisiscli.walk.prompter import RunSummary

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
