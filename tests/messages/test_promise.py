"""The next-update time a message names (issue 20, finding 6): a parser, so tested with
hypothesis as well as by example."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from crisiscli.messages.promise import promised_in
from crisiscli.timeutil import parse_duration


@given(st.integers(0, 23), st.integers(0, 59), st.sampled_from(["by", "at", "before"]))
def test_a_24_hour_time_after_a_promise(hour: int, minute: int, word: str) -> None:
    text = f"Update (09:00): we found it. Next update {word} {hour:02d}:{minute:02d}."
    assert promised_in(text, "en") == f"{hour:02d}:{minute:02d}"


@given(st.integers(1, 12), st.integers(0, 59), st.sampled_from(["am", "pm", "a.m.", "p.m."]))
def test_a_12_hour_time(hour: int, minute: int, ampm: str) -> None:
    h24 = hour % 12 + (12 if ampm.startswith("p") else 0)
    assert (
        promised_in(f"More here by {hour}:{minute:02d} {ampm}", "en") == f"{h24:02d}:{minute:02d}"
    )


@given(st.integers(0, 23), st.integers(0, 59))
def test_swedish_clock_and_minutes(hour: int, minute: int) -> None:
    assert (
        promised_in(f"Nästa uppdatering senast kl. {hour}.{minute:02d}.", "sv")
        == f"{hour:02d}:{minute:02d}"
    )
    said = promised_in(f"Vi återkommer om {minute + 1} minuter.", "sv")
    assert said is not None and parse_duration(said) == (minute + 1) * 60  # "60 minuter": 1h
    assert promised_in("Mer här inom en timme.", "sv") == "1h"


@given(st.text(max_size=300), st.sampled_from(["en", "sv", "de"]))
def test_any_text_is_read_without_error(text: str, language: str) -> None:
    found = promised_in(text, language)
    assert found is None or found.endswith(("m", "h")) or ":" in found


def test_times_that_promise_nothing_are_left_alone() -> None:
    assert promised_in("The outage began at 14:00 and we are on it.", "en") is None
    assert promised_in("Felet började 14.00.", "sv") is None
    assert promised_in("Next update in 0 minutes", "en") is None


def test_a_promise_is_read_in_the_digits_every_time_is_read_in() -> None:
    """Arabic-Indic digits are no time anywhere in crisis (issue 25.3): not in a prompt, and
    not as the promise a message makes either."""
    assert promised_in("Next update by 14:30.") == "14:30"
    assert promised_in("Next update by ١٤:٣٠.") is None
    assert promised_in("Next update in ١٠ minutes.") is None
