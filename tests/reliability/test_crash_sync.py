"""SIGKILL of `crisis sync` — its whole process group, git included — at random moments,
while two to four writers add notes to the same incident on two clones.

Nothing but `crisis sync` is run to recover. At the end every acknowledged note (its
`crisis note` exited 0) is in both clones' journals exactly once, no event id appears
twice in any journal, both clones and the remote have one history, and no git operation
is left half done. CI makes 30 kills; `pytest --long` makes 500. The kill moments come
from a seeded generator (CRISIS_CRASH_SEED reproduces the choice of moments).

The team repository stands for a server: its receive-pack runs in a session of its own
(`os.setsid`), as a real server's does, so a kill of the client's process group cannot reach
it — the same as a laptop losing power in the middle of a push.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from crisiscli.record.journal import parse_journal
from tests.conftest import crisis_command, subprocess_env
from tests.helpers import SHIFT, git
from tests.reliability import crashkit

pytestmark = pytest.mark.usefixtures("git_identity")
CI_SYNC_KILLS = 30
LONG_SYNC_KILLS = 500


def crisis(home: Path, *args: str, actor: str = "tester", timeout: float = 120) -> subprocess.CompletedProcess[str]:  # fmt: skip
    return subprocess.run(
        [*crisis_command(), *args],
        env=subprocess_env(home, CRISIS_USER=actor),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
    )


def must(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, (done.args, done.stdout, done.stderr)
    return done


def make_team(tmp: Path) -> tuple[Path, Path, Path, str]:
    remote, a, b = tmp / "team.git", tmp / "a", tmp / "b"
    git(tmp, "init", "--quiet", "--bare", str(remote))
    must(crisis(a, "init", "--git", "--remote", str(remote)))
    answers = tmp / "answers.yaml"
    answers.write_text("title: Crash team\nsteps:\n  watch: pause\n", encoding="utf-8")
    must(crisis(a, "start", str(SHIFT), "--answers", str(answers), actor="ana"))
    must(crisis(a, "sync"))
    must(crisis(b, "init", "--git", "--remote", str(remote)))
    # The server's side of a push is not ours to kill: receive-pack in a session of its own.
    server = tmp / "receive-pack"
    server.write_text(f"#!{sys.executable}\nimport os, sys\nos.setsid()\n"
                      "os.execvp('git', ['git', 'receive-pack', *sys.argv[1:]])\n", encoding="utf-8")  # fmt: skip
    server.chmod(0o755)
    for home in (a, b):
        git(home, "config", "remote.origin.receivepack", str(server))
    must(crisis(b, "sync"))
    name = next(p.name for p in (a / "incidents").iterdir() if not p.name.startswith("."))
    return remote, a, b, name


class Writers:
    """`crisis note` in a loop on each clone; remembers which notes were acknowledged."""

    def __init__(self, homes: list[Path], name: str, count: int) -> None:
        self.acknowledged: list[str] = []
        self.failures: list[str] = []
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._run, args=(homes[i % len(homes)], name, i), daemon=True)
            for i in range(count)
        ]

    def _run(self, home: Path, name: str, writer: int) -> None:
        n = 0
        while not self.stop.is_set():
            text = f"w{writer}-{n}"
            done = crisis(home, "note", "-i", name, text, actor=f"writer{writer}")
            if done.returncode == 0:
                self.acknowledged.append(text)
            else:
                self.failures.append(f"{text}: {done.returncode} {done.stderr.strip()}")
            n += 1

    def __enter__(self) -> Writers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(120)


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def test_sync_killed_at_random_moments_loses_nothing(tmp_path: Path, request: pytest.FixtureRequest) -> None:  # fmt: skip
    kills = LONG_SYNC_KILLS if request.config.getoption("--long") else CI_SYNC_KILLS
    seed, rng = crashkit.make_rng("sync")
    remote, a, b, name = make_team(tmp_path)
    writers_count = rng.choice([2, 3, 4])
    window = 1.0  # seconds; follows how long a whole sync takes on this machine
    killed = completed = 0
    problems: list[str] = []
    with Writers([a, b], name, writers_count) as writers:
        while killed < kills:
            home = rng.choice([a, b])
            delay = rng.uniform(0.0, window)
            began = time.monotonic()
            proc = subprocess.Popen(
                [*crisis_command(), "sync"],
                env=subprocess_env(home),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                start_new_session=True,  # its own process group: killed whole, git and all
            )
            try:
                proc.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                kill_group(proc)
                killed += 1
                continue
            completed += 1
            window = 0.7 * window + 0.3 * (time.monotonic() - began) * 1.2
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            if proc.returncode != 0:
                problems.append(f"a sync after a kill failed ({proc.returncode}): {err.strip()}")
        time.sleep(0.5)
    assert not writers.failures, writers.failures[:5]
    assert not problems, (seed, problems[:5])
    why = f"seed {seed}, {killed} kills, {completed} whole syncs, {writers_count} writers"
    converged(remote, a, b, name, writers, why)
    assert len(writers.acknowledged) > kills // 2, why  # the writers really wrote meanwhile
    print(f"{why}: {len(writers.acknowledged)} notes acknowledged, window {window:.2f} s")


def test_background_syncer_killed_at_random_moments_loses_nothing(tmp_path: Path, request: pytest.FixtureRequest) -> None:  # fmt: skip
    """The syncer that watch and the walk-through start (issue 23): killed, process group
    and git with it, at random moments while it loops; restarted as a new terminal would."""
    from crisiscli.record import autosync

    kills = LONG_SYNC_KILLS if request.config.getoption("--long") else CI_SYNC_KILLS
    seed, rng = crashkit.make_rng("autosync")
    remote, a, b, name = make_team(tmp_path)
    for home in (a, b):  # this test process stands for the terminals that want a syncer
        folder = autosync.state_dir(home)
        assert folder is not None
        (folder / autosync.CLIENTS).mkdir(parents=True, exist_ok=True)
        (folder / autosync.CLIENTS / str(os.getpid())).write_text("2")
    writers_count = rng.choice([2, 3])
    killed = 0
    with Writers([a, b], name, writers_count) as writers:
        while killed < kills:
            home = rng.choice([a, b])
            proc = subprocess.Popen(
                [*crisis_command(), "sync", "--background", "2s"],
                env=subprocess_env(home),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            time.sleep(rng.uniform(0.1, 1.6))  # in its first sync, or in its loop
            kill_group(proc)
            killed += 1
        time.sleep(0.5)
    assert not writers.failures, writers.failures[:5]
    why = f"seed {seed}, {killed} kills of the background syncer, {writers_count} writers"
    converged(remote, a, b, name, writers, why)


def converged(remote: Path, a: Path, b: Path, name: str, writers: Writers, why: str) -> None:
    """After `crisis sync` on each clone (the only recovery): every acknowledged note once in
    both journals, one history everywhere, no git operation left half done."""
    for home in (a, b, a, b):  # recovery is `crisis sync`, nothing else
        must(crisis(home, "sync"))
    for home in (a, b):
        journal = home / "incidents" / name / "journal.jsonl"
        result = parse_journal(journal.read_bytes(), str(journal))
        ids = [e.id for e in result.events]
        raw_ids = Counter(
            line.split(b'"id":"', 1)[1][:32] for line in journal.read_bytes().splitlines() if b'"id":"' in line
        )  # fmt: skip
        assert not [i for i, n in raw_ids.items() if n > 1], f"{why}: an event was appended twice"
        notes = Counter(str(e.data.get("text")) for e in result.events if e.type == "note.added")
        lost = [t for t in writers.acknowledged if notes[t] == 0]
        doubled = [t for t, n in notes.items() if n > 1]
        assert not lost, f"{why}: {len(lost)} acknowledged notes missing in {home.name}: {lost[:5]}"
        assert not doubled, f"{why}: notes recorded twice in {home.name}: {doubled[:5]}"
        assert len(ids) == len(set(ids))
        assert not (home / ".git" / "rebase-merge").exists()
        assert git(home, "symbolic-ref", "HEAD").strip() == "refs/heads/main"
    ids_a = {e.id for e in parse_journal((a / "incidents" / name / "journal.jsonl").read_bytes(), "a").events}  # fmt: skip
    ids_b = {e.id for e in parse_journal((b / "incidents" / name / "journal.jsonl").read_bytes(), "b").events}  # fmt: skip
    assert ids_a == ids_b, why
    heads = {git(h, "rev-parse", "HEAD").strip() for h in (a, b, remote)}
    assert len(heads) == 1, why
