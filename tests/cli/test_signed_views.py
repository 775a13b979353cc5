"""Issue 23's acceptance for signed approvals: each way a decision arrives — validly signed,
forged, signed with a key nobody listed, signed with a key since removed, replayed from
another incident, signed for an earlier version of the message — with the exact words every
view shows: ``crisis status``, ``log.md`` (``crisis log``), the report, ``crisis approve
--list`` and ``crisis watch``.

``approval.require_signature`` is on; Dana Reyes and Bo Lind are in allowed_signers (Eve's
key is not). The lines a teammate could append with plain tools are written by hand."""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_approve import start_waiting
from tests.cli.test_signed_approvals import allow, append_forged, configure
from tests.conftest import FrozenClock
from tests.helpers import ok

pytestmark = pytest.mark.skipif(
    shutil.which("ssh-keygen") is None, reason="ssh-keygen (OpenSSH 8.2+) is not installed"
)

LATER = "2026-11-23T15:30:00.000000+00:00"
NOT_LISTED = "a key allowed_signers does not list (unknown, or removed)"


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    from tests.cli.test_signed_approvals import make_key

    folder = tmp_path / "keys"
    folder.mkdir()
    return {who: make_key(folder, who) for who in ("dana", "bo", "eve")}


@pytest.fixture
def waiting(cli: Any, crisis_home: Path, tmp_path: Path, clock: FrozenClock, keys: Any) -> Path:
    folder = start_waiting(cli, crisis_home, tmp_path, clock)
    allow(crisis_home, keys, **{"Dana Reyes": "dana", "Bo Lind": "bo"})
    configure(cli, None, require=True)
    return folder


def lines(folder: Path) -> list[dict[str, Any]]:
    text = (folder / "journal.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def by_hand(folder: Path, key: Path | None, *, incident: str | None = None) -> dict[str, Any]:
    """Dana's approval of the version last put to her, written with plain tools and signed
    with ``key`` for ``incident`` (default: this one)."""
    from crisiscli.record.events import from_record
    from crisiscli.record.signing import canonical, sign

    request = [e for e in lines(folder) if e["type"] == "message.approval_requested"][-1]
    data = {"step": "holding", "decision": "approve", "digest": request["data"]["digest"],
            "approver": "Dana Reyes"}  # fmt: skip
    line = {"v": 1, "id": hashlib.sha256(repr(key).encode()).hexdigest()[:32], "ts": LATER,
            "actor": "Dana Reyes", "type": "message.approval_decided", "data": data}  # fmt: skip
    if key is not None:
        line["sig"] = sign(str(key), canonical(incident or folder.name, from_record(line)))
    return line


def new_version(folder: Path, text: str) -> None:
    """Ana edits the holding line and asks Dana again (what her walk-through records)."""
    journal = lines(folder)
    written = [e for e in journal if e["type"] == "message.recorded"]
    asked = [e for e in journal if e["type"] == "message.approval_requested"][-1]
    digest = hashlib.sha256(text.encode()).hexdigest()
    for n, old in enumerate((written[-1], asked)):
        new = dict(old, id=f"{n + 1}" * 32, ts=f"2026-11-23T15:1{n}:00.000000+00:00")
        new["data"] = dict(old["data"], **({"digest": digest} if n else {"text": text}))
        append_forged(folder, new)


def views(cli: Any, folder: Path) -> dict[str, str]:
    """What each view says at 15:31, whitespace folded (the screens wrap long lines)."""
    from datetime import datetime, timezone

    clock = FrozenClock(datetime(2026, 11, 23, 15, 31, tzinfo=timezone.utc))
    cli = functools.partial(cli, clock=clock)
    report = json.loads(ok(cli("report", folder.name, "--format", "json")).stdout)
    (draft,) = [m for m in report["drafts"] if m["step"] == "holding"]
    said = {
        "status": ok(cli("status", folder.name)).stdout,
        "log.md": ok(cli("log", folder.name)).stdout,
        "report": ok(cli("report", folder.name, "--format", "md")).stdout,
        "report.json": json.dumps(draft["approval"], ensure_ascii=False),
        "approve --list": ok(cli("approve", "--list", actor="Dana Reyes")).stdout,
        "watch": ok(cli("watch", "--once", folder.name)).stdout,
        "watch --json": ok(cli("watch", "--once", "--json", folder.name)).stdout,
    }
    return {view: " ".join(text.split()) for view, text in said.items()}


def refused_everywhere(cli: Any, folder: Path, why: str) -> None:
    """The decision does not count, and every view says so in the same words."""
    said = views(cli, folder)
    words = f"a decision by Dana Reyes was approved, not counted: {why}"
    assert f"waiting for approval from Dana Reyes — 30m: Holding line {words}" in said["status"]
    assert f"Decision by Dana Reyes at 15:30:00 UTC: approved, not counted: {why}" in said["log.md"]
    assert f"approved by Dana Reyes ({why}; not counted)" in said["log.md"]  # the timeline
    assert f"Approval: waiting for approval from Dana Reyes ({words})" in said["report"]
    assert f"Decision by Dana Reyes at 2026-11-23 15:30:00 UTC: approved, not counted: {why}" in said["report"]  # fmt: skip
    assert '"status": "waiting"' in said["report.json"]
    assert f"{words} decide: crisis approve" in said["approve --list"]
    assert f"waiting for approval from Dana Reyes — 30:59 (asked 15:00) {words}" in said["watch"]  # fmt: skip
    assert json.dumps(words, ensure_ascii=False) in said["watch --json"]


def test_a_valid_signature(cli: Any, waiting: Path, keys: Any, clock: FrozenClock) -> None:
    append_forged(waiting, by_hand(waiting, keys["dana"][0]))
    said = views(cli, waiting)
    assert "Approved by Dana Reyes ✓ signed" in said["log.md"]
    assert "Message for Holding line approved by Dana Reyes (✓ signed)" in said["log.md"]
    assert "Approval: approved by Dana Reyes ✓ signed" in said["report"]
    assert '"status": "approved"' in said["report.json"]
    assert "No message is waiting" in said["approve --list"]
    assert "WAITING FOR APPROVAL" not in said["watch"] and "waiting for approval" not in said["status"]  # fmt: skip
    assert "approved by Dana Reyes (✓ signed)" in said["watch --json"]
    assert "not counted" not in " ".join(said.values())


def test_a_forged_signature(cli: Any, waiting: Path, keys: Any) -> None:
    """Bo signs an approval "by Dana Reyes" with his own key."""
    append_forged(waiting, by_hand(waiting, keys["bo"][0]))
    refused_everywhere(
        cli, waiting, "signature does not verify: claims Dana Reyes, key is Bo Lind's"
    )


def test_no_signature(cli: Any, waiting: Path) -> None:
    append_forged(waiting, by_hand(waiting, None))
    refused_everywhere(cli, waiting, "unsigned")


def test_an_unknown_key(cli: Any, waiting: Path, keys: Any) -> None:
    append_forged(waiting, by_hand(waiting, keys["eve"][0]))
    refused_everywhere(
        cli, waiting, f"signature does not verify: claims Dana Reyes, signed with {NOT_LISTED}"
    )


def test_a_key_removed_from_allowed_signers(
    cli: Any, waiting: Path, keys: Any, crisis_home: Path
) -> None:
    """Dana's signature verified and counted; then her key is withdrawn (a lost laptop)."""
    append_forged(waiting, by_hand(waiting, keys["dana"][0]))
    assert "Approved by Dana Reyes ✓ signed" in views(cli, waiting)["log.md"]
    allow(crisis_home, keys, **{"Bo Lind": "bo"})
    refused_everywhere(
        cli, waiting, f"signature does not verify: claims Dana Reyes, signed with {NOT_LISTED}"
    )


def test_a_decision_replayed_from_another_request(cli: Any, waiting: Path, keys: Any) -> None:
    """Dana really approved the same words in another incident; Bo copies her signed line
    into this one, where the same text waits for her."""
    elsewhere = "2026-11-20-0900-another-incident"
    append_forged(waiting, by_hand(waiting, keys["dana"][0], incident=elsewhere))
    refused_everywhere(
        cli,
        waiting,
        "signature does not verify: signed with Dana Reyes's key, but the line was changed "
        "after it was signed (or copied from another incident)",
    )


def test_a_decision_signed_for_an_older_version(cli: Any, waiting: Path, keys: Any) -> None:
    """Dana signed her approval of version 1 on her laptop; by the time it arrives, Ana has
    written version 2 and asked her again. Her signature is good; it is for other words."""
    signed_for_v1 = by_hand(waiting, keys["dana"][0])
    new_version(waiting, "We are NOT sorry. Our lawyers will contact you.")
    append_forged(waiting, signed_for_v1)
    said = views(cli, waiting)
    words = "a decision by Dana Reyes was not counted: decided on an earlier version ✓ signed"
    assert f"waiting for approval from Dana Reyes — 20m: Holding line {words}" in said["status"]
    assert "No longer counts: decided on an earlier version ✓ signed by Dana Reyes" in said["log.md"]  # fmt: skip
    assert "Message for Holding line approved by Dana Reyes (✓ signed)" in said["log.md"]
    assert f"Approval: waiting for approval from Dana Reyes ({words})" in said["report"]
    assert '"status": "waiting"' in said["report.json"]
    assert "We are NOT sorry. Our lawyers will contact you. --- checks" in said["approve --list"]
    assert f"{words} decide: crisis approve" in said["approve --list"]
    assert f"(asked 15:11) {words}" in said["watch"]
