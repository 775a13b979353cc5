"""Where the emoji are: the sequences X counts as 2 and Threads by their UTF-8 bytes.

An emoji is a sequence as Unicode's emoji grammar (UTS #51) builds it: a flag (two
regional indicators), a keycap (``#``, ``*`` or a digit, an optional VS16, U+20E3), or
pictographs joined by ZWJ, each an emoji-presentation pictograph with an optional skin tone
or VS16, or a text-style one (``©``, ``❤``) made an emoji by VS16 or a skin tone, with an
optional tag sequence (subdivision flags). A text-style symbol on its own is not an emoji.

Which code points are pictographs comes from the Unicode tables wcwidth ships
(Extended_Pictographic, and the text-style emoji VS16 widens), so new emoji count as
emoji when wcwidth updates.
"""

from __future__ import annotations

import re
from functools import lru_cache

_MODIFIER = "\U0001f3fb-\U0001f3ff"
_TAGS = "[\U000e0020-\U000e007e]+\U000e007f"
_KEYCAP_BASES = frozenset(range(0x30, 0x3A)) | {0x23, 0x2A}
# Emoji_Modifier_Base (Unicode 17.0 emoji-data.txt): what a skin tone attaches to. A newer
# base with a skin tone counts as two emoji until this is updated: over, never under.
MODIFIER_BASES = (
    (0x261D, 0x261D), (0x26F9, 0x26F9), (0x270A, 0x270D), (0x1F385, 0x1F385),
    (0x1F3C2, 0x1F3C4), (0x1F3C7, 0x1F3C7), (0x1F3CA, 0x1F3CC), (0x1F442, 0x1F443),
    (0x1F446, 0x1F450), (0x1F466, 0x1F478), (0x1F47C, 0x1F47C), (0x1F481, 0x1F483),
    (0x1F485, 0x1F487), (0x1F48F, 0x1F48F), (0x1F491, 0x1F491), (0x1F4AA, 0x1F4AA),
    (0x1F574, 0x1F575), (0x1F57A, 0x1F57A), (0x1F590, 0x1F590), (0x1F595, 0x1F596),
    (0x1F645, 0x1F647), (0x1F64B, 0x1F64F), (0x1F6A3, 0x1F6A3), (0x1F6B4, 0x1F6B6),
    (0x1F6C0, 0x1F6C0), (0x1F6CC, 0x1F6CC), (0x1F90C, 0x1F90C), (0x1F90F, 0x1F90F),
    (0x1F918, 0x1F91F), (0x1F926, 0x1F926), (0x1F930, 0x1F939), (0x1F93C, 0x1F93E),
    (0x1F977, 0x1F977), (0x1F9B5, 0x1F9B6), (0x1F9B8, 0x1F9B9), (0x1F9BB, 0x1F9BB),
    (0x1F9CD, 0x1F9CF), (0x1F9D1, 0x1F9DD), (0x1FAC3, 0x1FAC5), (0x1FAF0, 0x1FAFA),
)  # fmt: skip


def _char_class(ranges: list[tuple[int, int]]) -> str:
    return "".join(
        re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"
        for lo, hi in ranges
    )


def _ranges(points: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for cp in sorted(points):
        if out and out[-1][1] == cp - 1:
            out[-1] = (out[-1][0], cp)
        else:
            out.append((cp, cp))
    return out


@lru_cache(maxsize=1)
def pattern() -> re.Pattern[str]:
    """The compiled emoji-sequence pattern (built once, on first use)."""
    return _patterns()[0]


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The sequence pattern, and one character class of everything but a keycap base that
    can start a sequence (scanning for it first skips plain text at C speed)."""
    from wcwidth.table_grapheme import EXTENDED_PICTOGRAPHIC
    from wcwidth.table_vs16 import VS16_NARROW_TO_WIDE

    text_style = {
        cp
        for table in VS16_NARROW_TO_WIDE.values()
        for lo, hi in table
        for cp in range(lo, hi + 1)
        if cp not in _KEYCAP_BASES
    }
    pictographs = [cp for lo, hi in EXTENDED_PICTOGRAPHIC for cp in range(lo, hi + 1)]
    emoji_style = _char_class(_ranges([cp for cp in pictographs if cp not in text_style]))
    text = _char_class(_ranges(sorted(text_style)))
    bases = _char_class(list(MODIFIER_BASES))
    element = f"(?:[{bases}][{_MODIFIER}]|[{emoji_style}]\ufe0f?|[{text}]\ufe0f)(?:{_TAGS})?"
    sequence = re.compile(
        "[\U0001f1e6-\U0001f1ff]{2}"
        f"|[#*0-9]\ufe0f?\u20e3"
        f"|{element}(?:\u200d{element})*"
        f"|[{_MODIFIER}]"
    )
    # A few wide ranges that hold every code point a sequence can start with: a short class
    # is what keeps the scan fast (Python tests a long class's astral ranges one by one).
    coarse = [(0xA9, 0xA9), (0xAE, 0xAE), (0x203C, 0x2B55), (0x1F000, 0x1FFFF)]
    start_points = set(pictographs) | text_style | set(range(0x1F1E6, 0x1F200))
    outside = [cp for cp in start_points if not any(lo <= cp <= hi for lo, hi in coarse)]
    starts = re.compile(f"[{_char_class(coarse + _ranges(outside))}]")
    return sequence, starts


def spans(text: str) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of the emoji sequences in ``text``."""
    if text.isascii():
        return []
    sequence, starts = _patterns()
    if "\u20e3" in text:  # a keycap starts with a digit, '#' or '*': search everywhere
        return [m.span() for m in sequence.finditer(text)]
    found: list[tuple[int, int]] = []
    end = 0
    for candidate in starts.finditer(text):
        if candidate.start() < end:
            continue
        match = sequence.match(text, candidate.start())
        if match:
            found.append(match.span())
            end = match.end()
    return found
