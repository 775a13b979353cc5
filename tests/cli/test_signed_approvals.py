"""Signed approvals (issue 23.3): a decision signed with the person's SSH key through
``ssh-keygen -Y sign``, checked against the team's ``allowed_signers`` wherever it is
folded; with ``approval.require_signature`` an unsigned or forged decision does not count.

Real keys, made by the real ssh-keygen in temporary folders."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_approve import decisions, start_waiting
from tests.conftest import FrozenClock
from tests.helpers import ok

pytestmark = pytest.mark.skipif(
    shutil.which("ssh-keygen") is None, reason="ssh-keygen (OpenSSH 8.2+) is not installed"
)


def make_key(folder: Path, name: str) -> tuple[Path, str]:
    """A new ed25519 key without passphrase: (private key file, public key text)."""
    path = folder / name
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(path)],
        check=True,
        stdin=subprocess.DEVNULL,
    )
    public = path.with_suffix(".pub").read_text(encoding="utf-8").split()
    return path, f"{public[0]} {public[1]}"


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    folder = tmp_path / "keys"
    folder.mkdir()
    return {who: make_key(folder, who) for who in ("dana", "bo", "eve")}


def allow(home: Path, keys: dict[str, tuple[Path, str]], **people: str) -> None:
    """allowed_signers: each person's name (quoted: names have spaces) and key."""
    lines = [f'"{name}" {keys[who][1]}' for name, who in people.items()]
    (home / "allowed_signers").write_text("\n".join(lines) + "\n", encoding="utf-8")


def configure(cli: Any, key: Path | None, *, require: bool) -> None:
    if key is not None:
        ok(cli("config", "set", "signing.key", str(key)))
    ok(cli("config", "set", "approval.require_signature", "true" if require else "false"))


def state_words(cli: Any, folder: Path) -> tuple[str, dict[str, Any]]:
    log = ok(cli("log", folder.name)).stdout
    report = json.loads(ok(cli("report", folder.name, "--format", "json")).stdout)
    (draft,) = [m for m in report["drafts"] if m["step"] == "holding"]
    return log, draft["approval"]


def test_a_signed_approval_counts_and_says_so_everywhere(
    cli: Any, waiting: Path, crisis_home: Path, keys: Any
) -> None:
    allow(crisis_home, keys, **{"Dana Reyes": "dana", "Bo Lind": "bo"})
    configure(cli, keys["dana"][0], require=True)
    said = ok(cli("approve", waiting.name, "--approve", actor="Dana Reyes")).stdout
    assert "approved by Dana Reyes ✓ signed" in said
    (decided,) = decisions(waiting)
    assert decided["sig"] and decided["data"]["approver"] == "Dana Reyes"
    log, approval = state_words(cli, waiting)
    assert "Approved by Dana Reyes ✓ signed" in log
    assert approval["status"] == "approved" and approval["signature"] == "signed"
    assert "No message is waiting" in ok(cli("approve", "--list")).stdout


def test_a_forged_crisis_user_is_refused_before_anything_is_recorded(
    cli: Any, waiting: Path, crisis_home: Path, keys: Any
) -> None:
    """`CRISIS_USER=Dana` on Bo's machine, with Bo's key: refused, nothing recorded."""
    allow(crisis_home, keys, **{"Dana Reyes": "dana", "Bo Lind": "bo"})
    configure(cli, keys["bo"][0], require=True)
    refused = cli("approve", waiting.name, "--approve", actor="Dana Reyes")
    assert refused.exit_code == 2
    assert "cannot decide as Dana Reyes" in refused.stderr
    assert "claims Dana Reyes, key is Bo Lind's" in refused.stderr
    assert decisions(waiting) == []


def test_an_unknown_key_and_no_key_are_refused_when_required(
    cli: Any, waiting: Path, crisis_home: Path, keys: Any
) -> None:
    allow(crisis_home, keys, **{"Dana Reyes": "dana"})
    configure(cli, None, require=True)
    no_key = cli("approve", waiting.name, "--approve", actor="Dana Reyes")
    assert no_key.exit_code == 2 and "no SSH key is set" in no_key.stderr
    assert "crisis config set signing.key" in no_key.stderr
    configure(cli, keys["eve"][0], require=True)
    unknown = cli("approve", waiting.name, "--approve", actor="Dana Reyes")
    assert unknown.exit_code == 2
    assert "a key allowed_signers does not list" in unknown.stderr
    assert decisions(waiting) == []


def append_forged(folder: Path, decided: dict[str, Any]) -> None:
    with open(folder / "journal.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(decided, ensure_ascii=False, separators=(",", ":")) + "\n")


def approval_by_hand(journal: bytes, event_id: str, ts: str, key: Path | None = None, incident: str = "") -> dict[str, Any]:  # fmt: skip
    """An approval "by Dana Reyes" of the version waiting in ``journal``, written with plain
    tools (signed with ``key`` for ``incident`` when given)."""
    from crisiscli.record.events import from_record
    from crisiscli.record.signing import canonical, sign

    (request,) = [
        e
        for e in map(json.loads, journal.splitlines())
        if e["type"] == "message.approval_requested"
    ]
    data = {"step": "holding", "decision": "approve", "digest": request["data"]["digest"]}
    line = {"v": 1, "id": event_id, "ts": ts, "actor": "Dana Reyes",
            "type": "message.approval_decided", "data": {**data, "approver": "Dana Reyes"}}  # fmt: skip
    if key is not None:
        line["sig"] = sign(str(key), canonical(incident, from_record(line)))
    return line


def test_a_decision_written_by_hand_does_not_count_and_is_named(
    cli: Any, waiting: Path, crisis_home: Path, keys: Any, clock: FrozenClock
) -> None:
    """Bo, with plain tools, appends an approval "by Dana Reyes": unsigned, or signed with
    his own key, or Dana's real signature with the comment changed. None counts."""
    allow(crisis_home, keys, **{"Dana Reyes": "dana", "Bo Lind": "bo"})
    configure(cli, keys["dana"][0], require=True)
    ok(cli("approve", waiting.name, "--reject", "-m", "Too vague", actor="Dana Reyes"))
    (real,) = decisions(waiting)
    # The journal again without the real rejection: Bo's lines are what is there.
    journal = waiting / "journal.jsonl"
    lines = journal.read_text(encoding="utf-8").splitlines()
    journal.write_text("\n".join(line for line in lines if real["id"] not in line) + "\n")
    (waiting / ".checkpoint.json").unlink(missing_ok=True)
    tampered = dict(real, data=dict(real["data"], decision="approve", comment="Fine"))
    tampered["id"] = "f" * 32
    append_forged(waiting, tampered)
    log, approval = state_words(cli, waiting)
    assert approval["status"] == "waiting"
    assert "the line was changed after it was signed" in log

    assert "not counted" in log

    unsigned = dict(tampered, id="e" * 32)
    del unsigned["sig"]
    append_forged(waiting, unsigned)
    shown = ok(cli("approve", "--list", actor="Dana Reyes")).stdout

    assert "a decision by Dana Reyes was approved, not counted: unsigned" in shown
    assert ok(cli("status", waiting.name)).exit_code == 0


def test_bo_signing_as_dana_by_hand_is_named(
    cli: Any, waiting: Path, crisis_home: Path, keys: Any
) -> None:
    allow(crisis_home, keys, **{"Dana Reyes": "dana", "Bo Lind": "bo"})
    configure(cli, None, require=True)
    journal = (waiting / "journal.jsonl").read_bytes()
    ts = "2026-11-23T15:30:00.000000+00:00"
    forged = approval_by_hand(journal, "d" * 32, ts, keys["bo"][0], waiting.name)
    append_forged(waiting, forged)
    log, approval = state_words(cli, waiting)
    assert approval["status"] == "waiting"
    assert "signature does not verify: claims Dana Reyes, key is Bo Lind's" in log
    (refused,) = approval["not_counted"]
    assert "claims Dana Reyes, key is Bo Lind's" in refused["what"]


def test_a_key_removed_from_allowed_signers_stops_counting(
    cli: Any, waiting: Path, crisis_home: Path, keys: Any
) -> None:
    allow(crisis_home, keys, **{"Dana Reyes": "dana"})
    configure(cli, keys["dana"][0], require=True)
    ok(cli("approve", waiting.name, "--approve", actor="Dana Reyes"))
    assert state_words(cli, waiting)[1]["status"] == "approved"
    allow(crisis_home, keys, **{"Bo Lind": "bo"})  # Dana's key withdrawn (a lost laptop)
    log, approval = state_words(cli, waiting)
    assert approval["status"] == "waiting"
    assert "a key allowed_signers does not list (unknown, or removed)" in log


def test_not_required_is_todays_behaviour_with_an_unsigned_mark(
    cli: Any, waiting: Path, crisis_home: Path, keys: Any
) -> None:
    allow(crisis_home, keys, **{"Dana Reyes": "dana"})
    configure(cli, None, require=False)
    said = ok(cli("approve", waiting.name, "--approve", actor="Dana Reyes")).stdout
    assert "approved by Dana Reyes (unsigned)" in said
    (decided,) = decisions(waiting)
    assert "sig" not in decided
    log, approval = state_words(cli, waiting)
    assert approval["status"] == "approved" and approval["signature"] == "unsigned"
    assert "Approved by Dana Reyes (unsigned)" in log


def test_without_any_signing_set_up_nothing_changes(cli: Any, waiting: Path) -> None:
    said = ok(cli("approve", waiting.name, "--approve", actor="Dana Reyes")).stdout
    assert "approved by Dana Reyes." in said and "signed" not in said
    (decided,) = decisions(waiting)
    assert "sig" not in decided


def test_the_export_carries_the_proof_a_third_party_checks_offline(
    cli: Any, waiting: Path, crisis_home: Path, keys: Any, tmp_path: Path
) -> None:
    import zipfile

    allow(crisis_home, keys, **{"Dana Reyes": "dana"})
    configure(cli, keys["dana"][0], require=True)
    ok(cli("approve", waiting.name, "--approve", actor="Dana Reyes"))
    bundle = tmp_path / "bundle.zip"
    ok(cli("export", waiting.name, "-o", str(bundle)))
    assert ok(cli("export", "--verify", str(bundle))).exit_code == 0
    out = tmp_path / "unpacked"
    with zipfile.ZipFile(bundle) as z:
        names = [n for n in z.namelist() if n.startswith("signatures/")]
        for name in names:
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            (out / name).write_bytes(z.read(name))
    folder = out / "signatures"
    (command,) = [
        line.split("    #")[0]
        for line in (folder / "VERIFY.txt").read_text().splitlines()
        if line.startswith("ssh-keygen")
    ]
    done = subprocess.run(
        command, shell=True, cwd=folder, capture_output=True, text=True
    )  # the printed command
    assert done.returncode == 0, done.stderr
    assert 'Good "crisis-event" signature for Dana Reyes' in done.stdout + done.stderr


def test_without_ssh_keygen_a_required_signature_is_refused_clearly(
    cli: Any, waiting: Path, crisis_home: Path, keys: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # fmt: skip
    allow(crisis_home, keys, **{"Dana Reyes": "dana"})
    configure(cli, keys["dana"][0], require=True)
    empty = tmp_path / "no-tools"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    refused = cli("approve", waiting.name, "--approve", actor="Dana Reyes")
    assert refused.exit_code == 2
    assert "ssh-keygen is not installed" in refused.stderr and "openssh-client" in refused.stderr
    assert decisions(waiting) == []
    checked = cli("signers", "check", actor="Dana Reyes")
    assert checked.exit_code == 1 and "PROBLEM ssh-keygen: not found on PATH" in checked.stdout


def test_signers_check_names_a_name_that_does_not_match_the_key(
    cli: Any, crisis_home: Path, keys: Any
) -> None:
    crisis_home.mkdir(parents=True, exist_ok=True)
    ok(cli("config", "set", "signing.key", str(keys["dana"][0])))
    pub = str(keys["dana"][0].with_suffix(".pub"))
    ok(cli("signers", "add", "Dana Reyes", pub, actor="Dana Reyes"))
    fine = ok(cli("signers", "check", actor="Dana Reyes")).stdout
    assert "you sign as Dana Reyes: verifies" in fine and "signed by Dana Reyes" in fine
    wrong = cli("signers", "check", actor="Bo Lind")
    assert wrong.exit_code == 1
    assert (
        "you sign as Bo Lind: does not verify (claims Bo Lind, key is Dana Reyes's)" in wrong.stdout
    )
    # someone not listed cannot change the file: teammates would refuse it
    ok(cli("config", "set", "signing.key", str(keys["eve"][0])))
    refused = cli("signers", "add", "Eve", str(keys["eve"][0].with_suffix(".pub")))
    assert refused.exit_code == 2 and "your key is not in allowed_signers" in refused.stderr


def test_signatures_left_unchecked_are_checked_by_the_next_command(
    cli: Any, waiting: Path, crisis_home: Path, keys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A journal stuffed with signed lines costs each command a bounded time, and the fold
    that left some unchecked is not kept: the next command checks them and counts."""
    import crisiscli.record.signing as signing

    allow(crisis_home, keys, **{"Dana Reyes": "dana"})
    configure(cli, keys["dana"][0], require=True)
    ok(cli("approve", waiting.name, "--approve", actor="Dana Reyes"))
    (waiting / ".signatures.json").unlink()
    (waiting / ".checkpoint.json").unlink(missing_ok=True)
    monkeypatch.setattr(signing, "CHECK_BUDGET", 0)
    listed = ok(cli("approve", "--list", actor="Dana Reyes")).stdout  # folds through state()
    assert "not checked yet (more than 0 new signatures at once)" in listed
    monkeypatch.setattr(signing, "CHECK_BUDGET", 300)
    assert "No message is waiting" in ok(cli("approve", "--list", actor="Dana Reyes")).stdout


def test_a_playbook_can_require_signed_approvals(
    cli: Any, crisis_home: Path, tmp_path: Path, keys: Any, clock: FrozenClock
) -> None:
    """`approval: {require_signature: true}` in the playbook: no config needed, and on a
    machine where nobody set signing up an approval does not count either."""
    from tests.helpers import FIXTURES

    book = tmp_path / "signed.yaml"
    text = (FIXTURES / "approvals.yaml").read_text(encoding="utf-8")
    book.write_text(text.replace("\nphases:", "\napproval: {require_signature: true}\nphases:", 1))
    folder = start_waiting(cli, crisis_home, tmp_path, clock, book=book)
    refused = cli("approve", folder.name, "--approve", actor="Dana Reyes")
    assert refused.exit_code == 2 and "no SSH key is set" in refused.stderr
    journal = (folder / "journal.jsonl").read_bytes()
    by_hand = approval_by_hand(journal, "c" * 32, "2026-11-23T15:30:00.000000+00:00")
    append_forged(folder, by_hand)
    log, approval = state_words(cli, folder)
    assert approval["status"] == "waiting"
    assert "approved, not counted: unsigned" in log
    allow(crisis_home, keys, **{"Dana Reyes": "dana"})
    ok(cli("config", "set", "signing.key", str(keys["dana"][0])))
    said = ok(cli("approve", folder.name, "--approve", actor="Dana Reyes")).stdout
    assert "approved by Dana Reyes ✓ signed" in said


def test_the_playbook_setting_is_checked_like_the_rest(cli: Any, tmp_path: Path) -> None:
    from tests.helpers import FIXTURES

    book = tmp_path / "bad.yaml"
    text = (FIXTURES / "approvals.yaml").read_text(encoding="utf-8")
    book.write_text(text.replace("\nphases:", "\napproval: {require_signature: maybe}\nphases:", 1))
    linted = cli("lint", str(book))
    assert linted.exit_code != 0 and "require_signature must be true or false" in linted.stdout + linted.stderr  # fmt: skip
