"""Cost per event must not grow with the incident: small against huge, in one run.

- ``crisis note`` on a 10-event incident and on a 100,000-event one, each against
  ``python -c "import typer"`` measured interleaved (targets 1.3x and 1.4x);
- ``crisis status`` and ``crisis list`` with 1,000 incidents in CRISIS_HOME (1.5x);
- recording one event in process (append + fsync + fold + log.md) at 100,000 events
  against the same at 10 (within 2x);
- the walk-through's screen wait (from an answer to the next screen) p90 on a 10,000-event
  incident (under 50 ms).

The big journals are written line by line as crisis would (valid events, increasing
times), then folded once by ``crisis status``: the figures are the steady state, where
each command folds only what is new. That first full fold is reported for reading.

    python benchmarks/growth.py [--smoke]
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from startup import crisis, timed  # noqa: E402

ANSWERS = """\
title: Benchmark incident
inputs: {brand: Acme, platform: x, source: ours}
default: na
"""


def _line(n: int, ts: datetime, kind: str, data: dict[str, Any]) -> str:
    record = {
        "v": 1, "id": f"{n:032x}", "ts": ts.isoformat(timespec="microseconds"),
        "actor": f"writer{n % 3}", "type": kind, "data": data,
    }  # fmt: skip
    return json.dumps(record, separators=(",", ":")) + "\n"


def grow(journal: Path, events: int, steps: list[str], items: dict[str, list[str]]) -> None:
    """Append ``events`` realistic lines: notes mostly, ticks, answers, steps revisited.

    Ten microseconds apart after the last event, so none is ahead of the clock when the
    benchmark runs (a real 100,000-event incident would have taken days to write)."""
    last = datetime.fromisoformat(
        json.loads(journal.read_text(encoding="utf-8").splitlines()[-1])["ts"]
    )
    with journal.open("a", encoding="utf-8") as out:
        for n in range(events):
            ts = last + timedelta(microseconds=10 * (n + 1))
            step = steps[n % len(steps)]
            kind = n % 10
            if kind < 6:
                out.write(_line(n, ts, "note.added", {"text": f"Update {n}: still watching"}))
            elif kind < 8 and items.get(step):
                item = items[step][n % len(items[step])]
                verb = "item.checked" if n % 20 < 10 else "item.unchecked"
                out.write(_line(n, ts, verb, {"step": step, "item": item}))
            elif kind == 8:
                out.write(_line(n, ts, "step.entered", {"step": step, "via": "next"}))
            else:
                out.write(_line(n, ts, "step.deferred", {"step": step, "reason": "later"}))


def prepare(home: Path, env: dict[str, str], events: int) -> str:
    """An incident with about ``events`` events; returns its id (folded once)."""
    home.mkdir(parents=True, exist_ok=True)
    answers = home / "answers.yaml"
    answers.write_text(ANSWERS + ("steps: {first-look: {action: pause}}\n"), encoding="utf-8")
    subprocess.run(
        [*crisis(), "start", "general", "--answers", str(answers)],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, check=False,
    )  # fmt: skip
    (folder,) = (home / "incidents").iterdir()
    snapshot = json.loads((folder / "playbook.json").read_text(encoding="utf-8"))
    steps = [s["id"] for phase in snapshot["phases"] for s in phase["steps"]]
    items = {
        s["id"]: [i["id"] for i in s.get("items", [])]
        for phase in snapshot["phases"]
        for s in phase["steps"]
    }
    have = sum(1 for _ in (folder / "journal.jsonl").open(encoding="utf-8"))
    if events > have:
        grow(folder / "journal.jsonl", events - have, steps, items)
    return folder.name


def first_fold(env: dict[str, str]) -> float:
    return timed([*crisis(), "status", "--json"], env)


def many_incidents(home: Path, env: dict[str, str], count: int) -> None:
    """``count`` incidents: copies of one closed incident, the newest left open."""
    prepare(home, env, 0)
    (folder,) = (home / "incidents").iterdir()
    subprocess.run([*crisis(), "close", folder.name], env=env, capture_output=True, check=True)
    for n in range(1, count):
        shutil.copytree(folder, folder.with_name(f"2026-11-{1 + n % 28:02d}-{n:04d}-copy"))
    newest = sorted((home / "incidents").iterdir())[-1]
    subprocess.run([*crisis(), "close", "--reopen", newest.name], env=env, capture_output=True)
    timed([*crisis(), "list"], env)  # the first listing writes every summary


def interleaved(cases: dict[str, list[str]], envs: dict[str, dict[str, str]], repeats: int
                ) -> tuple[dict[str, float], float]:  # fmt: skip
    base_argv = [sys.executable, "-c", "import typer"]
    base: list[float] = []
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeats):
        for name, argv in cases.items():
            base.append(timed(base_argv, envs[name]))
            times[name].append(timed(argv, envs[name]))
    return {k: statistics.median(v) for k, v in times.items()}, statistics.median(base)


def in_process_record(home: Path, samples: int) -> float:
    """Median time of one Incident.record (append, fsync, fold, log.md) in one process."""
    from crisiscli.env import Environment, set_env
    from crisiscli.record.events import note_added
    from crisiscli.record.store import list_incidents
    from crisiscli.views.log import derived_files

    env = Environment(home=home, actor="bench", derived=derived_files)
    set_env(env)
    (incident,) = list_incidents(env)
    incident.state()  # what a walk-through holds already
    times = []
    for n in range(samples):
        started = time.perf_counter()
        incident.record(note_added(f"timed note {n}", step="first-look"))
        times.append(time.perf_counter() - started)
    set_env(None)
    return statistics.median(times)


def screen_waits(home: Path, steps: int) -> list[float]:
    """Seconds from each answer to the next screen, resuming a big incident scripted."""
    from crisiscli.env import Environment, set_env
    from crisiscli.errors import Paused
    from crisiscli.record.store import list_incidents
    from crisiscli.views.log import derived_files
    from crisiscli.walk.answers import ScriptedPrompter, load_answers
    from crisiscli.walk.engine import Walkthrough

    path = home / "resume.yaml"
    path.write_text("default: na\n", encoding="utf-8")
    env = Environment(home=home, actor="bench", derived=derived_files)
    set_env(env)
    (incident,) = list_incidents(env)
    waits: list[float] = []
    answered = [0.0]

    class Timed(ScriptedPrompter):
        def show_step(self, view: Any) -> None:
            if answered[0]:
                waits.append(time.perf_counter() - answered[0])
            super().show_step(view)

        def choose_action(self, view: Any, allowed: Any) -> Any:
            action = super().choose_action(view, allowed)
            answered[0] = time.perf_counter()
            if len(waits) >= steps:
                raise Paused()
            return action

    with contextlib.suppress(Paused):  # stopped after enough screens
        Walkthrough(incident, Timed(load_answers(path))).run()
    set_env(None)
    return waits


def row(name: str, seconds: float, base_name: str, base: float, target: float | None,
        **extra: Any) -> dict[str, Any]:  # fmt: skip
    ratio = seconds / base if base > 0 else None
    return {
        "name": name, "seconds": round(seconds, 4), "baseline_name": base_name,
        "baseline_seconds": round(base, 4), "ratio": round(ratio, 3) if ratio else None,
        "target": f"<= {target}x" if target else "for reading",
        "ok": (ratio is not None and ratio <= target) if target else None, **extra,
    }  # fmt: skip


def run(smoke: bool) -> list[dict[str, Any]]:
    big = 300 if smoke else 100_000
    medium = 200 if smoke else 10_000
    count = 5 if smoke else 1000
    repeats = 1 if smoke else 15
    rows = []
    with tempfile.TemporaryDirectory(prefix="crisis-growth-") as tmp:
        envs = {}
        for name in ("small", "big", "medium", "many"):
            envs[name] = dict(
                os.environ, CRISIS_HOME=f"{tmp}/{name}", CRISIS_USER="bench", NO_COLOR="1"
            )
        prepare(Path(tmp, "small"), envs["small"], 10)
        prepare(Path(tmp, "big"), envs["big"], big)
        prepare(Path(tmp, "medium"), envs["medium"], medium)
        fold_once = first_fold(envs["big"])
        first_fold(envs["small"])
        first_fold(envs["medium"])
        many_incidents(Path(tmp, "many"), envs["many"], count)
        cases = {
            "small": [*crisis(), "note", "benchmark note"],
            "big": [*crisis(), "note", "benchmark note"],
            "status": [*crisis(), "status"],
            "list": [*crisis(), "list"],
        }
        case_envs = {"small": envs["small"], "big": envs["big"], "status": envs["many"],
                     "list": envs["many"]}  # fmt: skip
        medians, base = interleaved(cases, case_envs, repeats)
        typer = 'python -c "import typer"'
        rows.append(
            row("growth: crisis note, 10-event incident", medians["small"], typer, base, 1.3)
        )
        rows.append(
            row(f"growth: crisis note, {big:,}-event incident", medians["big"], typer, base, 1.4)
        )
        rows.append(
            row(f"growth: crisis status, {count:,} incidents", medians["status"], typer, base, 1.5)
        )
        rows.append(
            row(f"growth: crisis list, {count:,} incidents", medians["list"], typer, base, 1.5)
        )
        rows.append(row(f"growth: first full fold of {big:,} events (once, then cached)",
                        fold_once, typer, base, None))  # fmt: skip
        small = in_process_record(Path(tmp, "small"), 20 if smoke else 200)
        large = in_process_record(Path(tmp, "big"), 20 if smoke else 200)
        rows.append(row(f"growth: record one event at {big:,} events (in process)", large,
                        "the same at 10 events", small, 2.0))  # fmt: skip
        waits = screen_waits(Path(tmp, "medium"), 10 if smoke else 60)
        p90 = sorted(waits)[int(0.9 * (len(waits) - 1))] if waits else 0.0
        rows.append(
            {
                "name": f"growth: screen wait p90 at {medium:,} events",
                "seconds": round(p90, 4),
                "baseline_name": "target 50 ms",
                "baseline_seconds": 0.05,
                "ratio": round(p90 / 0.05, 3),
                "target": "< 50 ms",
                "ok": p90 < 0.05,
                "samples": len(waits),
            }
        )
    return rows


if __name__ == "__main__":
    for r in run("--smoke" in sys.argv[1:]):
        print(f"{r['name']:<58} {r['seconds']:.4f} s  {r['ratio']}x  ok={r['ok']}")
