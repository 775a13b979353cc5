"""Errors reach the user as one line with a location."""

from __future__ import annotations

from crisiscli.errors import CrisisError, Location


def test_errors_are_one_line_even_with_line_breaks_in_user_data() -> None:
    error = CrisisError("bad value 'first\nsecond'\r\n", location=Location("f.csv", 3, 1))
    assert error.one_line() == "f.csv:3:1: bad value 'first second'"
