"""A drill through `crisis sync`: the injects reach every machine of the team as events; the
scenario (what comes next) never leaves the facilitator's machine."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli
from tests.drill.test_run import ANSWERS, write
from tests.helpers import git, ok, tracked


def test_injects_travel_the_scenario_does_not(tmp_path: Path) -> None:
    remote, a, b = tmp_path / "team.git", tmp_path / "facilitator", tmp_path / "player"
    git(tmp_path, "init", "--quiet", "--bare", str(remote))
    ok(run_cli(a, "init", "--git", "--remote", str(remote)))
    folder = tmp_path / "drill"
    folder.mkdir()
    s, answers = write(folder, answers=dict(ANSWERS, close=False))
    ok(run_cli(a, "drill", "run", str(s), "--answers", str(answers), actor="fay"))
    ok(run_cli(a, "sync", actor="fay"))
    assert not [p for p in tracked(a) if p.startswith("drills/") or "scenario" in p]
    ok(run_cli(b, "init", "--git", "--remote", str(remote)))
    synced = ok(run_cli(b, "sync", actor="pat"))
    assert "refus" not in synced.stdout + synced.stderr
    assert not (b / "drills").exists()
    score = run_cli(b, "drill", "score", actor="pat")
    assert score.exit_code == 0, score.stderr
    assert "Met 4 of 4 expectations." in score.stdout and "Injects played: 5 of 5" in score.stdout
    log = run_cli(b, "log", actor="pat").stdout
    assert "Drill inject (press enquiry +12m): A reporter asks for a comment" in log
    facilitator = run_cli(b, "watch", "--once", "--facilitator", actor="pat")
    assert facilitator.exit_code == 5 and "holds no drill scenario" in facilitator.stderr
