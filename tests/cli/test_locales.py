"""Issue 26 finding 4: every command, in every terminal and locale we meet, with non-ASCII
text in its arguments, in CRISIS_USER and on standard input: never an internal error.

One Python per cell of the matrix runs every command in-process (tests/cli/locale_driver.py),
so the whole matrix costs a few seconds; a few real `crisis` processes check the command
line itself (argv decoding) and closed standard input."""

from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.conftest import REPO, crisis_command, subprocess_env

TEXT = "Café — incendie 🔥"


def _locales() -> set[str]:
    try:
        found = subprocess.run(["locale", "-a"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return set()
    return {line.strip().lower().replace("-", "") for line in found.stdout.splitlines()}


def _latin1_cell() -> dict[str, str]:
    names = _locales()
    for name in ("en_US.ISO-8859-1", "fr_FR.ISO-8859-1", "de_DE.ISO-8859-1"):
        if name.lower().replace("-", "") in names:
            return {"LC_ALL": name, "PYTHONUTF8": "0"}
    return {"LC_ALL": "C.UTF-8", "PYTHONUTF8": "0", "PYTHONIOENCODING": "latin-1"}


CELLS: dict[str, dict[str, str]] = {
    "C": {"LC_ALL": "C", "PYTHONUTF8": "0"},
    "POSIX": {"LC_ALL": "POSIX", "PYTHONUTF8": "0", "TERM": "dumb"},
    "latin-1": _latin1_cell(),
    "ascii-io": {"LC_ALL": "C.UTF-8", "PYTHONUTF8": "0", "PYTHONIOENCODING": "ascii"},
    "UTF-8 PYTHONUTF8=0": {"LC_ALL": "C.UTF-8", "PYTHONUTF8": "0"},
    "UTF-8 PYTHONUTF8=1": {"LC_ALL": "C.UTF-8", "PYTHONUTF8": "1", "TERM": "dumb"},
    "C closed stdin": {"LC_ALL": "C", "PYTHONUTF8": "0", "_CLOSE_STDIN": "1"},
}


def _close_stdin() -> None:
    os.close(0)


def _run_cell(name: str, extra: dict[str, str], root: Path) -> dict[str, object]:
    folder = root / name.replace(" ", "_").replace("=", "")
    (folder / "home").mkdir(parents=True)
    env = subprocess_env(folder / "home", CRISIS_USER="Zoé Ünïcode 🔥", TERM="xterm")
    env.pop("PYTHONIOENCODING", None)
    env.pop("LANG", None)
    close = extra.pop("_CLOSE_STDIN", None) if "_CLOSE_STDIN" in extra else None
    env.update(extra)
    out = folder / "out.json"
    with open(folder / "stdout", "wb") as stdout, open(folder / "stderr", "wb") as stderr:
        subprocess.run(
            [os.environ.get("PYTHON", "") or _python(), "-m", "tests.cli.locale_driver", str(out)],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            preexec_fn=_close_stdin if close else None,
            timeout=300,
            check=False,
        )
    if not out.exists():
        raise AssertionError(f"{name}: the driver died:\n{(folder / 'stderr').read_text('utf-8', 'replace')[-3000:]}")  # fmt: skip
    result: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    result["stderr"] = (folder / "stderr").read_bytes().decode("utf-8", "replace")
    return result


def _python() -> str:
    import sys

    return sys.executable


def test_every_command_in_every_locale_without_an_internal_error(tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(_run_cell, name, dict(extra), tmp_path) for name, extra in CELLS.items()}  # fmt: skip
        results = {name: future.result() for name, future in futures.items()}
    failures = []
    for name, result in results.items():
        codes = result["codes"]
        assert isinstance(codes, dict)
        run = {" ".join(k.split()[:2]) for k in codes} | {k.split()[0] for k in codes}
        missing = [c for c in result["commands"] if c not in run]  # type: ignore[attr-defined]
        assert not missing, f"{name}: commands the matrix does not run: {missing}"
        for args, code in codes.items():
            if code in (70, -1):
                failures.append(f"{name}: crisis {args} -> {code}")
        assert "Traceback" not in str(result["stderr"]), (name, result["stderr"])
    assert not failures, (
        "\n".join(failures)
        + "\n"
        + "\n\n".join(f"--- {n}\n{r['stderr'][-4000:]}" for n, r in results.items())
    )
    # the scripted walk-through really recorded the accented title in every cell
    for name, result in results.items():
        codes = result["codes"]
        assert isinstance(codes, dict)
        started = [
            code for args, code in codes.items() if args.startswith("start") and "--answers" in args
        ]
        assert started == [0], (name, codes)


def _crisis(home: Path, *args: str, closed_stdin: bool = False, **extra: str) -> subprocess.CompletedProcess[bytes]:  # fmt: skip
    env = subprocess_env(home, **extra)
    env.pop("PYTHONIOENCODING", None)
    env.pop("LANG", None)
    return subprocess.run(
        [*crisis_command(), *args],
        env=env,
        capture_output=not closed_stdin,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE if closed_stdin else None,
        stderr=subprocess.PIPE if closed_stdin else None,
        preexec_fn=_close_stdin if closed_stdin else None,
        timeout=120,
        check=False,
    )


C_LOCALE = {"LC_ALL": "C", "PYTHONUTF8": "0"}


def test_the_c_locale_reads_the_command_line_and_crisis_user_as_utf8(tmp_path: Path) -> None:
    home = tmp_path / "home"
    book = str(REPO / "tests" / "fixtures" / "mini.yaml")
    answers = str(REPO / "tests" / "reliability" / "mini-answers.yaml")
    started = _crisis(home, "start", book, "--title", TEXT, "--answers", answers, **C_LOCALE)
    assert started.returncode == 0, started.stderr
    noted = _crisis(home, "note", TEXT, "-i", "cafe", **C_LOCALE, CRISIS_USER="Zoé")
    assert noted.returncode in (0, 5), noted.stderr  # 5: the scripted run closed it
    listed = _crisis(home, "list", "--json", **C_LOCALE)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)[0]["title"] == TEXT
    (journal,) = home.glob("incidents/*/journal.jsonl")
    assert TEXT in journal.read_bytes().decode("utf-8")  # files are always UTF-8


def test_message_check_with_a_closed_stdin_is_a_usage_error(tmp_path: Path) -> None:
    result = _crisis(tmp_path / "home", "message", "check", "-", closed_stdin=True, **C_LOCALE)
    assert result.returncode == 2, result.stderr
    assert b"standard input is closed" in result.stderr and b"internal error" not in result.stderr
