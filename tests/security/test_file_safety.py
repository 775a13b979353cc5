"""Files inside an incident are hostile ground: planted links, devices and FIFOs under the
names crisis uses are never followed, never read without bound, never written through."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from crisiscli import fsutil
from crisiscli.errors import CrisisError
from crisiscli.record.store import load_snapshot
from tests.conftest import make_env
from tests.helpers import open_incident


def test_temporary_names_are_unpredictable_and_not_the_pid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    made: list[str] = []
    real_open = os.open

    def spy(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(path).endswith(".tmp"):
            made.append(os.path.basename(path))
            assert flags & os.O_EXCL and flags & os.O_NOFOLLOW
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    target = tmp_path / "log.md"
    fsutil.atomic_write_text(target, "one")
    fsutil.atomic_write_text(target, "two")
    assert target.read_text() == "two"
    assert len(made) == 2 and made[0] != made[1]
    assert all(str(os.getpid()) not in name for name in made)
    assert [p.name for p in tmp_path.iterdir()] == ["log.md"]


def test_a_link_planted_under_the_temporary_name_is_not_written_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    folder = tmp_path / "incident"
    folder.mkdir()
    tokens = iter(["planted", "fresh"])
    monkeypatch.setattr(fsutil, "random_token", lambda: next(tokens))
    (folder / ".log.md.planted.tmp").symlink_to(victim)  # the attacker guessed the first name
    fsutil.atomic_write_text(folder / "log.md", "the log")
    assert victim.read_text() == "precious"
    assert (folder / "log.md").read_text() == "the log"


def test_old_pid_names_planted_by_the_thousand_change_nothing(crisis_home: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    incident = open_incident(make_env(crisis_home))
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    for pid in range(1, 2000):
        (incident.dir / f".log.md.{pid}.tmp").symlink_to(victim)
    for pid in (os.getpid(), os.getppid()):
        link = incident.dir / f".log.md.{pid}.tmp"
        if not link.is_symlink():
            link.symlink_to(victim)
    assert cli("note", "a note", "-i", incident.id).exit_code == 0
    assert victim.read_text() == "precious"
    assert "a note" in incident.log_path.read_text(encoding="utf-8")


def test_a_lock_file_that_is_a_link_is_refused(crisis_home: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(make_env(crisis_home))
    elsewhere = tmp_path / "created-by-crisis"
    lock = incident.dir / "journal.jsonl.lock"
    lock.unlink(missing_ok=True)
    lock.symlink_to(elsewhere)
    before = (incident.dir / "journal.jsonl").read_bytes()
    result = cli("note", "x", "-i", incident.id)
    assert result.exit_code == 7, result
    assert "symbolic link" in result.stderr and "Traceback" not in result.stderr
    assert not elsewhere.exists()
    assert (incident.dir / "journal.jsonl").read_bytes() == before


def test_a_snapshot_linked_to_dev_zero_is_refused_at_once(crisis_home: Path, cli) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(make_env(crisis_home))
    snapshot = incident.dir / "playbook.json"
    snapshot.unlink()
    snapshot.symlink_to("/dev/zero")
    with pytest.raises(CrisisError) as caught:
        load_snapshot(snapshot)
    assert "symbolic link" in caught.value.one_line()
    result = cli("status", incident.id)
    assert result.exit_code == 3 and "playbook.json" in result.stderr


def test_a_snapshot_that_is_a_fifo_does_not_hang(crisis_home: Path) -> None:
    incident = open_incident(make_env(crisis_home))
    snapshot = incident.dir / "playbook.json"
    snapshot.unlink()
    os.mkfifo(snapshot)
    outcome: list[BaseException | None] = []

    def load() -> None:
        try:
            load_snapshot(snapshot)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    worker.join(10)
    if worker.is_alive():  # unblock it before failing
        fd = os.open(snapshot, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
    assert outcome and isinstance(outcome[0], CrisisError)
    assert "not a regular file" in outcome[0].one_line()


def test_an_oversized_snapshot_is_refused_not_read(crisis_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    import crisiscli.record.store as store

    incident = open_incident(make_env(crisis_home))
    monkeypatch.setattr(store, "MAX_SNAPSHOT_BYTES", 100)
    with pytest.raises(CrisisError) as caught:
        store.load_snapshot(incident.dir / "playbook.json")
    assert "larger than 100 bytes" in caught.value.one_line()


def test_a_journal_linked_to_dev_zero_is_not_read(crisis_home: Path, cli) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(make_env(crisis_home))
    journal = incident.dir / "journal.jsonl"
    journal.unlink()
    journal.symlink_to("/dev/zero")
    result = cli("status", incident.id)  # not a journal at all: not listed
    assert result.exit_code == 4 and "Traceback" not in result.stderr


def test_the_incidents_folder_is_fsynced_after_a_new_incident(crisis_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    import crisiscli.record.store as store

    synced: list[Path] = []
    real = store.fsync_dir
    monkeypatch.setattr(store, "fsync_dir", lambda p: (synced.append(Path(p)), real(p))[1])
    incident = open_incident(make_env(crisis_home))
    assert crisis_home / "incidents" in synced
    assert incident.dir.parent == crisis_home / "incidents"


def test_append_durably_ends_a_torn_line_first(tmp_path: Path) -> None:
    path = tmp_path / "j"
    path.write_bytes(b'{"a":1}\n{"tor')
    fsutil.append_durably(path, b'{"b":2}\n')
    assert path.read_bytes() == b'{"a":1}\n{"tor\n{"b":2}\n'
    link = tmp_path / "link"
    link.symlink_to(path)
    with pytest.raises(OSError):
        fsutil.append_durably(link, b"x\n")
