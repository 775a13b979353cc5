"""`crisis export` and `crisis export --verify`: one zip with a SHA-256 for every member,
the same bytes for the same incident, and every changed, missing or extra member named."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FrozenClock
from tests.helpers import FIXTURES, ok

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00pixels" * 64


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def incident(cli: Any, crisis_home: Path, tmp_path: Path, clock: FrozenClock) -> str:
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "inputs: {brand: Acme}\nsteps:\n  people: {answers: {approver: Dana Reyes}}\n"
        "  holding: {approver: Dana Reyes}\n  grade: {answers: {grade: high}}\n"
        "  statement: {approver: self}\ndefault: done\n",
        encoding="utf-8",
    )
    book = str(FIXTURES / "approvals.yaml")
    ok(cli("start", book, "--title", "Wrong image", "--answers", str(answers), clock=clock))
    shot = tmp_path / "shot.png"
    shot.write_bytes(PNG)
    ok(cli("evidence", "add", str(shot), "--note", "The post", clock=clock))
    ok(cli("evidence", "add", "--url", "https://x.com/acme/status/1", clock=clock))
    ok(cli("mentions", "1200", "--baseline", "80", clock=clock))
    (folder,) = (p for p in (crisis_home / "incidents").iterdir() if not p.name.startswith("."))
    return folder.name


def test_the_bundle_holds_everything_with_a_manifest(cli: Any, incident: str, tmp_path: Path, crisis_home: Path, clock: FrozenClock) -> None:  # fmt: skip
    out = tmp_path / "bundle.zip"
    done = ok(cli("export", incident, "-o", str(out), clock=clock))
    assert f"crisis export --verify {out}" in done.stdout  # the hint works as printed
    with zipfile.ZipFile(out) as bundle:
        names = bundle.namelist()
        manifest = json.loads(bundle.read("manifest.json"))
        folder = crisis_home / "incidents" / incident
        assert bundle.read("journal.jsonl") == (folder / "journal.jsonl").read_bytes()
        sha = hashlib.sha256(PNG).hexdigest()
        assert bundle.read(f"evidence/{sha}") == PNG
        for member in manifest["members"]:
            data = bundle.read(member["name"])
            assert hashlib.sha256(data).hexdigest() == member["sha256"]
            assert len(data) == member["size"]
    assert names[-1] == "manifest.json"
    assert {"journal.jsonl", "playbook.json", "log.md", "report.html", "report.json"} <= set(names)
    assert {m["name"] for m in manifest["members"]} == set(names) - {"manifest.json"}
    report = json.loads(zipfile.ZipFile(out).read("report.json"))
    assert [e["name"] for e in report["evidence"]] == ["shot.png", "https://x.com/acme/status/1"]
    assert report["mentions"][0]["ratio"] == 15.0
    verified = ok(cli("export", "--verify", str(out)))
    assert "every SHA-256 matches" in verified.stdout


def test_the_same_incident_gives_the_same_bytes(cli: Any, incident: str, tmp_path: Path, clock: FrozenClock) -> None:  # fmt: skip
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    ok(cli("export", incident, "-o", str(first), clock=clock))
    clock.advance(3600)  # an hour later, nothing recorded since: the same bundle
    ok(cli("export", incident, "-o", str(second), clock=clock))
    assert first.read_bytes() == second.read_bytes()


def rewrite(source: Path, target: Path, change: dict[str, bytes | None]) -> None:
    """A copy of a bundle with some members replaced (bytes), removed (None) or added."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename in change:
                data = change.pop(info.filename)
                if data is not None:
                    new.writestr(info, data)
            else:
                new.writestr(info, old.read(info))
        for name, data in change.items():
            assert data is not None
            new.writestr(name, data)


def test_verify_names_every_changed_missing_and_extra_member(cli: Any, incident: str, tmp_path: Path, clock: FrozenClock) -> None:  # fmt: skip
    out = tmp_path / "bundle.zip"
    ok(cli("export", incident, "-o", str(out), clock=clock))
    sha = hashlib.sha256(PNG).hexdigest()
    bad = tmp_path / "bad.zip"
    rewrite(
        out,
        bad,
        {f"evidence/{sha}": PNG + b"!", "log.md": None, "notes.txt": b"added later"},
    )
    result = cli("export", "--verify", str(bad))
    assert result.exit_code == 1
    assert f"evidence/{sha}: changed: its SHA-256 does not match the manifest" in result.stderr
    assert "log.md: listed in the manifest, missing from the bundle" in result.stderr
    assert "notes.txt: not in the manifest" in result.stderr
    assert "every SHA-256 matches" not in result.stdout


def test_verify_refuses_what_is_not_a_bundle_clearly(cli: Any, tmp_path: Path) -> None:
    text = tmp_path / "notes.zip"
    text.write_text("not a zip", encoding="utf-8")
    for path, words in (
        (text, "is not a zip file"),
        (tmp_path / "missing.zip", "no such file"),
    ):
        result = cli("export", "--verify", str(path))
        assert result.exit_code != 0 and words in result.stderr
        assert "Traceback" not in result.stderr
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as bundle:
        bundle.writestr("readme.txt", "hello")
    result = cli("export", "--verify", str(other))
    assert result.exit_code == 1 and "has no manifest.json: not a crisis export" in result.stderr
    both = cli("export", "some-id", "--verify", str(other))
    assert both.exit_code == 2 and "give only the zip" in both.stderr
    assert "-o FILE.zip" in cli("export").stderr


def test_export_and_verify_count_the_same_members(cli: Any, incident: str, tmp_path: Path, clock: FrozenClock) -> None:  # fmt: skip
    """Issue 21: export said one member more than --verify (it counted the manifest)."""
    import re

    out = tmp_path / "bundle.zip"
    made = ok(cli("export", incident, "-o", str(out), clock=clock)).stdout
    checked = ok(cli("export", "--verify", str(out), clock=clock)).stdout
    said = [re.search(r"(\d+) member\(s\)", text) for text in (made, checked)]
    assert said[0] and said[1], (made, checked)
    assert said[0].group(1) == said[1].group(1), (made, checked)
    with zipfile.ZipFile(out) as bundle:
        files = len(bundle.namelist()) - 1  # the manifest is not one of its own members
    assert int(said[0].group(1)) == files
    assert "and the manifest" in made and "and the manifest" in checked
