"""Hints name crisis the way it was run, so they work as printed (issue 11: the quick start
ran `.venv/bin/crisis start` and then every hint said `crisis resume …`: command not found)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from crisiscli import invocation
from crisiscli.invocation import as_typed, closest_command, program


def test_on_path_it_is_plain_crisis(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    script = tmp_path / "bin" / "crisis"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(script.parent) + os.pathsep + os.environ.get("PATH", ""))
    monkeypatch.setattr(sys, "argv", [str(script), "start"])
    assert program() == "crisis"
    assert as_typed("Continue with: crisis resume x") == "Continue with: crisis resume x"


def test_a_venv_script_off_path_is_named_by_its_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    script = tmp_path / "my venv" / "bin" / "crisis"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(sys, "argv", [str(script), "start"])
    assert program() == f"'{script}'"  # quoted: a path with a space still works in a shell
    assert as_typed("Continue with: crisis resume x") == f"Continue with: '{script}' resume x"


def test_python_dash_m(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["/src/crisiscli/__main__.py", "start"])
    assert program().endswith(" -m crisiscli")
    assert as_typed("hint: crisis close --reopen").endswith("-m crisiscli close --reopen")


def test_only_real_commands_are_rewritten(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(invocation, "program", lambda: ".venv/bin/crisis")
    assert as_typed("the crisis is over; crisis status x") == (
        "the crisis is over; .venv/bin/crisis status x"
    )
    assert as_typed("a /usr/bin/crisis resume stays") == "a /usr/bin/crisis resume stays"
    assert as_typed("hint: see: crisis --help") == "hint: see: .venv/bin/crisis --help"
    assert as_typed("crisis --helpful crisis statuses") == "crisis --helpful crisis statuses"


def test_the_hint_after_a_mistyped_command_works_as_printed(tmp_path: Path) -> None:
    import subprocess

    script = Path(sys.executable).parent / "crisis"
    if not script.exists():
        pytest.skip("no crisis script beside this Python")
    env = {**os.environ, "PATH": "/usr/bin:/bin", "CRISIS_HOME": str(tmp_path)}
    done = subprocess.run([str(script), "strat"], env=env, capture_output=True, text=True)
    assert "Did you mean 'start'?" in done.stderr
    assert f"hint: see: {script} --help" in done.stderr


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("strat", "start"), ("statr", "start"), ("stauts", "status"), ("reume", "resume"),
     ("sats", "stats"), ("lsit", "list")],
)  # fmt: skip
def test_typos_suggest_the_command_meant(typed: str, meant: str) -> None:
    from crisiscli.cli.app import command_names

    assert closest_command(typed, command_names()) == meant


def test_nothing_close_suggests_nothing() -> None:
    from crisiscli.cli.app import command_names

    assert closest_command("frobnicate", command_names()) is None
