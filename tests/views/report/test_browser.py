"""Issue 21: the HTML post-mortem in a real headless Chromium — screens and paper.

The report of the scripted incident (postmortem_incident.py) is opened at 390, 1024 and
1440 px wide (screenshots, and the page's own measure of horizontal overflow), and printed
to PDF twice: whole, through ``crisis report --format pdf``, and cut after the manager's
part (summary to action items), which must fit on two A4 pages.

Skipped, with the reason shown, when no Chromium or Chrome is installed
(``apt-get install chromium``; ``CRISIS_BROWSER`` names another).
"""

from __future__ import annotations

import re
import struct
import subprocess
import tempfile
from pathlib import Path

import pytest

from crisiscli.views.report.pdf import browser_command, find_browser, print_html_to_pdf
from tests.views.report.postmortem_incident import PostmortemIncident, make

BROWSER = find_browser()
pytestmark = pytest.mark.skipif(
    BROWSER is None,
    reason="no Chromium or Chrome installed: browser tests skipped "
    "(apt-get install chromium, or set CRISIS_BROWSER)",
)
# The page measures itself once laid out; --dump-dom prints the result. Added to a copy of
# the report only: the report itself carries no script.
MEASURE = (
    "<script>document.body.setAttribute('data-overflow', String("
    "document.documentElement.scrollWidth - document.documentElement.clientWidth));"
    "document.body.setAttribute('data-width', String(document.documentElement.clientWidth));"
    "</script>"
)


@pytest.fixture(scope="module")
def incident(tmp_path_factory: pytest.TempPathFactory) -> PostmortemIncident:
    return make(tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="module")
def html_file(incident: PostmortemIncident, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(incident.report("--format", "html"), encoding="utf-8")
    return path


def run_browser(*args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    assert BROWSER is not None
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            browser_command(BROWSER, Path(profile), *args),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def pdf_pages(path: Path) -> int:
    data = path.read_bytes()
    assert data[:5] == b"%PDF-", "not a PDF"
    return len(re.findall(rb"/Type\s*/Page(?!s)", data))


@pytest.mark.parametrize("width", [390, 1024, 1440])
def test_screens_at_three_widths_without_horizontal_overflow(html_file: Path, width: int, tmp_path: Path) -> None:  # fmt: skip
    shot = tmp_path / f"report-{width}.png"
    done = run_browser(f"--window-size={width},2400", f"--screenshot={shot}", html_file.as_uri())
    assert shot.is_file(), done.stderr[-500:]
    assert png_size(shot) == (width, 2400)
    measured = tmp_path / "measured.html"
    text = html_file.read_text(encoding="utf-8")
    measured.write_text(text.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    dom = run_browser(f"--window-size={width},2400", "--dump-dom", measured.as_uri()).stdout
    found = re.search(r'data-overflow="(-?\d+)"', dom)
    assert found is not None, dom[-500:]
    assert int(found.group(1)) <= 0, f"{found.group(1)} px wider than a {width} px screen"
    assert "Fly-in-soup complaint going viral" in dom


def test_crisis_report_format_pdf_prints_through_chromium(incident: PostmortemIncident, tmp_path: Path) -> None:  # fmt: skip
    out = tmp_path / "postmortem.pdf"
    done = incident.cli("report", incident.id, "--format", "pdf", "-o", str(out))
    assert done.exit_code == 0, done.stderr
    assert f"Report written to {out}" in done.stderr
    pages = pdf_pages(out)
    assert 3 <= pages <= 20, pages  # sections on their own pages; the timeline stays folded


def test_the_managers_part_fits_on_two_pages(html_file: Path, tmp_path: Path) -> None:
    text = html_file.read_text(encoding="utf-8")
    cut = text[: text.index('<section id="metrics">')] + "</body>\n</html>\n"
    front = tmp_path / "front.html"
    front.write_text(cut, encoding="utf-8")
    out = tmp_path / "front.pdf"
    print_html_to_pdf(front, out)
    assert pdf_pages(out) <= 2


def test_print_stylesheet_breaks_between_sections_and_prints_links(html_file: Path) -> None:
    css = html_file.read_text(encoding="utf-8").split("@media print")[1].split("</style>")[0]
    assert "#metrics, #messages, #appendix { break-before: page; }" in css
    assert "thead { display: table-header-group; }" in css and "break-inside: avoid" in css
    assert 'a[href^="http"]::after { content: " <" attr(href) ">"' in css
