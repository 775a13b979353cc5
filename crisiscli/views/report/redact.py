"""``--redact``: a public version of a report, without outsiders' names or contact details.

The team is everyone who wrote an event (actors), everyone named in a role assignment or
as a message approver. Their names stay. Replaced, in every free text of the report:

- names recorded in contact logs (``contact.logged`` ``who``) that are not the team's,
  wherever they appear (case-insensitive, whole words) → ``[person N]``;
- @handles, including fediverse ``@user@server`` handles, unless the handle is a team
  member's name → ``[handle N]``;
- e-mail addresses → ``[email]``;
- phone numbers (7 to 15 digits, optionally with ``+``, spaces, dots, dashes or
  brackets; dates written ``YYYY-MM-DD`` are not numbers) → ``[phone]``.

Names typed in free text that are not in a contact log and are not @handles cannot be
recognised and are left as written (see docs/report.md). The same person or handle gets
the same number throughout one report.
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
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d(?:[\d ().-]{5,22})\d(?![\w])")
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


_WORD = re.compile(r"\w+")


class Redactor:
    """Replace outsiders' names and contact details; ``enabled=False`` changes nothing.

    Names are found word by word: each word of a text is looked up among the first words of
    the outsiders' names, so a report with thousands of contacts and a hundred thousand
    events costs a dictionary look-up per word, not a pass of every name over every text.
    """

    def __init__(self, *, enabled: bool, team: Iterable[str] = (), outsiders: Iterable[str] = ()):
        self.enabled = enabled
        self.team = {t.strip().casefold() for t in team if t and t.strip()}
        self._people: dict[str, str] = {}
        self._handles: dict[str, str] = {}
        names = []
        spellings: set[str] = (
            set()
        )  # as written and case-folded ("Strauß", "strauss"): the slow path
        for name in outsiders:
            name = name.strip()
            if name and name.casefold() not in self.team and name.casefold() not in names:
                names.append(name.casefold())
                spellings.update((name, name.casefold()))
                self._people[name.casefold()] = f"[person {len(self._people) + 1}]"
        names.sort(key=len, reverse=True)  # longest first: "Jo Smith" before "Jo"
        self._names = names
        self._spellings = sorted(spellings, key=len, reverse=True)
        # first word → the lengths of the names that start with it, longest first: at each
        # word of a text, one set look-up per length (a thousand "Customer N" share a few)
        self._by_first: dict[str, list[int]] = {}
        odd = []
        for name in names:
            first = _WORD.match(name)
            if first is None:
                odd.append(name)  # a name that does not start with a letter or digit
                continue
            lengths = self._by_first.setdefault(first.group(), [])
            if len(name) not in lengths:
                lengths.append(len(name))
        self._odd = self._pattern(odd)
        self._all: re.Pattern[str] | None = None  # built only if a text needs it (below)

    @staticmethod
    def _pattern(names: list[str]) -> re.Pattern[str] | None:
        if not names:
            return None
        return re.compile("|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in names), re.I)

    def _replace_names(self, value: str) -> str:
        folded = value.casefold()
        if len(folded) != len(value):
            # Case folding changed the length ("ß" → "ss"): positions would not line up.
            # Rare; match every name the slow way.
            if self._all is None:
                self._all = self._pattern(self._spellings)
            assert self._all is not None
            return self._all.sub(lambda m: self._people[m.group().casefold()], value)
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
                    out += (value[pos:start], self._people[name])
                    pos = end
                    break
        if pos:
            out.append(value[pos:])
            value = "".join(out)
        if self._odd is not None:
            value = self._odd.sub(lambda m: self._people[m.group().casefold()], value)
        return value

    def person(self, name: str | None) -> str | None:
        """A contact's name: kept for the team, a stable placeholder for anyone else."""
        if name is None or not self.enabled:
            return name
        key = name.strip().casefold()
        if key in self.team:
            return name
        if key not in self._people:
            self._people[key] = f"[person {len(self._people) + 1}]"
        return self.text(self._people[key])

    def text(self, value: str | None) -> str | None:
        if value is None or not self.enabled or not value:
            return value
        if self._names:
            value = self._replace_names(value)
        value = _CONTACT.sub(self._contact, value)
        return _PHONE.sub(_phone, value)

    def _contact(self, m: re.Match[str]) -> str:
        if m.group("email"):
            return "[email]"
        if m.group("name") and m.group("name").casefold() in self.team:
            return m.group()
        return self._handle(m.group())

    def _handle(self, handle: str) -> str:
        key = handle.casefold()
        if key not in self._handles:
            self._handles[key] = f"[handle {len(self._handles) + 1}]"
        return self._handles[key]


def _phone(match: re.Match[str]) -> str:
    found = match.group()
    digits = sum(ch.isdigit() for ch in found)
    if digits < 7 or digits > 15 or _DATE.fullmatch(found.strip()):
        return found
    if re.search(r"\d{4}-\d{1,2}-\d{1,2}", found):
        return found  # a date followed by more numbers (a time): not a phone number
    return "[phone]"
