"""Evidence kept at a step of the walk-through (the menu's evidence key, or ``evidence:`` in
an answers file): copied and hashed like `crisis evidence add`, recorded with the step."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from crisiscli.errors import AnswersError
from tests.conftest import make_env
from tests.helpers import answers_from, events_of, open_incident, run_script

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00pixels" * 64


def script(**holding: object) -> dict[str, object]:
    return {
        "inputs": {"brand": "Acme"},
        "steps": {
            "people": {"answers": {"approver": "Dana Reyes"}},
            "holding": {"approver": "Dana Reyes", **holding},
            "grade": {"answers": {"grade": "moderate"}},
        },
    }


def test_files_and_links_are_kept_at_the_step(crisis_home: Path, tmp_path: Path) -> None:
    (tmp_path / "shot.png").write_bytes(PNG)
    incident = open_incident(make_env(crisis_home), "approvals")
    kept = ["shot.png", {"url": "https://x.com/acme/status/1", "note": "The post"}]
    run_script(incident, answers_from(tmp_path, script(evidence=kept)))
    added = [e for e in events_of(incident) if e.type in ("evidence.added", "evidence.linked")]
    assert [(e.type, e.data.get("step"), e.data.get("note")) for e in added] == [
        ("evidence.added", "holding", None),
        ("evidence.linked", "holding", "The post"),
    ]
    sha = hashlib.sha256(PNG).hexdigest()
    assert (incident.dir / "evidence" / sha).read_bytes() == PNG
    log = incident.log_path.read_text(encoding="utf-8")
    assert "shot.png" in log and "https://x.com/acme/status/1" in log
    assert incident.state().steps["holding"].status == "done"


def test_a_file_that_cannot_be_kept_stops_the_script_at_its_step(crisis_home: Path, tmp_path: Path) -> None:  # fmt: skip
    (tmp_path / "real.png").write_bytes(PNG)
    (tmp_path / "link.png").symlink_to(tmp_path / "real.png")
    incident = open_incident(make_env(crisis_home), "approvals")
    with pytest.raises(AnswersError, match="is a symbolic link") as raised:
        run_script(incident, answers_from(tmp_path, script(evidence="link.png")))
    assert raised.value.location is not None and "answers.yaml" in str(raised.value.location)
    assert not [e for e in events_of(incident) if e.type == "evidence.added"]
