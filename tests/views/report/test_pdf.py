"""`crisis report --format pdf` without a browser, or with one that fails: a clear line and a
documented exit code, and the output file untouched (the browser itself: test_browser.py)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.conftest import FrozenClock, run_cli
from tests.views.report.support import golden_incident


@pytest.fixture
def incident_id(crisis_home: Path) -> tuple[str, FrozenClock]:
    incident, clock = golden_incident(crisis_home)
    return incident.id, clock


def fake_browser(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "fake-chromium"
    path.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_no_browser_says_how_to_install_one(crisis_home: Path, incident_id: tuple[str, FrozenClock], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("PATH", str(tmp_path))  # no chromium, chrome or edge on it
    monkeypatch.setenv("CRISIS_BROWSER", str(tmp_path / "not-there"))
    out = tmp_path / "report.pdf"
    done = run_cli(
        crisis_home, "report", incident_id[0], "-f", "pdf", "-o", str(out), clock=incident_id[1]
    )
    assert done.exit_code == 4
    assert "no Chromium or Chrome found to print the PDF" in done.stderr
    assert "apt-get install chromium" in done.stderr and not out.exists()


def test_pdf_needs_an_output_file(crisis_home: Path, incident_id: tuple[str, FrozenClock]) -> None:
    done = run_cli(crisis_home, "report", incident_id[0], "-f", "pdf", clock=incident_id[1])
    assert done.exit_code == 2 and "--format pdf needs --output FILE" in done.stderr


def test_a_browser_that_fails_or_hangs_leaves_the_file_alone(crisis_home: Path, incident_id: tuple[str, FrozenClock], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    from crisiscli.views.report import pdf

    out = tmp_path / "report.pdf"
    out.write_bytes(b"the old one")
    monkeypatch.setenv(
        "CRISIS_BROWSER", str(fake_browser(tmp_path, "echo 'GPU exploded' >&2; exit 3"))
    )
    done = run_cli(
        crisis_home, "report", incident_id[0], "-f", "pdf", "-o", str(out), clock=incident_id[1]
    )
    assert done.exit_code == 1 and "the browser made no PDF (GPU exploded)" in done.stderr
    assert out.read_bytes() == b"the old one"
    monkeypatch.setenv("CRISIS_BROWSER", str(fake_browser(tmp_path, "sleep 30")))
    monkeypatch.setattr(pdf, "TIMEOUT_SECONDS", 1.0)
    done = run_cli(
        crisis_home, "report", incident_id[0], "-f", "pdf", "-o", str(out), clock=incident_id[1]
    )
    assert done.exit_code == 1 and "did not print the PDF within 1 seconds" in done.stderr
    assert out.read_bytes() == b"the old one"


def test_the_browser_is_run_headless_in_a_new_profile(crisis_home: Path, incident_id: tuple[str, FrozenClock], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """A stand-in browser records its arguments and writes a PDF where it is told to."""
    args = tmp_path / "args.txt"
    script = (
        f'printf "%s\\n" "$@" > {args}\n'
        'for a in "$@"; do case "$a" in --print-to-pdf=*) printf "%%PDF-1.4 fake" > "${a#--print-to-pdf=}";; esac; done'
    )
    monkeypatch.setenv("CRISIS_BROWSER", str(fake_browser(tmp_path, script)))
    out = tmp_path / "report.pdf"
    done = run_cli(
        crisis_home, "report", incident_id[0], "-f", "pdf", "-o", str(out), clock=incident_id[1]
    )
    assert done.exit_code == 0, done.stderr
    assert out.read_bytes() == b"%PDF-1.4 fake"
    given = args.read_text(encoding="utf-8").splitlines()
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-sync", "--no-first-run"):  # fmt: skip
        assert flag in given
    profile = next(a for a in given if a.startswith("--user-data-dir="))
    assert not os.path.exists(profile.split("=", 1)[1])  # a new profile, removed afterwards
    assert given[-1].startswith("file://") and given[-1].endswith("report.html")
