"""Where the links are, by twitter-text's rules (the rules X and Mastodon count by).

A link is what twitter-text's extractor would link, so a length counted here matches the
platform's:

- it starts after a character that is not a letter, digit, ``@``, ``$`` or ``#`` (a
  directional mark is fine), optionally with ``http://`` or ``https://``;
- its host is labels of *domain characters* — anything but ASCII punctuation, white space
  and directional marks, so a host written in any script counts — ending in a top-level
  domain from twitter-text's list (``data/tlds.txt``) or a punycode label, not followed by
  a letter, digit, ``@``, ``+`` or ``-``;
- a path takes only URL characters (ASCII letters and digits, Latin accented letters,
  Cyrillic, ``!*';:=+,.$/%#[]-–_~@|&`` and balanced parentheses) and must end on a letter,
  digit or ``+-=_#/``, so ``…``, ``—``, ``”``, a full stop or CJK text after a link is not
  part of it; a query likewise ends on a letter, digit or ``-_&=#/``;
- without a scheme only the ASCII part of the host counts (``詳細はexample.com`` links
  ``example.com``), never after ``-``, ``_``, ``.`` or ``/``, and the path is kept only
  when there is one;
- a host whose label is longer than 63 characters once punycode-encoded, or a link longer
  than 4,096, is no link; a ``t.co`` link ends after its slug (at most 40 characters).

Spans are in code points of the text as given (callers NFC-normalise first where the
platform does).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

_SPACES = "\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_INVALID = "\ufffe\ufeff\uffff"
_DIRECTIONAL = "\u202a-\u202e\u061c\u200e\u200f\u2066-\u2069"
# ASCII punctuation that ends a host. Twitter-text leaves out '"' and '`': they may sit in a
# host with a scheme, and without one only the ASCII part of the host is kept anyway.
_LABEL_PUNCTUATION = r"!'#%&()*+,\\./:;<=>?@\[\]^{|}~$"  # and '-', '_' inside a label
_HOST_PUNCTUATION = _LABEL_PUNCTUATION + r"\-_"
_LATIN_ACCENTS = (
    "\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b\u0263"
    "\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_CYRILLIC = "\u0400-\u04ff"

MAX_URL_LENGTH = 4096
MAX_LABEL_LENGTH = 63
MAX_TCO_SLUG = 40


def top_level_domains() -> dict[str, list[str]]:
    """The ``country`` and ``generic`` top-level domains, as listed in data/tlds.txt."""
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    text = resources.files("crisiscli.messages").joinpath("data/tlds.txt").read_text("utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        else:
            current.append(line)
    return sections


def _alternation(words: list[str]) -> str:
    """A regex matching any of ``words``, as a trie: Python's ``re`` tries the branches of
    a plain alternation one by one, which for 1,500 domains at every backtracking step is
    what made long dotted text slow. Longer words are tried first."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word.lower():
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], ...]:
    tlds = top_level_domains()
    tld = (
        rf"(?:(?i:{_alternation(tlds['generic'] + tlds['country'])})"
        r"(?=[^0-9A-Za-z@+-]|\Z)|(?i:xn--)[-0-9A-Za-z]+)"
    )
    not_host = f"{_HOST_PUNCTUATION}{_SPACES}{_INVALID}{_DIRECTIONAL}"
    host_char = f"[^{not_host}]"
    # A label: host characters, with '-' (and in a subdomain '_') inside but not at the ends.
    # Written with one character class per repeat so that a long run of text without a dot
    # (CJK has no spaces) fails in linear time.
    inner = f"[^{_LABEL_PUNCTUATION}{_SPACES}{_INVALID}{_DIRECTIONAL}]"
    inner_no_underscore = f"[^{_LABEL_PUNCTUATION}_{_SPACES}{_INVALID}{_DIRECTIONAL}]"
    subdomain = rf"(?:{host_char}(?:{inner}*{host_char})?\.)"
    domain_name = rf"(?:{host_char}(?:{inner_no_underscore}*{host_char})?\.)"
    host = rf"(?:{subdomain}*{domain_name}{tld})"
    path_char = rf"[A-Za-z{_CYRILLIC}0-9!*';:=+,.$/%#\[\]\-\u2013_~@|&{_LATIN_ACCENTS}]"
    parens = rf"\((?:{path_char}+|(?:{path_char}*\({path_char}+\){path_char}*))\)"
    path_end = rf"(?:[+\-A-Za-z{_CYRILLIC}0-9=_#/{_LATIN_ACCENTS}]|{parens})"
    path_segment = rf"(?:{path_char}*(?:{parens}{path_char}*)*{path_end}|@{path_char}+/)"
    query_char = r"[A-Za-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
    query_end = r"[A-Za-z0-9\-_&=#/]"
    before = rf"(?:[^A-Za-z0-9@\uff20$#\uff03{_INVALID}]|[{_DIRECTIONAL}]|\A)"
    # Cheap guard first: a link has a dot before the next space.
    has_dot = rf"(?=[^{_SPACES}{_INVALID}{_DIRECTIONAL}]*\.)"
    link = re.compile(
        rf"(?P<before>{before}){has_dot}(?P<url>(?P<scheme>(?i:https?)://)?(?P<host>{host})"
        rf"(?::[0-9]+)?(?P<path>/{path_segment}*)?(?:\?{query_char}*{query_end})?)"
    )
    ascii_host = re.compile(rf"(?:[-A-Za-z0-9{_LATIN_ACCENTS}]+\.)+{tld}")
    tco = re.compile(rf"(?i:https?://t\.co/)(?P<slug>[A-Za-z0-9]+)(?:\?{query_char}*{query_end})?")
    # A link lies inside one run of text without white space, around a dot and a known
    # top-level domain: only such runs are searched (long dotted text stays fast).
    token = re.compile(f"[^{_SPACES}{_INVALID}]+")
    tld_hit = re.compile(rf"\.{tld}")
    return link, ascii_host, tco, token, tld_hit


def _punycode_length(label: str) -> int:
    if all(" " <= c <= "~" for c in label):
        return len(label)
    if len(label) > MAX_LABEL_LENGTH:
        return len(label)  # punycode never shortens a label: too long either way
    try:
        return 4 + len(label.encode("punycode"))  # "xn--" + the encoded label
    except UnicodeError:
        return MAX_LABEL_LENGTH + 1


def _host_encodable(host: str, ascii_host: re.Pattern[str]) -> bool:
    """Whether every label of the host fits DNS's 63 characters once punycode-encoded."""
    if host.startswith("xn--") and not ascii_host.search(host):
        return False
    for label in host.split("."):
        # An ideographic or full-width full stop separates labels too once encoded.
        parts = re.split("[\u3002\uff0e\uff61]", label)
        encoded = sum(_punycode_length(p) for p in parts) + len(parts) - 1
        if not 1 <= encoded <= MAX_LABEL_LENGTH:
            return False
    return True


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def find_links(text: str, *, without_scheme: bool = True) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of the links in ``text``, in order, by twitter-text's rules.

    With ``without_scheme=False`` only ``http(s)://`` links count (Mastodon's rule).
    """
    if "." not in text or (not without_scheme and ":" not in text):
        return []
    _link, _ascii_host, _tco, token, tld_hit = _patterns()
    if not tld_hit.search(text):
        return []
    spans: list[tuple[int, int]] = []
    for run in token.finditer(text):
        if tld_hit.search(text, run.start(), run.end()):
            _links_in(text, max(run.start() - 1, 0), run.end(), without_scheme, spans)
    return spans


def _links_in(
    text: str, pos: int, endpos: int, without_scheme: bool, spans: list[tuple[int, int]]
) -> None:
    link, ascii_host, tco, _token, _tld_hit = _patterns()
    for m in link.finditer(text, pos, endpos):
        url, host, scheme = m.group("url"), m.group("host"), m.group("scheme")
        start, end = m.span("url")
        if not _host_encodable(host, ascii_host):
            continue
        if len(scheme or "https://") + _utf16_length(url) > MAX_URL_LENGTH:
            continue
        if scheme:
            short = tco.match(url)
            if short:
                if len(short.group("slug")) > MAX_TCO_SLUG:
                    continue
                end = start + short.end()
            spans.append((start, end))
            continue
        if not without_scheme or m.group("before") in ("-", "_", ".", "/"):
            continue
        found = [(start + a.start(), start + a.end()) for a in ascii_host.finditer(host)]
        if not found:
            continue
        if m.group("path"):
            found[-1] = (found[-1][0], end)
        spans.extend(found)
