"""The small output layer: plain lines to the environment's streams.

Commands that print lists and statuses use these (no Rich import, so they start fast);
anything user-typed goes through ``visible_controls`` so it cannot drive the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crisiscli.env import get_env
from crisiscli.text import json_dumps, visible_controls
from crisiscli.width import display_width, pad, wrap


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
    # C1 controls (which some terminals obey), bidi and invisible characters are written as
    # \u escapes: the same JSON value, nothing hidden in the raw text.
    stream.write(json_dumps(data) + "\n")
    stream.flush()


def warn(text: str) -> None:
    echo_err(f"warning: {text}")


def table(rows: list[list[str]], headers: list[str]) -> None:
    """Aligned columns (by terminal width: CJK takes two columns); the last is not padded.

    Where the terminal is too narrow (``Environment.columns``) the last column wraps under
    itself; with less than ``MIN_LAST`` columns left for it, it goes on the lines below its
    row; where even the other columns do not fit, only the first stays on the row's line
    and the rest follow below it. Nothing is cut (the first column holds ids people type).
    """
    cells = [[visible_controls(c) for c in row] for row in [headers, *rows]]
    widths = [max(display_width(r[i]) for r in cells) for i in range(len(headers))]
    lead = sum(widths[:-1]) + 2 * (len(widths) - 1)
    columns = get_env().columns
    if columns is None or lead + 2 + widths[-1] <= columns:
        for n, row in enumerate(cells):
            echo("  ".join(pad(c, widths[i]) for i, c in enumerate(row[:-1])) + "  " + row[-1])
            if n == 0:
                echo("  ".join("-" * w for w in widths))
        return
    if lead + 2 + MIN_LAST <= columns:
        rule = [*widths[:-1], min(widths[-1], columns - lead - 2)]
    elif lead <= columns:
        rule = widths[:-1]
    else:
        rule = [min(widths[0], columns)]
    for n, row in enumerate(cells):
        if lead + 2 + MIN_LAST <= columns:  # the last column wraps under itself
            first = "  ".join(pad(c, widths[i]) for i, c in enumerate(row[:-1]))
            lines = wrap(row[-1], columns - lead - 2)
            echo(f"{first}  {lines[0]}")
            echo_all(" " * (lead + 2) + more for more in lines[1:])
        elif lead <= columns:  # the last column below the others
            echo("  ".join(pad(c, widths[i]) for i, c in enumerate(row[:-1])).rstrip())
            echo_all("    " + line for line in wrap(row[-1], columns - 4))
        else:  # the first column alone, the others below it
            echo(row[0])
            echo_all("    " + line for line in wrap("  ".join(row[1:]), columns - 4))
        if n == 0:
            echo("  ".join("-" * w for w in rule))


def echo_all(lines: Iterable[str]) -> None:
    for line in lines:
        echo(line)


MIN_LAST = 20  # fewer columns left than this: the last column goes below its row
