"""`crisis evidence add/list/verify` as a user runs them: files copied and named by their
SHA-256, links recorded, every byte checked again by verify; hostile names, links, folders
and a 2 GB sparse file refused with one clear line and nothing recorded."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Result
from tests.helpers import FIXTURES, ok, render_markdown

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00pixels" * 64


@pytest.fixture
def incident(cli: Any, crisis_home: Path, tmp_path: Path) -> Path:
    answers = tmp_path / "pause.yaml"
    answers.write_text("inputs: {brand: Acme}\ndefault: pause\n", encoding="utf-8")
    book = str(FIXTURES / "approvals.yaml")
    ok(cli("start", book, "--title", "Wrong image", "--answers", str(answers)))
    (folder,) = (p for p in (crisis_home / "incidents").iterdir() if not p.name.startswith("."))
    return folder


def events(folder: Path, kind: str) -> list[dict[str, Any]]:
    lines = (folder / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    return [e for e in map(json.loads, lines) if e["type"] == kind]


def listed(cli: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(ok(cli("evidence", "list", "--json")).stdout)[
        "evidence"
    ]
    return rows


def test_add_list_verify_and_a_tampered_file_is_named(cli: Any, incident: Path, tmp_path: Path) -> None:  # fmt: skip
    shot = tmp_path / "shot.png"
    shot.write_bytes(PNG)
    sha = hashlib.sha256(PNG).hexdigest()
    added = ok(cli("evidence", "add", str(shot), "--note", "The post, time visible", actor="ana"))
    assert f"Kept shot.png in {incident.name}: sha256 {sha} ({len(PNG)} bytes, image/png)" in added.stdout  # fmt: skip
    stored = incident / "evidence" / sha
    assert stored.read_bytes() == PNG
    (event,) = events(incident, "evidence.added")
    assert event["actor"] == "ana"
    assert event["data"] == {"sha256": sha, "size": len(PNG), "name": "shot.png",
                             "type": "image/png", "note": "The post, time visible"}  # fmt: skip
    (row,) = listed(cli)
    assert (row["kind"], row["name"], row["sha256"], row["by"]) == ("file", "shot.png", sha, "ana")
    assert "shot.png" in ok(cli("evidence", "list")).stdout
    assert "1 evidence file(s), every SHA-256 matches" in ok(cli("evidence", "verify")).stdout

    stored.write_bytes(PNG[:-1] + b"!")  # same size, one byte changed
    tampered = cli("evidence", "verify")
    assert tampered.exit_code == 1
    assert f"evidence/{sha} (shot.png): changed: its SHA-256 no longer matches" in tampered.stderr
    stored.unlink()
    missing = cli("evidence", "verify")
    assert missing.exit_code == 1 and f"evidence/{sha} (shot.png): missing" in missing.stderr


def test_the_same_bytes_are_kept_once(cli: Any, incident: Path, tmp_path: Path) -> None:
    for name in ("a.png", "b.png"):
        (tmp_path / name).write_bytes(PNG)
    ok(cli("evidence", "add", str(tmp_path / "a.png"), str(tmp_path / "b.png")))
    assert len(listed(cli)) == 2
    assert [p.name for p in (incident / "evidence").iterdir()] == [hashlib.sha256(PNG).hexdigest()]


def test_a_link_is_recorded_and_never_fetched(cli: Any, incident: Path) -> None:
    url = "https://x.com/acme/status/1"
    assert "Kept the link" in ok(cli("evidence", "add", "--url", url, "--note", "The post")).stdout
    (row,) = listed(cli)
    assert row["kind"] == "link" and row["name"] == url
    assert not (incident / "evidence").exists()
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "https://x.com/a b"):
        refused = cli("evidence", "add", "--url", bad)
        assert refused.exit_code == 2 and refused.stderr.startswith("crisis: error: ")
    assert len(listed(cli)) == 1


def refused_cleanly(result: Result, folder: Path, words: str) -> None:
    assert result.exit_code != 0
    assert words in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") <= 1, result.stderr  # one line (and a hint)
    assert events(folder, "evidence.added") == []
    assert not (folder / "evidence").exists() or list((folder / "evidence").iterdir()) == []


def test_a_2_gb_sparse_file_is_refused_without_being_read(cli: Any, incident: Path, tmp_path: Path) -> None:  # fmt: skip
    big = tmp_path / "huge.mov"
    with big.open("wb") as handle:
        handle.truncate(2 * 1024 * 1024 * 1024)  # sparse: no disk used, nothing to read
    refused_cleanly(cli("evidence", "add", str(big)), incident, "2.0 GB, over the limit of 50.0 MB")


def test_links_folders_and_missing_files_are_refused(cli: Any, incident: Path, tmp_path: Path) -> None:  # fmt: skip
    target = tmp_path / "real.png"
    target.write_bytes(PNG)
    link = tmp_path / "link.png"
    link.symlink_to(target)
    refused_cleanly(cli("evidence", "add", str(link)), incident, "is a symbolic link")
    refused_cleanly(cli("evidence", "add", str(tmp_path)), incident, "is not a regular file")
    refused_cleanly(cli("evidence", "add", str(tmp_path / "nope.png")), incident, "no such file")
    # One refused file among good ones records none of them.
    refused_cleanly(cli("evidence", "add", str(target), str(link)), incident, "symbolic link")


def test_a_hostile_file_name_is_only_data(cli: Any, incident: Path, tmp_path: Path) -> None:
    name = "\x1b]0;owned\x07\u202egnp.exe|[x](javascript:1).png"
    hostile = tmp_path / name
    hostile.write_bytes(PNG)
    ok(cli("evidence", "add", str(hostile)))
    sha = hashlib.sha256(PNG).hexdigest()
    assert [p.name for p in (incident / "evidence").iterdir()] == [sha]  # stored by hash only
    for shown in (
        ok(cli("evidence", "list")).stdout,
        ok(cli("status")).stdout,
        (incident / "log.md").read_text(encoding="utf-8"),
    ):
        assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
    html = render_markdown((incident / "log.md").read_text(encoding="utf-8"))
    assert '<a href="javascript' not in html


def test_no_incident_is_a_clear_error(cli: Any, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    shot.write_bytes(PNG)
    result = cli("evidence", "add", str(shot))
    assert result.exit_code != 0 and "Traceback" not in result.stderr
    assert "crisis start" in result.stderr
    both = cli("evidence", "add", str(shot), "--url", "https://x.com")
    assert both.exit_code == 2 and "not both" in both.stderr


def test_evidence_shows_in_status_handoff_and_log(cli: Any, incident: Path, tmp_path: Path) -> None:  # fmt: skip
    shot = tmp_path / "shot.png"
    shot.write_bytes(PNG)
    ok(cli("evidence", "add", str(shot), "--note", "The post"))
    ok(cli("evidence", "add", "--url", "https://x.com/acme/status/1"))
    assert "evidence: 1 file(s), 1 link(s) kept" in ok(cli("status")).stdout
    assert "shot.png" in ok(cli("handoff", "--to", "Sam")).stdout
    log = (incident / "log.md").read_text(encoding="utf-8")
    assert "shot.png" in log and hashlib.sha256(PNG).hexdigest() in log
    assert os.path.getsize(incident / "journal.jsonl") > 0


def test_a_file_that_grows_while_copied_leaves_nothing_behind(
    cli: Any, incident: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crisiscli.team import evidence

    growing = tmp_path / "growing.bin"
    growing.write_bytes(b"x" * 64)
    opened = evidence._open_regular
    calls = []

    def opened_then_grown(path: Path, limit: int) -> tuple[int, int]:
        fd, size = opened(path, limit)
        calls.append(path)
        if len(calls) == 2:  # checked twice; grows after the copy's own check
            with growing.open("ab") as more:
                more.write(b"y" * 64)
        return fd, size

    monkeypatch.setattr(evidence, "_open_regular", opened_then_grown)
    defaults = {**(evidence.add_files.__kwdefaults__ or {}), "limit": 100}
    monkeypatch.setattr(evidence.add_files, "__kwdefaults__", defaults)
    result = cli("evidence", "add", str(growing))
    assert result.exit_code != 0 and "grew over the limit" in result.stderr
    assert not events(incident, "evidence.added")
    left = list((incident / "evidence").iterdir()) if (incident / "evidence").exists() else []
    assert left == []  # no temporary file, no half copy
