"""How fast `crisis queue import` reads a big export, against the least work possible.

Baseline: ``csv.reader`` over the same text plus ``datetime.fromisoformat`` on each date
(what any reader must do at minimum). Measured: ``crisiscli.queue.importer.read_queue_csv`` on the
same bytes (decoding, delimiter sniffing, header mapping, the file-wide day/month check,
zone handling and post ids), which does several times the baseline's work per row.

A second, informational measurement compares N rows with ten times the cost of N/10 rows:
a quadratic step would show as a ratio far above 1 (measured 1.4-2x: the garbage collector
walks more live objects in the bigger run).
Contract: ``run(smoke) -> list[dict]`` (see benchmarks/run.py).
"""

from __future__ import annotations

import csv
import gc
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crisiscli.queue.importer import read_queue_csv

TARGET = 12.0  # vs the bare minimum; real exports are a few hundred rows


def _export(rows: int) -> bytes:
    start = datetime(2026, 11, 23, 8, 0)
    lines = ["Posting Time,Text,Platform,Link"]
    for i in range(rows):
        when = (start + timedelta(minutes=7 * i)).strftime("%Y-%m-%d %H:%M")
        lines.append(
            f'{when},"Post {i}: our winter menu, now with soup 🍲 #cosy",x,https://e.x/{i}'
        )
    return ("\n".join(lines) + "\n").encode()


def _best(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        gc.collect()  # garbage from the previous run must not be billed to this one
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run(smoke: bool = False) -> list[dict[str, object]]:
    rows = 2_000 if smoke else 50_000
    blob = _export(rows)
    repeat = 5 if smoke else 7

    def baseline() -> None:
        reader = csv.reader(blob.decode("utf-8").splitlines())
        next(reader)
        for row in reader:
            datetime.fromisoformat(row[0]).replace(tzinfo=timezone.utc)

    def measured() -> None:
        result = read_queue_csv(blob, "bench.csv", zone=timezone.utc)
        assert len(result.posts) == rows

    base = _best(baseline, repeat)
    ours = _best(measured, repeat)
    ratio = ours / base if base else float("inf")
    tenth = _export(rows // 10)
    small = _best(lambda: read_queue_csv(tenth, "bench.csv", zone=timezone.utc), repeat * 2)
    linear = ours / (10 * small) if small else float("inf")
    return [
        {
            "name": f"queue import ({rows} rows)",
            "seconds": ours,
            "baseline_name": "csv.reader + fromisoformat",
            "baseline_seconds": base,
            "ratio": ratio,
            "target": f"<= {TARGET:g}x",
            # a smoke run takes milliseconds: too short to judge on a shared machine
            "ok": None if smoke else ratio <= TARGET,
        },
        {
            "name": f"queue import linearity ({rows} rows)",
            "seconds": ours,
            "baseline_name": f"10 x queue import ({rows // 10} rows)",
            "baseline_seconds": 10 * small,
            "ratio": linear,
            "target": "about 1x (informational: CPython's collector and a shared machine add noise)",
            "ok": None,
        },
    ]


if __name__ == "__main__":
    for m in run(smoke="--smoke" in sys.argv):
        print(
            f"{m['name']}: {m['seconds']:.3f}s vs {m['baseline_name']} "
            f"{m['baseline_seconds']:.3f}s = {m['ratio']:.2f}x (target {m['target']}) "
            f"{'-' if m['ok'] is None else 'ok' if m['ok'] else 'NOT MET'}"
        )
