"""Benchmark: `crisis report` and `crisis stats` on large journals.

Targets (issue 5): an incident with 10,000 events renders to markdown in under 1 s and to
HTML in under 2 s; stats over 1,000 incidents in under 3 s; memory grows linearly. Each
time is also given as a ratio to a baseline measured in the same run: plain `json.loads`
of the same journal lines (the least any reader must do). Memory is the tracemalloc peak
of building and rendering a report at two sizes; linear growth means the ratio of the
peaks is close to the ratio of the sizes (2x).

    python benchmarks/report.py            # full sizes
    python benchmarks/report.py --smoke    # small sizes: proves it runs
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from crisiscli.env import Environment  # noqa: E402
from crisiscli.playbook.load import load_playbook  # noqa: E402
from crisiscli.playbook.model import Playbook, to_data  # noqa: E402
from crisiscli.record.journal import Event  # noqa: E402
from crisiscli.record.store import JOURNAL, SNAPSHOT, Incident  # noqa: E402

START = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
NOTES = [
    "Mentions doubled in the last quarter hour; two news accounts quote-posted.",
    "Legal is on the call. No statement about the person yet.",
    "Customer service has the ticket; the customer prefers a phone call after 18:00.",
    "Screenshot of the reply saved as shot-14.png in the team drive.",
]


def _events(playbook: Playbook, count: int, start: datetime, rng: random.Random) -> list[Event]:
    """A plausible incident: every step walked, then notes, contacts and checks to ``count``."""
    events: list[Event] = []
    t = start
    n = 0

    def add(kind: str, data: dict[str, Any], actor: str = "dana") -> None:
        nonlocal t, n
        n += 1
        t += timedelta(seconds=rng.randint(1, 20))
        events.append(Event(f"e{n:07d}", t, actor, kind, data))

    add("incident.opened", {"title": "Benchmark incident", "severity": "high", "drill": False,
                            "playbook": {"id": playbook.id, "title": playbook.title,
                                         "version": playbook.version, "source": ""}})  # fmt: skip
    for q in playbook.inputs:
        value = q.choices[0].value if q.choices else "Acme"
        add("input.set", {"input": q.id, "value": value})
    for step in playbook.steps:
        add("step.entered", {"step": step.id, "via": "next"})
        for item in step.items:
            add("item.checked", {"step": step.id, "item": item.id})
        for q in step.questions:
            value: Any = (
                q.choices[0].value if q.choices else ("yes" if q.type == "yesno" else "An answer")
            )
            add("answer.set", {"step": step.id, "question": q.id, "value": value})
        if step.message is not None:
            add("message.recorded", {"step": step.id, "text": "We got this wrong. We are sorry.",
                                     "platforms": list(step.message.platforms), "kind": step.message.kind})  # fmt: skip
            add("message.approved", {"step": step.id, "approver": "Sam"})
        if rng.random() < 0.15:
            add("step.skipped", {"step": step.id, "reason": "Handled by phone instead"})
        else:
            add("step.done", {"step": step.id})
        if len(events) >= count * 0.5:
            break
    c = 0
    while len(events) < count - 2:
        roll = rng.random()
        if roll < 0.7:
            add("note.added", {"text": rng.choice(NOTES)}, rng.choice(["dana", "alex", "sam"]))
        elif roll < 0.85:
            c += 1
            add("contact.logged", {"id": f"c{c}", "who": f"Customer {c}", "channel": "dm",
                                   "outcome": "no answer", "note": f"call +46 70 {c:07d}"})  # fmt: skip
        else:
            add("action.added", {"id": f"A{n}", "text": "Follow up on the refund", "owner": "dana"})
    add("run.finished", {"status": "complete", "deferred": []})
    add("incident.closed", {})
    return events[:count]


def _write_incident(root: Path, name: str, playbook: Playbook, events: list[Event]) -> Path:
    folder = root / "incidents" / name
    folder.mkdir(parents=True)
    (folder / SNAPSHOT).write_text(json.dumps(to_data(playbook), ensure_ascii=False, indent=1))
    (folder / JOURNAL).write_text("".join(e.to_json() + "\n" for e in events), encoding="utf-8")
    return folder


def _loads_each(lines: list[bytes]) -> None:
    """The baseline: decode and parse every line, keeping nothing (as a streaming reader)."""
    for line in lines:
        json.loads(line.decode("utf-8"))


def _best(fn: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _row(name: str, seconds: float, baseline_name: str, baseline: float, target: str, limit: float | None) -> dict[str, Any]:  # fmt: skip
    return {
        "name": name,
        "seconds": round(seconds, 4),
        "baseline_name": baseline_name,
        "baseline_seconds": round(baseline, 4),
        "ratio": round(seconds / baseline, 1) if baseline > 0 else None,
        "target": target,
        "ok": None if limit is None else seconds < limit,  # limit is None in smoke runs
    }


def run(smoke: bool = False) -> list[dict[str, Any]]:
    from crisiscli.views.report.model import report_for
    from crisiscli.views.report.render import render
    from crisiscli.views.stats import SnapshotCache, compute, summarize

    playbook = load_playbook(ROOT / "playbooks" / "general.yaml")
    big = 1_000 if smoke else 10_000
    many = 50 if smoke else 1_000
    repeat = 1 if smoke else 5
    rng = random.Random(5)
    rows: list[dict[str, Any]] = []

    def limit(seconds: float) -> float | None:
        return None if smoke else seconds  # a smoke run is too small to judge

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        env = Environment(home=home)
        now = START + timedelta(days=30)

        folder = _write_incident(home, "big", playbook, _events(playbook, big, START, rng))
        lines = (folder / JOURNAL).read_bytes().splitlines()
        baseline = _best(lambda: _loads_each(lines), repeat)
        base_name = f"json.loads of {big:,} journal lines"

        def report(fmt: str) -> str:
            incident = Incident("big", folder, env)
            return render(report_for(incident, now=now, tz=timezone.utc, zone_name="UTC"), fmt)

        md = _best(lambda: report("md"), repeat)
        rows.append(
            _row(f"report md, {big:,} events", md, base_name, baseline, "< 1 s", limit(1.0))
        )
        html = _best(lambda: report("html"), repeat)
        rows.append(
            _row(f"report html, {big:,} events", html, base_name, baseline, "< 2 s", limit(2.0))
        )
        js = _best(lambda: report("json"), repeat)
        rows.append(
            _row(f"report json, {big:,} events", js, base_name, baseline, "informational", None)
        )

        # memory: peak while building and rendering at half and full size
        half_folder = _write_incident(
            home, "half", playbook, _events(playbook, big // 2, START, rng)
        )
        peaks = []
        for name, path in (("half", half_folder), ("big", folder)):
            incident = Incident(name, path, env)
            tracemalloc.start()
            render(report_for(incident, now=now, tz=timezone.utc, zone_name="UTC"), "md")
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
        ratio = peaks[1] / peaks[0]
        rows.append({
            "name": f"report md memory peak, {big:,} vs {big // 2:,} events",
            "seconds": None,
            "baseline_name": f"peak at {big // 2:,} events ({peaks[0] / 1e6:.1f} MB)",
            "baseline_seconds": None,
            "ratio": round(ratio, 2),
            "target": "<= 2.3x (linear: twice the events, about twice the memory)",
            "ok": None if smoke else ratio <= 2.3,
            "peak_bytes": peaks[1],
            "baseline_peak_bytes": peaks[0],
        })  # fmt: skip

        # stats over many incidents of ~60-200 events each
        stats_home = home / "stats"
        for i in range(many):
            start = START + timedelta(hours=7 * i)
            _write_incident(stats_home, f"{start:%Y-%m-%d-%H%M}-i{i}", playbook,
                            _events(playbook, rng.randint(60, 200), start, rng))  # fmt: skip
        stats_env = Environment(home=stats_home)
        all_lines = [
            line
            for p in sorted((stats_home / "incidents").glob("*/journal.jsonl"))
            for line in p.read_bytes().splitlines()
        ]
        stats_base = _best(lambda: _loads_each(all_lines), repeat)

        def stats() -> dict[str, Any]:
            from crisiscli.record.store import list_incidents

            cache = SnapshotCache()
            found = [summarize(i, cache, now) for i in list_incidents(stats_env)]
            return compute(found)

        assert stats()["incidents"] == many
        st = _best(stats, repeat)
        rows.append(_row(f"stats, {many:,} incidents", st,
                         f"json.loads of their {len(all_lines):,} lines", stats_base, "< 3 s", limit(3.0)))  # fmt: skip
    return rows


def main(argv: list[str]) -> int:
    rows = run(smoke="--smoke" in argv)
    for r in rows:
        if r["seconds"] is not None:
            print(f"{r['name']:<42} {r['seconds']:>8.3f} s  {r['ratio']:>6}x {r['baseline_name']}"
                  f"  target {r['target']}  ok={r['ok']}")  # fmt: skip
        else:
            print(
                f"{r['name']:<42} ratio {r['ratio']}  ({r['baseline_name']})  target {r['target']}  ok={r['ok']}"
            )
    if "--json" in argv:
        print(json.dumps(rows, indent=2))
    return 0 if all(r["ok"] is not False for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
