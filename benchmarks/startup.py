"""Start-up time of each command against `python -c "import typer"`.

A stressed responder types `crisis note ...` and `crisis status` many times an hour; each
must feel instant. Measured: `crisis --version`, `crisis --help`, `crisis note TEXT`
(against a prepared CRISIS_HOME with an open incident) and `crisis COMMAND --help` for
every command, interleaved with the baseline so machine noise hits both alike. The
figure is the median of N runs; the target is at most 1.3x the baseline.

    python benchmarks/startup.py [--smoke]
"""

from __future__ import annotations

import os
import pkgutil
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET = 1.3
ANSWERS = """\
title: Benchmark incident
inputs: {brand: Acme, platform: x, source: ours}
default: na
"""


def crisis() -> list[str]:
    script = Path(sys.executable).parent / "crisis"
    if script.exists():
        return [str(script)]
    found = shutil.which("crisis")
    return [found] if found else [sys.executable, "-m", "crisiscli"]


def command_names() -> list[str]:
    import crisiscli.cli.commands as commands

    return sorted(
        i.name for i in pkgutil.iter_modules(commands.__path__) if not i.name.startswith("_")
    )


def prepare_home(home: Path, env: dict[str, str]) -> None:
    """An open incident to write notes to (walk-through finished, not closed)."""
    answers = home / "answers.yaml"
    home.mkdir(parents=True, exist_ok=True)
    answers.write_text(ANSWERS, encoding="utf-8")
    subprocess.run(
        [*crisis(), "start", "general", "--answers", str(answers)],
        env=env,
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )


def timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {done.stderr.decode(errors='replace')}")
    return elapsed


def run(smoke: bool) -> list[dict[str, Any]]:
    repeats = 1 if smoke else 15
    with tempfile.TemporaryDirectory(prefix="crisis-bench-") as tmp:
        home = Path(tmp) / "home"
        env = dict(os.environ, CRISIS_HOME=str(home), CRISIS_USER="bench", NO_COLOR="1")
        prepare_home(home, env)
        cases: dict[str, list[str]] = {
            "crisis --version": [*crisis(), "--version"],
            "crisis --help": [*crisis(), "--help"],
            "crisis note TEXT": [*crisis(), "note", "benchmark note"],
        }
        for name in command_names():
            cases[f"crisis {name} --help"] = [*crisis(), name, "--help"]
        baseline_name = 'python -c "import typer"'
        baseline_argv = [sys.executable, "-c", "import typer"]
        times: dict[str, list[float]] = {name: [] for name in cases}
        base: list[float] = []
        timed(baseline_argv, env)  # warm the file cache once before measuring
        for _ in range(repeats):
            for name, argv in cases.items():  # interleaved: baseline before every command
                base.append(timed(baseline_argv, env))
                times[name].append(timed(argv, env))
    base_median = statistics.median(base)
    rows = []
    for name, samples in times.items():
        median = statistics.median(samples)
        ratio = median / base_median
        rows.append(
            {
                "name": f"startup: {name}",
                "seconds": round(median, 4),
                "baseline_name": baseline_name,
                "baseline_seconds": round(base_median, 4),
                "ratio": round(ratio, 3),
                "target": f"<= {TARGET}x",
                "ok": ratio <= TARGET,
                "runs": repeats,
            }
        )
    return rows


if __name__ == "__main__":
    for row in run("--smoke" in sys.argv[1:]):
        print(f"{row['name']:<34} {row['seconds']:.4f} s  {row['ratio']:.2f}x  ok={row['ok']}")
