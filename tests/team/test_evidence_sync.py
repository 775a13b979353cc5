"""Across machines: evidence files travel with `crisis sync` (named by their SHA-256,
checked when they arrive), and an approver decides on the other machine."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, FrozenClock, run_cli
from tests.helpers import git, hostile_push, ok, start_team, tracked

pytestmark = pytest.mark.usefixtures("git_identity")


def test_evidence_travels_and_verifies_on_the_other_machine(tmp_path: Path) -> None:
    _remote, a, b, name = start_team(tmp_path)
    shot = tmp_path / "shot.png"
    shot.write_bytes(b"\x89PNG\r\n\x1a\n" + b"pixels" * 100)
    sha = hashlib.sha256(shot.read_bytes()).hexdigest()
    ok(run_cli(a, "evidence", "add", str(shot), "-i", name, "--note", "The post", actor="ana"))
    ok(run_cli(a, "sync", actor="ana"))
    assert f"incidents/{name}/evidence/{sha}" in tracked(a)
    ok(run_cli(b, "sync", actor="ben"))
    arrived = b / "incidents" / name / "evidence" / sha
    assert arrived.read_bytes() == shot.read_bytes()
    listed = ok(run_cli(b, "evidence", "list", "-i", name, actor="ben")).stdout
    assert "shot.png" in listed and sha in listed and "ana" in listed
    assert "every SHA-256 matches" in ok(run_cli(b, "evidence", "verify", "-i", name)).stdout
    # A file lost on one machine comes back from the shared copy with the next sync.
    arrived.unlink()
    ok(run_cli(b, "sync", actor="ben"))
    assert arrived.read_bytes() == shot.read_bytes()


def test_evidence_that_does_not_hash_to_its_name_is_refused(tmp_path: Path) -> None:
    remote, _a, b, name = start_team(tmp_path)
    fake = "0" * 64
    bad_name = f"incidents/{name}/evidence/not-a-hash.png"
    commit = hostile_push(
        remote,
        {
            f"incidents/{name}/evidence/{fake}": ("100644", b"not what the name says"),
            bad_name: ("100644", b"whatever"),
        },
    )
    result = ok(run_cli(b, "sync", actor="ben"))
    assert f"refused incidents/{name}/evidence/{fake}: its bytes do not hash to its name" in result.stderr  # fmt: skip
    assert f"refused {bad_name} in commit {commit[:12]}: an evidence file is named" in result.stderr  # fmt: skip
    assert not (b / "incidents" / name / "evidence" / fake).exists()
    assert not (b / "incidents" / name / "evidence" / "not-a-hash.png").exists()
    assert f"incidents/{name}/evidence/{fake}" not in tracked(b)  # and not shared onward


def test_links_folders_and_hostile_names_in_evidence_are_refused(tmp_path: Path) -> None:
    """What the sync code refuses for other files it refuses in evidence/ too: a link, a
    submodule, a folder where a file belongs, a name with escapes; an evidence/ that is a
    file. Nothing of it reaches the disk, the messages are safe to print."""
    remote, _a, b, name = start_team(tmp_path)
    hex_a, hex_b, hex_c = "a" * 64, "b" * 64, "c" * 64
    commit = hostile_push(
        remote,
        {
            f"incidents/{name}/evidence/{hex_a}": ("120000", b"/etc/passwd"),
            f"incidents/{name}/evidence/{hex_b}": ("160000", b"1" * 40),
            f"incidents/{name}/evidence/{hex_c}/inner": ("100644", b"x"),
            f"incidents/{name}/evidence/\x1b]0;owned\x07\u202e.png": ("100644", b"y"),
        },
    )
    result = ok(run_cli(b, "sync", actor="ben"))
    where = f"in commit {commit[:12]}"
    assert f"refused incidents/{name}/evidence/{hex_a} {where}: a symbolic link" in result.stderr
    assert f"refused incidents/{name}/evidence/{hex_b} {where}: a submodule" in result.stderr
    assert f"refused incidents/{name}/evidence/{hex_c} {where}: a folder where a file belongs" in result.stderr  # fmt: skip
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    assert not (b / "incidents" / name / "evidence").exists()
    for sha in (hex_a, hex_b, hex_c):
        assert f"incidents/{name}/evidence/{sha}" not in tracked(b)


def test_an_evidence_folder_linked_elsewhere_is_neither_shared_nor_written(
    tmp_path: Path,
) -> None:
    _remote, a, b, name = start_team(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = b"not part of any incident"
    sha = hashlib.sha256(secret).hexdigest()
    (outside / sha).write_bytes(secret)
    (a / "incidents" / name / "evidence").symlink_to(outside, target_is_directory=True)
    ok(run_cli(a, "note", "-i", name, "a note so the incident changed", actor="ana"))
    ok(run_cli(a, "sync", actor="ana"))
    assert f"incidents/{name}/evidence/{sha}" not in tracked(a)
    ok(run_cli(b, "sync", actor="ben"))
    assert not (b / "incidents" / name / "evidence").exists()


def test_oversized_evidence_is_refused_without_being_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import crisiscli.record.sharedtree as sharedtree

    remote, _a, b, name = start_team(tmp_path)
    monkeypatch.setattr(sharedtree, "MAX_EVIDENCE_BYTES", 1024)
    big = b"x" * 4096
    sha = hashlib.sha256(big).hexdigest()
    commit = hostile_push(remote, {f"incidents/{name}/evidence/{sha}": ("100644", big)})
    result = ok(run_cli(b, "sync", actor="ben"))
    assert f"refused incidents/{name}/evidence/{sha} in commit {commit[:12]}: larger than" in result.stderr  # fmt: skip
    assert not (b / "incidents" / name / "evidence").exists()


def test_the_approver_decides_on_the_other_machine(tmp_path: Path) -> None:
    """The responder's machine asks Dana; Dana's machine syncs, sees the exact text and
    approves as herself; the responder's next sync brings the decision, and the
    walk-through (resumed) takes the step back and finishes it."""
    remote = tmp_path / "team.git"
    git(tmp_path, "init", "--quiet", "--bare", str(remote))
    a, b = tmp_path / "responder", tmp_path / "dana"
    clock = FrozenClock(datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc))
    ok(run_cli(a, "init", "--git", "--remote", str(remote)))
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "inputs: {brand: Acme}\n"
        "steps:\n"
        "  people: {answers: {approver: Dana Reyes}}\n"
        "  holding: {approver: {name: Dana Reyes, decision: none}, action: defer}\n"
        "  grade: {action: pause}\n",
        encoding="utf-8",
    )
    book = str(FIXTURES / "approvals.yaml")
    ok(run_cli(a, "start", book, "--answers", str(answers), actor="ana", clock=clock))
    ok(run_cli(a, "sync", actor="ana", clock=clock))
    ok(run_cli(b, "init", "--git", "--remote", str(remote)))
    ok(run_cli(b, "sync", actor="Dana Reyes", clock=clock))
    name = next(p.name for p in (b / "incidents").iterdir() if not p.name.startswith("."))

    shown = ok(run_cli(b, "approve", "--list", actor="Dana Reyes", clock=clock)).stdout
    assert "We know about the post and are looking into it." in shown
    assert "asked of Dana Reyes by ana" in shown and "checks: x 47/280" in shown
    clock.advance(180)
    decided = run_cli(b, "approve", name, "--approve", "-m", "Go", actor="Dana Reyes", clock=clock)
    assert "is approved by Dana Reyes" in ok(decided).stdout
    ok(run_cli(b, "sync", actor="Dana Reyes", clock=clock))

    ok(run_cli(a, "sync", actor="ana", clock=clock))
    status = ok(run_cli(a, "status", name, actor="ana", clock=clock)).stdout
    assert "waiting for approval" not in status
    resume = tmp_path / "resume.yaml"
    resume.write_text(
        "steps:\n  grade: {answers: {grade: moderate}}\n  holding: {action: done}\n",
        encoding="utf-8",
    )
    clock.advance(60)
    ok(run_cli(a, "resume", name, "--answers", str(resume), actor="ana", clock=clock))
    log = (a / "incidents" / name / "log.md").read_text(encoding="utf-8")
    assert "Message for Holding line approved by Dana Reyes: Go" in log
    assert "Started step: Holding line (out of turn" in log
    assert "| Status | finished |" in log
