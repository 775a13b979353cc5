"""The incident journal: an append-only JSON Lines file, the one source of truth.

Each line is one event: ``{"v": 1, "id", "ts", "actor", "type", "data"}`` (see
docs/journal.md and ``record/events.py``). Appends take a file lock, repair a torn tail left
by a crash, write the whole line with one ``write`` and ``fsync`` before returning: when
``append`` returns, the event survives a power cut. Reading hands back complete lines with
their numbers; what they mean, and whether they fit, is the fold's business.
"""

# No `from __future__ import annotations` here: with it, typing.NamedTuple turns each
# field's annotation into a ForwardRef and compiles it when the module loads, which
# doubles what the classes below cost on every `crisis note` (docs/benchmarks.md).
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import NamedTuple

from crisiscli.errors import CrisisError, ExitCode, Location, StateError
from crisiscli.fsutil import (
    NOFOLLOW,
    fsync_dir,
    lock_exclusive,
    open_lock_file,
    open_regular,
    why,
    write_all,
)
from crisiscli.record.events import Event, NewEvent, from_record, to_line
from crisiscli.timeutil import parse_iso

LOCK_TIMEOUT_SECONDS = 15.0
LOCK_POLL_SECONDS = 0.005  # a waiting writer gets in within ~5 ms of the lock coming free
MAX_JOURNAL_BYTES = 256 * 1024 * 1024  # ~500,000 events; reads beyond are refused, not allocated
# A teammate's clock may run a little ahead; a timestamp further ahead than this is a wrong
# clock, and new events must not inherit it (see ``Journal.append``).
CLOCK_SKEW = timedelta(minutes=10)


class Line(NamedTuple):
    number: int  # 1-based line number in the file
    raw: bytes


def new_event_id() -> str:
    """128 random bits as hex (what uuid4 would give, without importing uuid)."""
    return os.urandom(16).hex()


def split_lines(blob: bytes, first_number: int) -> tuple[list[Line], int]:
    """Complete lines of ``blob`` (numbered from ``first_number``) and the bytes they span.

    A last piece without its newline is not consumed: a writer may be writing it now, or
    died writing it (the next writer ends it with a newline before its own event).
    """
    end = blob.rfind(b"\n") + 1
    lines = [
        Line(first_number + i, raw)
        for i, raw in enumerate(blob[:end].split(b"\n")[:-1])
        if raw.strip()
    ]
    return lines, end


def parse_line(line: Line) -> Event:
    """A line → ``Event``; ``ValueError`` says why it is not one."""
    try:
        record = json.loads(line.raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError("not UTF-8") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None
    return from_record(record)


class ReadResult(NamedTuple):
    events: list[Event]
    warnings: list[str]


def parse_journal(blob: bytes, shown: str) -> ReadResult:
    """The events of a journal's bytes: readable lines only, each id once, in (time, id)
    order. Whether an event fits the vocabulary is the fold's question, not this one's."""
    lines, used = split_lines(blob, 1)
    events: list[Event] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for line in lines:
        try:
            event = parse_line(line)
        except ValueError as exc:
            warnings.append(f"{shown}:{line.number}: skipped an unreadable event ({exc})")
            continue
        if event.id not in seen:
            seen.add(event.id)
            events.append(event)
    if used < len(blob):
        number = blob.count(b"\n", 0, used) + 1
        warnings.append(
            f"{shown}:{number}: ignored an incomplete last line "
            f"({len(blob) - used} bytes; the writer was interrupted)"
        )
    events.sort(key=lambda e: e.key)
    return ReadResult(events, warnings)


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock_path = path.with_name(path.name + ".lock")
        # Torn tails this object set aside (bytes), for the caller to say so once.
        self.torn_kept: list[int] = []

    def repair_torn_tail(self) -> int:
        """Set aside a torn last line (call with the lock held); the bytes set aside."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | NOFOLLOW)
        except FileNotFoundError:
            return 0
        except OSError as exc:
            raise _io_error(exc, self.path) from None
        try:
            kept = set_aside_torn_tail(fd, self.path)
        except OSError as exc:
            raise _io_error(exc, self.path) from None
        finally:
            os.close(fd)
        if kept:
            self.torn_kept.append(kept)
        return kept

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
            if not lock_exclusive(fd, LOCK_TIMEOUT_SECONDS, LOCK_POLL_SECONDS):
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
        new: NewEvent,
        *,
        actor: str,
        clock: Callable[[], datetime],
        sign: Callable[[Event], str | None] | None = None,
    ) -> tuple[Event, int]:
        """Write one event durably; returns it and the journal's size after it. ``sign``
        gives the event's signature (``record/signing.py``), made before a byte is written.

        Call with the lock held (see ``locked``).
        """
        creating = not self.path.exists()
        try:
            # Never write through a symlink: it could point anywhere outside CRISIS_HOME.
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | NOFOLLOW, 0o644)
        except OSError as exc:
            raise _io_error(exc, self.path) from None
        try:
            # Timestamps strictly increase in file order on this machine, even with a
            # coarse, frozen or backwards-stepping clock, so the fold's (time, id) order is
            # the order events were made in. A last event stamped far ahead (a teammate's
            # wrong clock) is not copied: new events keep the real time.
            now = clock().astimezone(timezone.utc)
            last = _last_timestamp(fd)
            ts = now
            if last is not None and now <= last <= now + CLOCK_SKEW:
                ts = last + timedelta(microseconds=1)
            event = Event(new_event_id(), ts, actor, new.type, new.data)
            if sign is not None:
                event = event._replace(sig=sign(event))
            line = (to_line(event) + "\n").encode("utf-8")
            if not creating:
                # A crash (or a full disk) left half a line: set it aside and cut it off, so
                # our event is a line of its own and no reader meets the fragment again.
                kept = set_aside_torn_tail(fd, self.path)
                if kept:
                    self.torn_kept.append(kept)
            write_all(fd, line)
            os.fsync(fd)
            size = os.fstat(fd).st_size
        except OSError as exc:
            raise _io_error(exc, self.path) from None
        finally:
            os.close(fd)
        if creating:
            fsync_dir(self.path.parent)
        return event, size

    # -- reading ----------------------------------------------------------------------------

    def read_from(self, offset: int) -> bytes:
        """The journal's bytes from ``offset`` to its end (empty when there is none)."""
        try:
            fd = open_regular(self.path, os.O_RDONLY)  # no link, no FIFO, no device
        except FileNotFoundError:
            return b""
        except OSError as exc:
            raise _io_error(exc, self.path, reading=True) from None
        try:
            if os.fstat(fd).st_size - offset > MAX_JOURNAL_BYTES:
                raise OSError(27, f"more than {MAX_JOURNAL_BYTES // (1024 * 1024)} MiB to read")
            chunks = []
            position = offset
            while True:
                chunk = os.pread(fd, 1 << 22, position)
                if not chunk:
                    break
                chunks.append(chunk)
                position += len(chunk)
            return b"".join(chunks)
        except OSError as exc:
            raise _io_error(exc, self.path, reading=True) from None
        finally:
            os.close(fd)

    def read(self) -> ReadResult:
        """Every event in the file, in the fold's order (for sync and tests; views read the
        fold, never the journal)."""
        return parse_journal(self.read_from(0), str(self.path))

    def identity(self) -> tuple[int, int, int] | None:
        """(device, inode, size) of the journal, or None when there is none."""
        try:
            st = os.stat(self.path, follow_symlinks=False)
        except OSError:
            return None
        return st.st_dev, st.st_ino, st.st_size


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
                ts = parse_iso(json.loads(raw)["ts"])
            except (ValueError, KeyError, TypeError, RecursionError):
                continue
            if ts is not None:
                return ts
        if start == 0:
            return None
        window *= 4
    return None


TORN_ASIDE = ".journal.torn"  # torn tails cut off the journal, one per line (local: never synced)


def set_aside_torn_tail(fd: int, path: Path) -> int:
    """If the journal open at ``fd`` does not end with a newline (a writer died, or the
    disk filled, in the middle of a line), copy the bytes after its last newline to
    ``.journal.torn`` beside it (fsynced first: nothing is lost), then truncate the journal
    to its last complete line. Returns how many bytes were set aside (0: nothing torn).

    Those bytes were never an event: no command acknowledged them, no reader used them,
    and the fold's checkpoint never points past the last complete line."""
    from crisiscli.fsutil import append_durably

    size = os.fstat(fd).st_size
    if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
        return 0
    end, window, cut = size, 65536, 0
    while end > 0:
        start = max(0, end - window)
        found = os.pread(fd, end - start, start).rfind(b"\n")
        if found >= 0:
            cut = start + found + 1
            break
        end, window = start, window * 4
    torn = os.pread(fd, size - cut, cut)
    append_durably(path.with_name(TORN_ASIDE), torn + b"\n")
    os.ftruncate(fd, cut)
    os.fsync(fd)
    return size - cut


def _io_error(exc: OSError, path: Path, *, reading: bool = False) -> CrisisError:
    reason = why(exc)
    if reading:
        message = f"cannot read the journal: {reason}"
    else:
        message = (
            f"cannot write the journal: {reason}; nothing after the last saved event was recorded"
        )
    return CrisisError(message, location=Location(str(path)), exit_code=ExitCode.IO_ERROR)
