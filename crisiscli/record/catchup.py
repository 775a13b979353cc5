"""Bringing a state up to date with its journal: a checkpoint plus the lines after it.

``catch_up`` is the only reader of journal lines. From a valid checkpoint it folds just the
new complete lines; it falls back to a full replay when there is no usable checkpoint, when
the file changed under it (it shrank, was replaced, or its bytes before the offset differ)
or when a new line sorts before what was already applied (a merge brought older events).
Lines that do not fit the vocabulary are left out with a located warning; events stamped
further ahead than any clock could be wait, unapplied, until their time comes.
"""

# No `from __future__ import annotations` here: with it, typing.NamedTuple turns each
# field's annotation into a ForwardRef and compiles it when the module loads, which
# doubles what the classes below cost on every `crisis note` (docs/benchmarks.md).
import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NamedTuple

from crisiscli.record.checkpoint import TAIL, Checkpoint, Position, still_valid, tail_hash
from crisiscli.record.describe import Names, describe, signature_mark
from crisiscli.record.events import Event, problem
from crisiscli.record.fold import History, IncidentState, Quarantined, TimelineEntry
from crisiscli.record.journal import CLOCK_SKEW, Journal, Line, parse_line, split_lines
from crisiscli.record.signing import (
    APPROVALS,
    DECISIONS,
    SIGNED,
    UNSIGNED,
    Verdict,
    claimed_by,
    failed,
)

MAX_QUARANTINED = 100  # the state remembers this many left-out lines (the first ones)


class Caught(NamedTuple):
    state: IncidentState
    entries: list[TimelineEntry]  # the events applied now, described, in order
    replayed: bool  # a full replay: derived files must be rebuilt from scratch
    position: Position
    pending: list[tuple[int, str]]
    warnings: list[str]


class Context(NamedTuple):
    """What folding needs besides the journal (all of it cheap until asked for)."""

    step_known: Callable[[str], bool]
    names: Callable[[IncidentState], Names]
    now: datetime
    shown: str  # the journal's name in warnings
    # Checks the signatures of decisions (None: nobody set signing up here); with
    # ``require_signature`` a decision that is unsigned or does not verify does not count.
    checker: Any = None  # a ``signing.Checker`` (typed loosely: NamedTuple, no ForwardRef)
    require_signature: bool = False


def catch_up(
    journal: Journal,
    checkpoint: Checkpoint | None,
    ctx: Context,
    *,
    history: bool = False,
) -> Caught:
    if checkpoint is not None and not history and still_valid(checkpoint.position, journal.path):
        caught = _incremental(journal, checkpoint, ctx)
        if caught is not None:
            return caught
    return _full(journal, ctx, history=history)


def _position(journal: Journal, offset: int, lines: int, blob_before: bytes) -> Position:
    ident = journal.identity()
    dev, ino = (ident[0], ident[1]) if ident else (0, 0)
    return Position(dev, ino, offset, lines, tail_hash(blob_before[-TAIL:]))


def _incremental(journal: Journal, cp: Checkpoint, ctx: Context) -> Caught | None:
    start = cp.position.offset
    tail_start = max(0, start - TAIL)
    blob = journal.read_from(tail_start)
    before, new = blob[: start - tail_start], blob[start - tail_start :]
    if tail_hash(before) != cp.position.tail:
        return None  # changed between the check and the read
    lines, used = split_lines(new, cp.position.lines + 1)
    state = cp.state
    warnings: list[str] = []
    events, waiting = _parse(lines, ctx, state, warnings)
    arrived = _due(cp.pending, ctx, waiting)
    events += arrived
    events.sort(key=lambda e: e[1].key)
    if events and state.last_key is not None and events[0][1].key < state.last_key:
        return None  # older events arrived (a merge): only a full replay orders them right
    entries = _apply(state, events, ctx, warnings)
    _say_arrived(arrived, ctx, warnings)
    _say_waiting(waiting, ctx, warnings)
    last_line = cp.position.lines + _count_lines(new[:used])
    position = _position(journal, start + used, last_line, blob[: start - tail_start + used])
    return Caught(state, entries, False, position, waiting, warnings)


def _full(journal: Journal, ctx: Context, *, history: bool) -> Caught:
    with _no_cycle_collection():
        return _full_replay(journal, ctx, history=history)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """A full replay makes a great many small objects that live on (the state, every
    timeline line) and no reference cycles; the cycle collector would only re-walk them,
    more often the longer the journal. Reference counting still frees everything."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _full_replay(journal: Journal, ctx: Context, *, history: bool) -> Caught:
    blob = journal.read_from(0)
    used = blob.rfind(b"\n") + 1
    in_order = _in_file_order(_each_line(blob, used), ctx, history)
    if in_order is not None:
        state, entries, waiting, warnings = in_order
    else:
        lines, used = split_lines(blob, 1)
        state = IncidentState(history=History() if history else None)
        warnings = []
        parsed, waiting = _parse(lines, ctx, state, warnings)
        seen: set[str] = set()
        unique = []
        for number, event in parsed:
            if event.id not in seen:
                seen.add(event.id)
                unique.append((number, event))
        unique.sort(key=lambda e: e[1].key)
        entries = _apply(state, unique, ctx, warnings)
    if used < len(blob):
        warnings.append(
            f"{ctx.shown}:{_count_lines(blob[:used]) + 1}: ignored an incomplete last line "
            f"({len(blob) - used} bytes; the writer was interrupted)"
        )
    _say_waiting(waiting, ctx, warnings)
    position = _position(journal, used, _count_lines(blob[:used]), blob[:used])
    return Caught(state, entries, True, position, waiting, warnings)


def _each_line(blob: bytes, end: int) -> Iterator[Line]:
    """The complete lines of ``blob[:end]``, one at a time (as ``split_lines``, unlisted)."""
    number, start = 0, 0
    while start < end:
        stop = blob.index(b"\n", start)
        number += 1
        raw = blob[start:stop]
        if raw.strip():
            yield Line(number, raw)
        start = stop + 1


def _in_file_order(
    lines: Iterable[Line], ctx: Context, history: bool
) -> tuple[IncidentState, list[TimelineEntry], list[tuple[int, str]], list[str]] | None:
    """The usual journal — every event after the one before it, as appends write them —
    folded line by line, holding no more than the state: each event is parsed, applied and
    let go. None when an event sorts before one already applied (a merge interleaved two
    histories): then only reading them all and sorting folds them in the right order."""
    state = IncidentState(history=History() if history else None)
    warnings: list[str] = []
    waiting: list[tuple[int, str]] = []
    entries: list[TimelineEntry] = []
    seen: set[str] = set()
    one: list[Line] = []
    for line in lines:
        one[:] = (line,)
        parsed, later = _parse(one, ctx, state, warnings)
        waiting += later
        if not parsed:
            continue
        event = parsed[0][1]
        if event.id in seen:
            continue  # the same event twice: the first one counts
        if state.last_key is not None and event.key < state.last_key:
            return None
        seen.add(event.id)
        entries += _apply(state, parsed, ctx, warnings)
    return state, entries, waiting, warnings


def _count_lines(blob: bytes) -> int:
    return blob.count(b"\n")


def _parse(
    lines: list[Line], ctx: Context, state: IncidentState, warnings: list[str]
) -> tuple[list[tuple[int, Event]], list[tuple[int, str]]]:
    """Events that fit, and the raw lines of events stamped too far ahead to apply yet."""
    found: list[tuple[int, Event]] = []
    waiting: list[tuple[int, str]] = []
    for line in lines:
        try:
            event = parse_line(line)
        except ValueError as exc:
            _quarantine(state, line.number, f"an unreadable event ({exc})", ctx, warnings)
            continue
        reason = problem(event, ctx.step_known)
        if reason is not None:
            _quarantine(state, line.number, f"an event that does not fit ({reason})", ctx, warnings)
            continue
        if event.ts > ctx.now + CLOCK_SKEW:
            waiting.append((line.number, line.raw.decode("utf-8")))
            continue  # said once for all of them: ``_say_waiting``
        found.append((line.number, event))
    return found, waiting


def _due(
    pending: list[tuple[int, str]], ctx: Context, still: list[tuple[int, str]]
) -> list[tuple[int, Event]]:
    """Pending future events whose time has come; the others stay pending."""
    due = []
    for number, raw in pending:
        event = parse_line(Line(number, raw.encode("utf-8")))
        if event.ts > ctx.now + CLOCK_SKEW:
            still.append((number, raw))
        else:
            due.append((number, event))
    return due


def _who(events: list[Event]) -> str:
    actors = sorted({event.actor for event in events})
    shown = ", ".join(actors[:3]) + (f" and {len(actors) - 3} more" if len(actors) > 3 else "")
    return shown or "someone"


def _say_waiting(waiting: list[tuple[int, str]], ctx: Context, warnings: list[str]) -> None:
    """One line, every command, while events stamped ahead of this machine's clock wait:
    how many, from whom, how far ahead. (One line per event was a flood, and was said only
    by the command that first read them.)"""
    if not waiting:
        return
    events = [parse_line(Line(number, raw.encode("utf-8"))) for number, raw in waiting]
    latest = max(event.ts for event in events)
    first = min(number for number, _raw in waiting)
    from crisiscli.timeutil import format_duration

    count = f"{len(events)} event{'s' if len(events) != 1 else ''}"
    warnings.append(
        f"{ctx.shown}:{first}: {count} from {_who(events)} stamped up to "
        f"{format_duration((latest - ctx.now).total_seconds())} ahead of this machine's clock "
        f"(the latest {latest:%Y-%m-%d %H:%M} UTC) are left out until their time: is the "
        "clock on their machine, or on this one, wrong?"
    )


def _say_arrived(due: list[tuple[int, Event]], ctx: Context, warnings: list[str]) -> None:
    """The command that first shows events that waited says so once."""
    if not due:
        return
    events = [event for _number, event in due]
    count = f"{len(events)} event{'s' if len(events) != 1 else ''}"
    warnings.append(
        f"{ctx.shown}: {count} from {_who(events)} that waited for their time (they arrived "
        "stamped in this machine's future) are now shown, at the times they carry"
    )


def _quarantine(
    state: IncidentState, number: int, reason: str, ctx: Context, warnings: list[str]
) -> None:
    if len(state.quarantined) < MAX_QUARANTINED:
        state.quarantined.append(Quarantined(number, reason))
    warnings.append(f"{ctx.shown}:{number}: skipped {reason}")


def _checked(
    state: IncidentState, event: Event, ctx: Context, warnings: list[str]
) -> tuple[Event, bool, bool]:
    """An event with what its signature proves (``Event.trust``), tallied; whether the
    timeline marks it, and whether it counts. Where the team signs (an allowed_signers
    file) every event is checked: a note "by ceo" nobody signed, or a severity change
    edited after it was signed, is marked in every view. A decision that does not count
    (``approval.require_signature``, in the config or the incident's playbook) is refused
    here, in sight, instead of applied."""
    decision = event.type in DECISIONS
    required = decision and (
        ctx.require_signature or state.playbook.get("require_signature") is True
    )
    if ctx.checker is None and not required:
        return event, False, True  # nobody set signing up: nothing said, as before
    verdict = _verdict(ctx, event)
    event = event._replace(trust=verdict.word)
    state.tally_signature(event, verdict.word, verdict.shown())
    counted = verdict.ok or not required or event.type not in APPROVALS
    if not counted or verdict.word not in (SIGNED, UNSIGNED):
        outcome = "does not count" if not counted else "counts (signatures not required)"
        if not decision:
            outcome = "is shown marked"
        warnings.append(
            f"{ctx.shown}: the {event.type} {event.id[:12]} by {claimed_by(event)} "
            f"{outcome}: {verdict.shown()}"
        )
    if not counted:
        state.refuse(event, verdict.word)
    # a signed line is the rule: only the exceptions are marked (a decision always is)
    return event, decision or not verdict.ok, counted


def _verdict(ctx: Context, event: Event) -> Verdict:
    if ctx.checker is not None:
        return ctx.checker.verdict(event)  # type: ignore[no-any-return]
    # The playbook requires signatures, and nobody set signing up on this machine.
    if event.sig is None:
        return Verdict(UNSIGNED)
    return failed("no-signers")


def _apply(
    state: IncidentState, events: list[tuple[int, Event]], ctx: Context, warnings: list[str]
) -> list[TimelineEntry]:
    entries = []
    names: Names | None = None
    for _number, event in events:
        if state.last_key is not None and event.key == state.last_key:
            continue  # the same event twice (a merged copy)
        marked, counted = False, True
        if ctx.checker is not None or event.type in DECISIONS:
            event, marked, counted = _checked(state, event, ctx, warnings)
        if counted:
            state.apply(event)
        if names is None:
            names = ctx.names(state)
        described = describe(event, names)
        if marked and event.trust is not None:  # what its signature proves, in the language
            described += signature_mark(event.trust, names.words, counted=counted)
        entry = TimelineEntry(event.id, event.ts, event.actor, event.type, described)
        entries.append(entry)
        state.remember(entry)
        if state.history is not None:
            state.history.timeline.append(entry)
    return entries
