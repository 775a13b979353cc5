"""Issue 21: the HTML post-mortem stays W3C-valid — checked by the Nu Html Checker itself
(vnu.jar, the validator behind validator.w3.org/nu), not by our reading of the rules.

The report of the scripted realistic incident (postmortem_incident.py), its public version
(``--redact``) and the golden report are checked. Skipped, with the reason, when vnu.jar or
Java is missing: CI installs the npm package ``vnu-jar`` and sets ``VNU_JAR``; locally,
``npm install --prefix /tmp/vnu vnu-jar`` and
``VNU_JAR=/tmp/vnu/node_modules/vnu-jar/build/dist/vnu.jar``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.views.report.postmortem_incident import PostmortemIncident, make

GOLDEN = Path(__file__).parent / "golden" / "report.html"


def vnu_jar() -> Path | None:
    found = os.environ.get("VNU_JAR")
    if not found or shutil.which("java") is None:
        return None
    path = Path(found)
    return path if path.is_file() else None


pytestmark = pytest.mark.skipif(
    vnu_jar() is None,
    reason="the Nu Html Checker is not installed (VNU_JAR=path/to/vnu.jar, and java)",
)


def errors_of(*pages: Path) -> str:
    """What vnu.jar says is wrong with ``pages`` (nothing when they are valid)."""
    jar = vnu_jar()
    assert jar is not None
    done = subprocess.run(
        ["java", "-jar", str(jar), "--errors-only", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return "" if done.returncode == 0 else done.stderr + done.stdout


def test_the_checker_finds_an_error_when_there_is_one(tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html lang=en><title>x</title><p><div></p>", encoding="utf-8")
    assert "error" in errors_of(bad)


@pytest.fixture(scope="module")
def incident(tmp_path_factory: pytest.TempPathFactory) -> PostmortemIncident:
    return make(tmp_path_factory.mktemp("w3c"))


def test_every_html_report_is_valid(incident: PostmortemIncident, tmp_path: Path) -> None:
    pages = []
    for name, args in (("full", ()), ("public", ("--redact",))):
        page = tmp_path / f"{name}.html"
        page.write_text(incident.report("--format", "html", *args), encoding="utf-8")
        pages.append(page)
    assert errors_of(*pages, GOLDEN) == ""
