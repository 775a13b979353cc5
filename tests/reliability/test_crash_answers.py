"""Crash test, scripted: `crisis start/resume --answers` killed with SIGKILL at random
moments, resumed until done; nothing acknowledged is lost and the outcome is the same as
an uninterrupted run's.

CI runs 60% of 50 kills here (the pseudo-terminal test does the rest); `pytest --long`
runs 60% of 1,000. CRISIS_CRASH_SEED=N reproduces a run (the seed is printed).
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from crisiscli.incident import JOURNAL
from tests.conftest import crisis_command, subprocess_env
from tests.reliability import crashkit

ANSWERS = Path(__file__).with_name("general-answers.yaml")


def _spawn(home: Path, args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*crisis_command(), *args],
        env=subprocess_env(home),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _shown_steps(stdout: bytes) -> list[str]:
    """Titles the scripted prompter announced (`[i/n] Title`) before it died."""
    shown = []
    for line in stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("[") and "] " in line and line.endswith(tuple("abcdefghijklmnopqrstuvwxyz")):
            shown.append(line.split("] ", 1)[1])
    return shown


def _complete_run(home: Path) -> None:
    proc = subprocess.run(
        [*crisis_command(), "start", "general", "--answers", str(ANSWERS)],
        env=subprocess_env(home),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr.decode()


def test_sigkill_during_scripted_walkthroughs(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    seed, rng = crashkit.make_rng("answers")
    budget = crashkit.kill_budget(request.config, 0.6)
    reference_home = tmp_path / "reference"
    _complete_run(reference_home)
    expected = crashkit.essence(crashkit.the_incident(reference_home).state())
    # How long a whole run takes here sets the range of kill moments.
    started = time.monotonic()
    _complete_run(tmp_path / "timing")
    span = max(0.3, time.monotonic() - started)

    kills = scenarios = 0
    while kills < budget:
        scenarios += 1
        home = tmp_path / f"run-{scenarios}"
        args = ["start", "general", "--answers", str(ANSWERS)]
        while True:
            why = f"seed {seed}, scenario {scenarios}, kill {kills + 1}"
            journal = next(iter((home / "incidents").glob(f"*/{JOURNAL}")), None) if home.exists() else None
            proc = _spawn(home, args)
            deadline = time.monotonic() + rng.uniform(0.0, span * 1.1)
            acknowledged: set[str] = set()
            while time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.005)
                if journal is None:
                    journal = next(iter((home / "incidents").glob(f"*/{JOURNAL}")), None)
                if journal is not None:
                    acknowledged = crashkit.journal_ids(journal)
            if proc.poll() is not None:
                out, err = proc.communicate()
                assert proc.returncode == 0, f"{why}: {err.decode()}"
                break
            if journal is not None:
                acknowledged = crashkit.journal_ids(journal)  # the last look before the kill
            proc.send_signal(signal.SIGKILL)
            out, _err = proc.communicate()
            kills += 1
            crashkit.check_after_kill(home, acknowledged, _shown_steps(out), why)
            incident = crashkit.incident_or_none(home)
            if incident is None:
                # Killed before the first event was written: there is nothing to resume
                # (a half-made folder without events is not listed); start afresh.
                home = tmp_path / f"run-{scenarios}-again-{kills}"
                journal = None
                continue
            state = incident.state()
            if state.finished:
                # Killed after the last step: `resume` rightly refuses; what is left of the
                # script is the close, which a person does with `crisis close`.
                if not state.closed:
                    closed = crashkit.run_cli(home, "close", incident.id)
                    assert closed.exit_code == 0, f"{why}: {closed.stderr}"
                break
            args = ["resume", incident.id, "--answers", str(ANSWERS)]
            if kills >= budget:
                # Out of kills: let this one finish undisturbed.
                proc = _spawn(home, args)
                out, err = proc.communicate(timeout=60)
                assert proc.returncode == 0, f"{why}: {err.decode()}"
                break
        incident = crashkit.the_incident(home)
        crashkit.check_log_rebuild(incident)
        got = crashkit.essence(incident.state())
        assert got == expected, f"seed {seed}, scenario {scenarios}: outcome differs"
    print(f"crash test answers: {kills} kills over {scenarios} walk-throughs (seed {seed})")
