"""Issue 26 finding 6: a killed `git fetch` (or the maintenance it starts) can leave
`.git/objects/maintenance.lock` and other lock files that nothing ever clears: `git
maintenance` then never runs again. `crisis sync` clears them as it clears a stale ref lock —
once old enough that no running git can hold them — and leaves young ones alone."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.helpers import ok, start_team

pytestmark = pytest.mark.usefixtures("git_identity")

LOCKS = (
    "objects/maintenance.lock",
    "objects/info/commit-graph.lock",
    "objects/pack/multi-pack-index.lock",
    "shallow.lock",
    "refs/remotes/origin/someone-elses-branch.lock",
)


def plant(git_dir: Path, name: str, age: float) -> Path:
    lock = git_dir / name
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_bytes(b"")
    when = time.time() - age
    os.utime(lock, (when, when))
    return lock


def test_stale_maintenance_and_other_git_locks_are_cleared(tmp_path: Path) -> None:
    _remote, a, _b, name = start_team(tmp_path)
    planted = [plant(a / ".git", lock, age=3600) for lock in LOCKS]
    ok(run_cli(a, "note", "-i", name, "after the killed fetch"))
    result = ok(run_cli(a, "sync"))
    for lock, path in zip(LOCKS, planted, strict=True):
        assert not path.exists(), lock
        assert f"removed a stale git lock ({lock})" in result.stdout
    assert "Pushed 1 event(s)" in result.stdout
    maintenance = subprocess.run(
        ["git", "-C", str(a), "maintenance", "run", "--task=gc"], capture_output=True, text=True
    )
    assert "skipping maintenance" not in maintenance.stderr


def test_young_background_locks_are_left_to_the_git_holding_them(tmp_path: Path) -> None:
    _remote, a, _b, name = start_team(tmp_path)
    lock = plant(a / ".git", "objects/maintenance.lock", age=5)  # a gc started by a fetch
    ok(run_cli(a, "note", "-i", name, "while maintenance runs"))
    result = ok(run_cli(a, "sync"))
    assert lock.exists() and "maintenance.lock" not in result.stdout
