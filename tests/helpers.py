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


# -- teams sharing incidents through git ------------------------------------------------------

SHIFT = Path(__file__).resolve().parent / "team" / "fixtures" / "shift.yaml"


def git(cwd: Path, *args: str, input: bytes | None = None) -> str:
    """Plain git, as a person (or a hostile teammate) would run it."""
    import subprocess

    done = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, check=False)
    assert done.returncode == 0, (args, done.stderr.decode(errors="replace"))
    return done.stdout.decode("utf-8", "surrogateescape")


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result
    return result


def start_team(tmp: Path, *, title: str = "Wrong image") -> tuple[Path, Path, Path, str]:
    """A bare team repository and two clones sharing one incident (started in the first,
    joined by the second with `crisis init --git --remote` and `crisis sync`)."""
    from datetime import datetime, timezone

    from tests.conftest import FrozenClock, run_cli

    clock = FrozenClock(
        datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)
    )  # before the tests' times
    remote, a, b = tmp / "team.git", tmp / "laptop-a", tmp / "laptop-b"
    git(tmp, "init", "--quiet", "--bare", str(remote))
    ok(run_cli(a, "init", "--git", "--remote", str(remote)))
    answers = tmp / "team-answers.yaml"
    answers.write_text(f"title: {title}\nsteps:\n  watch: pause\n", encoding="utf-8")
    ok(run_cli(a, "start", str(SHIFT), "--answers", str(answers), actor="ana", clock=clock))
    ok(run_cli(a, "sync", actor="ana"))
    ok(run_cli(b, "init", "--git", "--remote", str(remote)))
    ok(run_cli(b, "sync", actor="ben"))
    name = next(p.name for p in (a / "incidents").iterdir() if not p.name.startswith("."))
    return remote, a, b, name


def note_texts(home: Path, incident_id: str) -> list[str]:
    from crisiscli.record.journal import Journal

    journal = Journal(home / "incidents" / incident_id / "journal.jsonl")
    return [str(e.data.get("text")) for e in journal.read().events if e.type == "note.added"]


def tracked(home: Path) -> list[str]:
    return sorted(git(home, "ls-tree", "-r", "--name-only", "-z", "HEAD").strip("\0").split("\0"))
