"""docs/cli.md is generated from --help: current, complete, and every command in the README."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from crisiscli.cli.app import build_command, command_names
from crisiscli.cli.reference import render_reference
from tests.conftest import crisis_command, subprocess_env

REPO = Path(__file__).resolve().parents[2]


def command_paths() -> list[str]:
    """Every command and sub-command, as typed: ``crisis lint``, ``crisis role set``…"""
    paths = []
    for name in command_names():
        command = build_command(name)
        paths.append(f"crisis {name}")
        subcommands = getattr(command, "commands", {}) or {}
        paths.extend(f"crisis {name} {sub}" for sub in sorted(subcommands))
    return paths


def test_the_reference_is_current() -> None:
    assert (REPO / "docs" / "cli.md").read_text(encoding="utf-8") == render_reference(), (
        "regenerate it: python -m crisiscli.cli.reference > docs/cli.md"
    )


def test_every_command_and_sub_command_is_documented() -> None:
    text = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    paths = command_paths()
    assert "crisis message check" in paths and "crisis role set" in paths
    for path in paths:
        assert f"## `{path}`" in text, path
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in command_names():
        assert f"`crisis {name}" in readme, name


def test_completion_scripts_and_answers(crisis_home: Path) -> None:
    for shell in ("bash", "zsh", "fish", "powershell"):
        script = subprocess.run(
            [*crisis_command(), "completion", shell],
            capture_output=True,
            text=True,
            env=subprocess_env(crisis_home),
            check=True,
        ).stdout
        assert "_CRISIS_COMPLETE" in script, shell
    env = subprocess_env(
        crisis_home,
        COMP_WORDS="crisis message ch",
        COMP_CWORD="2",
        _CRISIS_COMPLETE="complete_bash",
    )
    env.pop("CRISIS_DEBUG", None)
    answer = subprocess.run(
        crisis_command(), capture_output=True, text=True, env=env, check=False, cwd=os.getcwd()
    )
    assert answer.stdout.split() == ["check"]
    env.update(COMP_WORDS="crisis li", COMP_CWORD="1")
    answer = subprocess.run(crisis_command(), capture_output=True, text=True, env=env, check=False)
    assert answer.stdout.split() == ["lint", "list"]
