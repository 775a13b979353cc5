"""The flowcharts in docs/library.md are generated: one per bundled playbook.

    python -m tests.views.library_flows          # rewrite them in docs/library.md
    python -m tests.views.library_flows --check  # exit 1 if any is out of date

A test (tests/views/test_flowchart.py) fails when they are out of date.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from crisiscli.playbook.catalog import bundled_dir
from crisiscli.playbook.load import load_playbook
from crisiscli.views.flowchart import render_flowchart

DOC = Path(__file__).resolve().parents[2] / "docs" / "library.md"
BLOCK = re.compile(
    r"<!-- flowchart: (?P<id>[a-z0-9_-]+) [^\n]*-->\n```mermaid\n.*?```\n<!-- /flowchart -->\n",
    re.S,
)


def block(playbook_id: str) -> str:
    chart = render_flowchart(load_playbook(bundled_dir() / f"{playbook_id}.yaml"))
    return (
        f"<!-- flowchart: {playbook_id} (generated: python -m tests.views.library_flows) -->\n"
        f"```mermaid\n{chart}```\n<!-- /flowchart -->\n"
    )


def updated(text: str) -> str:
    return BLOCK.sub(lambda found: block(found.group("id")), text)


def main(argv: list[str]) -> int:
    text = DOC.read_text(encoding="utf-8")
    fresh = updated(text)
    if "--check" in argv:
        return 0 if fresh == text else 1
    if fresh != text:
        DOC.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
