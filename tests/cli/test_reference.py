"""docs/cli.md is generated from --help: current, complete, and every command in the README."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from crisiscli.cli.app import command_names
from crisiscli.cli.reference import command_paths, render_reference
from tests.conftest import crisis_command, subprocess_env

REPO = Path(__file__).resolve().parents[2]


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


def _bash_completion(home: Path, words: str) -> list[str]:
    env = subprocess_env(
        home,
        COMP_WORDS=words,
        COMP_CWORD=str(len(words.split()) - (0 if words.endswith(" ") else 1)),
        _CRISIS_COMPLETE="complete_bash",
    )
    answer = subprocess.run(crisis_command(), capture_output=True, text=True, env=env, check=False)
    return answer.stdout.split()


def test_tab_offers_playbook_names_and_incident_ids(cli, crisis_home: Path) -> None:  # type: ignore[no-untyped-def]
    assert "complaint" in _bash_completion(crisis_home, "crisis start ")
    assert _bash_completion(crisis_home, "crisis show compl") == ["complaint", "complaint-sv"]
    answers = str(REPO / "tests" / "fixtures" / "answers" / "general.yaml")
    opened = cli("start", "general", "--title", "Wrong post", "--answers", answers)
    ids = [row["id"] for row in json.loads(cli("list", "--json").stdout)]
    assert ids, opened
    assert _bash_completion(crisis_home, "crisis status ") == ids
    assert _bash_completion(crisis_home, f"crisis report {ids[0][:8]}") == ids
    assert _bash_completion(crisis_home, "crisis note --incident ") == ids
    assert _bash_completion(crisis_home, "crisis status zzz") == []


def test_zsh_answers_the_first_tab_after_the_documented_set_up(tmp_path: Path) -> None:
    """docs/cli.md: `crisis completion zsh > "${fpath[1]}/_crisis"`, then compinit. zsh then
    loads the file on the first Tab; that Tab must already complete."""
    import shutil

    import pytest

    zsh = shutil.which("zsh")
    if zsh is None:
        pytest.skip("zsh is not installed")
    functions = tmp_path / "functions"
    functions.mkdir()
    script = subprocess.run(
        [*crisis_command(), "completion", "zsh"],
        capture_output=True,
        text=True,
        env=subprocess_env(tmp_path),
        check=True,
    ).stdout
    (functions / "_crisis").write_text(script, encoding="utf-8")
    bin_dir = str(Path(crisis_command()[0]).parent)
    probe = (
        f"fpath=({functions} $fpath); autoload -Uz compinit && compinit -u -D\n"
        '_arguments() { print -r -- "OFFERED $*" }\n'
        "autoload -Uz _crisis\n"
        "words=(crisis sta); CURRENT=2\n"
        "_crisis\n"
    )
    env = subprocess_env(tmp_path, PATH=f"{bin_dir}:{os.environ.get('PATH', '')}")
    out = subprocess.run(
        [zsh, "-f", "-c", probe], capture_output=True, text=True, env=env, check=False
    ).stdout
    assert "OFFERED" in out and "start" in out, out
