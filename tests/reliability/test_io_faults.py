"""I/O faults: a full disk, a read-only home, a lock left by a dead process, a journal cut
mid-line or edited into invalid JSON. Each gives a clear one-line message with a
documented exit code, and nothing already written is lost."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from crisiscli import fsutil
from crisiscli.errors import ExitCode
from crisiscli.record import journal
from crisiscli.record.events import NewEvent
from crisiscli.record.store import JOURNAL, Incident
from tests.conftest import make_env
from tests.helpers import open_incident


@pytest.fixture
def incident(crisis_home: Path) -> Incident:
    found = open_incident(make_env(crisis_home))
    found.record(NewEvent("note.added", {"text": "written before the fault"}))
    return found


def _lines(incident: Incident) -> list[bytes]:
    return (incident.dir / JOURNAL).read_bytes().splitlines(keepends=True)


def _one_line_error(stderr: str, *words: str) -> str:
    lines = stderr.strip().splitlines()
    assert lines and lines[0].startswith("crisis: error: "), stderr
    assert all(line.startswith("  hint: ") for line in lines[1:]), stderr  # no traceback
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def _failing(error: int, after_bytes: int = 0) -> Callable[..., int]:
    """An ``os.write`` to the journal that writes ``after_bytes`` once, then fails with
    ``error`` (writes of caches elsewhere go through: they are not what is tested)."""
    real = os.write
    budget = [after_bytes]

    def write(fd: int, data: Any) -> int:
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            target = JOURNAL  # no /proc: every write counts
        if not target.endswith(JOURNAL):
            return real(fd, data)
        if budget[0] > 0:
            part = bytes(data[: budget[0]])
            budget[0] = 0
            return real(fd, part)
        raise OSError(error, os.strerror(error))

    return write


# -- disk full ---------------------------------------------------------------------------


def test_disk_full_on_append_keeps_what_was_written(
    incident: Incident, cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    before = _lines(incident)
    monkeypatch.setattr(fsutil.os, "write", _failing(errno.ENOSPC))
    result = cli("note", "this one cannot be saved")
    assert result.exit_code == ExitCode.IO_ERROR
    _one_line_error(result.stderr, "the disk is full", JOURNAL)
    assert _lines(incident) == before
    monkeypatch.undo()
    assert cli("note", "after space was freed").exit_code == 0
    texts = [n.text for n in incident.state().notes]
    assert texts == ["written before the fault", "after space was freed"]


def test_disk_full_mid_line_leaves_a_torn_tail_that_is_repaired(
    incident: Incident, cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    before = _lines(incident)
    monkeypatch.setattr(fsutil.os, "write", _failing(errno.ENOSPC, after_bytes=25))
    result = cli("note", "half of this reaches the disk")
    assert result.exit_code == ExitCode.IO_ERROR
    _one_line_error(result.stderr, "the disk is full")
    blob = (incident.dir / JOURNAL).read_bytes()
    assert blob.startswith(b"".join(before)) and not blob.endswith(b"\n")  # torn
    monkeypatch.undo()
    status = cli("status", "--json")
    assert status.exit_code == 0
    assert "incomplete last line" in status.stderr
    assert cli("note", "after space was freed").exit_code == 0
    after = _lines(incident)
    assert after[: len(before)] == before  # nothing already written changed
    assert [n.text for n in incident.state().notes] == [
        "written before the fault",
        "after space was freed",
    ]


def test_disk_full_on_fsync(incident: Incident, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    def fsync(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(journal.os, "fsync", fsync)
    result = cli("note", "not durable")
    assert result.exit_code == ExitCode.IO_ERROR
    _one_line_error(result.stderr, "the disk is full")
    monkeypatch.undo()
    assert "written before the fault" in [n.text for n in incident.state().notes]


def test_disk_full_while_rewriting_the_log_keeps_the_event(
    incident: Incident, cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:
        if str(dst).endswith("log.md"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_replace(src, dst)

    monkeypatch.setattr(fsutil.os, "replace", replace)
    result = cli("note", "the event is safe even if the log is not")
    assert result.exit_code == 0
    assert "could not rewrite the log" in result.stderr and "--rebuild" in result.stderr
    assert not list(incident.dir.glob(".log.md.*.tmp"))  # no temporary file left behind
    monkeypatch.undo()
    assert "the event is safe even if the log is not" in [n.text for n in incident.state().notes]
    assert cli("log", incident.id, "--rebuild").exit_code == 0
    assert "the event is safe even if the log is not" in (incident.dir / "log.md").read_text()


def test_disk_full_when_starting_an_incident(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    answers = tmp_path / "a.yaml"
    answers.write_text("inputs: {brand: Acme, source: ours}\nsteps: {}\n")
    monkeypatch.setattr(fsutil.os, "write", _failing(errno.ENOSPC))
    mini = str(Path(__file__).resolve().parent.parent / "fixtures" / "mini.yaml")
    result = cli("start", mini, "--answers", str(answers), "--title", "Full disk")
    assert result.exit_code == ExitCode.IO_ERROR
    _one_line_error(result.stderr)
    monkeypatch.undo()
    assert cli("list").exit_code == 0  # a half-made folder does not break anything


# -- read-only home ----------------------------------------------------------------------


@pytest.fixture
def read_only(crisis_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make CRISIS_HOME read-only: chmod where that binds, else EROFS injected (root)."""
    folders = [p for p in [crisis_home, *crisis_home.rglob("*")] if p.is_dir()]
    for folder in folders:
        folder.chmod(0o555)
    files = [p for p in crisis_home.rglob("*") if p.is_file()]
    for file in files:
        file.chmod(0o444)
    probe = crisis_home / "probe"
    try:
        probe.write_text("x")
        chmod_binds = False
        probe.unlink()
    except OSError:
        chmod_binds = True
    if not chmod_binds:  # root ignores permissions: make the kernel's answer ourselves
        real_open = os.open
        home = str(crisis_home)

        def open_(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
            writing = flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND)
            if writing and os.fspath(path).startswith(home):
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fspath(path))
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", open_)
    yield
    monkeypatch.undo()
    for folder in folders:
        folder.chmod(0o755)
    for file in files:
        file.chmod(0o644)


def test_read_only_home(incident: Incident, cli, read_only: None) -> None:  # type: ignore[no-untyped-def]
    before = _lines(incident)
    result = cli("note", "cannot be written")
    assert result.exit_code == ExitCode.IO_ERROR
    line = _one_line_error(result.stderr)
    assert "read-only" in line or "permission denied" in line
    assert _lines(incident) == before
    # Reading still works: status, log and list need no write access.
    for args in (("status",), ("log", incident.id), ("list",)):
        shown = cli(*args)
        assert shown.exit_code == 0, (args, shown.stderr)
    assert "written before the fault" in cli("log", incident.id).stdout


# -- a lock held by a process that died --------------------------------------------------

HOLDER = textwrap.dedent(
    """
    import sys, time
    import filelock
    lock = filelock.FileLock(sys.argv[1])
    lock.acquire()
    print("locked", flush=True)
    time.sleep(60)
    """
)


def test_lock_of_a_killed_process_is_released(
    incident: Incident, cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import filelock

    lock_path = str(incident.journal.lock_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, lock_path], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        # While it lives, the lock is really held: a writer waits, then says so clearly.
        with pytest.raises(filelock.Timeout):
            filelock.FileLock(lock_path, timeout=0.2).acquire()
        monkeypatch.setattr(journal, "LOCK_TIMEOUT_SECONDS", 0.3)
        busy = cli("note", "blocked by a live writer")
        assert busy.exit_code == ExitCode.STATE
        _one_line_error(busy.stderr, "busy", "lock")
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # Dead: the OS dropped its lock, though the lock file is still there.
    assert os.path.exists(lock_path)
    result = cli("note", "after the holder died")
    assert result.exit_code == 0, result.stderr
    assert [n.text for n in incident.state().notes][-1] == "after the holder died"


# -- a damaged journal -------------------------------------------------------------------


def test_journal_truncated_mid_line(incident: Incident, cli) -> None:  # type: ignore[no-untyped-def]
    incident.record(NewEvent("note.added", {"text": "the last line, cut short"}))
    path = incident.dir / JOURNAL
    blob = path.read_bytes()
    whole = blob[: blob.rstrip(b"\n").rfind(b"\n") + 1]
    path.write_bytes(blob[:-20])  # the last event loses its end
    status = cli("status")
    assert status.exit_code == 0
    warnings = [line for line in status.stderr.splitlines() if line.strip()]
    assert len(warnings) == 1 and f"{JOURNAL}:" in warnings[0]
    assert "incomplete last line" in warnings[0]
    assert cli("note", "written after the cut").exit_code == 0
    repaired = path.read_bytes()
    assert repaired.startswith(whole)  # every complete event is untouched
    texts = [n.text for n in incident.state().notes]
    assert texts == ["written before the fault", "written after the cut"]
    for line in repaired.splitlines()[:-2]:
        json.loads(line)  # the torn line was ended, so every other line is whole


def test_journal_line_edited_into_invalid_json(incident: Incident, cli) -> None:  # type: ignore[no-untyped-def]
    incident.record(NewEvent("note.added", {"text": "after the damaged line"}))
    path = incident.dir / JOURNAL
    lines = path.read_bytes().splitlines(keepends=True)
    damaged = 2  # 1-based line number of the note written before the fault
    assert b"written before the fault" in lines[damaged - 1]
    lines[damaged - 1] = lines[damaged - 1].replace(b'"text":', b'"text" ', 1)
    path.write_bytes(b"".join(lines))
    status = cli("status")
    assert status.exit_code == 0
    warning = _only_warning(status.stderr)
    assert f"{JOURNAL}:{damaged}:" in warning and "skipped an unreadable event" in warning
    log = cli("log", incident.id)
    assert log.exit_code == 0 and "after the damaged line" in log.stdout
    assert cli("note", "still writable").exit_code == 0
    kept = path.read_bytes().splitlines(keepends=True)
    assert kept[: len(lines)] == lines  # the bad line is kept for a person to repair
    texts = [n.text for n in incident.state().notes]
    assert texts == ["after the damaged line", "still writable"]


def _only_warning(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("warning: "), stderr
    return lines[0]
