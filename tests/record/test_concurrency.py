"""Two writers at once (a walk-through and `crisis note` from a second terminal): every
event lands whole, none is lost, and log.md shows all of them."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
from pathlib import Path

from crisiscli.record.journal import parse_journal
from crisiscli.record.store import find_incident
from crisiscli.views.log import WINDOW
from tests.conftest import FrozenClock, crisis_command, make_env, run_cli, subprocess_env
from tests.helpers import open_incident

DRIVER = r"""
import os, sys, time
from pathlib import Path
from crisiscli.env import get_env
from crisiscli.record.store import find_incident
from crisiscli.record.events import NewEvent
from crisiscli.views.log import derived_files

incident_id, tag, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
env = get_env()
env.derive = derived_files  # keep log.md, as the crisis command does
incident = find_incident(env, incident_id)
while not go.exists():  # start together
    time.sleep(0.001)
for n in range(count):
    incident.record(NewEvent("note.added", {"text": f"{tag} note {n:04d}"}))
    time.sleep(0.01)  # a breath between events, as a real writer has; lets the other in
"""


def start_together(commands: list[list[str]], home: Path, go: Path) -> None:
    procs = [
        subprocess.Popen(
            cmd,
            env=subprocess_env(home, CRISIS_USER=f"writer{i}"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i, cmd in enumerate(commands)
    ]
    time.sleep(0.3)
    go.write_text("go")
    for proc in procs:
        _out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        assert "Traceback" not in err


def notes_in(incident_dir: Path) -> list[str]:
    blob = (incident_dir / "journal.jsonl").read_bytes()
    result = parse_journal(blob, "journal")
    assert result.warnings == []  # no torn or unreadable line
    lines = blob.decode("utf-8").splitlines()
    assert len(lines) == len(result.events)
    assert all(json.loads(line)["id"] for line in lines)  # every line a whole event
    return [e.data["text"] for e in result.events if e.type == "note.added"]


def test_two_processes_500_records_each(crisis_home: Path, tmp_path: Path) -> None:
    incident = open_incident(make_env(crisis_home, clock=FrozenClock()))
    go = tmp_path / "go"
    driver = [sys.executable, "-c", DRIVER, incident.id]
    start_together([[*driver, "A", "500", str(go)], [*driver, "B", "500", str(go)]], crisis_home, go)  # fmt: skip
    notes = notes_in(incident.dir)
    assert len(notes) == 1000 == len(set(notes))
    assert sorted(notes) == sorted([f"A note {n:04d}" for n in range(500)] + [f"B note {n:04d}" for n in range(500)])  # fmt: skip
    # each writer's own notes stay in the order it wrote them
    for tag in "AB":
        mine = [n for n in notes if n.startswith(tag)]
        assert mine == sorted(mine)
    # they really interleaved (both wrote while the other was writing)
    switches = sum(1 for a, b in itertools.pairwise(notes) if a[0] != b[0])
    assert switches >= 2
    # log.md holds the latest WINDOW events, in order; `crisis log --full` holds all of them
    log = (incident.dir / "log.md").read_text(encoding="utf-8")
    shown = [line.split("Note: ")[1] for line in log.splitlines() if "· Note: " in line]
    assert shown == notes[-len(shown) :] and len(shown) >= min(len(notes), WINDOW - 10)
    full = run_cli(crisis_home, "log", incident.id, "--full").stdout
    for tag in "AB":
        for n in range(500):
            assert f"Note: {tag} note {n:04d}" in full
    state = find_incident(make_env(crisis_home), incident.id).state()
    assert {"writer0", "writer1"} <= set(state.actors)


def test_two_crisis_note_commands_at_once(crisis_home: Path, tmp_path: Path) -> None:
    incident = open_incident(make_env(crisis_home, clock=FrozenClock()))
    go = tmp_path / "go"
    loop = (
        "import subprocess, sys, time, pathlib\n"
        "*cmd, incident, tag, count, go = sys.argv[1:]\n"
        "while not pathlib.Path(go).exists(): time.sleep(0.001)\n"
        "for n in range(int(count)):\n"
        "    subprocess.run([*cmd, 'note', f'{tag} cli {n:03d}', '--incident', incident], check=True)\n"
    )
    commands = [
        [sys.executable, "-c", loop, *crisis_command(), incident.id, tag, "10", str(go)]
        for tag in "CD"
    ]
    start_together(commands, crisis_home, go)
    notes = notes_in(incident.dir)
    assert sorted(notes) == sorted([f"{t} cli {n:03d}" for t in "CD" for n in range(10)])
    log = (incident.dir / "log.md").read_text(encoding="utf-8")
    assert all(f"Note: {t} cli {n:03d}" in log for t in "CD" for n in range(10))
