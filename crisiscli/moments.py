"""Moments a person types: ``2h``, ``+30m``, ``14:30``, ``2026-11-24 14:30``, and the zone
they are meant in.

Used wherever a person gives a time: a new time for a scheduled post (queue), a follow-up
(contact), the next public update (the walk-through), and the date cells of scheduler
exports (``queue/importer.py`` reads its CSV columns with ``parse_date_time``). It sits in
the base of the house so that the walk-through and the queue both use it without one
importing the other.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo

from crisiscli.errors import UsageError
from crisiscli.timeutil import (
    DURATION_EXAMPLES,
    MAX_DURATION_SECONDS,
    MOMENT_HELP,
    parse_clock,
    parse_duration,
    system_zone,
    zone_named,
)

SLASHED = re.compile(
    r"^(?P<a>[0-9]{1,2})[/.\-](?P<b>[0-9]{1,2})[/.\-](?P<y>[0-9]{4}|[0-9]{2})"
    r"(?:[ T,]+(?P<time>.+))?$"
)
YEAR_FIRST = re.compile(
    r"^(?P<y>[0-9]{4})[/.](?P<m>[0-9]{1,2})[/.](?P<d>[0-9]{1,2})(?:[ T,]+(?P<time>.+))?$"
)


def localize(naive: datetime, zone: tzinfo) -> datetime:
    return naive.replace(tzinfo=zone)


_ISO_START = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]")
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date_time(text: str, order: str | None) -> datetime | None:
    if _ISO_START.match(text):
        iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
        try:
            return datetime.fromisoformat(iso)
        except ValueError:
            pass
        head, _, rest = text.replace("T", " ", 1).partition(" ")
        y, mo, d = (int(p) for p in head.split("-"))
        hms = parse_clock(rest)
        return datetime(y, mo, d, *hms) if hms else None
    m = YEAR_FIRST.match(text)
    if m:
        hms = parse_clock(m["time"])
        return datetime(int(m["y"]), int(m["m"]), int(m["d"]), *hms) if hms else None
    m = SLASHED.match(text)
    if m:
        hms = parse_clock(m["time"])
        if hms is None:
            return None
        a, b, year = int(m["a"]), int(m["b"]), int(m["y"])
        if len(m["y"]) == 2:
            year += 2000
        if order == "iso":
            return None
        if order is None:
            # only unambiguous dates reach here without an order (a == b, or a > 12 etc.)
            order = "dmy" if a > 12 else "mdy"
        day, month = (a, b) if order == "dmy" else (b, a)
        return datetime(year, month, day, *hms)
    return None


# -- later moments (reschedule targets, follow-ups, promised updates) ---------------------

MAX_AHEAD = timedelta(seconds=MAX_DURATION_SECONDS)  # a follow-up or a new post time within a year


def parse_when(text: str, now: datetime, zone: tzinfo, *, what: str) -> datetime:
    """A later moment typed by a person: ``2h``, ``+30m``, ``14:30`` (next one), or a date."""
    value = text.strip()
    seconds = parse_duration(value[1:] if value.startswith("+") else value)
    if seconds is not None:
        if seconds > MAX_DURATION_SECONDS:
            raise UsageError(
                f"{what} '{text}' is more than {MAX_AHEAD.days} days away",
                hint="give a delay such as 2h or 1d, or a date within a year",
            )
        return (now + timedelta(seconds=seconds)).astimezone(timezone.utc)
    hms = parse_clock(value)
    if hms is not None:
        local_now = now.astimezone(zone)
        candidate = localize(datetime(local_now.year, local_now.month, local_now.day, *hms), zone)
        if candidate <= now:
            candidate = localize(
                datetime.combine(
                    (local_now + timedelta(days=1)).date(), datetime.min.time()
                ).replace(hour=hms[0], minute=hms[1], second=hms[2]),
                zone,
            )
        return candidate.astimezone(timezone.utc)
    try:
        order = None
        m = SLASHED.match(value)
        if m:
            a, b = int(m["a"]), int(m["b"])
            if a <= 12 and b <= 12 and a != b:
                raise UsageError(
                    f"{what} '{text}' could be day/month or month/day",
                    hint="write it as YYYY-MM-DD HH:MM",
                )
        parsed = parse_date_time(value, order)
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None:
        raise UsageError(f"cannot read {what} '{text}'", hint=MOMENT_HELP)
    try:
        if parsed.tzinfo is None:
            parsed = localize(parsed, zone)
        moment = parsed.astimezone(timezone.utc)
        too_far = moment - now > MAX_AHEAD
    except (OverflowError, ValueError):  # at the very edge of the calendar
        too_far = True
    if too_far:
        raise UsageError(
            f"{what} '{text}' is more than {MAX_AHEAD.days} days away",
            hint="give a delay such as 2h or 1d, or a date within a year",
        )
    return moment


MAX_BEFORE = timedelta(seconds=MAX_DURATION_SECONDS)  # an impact start within a year before now

#: What every refusal of an earlier moment says is accepted.
PAST_HELP = (
    f"give how long ago ({DURATION_EXAMPLES}; 40m ago too), "
    "a clock time (19:50, 7:50 pm) or a date (2026-11-27 19:50)"
)


class PastRefused(UsageError):
    """``parse_past`` refused a time; ``reason`` says why in a word a prompt can translate:
    ``unread`` (not a time), ``future`` or ``too_old`` (more than a year ago)."""

    def __init__(self, message: str, *, reason: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.reason = reason


def parse_past(text: str, now: datetime, zone: tzinfo, *, what: str) -> datetime:
    """An earlier moment typed by a person: ``40m`` or ``40m ago`` (that long before now, in
    the one duration grammar), ``19:50`` (the latest one not after now, in the one clock-time
    grammar), ``2026-11-27 19:50`` or an ISO time with its offset. Never after ``now``,
    never more than a year before it."""
    value = text.strip()
    bare = value[:-3].rstrip() if value.lower().endswith("ago") else value  # "2H ago" stays 2H
    seconds = parse_duration(bare)
    if seconds is not None:
        if seconds > MAX_DURATION_SECONDS:
            raise PastRefused(
                f"{what} '{text}' is more than {MAX_BEFORE.days} days ago", reason="too_old"
            )
        return (now - timedelta(seconds=seconds)).astimezone(timezone.utc)
    hms = parse_clock(value)
    if hms is not None:
        local_now = now.astimezone(zone)
        candidate = localize(datetime(local_now.year, local_now.month, local_now.day, *hms), zone)
        if candidate > now:
            day = (local_now - timedelta(days=1)).date()
            candidate = localize(datetime.combine(day, datetime.min.time()), zone).replace(
                hour=hms[0], minute=hms[1], second=hms[2]
            )
        return candidate.astimezone(timezone.utc)
    try:
        parsed = parse_date_time(value, None) if _ISO_START.match(value) else None
        if parsed is not None and parsed.tzinfo is None:
            parsed = localize(parsed, zone)
        moment = parsed.astimezone(timezone.utc) if parsed is not None else None
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        raise PastRefused(f"cannot read {what} '{text}'", reason="unread", hint=PAST_HELP)
    if moment > now:
        raise PastRefused(f"{what} '{text}' is in the future", reason="future")
    if now - moment > MAX_BEFORE:
        raise PastRefused(
            f"{what} '{text}' is more than {MAX_BEFORE.days} days ago", reason="too_old"
        )
    return moment


def local_zone(name: str | None = None) -> tzinfo:
    """The zone for times written without an offset: ``name``, else the configured zone
    (``crisiscli.config`` when it exists), else the system's (``timeutil.system_zone``,
    which follows daylight saving)."""
    if not name:
        name = _configured_zone()
    if not name:
        return system_zone()
    try:
        return zone_named(name)
    except ValueError:
        raise UsageError(
            f"unknown time zone '{name}'", hint="use an IANA name such as Europe/Stockholm"
        ) from None


def _configured_zone() -> str | None:
    import importlib

    try:
        config = importlib.import_module("crisiscli.config")
    except ImportError:
        return None
    try:
        from crisiscli.env import get_env

        loaded = config.load_config(get_env())
    except Exception:  # a broken config file is reported by the commands that own it
        return None
    zone = getattr(loaded, "timezone", None)
    if not zone or str(zone).strip().lower() in ("local", "system"):
        return None
    return str(zone).strip()
