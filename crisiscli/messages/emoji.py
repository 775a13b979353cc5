"""Where the emoji are: the sequences X counts as 2 and Threads by their UTF-8 bytes.

Two grammars, because the platforms differ. ``spans`` (Threads) follows Unicode's; ``x_spans``
(X) finds exactly what twitter-text finds, from the table in ``data/emoji-x.txt``: the
Emoji 14.0 sequences twemoji-parser knows (ZWJ sequences, flags, tag flags, skin tones,
keycaps) and which characters take a following VS16 into the emoji. A ZWJ chain that is not
a known sequence is its parts and its joiners (``💋`` ZWJ ``👨`` counts 5), a pair of regional
indicators that is no flag is two characters (``🇽🇽`` counts 4), and a VS16 after an emoji
that does not take one is a character of its own (``👇`` VS16 counts 4), as X counts them.

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


# -- X: twitter-text's emoji ----------------------------------------------------------------

_RI = range(0x1F1E6, 0x1F200)
_MODIFIERS = range(0x1F3FB, 0x1F400)


class _XTable:
    """``data/emoji-x.txt``, read once: what twitter-text counts as one emoji."""

    def __init__(self, text: str) -> None:
        sections: dict[str, list[str]] = {}
        current: list[str] = []
        for line in text.splitlines():
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                current = sections.setdefault(line.strip("[]"), [])
            else:
                current.append(line)

        def points(name: str) -> frozenset[int]:
            return frozenset(int(h, 16) for line in sections[name] for h in line.split())

        def chars(line: str) -> str:
            return "".join(chr(int(h, 16)) for h in line.split())

        self.vs16 = points("vs16")
        self.modifier = points("modifier")
        self.flags = frozenset(
            "".join(chr(0x1F1E6 + ord(letter) - 65) for letter in pair)
            for line in sections["flags"]
            for pair in line.split()
        )
        self.sequences = frozenset(chars(line) for line in sections["zwj"] + sections["tags"])
        self.longest = max(len(seq) for seq in self.sequences)
        self.starts = frozenset(seq[0] for seq in self.sequences)


@lru_cache(maxsize=1)
def _x_table() -> _XTable:
    from importlib.resources import files

    text = files("crisiscli.messages").joinpath("data/emoji-x.txt").read_text("utf-8")
    return _XTable(text)


def _x_single(text: str, at: int, table: _XTable) -> int:
    """The end of the emoji that starts at ``at`` and is not a known sequence: a character
    with its VS16 (where it takes one) and its skin tone (where it takes one), else ``at``
    (nothing that counts differently from its characters)."""
    code = ord(text[at])
    end = at + 1
    if end < len(text) and text[end] == "\ufe0f" and code in table.vs16:
        end += 1
        if code not in table.modifier or end == len(text) or ord(text[end]) not in _MODIFIERS:
            return end
    if code in table.modifier and end < len(text) and ord(text[end]) in _MODIFIERS:
        return end + 1
    return end if end - at > 1 else at


def x_spans(text: str) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of what X counts as one emoji (2): more than one character,
    exactly as twitter-text finds them; every other character counts by its own weight."""
    if text.isascii():
        return []
    table = _x_table()
    found: list[tuple[int, int]] = []
    if "\u20e3" in text:
        found.extend(m.span() for m in _keycap().finditer(text))
    size = len(text)
    end = 0
    for candidate in _patterns()[1].finditer(text):  # only where an emoji can start
        at = candidate.start()
        if at < end:
            continue
        char = text[at]
        if ord(char) in _RI:
            end = at + 2 if text[at : at + 2] in table.flags else at
        else:
            end = at
            if char in table.starts:
                for length in range(min(table.longest, size - at), 1, -1):
                    if text[at : at + length] in table.sequences:
                        end = at + length
                        break
            if end == at:
                end = _x_single(text, at, table)
        if end > at:
            found.append((at, end))
    return sorted(found)


@lru_cache(maxsize=1)
def _keycap() -> re.Pattern[str]:
    return re.compile("[#*0-9]\ufe0f?\u20e3")
