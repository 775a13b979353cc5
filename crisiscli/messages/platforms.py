"""How long a message is on each platform, counted the way that platform counts it.

Limits are data, in one table (``DEFAULT_LIMITS``); a playbook overrides them with
``platform_limits`` and a message with ``limits``. Each platform has a counting rule
(``RULES``), because "280 characters" means different things in different places:

- **x** — twitter-text's weighted count (config v3): the text is NFC-normalised; every URL
  counts 23 whatever its length; an emoji sequence (ZWJ family, flag, skin tone, keycap)
  counts 2; any other code point counts 1 in the light ranges U+0000–U+10FF, U+2000–U+200D,
  U+2010–U+201F, U+2032–U+2037 and 2 elsewhere (so CJK counts 2 each).
- **bluesky** — user-perceived characters (extended grapheme clusters).
- **mastodon** — grapheme clusters after replacing every ``http(s)://`` URL with 23
  characters and every ``@user@domain`` mention with its local part ``@user``.
- **threads** — code points, except that an emoji counts its UTF-8 byte length (Meta's
  Threads API documentation states emoji are counted that way).
- **linkedin, instagram, facebook, tiktok** — UTF-16 code units, which is what a web
  composer's ``string.length`` reports; an emoji then counts 2 or more. No platform documents
  a more lenient rule, and over-counting an apology is safer than under-counting it.

Unknown platforms count grapheme clusters and have no limit unless one is given.

Grapheme clusters are found by a compact implementation of the Unicode extended grapheme
cluster rules that matter for social text (CR LF, controls, combining marks and other
extenders, spacing marks, Hangul syllables, emoji modifier and ZWJ sequences, regional
indicator pairs) using only ``unicodedata``: no dependency to install, and the clustering
only has to agree with the platforms on text people actually post. See docs/composer.md.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping

DEFAULT_LIMITS: dict[str, int] = {
    "x": 280,
    "bluesky": 300,
    "threads": 500,
    "mastodon": 500,
    "linkedin": 3000,
    "instagram": 2200,
    "facebook": 63206,
    "tiktok": 2200,
}

#: Other names people write in playbooks for the same platforms.
ALIASES: dict[str, str] = {
    "twitter": "x",
    "bsky": "bluesky",
    "fb": "facebook",
    "ig": "instagram",
}

#: What a URL counts as on the platforms that shorten or reserve links.
URL_LENGTH = 23

# -- grapheme clusters --------------------------------------------------------------------

_CR, _LF, _CONTROL, _EXTEND, _ZWJ, _RI, _SPACING, _L, _V, _T, _LV, _LVT, _OTHER = range(13)

# Extended_Pictographic, approximated by the blocks that hold it (emoji and pictographs).
_PICTO_RANGES = (
    (0x00A9, 0x00A9),
    (0x00AE, 0x00AE),
    (0x203C, 0x203C),
    (0x2049, 0x2049),
    (0x2122, 0x2122),
    (0x2139, 0x2139),
    (0x2194, 0x2199),
    (0x21A9, 0x21AA),
    (0x231A, 0x231B),
    (0x2328, 0x2328),
    (0x2388, 0x2388),
    (0x23CF, 0x23CF),
    (0x23E9, 0x23F3),
    (0x23F8, 0x23FA),
    (0x24C2, 0x24C2),
    (0x25AA, 0x25AB),
    (0x25B6, 0x25B6),
    (0x25C0, 0x25C0),
    (0x25FB, 0x25FE),
    (0x2600, 0x27BF),
    (0x2934, 0x2935),
    (0x2B05, 0x2B07),
    (0x2B1B, 0x2B1C),
    (0x2B50, 0x2B50),
    (0x2B55, 0x2B55),
    (0x3030, 0x3030),
    (0x303D, 0x303D),
    (0x3297, 0x3297),
    (0x3299, 0x3299),
    (0x1F000, 0x1F0FF),
    (0x1F10D, 0x1F10F),
    (0x1F12F, 0x1F12F),
    (0x1F16C, 0x1F171),
    (0x1F17E, 0x1F17F),
    (0x1F18E, 0x1F18E),
    (0x1F191, 0x1F19A),
    (0x1F1AD, 0x1F1E5),
    (0x1F201, 0x1F20F),
    (0x1F21A, 0x1F21A),
    (0x1F22F, 0x1F22F),
    (0x1F232, 0x1F23A),
    (0x1F23C, 0x1F23F),
    (0x1F249, 0x1F3FA),
    (0x1F400, 0x1F53D),
    (0x1F546, 0x1F64F),
    (0x1F680, 0x1F6FF),
    (0x1F774, 0x1F77F),
    (0x1F7D5, 0x1F7FF),
    (0x1F80C, 0x1F80F),
    (0x1F848, 0x1F84F),
    (0x1F85A, 0x1F85F),
    (0x1F888, 0x1F88F),
    (0x1F8AE, 0x1F8FF),
    (0x1F90C, 0x1F93A),
    (0x1F93C, 0x1F945),
    (0x1F947, 0x1FAFF),
    (0x1FC00, 0x1FFFD),
)


_PICTO_STARTS = [lo for lo, _hi in _PICTO_RANGES]


def is_pictographic(cp: int) -> bool:
    """Whether a code point is (approximately) Extended_Pictographic: an emoji base."""
    if cp < 0xA9:
        return False
    i = bisect.bisect_right(_PICTO_STARTS, cp) - 1
    return i >= 0 and cp <= _PICTO_RANGES[i][1]


def _category(ch: str) -> int:
    cp = ord(ch)
    if cp == 0x0D:
        return _CR
    if cp == 0x0A:
        return _LF
    if cp < 0x20 or 0x7F <= cp <= 0x9F:
        return _CONTROL
    if cp < 0x300:
        return _OTHER  # fast path: Latin-1 and friends
    if cp == 0x200D:
        return _ZWJ
    if 0x1F1E6 <= cp <= 0x1F1FF:
        return _RI
    if 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F or cp == 0x200C:
        return _EXTEND  # emoji modifiers, tag characters (subdivision flags), ZWNJ
    if 0x1100 <= cp <= 0x115F or 0xA960 <= cp <= 0xA97C:
        return _L
    if 0x1160 <= cp <= 0x11A7 or 0xD7B0 <= cp <= 0xD7C6:
        return _V
    if 0x11A8 <= cp <= 0x11FF or 0xD7CB <= cp <= 0xD7FB:
        return _T
    if 0xAC00 <= cp <= 0xD7A3:
        return _LV if (cp - 0xAC00) % 28 == 0 else _LVT
    cat = unicodedata.category(ch)
    if cat in ("Mn", "Me"):
        return _EXTEND  # combining marks, variation selectors, enclosing keycap
    if cat == "Mc":
        return _SPACING
    if cat in ("Zl", "Zp") or (cat == "Cf" and cp not in (0x200C, 0x200D)):
        return _CONTROL
    return _OTHER


def graphemes(text: str) -> Iterator[str]:
    """Split text into user-perceived characters (extended grapheme clusters)."""
    if not text:
        return
    if text.isascii() and "\r" not in text:
        yield from text  # every ASCII character but CR LF is a cluster of its own
        return
    start = 0
    prev = _category(text[0])
    picto_seq = is_pictographic(ord(text[0]))  # inside ExtPict Extend* (ZWJ)?
    after_zwj_picto = False
    ri_run = 1 if prev == _RI else 0
    for i in range(1, len(text)):
        ch = text[i]
        cur = _category(ch)
        picto = is_pictographic(ord(ch))
        if prev == _CR and cur == _LF:
            brk = False  # GB3
        elif prev in (_CR, _LF, _CONTROL) or cur in (_CR, _LF, _CONTROL):
            brk = True  # GB4, GB5
        elif prev == _L and cur in (_L, _V, _LV, _LVT):
            brk = False  # GB6
        elif prev in (_LV, _V) and cur in (_V, _T):
            brk = False  # GB7
        elif prev in (_LVT, _T) and cur == _T:
            brk = False  # GB8
        elif cur in (_EXTEND, _ZWJ, _SPACING):
            brk = False  # GB9, GB9a
        elif prev == _ZWJ and picto and after_zwj_picto:
            brk = False  # GB11
        elif prev == _RI and cur == _RI:
            brk = ri_run % 2 == 0  # GB12, GB13: pairs of regional indicators
        else:
            brk = True  # GB999
        if brk:
            yield text[start:i]
            start = i
            picto_seq = picto
            after_zwj_picto = False
            ri_run = 1 if cur == _RI else 0
        else:
            if cur == _ZWJ:
                after_zwj_picto = picto_seq
            else:
                after_zwj_picto = False
                if cur != _EXTEND:
                    picto_seq = picto
            if cur == _RI:
                ri_run += 1
        prev = cur
    yield text[start:]


def is_emoji(cluster: str) -> bool:
    """Whether a grapheme cluster is shown as an emoji (a sequence counted as one on X).

    Emoji-presentation pictographs, anything with VS16 (U+FE0F), a skin-tone modifier or a
    ZWJ, regional-indicator flags and keycaps count; a bare text-style symbol such as ``©``
    or ``→`` does not.
    """
    if not cluster:
        return False
    first = ord(cluster[0])
    if 0x1F1E6 <= first <= 0x1F1FF or 0x1F3FB <= first <= 0x1F3FF:
        return True  # flags (or a lone regional indicator) and skin-tone swatches
    if cluster[0] in "0123456789#*":
        return "\u20e3" in cluster  # keycap sequence
    if is_pictographic(first):
        if first >= 0x1F000 or "\ufe0f" in cluster or len(cluster) > 1:
            return True
        return unicodedata.east_asian_width(cluster[0]) == "W"
    return False


def grapheme_count(text: str) -> int:
    return sum(1 for _ in graphemes(text))


# -- URLs and mentions --------------------------------------------------------------------

_GENERIC_TLDS = frozenset(
    re.split(
        r"\s+",
        "com net org edu gov mil int info biz name pro app dev xyz online site shop store news "
        "blog tech cloud club live page social media link email museum travel jobs mobi aero "
        "coop asia tel cat co tv io ai me ly gg",
    )
)
_SCHEME_URL = re.compile(
    r"(?<![\w@$#./-])https?://[^\s<>\"'`{}|\\^]+",
    re.IGNORECASE,
)
_BARE_URL = re.compile(
    r"(?<![\w@$#./:-])(?:www\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(?P<tld>[a-z]{2,24})(?![\w-])(?P<rest>(?::\d{1,5})?(?:[/?#][^\s<>\"'`{}|\\^]*)?)",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?'\"*"


def trim_url(url: str) -> str:
    """Drop trailing punctuation that ends a sentence rather than the link."""
    while url:
        last = url[-1]
        unbalanced = (last == ")" and url.count("(") < url.count(")")) or (
            last == "]" and url.count("[") < url.count("]")
        )
        if last not in _TRAILING and not unbalanced:
            break
        url = url[:-1]
    return url


def find_urls(text: str, *, bare: bool = True) -> list[tuple[int, int]]:
    """Spans of links in text: ``http(s)://`` URLs, and with ``bare`` also ``example.com/x``.

    A bare domain counts when its top-level domain is a common generic one, or — for a
    two-letter country domain — when a path follows (``bit.ly/x``), as twitter-text does.
    """
    spans: list[tuple[int, int]] = []
    for m in _SCHEME_URL.finditer(text):
        url = trim_url(m.group())
        scheme_len = url.index("//") + 2
        if len(url) > scheme_len:
            spans.append((m.start(), m.start() + len(url)))
    if bare:
        for m in _BARE_URL.finditer(text):
            if any(s <= m.start() < e for s, e in spans):
                continue
            tld = m.group("tld").lower()
            rest = m.group("rest")
            if tld not in _GENERIC_TLDS and not (len(tld) == 2 and rest.startswith("/")):
                continue
            url = trim_url(m.group())
            spans.append((m.start(), m.start() + len(url)))
    spans.sort()
    return spans


_MASTODON_MENTION = re.compile(
    r"(?<![=/\w])@([a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?)(?:@[\w.-]+\w+)?",
    re.IGNORECASE,
)

# -- counting rules -----------------------------------------------------------------------

_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))


def _x_weight(ch: str) -> int:
    cp = ord(ch)
    for lo, hi in _LIGHT_RANGES:
        if lo <= cp <= hi:
            return 1
    return 2


def count_x(text: str) -> int:
    """X/Twitter's weighted length (twitter-text config v3)."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    pos = 0
    for start, end in find_urls(text):
        total += _count_x_plain(text[pos:start]) + URL_LENGTH
        pos = end
    return total + _count_x_plain(text[pos:])


def _count_x_plain(text: str) -> int:
    total = 0
    for part, emoji in _emoji_runs(text):
        total += 2 if emoji else sum(_x_weight(ch) for ch in part)
    return total


def count_mastodon(text: str) -> int:
    """Mastodon: graphemes, URLs as 23, ``@user@domain`` as ``@user``."""
    total = 0
    pos = 0
    for start, end in find_urls(text, bare=False):
        total += _count_mastodon_plain(text[pos:start]) + URL_LENGTH
        pos = end
    return total + _count_mastodon_plain(text[pos:])


def _count_mastodon_plain(text: str) -> int:
    return grapheme_count(_MASTODON_MENTION.sub(r"@\1", text))


def count_threads(text: str) -> int:
    """Threads: code points, with each emoji counting its UTF-8 length."""
    total = 0
    for part, emoji in _emoji_runs(text):
        total += len(part.encode("utf-8")) if emoji else len(part)
    return total


def _emoji_part(ch: str, keycap: bool) -> bool:
    """Whether a code point can belong to an emoji sequence (rather than being a mark that
    merely sits on one, which counts on its own)."""
    cp = ord(ch)
    if keycap and (cp == 0x20E3 or ch in "0123456789#*"):
        return True
    return (
        is_pictographic(cp)
        or 0x1F1E6 <= cp <= 0x1F1FF
        or 0x1F3FB <= cp <= 0x1F3FF
        or 0xE0020 <= cp <= 0xE007F
        or cp in (0x200D, 0xFE0F, 0xFE0E)
    )


def _starts_emoji(ch: str, keycap: bool) -> bool:
    cp = ord(ch)
    return (
        is_pictographic(cp)
        or 0x1F1E6 <= cp <= 0x1F1FF
        or 0x1F3FB <= cp <= 0x1F3FF
        or (keycap and ch in "0123456789#*")
    )


def _emoji_runs(text: str) -> Iterator[tuple[str, bool]]:
    """The text in pieces: emoji sequences (True) and single other code points (False).

    Within each grapheme cluster, a run of emoji parts that starts with an emoji base is one
    sequence, as twitter-text's emoji parser sees it; a text-style symbol such as ``©`` on
    its own is not an emoji. Everything else comes one code point at a time.
    """
    for cluster in graphemes(text):
        keycap = cluster[0] in "0123456789#*" and "\u20e3" in cluster
        i = 0
        while i < len(cluster):
            ch = cluster[i]
            if _starts_emoji(ch, keycap):
                j = i + 1
                while j < len(cluster) and _emoji_part(cluster[j], keycap):
                    j += 1
                run = cluster[i:j]
                if is_emoji(run):
                    yield run, True
                else:
                    yield from ((c, False) for c in run)
                i = j
            else:
                yield ch, False
                i += 1


def count_utf16(text: str) -> int:
    """UTF-16 code units: what JavaScript's ``string.length`` reports."""
    return len(text.encode("utf-16-le")) // 2


RULES: dict[str, Callable[[str], int]] = {
    "x": count_x,
    "bluesky": grapheme_count,
    "threads": count_threads,
    "mastodon": count_mastodon,
    "linkedin": count_utf16,
    "instagram": count_utf16,
    "facebook": count_utf16,
    "tiktok": count_utf16,
}

#: One-line description of each rule, for screens and docs.
RULE_NAMES: dict[str, str] = {
    "x": "weighted (URL 23, emoji 2, CJK 2)",
    "bluesky": "graphemes",
    "threads": "characters, emoji as UTF-8 bytes",
    "mastodon": "graphemes (URL 23, @user@domain as @user)",
    "linkedin": "UTF-16 units",
    "instagram": "UTF-16 units",
    "facebook": "UTF-16 units",
    "tiktok": "UTF-16 units",
}


def canonical(platform: str) -> str:
    """The table's name for a platform (``Twitter`` → ``x``)."""
    name = platform.strip().lower()
    return ALIASES.get(name, name)


def known(platform: str) -> bool:
    return canonical(platform) in DEFAULT_LIMITS


def count(text: str, platform: str) -> int:
    """The length of ``text`` as ``platform`` counts it (graphemes for unknown platforms)."""
    return RULES.get(canonical(platform), grapheme_count)(text)


def limit(platform: str, overrides: Mapping[str, int] | None = None) -> int | None:
    """The platform's limit: an override (by any of its names) wins over the default."""
    name = canonical(platform)
    if overrides:
        for key, value in overrides.items():
            if canonical(key) == name:
                return value
    return DEFAULT_LIMITS.get(name)


def merged_limits(*layers: Mapping[str, int] | None) -> dict[str, int]:
    """Combine override layers (config, playbook, message); later layers win."""
    merged: dict[str, int] = {}
    for layer in layers:
        for key, value in (layer or {}).items():
            merged[canonical(key)] = value
    return merged


def incident_platforms(answers: Mapping[str, object]) -> list[str]:
    """The platforms an incident is on, read from its answers ("Where did it start?":
    ``instagram``), in the order given; only names the length table knows."""
    found: list[str] = []
    for value in answers.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and known(item) and canonical(item) not in found:
                found.append(canonical(item))
    return found


def checked_platforms(incident: list[str], named: Iterable[str]) -> list[str]:
    """The incident's platforms first, then those the message names (each once)."""
    out = list(incident)
    for name in named:
        if canonical(name) not in out:
            out.append(canonical(name))
    return out
