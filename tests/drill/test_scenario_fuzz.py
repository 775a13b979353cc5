"""Scenario files are untrusted: whatever a file holds, reading it gives a scenario or one
located ``PlaybookError`` — never another exception. Offsets read back as written."""

from __future__ import annotations

import contextlib
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from crisiscli.drill.scenario import (
    EXPECT_KEYS,
    INJECT_KEYS,
    INJECT_KINDS,
    TOP_KEYS,
    offset_text,
    parse_offset,
    parse_scenario,
)
from crisiscli.errors import PlaybookError

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=False),
    st.text(max_size=12), st.sampled_from(["+12m", "+0", "90m", "+1h30m", "-5m", "+", "12"]),
    st.sampled_from([*INJECT_KINDS, *EXPECT_KEYS, "hour", "look"]),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from([*TOP_KEYS, *INJECT_KEYS, "expect", "step", "by", "phrases", "x"]),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([*TOP_KEYS, "x"]), values, max_size=9))
def test_any_mapping_reads_as_a_scenario_or_one_located_error(doc: dict[str, Any]) -> None:
    text = yaml.safe_dump(doc, allow_unicode=True)
    try:
        parse_scenario(text, "s.yaml")
    except PlaybookError as error:
        assert str(error.location).startswith("s.yaml")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_reads_as_a_scenario_or_one_located_error(text: str) -> None:
    with contextlib.suppress(PlaybookError):
        parse_scenario(text, "s.yaml")


@given(st.integers(0, 365 * 24 * 3600))
def test_an_offset_reads_back_as_written(seconds: int) -> None:
    assert parse_offset(offset_text(seconds)) == seconds
