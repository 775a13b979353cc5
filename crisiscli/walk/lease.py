"""One walker at a time: a lease on an incident's walk-through.

The lease has two halves. ``walker.lock`` in the incident folder is held (``flock``) by the
walking process for as long as it lives, so a killed walker never blocks a resume: the
kernel lets go of the lock with the process. The journal says who walks: each walker
records ``walker.started`` (or ``walker.taken_over`` when it takes over from a live one)
with a lease id, its pid, host and terminal. Before every screen and every record the
walker checks that the latest walker event is still its own; if another terminal took
over, it stops (``TakenOver``) without recording anything more. A walk-through whose
incident was closed elsewhere stops too (``ClosedElsewhere``).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crisiscli.errors import ExitCode, StateError
from crisiscli.record import events as ev
from crisiscli.record.fold import IncidentState
from crisiscli.record.store import Incident

LOCK = "walker.lock"


@dataclass(frozen=True)
class WalkerInfo:
    """Who walks an incident: enough for a person to find that terminal."""

    lease: str
    pid: int
    host: str
    tty: str
    actor: str
    since: str  # ISO time

    def describe(self) -> str:
        when = self.since
        with contextlib.suppress(ValueError):
            when = datetime.fromisoformat(self.since).astimezone().strftime("%H:%M")
        return f"{self.actor} (pid {self.pid} on {self.host}, {self.tty}) since {when}"

    def where(self) -> dict[str, Any]:
        return {"pid": self.pid, "host": self.host, "tty": self.tty}


class TakenOver(StateError):
    """Another terminal took over this walk-through."""

    exit_code = ExitCode.STATE


class ClosedElsewhere(StateError):
    exit_code = ExitCode.STATE

    def __init__(self, incident_id: str, state: IncidentState) -> None:
        who = state.closed_by or ""
        when = state.closed_at.astimezone().strftime("%H:%M") if state.closed_at else "?"
        super().__init__(
            f"incident {incident_id} was closed at {when}"
            + (f" by {who}" if who else "")
            + " from another terminal; this walk-through stops here and records nothing more",
            hint=f"reopen it to continue: crisis close {incident_id} --reopen",
        )


def terminal_name() -> str:
    for fd in (0, 1):
        try:
            return os.ttyname(fd)
        except OSError:
            continue
    return "no terminal"


class Lease:
    """The walker's hold on one incident (see the module docstring)."""

    def __init__(self, incident: Incident) -> None:
        self.incident = incident
        self.path = incident.dir / LOCK
        self.fd: int | None = None
        self.info = WalkerInfo(
            lease=uuid.uuid4().hex[:12],
            pid=os.getpid(),
            host=socket.gethostname(),
            tty=terminal_name(),
            actor=incident.env.actor,
            since=incident.env.clock().isoformat(),
        )

    def try_hold(self) -> WalkerInfo | None:
        """Take the lock; None when we hold it, else who holds it (as it wrote itself)."""
        if self.fd is not None:
            return None
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(self.path, flags, 0o644)
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # pragma: no cover - not POSIX: the journal alone says who walks
            pass
        except OSError:
            holder = _read_info(fd)
            os.close(fd)
            return holder or WalkerInfo("?", 0, "?", "?", "someone", "?")
        os.ftruncate(fd, 0)
        mine = {**self.info.where(), "lease": self.info.lease, "actor": self.info.actor}
        os.pwrite(fd, json.dumps({**mine, "since": self.info.since}).encode(), 0)
        self.fd = fd
        return None

    def start(self, *, taking_over: WalkerInfo | None = None) -> None:
        """Record that this process walks the incident from now on."""
        info = self.info
        if taking_over is not None:
            taken_from = {**taking_over.where(), "actor": taking_over.actor}
            self.incident.record(
                ev.walker_taken_over(info.lease, **info.where(), taken_from=taken_from)
            )
        else:
            self.incident.record(ev.walker_started(info.lease, **info.where()))

    def guard(self, state: IncidentState) -> None:
        """Stop if the journal says another walker took over since we started."""
        claim = state.walker
        if claim is not None and not self.still_walking(state):
            when = claim.ts.astimezone().strftime("%H:%M")
            raise TakenOver(
                f"{claim.actor} took over this walk-through at {when} (pid {claim.pid}"
                f" on {claim.host}, {claim.tty}); this terminal stops here and records "
                "nothing more",
                hint=f"to watch it: crisis resume {self.incident.id} (then choose Watch)",
            )
        if self.fd is None:
            self.try_hold()  # the walker we took over from has gone: hold the lock now

    def still_walking(self, state: IncidentState) -> bool:
        """No other walker has taken over since this one started."""
        return state.walker is None or state.walker.lease == self.info.lease

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor lets go of the flock
            self.fd = None


def _read_info(fd: int) -> WalkerInfo | None:
    try:
        data = json.loads(os.pread(fd, 4096, 0).decode("utf-8", "replace") or "{}")
        return WalkerInfo(
            str(data["lease"]), int(data["pid"]), str(data["host"]), str(data["tty"]),
            str(data.get("actor", "someone")), str(data.get("since", "?")),
        )  # fmt: skip
    except (ValueError, KeyError, TypeError, OSError):
        return None
