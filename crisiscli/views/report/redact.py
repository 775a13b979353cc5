"""``--redact``: a public version of a report, without people's names or contact details.

Every person the journal knows is replaced wherever their name appears: whoever recorded an
event (responders, note authors, whoever checked an exit criterion), everyone given a role,
every approver asked or deciding, handoff recipients, contacts (``contact.logged`` ``who``),
action item owners and the review owner. Replaced, in every text of the report:

- those names (case-insensitive, whole words; longest first) → ``[person N]``; and the
  capitalised words of a name of several words on their own ("Tom" of "Tom Berg", "Doe" of
  "Jane Doe", as written with a capital) → the same ``[person N]``;
- a name after a greeting ("Hi Tom,", "Dear Ms Berg:", "Hej Lena!") → ``[name]``;
- links to a profile or a post on a social network (x.com, instagram.com, …, and
  ``https://server/@user``) → ``[profile link]``;
- @handles, including fediverse ``@user@server`` handles → ``[handle N]``;
- e-mail addresses → ``[email]``;
- phone numbers (7 to 15 digits, optionally with ``+``, spaces, dots, dashes or
  brackets; dates written ``YYYY-MM-DD`` are not numbers) → ``[phone]``;
- the terms given with ``--redact-term`` and in the config's ``redact`` list → ``[redacted]``.

What cannot be caught: a name typed in free text that the journal records nowhere else (not
a responder, role, approver, contact, owner, and not after a greeting), written without a
capital, or a nickname (see docs/report.md). The same person or handle gets the same number
throughout one report; ``counts`` says how many of each kind were found.

Building the redactor costs one dictionary operation per name (linear: benchmarks/redact.py),
and each text a look-up per word, not a pass of every name over every text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# One pass, left to right, so numbering follows the text: a fediverse handle
# (@user@server), an e-mail address, or a plain @handle.
_CONTACT = re.compile(
    r"(?P<fedi>(?<![\w@])@[A-Za-z0-9_][A-Za-z0-9_.-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"
    r"|(?P<email>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"
    r"|(?<![\w@.])@(?P<name>[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)"
)
# E-mail addresses alone (not the "user@server" of a fediverse handle, which the handle
# pass numbers in its turn): replaced before names, so a name never splits an address.
_ADDRESS = re.compile(
    r"(?<![\w@.%+-])(?P<email>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"
)
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d(?:[\d ().-]{5,22})\d(?![\w])")
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
SOCIAL_HOSTS = (
    "x.com",
    "twitter.com",
    "facebook.com",
    "fb.com",
    "instagram.com",
    "tiktok.com",
    "linkedin.com",
    "threads.net",
    "bsky.app",
    "youtube.com",
    "reddit.com",
    "mastodon.social",
)
_PROFILE = re.compile(
    r"https?://(?:[a-z0-9-]+\.)*(?:"
    + "|".join(re.escape(h) for h in SOCIAL_HOSTS)
    + r")/[^\s<>\"')\]]+"
    + r"|https?://[A-Za-z0-9.-]+/@[^\s<>\"')\]]+",
    re.I,
)
_GREETING = re.compile(
    r"\b(?P<greeting>Hi|Hello|Hey|Dear|Hiya|Morning|Evening|Thanks|Thank you|Hej|Hejsan|Hallå|"
    r"Tack|Kära|Good (?:morning|afternoon|evening))(?P<gap>,?[ \t]+)"
    r"(?P<name>(?:(?:Mr|Mrs|Ms|Mx|Dr)\.?[ \t]+)?[A-ZÀ-ÖØ-Þ][\w'’-]*(?:[ \t]+[A-ZÀ-ÖØ-Þ][\w'’-]*)?)"
    r"(?=[ \t]*[,!.:;\n]|[ \t]*$)"
)
_WORD = re.compile(r"\w+")
KINDS = (
    ("person", "person", "people"),
    ("greeting", "name after a greeting", "names after a greeting"),
    ("profile", "profile link", "profile links"),
    ("handle", "handle", "handles"),
    ("email", "e-mail address", "e-mail addresses"),
    ("phone", "phone number", "phone numbers"),
    ("term", "term", "terms"),
)


class Redactor:
    """Replace people's names and contact details; ``enabled=False`` changes nothing.

    ``people``: every name the journal knows (each becomes ``[person N]``); ``outsiders``
    is the same list under its older name. ``team`` names are kept as written (a caller
    that wants the team named, e.g. a report for the team itself). ``terms``: words always
    replaced. ``parts``: also replace the capitalised words of a name of several words.
    """

    def __init__(
        self,
        *,
        enabled: bool,
        team: Iterable[str] = (),
        outsiders: Iterable[str] = (),
        people: Iterable[str] = (),
        terms: Iterable[str] = (),
        parts: bool = False,
    ):
        self.enabled = enabled
        self.team = {t.strip().casefold() for t in team if t and t.strip()}
        self._people: dict[str, str] = {}  # folded name → placeholder, in the order met
        self._handles: dict[str, str] = {}
        self.found: dict[str, set[str]] = {kind: set() for kind, _one, _many in KINDS}
        spellings: set[str] = set()  # as written and case-folded ("Strauß", "strauss")
        for name in (*outsiders, *people):
            name = (name or "").strip()
            key = name.casefold()
            if not name or key in self.team or key in self._people:
                continue  # a dictionary look-up: building stays linear in the names
            self._people[key] = f"[person {len(self._people) + 1}]"
            spellings.update((name, key))
            words = name.split()
            if parts and len(words) >= 2 and words[0][:1].isalpha():
                # "J. Doe" and "J Doe" for "Jane Doe": the same person
                for initial in (f"{words[0][0]}. ", f"{words[0][0]} "):
                    short = (initial + " ".join(words[1:])).casefold()
                    if short not in self._people and short not in self.team:
                        self._people[short] = self._people[key]
                        spellings.update((short,))
        names = sorted(self._people, key=len, reverse=True)  # longest first
        self._names = names
        self._spellings = sorted(spellings, key=len, reverse=True)
        # first word → the lengths of the names that start with it, longest first: at each
        # word of a text, one set look-up per length (a thousand "Customer N" share a few)
        by_first: dict[str, dict[int, None]] = {}
        odd = []
        for name in names:
            first = _WORD.match(name)
            if first is None:
                odd.append(name)  # a name that does not start with a letter or digit
                continue
            by_first.setdefault(first.group(), {})[len(name)] = None
        self._by_first = {word: list(lengths) for word, lengths in by_first.items()}
        self._odd = self._pattern(odd)
        self._all: re.Pattern[str] | None = None  # built only if a text needs it (below)
        # "Tom" of "Tom Berg": capitalised words of longer names, matched as written
        self._parts: dict[str, str] = {}
        if parts:
            for name in spellings:
                words = _WORD.findall(name)
                if len(words) < 2:
                    continue
                for word in words:
                    if len(word) >= 2 and word[0].isupper() and word.casefold() not in self.team:
                        self._parts.setdefault(word, self._people[name.casefold()])
        cleaned = sorted({t.strip() for t in terms if t and t.strip()}, key=len, reverse=True)
        self._terms = (
            re.compile("|".join(rf"(?<!\w){re.escape(t)}(?!\w)" for t in cleaned), re.I)
            if cleaned
            else None
        )

    @staticmethod
    def _pattern(names: list[str]) -> re.Pattern[str] | None:
        if not names:
            return None
        return re.compile("|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in names), re.I)

    def _person(self, found: str) -> str:
        key = found.casefold()
        self.found["person"].add(key)
        return self._people[key]

    def _replace_names(self, value: str) -> str:
        folded = value.casefold()
        if len(folded) != len(value):
            # Case folding changed the length ("ß" → "ss"): positions would not line up.
            # Rare; match every name the slow way.
            if self._all is None:
                self._all = self._pattern(self._spellings)
            assert self._all is not None
            return self._all.sub(lambda m: self._person(m.group()), value)
        out: list[str] = []
        pos = 0
        for word in _WORD.finditer(folded):
            start = word.start()
            if start < pos:
                continue  # inside a name already replaced
            for length in self._by_first.get(word.group(), ()):
                end = start + length
                name = folded[start:end]
                if name in self._people and not _WORD.match(folded, end):
                    self.found["person"].add(name)
                    out += (value[pos:start], self._people[name])
                    pos = end
                    break
        if pos:
            out.append(value[pos:])
            value = "".join(out)
        if self._odd is not None:
            value = self._odd.sub(lambda m: self._person(m.group()), value)
        return value

    def _replace_parts(self, value: str) -> str:
        def one(m: re.Match[str]) -> str:
            word = m.group()
            placeholder = self._parts.get(word)
            if placeholder is None:
                return word
            self.found["person"].add(placeholder)
            return placeholder

        return _WORD.sub(one, value)

    def person(self, name: str | None) -> str | None:
        """A person's name: a stable placeholder (kept for a ``team`` name)."""
        if name is None or not self.enabled:
            return name
        key = name.strip().casefold()
        if not key or key in self.team:
            return name
        if key not in self._people:
            self._people[key] = f"[person {len(self._people) + 1}]"
        self.found["person"].add(key)
        return self._people[key]

    def text(self, value: str | None) -> str | None:
        if value is None or not self.enabled or not value:
            return value
        # links and addresses first (a name inside one must not break it up), then the
        # terms and names ("@acme support" is a name), handles, a greeting's name the
        # journal does not know, and numbers
        value = _PROFILE.sub(self._profile, value)
        value = _ADDRESS.sub(self._contact, value)
        if self._terms is not None:
            value = self._terms.sub(self._term, value)
        if self._names:
            value = self._replace_names(value)
        if self._parts:
            value = self._replace_parts(value)
        value = _CONTACT.sub(self._contact, value)
        value = _GREETING.sub(self._greeting, value)
        return _PHONE.sub(self._phone, value)

    def counts(self) -> dict[str, int]:
        """How many different ones of each kind were replaced so far (people by person)."""
        people = {self._people.get(p, p) for p in self.found["person"]}  # one per placeholder
        return {kind: len(people if kind == "person" else self.found[kind]) for kind, *_ in KINDS}

    def summary(self) -> str:
        """``Replaced: 4 people, 2 handles, 1 e-mail address`` (or that nothing was)."""
        counts = self.counts()
        said = [
            f"{counts[kind]} {one if counts[kind] == 1 else many}"
            for kind, one, many in KINDS
            if counts[kind]
        ]
        return "Replaced: " + ", ".join(said) if said else "Replaced: nothing was found to replace"

    def _term(self, m: re.Match[str]) -> str:
        self.found["term"].add(m.group().casefold())
        return "[redacted]"

    def _profile(self, m: re.Match[str]) -> str:
        self.found["profile"].add(m.group().casefold())
        return "[profile link]"

    def _greeting(self, m: re.Match[str]) -> str:
        self.found["greeting"].add(m.group("name").casefold())
        return f"{m.group('greeting')}{m.group('gap')}[name]"

    def _contact(self, m: re.Match[str]) -> str:
        if m.group("email"):
            self.found["email"].add(m.group().casefold())
            return "[email]"
        name = m.groupdict().get("name")
        if name and name.casefold() in self.team:
            return m.group()
        return self._handle(m.group())

    def _handle(self, handle: str) -> str:
        key = handle.casefold()
        self.found["handle"].add(key)
        if key not in self._handles:
            self._handles[key] = f"[handle {len(self._handles) + 1}]"
        return self._handles[key]

    def _phone(self, match: re.Match[str]) -> str:
        found = match.group()
        digits = sum(ch.isdigit() for ch in found)
        if digits < 7 or digits > 15 or _DATE.fullmatch(found.strip()):
            return found
        if re.search(r"\d{4}-\d{1,2}-\d{1,2}", found):
            return found  # a date followed by more numbers (a time): not a phone number
        self.found["phone"].add(re.sub(r"\D", "", found))
        return "[phone]"
