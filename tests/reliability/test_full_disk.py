"""Issue 26 finding 6: a full disk in the middle of a line, and `crisis sync` on a full disk.

A note that hit a full disk used to leave half a line that the next note was appended
after: every later command (and every sync) then warned "skipped an unreadable event",
forever. The next append now cuts the torn tail off, keeps its bytes in ``.journal.torn``
beside the journal, and says so once. `crisis sync` on a full disk exits 7 (IO_ERROR), as
docs/exit-codes.md says, not 5.

Each case runs with the fault injected (``os.write`` fails with ENOSPC mid-line; a `git`
that answers "No space left on device"), which works everywhere, and again on a real small
tmpfs where this machine lets the test mount one (root); elsewhere that variant is skipped
with a notice."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crisiscli import fsutil
from crisiscli.errors import ExitCode
from crisiscli.record.store import JOURNAL
from tests.conftest import FrozenClock, run_cli
from tests.helpers import note_texts, open_incident, start_team
from tests.reliability.test_io_faults import _failing, _lines, _one_line_error


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A real 4 MiB tmpfs mounted for this test, or a skip saying why there is none."""
    mount = tmp_path / "small-fs"
    mount.mkdir()
    if not shutil.which("mount") or os.name != "posix":
        pytest.skip("no mount(8) here: the injected-ENOSPC variant covers this case")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(
            "cannot mount a small tmpfs here (needs root): "
            f"{done.stderr.strip() or done.returncode}; the injected-ENOSPC variant covers this case"
        )
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, check=False)


def fill(folder: Path) -> Path:
    """Fill the file system under ``folder`` to the last byte; the filler, to free it."""
    filler = folder / f"filler-{uuid.uuid4().hex}"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        block = b"\0" * 65536
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, block)
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, b"\0")
    finally:
        os.close(fd)
    return filler


# -- a torn tail --------------------------------------------------------------------------


def check_torn_tail_is_set_aside(cli: Any, folder: Path, before: list[bytes]) -> None:
    blob = (folder / JOURNAL).read_bytes()
    assert blob.startswith(b"".join(before)) and not blob.endswith(b"\n"), "no torn tail made"
    torn = blob[len(b"".join(before)) :]
    noted = cli("note", "after space was freed")
    assert noted.exit_code == 0, noted
    assert noted.stderr.count("cut off an incomplete last line") == 1, noted.stderr
    assert str(folder / ".journal.torn") in noted.stderr
    assert (folder / ".journal.torn").read_bytes() == torn + b"\n"  # kept for a person
    after = (folder / JOURNAL).read_bytes()
    assert after.startswith(b"".join(before)) and after.endswith(b"\n")
    assert torn not in after
    for command in (("status",), ("note", "and one more"), ("log",), ("list",)):
        result = cli(*command)
        assert result.exit_code == 0, result
        assert "unreadable" not in result.stderr and "incomplete" not in result.stderr, (command, result.stderr)  # fmt: skip


def test_a_note_torn_by_a_full_disk_is_set_aside_by_the_next(crisis_home: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    from crisiscli.record.events import NewEvent
    from tests.conftest import make_env

    incident = open_incident(make_env(crisis_home))
    incident.record(NewEvent("note.added", {"text": "written before the fault"}))
    before = _lines(incident)
    monkeypatch.setattr(fsutil.os, "write", _failing(errno.ENOSPC, after_bytes=25))
    result = cli("note", "half of this reaches the disk")
    assert result.exit_code == ExitCode.IO_ERROR
    _one_line_error(result.stderr, "the disk is full")
    monkeypatch.undo()
    check_torn_tail_is_set_aside(cli, incident.dir, before)
    assert [n.text for n in incident.state().notes] == [
        "written before the fault",
        "after space was freed",
        "and one more",
    ]


def test_a_note_torn_on_a_real_full_file_system(small_fs: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    home = small_fs / "home"
    monkeypatch.setenv("CRISIS_HOME", str(home))

    def cli(*args: str) -> Any:
        return run_cli(home, *args)

    from tests.conftest import make_env

    incident = open_incident(make_env(home))
    assert cli("note", "written before the fault").exit_code == 0
    before = _lines(incident)
    filler = fill(small_fs)
    result = cli("note", "x" * 40_000)  # more than the journal's last page holds
    assert result.exit_code == ExitCode.IO_ERROR, result
    _one_line_error(result.stderr, "the disk is full")
    filler.unlink()
    check_torn_tail_is_set_aside(cli, incident.dir, before)


# -- sync ---------------------------------------------------------------------------------


def fake_git(folder: Path, failing: str) -> Path:
    """A `git` that is the real one, except that ``failing`` (a subcommand) answers as git
    does on a full disk."""
    real = shutil.which("git")
    assert real is not None
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "git"
    script.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do\n'
        f'  if [ "$a" = "{failing}" ]; then\n'
        "    echo 'error: unable to create temporary file: No space left on device' >&2\n"
        "    echo 'fatal: failed to write object' >&2\n"
        "    exit 128\n"
        "  fi\n"
        "done\n"
        f'exec "{real}" "$@"\n',
        encoding="utf-8",
    )
    script.chmod(0o755)
    return folder


@pytest.mark.usefixtures("git_identity")
@pytest.mark.parametrize("failing", ["fetch", "hash-object", "commit-tree"])
def test_sync_on_a_full_disk_exits_7(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str) -> None:  # fmt: skip
    _remote, a, _b, name = start_team(tmp_path)
    clock = FrozenClock()
    assert run_cli(a, "note", "to share", "-i", name, actor="ana", clock=clock).exit_code == 0
    monkeypatch.setenv("PATH", f"{fake_git(tmp_path / 'bin', failing)}{os.pathsep}{os.environ['PATH']}")  # fmt: skip
    result = run_cli(a, "sync", actor="ana")
    assert result.exit_code == ExitCode.IO_ERROR, result
    line = _one_line_error(result.stderr, "No space left on device")
    assert "git" in line
    monkeypatch.undo()
    assert run_cli(a, "sync", actor="ana").exit_code == 0
    assert "to share" in note_texts(a, name)


@pytest.mark.usefixtures("git_identity")
def test_sync_on_a_real_full_file_system_exits_7(small_fs: Path) -> None:
    _remote, a, _b, name = start_team(small_fs)
    clock = FrozenClock()
    assert run_cli(a, "note", "to share " + "y" * 5000, "-i", name, actor="ana", clock=clock).exit_code == 0  # fmt: skip
    filler = fill(small_fs)
    result = run_cli(a, "sync", actor="ana")
    assert result.exit_code == ExitCode.IO_ERROR, result
    _one_line_error(result.stderr)
    filler.unlink()
    done = run_cli(a, "sync", actor="ana")
    assert done.exit_code == 0, done
