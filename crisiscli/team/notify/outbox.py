"""The outbox: a marker per incident that still owes a notification delivery.

``CRISIS_HOME/notify-outbox/<incident id>`` exists from the moment a delivery is claimed
until every claimed delivery of that incident has been delivered (or given up, loudly).
Every crisis command looks for the folder with one ``stat`` (``cli.app._notify``): when it
is not there — nearly always — nothing else is loaded or read; when it is, the command
wakes the background sender when a retry is due and says which channel is failing
(``walk/sender.py``): a failed webhook is never lost silently, and no command waits for it.

The marker is only a hint: the journal's ``notify.*`` events are the record. A marker left
behind costs one look at the journal; one missing (deleted by hand) only means the retry
waits for the next walk-through, ``crisis watch`` or ``crisis notify``.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from crisiscli.fsutil import CLOEXEC, NOFOLLOW, make_dir

OUTBOX = "notify-outbox"


def folder(home: Path) -> Path:
    return home / OUTBOX


def mark(home: Path, incident_id: str) -> None:
    """Note that ``incident_id`` owes a delivery (best effort: the journal is the record)."""
    with contextlib.suppress(OSError):
        place = folder(home)
        if not place.is_dir():
            make_dir(place, exist_ok=True)
        if place.is_symlink():
            return  # never write through a link planted in CRISIS_HOME
        fd = os.open(place / incident_id, os.O_WRONLY | os.O_CREAT | NOFOLLOW | CLOEXEC, 0o644)
        os.close(fd)


def clear(home: Path, incident_id: str) -> None:
    """``incident_id`` owes nothing now; the folder goes when no incident owes anything."""
    place = folder(home)
    with contextlib.suppress(OSError):
        (place / incident_id).unlink()
    with contextlib.suppress(OSError):
        place.rmdir()  # fails while another incident still owes: that is the point


def owed(home: Path) -> list[str]:
    """The incidents with a marker."""
    try:
        return sorted(entry.name for entry in os.scandir(folder(home)) if entry.is_file())
    except OSError:
        return []
