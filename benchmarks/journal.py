"""Event write latency: the durable journal append against a plain unsynced append.

`Journal.append` takes the incident's lock, checks for a torn tail, writes one line and
fsyncs it before returning: that fsync is the price of "nothing lost". This measures its
p50 and p95 against the cheapest possible append (open, write, close, no fsync, no lock)
of the same lines, and the whole `Incident.record` (append, fold, log.md rewrite) on a
journal already holding many events. The figures are for reading, not gating: fsync cost
depends on the disk far more than on our code.

    python benchmarks/journal.py [--smoke]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from crisiscli.record.events import NewEvent


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def _plain_append(path: Path, line: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def run(smoke: bool) -> list[dict[str, Any]]:
    from crisiscli.env import utc_now
    from crisiscli.record.events import Event, to_line
    from crisiscli.record.journal import Journal, new_event_id

    events = 20 if smoke else 500
    history = 30 if smoke else 1000
    data = {"text": "Reporter from the Herald asked for comment; call back at 16:00."}
    with tempfile.TemporaryDirectory(prefix="crisis-bench-") as tmp:
        folder = Path(tmp)
        journal = Journal(folder / "journal.jsonl")
        durable, plain = [], []
        for _ in range(events):  # interleaved, so noise hits both alike
            started = time.perf_counter()
            with journal.locked():
                journal.append(NewEvent("note.added", data), actor="bench", clock=utc_now)
            durable.append(time.perf_counter() - started)
            event = Event(new_event_id(), utc_now(), "bench", "note.added", data)
            line = (to_line(event) + "\n").encode()
            started = time.perf_counter()
            _plain_append(folder / "plain.jsonl", line)
            plain.append(time.perf_counter() - started)
        record = _record_latency(folder / "home", history, 5 if smoke else 50)
    rows = []
    for label, fraction in (("p50", 0.5), ("p95", 0.95)):
        ours, base = percentile(durable, fraction), percentile(plain, fraction)
        rows.append(
            {
                "name": f"journal: append {label} (lock + fsync)",
                "seconds": round(ours, 6),
                "baseline_name": f"plain append {label} (no fsync)",
                "baseline_seconds": round(base, 6),
                "ratio": round(ours / base, 2) if base > 0 else None,
                "target": "for reading (fsync cost is the disk's)",
                "ok": None,
                "events": events,
            }
        )
    median_append = statistics.median(durable)
    rows.append(
        {
            "name": f"journal: Incident.record p50 at {history} events",
            "seconds": round(record, 6),
            "baseline_name": "append p50 (lock + fsync)",
            "baseline_seconds": round(median_append, 6),
            "ratio": round(record / median_append, 2) if median_append > 0 else None,
            "target": "for reading (fold + log.md rewrite)",
            "ok": None,
            "events": history,
        }
    )
    return rows


def _record_latency(home: Path, history: int, samples: int) -> float:
    """Median time of one `Incident.record` on an incident that has ``history`` events."""
    from crisiscli.env import Environment
    from crisiscli.playbook.catalog import resolve
    from crisiscli.record.store import create_incident
    from crisiscli.views.log import derived_files

    env = Environment(home=home, actor="bench", derived=derived_files)
    entry = resolve(env, "general")
    assert entry.playbook is not None
    incident = create_incident(env, entry.playbook, title="Benchmark", severity="moderate")
    journal = incident.journal
    with journal.locked():
        for n in range(history):
            journal.append(
                NewEvent("note.added", {"text": f"note {n}"}), actor="bench", clock=env.clock
            )
    times = []
    for n in range(samples):
        started = time.perf_counter()
        incident.record(NewEvent("note.added", {"text": f"timed note {n}"}))
        times.append(time.perf_counter() - started)
    return statistics.median(times)


if __name__ == "__main__":
    for row in run("--smoke" in sys.argv[1:]):
        print(f"{row['name']:<48} {row['seconds']:.6f} s  ratio {row['ratio']}")
