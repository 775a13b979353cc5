"""Start-up stays lean: the quick paths never import the heavy libraries.

Not a timing test (timings live in benchmarks/startup.py): it checks, in a fresh
interpreter, which modules a command loaded. `--version`, `--help`, every command's
`--help` and `crisis note` must not import rich, questionary, yaml, jinja2, jsonschema —
nor pydantic, which typer would pull in for parameter validation (see crisiscli/cli/app.py).
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import crisiscli.cli.commands
from tests.conftest import subprocess_env
from tests.helpers import open_incident

HEAVY = ("rich", "questionary", "yaml", "jinja2", "jsonschema", "pydantic", "tomlkit", "wcwidth")
PROBE = """
import json, sys
from crisiscli.cli.app import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print("\\n@@" + json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""

COMMANDS = sorted(
    i.name
    for i in pkgutil.iter_modules(crisiscli.cli.commands.__path__)
    if not i.name.startswith("_")
)
CASES = [["--version"], ["--help"], *[[name, "--help"] for name in COMMANDS]]


def _loaded(home: Path, args: list[str]) -> tuple[int, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        env=subprocess_env(home),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    report = json.loads(done.stdout.rsplit("\n@@", 1)[1])
    return report["code"], set(report["modules"])


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


@pytest.mark.parametrize("args", CASES, ids=" ".join)
def test_quick_paths_import_nothing_heavy(args: list[str], crisis_home: Path) -> None:
    code, modules = _loaded(crisis_home, args)
    assert code in (0, None)
    assert "typer" in modules  # the probe really ran the CLI
    assert _heavy(modules) == []


def test_note_imports_nothing_heavy(crisis_home: Path) -> None:
    from tests.conftest import make_env

    open_incident(make_env(crisis_home))
    code, modules = _loaded(crisis_home, ["note", "Legal is on the call"])
    assert code in (0, None)
    assert "crisiscli.record.journal" in modules  # the note was written
    assert _heavy(modules) == []


def test_the_probe_can_see_a_heavy_import(crisis_home: Path) -> None:
    """The check is not vacuous: a command that renders YAML-loaded playbooks imports yaml."""
    code, modules = _loaded(crisis_home, ["show", "general"])
    assert code in (0, None)
    assert "yaml" in _heavy(modules) or any(m.startswith("yaml") for m in modules)


SENDING = (
    "crisiscli.walk.notifier",
    "crisiscli.team.notify.channels",
    "urllib.request",
    "http.client",
)


@pytest.mark.parametrize("args", [["note", "Legal is on the call"], ["status"], ["list"]])
def test_notifications_cost_the_quick_paths_one_stat(args: list[str], crisis_home: Path) -> None:
    """With a webhook configured and nothing owed, nothing that sends is loaded; with a
    delivery owed, the same command loads the hand-over to the background sender (and still
    nothing that sends: the sender is another process): the check is not vacuous."""
    from tests.conftest import make_env
    from tests.helpers import configure_webhook

    configure_webhook(crisis_home, "http://127.0.0.1:9/hooks/never")
    open_incident(make_env(crisis_home))
    code, modules = _loaded(crisis_home, args)
    assert code in (0, None)
    assert [m for m in modules if m.startswith(SENDING)] == []
    (crisis_home / "notify-outbox").mkdir()
    code, modules = _loaded(crisis_home, args)
    assert "crisiscli.walk.sender" in modules
    assert [m for m in modules if m.startswith(SENDING)] == []
