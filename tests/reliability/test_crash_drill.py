"""Crash test, drills: a drill with injects falling due, killed with SIGKILL at random
moments — the player in `crisis drill run`, then the one beside `crisis resume` — and
caught up by the facilitator's next command. Nothing acknowledged is lost, every inject is
played, and none twice; the drill ends once.

CI runs 10% of the crash budget here (5 kills); `pytest --long` runs 100.
CRISIS_CRASH_SEED=N reproduces a run (the seed is printed).
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from crisiscli.record.store import JOURNAL, list_incidents
from tests.conftest import crisis_command, make_env, subprocess_env
from tests.helpers import events_of
from tests.reliability import crashkit

SPEED = 300  # drill seconds per second: a 10-minute drill in two seconds
INJECTS = 12
SCENARIO = {
    "title": "Crash drill",
    "playbook": "mini.yaml",
    "length": "10m",
    "start": {"inputs": {"brand": "Acme", "source": "customer"}, "post": "The post"},
    "injects": [
        {"at": f"+{30 * (n + 1)}s", "kind": "customer", "text": f"Inject {n + 1}"}
        for n in range(INJECTS)
    ],
    "expectations": [{"expect": "step-done", "step": "look", "by": "+5m"}],
}
ANSWERS = {
    "steps": {
        "look": {"at": "+1m", "answers": {"reach": "wide", "threat": "no"}},
        "statement": {"at": "+3m", "message": "We are sorry, Acme.", "approver": "Dana"},
        "reply": {"at": "+4m"},
    }
}


def _drill(home: Path):  # type: ignore[no-untyped-def]
    for incident in list_incidents(make_env(home)):
        if incident.state().drill_run is not None:
            return incident
    return None


def _spawn(home: Path, args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*crisis_command(), *args],
        env=subprocess_env(home),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_sigkill_while_injects_fall_due(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    seed, rng = crashkit.make_rng("drill")
    budget = crashkit.kill_budget(request.config, 0.1)
    fixtures = Path(__file__).parents[1] / "fixtures"
    (tmp_path / "mini.yaml").write_text((fixtures / "mini.yaml").read_text(), encoding="utf-8")
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(yaml.safe_dump(SCENARIO), encoding="utf-8")
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(ANSWERS), encoding="utf-8")
    run = ["drill", "run", str(scenario), "--answers", str(answers), "--clock", "real"]
    run += ["--speed", str(SPEED)]
    for kill in range(budget):
        home = tmp_path / f"home-{kill}"
        why = f"seed {seed}, kill {kill}"
        acknowledged: set[str] = set()
        proc = _spawn(home, run)
        time.sleep(rng.uniform(0.3, 2.4))  # start-up, then somewhere in the drill
        incident = _drill(home)
        if incident is not None:
            acknowledged = crashkit.journal_ids(incident.dir / JOURNAL)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        incident = _drill(home)
        if incident is None:  # killed before the drill began: nothing of it to keep
            assert not acknowledged, why
            continue
        crashkit.check_after_kill(home, acknowledged, [], why)
        # A walker picks up where it stopped (its player beside it), killed in its turn.
        resumed = _spawn(home, ["resume", incident.id, "--answers", str(answers)])
        time.sleep(rng.uniform(0.0, 1.0))
        with contextlib.suppress(ProcessLookupError):
            resumed.send_signal(signal.SIGKILL)
        resumed.wait()
        crashkit.check_after_kill(home, crashkit.journal_ids(incident.dir / JOURNAL), [], why)
        # Past the drill's end, the facilitator's next command plays whatever is still owed.
        # (counted from the drill's own start: the process takes a while to begin it)
        started = incident.state().drill_run.started_at
        done_at = started.timestamp() + 600 / SPEED + 0.3
        time.sleep(max(0.0, done_at - time.time()))
        score = subprocess.run(
            [*crisis_command(), "drill", "score", incident.id], env=subprocess_env(home),
            stdin=subprocess.DEVNULL, capture_output=True, timeout=60,
        )  # fmt: skip
        assert score.returncode in (0, 1), f"{why}: {score.stderr.decode()}"
        keys = [e.data["key"] for e in events_of(incident) if e.type == "drill.inject"]
        expected = ["post", *[f"i{n + 1}" for n in range(INJECTS)]]
        assert sorted(keys) == sorted(expected), f"{why}: injects played {keys}"
        assert f"Injects played: {INJECTS + 1} of {INJECTS + 1}" in score.stdout.decode(), why
        dues = {
            e.data["key"]: e.data.get("due")
            for e in events_of(incident)
            if e.type == "drill.inject"
        }
        assert dues["i1"] == 30 and dues[f"i{INJECTS}"] == 30 * INJECTS, why
        # its time is up: ended once, whoever looked first (the player or the score)
        ended = [e for e in events_of(incident) if e.type == "drill.ended"]
        assert len(ended) == 1, f"{why}: {len(ended)} ends"
