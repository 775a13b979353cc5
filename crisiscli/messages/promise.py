"""The time a message promises for its next update, read from its words.

A holding line says "More here by 02:30"; an update says "Next update by 4 pm" or, in Swedish,
"Nästa uppdatering senast kl. 14.30" or "om 30 minuter". ``promised_in(text, language)``
finds that promise and returns it in the form ``parse_when`` reads (``"02:30"`` or ``"30m"``),
or None when the text names no time. A time is taken only where the words promise something
(next update, more, back, …; nästa uppdatering, mer, återkommer, …) or follow *by* / *senast*,
so the time in "Update (14:00): …" is not mistaken for the next one. The playbook languages
are English and Swedish; English is also read in every other language.
"""

from __future__ import annotations

import re
from functools import lru_cache

from crisiscli.timeutil import duration_text

# A clock time: 02:30, 2.30, 14.30, 2:30 pm, 2pm, 2 p.m. (a bare hour only with am/pm or kl.);
# ASCII digits, as in every time crisis reads (``timeutil``): "١٤:٣٠" is no promise.
_HM = r"(?P<h>[01]?[0-9]|2[0-3])(?:[:.](?P<m>[0-5][0-9]))"
_AMPM = r"(?P<ap>[ap])\.?\s?m\b\.?"
_TIME = rf"(?:{_HM}\s?(?:{_AMPM})?|(?P<h2>1[0-2]|0?[1-9])\s?(?:{_AMPM.replace('ap', 'ap2')}))"
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty-five": 45, "en": 1, "ett": 1, "två": 2, "tre": 3, "fyra": 4,
    "femton": 15, "tjugo": 20, "trettio": 30, "fyrtiofem": 45,
}  # fmt: skip
_COUNT = r"(?P<n>[0-9]{1,3}|" + "|".join(sorted(_NUMBERS, key=len, reverse=True)) + ")"

_CUES = {
    "en": (
        r"next update|further update|more (?:information |news |details )?(?:here )?"
        r"|update (?:you |again |here )?|(?:come|be|get|report) back(?: to you)?(?: here)?"
        r"|again|follow up|say more(?: here)?"
    ),
    "sv": (
        r"nästa uppdatering|ny uppdatering|mer (?:information |här )?|uppdaterar (?:vi )?(?:igen )?"
        r"|återkommer(?: vi)?(?: här)?|hör av oss(?: igen)?|berättar mer"
    ),
}
_BY = {
    "en": r"(?:by|at|before|around|no later than|not later than|until)",
    "sv": r"(?:senast(?: kl\.?| klockan)?|kl\.?|klockan|före|innan|runt|vid)",
}
_IN = {"en": r"(?:in|within)", "sv": r"(?:om|inom)"}
_LONE = {"en": r"by", "sv": r"senast(?: kl\.?| klockan)?"}  # a promise even without a cue
_UNITS = {
    "en": ((r"min(?:ute)?s?", 60), (r"h(?:ou)?rs?|hours?", 3600)),
    "sv": ((r"min(?:uter|ut)?", 60), (r"tim(?:me|mar|mars)?", 3600)),
}


@lru_cache(maxsize=4)
def _patterns(language: str) -> tuple[re.Pattern[str], ...]:
    lang = language.split("-")[0].lower()
    langs = ["en"] if lang not in _CUES or lang == "en" else [lang, "en"]
    found: list[re.Pattern[str]] = []
    for code in langs:
        cue, by, within = _CUES[code], _BY[code], _IN[code]
        units = "|".join(f"(?:{u})" for u, _s in _UNITS[code])
        # "next update by 02:30", "mer här senast kl. 14.30"
        found.append(re.compile(rf"\b(?:{cue})[^.!?\n]{{0,30}}?\b{by}\s+{_TIME}", re.I))
        # "next update in 30 minutes", "nästa uppdatering om en timme"
        found.append(
            re.compile(
                rf"\b(?:{cue})[^.!?\n]{{0,30}}?\b{within}\s+{_COUNT}\s?(?P<unit>{units})\b", re.I
            )
        )
    for code in langs:  # then any "by 02:30" / "senast 14.30" at all
        found.append(re.compile(rf"\b{_LONE[code]}\s+{_TIME}", re.I))
    return tuple(found)


def promised_in(text: str, language: str = "en") -> str | None:
    """The promised time of the next update as ``parse_when`` reads it (``"14:30"``,
    ``"30m"``, ``"2h"``), or None when the text promises no time."""
    for pattern in _patterns(language):
        match = pattern.search(text)
        if match is None:
            continue
        groups = match.groupdict()
        if groups.get("unit"):
            count = groups["n"].lower()
            n = int(count) if count.isascii() and count.isdigit() else _NUMBERS.get(count, 0)
            if n <= 0:
                continue
            unit = groups["unit"].lower()
            seconds = 3600 if unit.startswith(("h", "tim")) else 60
            return duration_text(n * seconds)
        if groups.get("h2"):
            hour, minute, ampm = int(groups["h2"]), 0, groups.get("ap2")
        else:
            hour, minute, ampm = int(groups["h"]), int(groups["m"] or 0), groups.get("ap")
        if ampm:
            if hour > 12:
                continue
            hour = hour % 12 + (12 if ampm.lower() == "p" else 0)
        return f"{hour:02d}:{minute:02d}"
    return None
