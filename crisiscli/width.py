"""How wide text is in a terminal, for aligning columns: CJK and emoji take two columns."""

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
