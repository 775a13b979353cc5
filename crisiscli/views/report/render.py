"""Render the report model as markdown, HTML (Jinja2 templates) or JSON.

The default templates ship in ``crisiscli/views/report/templates``. ``--template FILE`` uses the
same sandboxed environment (``jinja2.sandbox.SandboxedEnvironment``: no attribute access to
internals, no imports, nothing run from the template but filters listed in docs/report.md)
with the report model as its context. HTML output is autoescaped; markdown templates escape
with the ``md`` filters. Jinja2 is imported here only, never at start-up.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from crisiscli.errors import Location, UsageError
from crisiscli.text import json_dumps, md_cell, md_inline, md_lines, visible
from crisiscli.views.log_sections import STATUS_WORDS as LOG_STATUS_WORDS
from crisiscli.views.log_sections import settled_deadline_words
from crisiscli.views.report.charts import mentions_svg, mermaid_gantt, mermaid_label, timeline_svg
from crisiscli.views.report.model import Rows
from crisiscli.views.report.sandbox import TemplateError
from crisiscli.walk.deadlines import format_duration

TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_TEMPLATES = {"md": "report.md.j2", "html": "report.html.j2"}
FORMATS = ("md", "html", "json")


def json_chunks(report: dict[str, Any]) -> Iterator[str]:
    """The model as JSON, indented, piece by piece; the rows of ``notes`` and ``timeline``
    one per line (a 100,000-event timeline is written row by row, never held whole)."""
    # No raw C1, bidi or invisible character in the text (escaped, the value unchanged).
    yield "{\n"
    last = len(report) - 1
    for i, (key, value) in enumerate(report.items()):
        yield f"  {json_dumps(key)}: "
        if isinstance(value, Rows) and len(value):
            for n, row in enumerate(value):
                yield ("[\n    " if n == 0 else ",\n    ") + json_dumps(row, indent=None)
            yield "\n  ]"
        elif isinstance(value, Rows):
            yield "[]"
        else:  # JSON strings hold no raw line breaks: re-indenting is safe
            yield json_dumps(value).replace("\n", "\n  ")
        yield ",\n" if i < last else "\n"
    yield "}\n"


def render(
    report: dict[str, Any],
    fmt: str,
    template: Path | None = None,
    thumbnails: dict[str, str] | None = None,
) -> str:
    """The report as text; ``template`` replaces the default md/html template."""
    return "".join(render_chunks(report, fmt, template, thumbnails))


def render_chunks(
    report: dict[str, Any],
    fmt: str,
    template: Path | None = None,
    thumbnails: dict[str, str] | None = None,
) -> Iterator[str]:
    """The report as pieces of text, made as they are written, so a long incident's report
    is never held whole. The default templates and JSON stream; a ``--template`` is rendered
    completely first, so an error in it leaves no half-written output. ``thumbnails``
    (evidence SHA-256 → ``data:`` URI) are shown inline in HTML."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}' (choose one of: {', '.join(FORMATS)})")
    if template is None and fmt == "json":
        return json_chunks(report)
    extra = {"thumbnails": thumbnails or {}}
    if template is None:
        return _generate(TEMPLATES, DEFAULT_TEMPLATES[fmt], report, html=fmt == "html", extra=extra)
    if not template.is_file():
        raise UsageError(f"{template}: no such template file")
    name = template.name.lower()
    html = fmt == "html" or name.endswith((".html", ".htm", ".html.j2", ".htm.j2", ".html.jinja"))
    from crisiscli.views.report.sandbox import render_user_template

    root = template.resolve().parent
    text = render_user_template(  # its own process, with a time, output and memory budget
        root,
        template.name,
        report,
        html=html,
        shown=str(template),
        extra=extra,
        model_json="".join(json_chunks(report)),
        in_process=lambda: _render_template(
            root, template.name, report, html=html, shown=str(template), extra=extra
        ),
    )
    return iter((text,))


# -- filters (documented in docs/report.md) --------------------------------------------------
# Markdown is escaped where the text lands, and only where it would change the rendering
# (``crisiscli/text.py``): people read these files as text too.


# Text without any of these needs no escaping inline or in a cell (most names, times and
# timeline lines): the filters hand it back as it is, without the escaping work.
_PLAIN = re.compile(r"[^*`\[\]<>~\\&_|\n\r\x00-\x1f\x7f-\x9f\u2028\u2029]*")


def _md(value: Any, start: bool = False) -> str:
    """Inline markdown (line breaks become ``<br>``); ``start=True`` where the text begins a
    block, e.g. a list item's first words (``1. `` or ``# `` would format there)."""
    if value is None:
        return "—"
    text = str(value)
    if not start and _PLAIN.fullmatch(text):
        return text
    return md_inline(text, starts_block=start)


def _md_cell(value: Any) -> str:
    """Text in a table cell: inline escaping, and ``|`` would end the cell."""
    if value is None:
        return "—"
    text = str(value)
    return text if _PLAIN.fullmatch(text) else md_cell(text)


def _md_heading(value: Any) -> str:
    """Text in an ATX heading: inline escaping, and a closing ``#`` run would be dropped."""
    if value is None:
        return "—"
    text = md_inline(str(value)).rstrip()  # a heading ends at its last visible character
    stripped = text.rstrip("#")
    if stripped != text and (not stripped or stripped[-1] in " \t"):
        text = stripped + "\\" + text[len(stripped) :]
    return text


def _md_quote(value: Any) -> str:
    """A markdown block quote that keeps the text's line breaks (hard breaks)."""
    if value is None:
        return ">"
    lines = md_lines(str(value))
    out = []
    for i, line in enumerate(lines):
        more = i + 1 < len(lines) and lines[i + 1] != ""
        out.append(f"> {line}" + ("  " if more and line else "") if line else ">")
    return "\n".join(out)


def _md_para(value: Any) -> str:
    if value is None:
        return ""
    return "  \n".join(md_lines(str(value)))


def _local(ts: Any) -> str:
    if not isinstance(ts, dict):
        return "—"
    return f"{str(ts['local'])[:19].replace('T', ' ')} {ts['zone']}"


def _utc(ts: Any) -> str:
    if not isinstance(ts, dict):
        return "—"
    return f"{str(ts['utc'])[:19].replace('T', ' ')} UTC"


def _when(ts: Any) -> str:
    """``2026-11-23 16:00:00 CET (15:00:00 UTC)``; the UTC date shown when it differs; only
    one time where local time is UTC (or has its offset): it would say the same twice."""
    if not isinstance(ts, dict):
        return "—"
    local, utc = str(ts["local"]), str(ts["utc"])
    shown = f"{local[:19].replace('T', ' ')} {ts['zone']}"
    if local.endswith("+00:00"):
        return shown
    utc_part = utc[11:19] if utc[:10] == local[:10] else utc[:19].replace("T", " ")
    return f"{shown} ({utc_part} UTC)"


def _clock(ts: Any) -> str:
    """``22:05`` local time (with the zone): the moment within a day the reader follows."""
    if not isinstance(ts, dict):
        return "—"
    return f"{str(ts['local'])[11:16]} {ts['zone']}"


def _duration(seconds: Any) -> str:
    """As everywhere (``1h 30m``), but a day or more keeps its minutes: a report sets its
    clocks side by side, and "1d 0h" beside "23h 55m" hides 35 minutes."""
    if seconds is None:
        return "—"
    whole = abs(int(float(seconds)))
    if whole >= 86400:
        sign = "-" if float(seconds) < 0 else ""
        days, rest = divmod(whole, 86400)
        return f"{sign}{days}d {rest // 3600}h {rest % 3600 // 60:02d}m"
    return format_duration(float(seconds))


def _deadline_result(dl: Any) -> str:
    """What became of a deadline, in words that are true when the report is made: as the log
    says it once settled; while open, how long is left (or how late it is)."""
    if dl["state"] == "missed" and dl.get("why") == "no update":
        return f"missed at {_clock(dl['due_at'])}: no public update by then"
    settled = settled_deadline_words(dl["state"], dl["late_by_seconds"], dl.get("why"))
    if settled is not None:
        return settled
    if dl["state"] == "overdue":
        return f"overdue by {format_duration(dl['late_by_seconds'] or 0)}, not done yet"
    left = dl.get("seconds_left")
    return f"not due yet (due in {format_duration(left)})" if left is not None else "not due yet"


def _silent(dl: Any) -> bool:
    return bool(
        dl["kind"] == "cadence" and dl["state"] == "missed" and dl.get("why") == "no update"
    )


def _clock_id(dl: Any) -> str:
    return str(dl["key"]).rsplit(":", 1)[0]  # cadence:<id>:<n> → cadence:<id>


def _deadline_table(deadlines: Any) -> list[dict[str, Any]]:
    """The deadline rows as the report shows them, in the order things happened. A run of
    update-clock occurrences missed in silence is one row that names each miss at its time
    ("missed 21 times, at 22:25, 23:25, …"): the JSON keeps every occurrence."""
    rows: list[dict[str, Any]] = []
    run: list[Any] = []

    def flush() -> None:
        if not run:
            return
        if len(run) == 1:
            rows.append({**run[0], "result": _deadline_result(run[0]), "first_at": run[0]["at"]})
        else:
            first, last = run[0], run[-1]
            parts = re.match(r"(.*) #\d+(.*)$", str(first["label"]))
            head, tail = (parts.group(1), parts.group(2)) if parts else (first["label"], "")
            label = f"{head} #{first['occurrence']} to #{last['occurrence']}{tail}"
            zone = first["due_at"]["zone"] if isinstance(first["due_at"], dict) else ""
            times = ", ".join(_clock(d["due_at"]).split(" ")[0] for d in run) + f" {zone}"
            rows.append(
                {
                    **first,
                    "label": label,
                    "step_title": label,
                    "first_at": first["at"],
                    "at": last["at"],
                    "result": f"missed {len(run)} times, at {times}: no public update in between",
                    "misses": len(run),
                }
            )
        run.clear()

    for dl in deadlines:
        same_clock = bool(run) and _clock_id(run[-1]) == _clock_id(dl)
        if not (_silent(dl) and same_clock):
            flush()
        if _silent(dl):
            run.append(dl)
        else:
            rows.append({**dl, "result": _deadline_result(dl), "first_at": dl["at"]})
    flush()
    return rows


# Step statuses in words, as the log says them; a step the walk-through never reached.
STATUS_WORDS = {**LOG_STATUS_WORDS, "not_reached": "not reached"}


def _status(value: Any) -> str:
    return STATUS_WORDS.get(str(value), str(value))


INCIDENT_STATUS_WORDS = {
    "active": "active (the walk-through is under way)",
    "paused": "paused (crisis resume continues it)",
    "finished": "walk-through finished, not closed yet",
    "closed": "closed",
}


def _incident_status(value: Any) -> str:
    return INCIDENT_STATUS_WORDS.get(str(value), str(value))


def _by_audience(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages that went out under one heading per audience: ``heading``, ``messages``."""
    from crisiscli.views.report.model import sent_groups

    return sent_groups(list(messages))


FILTERS: dict[str, Callable[..., Any]] = {
    "md": _md,
    "md_cell": _md_cell,
    "md_heading": _md_heading,
    "md_quote": _md_quote,
    "md_para": _md_para,
    "local": _local,
    "utc": _utc,
    "when": _when,
    "duration": _duration,
    "deadline_result": _deadline_result,
    "deadline_table": _deadline_table,
    "clock": _clock,
    "status_word": _status,
    "incident_status": _incident_status,
    "mermaid_label": mermaid_label,
    "by_audience": _by_audience,
}


def _environment(root: Path, *, html: bool, tidy: bool) -> Any:
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment
    from markupsafe import Markup

    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(root)),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=tidy,  # the shipped templates; user templates get Jinja's defaults
        lstrip_blocks=tidy,
        # Every value placed by a template shows its controls, bidi and invisible characters
        # (a report printed to a terminal must not drive it); markup made here is left alone.
        finalize=lambda value: visible(value) if type(value) is str else value,
    )
    env.filters.update(FILTERS)
    env.globals["mermaid_gantt"] = mermaid_gantt
    env.globals["timeline_svg"] = lambda report: Markup(timeline_svg(report))
    env.globals["mentions_svg"] = lambda report: Markup(mentions_svg(report))
    return env


def _render_template(
    root: Path,
    name: str,
    report: dict[str, Any],
    *,
    html: bool,
    shown: str | None = None,
    extra: dict[str, Any] | None = None,
) -> str:
    return "".join(_generate(root, name, report, html=html, shown=shown, extra=extra))


def _generate(
    root: Path,
    name: str,
    report: dict[str, Any],
    *,
    html: bool,
    shown: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Iterator[str]:
    import jinja2

    env = _environment(root, html=html, tidy=shown is None)
    where = shown or name
    try:
        template = env.get_template(name)
        for piece in template.generate(report=report, **report, **(extra or {})):
            yield str(piece)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"template syntax error: {exc.message}",
            location=Location(_shown_for(exc.filename, root, where), exc.lineno),
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template not found: {exc.name}", location=Location(where)) from None
    except (jinja2.TemplateError, TypeError, ValueError, KeyError, AttributeError) as exc:
        filename, line = _template_line(sys.exc_info()[2], root)
        message = getattr(exc, "message", None) or str(exc)
        raise TemplateError(
            f"template error: {message}",
            location=Location(_shown_for(filename, root, where), line),
        ) from None


def _shown_for(filename: str | None, root: Path, where: str) -> str:
    if filename is None:
        return where
    path = Path(filename)
    if where.endswith(path.name):
        return where
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _template_line(tb: TracebackType | None, root: Path) -> tuple[str | None, int | None]:
    """The innermost traceback frame that runs template code: its file and line."""
    found: tuple[str | None, int | None] = (None, None)
    root_text = str(root)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(root_text) and not filename.endswith(".py"):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


if __name__ == "__main__":  # the process a --template is rendered in (report/sandbox.py)
    from crisiscli.views.report.sandbox import child

    sys.exit(child(_generate))
