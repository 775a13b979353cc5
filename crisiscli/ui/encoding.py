"""Terminals that are not UTF-8 (``PYTHONIOENCODING=latin-1``, an old ``LANG=C`` console).

crisis writes em dashes, arrows and ticks, and people write every script there is. Where
the terminal's encoding cannot show a character, it is spelled in ASCII if there is an
obvious spelling (``—`` as ``-``, ``é`` as ``e``), else as ``?``. No command ever fails
because of what the terminal can show; files are always UTF-8.
"""

from __future__ import annotations

import codecs
import contextlib
import sys
import unicodedata
from typing import Any

HANDLER = "crisis-fallback"
_SPELLED = {
    "\u2014": "-", "\u2013": "-", "\u2012": "-", "\u2011": "-", "\u2010": "-", "\u2212": "-",
    "\u2026": "...", "\u00b7": "-", "\u2022": "*", "\u2192": "->", "\u2190": "<-",
    "\u2191": "^", "\u2193": "v", "\u21b3": "->", "\u2713": "v", "\u2714": "v", "\u2717": "x",
    "\u2718": "x", "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'",
    "\u2264": "<=", "\u2265": ">=", "\u00d7": "x", "\u2248": "~", "\u00a0": " ", "\u2009": " ",
    "\u202f": " ", "\u25b8": ">", "\u25b6": ">", "\u25cf": "*", "\u25cb": "o", "\u2500": "-",
    "\u2502": "|", "\u2550": "=", "\u26a0": "!", "\u00ab": "<<", "\u00bb": ">>",
}  # fmt: skip


def spell(char: str) -> str:
    """An ASCII spelling of one character, or ``?``."""
    if char in _SPELLED:
        return _SPELLED[char]
    stripped = "".join(
        c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
    )
    return stripped if stripped and stripped.isascii() else "?"


def _fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(spell(c) for c in bad), error.end


codecs.register_error(HANDLER, _fallback)


def tolerant(stream: Any) -> None:
    """Make a text stream spell what its encoding cannot hold instead of raising."""
    encoding = str(getattr(stream, "encoding", "") or "").lower().replace("_", "-")
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is None or encoding in ("utf-8", "utf8", "utf-16", "utf-32"):
        return
    with contextlib.suppress(ValueError, OSError):  # a closed or exotic stream: leave it be
        reconfigure(errors=HANDLER)


def tolerant_standard_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            tolerant(stream)
