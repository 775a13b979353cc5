"""``--redact`` costs linear time in the names the journal knows (issue 21).

Building the redactor used to test each new name against a *list* of the names kept so far
(``name.casefold() not in names``): quadratic, 1.8 s at 16,000 names. It now keeps them in a
dictionary. Measured here, in one run:

- building a Redactor (with the name-part and initial variants a report uses) for 5,000 and
  for 50,000 distinct names: the cost per name at 50,000 against the cost per name at
  5,000 (target: within 1.5x — linear; quadratic would be about 10x);
- redacting one 2,000-character text with 50,000 names known against 5,000 (target: within
  1.5x — a look-up per word, not a pass of every name);
- for reading: the old list-membership build at 16,000 names, as the issue measured it.

    python benchmarks/redact.py [--smoke]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

from crisiscli.views.report.redact import Redactor  # noqa: E402

TARGET = 1.5


def names(count: int) -> list[str]:
    """Distinct two-word names, like a contact list of customers."""
    first = ["Anna", "Bo", "Cleo", "Dag", "Eva", "Frej", "Gun", "Hugo", "Ines", "Jon"]
    return [f"{first[n % len(first)]} Customer{n}" for n in range(count)]


def best(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def old_build(people: list[str]) -> None:
    """The former building loop, kept here only to show what it cost."""
    kept: list[str] = []
    for name in people:
        if name.casefold() not in kept:
            kept.append(name.casefold())


TEXT = (
    "Anna Customer12 wrote to us twice; Hi Bo, thanks. Call Cleo Customer40000 at "
    "+46 70 555 12 34 or mail cleo@example.net, @cleo_c on X. "
) * 16


def run(smoke: bool = False) -> list[dict[str, Any]]:
    small, big = (500, 5_000) if smoke else (5_000, 50_000)
    repeat = 2 if smoke else 5
    rows: list[dict[str, Any]] = []
    few, many = names(small), names(big)

    def build(people: list[str]) -> Redactor:
        return Redactor(enabled=True, people=people, parts=True)

    t_small, t_big = float("inf"), float("inf")
    for _ in range(repeat):  # interleaved: a busy moment on a shared machine hits both
        t_small = min(t_small, best(lambda: build(few), 1))
        t_big = min(t_big, best(lambda: build(many), 1))
    per_small, per_big = t_small / small, t_big / big
    ratio = per_big / per_small
    rows.append(
        {
            "name": f"redactor build per name, {big:,} names",
            "seconds": t_big,
            "baseline_name": f"{small:,} names",
            "baseline_seconds": t_small,
            "ratio": ratio,
            "target": f"per name <= {TARGET}x",
            "ok": ratio <= TARGET if not smoke else None,
        }
    )
    r_small, r_big = build(few), build(many)
    texts = [best(lambda r=r: r.text(TEXT), repeat * 4) for r in (r_small, r_big)]
    rows.append(
        {
            "name": f"redact one {len(TEXT):,}-char text, {big:,} names known",
            "seconds": texts[1],
            "baseline_name": f"{small:,} names",
            "baseline_seconds": texts[0],
            "ratio": texts[1] / texts[0] if texts[0] else None,
            "target": f"<= {TARGET}x",
            "ok": (texts[1] / texts[0] <= TARGET) if texts[0] and not smoke else None,
        }
    )
    if not smoke:
        legacy = names(16_000)
        old = best(lambda: old_build(legacy), 1)
        new = best(lambda: build(legacy), 3)
        rows.append(
            {
                "name": "old list-membership build, 16,000 names (for reading)",
                "seconds": old,
                "baseline_name": "new build",
                "baseline_seconds": new,
                "ratio": old / new if new else None,
                "target": None,
                "ok": None,
            }
        )
    return rows


if __name__ == "__main__":
    smoke = "--smoke" in sys.argv[1:]
    for row in run(smoke):
        ratio = f"{row['ratio']:.2f}x" if row["ratio"] is not None else "-"
        print(f"{row['name']}: {row['seconds']:.4f}s vs {row['baseline_name']} "
              f"{row['baseline_seconds']:.4f}s = {ratio} (target {row['target']}, ok {row['ok']})")  # fmt: skip
