"""The small output layer: plain lines to the environment's streams.

Commands that print lists and statuses use these (no Rich import, so they start fast);
anything user-typed goes through ``visible_controls`` so it cannot drive the terminal.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from crisiscli.env import get_env
from crisiscli.text import json_dumps, visible, visible_controls
from crisiscli.width import display_width, wrap


def echo(text: str = "", *, wrapped: bool = False) -> None:
    """A line to standard output (``wrapped``: broken at spaces to the terminal's width)."""
    from crisiscli.invocation import as_typed  # hints name crisis as it was run

    stream = get_env().stdout
    shown = as_typed(visible_controls(text)).replace("\\x0a", "\n")
    stream.write((fit(shown) if wrapped else shown) + "\n")
    stream.flush()


def fit(text: str, columns: int | None = None) -> str:
    """``text`` with each line too wide for the terminal broken at spaces (the terminal
    would break it anywhere, in the middle of a word). A continuation lines up under the
    text it continues: after the line's indent, or after a label column ("  high   …").
    Unchanged when output goes to a pipe or a file (``columns`` None). A word wider than
    the room (a path, a link) is left whole."""
    import re

    columns = columns if columns is not None else get_env().columns
    if not columns:
        return text
    out: list[str] = []
    for line in text.split("\n"):
        if display_width(line) <= columns:
            out.append(line)
            continue
        label = re.match(r"(\s*(?:[»•*-]\s+)?\S[^\s]*(?:\s\S+)?\s{2,})(?=\S)", line)
        lead = len(line) - len(line.lstrip(" "))
        hang = display_width(label.group(1)) if label else lead
        if hang > columns // 2:
            hang = lead
        first, rest = line[:hang], line[hang:]
        pieces: list[str] = []
        current = ""
        for word in rest.split(" "):
            room = columns - (display_width(first) if not pieces else hang)
            candidate = f"{current} {word}" if current else word
            if current and display_width(candidate) > room:
                pieces.append(current)
                current = word
            else:
                current = candidate
        pieces.append(current)
        out.append(first + pieces[0])
        out += [" " * hang + piece for piece in pieces[1:]]
    return "\n".join(out)


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
    The cells are data, not hints: they are written as they are (made visible), in one
    write, and a title that reads "crisis note" is never respelled.
    """
    cells = [[visible(c) for c in row] for row in [headers, *rows]]
    measured = [[display_width(c) for c in row] for row in cells]
    widths = [max(r[i] for r in measured) for i in range(len(headers))]
    padded = [
        [c + " " * (widths[i] - w[i]) for i, c in enumerate(row[:-1])]
        for row, w in zip(cells, measured, strict=True)
    ]
    stream = get_env().stdout
    stream.write("".join(line + "\n" for line in _table_lines(cells, padded, widths)))
    stream.flush()


def _table_lines(
    cells: list[list[str]], padded: list[list[str]], widths: list[int]
) -> Iterator[str]:
    """The table's lines; ``padded``: each row's cells but the last, padded to its column."""
    lead = sum(widths[:-1]) + 2 * (len(widths) - 1)  # where the last column starts
    columns = get_env().columns
    if columns is None or lead + widths[-1] <= columns:
        for n, row in enumerate(cells):
            yield "  ".join(padded[n]) + "  " + row[-1]
            if n == 0:
                yield "  ".join("-" * w for w in widths)
        return
    if lead + MIN_LAST <= columns:
        rule = [*widths[:-1], min(widths[-1], columns - lead)]
    elif lead - 2 <= columns:
        rule = widths[:-1]
    else:
        rule = [min(widths[0], columns)]
    for n, row in enumerate(cells):
        if lead + MIN_LAST <= columns:  # the last column wraps under itself
            lines = wrap(row[-1], columns - lead)
            yield "  ".join(padded[n]) + "  " + lines[0]
            yield from (" " * lead + more for more in lines[1:])
        elif lead - 2 <= columns:  # the last column below the others
            yield "  ".join(padded[n]).rstrip()
            yield from ("    " + line for line in wrap(row[-1], columns - 4))
        else:  # the first column alone, the others below it
            yield row[0]
            yield from ("    " + line for line in wrap("  ".join(row[1:]), columns - 4))
        if n == 0:
            yield "  ".join("-" * w for w in rule)


MIN_LAST = 20  # fewer columns left than this: the last column goes below its row
