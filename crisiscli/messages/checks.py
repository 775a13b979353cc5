"""Pre-publication checks for a crisis message: pure functions, no terminal, no network.

``check_message(text, platforms, language, banned, limits)`` returns ``MessageFinding``s:

- **errors** block marking the step done until the message is fixed or the responder
  records an override with a reason: an empty message, a ``{{ placeholder }}`` never
  filled in or a ``[part to write]`` of the template left as it was, a length over a platform's limit, a phrase the playbook bans;
- **warnings** ask for a second look: excuse and blame patterns (the field brief: no
  excuses, no blaming the technology or others, no conditional apology, no disparaging the
  brand), malformed links, possible misspellings;
- **info** lists what a person must verify by hand: every link, @mention and #hashtag, and
  a notice when spelling could not be checked (no dictionary for the playbook's language).

Spelling uses pyspellchecker (pure Python, offline word-frequency dictionaries for en, de,
es, fr, it, pt, nl, ru, ar, fa, lv, eu), imported only when a message is checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import urlsplit

from crisiscli.i18n import Catalogue
from crisiscli.messages import platforms as plat
from crisiscli.playbook.template import PLACEHOLDER

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclass(frozen=True)
class MessageFinding:
    severity: Severity
    rule: (
        str  # empty | placeholder | length | banned | excuse | link | spelling | mention | hashtag
    )
    message: str
    platform: str | None = None
    excerpt: str | None = None

    def to_data(self) -> dict[str, str]:
        data = {"severity": self.severity, "rule": self.rule, "message": self.message}
        if self.platform:
            data["platform"] = self.platform
        if self.excerpt:
            data["excerpt"] = self.excerpt
        return data


@dataclass(frozen=True)
class Length:
    platform: str
    count: int
    limit: int | None
    rule: str

    @property
    def over(self) -> int:
        """How many characters over the limit (0 when it fits or there is no limit)."""
        return max(0, self.count - self.limit) if self.limit is not None else 0


@dataclass(frozen=True)
class Review:
    """A message with its lengths and findings, as a screen or the journal shows it."""

    text: str
    lengths: tuple[Length, ...]
    findings: tuple[MessageFinding, ...]
    override: str | None = None  # reason recorded for publishing despite errors
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> list[MessageFinding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[MessageFinding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def blocked(self) -> bool:
        """Errors and no override: the step cannot be marked done."""
        return bool(self.errors) and not self.override


def lengths(
    text: str, platforms: Iterable[str], limits: Mapping[str, int] | None = None
) -> list[Length]:
    out = []
    for platform in platforms:
        name = plat.canonical(platform)
        out.append(
            Length(
                name,
                plat.count(text, name),
                plat.limit(name, limits),
                plat.RULE_NAMES.get(name, "graphemes"),
            )
        )
    return out


# -- excuses and blame: per language ------------------------------------------------------

# (pattern, why) — patterns are case-insensitive regular expressions on word boundaries.
EXCUSES: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        (
            r"technical (glitch|error|issue|problem|fault)|(a|the) glitch|system error",
            "blames the technology",
        ),
        (r"(were|was|been|got) hacked|hackers?|compromised account", "blames an attacker"),
        (r"(taken|quoted|pulled) out of context", "suggests people misread it"),
        (r"misunderst(ood|anding)|misinterpret", "suggests people misread it"),
        (r"we (were|are|have been) (stupid|idiots|morons|dumb)", "disparages the brand"),
        (
            r"if (anyone|anybody|someone|you) (was|were|felt|feel|has been|have been|got) (offended|hurt|upset)",
            "conditional apology",
        ),
        (
            r"sorry (if|that) you (feel|felt)|to anyone who (was|felt) offended",
            "conditional apology",
        ),
        (r"(just|only) a joke|no offen[cs]e (was )?(meant|intended)", "minimises the harm"),
        (
            r"(an|the|our) intern\b|rogue (employee|staff)|a (single|lone) employee",
            "blames a person",
        ),
        (
            r"not our fault|beyond our control|(was|were) not (responsible|to blame)",
            "denies responsibility",
        ),
    ),
    "sv": (
        (r"teknisk[at]? (fel|problem|strul)\w*|systemfel", "skyller på tekniken"),
        (r"(blev|har blivit|var) hacka(d|de|t)\b|hackats|hackare", "skyller på en angripare"),
        (r"(ryckts?|tagits?|tagit) ur (sitt |sina )?sammanhang", "antyder att folk läst fel"),
        (r"missförst(ått|ånd|od)", "antyder att folk läst fel"),
        (r"vi (var|är) (dumma|idioter|korkade)", "talar illa om varumärket"),
        (
            r"om (någon|ni|du) (blev|har blivit|känt sig|kände sig) (kränkt|stött|sårad|upprörd)",
            "villkorad ursäkt",
        ),
        (
            r"om (någon|ni|du) (tog|har tagit|skulle ha tagit|tar) (det )?illa upp"
            r"|om (vi|det|inlägget) (har )?(sårat|kränkt|stött|upprört) (någon|er|dig)"
            r"|till (alla|dem) som (tog|har tagit) illa upp",
            "villkorad ursäkt",
        ),
        (r"(bara|endast) ett skämt", "förminskar skadan"),
        (r"(en|vår) praktikant", "skyller på en person"),
        (r"inte vårt fel|utom vår kontroll", "förnekar ansvar"),
    ),
}


@lru_cache(maxsize=16)
def _excuse_patterns(language: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    table = EXCUSES.get(language.split("-")[0].lower(), EXCUSES["en"])
    if language.split("-")[0].lower() != "en":
        table = table + EXCUSES["en"]  # English excuses show up in every language
    return tuple((re.compile(rf"\b(?:{p})", re.IGNORECASE), why) for p, why in table)


def excuses(text: str, language: str = "en") -> list[tuple[str, str]]:
    """The excuse and blame patterns ``text`` uses, as (what it says, why it reads as one):
    what ``check_message`` warns about, for a drill's ``expect: no-phrases``."""
    found: list[tuple[str, str]] = []
    spans: list[tuple[int, int]] = []
    for pattern, why in _excuse_patterns(language):
        for m in pattern.finditer(text):
            if not any(s < m.end() and m.start() < e for s, e in spans):
                spans.append(m.span())
                found.append((m.group(), why))
    return found


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


# -- links, mentions, hashtags ------------------------------------------------------------

_LINKISH = re.compile(r"(?<![\w@])(?:[a-z][a-z0-9+.-]*:(?=[/\w])|www\.)[^\s<>\"'`]*", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@/.])@[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?(?:@[\w.-]+\w)?")
_HASHTAG = re.compile(r"(?<![\w&#/])#\w+")
# Characters twitter-text's validation refuses outright (a byte-order mark, non-characters).
_X_INVALID = frozenset("\ufffe\ufeff\uffff")
# ``[What happened]``: a part of a template the responder must write (docs/playbooks.md).
_BLANK = re.compile(r"\[(?!\s)[^\[\]\n]{1,80}\](?!\()")
_TLD = re.compile(r"\.[a-z]{2,24}$", re.IGNORECASE)


def _link_problem(url: str, words: Catalogue | None = None) -> str | None:
    """Why a link-looking token would not work, or None when it looks well formed."""
    key = _link_problem_key(url)
    if key is None:
        return None
    return (words or Catalogue()).t(f"check.link.{key}", scheme=url.partition(":")[0])


def _link_problem_key(url: str) -> str | None:
    lower = url.lower()
    if lower.startswith("www."):
        host = url.split("/", 1)[0]
        return None if _TLD.search(host) else "no_tld"
    scheme, _, rest = url.partition(":")
    if scheme.lower() not in ("http", "https"):
        if scheme.lower() in ("mailto", "tel"):
            return None
        if re.fullmatch(r"h?t+p+s?", scheme.lower()):
            return "scheme"
        return None  # ``note:`` or ``10:30`` — not a link at all
    if not rest.startswith("//"):
        return "slashes"
    if rest.startswith("///"):
        return "too_many_slashes"
    parts = urlsplit(plat.trim_url(url))
    host = parts.hostname or ""
    if not host:
        return "no_host"
    if " " in host or ".." in host or host.startswith(".") or host.endswith("."):
        return "bad_host"
    if "." not in host and host != "localhost":
        return "no_tld"
    try:
        parts.port  # noqa: B018 — raises on a bad port
    except ValueError:
        return "bad_port"
    return None


def links(text: str) -> list[str]:
    """Every link to verify: what the platforms link (twitter-text's rules), and any other
    ``http(s)://`` link such as one on a domain twitter-text does not know."""
    spans = plat.find_urls(text)
    for m in _LINKISH.finditer(text):
        if m.group().lower().startswith(("http://", "https://")) and not any(
            s <= m.start() < e for s, e in spans
        ):
            spans.append((m.start(), m.start() + len(plat.trim_url(m.group()))))
    return _unique(text[s:e] for s, e in sorted(spans))


def mentions(text: str) -> list[str]:
    return _unique(m.group() for m in _MENTION.finditer(text))


def hashtags(text: str) -> list[str]:
    return _unique(m.group() for m in _HASHTAG.finditer(text) if not m.group()[1:].isdigit())


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        seen.setdefault(v, None)
    return list(seen)


# -- spelling -----------------------------------------------------------------------------

SPELLING_LANGUAGES = ("ar", "de", "en", "es", "eu", "fa", "fr", "it", "lv", "nl", "pt", "ru")
# The script each dictionary is written in: a word in another script (a Japanese phrase in an
# English message) is not the dictionary's to judge.
_SCRIPTS: dict[str, re.Pattern[str]] = {
    "ar": re.compile("[\u0600-\u06ff\u0750-\u077f'’]+"),
    "fa": re.compile("[\u0600-\u06ff\u0750-\u077f\u200c'’]+"),
    "ru": re.compile("[\u0400-\u04ff'’-]+"),
}
_LATIN = re.compile("[A-Za-z\u00c0-\u024f\u1e00-\u1eff'’]+")
CAPITALISED_NOUNS = frozenset({"de"})  # languages whose nouns are capitalised: check them too
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# British and Commonwealth spellings the (US-leaning) English dictionary lacks.
_BRITISH = (
    ("isation", "ization"),
    ("ising", "izing"),
    ("ised", "ized"),
    ("ise", "ize"),
    ("ises", "izes"),
    ("yse", "yze"),
    ("ysed", "yzed"),
    ("our", "or"),
    ("ours", "ors"),
    ("oured", "ored"),
    ("ouring", "oring"),
    ("tre", "ter"),
    ("tres", "ters"),
    ("ogue", "og"),
    ("ence", "ense"),
    ("lled", "led"),
    ("lling", "ling"),
)


@lru_cache(maxsize=4)
def _spellchecker(language: str) -> Any:
    """A loaded pyspellchecker for the language, or None when unavailable."""
    try:
        from spellchecker import SpellChecker
    except ImportError:
        return None
    try:
        return SpellChecker(language=language, distance=1)
    except (ValueError, OSError):
        return None


def spelling_available(language: str) -> bool:
    lang = language.split("-")[0].lower()
    return lang in SPELLING_LANGUAGES and _spellchecker(lang) is not None


def misspelled(text: str, language: str, known: Iterable[str] = ()) -> list[tuple[str, str | None]]:
    """Words the dictionary does not know, with a suggestion when it has one.

    Links, @mentions, #hashtags and placeholders are left out, and so are words written
    with capitals inside a sentence (names: brands, people, places) and ``known`` words.
    """
    lang = language.split("-")[0].lower()
    checker = _spellchecker(lang) if lang in SPELLING_LANGUAGES else None
    if checker is None:
        return []
    skip = {w.lower() for k in known for w in _WORD.findall(k)}
    plain = text
    for start, end in sorted(plat.find_urls(plain), reverse=True):
        plain = plain[:start] + " " + plain[end:]
    for pattern in (PLACEHOLDER, _LINKISH, _MENTION, _HASHTAG):
        plain = pattern.sub(" ", plain)
    candidates: list[str] = []
    for m in _WORD.finditer(plain):
        word = m.group().replace("’", "'")
        before = plain[: m.start()].rstrip()
        sentence_start = not before or before[-1] in ".!?:\n"
        if len(word) < 2 or word.lower() in skip:
            continue
        if not _SCRIPTS.get(lang, _LATIN).fullmatch(word):
            continue  # another script: not this dictionary's to judge
        if any(c.isupper() for c in word[1:]):
            continue  # an acronym or a brand (iPhone, ACME)
        if word[0].isupper() and not sentence_start and lang not in CAPITALISED_NOUNS:
            continue  # a name: brands, people, places
        candidates.append(word)
    unknown = checker.unknown([w.lower() for w in candidates])
    found: list[tuple[str, str | None]] = []
    for word in _unique(candidates):
        low = word.lower()
        if low not in unknown or (lang == "en" and _british_known(checker, low)):
            continue
        if "'" in low and not checker.unknown([low.split("'")[0]]):
            continue  # the dictionary splits contractions differently
        suggestion = checker.correction(low)
        found.append((word, suggestion if suggestion and suggestion != low else None))
    return found


def _british_known(checker: Any, word: str) -> bool:
    for uk, us in _BRITISH:
        if word.endswith(uk) and not checker.unknown([word[: -len(uk)] + us]):
            return True
    return False


# -- the check ----------------------------------------------------------------------------


def placeholders_left(text: str) -> list[str]:
    """What in a message still needs writing: ``{{ name }}`` and ``[blank]`` placeholders."""
    found = [
        f"{{{{ {name} }}}}" for name in _unique(m.group(1) for m in PLACEHOLDER.finditer(text))
    ]
    return found + list(_unique(m.group() for m in _BLANK.finditer(text)))


def check_message(
    text: str,
    platforms: Iterable[str],
    language: str = "en",
    banned: Iterable[str] = (),
    limits: Mapping[str, int] | None = None,
    *,
    known_words: Iterable[str] = (),
    spelling: bool = True,
) -> list[MessageFinding]:
    """Every finding for a message, errors first, in the words of ``language`` (the message
    catalogue, ``crisiscli/locales``; English where it has none)."""
    platforms = list(platforms)  # walked twice: lengths, then X's refused characters
    t = Catalogue(language).t
    findings: list[MessageFinding] = []
    if not text.strip():
        findings.append(MessageFinding("error", "empty", t("check.empty")))
    for name in _unique(m.group(1) for m in PLACEHOLDER.finditer(text)):
        findings.append(
            MessageFinding("error", "placeholder", t("check.unfilled", name=name), excerpt=name)
        )
    for blank in _unique(m.group() for m in _BLANK.finditer(text)):
        findings.append(
            MessageFinding("error", "placeholder", t("check.blank", blank=blank), excerpt=blank)
        )
    for length in lengths(text, platforms, limits):
        if length.over:
            line = t("check.over", over=length.over, platform=length.platform,
                     count=length.count, limit=length.limit)  # fmt: skip
            findings.append(MessageFinding("error", "length", line, platform=length.platform))
        elif length.limit is None:
            line = t("check.no_limit", platform=length.platform, count=length.count)
            findings.append(MessageFinding("info", "length", line, platform=length.platform))
    if "x" in {plat.canonical(p) for p in platforms}:
        refused = sorted({f"U+{ord(c):04X}" for c in text if c in _X_INVALID})
        if refused:
            line = t("check.x_refuses", chars=", ".join(refused))
            findings.append(MessageFinding("error", "length", line, platform="x"))
    normalised = _norm(text)
    banned_here: list[str] = []  # once each, however often the playbook lists it
    for phrase in banned:
        if phrase.strip() and _norm(phrase) in normalised and _norm(phrase) not in banned_here:
            banned_here.append(_norm(phrase))
            findings.append(
                MessageFinding("error", "banned", t("check.banned", phrase=phrase), excerpt=phrase)
            )
    excused: list[tuple[int, int]] = []
    for pattern, why in _excuse_patterns(language):
        for m in pattern.finditer(text):
            if _norm(m.group()) in banned_here or any(
                _norm(m.group()) in phrase for phrase in banned_here
            ):
                continue  # already an error as a banned phrase: not listed twice
            if any(s < m.end() and m.start() < e for s, e in excused):
                continue  # two patterns for one excuse (English ones run in every language)
            excused.append(m.span())
            line = t("check.excuse", excerpt=m.group(), why=why)
            findings.append(MessageFinding("warning", "excuse", line, excerpt=m.group()))
    for m in _LINKISH.finditer(text):
        problem = _link_problem(m.group(), Catalogue(language))
        if problem:
            token = plat.trim_url(m.group())
            line = t("check.link", link=token, problem=problem)
            findings.append(MessageFinding("warning", "link", line, excerpt=token))
    if spelling:
        lang = language.split("-")[0].lower()
        if not spelling_available(lang):
            line = t("check.spelling_none", language=language)
            findings.append(MessageFinding("info", "spelling", line))
        else:
            for word, suggestion in misspelled(text, lang, known_words):
                hint = t("check.spelling_hint", suggestion=suggestion) if suggestion else ""
                line = t("check.spelling", word=word, hint=hint)
                findings.append(MessageFinding("warning", "spelling", line, excerpt=word))
    for url in links(text):
        findings.append(MessageFinding("info", "link", t("check.open_link", link=url), excerpt=url))
    for mention in mentions(text):
        line = t("check.mention", mention=mention)
        findings.append(MessageFinding("info", "mention", line, excerpt=mention))
    for tag in hashtags(text):
        findings.append(MessageFinding("info", "hashtag", t("check.hashtag", tag=tag), excerpt=tag))
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(findings, key=lambda f: order[f.severity])


def review(
    text: str,
    platforms: Iterable[str],
    language: str = "en",
    banned: Iterable[str] = (),
    limits: Mapping[str, int] | None = None,
    *,
    known_words: Iterable[str] = (),
    override: str | None = None,
    spelling: bool = True,
) -> Review:
    names = list(platforms)
    return Review(
        text,
        tuple(lengths(text, names, limits)),
        tuple(
            check_message(
                text, names, language, banned, limits, known_words=known_words, spelling=spelling
            )
        ),
        override,
    )


def review_data(rev: Review) -> dict[str, Any]:
    """A review as plain data (``crisis message check --json``)."""
    return {
        "text": rev.text,
        "lengths": [
            {
                "platform": ln.platform,
                "count": ln.count,
                "limit": ln.limit,
                "over": ln.over,
                "rule": ln.rule,
            }
            for ln in rev.lengths
        ],
        "findings": [f.to_data() for f in rev.findings],
        "errors": len(rev.errors),
        "warnings": len(rev.warnings),
    }


def summary_line(rev: Review) -> str:
    """``x 120/280 · bluesky 98/300 · 1 error, 2 warnings`` for logs and scripts."""
    parts = [
        f"{ln.platform} {ln.count}/{ln.limit}" if ln.limit else f"{ln.platform} {ln.count}"
        for ln in rev.lengths
    ]
    errors, warnings = len(rev.errors), len(rev.warnings)
    parts.append(
        f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
    )
    return " · ".join(parts)
