"""``log.md``: the markdown incident log, true after every recorded event.

The log is the sections above the timeline (``log_sections.render_head``, a pure function
of the fold's state) followed by the timeline: one line per event, described once by
``describe.describe``. Keeping it true costs the same at the 100,000th event as at the
tenth: the cache (kept in the fold's checkpoint) holds the rendered head and the last
``WINDOW`` timeline lines; a new event adds its line, and the head is rendered again only
when the event could change it (a note from someone already in the incident cannot).
Incidents longer than ``WINDOW`` events show their latest events; ``crisis log --full``
and ``crisis report`` show all of them.

Imports stay light: ``crisis note`` runs this on every call, and the head renderer (which
needs the playbook model) is imported only when the head must change.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from crisiscli.fsutil import atomic_write_text, read_bounded
from crisiscli.record.events import is_quiet
from crisiscli.record.fold import IncidentState, TimelineEntry
from crisiscli.text import md_inline
from crisiscli.timeutil import in_zone, local_and_utc

if TYPE_CHECKING:
    from crisiscli.record.store import DerivedFile, Incident

WINDOW = 500  # timeline lines kept in log.md; a real walk-through has a few hundred events
MAX_LOG_BYTES = 256 * 1024 * 1024
# Events that change nothing above the timeline (when their author is already listed).
HEAD_NEUTRAL = frozenset({"note.added"})


def timeline_line(entry: TimelineEntry, tz: tzinfo | None) -> list[str]:
    """[day, line]: the local day (for the day headings) and the markdown line."""
    day = in_zone(entry.ts, tz).strftime("%Y-%m-%d")
    return [
        day,
        f"- {local_and_utc(entry.ts, tz)} · {md_inline(entry.actor)} · {md_inline(entry.text)}",
    ]


def render_timeline(
    lines: list[list[str]], total: int, signatures: dict[str, int] | None = None
) -> str:
    out = ["## Timeline", ""]
    if signatures:  # the team signs (record/signing.py): the exceptions are marked below
        from crisiscli.record.signing import counted_words

        out += [
            f"_Signatures: {counted_words(signatures)}; an event that is not signed and "
            "verified is marked._",
            "",
        ]
    if total > len(lines):
        out += [
            f"_The last {len(lines):,} of {total:,} events; `crisis log --full` and "
            "`crisis report` show them all._",
            "",
        ]
    current = None
    for day, line in lines:
        if day != current:
            out += [f"**{day}**", ""]
            current = day
        out.append(line)
    out.append("")
    return "\n".join(out)


def render_log(
    state: IncidentState,
    incident: Incident,
    entries: list[TimelineEntry],
    tz: tzinfo | None,
) -> str:
    """The whole log with every given timeline entry (``crisis log --full``)."""
    from crisiscli.views.log_sections import render_head

    head = render_head(state, incident.playbook(), incident.id, tz)
    lines = [timeline_line(e, tz) for e in entries if not is_quiet(e.type)]
    return head + "\n" + render_timeline(lines, len(lines), state.signatures)


def current_log(incident: Incident) -> str:
    """``log.md`` as it should read now: brought up to date under the lock, or — where the
    folder cannot be written (a read-only copy) — rendered in memory, the same text."""
    from crisiscli.errors import CrisisError

    try:
        incident.record()  # no event: only folds what is new and refreshes log.md
        # What was just written, read without following a link swapped in meanwhile.
        return read_bounded(incident.log_path, MAX_LOG_BYTES).decode("utf-8", "replace")
    except (CrisisError, OSError):
        state = incident.replay(history=True)
        assert state.history is not None
        entries = state.history.timeline
        tz = incident.tz()
        from crisiscli.views.log_sections import render_head

        head = render_head(state, incident.playbook(), incident.id, tz)
        told = [e for e in entries if not is_quiet(e.type)]  # deliveries: in the head
        lines = [timeline_line(e, tz) for e in told[-WINDOW:]]
        return head + "\n" + render_timeline(lines, len(told), state.signatures)


def derived_files() -> list[DerivedFile]:
    """The files kept true after every recorded event: ``log.md``. ``cli/app.py`` passes
    this to the ``Environment``; typed as ``DerivedFile`` so mypy checks the one seam."""
    return [LogFile()]


class LogFile:
    """The ``DerivedFile`` that keeps ``log.md`` true (see ``record/store.py``)."""

    name = "log.md"

    def update(
        self,
        incident: Incident,
        state: IncidentState,
        entries: list[TimelineEntry],
        cache: dict[str, Any] | None,
    ) -> dict[str, Any]:
        tz = incident.tz()
        if cache is None or cache.get("count", -1) + len(entries) != state.event_count:
            cache = None  # no cache, or it missed events (a crash before it was written)
            entries = incident.derived_history()
            state = incident.state()
        lines: list[list[str]] = list(cache["lines"]) if cache else []
        # Delivery bookkeeping (notify.*) stays out of the timeline: the head's
        # "Notifications" section sums it up, one line per channel.
        told = [e for e in entries if not is_quiet(e.type)]
        lines += [timeline_line(e, tz) for e in told[-WINDOW:]]
        shown = (int(cache.get("shown", cache["count"])) if cache else 0) + len(told)
        del lines[:-WINDOW]
        actors = list(cache["actors"]) if cache else []
        neutral = (
            cache is not None
            and cache.get("left_out") == len(state.quarantined)
            and all(e.type in HEAD_NEUTRAL and e.actor in actors for e in entries)
        )
        if neutral and cache is not None:
            head = str(cache["head"])
        else:
            from crisiscli.views.log_sections import render_head

            head = render_head(state, incident.playbook(), incident.id, tz)
        text = head + "\n" + render_timeline(lines, shown, state.signatures)
        atomic_write_text(incident.log_path, text, durable=False)
        return {
            "count": state.event_count,
            "shown": shown,
            "head": head,
            "lines": lines,
            "actors": state.actors,
            "left_out": len(state.quarantined),
        }
