"""Nothing in crisiscli/ that nothing uses: vulture, as configured in pyproject.toml.

What a framework calls by name (typer commands, prompt_toolkit key bindings, tzinfo
methods…) is listed in ``[tool.vulture]`` with the reason; anything else vulture finds is
either used by nothing — remove it — or used only by tests, which is the same thing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_vulture_finds_nothing() -> None:
    found = subprocess.run(
        [sys.executable, "-m", "vulture"], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert found.returncode == 0 and not found.stdout.strip(), (
        "unused code (remove it, or list a name called by a framework in [tool.vulture]):\n"
        + found.stdout
        + found.stderr
    )
