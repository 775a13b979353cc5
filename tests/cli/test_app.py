"""The process entry point: ``crisis`` and ``python -m crisiscli`` end by freezing what is
alive, so Python's collections at shutdown skip it (benchmarks/startup.py, growth.py)."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from crisiscli.cli.app import entry
from tests.conftest import subprocess_env

PROBE = """
import atexit, gc, runpy, sys
atexit.register(lambda: print("frozen" if gc.get_freeze_count() else "not frozen"))
sys.argv = ["crisis", *sys.argv[1:]]
runpy.run_module("crisiscli", run_name="__main__")
"""


@pytest.mark.parametrize("args", [["--version"], ["list"], ["status", "no-such-incident"]])
def test_python_dash_m_freezes_before_shutdown(args: list[str], crisis_home: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], env=subprocess_env(crisis_home),
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60,
    )  # fmt: skip
    assert done.stdout.rstrip().endswith("frozen") and "not frozen" not in done.stdout
    assert done.returncode == (0 if args[0] != "status" else 4), done.stderr


def test_the_console_script_is_the_entry_point() -> None:
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    assert 'crisis = "crisiscli.cli.app:entry"' in pyproject


def test_entry_keeps_the_exit_code(monkeypatch: pytest.MonkeyPatch, crisis_home: Path) -> None:
    monkeypatch.setattr(sys, "argv", ["crisis", "--version"])
    try:
        with pytest.raises(SystemExit) as exited:
            entry()
        assert exited.value.code in (0, None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # the test process goes on: let its objects be collected again
