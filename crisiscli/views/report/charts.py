"""Pictures of an incident drawn from the report model: a Mermaid gantt and an inline SVG.

Both take only the model (plain data) and escape everything they place: Mermaid labels are
reduced to letters, digits and a few safe marks (Mermaid has no escaping of its own); SVG
text is XML-escaped. The SVG has no external references and parses as XML on its own.
"""

from __future__ import annotations

import re
from html import escape as _xml_escape
from typing import Any

from crisiscli.text import visible
from crisiscli.walk.deadlines import format_duration

_MERMAID_UNSAFE = re.compile(r"[^\w .,'()/+]")
_MERMAID_KEYWORDS = {
    "title", "section", "dateformat", "axisformat", "excludes", "includes", "todaymarker",
    "tickinterval", "weekday", "click", "acctitle", "accdescr", "inclusiveenddates", "topaxis",
    "displaymode", "gantt", "call", "href",
}  # fmt: skip


def escape(text: Any) -> str:
    """XML-escaped, with controls, bidi and invisible characters made visible."""
    return _xml_escape(visible(str(text)))


def mermaid_label(text: Any, fallback: str = "item") -> str:
    """Text reduced to what a Mermaid gantt shows literally: no ``:``, ``#``, ``;``, ``-->``."""
    cleaned = " ".join(_MERMAID_UNSAFE.sub(" ", visible(str(text))).split())[:60].strip()
    if not cleaned:
        return fallback
    if cleaned.split()[0].casefold() in _MERMAID_KEYWORDS:
        cleaned = f"Phase {cleaned}"
    return cleaned


def _instant_ms(ts: dict[str, str]) -> int:
    """The instant as milliseconds since the epoch: the same moment in every time zone."""
    from datetime import datetime

    return int(datetime.fromisoformat(ts["utc"].replace("Z", "+00:00")).timestamp() * 1000)


def mermaid_gantt(report: dict[str, Any]) -> str:
    """Phases against time with milestones, as a Mermaid ``gantt`` (no fences).

    Times are instants, never wall-clock text: ``dateFormat x`` (milliseconds since the
    epoch, which Mermaid reads as ``new Date(ms)``) and each length as a duration in seconds.
    Wall-clock times without a zone are drawn in the viewer's zone, so across a DST change
    a phase drew with no length or the wrong one; instants and durations draw the same
    lengths everywhere, and the axis shows the viewer's own clock.
    """
    lines = [
        "gantt",
        "    title Phases against time (axis in your local time)",
        "    dateFormat x",
        "    axisFormat %H:%M",
    ]
    n = 0
    for phase in report["phases"]:
        start, end = phase["started_at"], phase["ended_at"]
        if start is None:
            continue
        n += 1
        label = mermaid_label(phase["title"], "phase")
        lines.append(f"    section {label}")
        seconds = _instant_ms(end) // 1000 - _instant_ms(start) // 1000 if end else 0
        lines.append(f"    {label} :p{n}, {_instant_ms(start)}, {max(seconds, 60)}s")
    reached = [m for m in report["metrics"]["milestones"] if m["reached_at"] is not None]
    if reached:
        lines.append("    section Milestones")
        for i, m in enumerate(reached, start=1):
            label = mermaid_label(m["label"], "milestone")
            lines.append(f"    {label} :milestone, m{i}, {_instant_ms(m['reached_at'])}, 0s")
    if n == 0 and not reached:
        return ""
    return "\n".join(lines)


_STEPS = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800]


def _tick_step(total: float) -> int:
    for step in _STEPS:
        if total / step <= 8:
            return step
    return int(total / 8) + 1


def _span_of(report: dict[str, Any]) -> float:
    """The incident's own span: to the end of its last phase or milestone (at least a
    minute). Deadlines further out do not stretch it: eleven minutes of work stay visible."""
    total = 60.0
    for phase in report["phases"]:
        total = max(total, phase["end_offset_seconds"] or 0.0)
    for m in report["metrics"]["milestones"]:
        total = max(total, m["seconds"] or 0.0)
    return total


def _offset(report: dict[str, Any], ts: dict[str, str] | None) -> float | None:
    from datetime import datetime

    start = report["incident"]["started_at"]
    if ts is None or start is None:
        return None
    return (
        datetime.fromisoformat(ts["local"]) - datetime.fromisoformat(start["local"])
    ).total_seconds()


DEADLINE_WORDS = {"met": "met", "missed": "missed", "overdue": "overdue", "open": "not due yet"}


def timeline_svg(report: dict[str, Any]) -> str:
    """Phases as bars, milestones as diamonds and deadlines as dashed lines, over the
    incident's own span; a deadline beyond it is a labelled marker at the right edge."""
    width, left, right, row = 760, 190, 20, 26
    phases = list(report["phases"])
    milestones = [m for m in report["metrics"]["milestones"] if m["seconds"] is not None]
    total = _span_of(report)
    inside: list[tuple[float, dict[str, Any]]] = []
    beyond: list[tuple[float, dict[str, Any]]] = []
    for dl in report["deadlines"]:
        off = _offset(report, dl["due_at"])
        if dl["state"] == "waived" or off is None:
            continue
        (inside if off <= total else beyond).append((off, dl))
    top = 30
    axis_y = top + row * (len(phases) + 1)
    height = axis_y + 40 + row * len(beyond)
    plot = width - left - right

    def x(seconds: float) -> float:
        return round(left + plot * min(max(0.0, seconds), total) / total, 1)

    out = [
        f'<svg class="timeline" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet">',
        "<title>Phases, milestones and deadlines against time since the start</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" class="bg"/>',
    ]
    step = _tick_step(total)
    tick = 0
    while tick <= total:
        tx = x(tick)
        out.append(f'<line x1="{tx}" y1="{top - 8}" x2="{tx}" y2="{axis_y}" class="grid"/>')
        label = "start" if tick == 0 else "+" + format_duration(tick)
        out.append(
            f'<text x="{tx}" y="{axis_y + 16}" class="tick" text-anchor="middle">{escape(label)}</text>'
        )
        tick += step
    for i, phase in enumerate(phases):
        y = top + i * row
        out.append(
            f'<text x="{left - 8}" y="{y + 16}" class="label" text-anchor="end">'
            f"{escape(_short(phase['title']))}</text>"
        )
        start, end = phase["start_offset_seconds"], phase["end_offset_seconds"]
        if start is None:
            continue
        x1, x2 = x(start), x(end if end is not None else start)
        w = max(round(x2 - x1, 1), 3.0)
        tip = f"{phase['title']}: {phase['started_at']['local'] if phase['started_at'] else ''}"
        out.append(
            f'<rect x="{x1}" y="{y + 4}" width="{w}" height="{row - 8}" class="phase">'
            f"<title>{escape(tip)}</title></rect>"
        )
    my = top + len(phases) * row
    out.append(
        f'<text x="{left - 8}" y="{my + 16}" class="label" text-anchor="end">Milestones</text>'
    )
    for m in milestones:
        mx = x(m["seconds"])
        cy = my + row / 2
        points = f"{mx},{cy - 7} {mx + 7},{cy} {mx},{cy + 7} {mx - 7},{cy}"
        tip = f"{m['label']}: {format_duration(m['seconds'])} after the start"
        out.append(
            f'<polygon points="{points}" class="milestone"><title>{escape(tip)}</title></polygon>'
        )
    for off, dl in inside:
        dx = x(off)
        tip = f"Deadline: {dl['label']} at +{format_duration(off)} ({_state(dl)})"
        out.append(
            f'<line x1="{dx}" y1="{top - 8}" x2="{dx}" y2="{axis_y}" class="deadline {escape(dl["state"])}">'
            f"<title>{escape(tip)}</title></line>"
        )
    for i, (off, dl) in enumerate(beyond):
        y = axis_y + 40 + i * row
        ex = left + plot
        text = f"{dl['label']} at +{format_duration(off)} ({_state(dl)}), beyond this span →"
        out.append(
            f'<path d="M {ex - 9} {y - 13} L {ex} {y - 8} L {ex - 9} {y - 3} Z" class="later-mark"/>'
        )
        out.append(
            f'<text x="{ex - 14}" y="{y - 4}" class="tick later" text-anchor="end">'
            f"Deadline: {escape(_short(text, 90))}</text>"
        )
    out.append(f'<text x="{left}" y="{top - 14}" class="tick">time since the start →</text>')
    out.append("</svg>")
    return "\n".join(out)


def _state(dl: dict[str, Any]) -> str:
    return DEADLINE_WORDS.get(str(dl["state"]), str(dl["state"]))


def _short(text: str, limit: int = 28) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
