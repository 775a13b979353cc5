"""The background sender's files in CRISIS_HOME (``notify-sender/``): its lock, the wake
token a command writes, and each failing channel's state (``channels.json``); starting the
sender (``walk/sender.py``) when none runs. No network here, nothing that sends.

A command never waits for a chat service. It records its events, leaves a marker in the
outbox (``outbox.mark``) and calls ``wake``: that writes a fresh token to
``notify-sender/wake`` and, unless a sender already holds ``notify-sender/lock``, starts
one — a detached ``python -m crisiscli.walk.sender`` with no terminal and no pipe to the
command. The command returns at once.

The sender takes the lock (a second one finds it taken and exits), delivers what every
marked incident owes, sleeps while a failing channel waits for its next try, and exits when
nothing is owed. Before it exits it lets go of the lock and looks at the wake token once
more: a command that woke it after its last look, while it still held the lock, is not
lost — it takes the lock again and goes on (or another sender already has).

``channels.json`` is each failing channel's state (failures in a row, the last reason, when
it is tried next): every sender and ``crisis notify`` back off on it, and commands read it
to say, once each, which channel is not getting through.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from crisiscli.fsutil import CLOEXEC, NOFOLLOW, make_dir

FOLDER = "notify-sender"
LOCK = "lock"
WAKE = "wake"
CHANNELS = "channels.json"
MAX_CHANNELS_BYTES = 256 * 1024

_started: list[int] = []  # senders this process started (reaped when they end)


def folder(home: Path) -> Path:
    return home / FOLDER


def _ensure(home: Path) -> Path | None:
    place = folder(home)
    try:
        if place.is_symlink():
            return None  # never write through a link planted in CRISIS_HOME
        if not place.is_dir():
            home.mkdir(parents=True, exist_ok=True)
            make_dir(place, exist_ok=True)
    except OSError:
        return None
    return place


def wake_token(home: Path) -> bytes:
    try:
        with open(folder(home) / WAKE, "rb") as handle:
            return handle.read(64)
    except OSError:
        return b""


def _write_wake(place: Path) -> bool:
    try:
        fd = os.open(place / WAKE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | NOFOLLOW | CLOEXEC,
                     0o600)  # fmt: skip
    except OSError:
        return False
    try:
        os.write(fd, os.urandom(8).hex().encode("ascii"))
    finally:
        os.close(fd)
    return True


def _open_lock(place: Path) -> int | None:
    try:
        return os.open(place / LOCK, os.O_RDWR | os.O_CREAT | NOFOLLOW | CLOEXEC, 0o600)
    except OSError:
        return None


def running(home: Path) -> bool:
    """A sender holds the lock now."""
    import fcntl

    place = folder(home)
    fd = _open_lock(place) if place.is_dir() else None
    if fd is None:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing lets go of a lock we took
    return False


def wake(home: Path) -> bool:
    """Tell the sender there is work (starting one when none runs); never waits for it.
    False when it could not be started (the marker stays: the next command tries again)."""
    place = _ensure(home)
    if place is None or not _write_wake(place):
        return False
    if running(home):
        return True  # it will see the new token before it exits
    return _spawn(home)


def _spawn(home: Path) -> bool:
    """Start ``python -m crisiscli.walk.sender HOME`` detached: its own session (Ctrl-C in
    the terminal does not reach it), /dev/null for its streams, nothing shared with the
    command but the files in CRISIS_HOME. ``posix_spawn`` where there is one: cheaper than
    importing ``subprocess`` and forking a large process."""
    reap()
    argv = [sys.executable, "-m", "crisiscli.walk.sender", str(home.absolute())]
    env = {**os.environ, "CRISIS_HOME": str(home.absolute())}
    spawn = getattr(os, "posix_spawn", None)
    if spawn is not None:
        null = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_RDWR, 0) for fd in (0, 1, 2)]
        try:
            _started.append(spawn(sys.executable, argv, env, file_actions=null, setsid=True))
        except (OSError, TypeError, NotImplementedError):
            pass
        else:
            return True
    import subprocess

    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=True,
            start_new_session=True,
            env=env,
        )
    except OSError:
        return False
    _started.append(process.pid)
    return True


def reap() -> None:
    """Collect the senders this process started that have ended (a long walk-through)."""
    for pid in list(_started):
        try:
            done, _status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid  # not ours to wait for any more
        if done:
            _started.remove(pid)


@contextlib.contextmanager
def holding_lock(home: Path, seconds: float = 0.0) -> Iterator[bool]:
    """Hold the sender lock for the block (True), or yield False when another holds it."""
    from crisiscli.fsutil import lock_exclusive

    place = _ensure(home)
    fd = _open_lock(place) if place is not None else None
    if fd is None:
        yield False
        return
    try:
        held = lock_exclusive(fd, seconds)
        if held:  # who holds it, for a person (or a test) who wants to stop it
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
                os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        yield held
    finally:
        os.close(fd)


def holder(home: Path) -> int | None:
    """The process id of the running sender (None: none runs)."""
    if not running(home):
        return None
    try:
        return int((folder(home) / LOCK).read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


# -- the state of each channel ----------------------------------------------------------------


def read_channels(home: Path) -> dict[str, dict[str, Any]]:
    """Each failing channel's record: {channel id: {label, failures, error, since, next_try}}."""
    from crisiscli.fsutil import read_bounded

    try:
        data = json.loads(read_bounded(folder(home) / CHANNELS, MAX_CHANNELS_BYTES))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, dict)}


def write_channels(home: Path, records: dict[str, dict[str, Any]]) -> None:
    from crisiscli.fsutil import atomic_write_text

    place = _ensure(home)
    if place is None:
        return
    path = place / CHANNELS
    with contextlib.suppress(OSError):
        if records:
            atomic_write_text(path, json.dumps(records, sort_keys=True), durable=False)
        else:
            path.unlink(missing_ok=True)


def next_try(record: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(record["next_try"]))
    except (KeyError, ValueError):
        return None
