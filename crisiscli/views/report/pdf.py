"""``crisis report --format pdf``: the HTML report printed to PDF by an installed Chromium.

crisis carries no PDF engine: it finds Chromium or Google Chrome (``CRISIS_BROWSER``, else
the usual program names on PATH), writes the HTML report to a private temporary folder and
runs the browser headless with ``--print-to-pdf``, in its own new profile, without network
features, under one total timeout. The PDF is put in place only when the browser made one.
No browser: a one-line error naming how to install one (exit 4, docs/exit-codes.md); a
browser that fails or runs out of time: exit 1, the output file untouched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from crisiscli.errors import CrisisError, ExitCode, NotFoundError

BROWSERS = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
    "microsoft-edge",
)
MAC_BROWSERS = (
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
)
TIMEOUT_SECONDS = 60.0
INSTALL_HINT = (
    "install Chromium (Debian/Ubuntu: sudo apt-get install chromium; macOS: brew install "
    "--cask chromium) or Google Chrome, or set CRISIS_BROWSER to its path; or write "
    "--format html and print it from a browser"
)
# Headless, no sandbox (containers and CI run as root), nothing fetched or synced.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--mute-audio",
    "--hide-scrollbars",
)


class BrowserError(CrisisError):
    exit_code = ExitCode.FINDINGS


def find_browser(environ: Any = None) -> str | None:
    """The Chromium/Chrome program to use, or None."""
    environ = os.environ if environ is None else environ
    given = environ.get("CRISIS_BROWSER")
    if given:
        return shutil.which(given) or (given if Path(given).is_file() else None)
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    for path in MAC_BROWSERS:
        if Path(path).is_file():
            return path
    return None


def browser_command(browser: str, profile: Path, *extra: str) -> list[str]:
    return [browser, *FLAGS, f"--user-data-dir={profile}", *extra]


def print_html_to_pdf(
    html: Path, pdf: Path, *, browser: str | None = None, timeout: float | None = None
) -> None:
    """Print ``html`` (a file) to ``pdf`` with headless Chromium; BrowserError if it fails."""
    timeout = TIMEOUT_SECONDS if timeout is None else timeout
    browser = browser or find_browser()
    if browser is None:
        raise NotFoundError("no Chromium or Chrome found to print the PDF", hint=INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="crisis-pdf-") as tmp:
        profile = Path(tmp) / "profile"
        profile.mkdir()
        out = Path(tmp) / "report.pdf"
        command = browser_command(
            browser,
            profile,
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            html.resolve().as_uri(),
        )
        try:
            done = subprocess.run(
                command,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=timeout,
                check=False,
                start_new_session=True,
            )
        except subprocess.TimeoutExpired:
            raise BrowserError(
                f"the browser did not print the PDF within {timeout:.0f} seconds",
                hint="try again, or write --format html and print it from a browser",
            ) from None
        except OSError as exc:
            raise BrowserError(f"could not run {browser}: {exc.strerror or exc}") from None
        if not out.is_file() or out.stat().st_size == 0:
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()
            last = said[-1][:200] if said else f"exit status {done.returncode}"
            raise BrowserError(f"the browser made no PDF ({last})")
        from crisiscli.fsutil import atomic_write_bytes

        atomic_write_bytes(pdf, out.read_bytes())


def write_pdf(chunks: Iterable[str], output: Path, env: Any = None) -> None:
    """The HTML report (``chunks``) printed to ``output`` as a PDF."""
    with tempfile.TemporaryDirectory(prefix="crisis-report-") as tmp:
        html = Path(tmp) / "report.html"
        with html.open("w", encoding="utf-8") as fh:
            for chunk in chunks:
                fh.write(chunk)
        print_html_to_pdf(html, output)
