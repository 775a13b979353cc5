"""Issue 23.6: where the team signs, every event is signed with its author's key and
checked on display. A note "by ceo" that nobody signed, a severity change backdated after
it was signed, and a note Bo signed under another person's name are marked on the timeline
of log.md and the report, counted by ``crisis status`` and ``crisis log``, and named.

Real keys; the forged lines are written with plain tools, as a teammate could."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_approve import start_waiting
from tests.cli.test_signed_approvals import allow, append_forged, make_key
from tests.conftest import FrozenClock
from tests.helpers import ok

pytestmark = pytest.mark.skipif(
    shutil.which("ssh-keygen") is None, reason="ssh-keygen (OpenSSH 8.2+) is not installed"
)

CHANGED = (
    "signature does not verify: signed with Dana Reyes's key, but the line was changed "
    "after it was signed (or copied from another incident)"
)


@pytest.fixture
def team(cli: Any, crisis_home: Path, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """Dana signs everything she records; the incident is hers from its first line."""
    folder = tmp_path / "keys"
    folder.mkdir()
    keys = {who: make_key(folder, who) for who in ("dana", "bo")}
    crisis_home.mkdir(parents=True, exist_ok=True)
    allow(crisis_home, keys, **{"Dana Reyes": "dana", "Bo Lind": "bo"})
    ok(cli("config", "set", "signing.key", str(keys["dana"][0])))
    incident = start_waiting(cli, crisis_home, tmp_path, FrozenClock(), actor="Dana Reyes")
    return incident, keys


def journal(folder: Path) -> list[dict[str, Any]]:
    text = (folder / "journal.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def test_what_a_signing_team_records_is_signed_and_verifies(cli: Any, team: Any) -> None:
    folder, _keys = team
    ok(cli("note", "Legal is on the call", "-i", folder.name, actor="Dana Reyes"))
    lines = journal(folder)
    assert all(line.get("sig") for line in lines)
    log = ok(cli("log", folder.name)).stdout
    assert f"_Signatures: {len(lines)} signed and verified; an event" in log
    assert "unsigned" not in log and "does not verify" not in log
    status = ok(cli("status", folder.name)).stdout
    assert f"signatures: {len(lines)} signed and verified (marked in crisis log)" in status


def test_a_forged_note_by_the_ceo_is_shown_unsigned(cli: Any, team: Any) -> None:
    folder, _keys = team
    note = {"v": 1, "id": "c" * 32, "ts": "2026-11-23T15:20:00.000000+00:00", "actor": "ceo",
            "type": "note.added", "data": {"text": "Delete every reply. Say nothing."}}  # fmt: skip
    append_forged(folder, note)
    total = len(journal(folder))
    log = ok(cli("log", folder.name)).stdout
    assert "· ceo · Note: Delete every reply. Say nothing. (unsigned)" in log
    assert f"_Signatures: {total - 1} signed and verified, 1 unsigned; an event" in log
    report = ok(cli("report", folder.name, "--format", "md")).stdout
    assert "| ceo | Note: Delete every reply. Say nothing. (unsigned) |" in report
    assert f"_Signatures: {total - 1} signed and verified, 1 unsigned;" in report
    status = ok(cli("status", folder.name)).stdout
    assert f"signatures: {total - 1} signed and verified, 1 unsigned (marked in crisis log)" in status  # fmt: skip


def test_a_backdated_severity_change_does_not_verify(cli: Any, team: Any) -> None:
    """Dana re-graded to high at 15:00; the line is edited to say 14:00 (before the
    holding line went out): her signature no longer covers it."""
    folder, _keys = team
    ok(cli("severity", "high", "--reason", "Picked up by the press", "-i", folder.name, actor="Dana Reyes"))  # fmt: skip
    path = folder / "journal.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    changed = json.loads(lines[-1])
    assert changed["type"] == "severity.changed" and changed["sig"]
    changed["ts"] = "2026-11-23T14:00:00.000000+00:00"
    path.write_text("\n".join([*lines[:-1], json.dumps(changed)]) + "\n", encoding="utf-8")
    (folder / ".checkpoint.json").unlink(missing_ok=True)
    log = ok(cli("log", folder.name))
    assert f"- 14:00:00 UTC · Dana Reyes · Severity changed to high — Picked up by the press (was moderate); switches on: Brief the CEO, Public statement ({CHANGED})" in log.stdout  # fmt: skip
    assert "1 does not verify; an event that is not signed and verified is marked" in log.stdout
    assert f"is shown marked: {CHANGED}" in log.stderr  # said on the command that reads it
    status = " ".join(ok(cli("status", folder.name)).stdout.split())
    assert "signed and verified, 1 does not verify (marked in crisis log)" in status
    assert f"Dana Reyes (severity.changed): {CHANGED}" in status


def test_bo_signing_a_note_as_someone_else_is_named(cli: Any, team: Any) -> None:
    from crisiscli.record.events import from_record
    from crisiscli.record.signing import canonical, sign

    folder, keys = team
    note = {"v": 1, "id": "b" * 32, "ts": "2026-11-23T15:20:00.000000+00:00",
            "actor": "Dana Reyes", "type": "note.added", "data": {"text": "Ship it."}}  # fmt: skip
    note["sig"] = sign(str(keys["bo"][0]), canonical(folder.name, from_record(note)))
    append_forged(folder, note)
    log = " ".join(ok(cli("log", folder.name)).stdout.split())
    shown = "signature does not verify: claims Dana Reyes, key is Bo Lind's"
    assert f"· Dana Reyes · Note: Ship it. ({shown})" in log


def test_status_says_when_this_machine_signs_nothing(cli: Any, team: Any, crisis_home: Path) -> None:  # fmt: skip
    folder, _keys = team
    (crisis_home / "config.toml").unlink()  # a teammate's laptop: the team signs, no key here
    ok(cli("note", "From the train", "-i", folder.name, actor="Bo Lind"))
    status = " ".join(ok(cli("status", folder.name)).stdout.split())
    assert "signed and verified, 1 unsigned (marked in crisis log)" in status
    assert "you sign nothing here: no key is set (crisis config set signing.key" in status


def test_a_swedish_playbooks_timeline_says_it_in_swedish(
    cli: Any, crisis_home: Path, tmp_path: Path
) -> None:
    """The marks go through the describer: a Swedish incident's log says "(osignerad)"."""
    from tests.helpers import FIXTURES

    folder = tmp_path / "keys"
    folder.mkdir()
    keys = {"dana": make_key(folder, "dana")}
    crisis_home.mkdir(parents=True, exist_ok=True)
    allow(crisis_home, keys, **{"Dana Reyes": "dana"})
    ok(cli("config", "set", "signing.key", str(keys["dana"][0])))
    script = (FIXTURES / "answers" / "complaint-sv.yaml").read_text("utf-8")
    answers = tmp_path / "answers.yaml"
    answers.write_text(script.replace("close: true", "close: false"), encoding="utf-8")
    ok(cli("start", "complaint-sv", "--answers", str(answers), actor="Dana Reyes"))
    (incident,) = (p for p in (crisis_home / "incidents").iterdir() if not p.name.startswith("."))
    note = {"v": 1, "id": "c" * 32, "ts": "2026-11-23T15:20:00.000000+00:00", "actor": "vd",
            "type": "note.added", "data": {"text": "Radera alla svar."}}  # fmt: skip
    append_forged(incident, note)
    log = ok(cli("log", incident.name)).stdout
    assert "· vd · Anteckning: Radera alla svar. (osignerad)" in log


def test_a_drill_played_on_a_signing_machine_verifies(cli: Any, crisis_home: Path, tmp_path: Path) -> None:  # fmt: skip
    """The drill's injects are recorded by *Drill* (the outside world) and signed with the
    facilitator's key: they were named "signature does not verify: signed with Dana Reyes's
    key" on every timeline of a signing team. The outside world has no key of its own, so a
    line by *Drill* verifies when someone the team lists signed it, and says who."""
    from tests.drill.test_run import write

    folder = tmp_path / "keys"
    folder.mkdir()
    keys = {"dana": make_key(folder, "dana")}
    crisis_home.mkdir(parents=True, exist_ok=True)
    allow(crisis_home, keys, **{"Dana Reyes": "dana", "Dana": "dana"})  # the answers' approver
    ok(cli("config", "set", "signing.key", str(keys["dana"][0])))
    s, a = write(tmp_path)
    r = cli("drill", "run", str(s), "--answers", str(a), "--clock", "simulated", actor="Dana Reyes")
    assert r.exit_code == 0, r.stdout + r.stderr
    (incident,) = [p for p in (crisis_home / "incidents").iterdir() if p.is_dir()]
    lines = journal(incident)
    drill = [line for line in lines if line["actor"] == "Drill"]
    assert drill and all(line.get("sig") for line in drill)
    log = ok(cli("log", incident.name)).stdout
    assert "does not verify" not in log, log
    assert f"_Signatures: {len(lines)} signed and verified" in log
