"""Issue 26 finding 4: Ctrl-C at any instant of a command's life — while Python imports
crisis, while the command runs, while it shuts down — ends with one line and exit 130,
never a traceback or a death by signal (-2).

The real entry point runs under a launcher named `crisis` (as the installed script is) that
sends the process SIGINT from a timer once the launcher has imported the `crisiscli`
package, at seeded random instants spread over the command's whole life."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, subprocess_env

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGINT from a timer is POSIX")

LAUNCHER = """\
import os, signal, sys, threading
delay = float(os.environ["_SIGINT_AFTER"])
import crisiscli  # the first line of crisis the installed script runs
if delay <= 0:
    os.kill(os.getpid(), signal.SIGINT)
else:
    timer = threading.Timer(delay, os.kill, (os.getpid(), signal.SIGINT))
    timer.daemon = True
    timer.start()
from crisiscli.cli.app import entry
sys.exit(entry())
"""


def launch(tmp_path: Path, delay: float, *args: str) -> subprocess.CompletedProcess[bytes]:
    script = tmp_path / "bin" / "crisis"
    if not script.exists():
        script.parent.mkdir(parents=True)
        script.write_text(LAUNCHER, encoding="utf-8")
    env = subprocess_env(tmp_path / "home", _SIGINT_AFTER=str(delay), PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, env=env, timeout=120, check=False
    )


def assert_one_line_130(result: subprocess.CompletedProcess[bytes], when: str) -> None:
    err = result.stderr.decode("utf-8", "replace")
    if result.returncode == 0:  # the command was over before the signal came
        assert err == "", (when, err)
        return
    assert result.returncode == 130, (when, result.returncode, err)
    assert "Traceback" not in err and len(err.splitlines()) == 1, (when, err)
    assert "interrupted" in err, (when, err)


def test_ctrl_c_right_after_crisis_starts_loading(tmp_path: Path) -> None:
    result = launch(tmp_path, 0, "list")
    assert result.returncode == 130
    assert result.stderr.decode() == "crisis: interrupted\n"


def test_ctrl_c_at_random_instants_of_a_command(tmp_path: Path) -> None:
    # How long one `crisis list` lives here, so the instants cover start-up, work and exit.
    import time

    began = time.monotonic()
    assert launch(tmp_path, 3600, "list").returncode == 0
    life = time.monotonic() - began
    rng = random.Random(int(os.environ.get("CRISIS_CRASH_SEED", "26")))
    interrupted = 0
    for _ in range(24):
        delay = rng.uniform(0.001, life)
        result = launch(tmp_path, delay, "list")
        assert_one_line_130(result, f"SIGINT after {delay * 1000:.0f} ms of {life * 1000:.0f}")
        interrupted += result.returncode == 130
    assert interrupted >= 6, "the signals all came too late to test anything"


def test_ctrl_c_while_a_command_runs_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """typer turns a KeyboardInterrupt inside a command into a silent "return 130"."""
    from tests.conftest import run_cli

    def interrupted(*_args: object, **_kw: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("crisiscli.record.store.list_incidents", interrupted)
    result = run_cli(tmp_path / "home", "list")
    assert result.exit_code == 130
    assert result.stderr == "crisis: error: interrupted\n"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # tests: untouched
