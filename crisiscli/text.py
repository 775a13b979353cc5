"""Making untrusted text safe to show and to log, without changing what it says.

User text (titles, notes, answers) and playbook text are never interpreted: no Rich
markup, no terminal escape sequences, no markdown formatting in the log. Control
characters are made visible (``\\x1b``) rather than silently dropped, so a log shows
exactly what was typed.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and C1 controls (which some terminals obey).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~^-])")


def visible_controls(text: str) -> str:
    """Replace control characters (ESC, BEL, CR, …) with a visible ``\\xNN`` form."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def one_line(text: str) -> str:
    """Collapse a possibly multi-line text to one line for headers and lists."""
    return " ".join(visible_controls(text).split())


def md_escape(text: str) -> str:
    """Escape text so that markdown shows it literally (and HTML inside it stays text)."""
    escaped = _MD_SPECIAL.sub(r"\\\1", visible_controls(text))
    return escaped.replace("&", "&amp;")


def md_escape_block(text: str) -> list[str]:
    """Escaped lines for a multi-line user text (notes); blank lines kept."""
    return [md_escape(line) for line in text.splitlines()] or [""]


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
