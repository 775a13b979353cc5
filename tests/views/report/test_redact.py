"""--redact finds outsiders' names word by word (a look-up per word, not a pass of every
name over every text: benchmarks/report.py); it must find exactly what matching every name
as a whole word, case-insensitively, finds — longest name first."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from crisiscli.views.report.redact import Redactor

WORDS = ["Jo", "jo", "Customer", "Smith", "Ann", "Jo-Anne", "O'Neil", "Åsa", "Lee", "x_y"]
name = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)
text = st.lists(
    st.one_of(
        st.sampled_from(WORDS), st.sampled_from([" ", ", ", "'s ", "-", "_", "(", ")", "\n"])
    ),
    max_size=16,
).map("".join)


def by_every_name(names: list[str], value: str, people: dict[str, str]) -> str:
    ordered = sorted({n.strip().casefold() for n in names if n.strip()}, key=len, reverse=True)
    if not ordered:
        return value
    pattern = "|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in ordered)
    return re.sub(pattern, lambda m: people[m.group().casefold()], value, flags=re.I)


@given(st.lists(name, max_size=5), text)
def test_word_by_word_finds_what_every_name_finds(names: list[str], value: str) -> None:
    r = Redactor(enabled=True, outsiders=names)
    assert r._replace_names(value) == by_every_name(names, value, r._people)


def test_a_name_that_does_not_start_with_a_letter_and_a_folded_text() -> None:
    r = Redactor(enabled=True, outsiders=["@acme support", "Jo Strauß"])
    # names are compared case-folded, so "STRAUSS" is "Strauß": redaction errs on removing
    assert r.text("Ask @ACME support or JO STRAUSS") == "Ask [person 1] or [person 2]"
    assert r.text("Jo Strauß and straße") == "[person 2] and straße"


def test_thousands_of_contacts_are_each_found() -> None:
    names = [f"Customer {n}" for n in range(5000)]
    r = Redactor(enabled=True, outsiders=names)
    assert r.text("Called Customer 1 back; customer 10 next, then Customer 100.") == (
        "Called [person 2] back; [person 11] next, then [person 101]."
    )
