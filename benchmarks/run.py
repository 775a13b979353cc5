"""Run every benchmark in this folder, print one table and write the figures as JSON.

    python benchmarks/run.py              # full sizes (minutes)
    python benchmarks/run.py --smoke      # tiny sizes: proves each benchmark still works
    python benchmarks/run.py --compare    # also report regressions against baseline.json
    python benchmarks/run.py --json OUT   # where to write the JSON (default out/latest.json)

A benchmark is a module ``benchmarks/<name>.py`` (not starting with ``_``, not this file)
defining ``run(smoke: bool) -> list[dict]``; each dict is one measurement with the keys
``name``, ``seconds``, ``baseline_name``, ``baseline_seconds``, ``ratio``, ``target``
(text such as "<= 1.3x") and ``ok`` (True, False, or None for figures without a target).
Timings are ratios against a baseline measured in the same run, because the machines are
shared and noisy: nothing here gates CI. The exit status is 1 only when a benchmark
crashes or returns malformed results.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
KEYS = ("name", "seconds", "baseline_name", "baseline_seconds", "ratio", "target", "ok")
REGRESSION = 1.25  # a ratio this much worse than the committed baseline's is reported


def discover() -> list[Path]:
    return sorted(p for p in HERE.glob("*.py") if p.name != "run.py" and not p.name.startswith("_"))


def load(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"benchmarks_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check(rows: Any, source: str) -> list[dict[str, Any]]:
    if not isinstance(rows, list) or not rows:
        raise ValueError(f"{source}: run() must return a non-empty list of dicts")
    for row in rows:
        missing = [k for k in KEYS if k not in row]
        if missing:
            raise ValueError(f"{source}: measurement {row.get('name')!r} lacks {missing}")
        if row["ok"] not in (True, False, None):
            raise ValueError(f"{source}: 'ok' must be true, false or null")
    return rows


def fmt(value: Any, digits: int = 4) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def table(rows: list[dict[str, Any]]) -> str:
    header = ["name", "seconds", "baseline", "ratio", "target", "ok"]
    body = [
        [
            str(r["name"]),
            fmt(r["seconds"]),
            f"{r['baseline_name']} {fmt(r['baseline_seconds'])}" if r["baseline_name"] else "-",
            f"{r['ratio']:.2f}x" if isinstance(r["ratio"], (int, float)) else "-",
            str(r["target"] or "-"),
            {True: "yes", False: "NO", None: "-"}[r["ok"]],
        ]
        for r in rows
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    out = ["  ".join(c.ljust(widths[i]) for i, c in enumerate(header)).rstrip()]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(c.ljust(widths[i]) for i, c in enumerate(line)).rstrip() for line in body]
    return "\n".join(out)


def compare(rows: list[dict[str, Any]], baseline_path: Path) -> list[str]:
    """Lines describing measurements whose ratio got notably worse than the baseline's."""
    try:
        baseline = json.loads(baseline_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"cannot read {baseline_path}: {exc}"]
    before = {r["name"]: r for r in baseline.get("results", [])}
    notes = []
    for row in rows:
        old = before.get(row["name"])
        if old is None:
            notes.append(f"new: {row['name']} (no baseline figure)")
            continue
        new_ratio, old_ratio = row.get("ratio"), old.get("ratio")
        if isinstance(new_ratio, (int, float)) and isinstance(old_ratio, (int, float)):
            if old_ratio > 0 and new_ratio > old_ratio * REGRESSION:
                notes.append(
                    f"REGRESSION: {row['name']}: {new_ratio:.2f}x now, {old_ratio:.2f}x in the baseline"
                )
            elif old_ratio > 0 and new_ratio * REGRESSION < old_ratio:
                notes.append(
                    f"better: {row['name']}: {new_ratio:.2f}x now, {old_ratio:.2f}x in the baseline"
                )
    return notes


def compile_bytecode() -> None:
    """Write every module's bytecode first: with PYTHONDONTWRITEBYTECODE set (as on many CI
    machines) each start-up would otherwise compile crisis and its libraries from source,
    and the start-up figures would measure the compiler."""
    import compileall
    import site
    import sysconfig

    import crisiscli

    folders = {Path(crisiscli.__file__).parent, Path(sysconfig.get_paths()["purelib"])}
    folders.update(Path(p) for p in site.getsitepackages())
    for folder in folders:
        if folder.is_dir():
            compileall.compile_dir(str(folder), quiet=2, force=False, workers=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, just prove it works")
    parser.add_argument("--compare", action="store_true", help="report changes vs baseline.json")
    parser.add_argument("--json", type=Path, default=HERE / "out" / "latest.json")
    parser.add_argument("--baseline", type=Path, default=HERE / "baseline.json")
    parser.add_argument("only", nargs="*", help="benchmark module names to run (default: all)")
    args = parser.parse_args(argv)

    compile_bytecode()
    rows: list[dict[str, Any]] = []
    failed = []
    started = time.perf_counter()
    for path in discover():
        if args.only and path.stem not in args.only:
            continue
        print(f"running {path.stem}{' (smoke)' if args.smoke else ''} ...", flush=True)
        try:
            rows += check(load(path).run(args.smoke), path.name)
        except Exception:
            failed.append(path.stem)
            traceback.print_exc()
    print()
    print(table(rows) if rows else "(no results)")
    report = {
        "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "smoke": args.smoke,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "elapsed_seconds": round(time.perf_counter() - started, 2),
        "results": rows,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {args.json} ({report['elapsed_seconds']} s)")
    if args.compare:
        print(f"\ncompared with {args.baseline}:")
        for line in compare(rows, args.baseline) or ["no notable change"]:
            print(f"  {line}")
    if failed:
        print(f"\nbenchmarks that failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
