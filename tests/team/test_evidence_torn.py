"""Issue 26 finding 6: evidence copied from a file that changes during the copy (a download
still running, an export being rewritten) used to be kept torn — a 40 MB file truncated
mid-copy was stored as 34,603,008 bytes and `evidence verify` passed. The change is now
detected (size, modification and status-change times before and after) and nothing is kept."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from crisiscli.record.store import EVIDENCE
from tests.conftest import make_env
from tests.helpers import open_incident

BIG = 3 * (1 << 20) + 12345  # more than one read of the copy


def change_during_copy(monkeypatch: pytest.MonkeyPatch, victim: Path, change: Any) -> None:
    """After the first read of ``victim``'s bytes, ``change`` it (once)."""
    real = os.read
    done = [False]

    def read(fd: int, n: int) -> bytes:
        data = real(fd, n)
        if not done[0] and data:
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(victim))
            except OSError:
                same = False
            if same:
                done[0] = True
                change(victim)
        return data

    monkeypatch.setattr(os, "read", read)


def truncate(path: Path) -> None:
    os.truncate(path, BIG // 2)


def rewrite_in_place(path: Path) -> None:
    with open(path, "r+b") as handle:  # same size, other bytes
        handle.seek(BIG - 10)
        handle.write(b"X" * 10)


@pytest.mark.parametrize("change", [truncate, rewrite_in_place], ids=["truncated", "rewritten"])
def test_a_file_changing_during_the_copy_is_refused(cli, crisis_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: Any) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    incident = open_incident(make_env(crisis_home))
    victim = tmp_path / "export.csv"
    victim.write_bytes(b"a,b\n" * (BIG // 4) + b"1" * (BIG % 4))
    change_during_copy(monkeypatch, victim, change)
    result = cli("evidence", "add", str(victim), "-i", incident.id)
    monkeypatch.undo()
    assert result.exit_code == 3, result
    lines = result.stderr.splitlines()
    assert (
        lines[0].startswith("crisis: error: ") and "changed while it was being copied" in lines[0]
    )
    assert "nothing was kept" in lines[0] and len(lines) <= 2
    assert not [e for e in incident.state().evidence]
    folder = incident.dir / EVIDENCE
    assert not folder.exists() or list(folder.iterdir()) == []  # no torn copy, no temporary


def test_a_file_left_alone_is_kept(cli, crisis_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(make_env(crisis_home))
    steady = tmp_path / "steady.csv"
    steady.write_bytes(b"a,b\n" * (BIG // 4))
    assert cli("evidence", "add", str(steady), "-i", incident.id).exit_code == 0
    assert [e.size for e in incident.state().evidence] == [BIG // 4 * 4]
