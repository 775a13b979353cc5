"""How long a message is on each platform, counted the way that platform counts it.

Limits are data, in one table (``DEFAULT_LIMITS``); a playbook overrides them with
``platform_limits`` and a message with ``limits``. Each platform has a counting rule
(``RULES``), because "280 characters" means different things in different places:

- **x** — twitter-text's weighted count (config v3): the text is NFC-normalised; every link
  that twitter-text's extractor finds (``urls.py``: its TLD list and URL character classes)
  counts 23 whatever its length; an emoji sequence (``emoji.py``: ZWJ family, flag, skin
  tone, keycap, tag sequence) counts 2; any other code point counts 1 in the light ranges
  U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F, U+2032–U+2037 and 2 elsewhere (so CJK
  counts 2 each).
- **bluesky** — user-perceived characters (extended grapheme clusters).
- **mastodon** — grapheme clusters after replacing every ``http(s)://`` link (found by the
  same twitter-text rules Mastodon uses) with 23 characters and every ``@user@domain``
  mention with its local part ``@user``.
- **threads** — code points, except that an emoji counts its UTF-8 byte length (Meta's
  Threads API documentation states emoji are counted that way).
- **linkedin, instagram, facebook, tiktok** — UTF-16 code units, which is what a web
  composer's ``string.length`` reports; an emoji then counts 2 or more. No platform documents
  a more lenient rule, and over-counting an apology is safer than under-counting it.

Unknown platforms count grapheme clusters and have no limit unless one is given.

Grapheme clusters are Unicode's extended grapheme clusters (UAX #29, including the Indic
conjunct rule), found by wcwidth, a maintained implementation with current Unicode data.
wcwidth and the link and emoji patterns are loaded on first use, not at start-up.
See docs/composer.md.
"""

from __future__ import annotations

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

# -- grapheme clusters, links, emoji ------------------------------------------------------


def graphemes(text: str) -> Iterator[str]:
    """Split text into user-perceived characters (extended grapheme clusters, UAX #29)."""
    if text.isascii() and "\r" not in text:
        yield from text  # every ASCII character but CR LF is a cluster of its own
        return
    from wcwidth import iter_graphemes

    yield from iter_graphemes(text)


def grapheme_count(text: str) -> int:
    return sum(1 for _ in graphemes(text))


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
    """Spans of links in text by twitter-text's rules: ``http(s)://`` links, and with
    ``bare`` also links without a scheme (``example.com/x``)."""
    from crisiscli.messages.urls import find_links

    return find_links(text, without_scheme=bare)


_MASTODON_MENTION = re.compile(
    r"(?<![=/\w])@([a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?)(?:@[\w.-]+\w+)?",
    re.IGNORECASE,
)

# -- counting rules -----------------------------------------------------------------------

# Code points outside twitter-text v3's light ranges weigh 2.
_HEAVY = re.compile("[^\x00-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]")


def _emoji_spans(text: str) -> list[tuple[int, int]]:
    from crisiscli.messages import emoji

    return emoji.spans(text)


def _weighted(text: str) -> int:
    return len(text) + len(_HEAVY.findall(text))


def count_x(text: str) -> int:
    """X/Twitter's weighted length (twitter-text config v3)."""
    text = unicodedata.normalize("NFC", text)
    if not text:
        return 0
    # Links first, then emoji, then code points by weight — as twitter-text walks the text:
    # an emoji that starts inside a link is part of the link.
    entities = {start: (end, URL_LENGTH) for start, end in find_urls(text)}
    from crisiscli.messages import emoji

    for start, end in emoji.x_spans(text):  # twitter-text's emoji, not Unicode's
        entities.setdefault(start, (end, 2))
    if not entities:
        return _weighted(text)
    total = 0
    pos = 0
    for start in sorted(entities):
        if start < pos:
            continue  # inside an entity already counted
        end, weight = entities[start]
        total += _weighted(text[pos:start]) + weight
        pos = end
    return total + _weighted(text[pos:])


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
    total = len(text)
    for start, end in _emoji_spans(text):
        emoji = text[start:end]
        total += len(emoji.encode("utf-8")) - len(emoji)
    return total


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
