"""A team on many laptops, live: clones writing notes against one bare remote, each with its
background syncer (``crisis sync --background``, what ``sync.auto`` starts).

For 2, 5, 10 and 20 writers (one clone each), every clone writes notes with `crisis note` for
a while; a watcher reads every clone's journal four times a second and records when each note
first appears there. Measured:

- p50 / p90 / max time from a note's durable write (its `crisis note` returned) to its
  appearance in each other clone's journal. Goal: p90 <= interval + 3 s at 20 writers.
- push retries per event (a push that lost a race and merged again), syncs that lost all six
  races (tried again within seconds), and whether every acknowledged note reached every clone
  exactly once (lost or duplicated events fail the row); the slowest writer's p90 (no clone
  starves behind the others' pushes);
- idle CPU per clone: the syncer's CPU time (with its git children) over an idle stretch,
  as a share of one core. Goal: < 1 %.
- whole processes against plain git: `crisis sync` with nothing new against `git fetch`, and
  taking in one event against `git fetch` + `git merge --ff-only`; and the syncer's idle cycle
  (in-process: one fetch, no merge) against `git fetch`. Goal for the idle cycle: <= 2x.

    python benchmarks/team.py [--smoke]      # smoke: 2 writers, a 2 s interval, seconds
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PLAYBOOK = Path(__file__).resolve().parent.parent / "tests" / "team" / "fixtures" / "shift.yaml"


def _crisis(home: Path, *args: str, actor: str = "bench") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CRISIS_HOME=str(home), CRISIS_USER=actor, TZ="UTC")
    return subprocess.run(
        [sys.executable, "-m", "crisiscli", *args],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def _must(done: subprocess.CompletedProcess[str]) -> None:
    if done.returncode != 0:
        raise RuntimeError(f"{done.args}: {done.stderr.strip()}")


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _team(root: Path, writers: int) -> tuple[Path, list[Path], str]:
    remote = root / "team.git"
    _git(root, "init", "--quiet", "--bare", str(remote))
    clones = [root / f"clone-{n:02d}" for n in range(writers)]
    _must(_crisis(clones[0], "init", "--git", "--remote", str(remote)))
    answers = root / "answers.yaml"
    answers.write_text("title: Bench team\nsteps:\n  watch: pause\n", encoding="utf-8")
    _must(_crisis(clones[0], "start", str(PLAYBOOK), "--answers", str(answers)))
    _must(_crisis(clones[0], "sync"))
    for home in clones[1:]:
        _must(_crisis(home, "init", "--git", "--remote", str(remote)))
        _must(_crisis(home, "sync"))
    name = next(p.name for p in (clones[0] / "incidents").iterdir() if not p.name.startswith("."))
    return remote, clones, name


class Watcher:
    """When each note first appears in each clone's journal."""

    def __init__(self, clones: list[Path], name: str) -> None:
        self.paths = [home / "incidents" / name / "journal.jsonl" for home in clones]
        self.offsets = [0] * len(clones)
        self.seen: dict[tuple[str, int], float] = {}
        self.counts: dict[tuple[str, int], int] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.is_set():
            self.look()
            time.sleep(0.25)

    def look(self) -> None:
        import json

        now = time.monotonic()
        for n, path in enumerate(self.paths):
            try:
                with path.open("rb") as file:
                    file.seek(self.offsets[n])
                    data = file.read()
            except OSError:
                continue
            end = data.rfind(b"\n") + 1
            self.offsets[n] += end
            for raw in data[:end].splitlines():
                try:
                    text = json.loads(raw).get("data", {}).get("text")
                except ValueError:
                    continue
                if isinstance(text, str) and text.startswith("bench-"):
                    self.seen.setdefault((text, n), now)
                    self.counts[(text, n)] = self.counts.get((text, n), 0) + 1


def _cpu_seconds(pid: int) -> float:
    """The process's CPU time with its waited-for children (its git processes)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def _writers_run(writers: int, interval: int, duration: float, idle: float) -> list[dict[str, Any]]:
    from crisiscli.record import autosync

    with tempfile.TemporaryDirectory(prefix="crisis-bench-team-") as tmp:
        root = Path(tmp)
        _remote, clones, name = _team(root, writers)
        for home in clones:
            folder = autosync.state_dir(home)
            assert folder is not None
            (folder / autosync.CLIENTS).mkdir(parents=True, exist_ok=True)
            (folder / autosync.CLIENTS / str(os.getpid())).write_text(str(interval))
        env = dict(os.environ, TZ="UTC")
        syncers = [
            subprocess.Popen(
                [sys.executable, "-m", "crisiscli", "sync", "--background", f"{interval}s"],
                env=dict(env, CRISIS_HOME=str(home)),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            for home in clones
        ]
        watcher = Watcher(clones, name)
        written: dict[str, tuple[float, int]] = {}
        lock = threading.Lock()

        def write(n: int) -> None:
            import random

            rng = random.Random(n)
            end = time.monotonic() + duration
            k = 0
            while time.monotonic() < end:
                text = f"bench-{n}-{k}"
                done = _crisis(clones[n], "note", "-i", name, text, actor=f"w{n}")
                if done.returncode == 0:
                    with lock:
                        written[text] = (time.monotonic(), n)
                k += 1
                time.sleep(rng.uniform(0.5, 2.5) * max(1.0, writers / 4))

        try:
            time.sleep(1.0)
            watcher.thread.start()
            threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            deadline = time.monotonic() + interval * 3 + 30
            wanted = {(text, n) for text in written for n in range(writers)}
            while time.monotonic() < deadline and not wanted <= set(watcher.seen):
                time.sleep(0.5)
            watcher.stop.set()
            watcher.thread.join()
            watcher.look()
            time.sleep(interval + 1)  # the last cycles end; then the idle stretch
            before = [_cpu_seconds(p.pid) for p in syncers]
            time.sleep(idle)
            after = [_cpu_seconds(p.pid) for p in syncers]
            statuses = [autosync.read_status(autosync.state_dir(h)) for h in clones]  # type: ignore[arg-type]
            retries = sum(int(status.get("push_retries", 0)) for status in statuses)
            races = sum(int(status.get("races_lost", 0)) for status in statuses)
            worst = max(int(status.get("races_lost", 0)) for status in statuses)
            syncs = sum(int(status.get("syncs", 0)) for status in statuses)
        finally:
            for p in syncers:
                p.kill()
                p.wait()
    latencies = [
        watcher.seen[(text, n)] - at
        for text, (at, origin) in written.items()
        for n in range(writers)
        if n != origin and (text, n) in watcher.seen
    ]
    by_writer: dict[int, list[float]] = {}
    for text, (at, origin) in written.items():
        for n in range(writers):
            if n != origin and (text, n) in watcher.seen:
                by_writer.setdefault(origin, []).append(watcher.seen[(text, n)] - at)
    slowest = max(sorted(v)[max(0, -(-len(v) * 9 // 10) - 1)] for v in by_writer.values())
    # A note's first arrival at any teammate: about when its writer's push landed (the first
    # of the others to fetch after it); the slowest writer's p90 of it is push starvation.
    first: dict[int, list[float]] = {}
    for text, (at, origin) in written.items():
        arrivals = [watcher.seen[(text, n)] for n in range(writers) if n != origin and (text, n) in watcher.seen]  # fmt: skip
        if arrivals:
            first.setdefault(origin, []).append(min(arrivals) - at)
    pushed = max(sorted(v)[max(0, -(-len(v) * 9 // 10) - 1)] for v in first.values())
    missing = len(wanted - set(watcher.seen))
    doubled = sum(1 for count in watcher.counts.values() if count > 1)
    cpu = max(b - a for a, b in zip(before, after, strict=True)) / idle
    label = f"{writers} writers, interval {interval}s, {len(written)} notes"
    ordered = sorted(latencies)
    p90 = ordered[max(0, -(-len(ordered) * 9 // 10) - 1)]  # nearest rank
    rows = [
        _row(
            f"team p50: note to the other clones ({label})", statistics.median(latencies), interval
        ),
        _row(
            f"team p90: note to the other clones ({label})",
            p90,
            interval,
            target=f"<= {interval + 3}s",
            ok=p90 <= interval + 3 and not missing and not doubled,
        ),
        _row(f"team max: note to the other clones ({label})", max(latencies), interval),
        _row(f"team: the slowest writer's p90, nobody starves ({label})", slowest, interval),
        _row(
            f"team: the slowest writer's p90 to its first teammate (its push) ({label})",
            pushed,
            interval,
        ),
        {
            "name": f"team: push retries per event, lost, doubled ({label})",
            "seconds": None,
            "baseline_name": f"{missing} lost, {doubled} doubled, {syncs} syncs, {races} lost "
            f"every race (at most {worst} on one clone)",
            "baseline_seconds": None,
            "ratio": round(retries / max(1, len(written)), 3),
            "target": "0 lost, 0 doubled",
            "ok": not missing and not doubled,
        },
        {
            "name": f"team: idle CPU per clone, share of a core ({label})",
            "seconds": round(cpu * 60, 3),
            "baseline_name": "CPU s per minute",
            "baseline_seconds": 60.0,
            "ratio": round(cpu, 4),
            "target": "< 0.01",
            "ok": cpu < 0.01,
        },
    ]
    return rows


def _row(name: str, seconds: float, interval: int, *, target: str | None = None, ok: bool | None = None) -> dict[str, Any]:  # fmt: skip
    return {"name": name, "seconds": round(seconds, 3), "baseline_name": "sync interval",
            "baseline_seconds": float(interval), "ratio": round(seconds / interval, 2),
            "target": target, "ok": ok}  # fmt: skip


def _timed(action: Any, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best


def _against_git(rounds: int) -> list[dict[str, Any]]:
    """Whole processes, and the syncer's in-process idle cycle, against plain git."""
    from crisiscli.record.sync import remote_moved

    with tempfile.TemporaryDirectory(prefix="crisis-bench-team-git-") as tmp:
        root = Path(tmp)
        remote, clones, name = _team(root, 2)
        a, b = clones
        plain = root / "plain"
        _git(root, "clone", "--quiet", str(remote), str(plain))
        branch = subprocess.run(["git", "-C", str(b), "symbolic-ref", "--short", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
        fetch = _timed(lambda: _git(plain, "fetch", "--quiet"), rounds)
        idle_process = _timed(lambda: _must(_crisis(b, "sync")), rounds)
        from crisiscli.record.gitrepo import open_repo

        repo = open_repo(b)
        assert repo is not None
        idle_cycle = _timed(lambda: remote_moved(repo, "origin", branch), rounds)  # nothing new
        take_in, plain_in = [], []
        for n in range(rounds):
            _must(_crisis(a, "note", "-i", name, f"bench-git-{n}"))
            _must(_crisis(a, "sync"))
            started = time.perf_counter()
            _must(_crisis(b, "sync"))
            take_in.append(time.perf_counter() - started)
            started = time.perf_counter()
            _git(plain, "fetch", "--quiet")
            _git(plain, "merge", "--quiet", "--ff-only", f"origin/{branch}")
            plain_in.append(time.perf_counter() - started)
        shutil.rmtree(plain, ignore_errors=True)
    rows = []
    for label, mine, base_name, base, target in (
        ("team: `crisis sync` with nothing new, whole process", idle_process, "git fetch", fetch, None),
        ("team: `crisis sync` taking in one event, whole process", min(take_in),
         "git fetch + merge --ff-only", min(plain_in), None),
        ("team: the background syncer's idle cycle, in-process", idle_cycle, "git fetch", fetch, "<= 2x"),
    ):  # fmt: skip
        ratio = mine / base if base else None
        rows.append({"name": label, "seconds": round(mine, 4), "baseline_name": base_name,
                     "baseline_seconds": round(base, 4), "ratio": round(ratio, 2) if ratio else None,
                     "target": target, "ok": (ratio <= 2) if target and ratio else None})  # fmt: skip
    return rows


def run(smoke: bool) -> list[dict[str, Any]]:
    saved = dict(os.environ)
    os.environ.update({"GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "b@example.org",
                       "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "b@example.org"})  # fmt: skip
    try:
        with tempfile.TemporaryDirectory(prefix="crisis-bench-gitcfg-") as cfg:
            os.environ["GIT_CONFIG_GLOBAL"] = str(Path(cfg) / "gitconfig")
            (Path(cfg) / "gitconfig").write_text(
                "[init]\n\tdefaultBranch = main\n", encoding="utf-8"
            )
            rows = _against_git(2 if smoke else 5)
            if smoke:
                rows += _writers_run(2, interval=2, duration=4, idle=2)
            else:
                for writers in (2, 5, 10, 20):
                    rows += _writers_run(writers, interval=15, duration=60, idle=30)
            return rows
    finally:
        os.environ.clear()
        os.environ.update(saved)


if __name__ == "__main__":
    for row in run("--smoke" in sys.argv):
        print(row)
