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
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from crisiscli.errors import CrisisError, ExitCode, Location, UsageError
from crisiscli.text import json_dumps, md_escape_block, visible
from crisiscli.views.report.charts import mermaid_gantt, mermaid_label, timeline_svg
from crisiscli.walk.deadlines import format_duration

TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_TEMPLATES = {"md": "report.md.j2", "html": "report.html.j2"}
FORMATS = ("md", "html", "json")


class TemplateError(CrisisError):
    exit_code = ExitCode.INVALID_INPUT


def render_json(report: dict[str, Any]) -> str:
    # No raw C1, bidi or invisible character in the text (escaped, the value unchanged).
    return json_dumps(report) + "\n"


def render(report: dict[str, Any], fmt: str, template: Path | None = None) -> str:
    """The report as text; ``template`` replaces the default md/html template."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}' (choose one of: {', '.join(FORMATS)})")
    if template is None and fmt == "json":
        return render_json(report)
    if template is None:
        return _render_template(TEMPLATES, DEFAULT_TEMPLATES[fmt], report, html=fmt == "html")
    if not template.is_file():
        raise UsageError(f"{template}: no such template file")
    name = template.name.lower()
    html = fmt == "html" or name.endswith((".html", ".htm", ".html.j2", ".htm.j2", ".html.jinja"))
    return _render_template(
        template.resolve().parent, template.name, report, html=html, shown=str(template)
    )


# -- filters (documented in docs/report.md) --------------------------------------------------


# Anything md_escape would change, or a line break: plain text skips the escaping work.
_MD_WORK = re.compile(r"[\\`*_{}\[\]()<>#+!|~^&\x00-\x1f\x7f-\x9f\u2028\u2029-]")


def _md(value: Any) -> str:
    """Inline markdown: escaped, line breaks as <br> (safe in tables and list items)."""
    if value is None:
        return "—"
    text = str(value)
    if _MD_WORK.search(text) is None:
        return text
    return "<br>".join(md_escape_block(text))


def _md_quote(value: Any) -> str:
    """A markdown block quote that keeps the text's line breaks (hard breaks)."""
    if value is None:
        return ">"
    lines = md_escape_block(str(value))
    out = []
    for i, line in enumerate(lines):
        more = i + 1 < len(lines) and lines[i + 1] != ""
        out.append(f"> {line}" + ("  " if more and line else "") if line else ">")
    return "\n".join(out)


def _md_para(value: Any) -> str:
    if value is None:
        return ""
    return "  \n".join(md_escape_block(str(value)))


def _local(ts: Any) -> str:
    if not isinstance(ts, dict):
        return "—"
    return f"{str(ts['local'])[:19].replace('T', ' ')} {ts['zone']}"


def _utc(ts: Any) -> str:
    if not isinstance(ts, dict):
        return "—"
    return f"{str(ts['utc'])[:19].replace('T', ' ')} UTC"


def _when(ts: Any) -> str:
    """``2026-11-23 16:00:00 CET (15:00:00 UTC)``; the UTC date shown when it differs."""
    if not isinstance(ts, dict):
        return "—"
    local, utc = str(ts["local"]), str(ts["utc"])
    if local.endswith("+00:00") and local[:19] == utc[:19] and ts["zone"] in ("UTC", "GMT"):
        return f"{local[:19].replace('T', ' ')} UTC"
    utc_part = utc[11:19] if utc[:10] == local[:10] else utc[:19].replace("T", " ")
    return f"{local[:19].replace('T', ' ')} {ts['zone']} ({utc_part} UTC)"


def _duration(seconds: Any) -> str:
    if seconds is None:
        return "—"
    return format_duration(float(seconds))


def _deadline_result(dl: Any) -> str:
    state, late = dl["state"], dl["late_by_seconds"]
    if state == "met":
        return f"met, {format_duration(-(late or 0))} early" if late else "met, on the minute"
    if state == "missed":
        return f"missed by {format_duration(late)}" if late is not None else "missed (never done)"
    if state == "overdue":
        return f"overdue by {format_duration(late or 0)}"
    return {"waived": "not needed", "open": "open"}.get(state, str(state))


STATUS_WORDS = {
    "done": "done",
    "skipped": "skipped",
    "deferred": "deferred",
    "not_applicable": "not applicable",
    "active": "in progress",
    "not_reached": "not reached",
}


def _status(value: Any) -> str:
    return STATUS_WORDS.get(str(value), str(value))


FILTERS: dict[str, Callable[..., Any]] = {
    "md": _md,
    "md_quote": _md_quote,
    "md_para": _md_para,
    "local": _local,
    "utc": _utc,
    "when": _when,
    "duration": _duration,
    "deadline_result": _deadline_result,
    "status_word": _status,
    "mermaid_label": mermaid_label,
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
    return env


def _render_template(
    root: Path, name: str, report: dict[str, Any], *, html: bool, shown: str | None = None
) -> str:
    import jinja2

    env = _environment(root, html=html, tidy=shown is None)
    where = shown or name
    try:
        template = env.get_template(name)
        return str(template.render(report=report, **report))
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
