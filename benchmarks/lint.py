"""Benchmark: `crisis lint` on 1,000 realistic playbooks against other tools, in one run.

Generates a corpus of playbooks (~250 lines each: inputs, severity levels, six phases,
guidance blocks, checklists, questions, conditions, branches, deadlines, messages) in a
temporary folder, then times, on the same files:

- ``crisis lint`` in-process (the whole pipeline: read, parse, build, every rule) against
  merely parsing each file with PyYAML's C loader (``yaml.load(..., CSafeLoader)``);
  goal: within 2x of parsing.
- the ``crisis lint`` command against ``yamllint`` (goal: 10x faster) and against
  ``check-jsonschema`` with the exported schema (goal: 7x faster); each is a fresh
  process, start-up included. Baselines not installed are skipped with a note.

``ratio`` is always ``seconds / baseline_seconds`` (lower is better), so "10x faster"
is the target ``<= 0.100x``. Standalone: ``python benchmarks/lint.py [--smoke]``.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FILES = 1000
SMOKE_FILES = 20

_TEXT = (
    "post reply brand account screenshot thread mention queue schedule statement apology "
    "customer complaint team legal approval channel review timeline facts update community "
    "followers share monitor alert sentiment spike journalist press owner deadline draft"
)
WORDS = _TEXT.split(" ")


def _sentence(rng: random.Random, n: int = 12) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def make_playbook(index: int, rng: random.Random) -> str:
    """One playbook of about 250 lines that lints clean."""
    out = [
        "# yaml-language-server: $schema=./playbook.schema.json",
        f"# Generated playbook {index} for the lint benchmark.",
        "crisis: 1",
        f"id: bench-{index}",
        f"title: Benchmark playbook {index}",
        'version: "1.0"',
        "description: >-",
        f"  {_sentence(rng, 20)}",
        f"  {_sentence(rng, 16)}",
        "language: en",
        "kind: general",
        "tags: [bench, generated]",
        "severity:",
        "  levels:",
    ]
    for level in ("low", "moderate", "high", "critical"):
        out += [f"    - id: {level}", f"      description: {_sentence(rng, 10)}"]
    out += [
        "  default: moderate",
        "inputs:",
        "  - id: brand",
        "    prompt: Which brand is this about?",
        "  - id: source",
        "    prompt: What kind of incident is it?",
        "    type: choice",
        "    choices:",
        "      - {value: ours, label: Our own post}",
        "      - {value: complaint, label: A customer complaint}",
        "      - {value: outside, label: An outside event}",
        "exit_criteria:",
        f"  - {_sentence(rng)}",
        f"  - {_sentence(rng)}",
        "platform_limits:",
        "  x: 280",
        "  mastodon: 500",
        "phases:",
    ]
    phases = ("identify", "pause", "monitor", "respond", "offplatform", "review")
    minutes = 10
    for p, phase in enumerate(phases):
        out += [
            f"  - id: {phase}",
            f"    title: Phase {phase}",
            f"    description: {_sentence(rng, 10)}",
            "    steps:",
        ]
        steps = 3 if phase == "respond" else 2
        for s in range(steps):
            sid = f"{phase}-{s}"
            out += [
                f"      - id: {sid}",
                f"        title: {_sentence(rng, 5)[:-1]}",
                "        guidance: |",
                f"          {_sentence(rng)}",
                f"          **{_sentence(rng, 6)}** About {{{{ brand }}}}.",
                "        items:",
            ]
            for _ in range(rng.randint(1, 3)):
                out.append(f"          - {_sentence(rng, 9)}")
            out += [
                f"          - id: extra-{s}",
                f"            text: {_sentence(rng, 7)}",
                "            when: {source: [ours, complaint]}",
            ]
            if s == 0:
                out += [
                    "        questions:",
                    f"          - id: q-{sid}",
                    f"            prompt: {_sentence(rng, 6)[:-1]}?",
                    "            type: yesno",
                    "            required: false",
                ]
            if s == 1 and p < len(phases) - 1:
                out += [
                    "        when:",
                    "          any:",
                    f"            - {{q-{phase}-0: 'yes'}}",
                    "            - {source: outside}",
                ]
                minutes += 15
                out += [f"        due: {minutes}m"]
            if phase == "respond" and s == 2:
                out += [
                    "        milestone: apology",
                    "        message:",
                    "          kind: apology",
                    "          approval: true",
                    "          platforms: [x, mastodon]",
                    "          template: >-",
                    f"            We got this wrong at {{{{ brand }}}}. {_sentence(rng, 8)}",
                ]
            if phase == "review" and s == 1:
                out += ["        milestone: resolution"]
    return "\n".join(out) + "\n"


def make_corpus(folder: Path, count: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    files = []
    for i in range(count):
        path = folder / f"bench-{i:04d}.yaml"
        path.write_text(make_playbook(i, rng), encoding="utf-8")
        files.append(path)
    from crisiscli.playbook.schema import playbook_schema

    (folder / "playbook.schema.json").write_text(json.dumps(playbook_schema()), encoding="utf-8")
    return files


def _best(fn: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _tool(name: str) -> str | None:
    here = Path(sys.executable).parent / name
    return str(here) if here.exists() else shutil.which(name)


def _run(cmd: list[str], ok_codes: tuple[int, ...] = (0, 1)) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode not in ok_codes:
        raise RuntimeError(f"{cmd[0]} failed ({done.returncode}): {done.stderr[-500:]}")


def _row(
    name: str, seconds: float, base: str, base_s: float, target: float | None, smoke: bool
) -> dict[str, Any]:
    ratio = seconds / base_s if base_s else float("inf")
    return {
        "name": name,
        "seconds": round(seconds, 4),
        "baseline_name": base,
        "baseline_seconds": round(base_s, 4),
        "ratio": round(ratio, 3),
        "target": f"<= {target:.3f}x" if target is not None else "",
        "ok": None if smoke or target is None else ratio <= target,
    }


def run(smoke: bool = False) -> list[dict[str, Any]]:
    import yaml

    from crisiscli.lint.config import LintConfig
    from crisiscli.lint.runner import collect, lint_files

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    count = SMOKE_FILES if smoke else FILES
    repeat = 1 if smoke else 3
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="crisis-lint-bench-") as tmp:
        folder = Path(tmp)
        files = make_corpus(folder, count)
        config = LintConfig()

        def parse_only() -> None:
            for path in files:
                yaml.load(path.read_text(encoding="utf-8"), Loader=loader)

        def lint_in_process() -> None:
            report = lint_files(collect([folder], config, folder), config, folder)
            bad = [f for f in report.findings if f.severity == "error"]
            if bad:
                raise RuntimeError(f"generated corpus has errors: {bad[:3]}")

        parse_s = _best(parse_only, repeat)
        lint_s = _best(lint_in_process, repeat)
        rows.append(
            _row(
                f"crisis lint, in-process ({count} files)",
                lint_s,
                f"parse only, PyYAML {loader.__name__}",
                parse_s,
                2.0,
                smoke,
            )
        )
        crisis = _tool("crisis")
        cli = [crisis] if crisis else [sys.executable, "-m", "crisiscli"]
        env_cmd = [*cli, "lint", "--format", "concise", str(folder)]
        cli_s = _best(lambda: _run(env_cmd), repeat)
        # The baselines are slow and steady: one run each keeps the benchmark short.
        yamllint = _tool("yamllint")
        if yamllint:
            y_s = _best(lambda: _run([yamllint, "-f", "parsable", str(folder)]), 1)
            rows.append(
                _row(f"crisis lint command ({count} files)", cli_s, "yamllint", y_s, 0.1, smoke)
            )
        else:
            rows.append(_skipped(f"crisis lint command ({count} files)", cli_s, "yamllint"))
        checker = _tool("check-jsonschema")
        if checker:
            schema = str(folder / "playbook.schema.json")
            c_s = _best(lambda: _run([checker, "--schemafile", schema, *map(str, files)]), 1)
            rows.append(
                _row(
                    f"crisis lint command ({count} files)",
                    cli_s,
                    "check-jsonschema",
                    c_s,
                    1 / 7,
                    smoke,
                )
            )
        else:
            rows.append(_skipped(f"crisis lint command ({count} files)", cli_s, "check-jsonschema"))
    return rows


def _skipped(name: str, seconds: float, baseline: str) -> dict[str, Any]:
    return {
        "name": name,
        "seconds": round(seconds, 4),
        "baseline_name": f"{baseline} (not installed: skipped)",
        "baseline_seconds": None,
        "ratio": None,
        "target": "",
        "ok": None,
    }


def main() -> int:
    smoke = "--smoke" in sys.argv[1:]
    rows = run(smoke)
    for row in rows:
        ratio = f"{row['ratio']:.3f}x" if row["ratio"] is not None else "-"
        base = f"{row['baseline_seconds']:.3f}s" if row["baseline_seconds"] is not None else "-"
        verdict = {True: "ok", False: "MISSED", None: ""}[row["ok"]]
        print(
            f"{row['name']:<42} {row['seconds']:8.3f}s  vs {row['baseline_name']:<36} {base:>9}"
            f"  ratio {ratio:>8}  {row['target']:<10} {verdict}"
        )
    return 0 if all(r["ok"] is not False for r in rows) else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
