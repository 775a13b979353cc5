"""The playbook snapshot stored with each incident reads back to the same playbook."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crisiscli.errors import PlaybookError
from crisiscli.playbook.load import build, load_playbook
from crisiscli.playbook.model import from_data, to_data
from crisiscli.record.store import load_snapshot

REPO = Path(__file__).resolve().parents[2]
PLAYBOOKS = [*sorted((REPO / "playbooks").glob("*.yaml")), REPO / "tests/fixtures/mini.yaml"]


@pytest.mark.parametrize("path", PLAYBOOKS, ids=lambda p: p.stem)
def test_snapshot_round_trip(path: Path) -> None:
    playbook = load_playbook(path)
    data = json.loads(json.dumps(to_data(playbook)))
    assert from_data(data, playbook.source) == playbook
    # The canonical form is itself a valid playbook for the validator, with no problems.
    result = build(data)
    assert result.problems == [] and result.playbook == playbook


def test_damaged_snapshot_is_a_one_line_error(tmp_path: Path) -> None:
    snapshot = tmp_path / "playbook.json"
    snapshot.write_text(json.dumps({"id": "x", "title": "X", "phases": [{"id": "p"}]}))
    with pytest.raises(PlaybookError, match="damaged") as info:
        load_snapshot(snapshot)
    assert str(snapshot) in info.value.one_line()
    snapshot.write_text("{not json")
    with pytest.raises(PlaybookError, match="cannot read"):
        load_snapshot(snapshot)
