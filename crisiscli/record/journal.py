"""The incident journal: an append-only JSON Lines file, the one source of truth.

Each line is one event: ``{"v": 1, "id", "ts", "actor", "type", "data"}`` (see
docs/journal.md). Appends take a file lock, repair a torn tail left by a crash, write the
whole line with one ``write`` and ``fsync`` before returning: when ``append`` returns, the
event survives a power cut. Reading tolerates a torn last line and skips (with a warning)
lines that are not valid events, so one bad line never hides the rest of an incident.
Events are deduplicated by id and ordered by timestamp, which makes two journals of the
same incident mergeable by a plain union of their lines.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from crisiscli.errors import CrisisError, ExitCode, Location, StateError
from crisiscli.fsutil import fsync_dir, lock_exclusive, open_lock_file, read_bounded, why, write_all

FORMAT_VERSION = 1
LOCK_TIMEOUT_SECONDS = 15.0
LOCK_POLL_SECONDS = 0.005  # a waiting writer gets in within ~5 ms of the lock coming free
MAX_JOURNAL_BYTES = 256 * 1024 * 1024  # ~500,000 events; reads beyond are refused, not allocated


@dataclass(frozen=True)
class Event:
    id: str
    ts: datetime
    actor: str
    type: str
    data: dict[str, Any]

    def to_json(self) -> str:
        record = {
            "v": FORMAT_VERSION,
            "id": self.id,
            "ts": self.ts.astimezone(timezone.utc).isoformat(timespec="microseconds"),
            "actor": self.actor,
            "type": self.type,
            "data": self.data,
        }
        return json.dumps(record, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_record(cls, record: Any) -> Event:
        if not isinstance(record, dict):
            raise ValueError("not an object")
        ts_text = record.get("ts")
        event_id = record.get("id")
        kind = record.get("type")
        data = record.get("data", {})
        if not isinstance(event_id, str) or not event_id:
            raise ValueError("no event id")
        if not isinstance(kind, str) or not kind:
            raise ValueError("no event type")
        if not isinstance(ts_text, str):
            raise ValueError("no timestamp")
        ts = datetime.fromisoformat(ts_text)
        if ts.tzinfo is None:
            raise ValueError("timestamp without offset")
        if not isinstance(data, dict):
            raise ValueError("data is not an object")
        actor = record.get("actor")
        return cls(event_id, ts, actor if isinstance(actor, str) else "unknown", kind, data)


@dataclass
class ReadResult:
    events: list[Event] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def new_event_id() -> str:
    """128 random bits as hex (what uuid4 would give, without importing uuid)."""
    return os.urandom(16).hex()


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock_path = path.with_name(path.name + ".lock")

    # -- writing ----------------------------------------------------------------------------

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the incident's writer lock; the OS releases it if the holder dies."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            with self._portable_lock():
                yield
            return
        try:
            fd = open_lock_file(self.lock_path)  # never through a link planted under its name
        except OSError as exc:
            raise _io_error(exc, self.lock_path) from None
        try:
            if not lock_exclusive(fd, LOCK_TIMEOUT_SECONDS):
                raise self._busy()
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    @contextmanager
    def _portable_lock(self) -> Iterator[None]:  # pragma: no cover - not POSIX
        import filelock

        lock = filelock.FileLock(str(self.lock_path), timeout=LOCK_TIMEOUT_SECONDS)
        try:
            lock.acquire(poll_interval=LOCK_POLL_SECONDS)
        except filelock.Timeout:
            raise self._busy() from None
        try:
            yield
        finally:
            lock.release()

    def _busy(self) -> StateError:
        return StateError(
            f"the incident is busy: another crisis process held its lock for "
            f"{LOCK_TIMEOUT_SECONDS:.0f} s",
            location=Location(str(self.lock_path)),
        )

    def append(
        self,
        kind: str,
        data: dict[str, Any],
        *,
        actor: str,
        clock: Callable[[], datetime],
    ) -> Event:
        """Write one event durably. Call with the lock held (see ``locked``)."""
        creating = not self.path.exists()
        try:
            # Never write through a symlink: it could point anywhere outside CRISIS_HOME.
            flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
            fd = os.open(self.path, flags, 0o644)
        except OSError as exc:
            raise _io_error(exc, self.path) from None
        try:
            # Timestamps strictly increase in file order, across every process on this
            # machine, even with a coarse, frozen or backwards-stepping clock: so ordering by
            # (time, id) keeps the order events were made in, and merged copies agree.
            ts = clock().astimezone(timezone.utc)
            last = _last_timestamp(fd)
            if last is not None and ts <= last:
                ts = last + timedelta(microseconds=1)
            event = Event(new_event_id(), ts, actor, kind, data)
            line = (event.to_json() + "\n").encode("utf-8")
            if not creating and _ends_torn(fd):
                # A crash left half a line; end it so our event stays a line of its own.
                write_all(fd, b"\n")
            write_all(fd, line)
            os.fsync(fd)
        except OSError as exc:
            raise _io_error(exc, self.path) from None
        finally:
            os.close(fd)
        if creating:
            fsync_dir(self.path.parent)
        return event

    # -- reading ----------------------------------------------------------------------------

    def read(self) -> ReadResult:
        try:
            blob = read_bounded(self.path, MAX_JOURNAL_BYTES)
        except FileNotFoundError:
            return ReadResult()
        except OSError as exc:
            raise CrisisError(
                f"cannot read the journal: {why(exc)}",
                location=Location(str(self.path)),
                exit_code=ExitCode.IO_ERROR,
            ) from None
        return parse_journal(blob, str(self.path))


def parse_journal(blob: bytes, shown: str) -> ReadResult:
    result = ReadResult()
    lines = blob.split(b"\n")
    torn_tail = lines[-1] != b""
    seen: set[str] = set()
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        last = number == len(lines)
        try:
            event = Event.from_record(json.loads(raw.decode("utf-8")))
        except (ValueError, UnicodeDecodeError) as exc:
            if last and torn_tail:
                result.warnings.append(
                    f"{shown}:{number}: ignored an incomplete last line "
                    f"({len(raw)} bytes; the writer was interrupted)"
                )
            else:
                result.warnings.append(f"{shown}:{number}: skipped an unreadable event ({exc})")
            continue
        if event.id in seen:
            continue
        seen.add(event.id)
        result.events.append(event)
    # Time, then id: every copy of a merged journal orders events the same way, even two
    # events from different machines with the same timestamp (one writer never repeats one).
    result.events.sort(key=lambda e: (e.ts, e.id))
    return result


def _last_timestamp(fd: int, window: int = 65536) -> datetime | None:
    """The timestamp of the last readable event line, read from the file's tail.

    The window grows until it holds a whole line, so one huge event (a pasted 5 MB note)
    cannot hide the last time from the next writer.
    """
    size = os.fstat(fd).st_size
    while size:
        start = max(0, size - window)
        tail = os.pread(fd, size - start, start)
        # Drop the last piece (empty after a final newline, or a torn line with no trustworthy
        # time) and, unless we read from the start, the first (it may begin mid-line).
        lines = tail.split(b"\n")[:-1]
        for raw in reversed(lines[1:] if start > 0 else lines):
            try:
                ts = datetime.fromisoformat(json.loads(raw)["ts"])
            except (ValueError, KeyError, TypeError):
                continue
            return ts if ts.tzinfo is not None else None
        if start == 0:
            return None
        window *= 4
    return None


def _ends_torn(fd: int) -> bool:
    size = os.fstat(fd).st_size
    if size == 0:
        return False
    return os.pread(fd, 1, size - 1) != b"\n"


def _io_error(exc: OSError, path: Path) -> CrisisError:
    return CrisisError(
        f"cannot write the journal: {why(exc)}; nothing after the last saved event was recorded",
        location=Location(str(path)),
        exit_code=ExitCode.IO_ERROR,
    )
