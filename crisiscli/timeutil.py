"""Time, in one place: ISO parsing, durations, zones and the way times are shown.

Every command shows and reads times through these functions, so a zone, a duration or a
timestamp means the same thing in the walk-through, the log, the brief and the report.
"""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta, timezone, tzinfo

# -- the one grammar of durations ----------------------------------------------------------
#
# Every duration crisis reads — a playbook's ``due``, ``not_before``, ``escalate_after`` and
# cadence, ``sync.auto`` and ``--sync``, ``--follow-up``/``--to`` and the walk-through's
# "next update" prompt — is read by ``parse_duration`` against this one pattern, and the
# JSON Schema carries the same text (``playbook/schema.py``), so a duration one place
# accepts is accepted everywhere. Units in the order days, hours, minutes (``m`` or
# ``min``), seconds, each optional, lowercase; at least one number that is not zero; ASCII
# spaces allowed around the parts. Written in the common subset of Python's and
# ECMAScript's regular expressions: ``[0-9]``, never ``\d`` (in Python ``\d`` would accept
# "١٠m", which no person typing a deadline means), and no ``\s``.
DURATION_REGEX = (
    "(?=[^1-9]*[1-9])"
    " *(?:([0-9]+) *d)? *(?:([0-9]+) *h)? *(?:([0-9]+) *(?:min|m))? *(?:([0-9]+) *s)? *"
)
_DURATION = re.compile(DURATION_REGEX)

#: What every refusal of a duration says is accepted (the same words everywhere).
DURATION_EXAMPLES = "45s, 15m, 90min, 1h30m, 2d"
DURATION_HELP = f"write days, hours, minutes, seconds in that order, e.g. {DURATION_EXAMPLES}"

# A deadline or follow-up further away than this is a typo, not a plan (and 999999999d
# would not fit in a date at all).
MAX_DURATION_SECONDS = 366 * 24 * 3600


def parse_duration(text: str) -> int | None:
    """``"1h30m"`` → 5400 seconds; ``"90min"``, ``"2d"``, ``"45s"``, ``"1h 30m"`` too.

    None when the text is not a duration of at least one second (``DURATION_REGEX``).
    Durations over a year are reported by ``duration_problem``, not refused here.
    """
    match = _DURATION.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        return None
    days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def not_a_duration(text: str) -> str:
    """The one sentence that refuses ``text`` as a duration."""
    return f"'{text}' is not a duration: {DURATION_HELP}"


def duration_problem(text: str, *, most: int = MAX_DURATION_SECONDS) -> str | None:
    """Why ``text`` is not a usable duration (None: it is one, at most ``most`` seconds)."""
    seconds = parse_duration(text)
    if seconds is None:
        return not_a_duration(text)
    if seconds > most:
        limit = "a year" if most == MAX_DURATION_SECONDS else duration_text(most)
        return f"'{text}' is more than {limit}"
    return None


def duration_text(seconds: int) -> str:
    """``5400`` → ``1h30m``: the exact duration, written so that ``parse_duration`` reads
    it back (``format_duration`` rounds for people; this never does)."""
    if seconds <= 0:
        raise ValueError("a duration is at least one second")
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = zip((days, hours, minutes, secs), "dhms", strict=True)
    return "".join(f"{n}{unit}" for n, unit in parts if n)


# -- the one grammar of clock times ------------------------------------------------------

# ``14:30``, ``14.30``, ``14:30:15``, ``2:30 pm``: ASCII digits only, as for durations.
_CLOCK = re.compile(
    r"(?P<h>[0-9]{1,2})[:.](?P<mi>[0-9]{2})(?:[:.](?P<s>[0-9]{2})(?:\.[0-9]+)?)? *"
    r"(?P<ampm>[aApP]\.?[mM]\.?)?"
)

#: What every refusal of a moment says is accepted.
MOMENT_HELP = (
    f"give a duration from now ({DURATION_EXAMPLES}; +30m too), "
    "a clock time (14:30, 2:30 pm) or a date (2026-11-24 14:30)"
)


def parse_clock(text: str | None) -> tuple[int, int, int] | None:
    """``"14:30"`` → (14, 30, 0); ``"2:30 pm"`` → (14, 30, 0); None when it is not one."""
    if text is None or not text.strip():
        return None
    m = _CLOCK.fullmatch(text.strip())
    if not m:
        return None
    hour, minute, second = int(m["h"]), int(m["mi"]), int(m["s"] or 0)
    if m["ampm"]:
        if not 1 <= hour <= 12:
            return None
        pm = m["ampm"].lower().startswith("p")
        hour = (hour % 12) + (12 if pm else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return hour, minute, second


# -- the one grammar of dates --------------------------------------------------------------

# ``2026-12-15`` and nothing else: ``date.fromisoformat`` also takes ``20261215`` and
# ``2026-W51-2`` from Python 3.11 on, so the same command line meant a date on one Python
# and was refused on another.
_DATE = re.compile("([0-9]{4})-([0-9]{2})-([0-9]{2})")


def parse_date(text: str | None) -> date | None:
    """``"2026-12-15"`` → that date (spaces around it ignored); None when it is not one."""
    m = _DATE.fullmatch(text.strip()) if isinstance(text, str) else None
    if m is None:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:  # 2026-02-30
        return None


def not_a_date(what: str, text: str) -> str:
    """The one sentence that refuses ``text`` as a date."""
    return f"{what} '{text}' is not a date (use YYYY-MM-DD)"


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


def system_zone() -> tzinfo:
    """The operating system's local zone (env TZ), with its daylight-saving rules at every
    moment: the one local zone. ``datetime.now().astimezone().tzinfo`` would be today's
    fixed offset, an hour wrong for a time typed on the other side of a DST change."""
    if hasattr(time, "tzset"):
        time.tzset()  # pick up TZ as it is now (tests and long sessions change it)
    return SystemLocal()


class SystemLocal(tzinfo):
    """The operating system's local zone (follows TZ), with its DST rules per moment."""

    def _local(self, dt: datetime) -> time.struct_time:
        try:
            stamp = time.mktime(
                (dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, 0, 0, -1)
            )
            return time.localtime(stamp)
        except (OverflowError, ValueError, OSError):
            return time.localtime(0)

    def utcoffset(self, dt: datetime | None) -> timedelta:
        local = time.localtime() if dt is None else self._local(dt)
        return timedelta(seconds=local.tm_gmtoff)

    def dst(self, dt: datetime | None) -> timedelta | None:
        return timedelta(0)

    def fromutc(self, dt: datetime) -> datetime:
        epoch = datetime(1970, 1, 1)
        try:
            local = time.localtime((dt.replace(tzinfo=None) - epoch).total_seconds())
        except (OverflowError, ValueError, OSError):
            local = time.localtime(0)
        return dt + timedelta(seconds=local.tm_gmtoff)

    def tzname(self, dt: datetime | None) -> str:
        local = time.localtime() if dt is None else self._local(dt)
        return local.tm_zone

    def __repr__(self) -> str:
        return "SystemLocal()"


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
