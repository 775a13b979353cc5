"""`crisis sync` against plain git doing the transport alone, in the same run.

A team repository holds many incidents with long journals. One clone adds one event; the
other clone's `crisis sync` takes it in (fetch, read the trees, append under the lock,
record the merge, push its own). The baseline is what plain git needs to move the same
commits: `git fetch` plus a fast-forward `git merge`. A second pair measures a sync with
nothing new against `git fetch` alone. Both are ratios for reading: sync reads every
journal once per run (to find what the remote lacks), so its cost grows with the size of
the shared record, not with the number of runs.

    python benchmarks/sync.py [--smoke]
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _note_line(incident: int, n: int) -> str:
    return json.dumps(
        {
            "v": 1,
            "id": f"{incident:08x}{n:024x}",
            "ts": f"2026-11-23T08:{n // 60 % 60:02d}:{n % 60:02d}.{n % 1000000:06d}+00:00",
            "actor": "bench",
            "type": "note.added",
            "data": {"text": f"note {n} " + "x" * 80},
        }
    )


def _fill(home: Path, incidents: int, events: int) -> None:
    """Incident folders written directly: a snapshot and a journal of notes each."""
    from crisiscli.playbook.catalog import bundled_dir
    from crisiscli.playbook.load import load_playbook
    from crisiscli.playbook.model import to_data

    snapshot = json.dumps(to_data(load_playbook(bundled_dir() / "general.yaml")))
    for n in range(incidents):
        folder = home / "incidents" / f"2026-11-23-{n:04d}-bench"
        folder.mkdir(parents=True)
        (folder / "playbook.json").write_text(snapshot, encoding="utf-8")
        lines = [_note_line(n, i) for i in range(events)]
        (folder / "journal.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _timed(action: Any) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def run(smoke: bool) -> list[dict[str, Any]]:
    from crisiscli.env import Environment
    from crisiscli.record.events import note_added
    from crisiscli.record.store import find_incident
    from crisiscli.record.sync import init_home, sync
    from crisiscli.views.log import derived_files

    incidents, events, rounds = (3, 20, 2) if smoke else (40, 1000, 5)
    saved = dict(os.environ)
    os.environ.update({"GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "b@example.org",
                       "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "b@example.org"})  # fmt: skip
    try:
        with tempfile.TemporaryDirectory(prefix="crisis-bench-sync-") as tmp:
            root = Path(tmp)
            os.environ["GIT_CONFIG_GLOBAL"] = str(root / "gitconfig")
            (root / "gitconfig").write_text("[init]\n\tdefaultBranch = main\n", encoding="utf-8")
            remote, a, b = root / "team.git", root / "a", root / "b"
            _git(root, "init", "--quiet", "--bare", str(remote))

            def env(home: Path) -> Environment:
                return Environment(home=home, actor="bench", derived=derived_files)

            init_home(env(a), git=True, remote=str(remote))
            _fill(a, incidents, events)
            sync(env(a))
            init_home(env(b), git=True, remote=str(remote))
            sync(env(b))
            plain = root / "plain"
            _git(root, "clone", "--quiet", str(remote), str(plain))
            ours, base, idle, fetch = [], [], [], []
            for n in range(rounds):
                incident = find_incident(env(a), "2026-11-23-0000-bench")
                incident.record(note_added(f"round {n}"))
                sync(env(a))
                ours.append(_timed(lambda: sync(env(b))))
                base.append(_timed(lambda: (_git(plain, "fetch", "--quiet"), _git(plain, "merge", "--quiet", "--ff-only", "origin/main"))))  # fmt: skip
                idle.append(_timed(lambda: sync(env(b))))
                fetch.append(_timed(lambda: _git(plain, "fetch", "--quiet")))
            shutil.rmtree(plain, ignore_errors=True)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    size = f"{incidents} incidents x {events} events"
    rows = []
    for name, mine, theirs, base_name in (
        (f"sync: take in one event ({size})", ours, base, "git fetch + merge --ff-only"),
        (f"sync: nothing new ({size})", idle, fetch, "git fetch"),
    ):
        m, t = min(mine), min(theirs)
        rows.append({"name": name, "seconds": round(m, 4), "baseline_name": base_name,
                     "baseline_seconds": round(t, 4), "ratio": round(m / t, 2) if t else None,
                     "target": "for reading", "ok": None})  # fmt: skip
    return rows


if __name__ == "__main__":
    for row in run("--smoke" in sys.argv):
        print(row)
