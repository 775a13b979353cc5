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
