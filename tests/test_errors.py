"""Errors reach the user as one line with a location."""

from __future__ import annotations

from crisiscli.errors import CrisisError, Location


def test_errors_are_one_line_even_with_line_breaks_in_user_data() -> None:
    error = CrisisError("bad value 'first\nsecond'\r\n", location=Location("f.csv", 3, 1))
    assert error.one_line() == "f.csv:3:1: bad value 'first second'"


def test_failed_start_leaves_no_half_made_incident(crisis_home, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import errno

    import pytest

    from crisiscli.errors import CrisisError
    from crisiscli.record import journal
    from tests.conftest import make_env
    from tests.helpers import open_incident

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(journal, "write_all", full)
    with pytest.raises(CrisisError, match="disk is full"):
        open_incident(make_env(crisis_home))
    assert list((crisis_home / "incidents").iterdir()) == []
