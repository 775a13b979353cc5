"""The small output layer: plain lines to the environment's streams.

Commands that print lists and statuses use these (no Rich import, so they start fast);
anything user-typed goes through ``visible_controls`` so it cannot drive the terminal.
"""

from __future__ import annotations

import json
import re
from typing import Any

from crisiscli.env import get_env
from crisiscli.text import visible_controls
from crisiscli.width import display_width, pad

_C1 = re.compile(r"[\x7f-\x9f]")


def echo(text: str = "") -> None:
    from crisiscli.invocation import as_typed  # hints name crisis as it was run

    stream = get_env().stdout
    stream.write(as_typed(visible_controls(text)).replace("\\x0a", "\n") + "\n")
    stream.flush()


def echo_err(text: str) -> None:
    stream = get_env().stderr
    stream.write(visible_controls(text) + "\n")
    stream.flush()


def echo_json(data: Any) -> None:
    stream = get_env().stdout
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    # JSON escapes C0 controls itself; DEL and C1 (U+0080-U+009F, which some terminals
    # obey as escape sequences) get the same \u form, still the same JSON value.
    text = _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    stream.write(text + "\n")
    stream.flush()


def warn(text: str) -> None:
    echo_err(f"warning: {text}")


def table(rows: list[list[str]], headers: list[str]) -> None:
    """Aligned columns (by terminal width: CJK takes two columns); the last is not padded."""
    cells = [[visible_controls(c) for c in row] for row in [headers, *rows]]
    widths = [max(display_width(r[i]) for r in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        echo("  ".join(pad(c, widths[i]) if i < len(row) - 1 else c for i, c in enumerate(row)))
        if n == 0:
            echo("  ".join("-" * w for w in widths))
