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
import time
from datetime import datetime, timedelta, timezone, tzinfo

from crisiscli.errors import UsageError

SLASHED = re.compile(
    r"^(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<y>\d{4}|\d{2})"
    r"(?:[ T,]+(?P<time>.+))?$"
)
YEAR_FIRST = re.compile(
    r"^(?P<y>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})(?:[ T,]+(?P<time>.+))?$"
)
_TIME = re.compile(
    r"^(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?:[:.](?P<s>\d{2})(?:\.\d+)?)?\s*"
    r"(?P<ampm>[aApP]\.?[mM]\.?)?$"
)


def clock_of(text: str | None) -> tuple[int, int, int] | None:
    if text is None or not text.strip():
        return None
    m = _TIME.match(text.strip())
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


def localize(naive: datetime, zone: tzinfo) -> datetime:
    return naive.replace(tzinfo=zone)


_ISO_START = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def parse_date_time(text: str, order: str | None) -> datetime | None:
    if _ISO_START.match(text):
        iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
        try:
            return datetime.fromisoformat(iso)
        except ValueError:
            pass
        head, _, rest = text.replace("T", " ", 1).partition(" ")
        y, mo, d = (int(p) for p in head.split("-"))
        hms = clock_of(rest)
        return datetime(y, mo, d, *hms) if hms else None
    m = YEAR_FIRST.match(text)
    if m:
        hms = clock_of(m["time"])
        return datetime(int(m["y"]), int(m["m"]), int(m["d"]), *hms) if hms else None
    m = SLASHED.match(text)
    if m:
        hms = clock_of(m["time"])
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


# -- delays and short times (reschedule targets, follow-ups, promised updates) ----------

_DURATION = re.compile(r"^(?:(?P<d>\d+)\s*d)?\s*(?:(?P<h>\d+)\s*h)?\s*(?:(?P<m>\d+)\s*m(?:in)?)?$")


MAX_AHEAD = timedelta(days=366)  # a follow-up or a new post time within a year


def parse_delay(text: str) -> timedelta | None:
    """``2h``, ``90m``, ``1h30m``, ``1d`` → timedelta; anything else → None.

    A duration too large for the calendar is returned as ``timedelta.max``; callers
    refuse anything beyond ``MAX_AHEAD``.
    """
    t = text.strip().lower().replace(" ", "")
    if not t:
        return None
    m = _DURATION.match(t)
    if not m or not any(m.groupdict().values()):
        return None
    try:
        return timedelta(days=int(m["d"] or 0), hours=int(m["h"] or 0), minutes=int(m["m"] or 0))
    except OverflowError:
        return timedelta.max


def parse_when(text: str, now: datetime, zone: tzinfo, *, what: str) -> datetime:
    """A later moment typed by a person: ``2h``, ``+30m``, ``14:30`` (next one), or a date."""
    value = text.strip()
    delta = parse_delay(value.lstrip("+"))
    if delta is not None:
        if delta.total_seconds() <= 0:
            raise UsageError(f"{what} '{text}' is not in the future")
        if delta > MAX_AHEAD:
            raise UsageError(
                f"{what} '{text}' is more than {MAX_AHEAD.days} days away",
                hint="give a delay such as 2h or 1d, or a date within a year",
            )
        return (now + delta).astimezone(timezone.utc)
    hms = clock_of(value)
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
        raise UsageError(
            f"cannot read {what} '{text}'",
            hint="use 2h, 30m, 14:30, or 2026-11-24 14:30",
        )
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


MAX_BEFORE = timedelta(days=366)  # an impact start within a year before now


def parse_past(text: str, now: datetime, zone: tzinfo, *, what: str) -> datetime:
    """An earlier moment typed by a person: ``40m`` or ``40m ago`` (that long before now),
    ``19:50`` (the latest one not after now), ``2026-11-27 19:50`` or an ISO time with its
    offset. Never after ``now``, never more than a year before it."""
    value = text.strip()
    bare = value.lower().removesuffix("ago").strip()
    delta = parse_delay(bare)
    if delta is not None:
        if delta > MAX_BEFORE:
            raise UsageError(f"{what} '{text}' is more than {MAX_BEFORE.days} days ago")
        return (now - delta).astimezone(timezone.utc)
    hms = clock_of(value)
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
        raise UsageError(
            f"cannot read {what} '{text}'",
            hint="use 40m (that long ago), 19:50, or 2026-11-27 19:50",
        )
    if moment > now:
        raise UsageError(f"{what} '{text}' is in the future")
    if now - moment > MAX_BEFORE:
        raise UsageError(f"{what} '{text}' is more than {MAX_BEFORE.days} days ago")
    return moment


def local_zone(name: str | None = None) -> tzinfo:
    """The zone for times written without an offset: ``name``, else the configured zone
    (``crisiscli.config`` when it exists), else the system's local zone (env TZ)."""
    if not name:
        name = _configured_zone()
    if name:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        if name.upper() == "UTC":
            return timezone.utc
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise UsageError(
                f"unknown time zone '{name}'", hint="use an IANA name such as Europe/Stockholm"
            ) from None
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
