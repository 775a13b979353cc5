"""Bad input gets a clear answer: one located line and a documented exit code, never
"internal error" — and a command whose event is durable never reports failure."""

from __future__ import annotations

import json
import os
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest

from crisiscli.errors import PlaybookError
from crisiscli.record.events import note_added
from tests.conftest import FrozenClock, crisis_command, make_env, subprocess_env
from tests.helpers import FIXTURES, load_playbook_text, open_incident

STEP = "crisis: 1\nid: x\ntitle: X\nphases:\n  - id: a\n    title: A\n    steps:\n      - id: s\n        title: S\n"  # fmt: skip


def _run(home: Path, *args: str, stdin: bytes | None = None, **env: str) -> subprocess.CompletedProcess[bytes]:  # fmt: skip
    return subprocess.run(
        [*crisis_command(), *args],
        input=stdin,
        capture_output=True,
        env=subprocess_env(home, **env),
        timeout=120,
    )


# -- durations beyond the calendar -----------------------------------------------------


@pytest.mark.parametrize("due", ["999999999d", "99999999999d", "367d"])
def test_a_due_beyond_a_year_is_a_located_error(due: str) -> None:
    with pytest.raises(PlaybookError) as caught:
        load_playbook_text(STEP + f"        due: {due}\n", "p.yaml")
    assert caught.value.one_line().startswith(f"p.yaml:10:14: due '{due}' is more than 366 days")


def test_lint_flags_a_due_beyond_the_calendar(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "p.yaml"
    path.write_text(STEP + "        due: 999999999d\n", encoding="utf-8")
    result = cli("lint", str(path), "--format", "concise")
    assert result.exit_code == 1
    assert f"{path}:10:14: CR101 due" in result.stdout and "more than 366 days" in result.stdout


def test_an_old_snapshot_with_an_absurd_due_still_works(crisis_home: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """A snapshot made before the limit existed: the deadline never comes due; no crash."""
    incident = open_incident(make_env(crisis_home))
    snapshot = incident.dir / "playbook.json"
    data = json.loads(snapshot.read_text(encoding="utf-8"))
    data["phases"][0]["steps"][0]["due"] = {"after": "999999999d", "label": "Look first"}
    snapshot.write_text(json.dumps(data), encoding="utf-8")
    result = cli("note", "still works", "-i", incident.id)
    assert result.exit_code == 0, result
    assert cli("status", incident.id).exit_code == 0
    assert cli("report", incident.id).exit_code == 0


@pytest.mark.parametrize("when", ["99999999999d", "999999999d", "400d", "9999-12-31 23:59"])
def test_a_follow_up_beyond_a_year_is_refused_at_entry(crisis_home: Path, cli, when: str) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(make_env(crisis_home))
    before = (incident.dir / "journal.jsonl").read_bytes()
    result = cli("contact", "add", "--who", "x", "--channel", "dm", "--outcome", "no-answer",
                 "--follow-up", when, "-i", incident.id)  # fmt: skip
    assert result.exit_code == 2, result
    assert f"follow-up '{when}' is more than 366 days away" in result.stderr
    assert (incident.dir / "journal.jsonl").read_bytes() == before


# -- a durable event is never a failure ------------------------------------------------


def test_a_note_whose_log_cannot_be_rendered_still_succeeds_once(
    crisis_home: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(make_env(crisis_home))

    def broken(*args: object, **kwargs: object) -> str:
        raise OverflowError("date value out of range")

    # Whatever fails after the append (here: keeping log.md up to date) is only a warning.
    monkeypatch.setattr("crisiscli.views.log.LogFile.update", broken)
    result = cli("note", "written once", "-i", incident.id)
    assert result.exit_code == 0, result
    assert "Noted in" in result.stdout
    assert "warning:" in result.stderr and "could not rewrite the log" in result.stderr
    assert "--rebuild" in result.stderr
    notes = [n.text for n in incident.state().notes]
    assert notes == ["written once"]


def test_a_note_on_an_incident_with_a_damaged_snapshot_is_saved_and_status_names_the_damage(crisis_home: Path, cli) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    # A note needs no playbook: the log's head is cached, so the note lands in the journal and
    # in log.md; the commands that do need the snapshot say which file is damaged, in one line.
    incident = open_incident(make_env(crisis_home))
    (incident.dir / "playbook.json").write_text("{broken", encoding="utf-8")
    result = cli("note", "saved anyway", "-i", incident.id)
    assert result.exit_code == 0, result
    assert [n.text for n in incident.state().notes] == ["saved anyway"]
    assert "Note: saved anyway" in (incident.dir / "log.md").read_text(encoding="utf-8")
    status = cli("status", incident.id)
    assert status.exit_code == 3, status
    assert "playbook.json: cannot read the playbook snapshot" in status.stderr
    assert len(status.stderr.strip().splitlines()) == 1 and "Traceback" not in status.stderr


# -- standard input ----------------------------------------------------------------------


def test_note_from_stdin_that_is_not_utf8(crisis_home: Path) -> None:
    incident = open_incident(make_env(crisis_home))
    before = (incident.dir / "journal.jsonl").read_bytes()
    done = _run(crisis_home, "note", "-", stdin=b"first line\nsecond \xff\xfe line\n")
    assert done.returncode == 3, done.stderr
    assert done.stderr.decode() == "crisis: error: <stdin>:2:8: not valid UTF-8 (byte 0xff); nothing was recorded\n"  # fmt: skip
    assert (incident.dir / "journal.jsonl").read_bytes() == before


def test_note_from_a_latin1_terminal_is_read_as_latin1(crisis_home: Path) -> None:
    incident = open_incident(make_env(crisis_home))
    done = _run(crisis_home, "note", "-", stdin="Café".encode("latin-1"), PYTHONIOENCODING="latin-1")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert incident.state().notes[-1].text == "Café"


def test_note_from_a_closed_stdin(crisis_home: Path) -> None:
    open_incident(make_env(crisis_home))
    done = subprocess.run(
        [*crisis_command(), "note", "-"],
        capture_output=True,
        env=subprocess_env(crisis_home),
        preexec_fn=lambda: os.close(0),
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert b"standard input is closed" in done.stderr and b"internal error" not in done.stderr


def test_status_json_without_an_open_incident_is_json(cli, crisis_home: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("status", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["id"] is None and data["open"] is False and data["home"] == str(crisis_home)


# -- terminals that are not UTF-8 -----------------------------------------------------------

COMMANDS = [
    ["--help"], ["start", "--help"], ["status"], ["status", "--json"], ["list"], ["log"],
    ["report"], ["report", "--format", "html"], ["show", "general"], ["playbooks"], ["stats"],
    ["handoff"], ["role", "list"], ["lint", str(FIXTURES / "mini.yaml")], ["schema"],
    ["contact", "list"],
]  # fmt: skip


@pytest.mark.parametrize(
    "encoding", [{"PYTHONIOENCODING": "latin-1"}, {"PYTHONIOENCODING": "ascii"},
                 {"LANG": "C", "LC_ALL": "C", "PYTHONIOENCODING": "", "PYTHONUTF8": "0"}],
    ids=["latin-1", "ascii", "C-locale"],
)  # fmt: skip
def test_no_command_crashes_on_a_terminal_that_is_not_utf8(crisis_home: Path, encoding: dict[str, str]) -> None:  # fmt: skip
    incident = open_incident(make_env(crisis_home), title="Café — “quoted” · 日本 👍")
    incident.record(note_added("naïve → arrow ✓ and 日本語"))
    failures = []
    for args in COMMANDS:
        done = _run(crisis_home, *args, **encoding)
        if done.returncode != 0 or b"Traceback" in done.stderr or b"internal error" in done.stderr:
            failures.append((args, done.returncode, done.stderr[-300:]))
    assert not failures, failures
    shown = _run(crisis_home, "status", **encoding).stdout
    if encoding.get("PYTHONIOENCODING") == "latin-1":
        assert 'Café - "quoted" · ?? ?'.encode("latin-1") in shown


# -- clocks --------------------------------------------------------------------------------


def test_a_clock_behind_the_start_is_shown_as_such(crisis_home: Path, cli) -> None:  # type: ignore[no-untyped-def]
    clock = FrozenClock()
    incident = open_incident(make_env(crisis_home, clock=clock))
    behind = FrozenClock(clock.now - timedelta(minutes=1))
    shown = cli("status", incident.id, clock=behind)
    assert shown.exit_code == 0
    assert "23h 59m" not in shown.stdout and "1m since start" not in shown.stdout
    assert "starts in 1m by this computer's clock (clock behind?)" in shown.stdout
    brief = cli("handoff", incident.id, clock=behind)
    assert "starts in 1m by this computer's clock" in brief.stdout


# -- a huge step ---------------------------------------------------------------------------


def test_a_twenty_thousand_item_step_is_refused_at_once(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    items = "".join(f"          - Item {n}\n" for n in range(20_000))
    path = tmp_path / "big.yaml"
    path.write_text(STEP + "        items:\n" + items, encoding="utf-8")
    answers = tmp_path / "a.yaml"
    answers.write_text("default: pause\n", encoding="utf-8")
    began = time.monotonic()
    result = cli("start", str(path), "--title", "big", "--answers", str(answers))
    assert time.monotonic() - began < 60  # no timing assertion in earnest: it is refused
    assert result.exit_code == 3
    assert f"{path}:10:9: a step has 20,000 items; at most 200" in result.stderr
    assert not (tmp_path / "crisis-home" / "incidents").exists() or not any(
        (tmp_path / "crisis-home" / "incidents").iterdir()
    )
