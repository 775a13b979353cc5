"""Durable file writes: appends that are fsynced, replacements that are atomic, reads that
are bounded. Nothing here follows a symbolic link: a link planted in an incident folder
must never make crisis read or write a file outside CRISIS_HOME."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def fsync_dir(path: Path) -> None:
    """Make a file's creation or rename durable (POSIX needs the folder synced too)."""
    with contextlib.suppress(OSError):  # not possible on every platform/filesystem
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def atomic_write_text(path: Path, text: str, *, durable: bool = True) -> None:
    """Replace ``path`` with ``text`` so a reader sees the old or the new file, never half.

    The temporary file has an unpredictable name and is created exclusively, without
    following links, in the target's own folder. ``durable=False`` skips the fsyncs, for
    caches that are rebuilt when they are lost.
    """
    tmp = path.with_name(f".{path.name}.{os.urandom(6).hex()}.tmp")
    data = text.encode("utf-8")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o644)
    try:
        write_all(fd, data)
        if durable:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    os.close(fd)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        fsync_dir(path.parent)


def read_bounded(path: Path, limit: int) -> bytes:
    """A whole regular file of at most ``limit`` bytes, never through a link.

    ``OSError`` for a link, a device or FIFO, or a file over the limit (``EFBIG``).
    """
    import errno
    import stat

    fd = os.open(path, os.O_RDONLY | NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        if info.st_size > limit:
            raise OSError(errno.EFBIG, f"larger than {limit} bytes", str(path))
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        blob = b"".join(chunks)
        if len(blob) > limit:
            raise OSError(errno.EFBIG, f"larger than {limit} bytes", str(path))
        return blob
    finally:
        os.close(fd)
