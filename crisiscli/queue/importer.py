"""Reading a scheduler's CSV export, and the times in it (the pause phase).

``read_queue_csv`` turns the bytes of a bulk-upload or export CSV into ``Post``s: it
strips a byte-order mark, decodes strictly (UTF-8 unless told otherwise), sniffs the
delimiter (comma, semicolon or tab), maps columns by header name (case, spaces,
underscores and dashes ignored) using a preset or the built-in synonyms, and reads every
date. Every failure is one ``QueueFileError`` naming ``file:line`` (the physical line the
record starts on; the header is line 1) and, where it helps, the column. Nothing here
touches the journal, the terminal or the clock: callers pass ``now`` and the zone.

Times with an offset (``2026-11-24T10:00:00+01:00``, ``...Z``) are taken as written; times
without one are read in the given zone. Everything is returned in UTC.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from crisiscli.errors import CrisisError, ExitCode, Location, UsageError

MAX_BYTES = 20 * 1024 * 1024  # a scheduler export is a few hundred rows; 20 MiB is plenty
MAX_ROWS = 100_000
MAX_FIELD = 100_000  # characters in one cell
MAX_WINDOW_POSTS = 5_000  # posts recorded by one import (the journal stays small)
FIELDS = ("datetime", "date", "time", "message", "platform", "link", "id")
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
_BREAKS = re.compile(r"\r\n|\r|\n")
_BYTE_BREAKS = re.compile(rb"\r\n|\r|\n")


class QueueFileError(CrisisError):
    """A CSV export that cannot be read; always names the file and, where known, the line."""

    exit_code = ExitCode.INVALID_INPUT


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    columns: dict[str, tuple[str, ...]]  # field -> accepted header names (normalised)
    positional: tuple[str, ...] = ()  # field per column when the file has no header row
    note: str = ""


def norm(header: str) -> str:
    """Header names compare without case, spaces, underscores, dashes or dots."""
    return re.sub(r"[\s_\-.]+", "", header.strip().lower())


def _names(*names: str) -> tuple[str, ...]:
    return tuple(norm(n) for n in names)


# Header names per scheduler, from the sources listed in docs/queue.md. Each preset also
# falls back to the generic synonyms, so a renamed column still maps.
GENERIC = Preset(
    "generic",
    "any CSV with a date/time column and a message column",
    {
        "datetime": _names(
            "datetime", "date time", "date/time", "scheduled at", "scheduled time",
            "scheduled for", "schedule date", "scheduled date", "posting time", "publish time",
            "publish at", "publish date", "post at", "send time", "postAtSpecificTime",
            "postAtSpecificTime (yyyy-MM-dd HH:mm:ss)", "when",
        ),
        "date": _names("date", "day", "post date"),
        "time": _names("time", "time_24hr", "hour", "post time"),
        "message": _names(
            "message", "message text", "message_text", "text", "content", "caption", "post",
            "body", "copy", "tweet", "status", "post text",
        ),
        "platform": _names(
            "platform", "platforms", "network", "networks", "social network", "channel",
            "channels", "profile", "profiles", "account", "service",
        ),
        "link": _names("link", "url", "link url", "linkurl", "link (optional)"),
        "id": _names("id", "post id", "message id", "uid"),
    },
)  # fmt: skip
PRESETS: dict[str, Preset] = {
    "hootsuite": Preset(
        "hootsuite",
        "Hootsuite bulk composer: date/time, message, optional link (no header row)",
        {"datetime": _names("date", "date time"), "message": _names("message", "text")},
        positional=("datetime", "message", "link"),
        note="Hootsuite's bulk upload template has no header row: column 1 is the date and "
        "time, column 2 the message, column 3 an optional link.",
    ),
    "sprout": Preset(
        "sprout",
        "Sprout Social bulk scheduling: date, time_24hr, message_text",
        {
            "date": _names("date"),
            "time": _names("time_24hr", "time"),
            "message": _names("message_text", "message"),
            "link": _names("link"),
        },
    ),
    "buffer": Preset(
        "buffer",
        "Buffer bulk upload: Text, Posting Time (and Image URL, Tags)",
        {
            "message": _names("text"),
            "datetime": _names("posting time", "post time", "scheduled at"),
        },
        note="Not confirmed against a published Buffer template during this work: check "
        "your file's headers and use --map if they differ.",
    ),
    "generic": GENERIC,
}


@dataclass(frozen=True)
class Post:
    id: str
    due: datetime  # UTC
    text: str
    platform: str | None
    link: str | None
    line: int

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "due": self.due.isoformat(),
            "text": self.text,
            "platform": self.platform,
            "row": self.line,
        }
        if self.link:
            data["link"] = self.link
        return data


@dataclass
class ReadResult:
    posts: list[Post]
    encoding: str
    delimiter: str
    header: bool
    columns: dict[str, str] = field(default_factory=dict)  # field -> header as written
    rows: int = 0
    date_order: str | None = None


# -- bytes to text ---------------------------------------------------------------------


def decode_bytes(blob: bytes, shown: str, encoding: str | None) -> tuple[str, str]:
    """Text and the encoding used; a BOM decides for UTF-8/16, otherwise strict ``encoding``."""
    if encoding is not None:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise UsageError(
                f"unknown encoding '{encoding}'",
                hint="try utf-8, cp1252 (Excel on Windows) or latin-1",
            ) from None
    elif blob.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec = "utf-16"
    else:
        codec = "utf-8"
    if codec == "utf-8":
        codec = "utf-8-sig"
    try:
        text = blob.decode(codec)
    except UnicodeDecodeError as exc:
        before = blob[: exc.start]
        line = len(_BYTE_BREAKS.findall(before)) + 1
        column = len(before) - max(before.rfind(b"\n"), before.rfind(b"\r"))
        shown_codec = "UTF-8" if codec.startswith("utf-8") else codec
        raise QueueFileError(
            f"byte {exc.start} (0x{blob[exc.start]:02x}, column {column}) is not valid "
            f"{shown_codec}",
            location=Location(shown, line),
            hint="re-export the file as UTF-8, or name its encoding: --encoding cp1252 "
            "(Excel on Windows) or --encoding latin-1",
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        line = len(_BREAKS.findall(text, 0, text.index("\x00"))) + 1
        raise QueueFileError(
            "contains a NUL character: this looks like a binary file, not a CSV export",
            location=Location(shown, line),
            hint="export the schedule as CSV (not XLSX); UTF-16 files need a byte-order mark "
            "or --encoding utf-16",
        )
    return text, codec.replace("-sig", "")


def sniff_delimiter(text: str) -> str:
    """The delimiter of the first line (outside quotes) that splits it most; comma on ties."""
    first = ""
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif ch in "\r\n" and not quoted:
            break
        if not quoted:
            first += ch
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(counts.values())
    if best == 0:
        return ","
    for d in (",", ";", "\t"):
        if counts[d] == best:
            return d
    return ","  # pragma: no cover


# -- records ---------------------------------------------------------------------------


def records(text: str, shown: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """(start line, cells) of every non-blank record; bounded in rows and cell size."""
    out: list[tuple[int, list[str]]] = []
    # lines end at \n, \r or \r\n only (str.splitlines would also split at U+2028 & co.)
    lines = io.StringIO(text, newline="")
    reader = csv.reader(lines, delimiter=delimiter, strict=False)
    previous_end = 0
    try:
        for cells in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(out) >= MAX_ROWS + 1:
                raise QueueFileError(
                    f"more than {MAX_ROWS} rows; export only the coming days",
                    location=Location(shown, start),
                )
            if max(map(len, cells)) > MAX_FIELD:
                raise QueueFileError(
                    f"a cell longer than {MAX_FIELD} characters (an unclosed quote?)",
                    location=Location(shown, start),
                )
            out.append((start, cells))
    except csv.Error as exc:
        raise QueueFileError(
            f"cannot read the CSV: {exc}", location=Location(shown, previous_end + 1)
        ) from None
    return out


def _find_columns(header: Sequence[str], preset: Preset, mapping: dict[str, str]) -> dict[str, int]:
    normal = [norm(h) for h in header]
    found: dict[str, int] = {}
    for fld, wanted in mapping.items():
        key = norm(wanted)
        if key in normal:
            found[fld] = normal.index(key)
    for source in (preset, GENERIC):
        for fld, names in source.columns.items():
            if fld in found:
                continue
            for name in names:
                if name in normal and normal.index(name) not in found.values():
                    found[fld] = normal.index(name)
                    break
    return found


def parse_mapping(pairs: Iterable[str]) -> dict[str, str]:
    """``--map column=field`` pairs → {field: column}."""
    result: dict[str, str] = {}
    for pair in pairs:
        column, sep, fld = pair.rpartition("=")
        fld = fld.strip().lower()
        if not sep or not column.strip():
            raise UsageError(
                f"--map '{pair}' is not COLUMN=FIELD", hint="e.g. --map 'Post copy=message'"
            )
        if fld not in FIELDS:
            raise UsageError(
                f"--map '{pair}': unknown field '{fld}'", hint=f"fields: {', '.join(FIELDS)}"
            )
        result[fld] = column.strip()
    return result


def post_id(due: datetime, text: str, platform: str | None, taken: set[str]) -> str:
    """A short id that stays the same when the same export is imported again."""
    digest = hashlib.sha1(f"{due.isoformat()}\x1f{text}\x1f{platform or ''}".encode()).hexdigest()
    base = f"q{digest[:6]}"
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def read_queue_csv(
    blob: bytes,
    shown: str,
    *,
    zone: tzinfo,
    preset: str | None = None,
    mapping: dict[str, str] | None = None,
    date_format: str | None = None,
    encoding: str | None = None,
) -> ReadResult:
    if preset is not None and preset not in PRESETS:
        raise UsageError(f"unknown preset '{preset}'", hint=f"presets: {', '.join(PRESETS)}")
    chosen = PRESETS[preset or "generic"]
    mapping = mapping or {}
    if len(blob) > MAX_BYTES:
        raise QueueFileError(
            f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB",
            location=Location(shown),
            hint="export only the coming days from the scheduler",
        )
    text, used = decode_bytes(blob, shown, encoding)
    if not text.strip():
        raise QueueFileError(
            "the file is empty", location=Location(shown, 1), hint="export the queue again"
        )
    delimiter = sniff_delimiter(text)
    rows = records(text, shown, delimiter)
    if not rows:
        raise QueueFileError("the file is empty", location=Location(shown, 1))
    header_line, header = rows[0]
    known = {norm(h) for h in header}
    for fld, column in mapping.items():
        if norm(column) not in known:
            raise QueueFileError(
                f"--map {column}={fld}: there is no column '{column}' "
                f"(headers found: {', '.join(repr(h) for h in header)})",
                location=Location(shown, header_line),
            )
    columns = _find_columns(header, chosen, mapping)
    has_header = True
    if "message" not in columns and (
        preset == "hootsuite" or (not mapping and _looks_like_date(header[0]))
    ):
        has_header = False
        columns = {fld: i for i, fld in enumerate(PRESETS["hootsuite"].positional)}
    when_ok = "datetime" in columns or "date" in columns
    if "message" not in columns or not when_ok:
        missing = "message" if "message" not in columns else "date/time"
        raise QueueFileError(
            f"no {missing} column; headers found: {', '.join(repr(h) for h in header)}",
            location=Location(shown, header_line),
            hint="choose a layout with --preset "
            + "|".join(PRESETS)
            + ", or name the column: --map 'HEADER="
            + ("message'" if missing == "message" else "datetime'"),
        )
    body = rows[1:] if has_header else rows
    names = {fld: (header[i] if has_header else f"column {i + 1}") for fld, i in columns.items()}

    def cell(cells: list[str], fld: str) -> str:
        i = columns.get(fld)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    raw_times: list[tuple[int, str, str]] = []
    for line, cells in body:
        if "datetime" in columns:
            value, col = cell(cells, "datetime"), names["datetime"]
            if not value and "date" in columns:
                value, col = _join(cell(cells, "date"), cell(cells, "time")), names["date"]
        else:
            value, col = _join(cell(cells, "date"), cell(cells, "time")), names["date"]
        raw_times.append((line, col, value))
    order = date_order(raw_times, shown, date_format)
    posts: list[Post] = []
    taken: set[str] = set()
    for (line, cells), (_, col, value) in zip(body, raw_times, strict=True):
        if not value:
            raise QueueFileError(
                f"column '{col}' is empty: every post needs a date and time",
                location=Location(shown, line),
            )
        due = parse_time(value, zone, order, date_format, Location(shown, line), col)
        message = cell(cells, "message")
        platform = cell(cells, "platform") or None
        link = cell(cells, "link") or None
        given = cell(cells, "id")
        pid = given if given and _GIVEN_ID.fullmatch(given) else None
        if pid is None or pid in taken:
            pid = post_id(due, message, platform, taken)
        else:
            taken.add(pid)
        posts.append(Post(pid, due, message, platform, link, line))
    return ReadResult(
        posts,
        used,
        delimiter,
        has_header,
        {fld: names[fld] for fld in columns},
        len(body),
        order,
    )


def _join(date: str, time: str) -> str:
    return f"{date} {time}".strip() if date else ""


# -- dates -----------------------------------------------------------------------------

_SLASHED = re.compile(
    r"^(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<y>\d{4}|\d{2})"
    r"(?:[ T,]+(?P<time>.+))?$"
)
_YEAR_FIRST = re.compile(
    r"^(?P<y>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})(?:[ T,]+(?P<time>.+))?$"
)
_TIME = re.compile(
    r"^(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?:[:.](?P<s>\d{2})(?:\.\d+)?)?\s*"
    r"(?P<ampm>[aApP]\.?[mM]\.?)?$"
)
_NAMED_ORDERS = {"dmy": "dmy", "mdy": "mdy", "iso": "iso", "ymd": "iso"}


def _looks_like_date(value: str) -> bool:
    v = value.strip()
    return bool(_SLASHED.match(v) or _YEAR_FIRST.match(v) or _ISO_DATE.match(v))


def date_order(
    values: list[tuple[int, str, str]], shown: str, date_format: str | None
) -> str | None:
    """For DD/MM vs MM/DD: the order the whole file uses (``dmy``/``mdy``), or None.

    A day above 12 settles it; files mixing both orders, or whose every date is ambiguous,
    are refused at the row that shows it, unless ``--date-format`` says which.
    """
    if date_format:
        fmt = date_format.strip().lower()
        if fmt in _NAMED_ORDERS:
            return _NAMED_ORDERS[fmt]
        if "%" not in date_format:
            raise UsageError(
                f"--date-format '{date_format}' is not dmy, mdy, iso or a strftime pattern",
                hint="e.g. --date-format dmy, or --date-format '%d.%m.%Y %H:%M'",
            )
        return None
    decided: tuple[str, int] | None = None
    first_ambiguous: tuple[int, str, str] | None = None
    for line, col, value in values:
        m = _SLASHED.match(value.strip())
        if not m:
            continue
        a, b = int(m["a"]), int(m["b"])
        says = "dmy" if a > 12 >= b else "mdy" if b > 12 >= a else None
        if says is None:
            if a != b and first_ambiguous is None:
                first_ambiguous = (line, col, value)
            continue
        if decided is None:
            decided = (says, line)
        elif decided[0] != says:
            raise QueueFileError(
                f"column '{col}': '{value}' is {_order_words(says)}, but line {decided[1]} "
                f"was {_order_words(decided[0])}",
                location=Location(shown, line),
                hint="fix the row, or say which order the file uses: --date-format dmy|mdy",
            )
    if decided is not None:
        return decided[0]
    if first_ambiguous is not None:
        line, col, value = first_ambiguous
        raise QueueFileError(
            f"column '{col}': '{value}' could be day/month or month/day, and no date in "
            "the file settles it",
            location=Location(shown, line),
            hint="say which: --date-format dmy (31/12/2026) or --date-format mdy (12/31/2026)",
        )
    return None


def _order_words(order: str) -> str:
    return "day/month/year" if order == "dmy" else "month/day/year"


def _clock(text: str | None) -> tuple[int, int, int] | None:
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


def parse_time(
    value: str,
    zone: tzinfo,
    order: str | None,
    date_format: str | None,
    where: Location,
    column: str,
) -> datetime:
    """One cell to an aware UTC datetime, or a QueueFileError naming line and column."""
    text = value.strip()
    result: datetime | None = None
    try:
        if date_format and "%" in date_format:
            result = datetime.strptime(text, date_format)
        else:
            result = _parse_known(text, order)
    except (ValueError, OverflowError):
        result = None
    if result is None:
        raise QueueFileError(
            f"column '{column}': cannot read '{value}' as a date and time",
            location=where,
            hint="use 2026-11-24 14:30, 2026-11-24T14:30:00+01:00, 24/11/2026 14:30 or "
            "11/24/2026 14:30 (a time is required); --date-format dmy|mdy|'%d.%m.%Y %H:%M'",
        )
    if result.tzinfo is None:
        result = _localize(result, zone)
    try:
        return result.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise QueueFileError(
            f"column '{column}': '{value}' is out of range", location=where
        ) from None


def _localize(naive: datetime, zone: tzinfo) -> datetime:
    return naive.replace(tzinfo=zone)


_ISO_START = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_GIVEN_ID = re.compile(r"[A-Za-z0-9._-]{1,40}")


def _parse_known(text: str, order: str | None) -> datetime | None:
    if _ISO_START.match(text):
        iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
        try:
            return datetime.fromisoformat(iso)
        except ValueError:
            pass
        head, _, rest = text.replace("T", " ", 1).partition(" ")
        y, mo, d = (int(p) for p in head.split("-"))
        hms = _clock(rest)
        return datetime(y, mo, d, *hms) if hms else None
    m = _YEAR_FIRST.match(text)
    if m:
        hms = _clock(m["time"])
        return datetime(int(m["y"]), int(m["m"]), int(m["d"]), *hms) if hms else None
    m = _SLASHED.match(text)
    if m:
        hms = _clock(m["time"])
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


# -- durations and short times (reschedule targets, follow-ups) ------------------------

_DURATION = re.compile(r"^(?:(?P<d>\d+)\s*d)?\s*(?:(?P<h>\d+)\s*h)?\s*(?:(?P<m>\d+)\s*m(?:in)?)?$")


MAX_AHEAD = timedelta(days=366)  # a follow-up or a new post time within a year


def parse_duration(text: str) -> timedelta | None:
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
    delta = parse_duration(value.lstrip("+"))
    if delta is not None:
        if delta.total_seconds() <= 0:
            raise UsageError(f"{what} '{text}' is not in the future")
        if delta > MAX_AHEAD:
            raise UsageError(
                f"{what} '{text}' is more than {MAX_AHEAD.days} days away",
                hint="give a delay such as 2h or 1d, or a date within a year",
            )
        return (now + delta).astimezone(timezone.utc)
    hms = _clock(value)
    if hms is not None:
        local_now = now.astimezone(zone)
        candidate = _localize(datetime(local_now.year, local_now.month, local_now.day, *hms), zone)
        if candidate <= now:
            candidate = _localize(
                datetime.combine(
                    (local_now + timedelta(days=1)).date(), datetime.min.time()
                ).replace(hour=hms[0], minute=hms[1], second=hms[2]),
                zone,
            )
        return candidate.astimezone(timezone.utc)
    try:
        order = None
        m = _SLASHED.match(value)
        if m:
            a, b = int(m["a"]), int(m["b"])
            if a <= 12 and b <= 12 and a != b:
                raise UsageError(
                    f"{what} '{text}' could be day/month or month/day",
                    hint="write it as YYYY-MM-DD HH:MM",
                )
        parsed = _parse_known(value, order)
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None:
        raise UsageError(
            f"cannot read {what} '{text}'",
            hint="use 2h, 30m, 14:30, or 2026-11-24 14:30",
        )
    try:
        if parsed.tzinfo is None:
            parsed = _localize(parsed, zone)
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
    delta = parse_duration(bare)
    if delta is not None:
        if delta > MAX_BEFORE:
            raise UsageError(f"{what} '{text}' is more than {MAX_BEFORE.days} days ago")
        return (now - delta).astimezone(timezone.utc)
    hms = _clock(value)
    if hms is not None:
        local_now = now.astimezone(zone)
        candidate = _localize(datetime(local_now.year, local_now.month, local_now.day, *hms), zone)
        if candidate > now:
            day = (local_now - timedelta(days=1)).date()
            candidate = _localize(datetime.combine(day, datetime.min.time()), zone).replace(
                hour=hms[0], minute=hms[1], second=hms[2]
            )
        return candidate.astimezone(timezone.utc)
    try:
        parsed = _parse_known(value, None) if _ISO_START.match(value) else None
        if parsed is not None and parsed.tzinfo is None:
            parsed = _localize(parsed, zone)
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
