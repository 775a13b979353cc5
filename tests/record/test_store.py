"""The incident store's caches for ``list``: one index of summaries, never trusted over a journal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crisiscli.record import store
from crisiscli.record.events import incident_closed, note_added, severity_changed
from crisiscli.record.store import INDEX, find_incident, list_incidents, summaries
from tests.conftest import FrozenClock, make_env
from tests.helpers import append_raw, open_incident


def _listed(home: Path) -> dict[str, tuple[str, str]]:
    env = make_env(home)
    incidents = list_incidents(env)
    return {i.id: (s["status"], s["severity"]) for i, s in zip(incidents, summaries(env, incidents), strict=True)}  # fmt: skip


def _three(home: Path) -> list[str]:
    clock = FrozenClock()
    ids = []
    for title in ("First", "Second", "Third"):
        ids.append(open_incident(make_env(home, clock=clock), title=title).id)
        clock.advance(300)
    return ids


def test_list_follows_what_other_commands_recorded(crisis_home: Path) -> None:
    first, second, third = _three(crisis_home)
    assert _listed(crisis_home)[second] == ("active", "moderate")
    assert (crisis_home / "incidents" / INDEX).is_file()
    find_incident(make_env(crisis_home), second).record(severity_changed("high", was="moderate"))
    find_incident(make_env(crisis_home), first).record(incident_closed())
    listed = _listed(crisis_home)
    assert listed[first] == ("closed", "moderate") and listed[second] == ("active", "high")
    assert listed[third] == ("active", "moderate")


def test_a_journal_changed_behind_the_caches_back_is_read_again(crisis_home: Path) -> None:
    # A sync appends lines without going through record(): the index must not hide them.
    _first, second, _third = _three(crisis_home)
    _listed(crisis_home)
    incident = find_incident(make_env(crisis_home), second)
    append_raw(incident, "incident.closed", {}, actor="ana")
    assert _listed(crisis_home)[second][0] == "closed"


def test_only_the_changed_incident_is_read(crisis_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    first, _second, _third = _three(crisis_home)
    _listed(crisis_home)
    find_incident(make_env(crisis_home), first).record(note_added("still going"))
    read: list[str] = []
    real = store.read_summary
    monkeypatch.setattr(store, "read_summary", lambda i: read.append(i.id) or real(i))
    _listed(crisis_home)
    assert read == [first]
    read.clear()
    _listed(crisis_home)
    assert read == []  # the index is current again


@pytest.mark.parametrize(
    "damage",
    [b"", b"{not json", b"[]", b'{"crisis": "0.0.0", "incidents": {}}', b"\xff\xfe",
     json.dumps({"crisis": store.__version__, "incidents": {"x": [[1, 2, 3], {"status": "closed"}]}}).encode(),
     json.dumps({"crisis": store.__version__, "incidents": []}).encode(),
     json.dumps({"crisis": store.__version__, "incidents": {"ID": [None, {}]}}).encode()],
)  # fmt: skip
def test_a_damaged_or_foreign_index_is_ignored_and_rewritten(crisis_home: Path, damage: bytes) -> None:  # fmt: skip
    first, second, third = _three(crisis_home)
    truth = _listed(crisis_home)
    (crisis_home / "incidents" / INDEX).write_bytes(damage.replace(b"ID", first.encode()))
    assert _listed(crisis_home) == truth
    data = json.loads((crisis_home / "incidents" / INDEX).read_text(encoding="utf-8"))
    assert sorted(data["incidents"]) == sorted([first, second, third])


def test_an_index_entry_for_the_wrong_journal_is_not_believed(crisis_home: Path) -> None:
    # Someone replaced a journal with one of the same size (a git checkout): another inode.
    first, _second, _third = _three(crisis_home)
    _listed(crisis_home)
    journal = crisis_home / "incidents" / first / "journal.jsonl"
    text = journal.read_bytes()
    journal.unlink()
    journal.write_bytes(text.replace(b'"moderate"', b'"critical"'))
    assert _listed(crisis_home)[first] == ("active", "critical")


def test_the_latest_open_incident_is_found_without_looking_at_the_others(crisis_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    first, second, third = _three(crisis_home)
    find_incident(make_env(crisis_home), third).record(incident_closed())
    looked: list[str] = []
    real = store.journal_stamp
    monkeypatch.setattr(store, "journal_stamp", lambda p: looked.append(Path(p).parent.name) or real(p))  # fmt: skip
    assert find_incident(make_env(crisis_home), None, open_only=True).id == second
    assert looked[0] == third and first not in looked
    looked.clear()
    assert find_incident(make_env(crisis_home), first).id == first
    assert set(looked) == {first}  # an exact id: only that folder
