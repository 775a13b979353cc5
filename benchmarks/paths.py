"""Benchmark: the path explorer on the bundled library and on the 1,000-playbook lint corpus.

Times, in one run:

- exploring every bundled playbook (``explore``: the state graph the path rules read) and
  listing all their paths (``enumerate_paths``), against loading the same playbooks
  (read, parse, build): the explorer should cost no more than loading does (target
  <= 1x);
- exploring the 1,000 generated playbooks of ``benchmarks/lint.py`` (each with 64 paths),
  against loading them: the path rules must not make ``crisis lint`` slow (target
  <= 0.5x, so lint stays near the speed of parsing).

Path and state counts are reported with the times. Standalone:
``python benchmarks/paths.py [--smoke]``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

CORPUS = 1000
SMOKE_CORPUS = 20


def _row(
    name: str,
    seconds: float,
    base: str,
    base_s: float,
    target: float | None,
    smoke: bool,
    **extra: Any,
) -> dict[str, Any]:
    from lint import _row as lint_row  # the same row format as the lint figures

    return {**lint_row(name, seconds, base, base_s, target, smoke), **extra}


def run(smoke: bool = False) -> list[dict[str, Any]]:
    from lint import _best, make_corpus  # benchmarks/lint.py: the same corpus and timing

    from crisiscli.playbook.catalog import bundled_dir
    from crisiscli.playbook.load import load_playbook
    from crisiscli.walk.paths import enumerate_paths, explore

    repeat = 1 if smoke else 5
    rows: list[dict[str, Any]] = []

    files = sorted(bundled_dir().glob("*.yaml"))
    books = [load_playbook(p) for p in files]
    load_s = _best(lambda: [load_playbook(p) for p in files], repeat)
    explore_s = _best(lambda: [explore(b) for b in books], repeat)
    states = sum(explore(b).states for b in books)
    listed = [enumerate_paths(b, budget=10**6) for b in books]
    paths = sum(len(x.paths) for x in listed)
    list_s = _best(lambda: [enumerate_paths(b, budget=10**6) for b in books], repeat)
    rows.append(
        _row(
            f"explore bundled library ({len(books)} playbooks, {states} states)",
            explore_s,
            "load the same playbooks",
            load_s,
            1.0,
            smoke,
            states=states,
        )
    )
    rows.append(
        _row(
            f"list every path of the library ({paths} paths)",
            list_s,
            "load the same playbooks",
            load_s,
            1.0,
            smoke,
            paths=paths,
            complete=all(x.complete for x in listed),
        )
    )

    count = SMOKE_CORPUS if smoke else CORPUS
    with tempfile.TemporaryDirectory(prefix="crisis-paths-bench-") as tmp:
        corpus = make_corpus(Path(tmp), count)
        corpus_books = [load_playbook(p) for p in corpus]
        corpus_load = _best(lambda: [load_playbook(p) for p in corpus], 1 if smoke else 3)
        corpus_explore = _best(lambda: [explore(b) for b in corpus_books], 1 if smoke else 3)
        corpus_states = sum(explore(b).states for b in corpus_books)
        corpus_paths = sum(len(enumerate_paths(b, budget=10**6).paths) for b in corpus_books)
    rows.append(
        _row(
            f"explore lint corpus ({count} playbooks, {corpus_paths:,} paths, "
            f"{corpus_states:,} states)",
            corpus_explore,
            "load the same playbooks",
            corpus_load,
            0.5,
            smoke,
            paths=corpus_paths,
            states=corpus_states,
        )
    )
    return rows


def main() -> int:
    rows = run("--smoke" in sys.argv[1:])
    for row in rows:
        verdict = {True: "ok", False: "MISSED", None: ""}[row["ok"]]
        print(
            f"{row['name']:<72} {row['seconds']:8.4f}s vs {row['baseline_name']} "
            f"{row['baseline_seconds']:.4f}s  ratio {row['ratio']:.3f}x {row['target']} {verdict}"
        )
    return 0 if all(r["ok"] is not False for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
