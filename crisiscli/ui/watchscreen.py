"""The ``crisis watch`` screen: one frame of the live incident, drawn as terminal lines.

``render`` is a pure function of the ``WatchModel`` and a size: every line fits the width
(measured in terminal columns), the frame fills the height exactly (or, with no height, as
long as it needs to be for ``--once``). Deadlines come first, then follow-ups and
approvals, and the latest events fill what is left. Overdue is always said in words
(``OVERDUE``), so the screen reads the same without colour (NO_COLOR); colour only adds
red for overdue and yellow for soon. Untrusted text is shown on one line with controls
made visible, never interpreted.
"""

from __future__ import annotations

from datetime import datetime

from crisiscli.text import one_line
from crisiscli.timeutil import in_zone
from crisiscli.views.watch import LiveDeadline, WatchModel
from crisiscli.width import clip, display_width, wrap

Segment = tuple[str, str]  # (text, style)

STYLES = {
    "": "",
    "bar": "\x1b[7m",
    "bold": "\x1b[1m",
    "dim": "\x1b[2m",
    "overdue": "\x1b[1;37;41m",
    "late": "\x1b[1;31m",
    "soon": "\x1b[1;33m",
    "head": "\x1b[1;36m",
    "sev-high": "\x1b[1;31m",
    "drill": "\x1b[1;30;43m",
}
RESET = "\x1b[0m"
LATEST_RESERVE = 4  # lines kept for the latest events (a heading and three) when space is short


def stopwatch(seconds: float) -> str:
    """``754`` → ``12:34``; ``3725`` → ``1:02:05``; days as ``2d 03:04:05``. Ticks visibly."""
    whole = int(abs(seconds))
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}:{minutes:02d}:{secs:02d}"
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def _clock(ts: datetime, model: WatchModel) -> str:
    local, today = in_zone(ts, model.tz), in_zone(model.now, model.tz)
    return local.strftime("%H:%M" if local.date() == today.date() else "%d %b %H:%M")


def _fit(segments: list[Segment], width: int, color: bool) -> str:
    """The segments as one line of at most ``width`` columns (styles only with colour)."""
    out: list[str] = []
    used = 0
    for text, style in segments:
        room = width - used
        if room <= 0:
            break
        shown = clip(text, room)
        used += display_width(shown)
        if color and STYLES.get(style):
            out.append(f"{STYLES[style]}{shown}{RESET}")
        else:
            out.append(shown)
    line = "".join(out)
    return line + " " * max(0, width - used)


def _header(model: WatchModel, width: int) -> list[list[Segment]]:
    now = f" {_clock(model.now, model)} "
    lead: list[Segment] = [(" CRISIS WATCH  ", "bar")]
    if model.drill:
        lead += [("DRILL", "drill"), ("  ", "bar")]
    room = width - sum(display_width(t) for t, _ in lead) - display_width(now)
    title = clip(one_line(model.title), max(0, room - 1))
    gap = " " * max(0, room - display_width(title))
    severity_style = "sev-high" if model.severity in ("high", "critical") else "bold"
    facts: list[Segment] = [
        (" severity ", "dim"),
        (one_line(model.severity).upper(), severity_style),
        (f" · {model.status} · ", "dim"),
        (stopwatch(model.elapsed_seconds), "bold"),
        (" since start · ", "dim"),
        (model.incident_id, "dim"),
    ]
    rows = [[*lead, (title + gap, "bar"), (now, "bar")], facts, _walker(model)]
    if model.team:  # its own line: the facts line is full at 80 columns
        rows.append([(f" {model.team}", "dim")])
    if model.drill_time:
        rows.append([(" DRILL ", "drill"), (f" {model.drill_time}", "bold")])
    return rows


def _walker(model: WatchModel) -> list[Segment]:
    w = model.walker
    who = one_line(w.person) if w.person else "nobody yet"
    if model.status == "closed":
        return [(" Closed", "bold"), (f" · last walked by {who}" if w.person else "", "dim")]
    if model.status == "finished" or w.step_title is None:
        return [(" Walk-through finished", "bold"), (f" · by {who}" if w.person else "", "dim")]
    since = f" (last step {_clock(w.since, model)})" if w.since else ""
    paused = " — paused" if model.status == "paused" else ""
    return [
        (" Walking: ", "dim"),
        (who, "bold"),
        (f" · step {w.number} of {w.of}: ", "dim"),
        (one_line(w.step_title), "bold"),
        (f"{paused}{since}", "dim"),
    ]


def _row(width: int, mark: Segment, when: Segment, name: Segment, right: str) -> list[Segment]:
    """``  MARK     WHEN         NAME …………………… RIGHT``: columns that line up."""
    word, style = mark
    lead = [("  ", ""), (word, style), (" " * max(1, 9 - display_width(word)), "")]
    lead.append((f"{when[0]:<13}", when[1]))
    used = sum(display_width(t) for t, _ in lead)
    room = width - used - display_width(right) - 2
    text = clip(name[0], max(1, room))
    return [
        *lead,
        (text, name[1]),
        (" " * max(2, room - display_width(text) + 2), ""),
        (right, "dim"),
    ]


def _deadline(d: LiveDeadline, model: WatchModel, width: int) -> list[Segment]:
    due = f"due {_clock(d.due_at, model)}"
    if d.deferred is not None:  # its step is deferred: say so, and when it comes back
        d = d._replace(name=f"{d.name} (deferred{', ' if d.deferred else ''}{d.deferred})")
    if d.overdue:
        when: Segment = (f"{stopwatch(-d.seconds_left)} late", "late")
        return _row(width, ("OVERDUE", "overdue"), when, (one_line(d.name), "bold"), due)
    style = "soon" if d.soon else ""
    mark = ("soon", style) if d.soon else ("due", "")
    return _row(
        width, mark, (f"in {stopwatch(d.seconds_left)}", style), (one_line(d.name), ""), due
    )


def _sections(model: WatchModel, width: int) -> list[tuple[str, list[list[Segment]], str]]:
    """(heading, rows, what to say when there are none) in the order of importance."""
    deadlines = [_deadline(d, model, width) for d in model.deadlines]
    follow_ups = []
    for cid, who, channel, due, late in model.follow_ups:
        left = (due - model.now).total_seconds()
        name: Segment = (f"{one_line(who)} ({channel})", "")
        right = f"crisis contact done {cid}"
        if late:
            when: Segment = (f"{stopwatch(-left)} late", "late")
            follow_ups.append(_row(width, ("OVERDUE", "overdue"), when, name, right))
        else:
            follow_ups.append(_row(width, ("due", ""), (f"in {stopwatch(left)}", ""), name, right))
    approvals = []
    for title, platforms, since, approver, asked, refused in model.approvals:
        # who it waits for, whole: wrapped at a space onto the next rows, never cut
        where = f" ({', '.join(platforms)})" if platforms else ""
        if approver is not None and asked is not None:
            wait = stopwatch((model.now - asked).total_seconds())
            said = (
                f"waiting for approval from {one_line(approver)} — {wait}"
                f" (asked {_clock(asked, model)})"
            )
        else:
            said = f"nobody asked to approve it yet (written {_clock(since, model)})"
        lines = wrap(f"{one_line(title)}{where} — {said}", max(10, width - 4))
        approvals.append([("  ", ""), (lines[0], "bold")])
        approvals += [[("    ", ""), (line, "")] for line in lines[1:]]
        for said_no in refused:  # a forged, unsigned or replayed decision: in sight
            approvals += [
                [("    ", ""), (line, "late")]
                for line in wrap(one_line(said_no), max(10, width - 4))
            ]
    coming = [[("  ", ""), (one_line(line), "")] for line in model.coming]
    return [
        *([("COMING NEXT (facilitator only)", coming, "")] if coming else []),
        ("DEADLINES", deadlines, "none open"),
        ("FOLLOW-UPS", follow_ups, ""),
        ("WAITING FOR APPROVAL", approvals, ""),
    ]


def _latest(model: WatchModel) -> list[list[Segment]]:
    rows = []
    for line in reversed(model.events):  # newest first
        rows.append(
            [
                (f"  {_clock(line.ts, model)}  ", "dim"),
                (f"{one_line(line.actor)}  ", "bold"),
                (one_line(line.text), ""),
            ]
        )
    return rows


READ_ONLY = "read-only: nothing is recorded here"


def _footer(model: WatchModel, note: str) -> list[Segment]:
    parts: list[Segment] = [(" q quit", "bold"), (f" · {note}" if note else "", "dim")]
    if model.undelivered:
        parts.append((f" · {model.undelivered} notification(s) not delivered", "late"))
    return parts


def render(
    model: WatchModel, width: int, height: int | None, *, color: bool, footer: str = READ_ONLY
) -> list[str]:
    """The frame as lines (exactly ``height`` of them when given), each ``width`` wide."""
    width = max(width, 20)
    rows: list[list[Segment]] = _header(model, width)
    rows.append([("─" * width, "dim")])
    budget = None if height is None else max(0, height - len(rows) - 1)
    latest = _latest(model)
    sections = _sections(model, width)
    for heading, items, when_none in sections:
        if not items and not when_none:
            continue
        if budget is not None:
            room = budget - (LATEST_RESERVE if latest else 0)
            if room < 2:
                break
            shown = items if len(items) + 1 <= room else items[: max(0, room - 2)]
            hidden = len(items) - len(shown)
        else:
            shown, hidden = items, 0
        rows.append([(f" {heading}", "head"), (f"  {when_none}" if not items else "", "dim")])
        rows.extend(shown)
        if hidden:
            rows.append([(f"  … {hidden} more", "dim")])
        if budget is not None:
            budget -= 1 + len(shown) + (1 if hidden else 0)
    if latest and (budget is None or budget >= 2):
        rows.append([(" LATEST", "head")])
        room = len(latest) if budget is None else budget - 1
        rows.extend(latest[:room])
    if height is not None:
        rows = rows[: height - 1]
        rows += [[("", "")]] * (height - 1 - len(rows))
    rows.append(_footer(model, footer))
    return [_fit(row, width, color) for row in rows]
