"""Evidence and mentions in the post-mortem: files with their hashes in every format, images
inline in HTML only within the budget and only while their hash holds, and nothing of it in
a public (--redact) version but the count of what was left out."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import FIXTURES, ok, render_markdown

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00pixels" * 64
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.fixture
def folder(cli: Any, crisis_home: Path, tmp_path: Path) -> Path:
    answers = tmp_path / "pause.yaml"
    answers.write_text("inputs: {brand: Acme}\ndefault: pause\n", encoding="utf-8")
    ok(cli("start", str(FIXTURES / "approvals.yaml"), "--title", "Wrong image", "--answers", str(answers)))  # fmt: skip
    (tmp_path / "shot.png").write_bytes(PNG)
    (tmp_path / "big.png").write_bytes(PNG + b"\x00" * 600_000)  # over the 512 KB inline limit
    (tmp_path / "drawing.svg").write_bytes(SVG)
    for name in ("shot.png", "big.png", "drawing.svg"):
        ok(cli("evidence", "add", str(tmp_path / name), "--note", f"About {name}"))
    ok(cli("evidence", "add", "--url", "https://x.com/acme/status/1"))
    (found,) = (p for p in (crisis_home / "incidents").iterdir() if not p.name.startswith("."))
    return found


def data_uri(blob: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(blob).decode("ascii")


def test_html_shows_small_images_inline_and_lists_the_rest(cli: Any, folder: Path) -> None:
    html = ok(cli("report", "--format", "html")).stdout
    assert data_uri(PNG) in html  # the screenshot, inline
    assert "big.png" in html and html.count("data:image/") == 1  # listed, not inline
    assert "drawing.svg" in html and "<script>alert" not in html  # an SVG is never inline
    assert hashlib.sha256(SVG).hexdigest() in html


def test_a_changed_image_is_not_shown_as_if_it_were_the_evidence(cli: Any, folder: Path) -> None:
    (folder / "evidence" / hashlib.sha256(PNG).hexdigest()).write_bytes(PNG[:-1] + b"!")
    html = ok(cli("report", "--format", "html")).stdout
    assert "data:image/" not in html


def test_markdown_and_json_list_every_file_and_link(cli: Any, folder: Path) -> None:
    md = ok(cli("report")).stdout
    section = md.split("## Evidence", 1)[1].split("\n## ", 1)[0]
    for name in ("shot.png", "big.png", "drawing.svg", "https://x.com/acme/status/1"):
        assert name in section
    assert f"`{hashlib.sha256(PNG).hexdigest()}`" in section
    assert "About shot.png" in render_markdown(md)
    report = json.loads(ok(cli("report", "--format", "json")).stdout)
    assert [e["kind"] for e in report["evidence"]] == ["file", "file", "file", "link"]
    assert report["evidence_left_out"] == 0


def test_a_public_version_leaves_evidence_out_and_says_so(cli: Any, folder: Path) -> None:
    for fmt in ("md", "html"):
        text = ok(cli("report", "--redact", "--format", fmt)).stdout
        assert "4 evidence item(s) left out of this public version." in text
        for name in ("shot.png", "big.png", "drawing.svg", "x.com/acme", "About"):
            assert name not in text, (fmt, name)
        assert "data:image/" not in text
    report = json.loads(ok(cli("report", "--redact", "--format", "json")).stdout)
    assert report["evidence"] == [] and report["evidence_left_out"] == 4
    assert not [e for e in report["timeline"] if e["type"].startswith("evidence.")]
