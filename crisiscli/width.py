"""How wide text is in a terminal, for aligning, cutting and wrapping it: CJK and emoji take
two columns, combining marks none."""

from __future__ import annotations


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: CJK and emoji take two, combining marks none.

    ASCII is measured by length; anything else by wcwidth (imported only then).
    """
    if text.isascii() and text.isprintable():
        return len(text)
    from wcwidth import wcswidth, wcwidth

    width = wcswidth(text)
    if width >= 0:
        return int(width)
    return sum(max(0, wcwidth(c)) for c in text)  # control characters count as nothing


def pad(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` terminal columns."""
    return text + " " * max(0, width - display_width(text))


def clip(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` terminal columns, with ``…`` where it was cut."""
    if width <= 0:
        return ""
    if display_width(text) <= width:
        return text
    kept = ""
    for char in text[: width * 2]:
        if display_width(kept + char) > width - 1:
            break
        kept += char
    return kept.rstrip() + "…"


def wrap(text: str, width: int) -> list[str]:
    """Word-wrap ``text`` to ``width`` columns; a word longer than a line is split."""
    width = max(width, 8)
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if display_width(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while display_width(word) > width:
            cut = width
            while display_width(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    lines.append(current)
    return lines
