"""The step screen's pieces (ui/screens.py)."""

from __future__ import annotations

from datetime import datetime, timedelta


def test_a_deadline_on_another_day_says_its_day() -> None:
    """A 24-hour check opened at 06:16 is due at 06:16 tomorrow: "due 06:16" read as due
    this minute. Another day shows its day; today shows the time alone."""
    from crisiscli.ui.screens import clock_time

    now = datetime.now().astimezone().replace(hour=6, minute=16, second=0, microsecond=0)
    tomorrow = now + timedelta(days=1)
    assert clock_time(now + timedelta(hours=2), now) == "08:16"
    assert clock_time(tomorrow, now) == f"{tomorrow.day} {tomorrow.strftime('%b')} 06:16"
    assert clock_time(tomorrow) == "06:16"  # no "now" given: the time alone, as before
