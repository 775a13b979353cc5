"""The journal is the one source of truth: durable appends, tolerant reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from crisiscli.errors import ExitCode, StateError
from crisiscli.record import journal as journal_module
from crisiscli.record.events import NewEvent
from crisiscli.record.journal import Event, Journal, parse_journal
from tests.conftest import FrozenClock, make_env
from tests.helpers import open_incident

T0 = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)


def write(journal: Journal, kind: str, data: dict[str, object] | None = None, clock=None) -> Event:  # type: ignore[no-untyped-def]
    with journal.locked():
        event, _size = journal.append(
            NewEvent(kind, data or {}), actor="tester", clock=clock or FrozenClock(T0)
        )
        return event


def line(event_id: str, ts: datetime, kind: str = "note.added", **data: object) -> str:
    return json.dumps({"v": 1, "id": event_id, "ts": ts.isoformat(), "actor": "a", "type": kind, "data": data})  # fmt: skip


def test_append_then_read_round_trip(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    data = {"text": 'Ünïcode, "quotes", [markup] and\nnewlines', "n": 3, "list": [1, None]}
    written = write(journal, "note.added", data)
    result = journal.read()
    assert result.warnings == []
    assert result.events == [written]
    (event,) = result.events
    assert event.data == data and event.type == "note.added" and event.actor == "tester"
    assert event.ts == T0 and event.ts.utcoffset() == timedelta(0)
    raw = (tmp_path / "journal.jsonl").read_text(encoding="utf-8")
    assert raw.count("\n") == 1 and raw.endswith("\n")  # one event, one line
    record = json.loads(raw)
    assert set(record) == {"v", "id", "ts", "actor", "type", "data"}
    assert record["ts"] == "2026-11-23T15:00:00.000000+00:00"


def test_every_event_is_fsynced_before_append_returns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    path = tmp_path / "journal.jsonl"
    synced: list[int] = []
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        st = os.fstat(fd)
        if path.exists() and st.st_ino == path.stat().st_ino:
            synced.append(st.st_size)  # the journal's size when it was synced
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counting_fsync)
    journal = Journal(path)
    clock = FrozenClock(T0)
    for n in range(5):
        write(journal, "note.added", {"text": f"note {n}"}, clock)
        assert len(synced) == n + 1
        assert synced[-1] == path.stat().st_size  # synced after the whole line was written


def test_incident_record_fsyncs_the_journal_each_time(crisis_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    env = make_env(crisis_home, clock=FrozenClock())
    incident = open_incident(env)
    journal_path = incident.dir / "journal.jsonl"
    count = 0
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        nonlocal count
        if os.fstat(fd).st_ino == journal_path.stat().st_ino:
            count += 1
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counting_fsync)
    for n in range(3):
        incident.record(NewEvent("note.added", {"text": f"n{n}"}))
    assert count == 3


def test_torn_last_line_is_tolerated_and_the_next_append_sets_it_aside(tmp_path: Path) -> None:
    """Issue 26: the next append cuts a torn tail off (kept in .journal.torn), so no reader
    warns about it again; it used to be ended with a newline and skipped, with a warning, by
    every later command."""
    path = tmp_path / "journal.jsonl"
    journal = Journal(path)
    first = write(journal, "note.added", {"text": "before the power cut"})
    with open(path, "ab") as fh:
        fh.write(b'{"v":1,"id":"torn","ts":"2026-11-23T15:0')  # half a line, no newline
    result = journal.read()
    assert result.events == [first]
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith(f"{path}:2: ignored an incomplete last line")
    later = write(journal, "note.added", {"text": "after"}, FrozenClock(T0 + timedelta(seconds=5)))
    lines = path.read_bytes().split(b"\n")
    assert len(lines) == 3 and lines[2] == b""
    assert json.loads(lines[0])["id"] == first.id and json.loads(lines[1])["id"] == later.id
    assert (
        tmp_path / ".journal.torn"
    ).read_bytes() == b'{"v":1,"id":"torn","ts":"2026-11-23T15:0\n'
    assert journal.torn_kept == [len(b'{"v":1,"id":"torn","ts":"2026-11-23T15:0')]
    result = journal.read()
    assert [e.id for e in result.events] == [first.id, later.id]
    assert result.warnings == []


def test_torn_line_of_partial_utf8_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = Journal(path)
    first = write(journal, "note.added", {"text": "ok"})
    with open(path, "ab") as fh:
        fh.write('{"v":1,"id":"x","data":{"text":"é'.encode()[:-1])  # cut inside a character
    result = journal.read()
    assert result.events == [first] and "incomplete last line" in result.warnings[0]


def test_an_invalid_middle_line_is_skipped_with_a_warning_naming_it(tmp_path: Path) -> None:
    blob = "\n".join(
        [
            line("a", T0),
            "this is not json",
            json.dumps({"id": "b", "type": "x", "ts": "2026-11-23T15:00:00"}),  # no offset
            line("c", T0 + timedelta(seconds=1)),
            "",
        ]
    ).encode()
    result = parse_journal(blob, "j.jsonl")
    assert [e.id for e in result.events] == ["a", "c"]
    assert len(result.warnings) == 2
    assert result.warnings[0].startswith("j.jsonl:2: skipped an unreadable event")
    assert result.warnings[1].startswith("j.jsonl:3: skipped an unreadable event")
    assert "offset" in result.warnings[1]


def test_duplicates_by_id_are_read_once(tmp_path: Path) -> None:
    blob = "\n".join([line("a", T0, text="1"), line("b", T0), line("a", T0, text="copy"), ""])
    result = parse_journal(blob.encode(), "j")
    assert [e.id for e in result.events] == ["a", "b"]
    assert result.events[0].data == {"text": "1"}
    assert result.warnings == []


def test_events_are_ordered_by_timestamp_whatever_the_line_order() -> None:
    later = T0 + timedelta(minutes=5)
    other_zone = (T0 + timedelta(minutes=1)).astimezone(timezone(timedelta(hours=2)))
    blob = "\n".join([line("late", later), line("early", T0), line("plus2", other_zone), ""])
    assert [e.id for e in parse_journal(blob.encode(), "j").events] == ["early", "plus2", "late"]


def test_merged_journals_union_to_one_history() -> None:
    a = [line("1", T0), line("3", T0 + timedelta(seconds=3))]
    b = [line("2", T0 + timedelta(seconds=2)), line("3", T0 + timedelta(seconds=3))]
    blob = "\n".join(a + b + [""]).encode()
    assert [e.id for e in parse_journal(blob, "j").events] == ["1", "2", "3"]


def test_timestamps_stay_increasing_when_the_clock_steps_back(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    clock = FrozenClock(T0)
    first = write(journal, "a", clock=clock)
    clock.advance(-60)
    second = write(journal, "b", clock=clock)
    assert second.ts > first.ts
    assert [e.type for e in journal.read().events] == ["a", "b"]


def test_missing_journal_reads_as_empty(tmp_path: Path) -> None:
    result = Journal(tmp_path / "nope.jsonl").read()
    assert result.events == [] and result.warnings == []


def test_lock_timeout_is_a_clear_state_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    journal = Journal(tmp_path / "journal.jsonl")
    ready = tmp_path / "held"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import filelock, pathlib, sys, time\n"
            "lock = filelock.FileLock(sys.argv[1]); lock.acquire()\n"
            "pathlib.Path(sys.argv[2]).write_text('x'); time.sleep(30)\n",
            str(journal.lock_path),
            str(ready),
        ]
    )
    try:
        deadline = time.monotonic() + 20
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert ready.exists()
        monkeypatch.setattr(journal_module, "LOCK_TIMEOUT_SECONDS", 0.3)
        with pytest.raises(StateError) as caught, journal.locked():
            pass
        assert caught.value.exit_code == ExitCode.STATE
        assert "busy" in caught.value.message
        assert caught.value.location is not None
        assert caught.value.location.path == str(journal.lock_path)
    finally:
        holder.kill()
        holder.wait()
    # once the holder is gone (even killed), the lock is free again
    write(journal, "after")
    assert [e.type for e in journal.read().events] == ["after"]
