"""Merging copies of a journal: the union of their events by id, never rewriting a byte.

A journal is an append-only set of events with unique ids, so two copies merge by
appending to each the events it lacks. The events another copy brings are appended as the
very lines it holds, byte for byte (ids and timestamps kept), under the incident's writer
lock, in one write, fsynced. Lines that are not events (hostile or damaged) are never
copied: they are reported, with the commit, path and line, and everything else goes on.

The copy committed to git is a different file from the local one: it is the remote's copy
with the local events it lacks appended, so the history of a journal in git is itself
append-only and every clone converges on the same bytes without any clone rewriting its
own journal (whose file order is the order this machine received the events in).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from crisiscli.fsutil import append_durably, read_bounded
from crisiscli.record.journal import MAX_JOURNAL_BYTES, Journal

MAX_ID_LENGTH = 200


@dataclass
class EventLines:
    """The event lines of one copy of a journal, by id, in file order (first copy wins)."""

    by_id: dict[str, bytes] = field(default_factory=dict)
    bad: list[tuple[int, bytes, str]] = field(default_factory=list)  # line, bytes, why


def line_event_id(raw: bytes) -> tuple[str | None, str]:
    """The event id of one journal line, or None and why it is not an event.

    Only the shape is checked here (what merging needs); the fold validates the rest.
    """
    try:
        # UTF-8 only, as journals are read: json.loads would guess UTF-16 from bytes.
        record = json.loads(raw.decode("utf-8"))
    except RecursionError:
        return None, "nested too deeply"
    except UnicodeDecodeError:
        return None, "not UTF-8"
    except ValueError:
        return None, "not JSON"
    if not isinstance(record, dict):
        return None, "not a JSON object"
    event_id = record.get("id")
    if not isinstance(event_id, str) or not event_id or len(event_id) > MAX_ID_LENGTH:
        return None, "no event id"
    if not isinstance(record.get("type"), str) or not isinstance(record.get("ts"), str):
        return None, "no event type or time"
    return event_id, ""


def event_lines(blob: bytes) -> EventLines:
    found = EventLines()
    for number, raw in enumerate(blob.split(b"\n"), start=1):
        if not raw.strip():
            continue
        event_id, why = line_event_id(raw)
        if event_id is None:
            found.bad.append((number, raw, why))
        elif event_id not in found.by_id:
            found.by_id[event_id] = raw
    return found


@dataclass
class TakeIn:
    local: EventLines  # the local journal after the append
    appended: int = 0
    stat: tuple[int, int, int] = (0, 0, 0)  # size, mtime (ns), inode of what ``local`` is


def take_in(journal: Journal, copies: list[EventLines]) -> TakeIn:
    """Append to ``journal`` every event of ``copies`` it lacks (created if missing)."""
    with journal.locked():
        try:
            local = event_lines(read_bounded(journal.path, MAX_JOURNAL_BYTES))
        except FileNotFoundError:
            local = EventLines()
        missing: dict[str, bytes] = {}
        for copy in copies:
            for event_id, raw in copy.by_id.items():
                if event_id not in local.by_id and event_id not in missing:
                    missing[event_id] = raw
        if missing:
            append_durably(journal.path, b"".join(raw + b"\n" for raw in missing.values()))
            local.by_id.update(missing)
        try:
            st = os.lstat(journal.path)
            stat = (st.st_size, st.st_mtime_ns, st.st_ino)
        except FileNotFoundError:
            stat = (0, 0, 0)
    return TakeIn(local, len(missing), stat)


def restore_lines(base: bytes, originals: dict[str, bytes]) -> bytes:
    """``base`` with the lines of ``originals``' events put back as they were first taken in
    (a teammate rewrote them in place)."""
    out = []
    for raw in base.split(b"\n"):
        event_id, _why = line_event_id(raw) if raw.strip() else (None, "")
        out.append(originals.get(event_id, raw) if event_id is not None else raw)
    return b"\n".join(out)


def shared_copy(base: bytes, base_lines: EventLines, local: EventLines) -> bytes:
    """What to commit: ``base`` (the remote's copy) with the local events it lacks."""
    extra = [raw for event_id, raw in local.by_id.items() if event_id not in base_lines.by_id]
    if not extra:
        return base
    if base and not base.endswith(b"\n"):
        base += b"\n"
    return base + b"".join(raw + b"\n" for raw in extra)
