"""Signed approvals across machines (issue 23.3): the team's allowed_signers travels with
`crisis sync`, signed; a teammate's signed decision arriving by sync counts; a change to
allowed_signers nobody trusted signed is refused on arrival."""

from __future__ import annotations

import functools
import json
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_approve import start_waiting
from tests.cli.test_signed_approvals import approval_by_hand, make_key
from tests.conftest import FrozenClock, run_cli
from tests.helpers import git, hostile_push, ok

pytestmark = [
    pytest.mark.usefixtures("git_identity"),
    pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed"),
]


def team(tmp: Path) -> tuple[Path, Path, Path, str, dict[str, Any]]:
    """Ana's laptop (a) asks Dana for approval; Dana's laptop (b) has the incident by sync;
    both sign, both require signatures."""
    folder = tmp / "keys"
    folder.mkdir()
    keys = {who: make_key(folder, who) for who in ("ana", "dana", "mallory")}
    clock = FrozenClock(datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc))
    remote, a, b = tmp / "team.git", tmp / "laptop-a", tmp / "laptop-b"
    git(tmp, "init", "--quiet", "--bare", str(remote))
    ok(run_cli(a, "init", "--git", "--remote", str(remote)))
    for home, who in ((a, "ana"), (b, "dana")):
        home.mkdir(exist_ok=True)
        ok(run_cli(home, "config", "set", "signing.key", str(keys[who][0])))
        ok(run_cli(home, "config", "set", "approval.require_signature", "true"))
    for name, who in (("Ana Ruiz", "ana"), ("Dana Reyes", "dana")):
        key = keys[who][0].with_suffix(".pub")
        ok(run_cli(a, "signers", "add", name, str(key), actor="Ana Ruiz"))
    on_a = functools.partial(run_cli, a)
    name = start_waiting(on_a, a, tmp, clock, actor="Ana Ruiz").name
    ok(run_cli(a, "sync", actor="Ana Ruiz"))
    ok(run_cli(b, "init", "--git", "--remote", str(remote)))
    joined = ok(run_cli(b, "sync", actor="Dana Reyes"))
    assert "took in allowed_signers from the team repository (2 people, signed by Ana Ruiz)" in joined.stderr  # fmt: skip
    return remote, a, b, name, keys


def status_of(home: Path, name: str) -> dict[str, Any]:
    report = json.loads(ok(run_cli(home, "report", name, "--format", "json")).stdout)
    (draft,) = [m for m in report["drafts"] if m["step"] == "holding"]
    return dict(draft["approval"])


def test_a_teammates_signed_approval_arrives_and_counts(tmp_path: Path) -> None:
    _remote, a, b, name, _keys = team(tmp_path)
    assert status_of(a, name)["status"] == "waiting"
    said = ok(run_cli(b, "approve", name, "--approve", actor="Dana Reyes")).stdout
    assert "approved by Dana Reyes ✓ signed" in said
    ok(run_cli(b, "sync", actor="Dana Reyes"))
    arrived = ok(run_cli(a, "sync", actor="Ana Ruiz"))
    assert "does not count" not in arrived.stderr
    approval = status_of(a, name)
    assert approval["status"] == "approved" and approval["signature"] == "signed"
    assert "Approved by Dana Reyes ✓ signed" in ok(run_cli(a, "log", name)).stdout


def test_a_forged_decision_arriving_by_sync_does_not_count(tmp_path: Path) -> None:
    """Mallory pushes an approval "by Dana Reyes" signed with her own key."""
    remote, a, _b, name, keys = team(tmp_path)
    path = f"incidents/{name}/journal.jsonl"
    journal = git(a, "show", f"HEAD:{path}").encode()
    ts = "2026-11-23T08:30:00.000000+00:00"
    forged = approval_by_hand(journal, "d" * 32, ts, keys["mallory"][0], name)
    line = json.dumps(forged, separators=(",", ":")).encode() + b"\n"
    hostile_push(remote, {path: ("100644", journal + line)})
    arrived = ok(run_cli(a, "sync", actor="Ana Ruiz"))
    assert "does not count" in arrived.stderr
    assert "a key allowed_signers does not list" in arrived.stderr
    approval = status_of(a, name)
    assert approval["status"] == "waiting"
    (refused,) = approval["not_counted"]
    assert refused["approver"] == "Dana Reyes"


def test_an_unsigned_change_to_allowed_signers_is_refused_on_arrival(tmp_path: Path) -> None:
    remote, a, _b, _name, keys = team(tmp_path)
    before = (a / "allowed_signers").read_bytes()
    mallory = f'"Dana Reyes" {keys["mallory"][1]}\n'.encode()
    hostile_push(remote, {"allowed_signers": ("100644", before + mallory)})
    arrived = ok(run_cli(a, "sync", actor="Ana Ruiz"))
    assert "refused allowed_signers: not signed by anyone this machine's allowed_signers lists" in arrived.stderr  # fmt: skip
    assert (a / "allowed_signers").read_bytes() == before
    # and the team's branch carries this machine's trusted version again
    assert git(a, "show", "origin/main:allowed_signers").encode() == before


def test_a_signed_removal_travels_and_stops_the_key_counting(tmp_path: Path) -> None:
    _remote, a, b, name, _keys = team(tmp_path)
    ok(run_cli(b, "approve", name, "--approve", actor="Dana Reyes"))
    ok(run_cli(b, "sync", actor="Dana Reyes"))
    ok(run_cli(a, "sync", actor="Ana Ruiz"))
    assert status_of(a, name)["status"] == "approved"
    ok(run_cli(a, "signers", "remove", "Dana Reyes", actor="Ana Ruiz"))
    ok(run_cli(a, "sync", actor="Ana Ruiz"))
    ok(run_cli(b, "sync", actor="Dana Reyes"))
    assert b"Dana Reyes" not in (b / "allowed_signers").read_bytes()
    assert status_of(b, name)["status"] == "waiting"
