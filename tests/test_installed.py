"""The smoke run: the `crisis` console script as a user installed it, in subprocesses.

In the suite it runs this environment's `crisis`. `.ci/run` runs this file once more for each
supported Python it finds, against a fresh venv with the wheel (or the sdist, or pipx, or the
lowest versions the dependency bounds allow) installed — not editable, no test extras:

    CRISIS_UNDER_TEST=/venv/bin/crisis CRISIS_EXPECT_PYTHON=3.12 CRISIS_EXPECT_INSTALLED=1 \\
        .venv/bin/python -m pytest tests/test_installed.py

What it proves there: the script starts on that Python, `python -m crisiscli` too, a scripted
incident runs to its end, the reports come out in md, html and json, lint and message check
answer, the bundled playbooks, templates, locales and schema are inside the install, and one
walk-through runs in a real terminal."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO, crisis_command, subprocess_env

BUNDLED = sorted(p.stem for p in (REPO / "playbooks").glob("*.yaml"))


def crisis(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*crisis_command(), *args], env=subprocess_env(home), capture_output=True, text=True,
        stdin=subprocess.DEVNULL, timeout=180,
    )  # fmt: skip


def installed_python() -> str:
    """The Python the `crisis` script runs on: the one beside it (a venv's, pipx's)."""
    command = crisis_command()
    if len(command) > 1:  # python -m crisiscli
        return command[0]
    script = Path(command[0])
    beside = script.parent / "python"
    if beside.exists():
        return str(beside)
    first = script.read_text(encoding="utf-8", errors="replace").splitlines()[0]
    assert first.startswith("#!"), first  # pipx links the script of its own venv
    return first[2:].split()[0]  # "#!/…/bin/python -E": the interpreter, not its options


def probe(code: str) -> str:
    done = subprocess.run(
        [installed_python(), "-c", code], capture_output=True, text=True, timeout=120,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, cwd="/",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_script_runs_on_the_python_it_was_installed_for() -> None:
    version = probe("import sys; print('%d.%d' % sys.version_info[:2])")
    expected = os.environ.get("CRISIS_EXPECT_PYTHON")
    if expected:
        assert version == expected
    where = Path(probe("import crisiscli; print(crisiscli.__file__)"))
    if os.environ.get("CRISIS_EXPECT_INSTALLED"):  # a real install, not the checkout
        assert REPO not in where.parents, where
        assert "site-packages" in where.parts, where


def test_version_from_the_script_and_from_python_m(tmp_path: Path) -> None:
    shown = crisis(tmp_path, "--version")
    assert shown.returncode == 0, shown.stderr
    assert re.fullmatch(r"crisis \d+\.\d+\.\d+\S*\n", shown.stdout), shown.stdout
    by_module = subprocess.run(
        [installed_python(), "-m", "crisiscli", "--version"], capture_output=True, text=True,
        env=subprocess_env(tmp_path), timeout=120, cwd="/",
    )  # fmt: skip
    assert by_module.returncode == 0, by_module.stderr
    assert by_module.stdout == shown.stdout


def test_a_scripted_incident_and_its_reports(tmp_path: Path) -> None:
    home = tmp_path / "home"
    started = crisis(home, "start", "general", "--answers", str(FIXTURES / "answers/general.yaml"))
    assert started.returncode == 0, started.stderr + started.stdout
    listed = json.loads(crisis(home, "list", "--json").stdout)
    assert [(i["title"], i["status"]) for i in listed] == [
        ("Joke post about a sensitive topic", "closed")
    ]
    for fmt in ("md", "html", "json"):
        out = tmp_path / f"report.{fmt}"
        made = crisis(home, "report", "--format", fmt, "-o", str(out))
        assert made.returncode == 0, made.stderr
        text = out.read_text(encoding="utf-8")
        assert "Joke post about a sensitive topic" in text  # the template and data are there
    assert json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert (tmp_path / "report.html").read_text(encoding="utf-8").lstrip().startswith("<!")


@pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")
def test_a_swedish_walk_through_speaks_swedish(tmp_path: Path) -> None:
    """The locales are inside the install: the walk-through's own words come from sv.yaml."""
    from tests.e2e.screen import Screen

    s = Screen(tmp_path / "home", "start", "complaint-sv", "--title", "Sen", size=(80, 24))
    try:
        s.wait_for(r"\? Hur allvarligt är det\?\s*\n» ", also=("↑↓ flytta · Enter välj",))
    finally:
        s.send("\x03")
        code = s.close()
    assert code == 130


def test_the_bundled_playbooks_and_schema_are_inside(tmp_path: Path) -> None:
    listed = json.loads(crisis(tmp_path, "playbooks", "--json").stdout)
    bundled = {p["id"]: Path(p["path"]) for p in listed if p["origin"] == "bundled"}
    assert sorted(bundled) == BUNDLED
    assert not [p for p in listed if p["error"]]
    if os.environ.get("CRISIS_EXPECT_INSTALLED"):
        assert all(REPO not in path.parents for path in bundled.values()), bundled
    folder = next(iter(bundled.values())).parent
    linted = crisis(tmp_path, "lint", str(folder))
    assert linted.returncode == 0, linted.stdout + linted.stderr
    assert (
        f"{len(BUNDLED)} files checked: no problems" in linted.stdout
    )  # (suppressed: ...) allowed
    schema = json.loads(crisis(tmp_path, "schema").stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    shipped = json.loads((folder / "playbook.schema.json").read_text(encoding="utf-8"))
    assert shipped == schema


def test_message_check(tmp_path: Path) -> None:
    text = "We are looking into it now. Next update here by 11:00."
    checked = crisis(tmp_path, "message", "check", text, "--platform", "x", "--json")
    assert checked.returncode == 0, checked.stderr
    found = json.loads(checked.stdout)
    assert found["lengths"][0]["platform"] == "x" and found["lengths"][0]["count"] == len(text)
    bad = crisis(tmp_path, "message", "check", "Visit http://bit.ly/x [TBD]", "--platform", "x")
    assert bad.returncode == 1, bad.stdout + bad.stderr


@pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")
def test_a_walk_through_in_a_terminal(tmp_path: Path) -> None:
    from tests.e2e.screen import ENTER, Screen

    home = tmp_path / "home"
    quick = str(REPO / "tests/e2e/quick.yaml")
    s = Screen(home, "start", quick, "--title", "Smoke", "--severity", "low", size=(80, 24))
    try:
        s.wait_for(r"Tick what is done", also=(r"Ctrl-C",))
        s.send(" \x1b[B " + ENTER)  # both items ticked
        s.wait_for(r"\? What now\?\s*\n» Mark this step done")
        s.send(ENTER)
        s.wait_for(r"Wrap up[\s\S]*\? What now\?\s*\n» Mark this step done")
        s.send(ENTER)
        s.wait_for(r"The walk-through is complete[\s\S]*Close the incident now\?.*\n")
        s.send("y" + ENTER)
        s.wait_for(r"Close the incident now\?.*Yes[\s\S]*Log:", flat=True)
    finally:
        code = s.close()
    assert code == 0, s.text
    kinds = [
        json.loads(line)["type"]
        for line in next(home.glob("incidents/*/journal.jsonl")).read_text().splitlines()
    ]
    assert kinds.count("step.done") == 2 and "item.checked" in kinds
    assert kinds[-1] == "incident.closed"
