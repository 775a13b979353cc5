"""Time, in one place: ISO parsing, durations, zones and the way times are shown.

Every command shows and reads times through these functions, so a zone, a duration or a
timestamp means the same thing in the walk-through, the log, the brief and the report.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo

# ASCII digits only: ``\d`` would accept "١٠m", which no person typing a deadline means.
_DURATION = re.compile(
    r"^\s*(?:([0-9]+)\s*d)?\s*(?:([0-9]+)\s*h)?\s*(?:([0-9]+)\s*m(?:in)?)?\s*(?:([0-9]+)\s*s)?\s*$"
)


# A deadline or follow-up further away than this is a typo, not a plan (and 999999999d
# would not fit in a date at all).
MAX_DURATION_SECONDS = 366 * 24 * 3600


def parse_duration(text: str) -> int | None:
    """``"1h30m"`` → 5400 seconds; ``"90min"``, ``"2d"``, ``"45s"`` too.

    None when the text is not a duration. Durations over a year are reported by
    ``duration_problem`` rather than silently accepted.
    """
    match = _DURATION.match(text)
    if not match or not any(match.groups()):
        return None
    days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def duration_problem(text: str) -> str | None:
    """Why ``text`` is not a usable duration (None: it is one)."""
    seconds = parse_duration(text)
    if seconds is None:
        return f"'{text}' is not a duration (use e.g. 15m, 2h, 1h30m, 1d)"
    if seconds <= 0:
        return f"'{text}' is no time at all"
    if seconds > MAX_DURATION_SECONDS:
        return f"'{text}' is more than a year away"
    return None


def format_duration(seconds: float) -> str:
    """``5400`` → ``1h 30m``: short and calm. A negative duration keeps its sign."""
    sign = "-" if seconds < 0 else ""
    seconds = int(abs(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours}h"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    if minutes:
        return sign + (f"{minutes}m" if minutes >= 10 or not secs else f"{minutes}m {secs:02d}s")
    return f"{sign}{secs}s"


def since_start(seconds: float) -> str:
    """``"2h 10m since start"``; a clock behind the incident's start is said to be so
    (never folded into a positive time, which would read as a plausible but false age)."""
    if seconds >= 0:
        return f"{format_duration(seconds)} since start"
    return f"starts in {format_duration(-seconds)} by this computer's clock (clock behind?)"


def parse_iso(text: str) -> datetime | None:
    """An ISO 8601 time with an offset (``Z`` allowed) → aware datetime in UTC, else None.

    Times that cannot be placed on the UTC line (``0001-01-01T00:00+05:00``) are None too.
    """
    if not isinstance(text, str) or not text:
        return None
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            return None
        return parsed.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return None


def utc_text(ts: datetime) -> str:
    """The journal's form of a time: UTC, microseconds, offset."""
    return ts.astimezone(timezone.utc).isoformat(timespec="microseconds")


def zone_named(name: str) -> tzinfo:
    """An IANA zone by name (``UTC`` too); ``ValueError`` for an unknown one."""
    if name.strip().upper() in ("UTC", "Z", "GMT"):
        return timezone.utc
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"'{name}' is not a known time zone (e.g. Europe/Berlin, UTC)") from None


def in_zone(ts: datetime, tz: tzinfo | None) -> datetime:
    """``ts`` in ``tz``, or in the system's local zone when ``tz`` is None."""
    return ts.astimezone(tz) if tz is not None else ts.astimezone()


def zone_label(local: datetime) -> str:
    return local.tzname() or local.strftime("%z")


def is_utc(tz: tzinfo | None, at: datetime) -> bool:
    """True when local time is UTC at ``at`` (then showing both would say it twice)."""
    local = in_zone(at, tz)
    return local.utcoffset() == timedelta(0) and zone_label(local) in ("UTC", "GMT", "+0000", "Z")


def local_and_utc(ts: datetime, tz: tzinfo | None = None, *, date: bool = False) -> str:
    """``16:43:11 CET (15:43:11 UTC)``; just ``15:43:11 UTC`` when local time is UTC."""
    local = in_zone(ts, tz)
    fmt = "%Y-%m-%d %H:%M:%S" if date else "%H:%M:%S"
    shown = f"{local.strftime(fmt)} {zone_label(local)}"
    if is_utc(tz, ts):
        return shown
    return f"{shown} ({ts.astimezone(timezone.utc).strftime('%H:%M:%S')} UTC)"


def short_when(ts: datetime, tz: tzinfo | None, now: datetime) -> str:
    """``14:05 CET`` today, ``2026-11-30 14:05 CET`` on another day."""
    local, today = in_zone(ts, tz), in_zone(now, tz)
    fmt = "%H:%M" if local.date() == today.date() else "%Y-%m-%d %H:%M"
    return f"{local.strftime(fmt)} {zone_label(local)}".strip()
