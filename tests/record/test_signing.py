"""record/signing.py with the real ssh-keygen: what a signature covers, and each way one fails."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from crisiscli.record.events import Event
from crisiscli.record.signing import (
    Checker,
    Policy,
    SigningError,
    canonical,
    sign,
    verify,
)
from tests.cli.test_signed_approvals import make_key

pytestmark = pytest.mark.skipif(
    shutil.which("ssh-keygen") is None, reason="ssh-keygen (OpenSSH 8.2+) is not installed"
)

DIGEST = "a" * 64


def decision(**changes: Any) -> Event:
    data = {"step": "holding", "decision": "approve", "digest": DIGEST, "approver": "Dana Reyes"}
    event = Event(
        "1" * 32,
        datetime(2026, 11, 23, 15, 30, tzinfo=timezone.utc),
        "Dana Reyes",
        "message.approval_decided",
        data,
    )
    return event._replace(**changes)


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, dict[str, Path]]:
    keys = {who: make_key(tmp_path, who) for who in ("dana", "bo", "eve")}
    signers = tmp_path / "allowed_signers"
    signers.write_text(
        f'"Dana Reyes" {keys["dana"][1]}\n"Bo Lind" {keys["bo"][1]}\n', encoding="utf-8"
    )
    return signers, {who: path for who, (path, _pub) in keys.items()}


def test_every_field_a_reader_trusts_is_covered() -> None:
    base = canonical("inc-1", decision())
    for changed in (
        canonical("inc-2", decision()),  # replayed into another incident
        canonical("inc-1", decision(id="2" * 32)),  # replayed under a new id
        canonical("inc-1", decision(actor="Bo Lind")),
        canonical("inc-1", decision(type="message.approved")),
        canonical("inc-1", decision(ts=datetime(2026, 11, 23, 15, 31, tzinfo=timezone.utc))),
        canonical("inc-1", decision(data={**decision().data, "decision": "reject"})),
        canonical("inc-1", decision(data={**decision().data, "digest": "b" * 64})),
    ):
        assert changed != base
    # the same event in another key order, or with another signature, signs the same bytes
    shuffled = decision(data=dict(reversed(list(decision().data.items()))), sig="x")
    assert canonical("inc-1", shuffled) == base
    assert json.loads(base.split(b"\n", 1)[1])["incident"] == "inc-1"


def test_each_way_a_signature_fails_is_named(setup: Any) -> None:
    signers, keys = setup
    message = canonical("inc-1", decision())
    good = sign(str(keys["dana"]), message)
    assert verify(signers, message, good, "Dana Reyes").ok
    assert verify(signers, message, good, "dana  reyes").ok  # names as people type them
    forged = sign(str(keys["bo"]), message)
    assert verify(signers, message, forged, "Dana Reyes").reason() == "claims Dana Reyes, key is Bo Lind's"  # fmt: skip
    unknown = sign(str(keys["eve"]), message)
    assert verify(signers, message, unknown, "Dana Reyes").reason() == (
        "claims Dana Reyes, signed with a key allowed_signers does not list (unknown, or removed)"
    )
    other = canonical("inc-2", decision())
    assert verify(signers, other, good, "Dana Reyes").reason() == (
        "signed with Dana Reyes's key, but the line was changed after it was signed "
        "(or copied from another incident)"
    )
    assert verify(signers, message, "bm90IGEgc2lnbmF0dXJl", "Dana Reyes").reason() == "not an SSH signature"  # fmt: skip
    # the words come from the catalogue: a Swedish playbook's views say them in Swedish
    from crisiscli.i18n import Catalogue

    assert verify(signers, message, forged, "Dana Reyes").shown(Catalogue("sv")) == (
        "signaturen stämmer inte: utger sig för att vara Dana Reyes, men nyckeln tillhör Bo Lind"
    )


def test_verdicts_are_cached_and_depend_on_the_signers(setup: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    import crisiscli.record.signing as signing

    signers, keys = setup
    folder = tmp_path / "incident"
    folder.mkdir()
    event = decision()
    event = event._replace(sig=sign(str(keys["dana"]), canonical("inc-1", event)))
    rules = Policy(signers.read_bytes(), True, signers)
    checker = Checker(folder, "inc-1", rules)
    assert checker.verdict(event).ok
    checker.close()
    calls: list[Any] = []
    real = signing.verify
    monkeypatch.setattr(signing, "verify", lambda *a, **k: calls.append(a) or real(*a, **k))
    again = Checker(folder, "inc-1", rules)
    assert again.verdict(event).ok and calls == []  # from .signatures.json
    without_dana = Policy(
        b'"Bo Lind" ' + signers.read_bytes().split(b'"Bo Lind" ')[1], True, signers
    )
    assert not Checker(folder, "inc-1", without_dana).verdict(event).ok and len(calls) == 1
    assert Checker(folder, "inc-1", rules).verdict(decision()).word == "unsigned"


def test_signing_with_a_missing_key_or_without_ssh_keygen_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    with pytest.raises(SigningError, match="does not exist"):
        sign(str(tmp_path / "nope"), b"x")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SigningError, match="ssh-keygen is not installed"):
        sign(str(tmp_path), b"x")


def test_a_refused_decision_keeps_the_fold_in_order() -> None:
    """IncidentState.refuse moves the fold on like apply (the next line sorts after it)."""
    from crisiscli.record.fold import IncidentState

    state = IncidentState()
    event = decision()
    state.refuse(event, "unsigned")
    assert state.last_key == event.key and state.event_count == 1


def test_a_journal_stuffed_with_signatures_costs_a_bounded_time(setup: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    import crisiscli.record.signing as signing

    signers, keys = setup
    monkeypatch.setattr(signing, "CHECK_BUDGET", 2)
    folder = tmp_path / "incident"
    folder.mkdir()
    checker = Checker(folder, "inc-1", Policy(signers.read_bytes(), True, signers))
    events = []
    for n in range(3):
        event = decision(id=f"{n}" * 32)
        events.append(event._replace(sig=sign(str(keys["dana"]), canonical("inc-1", event))))
    verdicts = [checker.verdict(e) for e in events]
    assert [v.ok for v in verdicts] == [True, True, False]
    assert verdicts[2].reason() == "not checked yet (more than 2 new signatures at once)"
    checker.close()
    again = Checker(folder, "inc-1", Policy(signers.read_bytes(), True, signers))
    assert all(again.verdict(e).ok for e in events)  # the next command checks the rest
