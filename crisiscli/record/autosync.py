"""The background syncer: a team on many laptops, live.

Long-running commands (the walk-through, ``crisis watch``) with ``sync.auto`` set (or
``--sync``) make sure one syncer runs for their ``CRISIS_HOME``, however many terminals are
open: a detached ``crisis sync --background`` process holding a lock in the repository's
git folder (never shared). It syncs at the interval and as soon as a local journal grows
(an event recorded in any terminal), backs off while the remote cannot be reached, and
leaves once no command that asked for it is alive. Prompts never wait for it: it is another
process, and the journals it appends to are the same files every command already watches.

What it knows is in ``status.json`` beside its lock, read by the status line and ``watch``
("team: synced 12s ago", "team: offline 3m, 4 events to push").
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from crisiscli.env import Environment
from crisiscli.errors import CrisisError
from crisiscli.fsutil import atomic_write_text, open_lock_file, read_bounded
from crisiscli.timeutil import format_duration, parse_iso

FOLDER = "autosync"  # in <home>/.git/crisis/: the syncer's lock, status and clients
LOCK, STATUS, CLIENTS, LOG = "syncer.lock", "status.json", "clients", "syncer.log"
MAX_BACKOFF = 300.0  # an unreachable remote is tried again at most every 5 minutes
POLL = 0.5  # how often the syncer looks at the journals and its clients
GRACE = 5.0  # seconds without a live client before the syncer leaves


DEFAULT_INTERVAL = 15  # seconds, for `crisis resume --sync` without sync.auto


def interval_seconds(text: str | None) -> int | None:
    """An interval as seconds; None for off or nothing set."""
    from crisiscli.config import SYNC_OFF_WORDS, interval_problem
    from crisiscli.timeutil import parse_duration

    if not text or text.lower() in SYNC_OFF_WORDS or interval_problem(text):
        return None
    return parse_duration(text)


def wanted_interval(env: Environment, asked: str | bool | None) -> int | None:
    """The interval a long-running command syncs at: ``--sync`` (a duration, or True for the
    configured interval or 15 s), else ``sync.auto`` in the config, else None (no syncer)."""
    from crisiscli.config import current_config, interval_problem
    from crisiscli.errors import UsageError

    configured = current_config(env).sync_auto
    if isinstance(asked, str):
        problem = interval_problem(asked)
        if problem:
            raise UsageError(f"--sync: {problem}", hint="e.g. --sync 15s")
        return interval_seconds(asked)
    if asked:
        return interval_seconds(configured) or DEFAULT_INTERVAL
    return interval_seconds(configured)


@contextlib.contextmanager
def session(env: Environment, interval: int | None) -> Iterator[None]:
    """While the block runs, a syncer runs for ``env.home`` (when ``interval`` is set)."""
    started = interval is not None and ensure(env, interval)
    try:
        yield
    finally:
        if started:
            leave(env)


def state_dir(home: Path) -> Path | None:
    """``<home>/.git/crisis/autosync``, or None when ``home`` is not a git work tree."""
    git_dir = home / ".git"
    if not git_dir.is_dir() or git_dir.is_symlink():
        return None
    return git_dir / "crisis" / FOLDER


# -- the clients' side ----------------------------------------------------------------------


def ensure(env: Environment, interval: int) -> bool:
    """Register this process as wanting a syncer every ``interval`` seconds, and start one
    unless one runs. False (and a warning) when ``CRISIS_HOME`` is not shared through git."""
    folder = state_dir(env.home)
    if folder is None:
        env.warn(
            "automatic sync is off: this CRISIS_HOME is not shared through git "
            "(set it up with: crisis init --git --remote URL)"
        )
        return False
    clients = folder / CLIENTS
    clients.mkdir(parents=True, exist_ok=True)
    atomic_write_text(clients / str(os.getpid()), str(interval), durable=False)
    if not running(folder):
        _spawn(env, folder, interval)
    return True


def leave(env: Environment) -> None:
    """This process no longer needs the syncer (it leaves when nobody does)."""
    folder = state_dir(env.home)
    if folder is not None:
        with contextlib.suppress(OSError):
            (folder / CLIENTS / str(os.getpid())).unlink()


def running(folder: Path) -> bool:
    """Does a syncer hold the lock (the OS drops it when the syncer dies, however it dies)?"""
    import fcntl

    try:
        fd = open_lock_file(folder / LOCK)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing releases a lock this check took
    return False


def _spawn(env: Environment, folder: Path, interval: int) -> None:
    command = [sys.executable, "-m", "crisiscli", "sync", "--background", f"{interval}s"]
    child_env = dict(os.environ, CRISIS_HOME=str(env.home))
    with (folder / LOG).open("ab") as log:
        subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            env=child_env,
            start_new_session=True,  # a Ctrl-C in the terminal that started it is not for it
            close_fds=True,
        )


def team_line(env: Environment, now: datetime) -> str | None:
    """``team: synced 12s ago`` / ``team: offline 3m, 4 events to push`` / None (no syncer)."""
    folder = state_dir(env.home)
    if folder is None or not (folder / STATUS).exists() or not running(folder):
        return None
    status = read_status(folder)
    offline = parse_iso(str(status.get("offline_since") or ""))
    to_push = int(status.get("to_push") or 0)
    if offline is not None:
        waiting = f", {to_push} event{'s' if to_push != 1 else ''} to push" if to_push else ""
        return f"team: offline {format_duration(max(0, (now - offline).total_seconds()))}{waiting}"
    synced = parse_iso(str(status.get("last_ok") or ""))
    if synced is None:
        return "team: syncing…"
    return f"team: synced {format_duration(max(0, (now - synced).total_seconds()))} ago"


def read_status(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads(read_bounded(folder / STATUS, 64 * 1024))
    except (OSError, ValueError, CrisisError):
        return {}
    return data if isinstance(data, dict) else {}


# -- the syncer ------------------------------------------------------------------------------


def _clients_alive(folder: Path) -> bool:
    alive = False
    try:
        entries = list((folder / CLIENTS).iterdir())
    except OSError:
        return False
    for entry in entries:
        try:
            pid = int(entry.name)
            os.kill(pid, 0)
            alive = True
        except ProcessLookupError:
            with contextlib.suppress(OSError):
                entry.unlink()  # a client that died without saying goodbye
        except (ValueError, PermissionError):
            continue
    return alive


def _journal_sizes(home: Path) -> dict[str, int]:
    """Each incident journal's size: a grown journal means an event to send."""
    sizes: dict[str, int] = {}
    incidents = home / "incidents"
    try:
        folders = list(os.scandir(incidents))
    except OSError:
        return sizes
    for folder in folders:
        if folder.name.startswith("."):
            continue
        with contextlib.suppress(OSError):
            sizes[folder.name] = os.lstat(os.path.join(folder.path, "journal.jsonl")).st_size
    return sizes


def _events_since(home: Path, sizes: dict[str, int], now_sizes: dict[str, int]) -> int:
    """Lines appended to the journals since ``sizes`` (events recorded here, not yet sent)."""
    count = 0
    for name, size in now_sizes.items():
        before = sizes.get(name, 0)
        if size <= before:
            continue
        path = home / "incidents" / name / "journal.jsonl"
        with contextlib.suppress(OSError), path.open("rb") as file:
            file.seek(before)
            count += file.read(size - before).count(b"\n")
    return count


@contextlib.contextmanager
def _the_one_syncer(folder: Path) -> Iterator[bool]:
    import fcntl

    folder.mkdir(parents=True, exist_ok=True)
    fd = open_lock_file(folder / LOCK)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False  # another syncer runs for this CRISIS_HOME
            return
        yield True
    finally:
        os.close(fd)


class Syncer:
    """One cycle at a time (``step``), so tests can drive it without a process."""

    def __init__(
        self,
        env: Environment,
        folder: Path,
        interval: float,
        sync: Callable[[Environment], Any] | None = None,
    ) -> None:
        self.env = env
        self.folder = folder
        self.interval = interval
        self._sync = sync
        self.next_at = 0.0  # monotonic time of the next sync
        self.failures = 0
        self.sent_sizes = _journal_sizes(env.home)
        self.seen_sizes = dict(self.sent_sizes)
        self.upstream: tuple[str, str] | None = None  # (remote, branch) once a sync ran
        # The team's head before the idle cycle's fetch moved it: the sync it starts reads
        # the new head against it (what it deleted or hides behind a refused piece).
        self.known_tip: str | None = None
        self._repo: Any = None  # the repository, opened once for the idle cycles
        self.status: dict[str, Any] = {
            "pid": os.getpid(),
            "interval": interval,
            "syncs": 0,
            "idle": 0,
            "push_retries": 0,
            "races_lost": 0,  # syncs whose every push lost to a teammate's (tried again soon)
        }

    def step(self, monotonic: float) -> bool:
        """Sync if it is time (the interval passed, or a journal grew and no back-off holds).
        True when a sync ran."""
        sizes = _journal_sizes(self.env.home)
        grew = sizes != self.seen_sizes
        self.seen_sizes = sizes
        if monotonic < self.next_at and not (grew and self.failures == 0):
            return False
        self._run(sizes, monotonic)
        return True

    def _run(self, sizes: dict[str, int], monotonic: float) -> None:
        from crisiscli.record.sync import PUSH_ATTEMPTS, PushRaceLost  # the syncer's own path

        now = datetime.now(timezone.utc)
        self.status["last_try"] = now.isoformat()
        try:
            if self._idle(sizes):
                self.failures = 0
                self.next_at = monotonic + self._interval()
                self.status.update(last_ok=now.isoformat(), offline_since=None, error=None)
                self.status["idle"] += 1
                atomic_write_text(self.folder / STATUS, json.dumps(self.status), durable=False)
                return
            report = self._call()
        except PushRaceLost:
            # Not offline: a busy team. Try again within seconds, at a random moment so the
            # clones that lost together do not race again in step.
            self.next_at = monotonic + random.uniform(0.3, 2.0)
            self.status["races_lost"] += 1
            self.status["push_retries"] += PUSH_ATTEMPTS - 1
            self.status["to_push"] = _events_since(self.env.home, self.sent_sizes, sizes)
        except (CrisisError, OSError) as exc:
            self.failures += 1
            wait = min(self.interval * (2 ** min(self.failures, 10)), MAX_BACKOFF)
            self.next_at = monotonic + wait
            if not self.status.get("offline_since"):
                self.status["offline_since"] = now.isoformat()
            message = exc.one_line() if isinstance(exc, CrisisError) else str(exc)
            self.status["error"] = message
            self.status["to_push"] = _events_since(self.env.home, self.sent_sizes, sizes)
        else:
            self.failures = 0
            self.next_at = monotonic + self._interval()
            self.status.update(last_ok=now.isoformat(), offline_since=None, error=None)
            self.status["to_push"] = 0
            self.status["events_in"] = getattr(report, "events_in", 0)
            self.status["syncs"] += 1
            self.status["push_retries"] += max(0, getattr(report, "push_attempts", 0) - 1)
            remote, branch = getattr(report, "remote", ""), getattr(report, "branch", "")
            self.upstream = (remote, branch) if remote and branch else None
            # What the team's branch now holds was sent: the sync's own take-in and every
            # line before it. An event recorded after its take-in is not, and makes the next
            # step sync again. (The take-in alone used to start a second, empty sync: on a
            # busy team one more fetch-merge per clone per event, on the same two cores.)
            sent = dict(sizes)
            sent.update(getattr(report, "shared_sizes", None) or {})
            self.sent_sizes = sent
            self.seen_sizes = dict(sent)
        atomic_write_text(self.folder / STATUS, json.dumps(self.status), durable=False)

    def _interval(self) -> float:
        """The interval, less up to a fifth at random: clones started together (a team
        joining one incident) drift apart instead of fetching and pushing in step."""
        return self.interval * random.uniform(0.8, 1.0)

    def _idle(self, sizes: dict[str, int]) -> bool:
        """Nothing recorded here since the last sync and the team's branch did not move:
        one ``git fetch`` instead of a whole sync (the cost of an idle cycle)."""
        if self.upstream is None or self._sync is not None or sizes != self.sent_sizes:
            return False
        from crisiscli.record.gitrepo import open_repo
        from crisiscli.record.sync import remote_moved

        if self._repo is None:
            self._repo = open_repo(self.env.home)
            if self._repo is None:
                return False
        moved = remote_moved(self._repo, *self.upstream)
        if moved is None:
            return True
        self.known_tip = moved or None
        return False

    def _call(self) -> Any:
        if self._sync is not None:
            return self._sync(self.env)
        from crisiscli.record.sync import sync

        known, self.known_tip = self.known_tip, None
        return sync(self.env, known_tip=known)


def run(env: Environment, interval: float) -> int:
    """``crisis sync --background``: the loop; returns when no client needs it any more."""
    folder = state_dir(env.home)
    if folder is None:
        return 0
    with _the_one_syncer(folder) as mine:
        if not mine:
            return 0
        syncer = Syncer(env, folder, interval)
        lonely_since: float | None = None
        while True:
            now = time.monotonic()
            if _clients_alive(folder):
                lonely_since = None
            elif lonely_since is None:
                lonely_since = now
            elif now - lonely_since > GRACE:
                return 0
            syncer.step(now)
            env.take_warnings()  # nobody reads a background process's warnings
            time.sleep(POLL)
