"""Safe, durable file access for everything crisis reads or writes inside CRISIS_HOME.

Incident folders can arrive from a teammate (``crisis sync``) or be tampered with, so every
file crisis touches there is treated as hostile ground:

- no symbolic link is followed (``O_NOFOLLOW``) and only regular files are read or written
  (a FIFO would block, ``/dev/zero`` would never end);
- reads are bounded: a file larger than its budget is an error, not an allocation;
- replacements go through a temporary file with an unpredictable name, created exclusively
  (``O_EXCL``) in the target folder, fsynced, renamed over the target, and the folder fsynced;
- appends are fsynced, and a new file's folder is fsynced so the file's existence is durable.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
CLOEXEC = getattr(os, "O_CLOEXEC", 0)
NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class FileTooLarge(OSError):
    """A file is larger than the budget its reader allows."""

    def __init__(self, path: Path, limit: int) -> None:
        super().__init__(errno.EFBIG, f"larger than {describe_size(limit)}", str(path))
        self.limit = limit


class NotRegularFile(OSError):
    """A folder, device, FIFO or socket where a plain file was expected."""

    def __init__(self, path: Path) -> None:
        super().__init__(errno.EINVAL, "not a regular file", str(path))


def describe_size(limit: int) -> str:
    if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MiB"
    if limit >= 1024 and limit % 1024 == 0:
        return f"{limit // 1024} KiB"
    return f"{limit} bytes"


def why(exc: OSError) -> str:
    """A short reason for a failed file operation, in words a responder understands."""
    reasons = {
        errno.ENOSPC: "the disk is full",
        errno.EROFS: "the file system is read-only",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EDQUOT: "the disk quota is exceeded",
        errno.ELOOP: "it is a symbolic link, and crisis does not follow links",
        errno.ENOENT: "no such file",
    }
    if isinstance(exc, (FileTooLarge, NotRegularFile)):
        return exc.strerror or str(exc)
    return reasons.get(exc.errno or 0, exc.strerror or str(exc))


def fsync_dir(path: Path) -> None:
    """Make a file's creation or rename durable (POSIX needs the folder synced too)."""
    with contextlib.suppress(OSError):  # not possible on every platform/filesystem
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def make_dir(path: Path, *, exist_ok: bool = False) -> bool:
    """Create one folder and make its existence durable; True if it was created."""
    try:
        path.mkdir()
    except FileExistsError:
        if exist_ok and path.is_dir() and not path.is_symlink():
            return False
        raise
    fsync_dir(path.parent)
    return True


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def open_regular(path: Path, flags: int, mode: int = 0o644) -> int:
    """``os.open`` that never follows a link and accepts only a regular file."""
    fd = os.open(path, flags | NOFOLLOW | CLOEXEC | NONBLOCK, mode)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFile(path)
        if NONBLOCK:
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_bounded(path: Path, limit: int) -> bytes:
    """The whole of a regular file no larger than ``limit`` bytes (never a link)."""
    fd = open_regular(path, os.O_RDONLY)
    try:
        if os.fstat(fd).st_size > limit:
            raise FileTooLarge(path, limit)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # it grew while we read
                raise FileTooLarge(path, limit)
        return b"".join(chunks)
    finally:
        os.close(fd)


def open_lock_file(path: Path) -> int:
    """Open (creating) a lock file; a link or a non-file under that name is refused."""
    return open_regular(path, os.O_RDWR | os.O_CREAT)


def lock_exclusive(fd: int, seconds: float, poll: float = 0.01) -> bool:
    """Take an exclusive ``flock`` on ``fd``, waiting up to ``seconds``; False if it stayed
    taken (the OS releases such a lock when its holder dies, however it dies)."""
    import fcntl

    deadline = time.monotonic() + seconds
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(poll)


def random_token() -> str:
    """64 random bits as hex (``secrets.token_hex(8)``, without importing ``secrets``)."""
    return os.urandom(8).hex()


def _temporary_name(path: Path) -> Path:
    # Unpredictable, so nobody can plant a link or a file under the name in advance.
    return path.with_name(f".{path.name}.{random_token()}.tmp")


def atomic_write_bytes(path: Path, data: bytes, *, mode: int = 0o644, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` so a reader sees the old or the new file, never half.

    The temporary file is created exclusively next to the target; the rename replaces a
    link at ``path`` rather than writing through it. ``durable=False`` skips the fsyncs, for
    caches that are rebuilt when they are lost (the fold's checkpoint, log.md).
    """
    atomic_write_pieces(path, (data,), mode=mode, durable=durable)


def atomic_write_chunks(path: Path, chunks: Iterable[str], *, durable: bool = True) -> None:
    """``atomic_write_text`` for a text made piece by piece (a long report): written as the
    pieces come, in blocks, so the whole text is never held at once. If making a piece
    fails, the old file stays as it was."""
    atomic_write_pieces(path, (block.encode("utf-8") for block in blocks(chunks)), durable=durable)


def blocks(chunks: Iterable[str], size: int = 1 << 16) -> Iterator[str]:
    """Many small pieces of text joined into blocks of about ``size`` characters (one write
    per block instead of one per piece)."""
    pending: list[str] = []
    held = 0
    for chunk in chunks:
        pending.append(chunk)
        held += len(chunk)
        if held >= size:
            yield "".join(pending)
            pending, held = [], 0
    if pending:
        yield "".join(pending)


def atomic_write_pieces(
    path: Path, pieces: Iterable[bytes], *, mode: int = 0o644, durable: bool = True
) -> None:
    """``atomic_write_bytes`` of the bytes ``pieces`` give, written as they come."""
    put_in_place(write_temporary(path, pieces, mode=mode, durable=durable), path, durable=durable)


def write_temporary(
    beside: Path, pieces: Iterable[bytes], *, mode: int = 0o644, durable: bool = True
) -> Path:
    """A new file next to ``beside`` holding the bytes ``pieces`` give (fsynced unless
    ``durable=False``), for ``put_in_place`` to rename once its name is known (evidence is
    named by the hash of what was written). Its name is unpredictable and it is created
    exclusively, so nobody can plant a link there; if writing fails, it is removed."""
    for _attempt in range(8):
        tmp = _temporary_name(beside)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW | CLOEXEC, mode)
        except FileExistsError:  # 64 random bits collided
            continue
        break
    else:
        raise FileExistsError(errno.EEXIST, "no free temporary name", str(beside))
    try:
        for data in pieces:
            write_all(fd, data)
        if durable:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    os.close(fd)
    return tmp


def put_in_place(tmp: Path, path: Path, *, durable: bool = True) -> None:
    """Rename a file made by ``write_temporary`` to ``path`` (a link at ``path`` is
    replaced, not written through), then make the rename durable."""
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        fsync_dir(path.parent)


def atomic_write_text(path: Path, text: str, *, durable: bool = True) -> None:
    """``atomic_write_bytes`` of UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"), durable=durable)


def append_durably(path: Path, data: bytes) -> None:
    """Append ``data`` to a regular file (created if missing) and fsync it.

    A file that does not end with a newline (a crash tore its last line) gets one first,
    so ``data`` starts a line of its own. Existing bytes are never rewritten.
    """
    creating = not os.path.lexists(path)
    fd = open_regular(path, os.O_RDWR | os.O_APPEND | os.O_CREAT)
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            data = b"\n" + data
        write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    if creating:
        fsync_dir(path.parent)
