"""Crash test, scripted: `crisis start/resume --answers` killed with SIGKILL at random
moments, resumed until done; nothing acknowledged is lost and the outcome is the same as
an uninterrupted run's.

CI runs 80% of 50 kills here (the pseudo-terminal test does the rest); `pytest --long`
runs 80% of 1,000. CRISIS_CRASH_SEED=N reproduces a run (the seed is printed). The kills are
dealt to SHARDS tests with a random stream each, so parallel workers share them.
"""

from __future__ import annotations

import contextlib
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from crisiscli.record.store import JOURNAL
from tests.conftest import crisis_command, subprocess_env
from tests.helpers import events_of
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
        match = re.match(r"^\[\d+/\d+\] (.+)$", line)
        if match:
            shown.append(match.group(1))
    return shown


def _lines(journal: Path | None) -> int:
    try:
        return journal.read_bytes().count(b"\n") if journal else 0
    except FileNotFoundError:
        return 0


def _complete_run(home: Path) -> None:
    proc = subprocess.run(
        [*crisis_command(), "start", "general", "--answers", str(ANSWERS)],
        env=subprocess_env(home),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr.decode()


SHARDS = 4


@pytest.mark.parametrize("budget", [1, 3, 40, 800])
def test_the_shards_make_the_whole_budget(budget: int) -> None:
    parts = [crashkit.share(budget, shard, SHARDS) for shard in range(SHARDS)]
    assert sum(parts) == budget and max(parts) - min(parts) <= 1


@pytest.mark.parametrize("shard", range(SHARDS))
def test_sigkill_during_scripted_walkthroughs(
    shard: int, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    seed, rng = crashkit.make_rng(f"answers-{shard}")
    budget = crashkit.share(crashkit.kill_budget(request.config, 0.8), shard, SHARDS)
    reference_home = tmp_path / "reference"
    _complete_run(reference_home)
    reference = crashkit.the_incident(reference_home)
    expected = crashkit.essence(reference)
    expected_report = crashkit.report_essence(reference)
    total = len(events_of(reference))

    kills = scenarios = 0
    while kills < budget:
        scenarios += 1
        home = tmp_path / f"run-{scenarios}"
        args = ["start", "general", "--answers", str(ANSWERS)]
        allowed = kills + rng.randint(1, 6)  # kills in this walk-through, then it may finish
        while True:
            why = f"seed {seed}, scenario {scenarios}, kill {kills + 1}"
            journal = next(iter(home.glob(f"incidents/*/{JOURNAL}")), None)
            # Kill once the journal holds a random number of events (plus a random few
            # milliseconds), so kills spread over the whole run whatever the machine's speed;
            # "no more events" kills during start-up, before or while the first is written.
            now = _lines(journal)
            target = now + rng.randint(0, max(1, total - now))
            extra = rng.uniform(0.0, 0.3 if target == now else 0.01)
            proc = _spawn(home, args)
            while proc.poll() is None and _lines(journal) < target:
                time.sleep(0.002)
                journal = journal or next(iter(home.glob(f"incidents/*/{JOURNAL}")), None)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=extra)
            if proc.poll() is not None:
                out, err = proc.communicate()
                assert proc.returncode == 0, f"{why}: {err.decode()}"
                break
            journal = journal or next(iter((home / "incidents").glob(f"*/{JOURNAL}")), None)
            acknowledged: set[str] = set()
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
            if kills >= min(budget, allowed):
                # Out of kills: let this one finish undisturbed.
                proc = _spawn(home, args)
                out, err = proc.communicate(timeout=60)
                assert proc.returncode == 0, f"{why}: {err.decode()}"
                break
        incident = crashkit.the_incident(home)
        crashkit.check_log_rebuild(incident)
        got = crashkit.essence(incident)
        assert crashkit.report_essence(incident) == expected_report, (
            f"seed {seed}, scenario {scenarios}: the report differs"
        )
        assert got == expected, f"seed {seed}, scenario {scenarios}: outcome differs"
    print(f"crash test answers: {kills} kills over {scenarios} walk-throughs (seed {seed})")
