"""``--template FILE``: a person's own template, rendered in a separate process with a budget.

The template already runs in Jinja2's sandbox (``render._environment``): no internals, no
imports. But a sandbox does not stop a template that never ends (two nested loops of
100,000 are 10^10 iterations), makes gigabytes of text, or asks for ``"x" * 10**10``. So a
user template is rendered by a child Python that gets the report model as JSON (the model is
JSON-ready: it is what ``--format json`` prints) and these budgets:

- time: ``TEMPLATE_SECONDS`` (30 s; ``CRISIS_TEMPLATE_SECONDS`` changes it), after which the
  child is killed;
- output: ``TEMPLATE_MAX_CHARS`` characters (64 Mi), counted as the template makes them;
- memory: ``TEMPLATE_MAX_BYTES`` of address space (2 GiB, ``RLIMIT_AS``) on POSIX.

Each ends with one line naming the template, exit code 3, and nothing written. The shipped
templates are ours and render in-process, streamed, as before.

The child is ``python -m crisiscli.views.report.render`` (a JSON header line, then the model,
on its stdin), which hands its ``_generate`` to ``child`` here: this module never imports the
renderer, so the two do not import each other.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from crisiscli.errors import CrisisError, ExitCode, Location

TEMPLATE_SECONDS = 30.0
TEMPLATE_MAX_CHARS = 64 * 1024 * 1024
TEMPLATE_MAX_BYTES = 2 * 1024 * 1024 * 1024
_OVER_OUTPUT = 65  # the child's exit status when the template made too much text
_OVER_MEMORY = 66
_TEMPLATE_ERROR = 67


class TemplateError(CrisisError):
    exit_code = ExitCode.INVALID_INPUT


def budget_seconds() -> float:
    """``CRISIS_TEMPLATE_SECONDS`` when it is a positive number, else ``TEMPLATE_SECONDS``."""
    raw = os.environ.get("CRISIS_TEMPLATE_SECONDS", "").strip()
    try:
        value = float(raw)
    except ValueError:
        return TEMPLATE_SECONDS
    return value if 0 < value < 86400 else TEMPLATE_SECONDS


def render_user_template(
    root: Path,
    name: str,
    report: dict[str, Any],
    *,
    html: bool,
    shown: str,
    extra: dict[str, Any],
    model_json: str,
    in_process: Callable[[], str],
) -> str:
    """The template's whole output, rendered in a child process within the budgets.
    ``model_json`` is ``report`` as JSON; ``in_process`` renders it here, for a Python that
    cannot start another (a frozen build)."""
    seconds = budget_seconds()
    where = Location(shown)
    if getattr(sys, "frozen", False) or not sys.executable:  # no Python to start: in-process
        return in_process()
    header = {
        "root": str(root),
        "name": name,
        "html": html,
        "shown": shown,
        "extra": extra,
        "max_chars": TEMPLATE_MAX_CHARS,
        "max_bytes": TEMPLATE_MAX_BYTES,
        "seconds": seconds,
    }
    payload = (json.dumps(header) + "\n" + model_json).encode("utf-8", "surrogatepass")
    try:
        done = subprocess.run(
            [sys.executable, "-X", "utf8", "-m", "crisiscli.views.report.render"],
            input=payload,
            capture_output=True,
            timeout=seconds,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise TemplateError(
            f"the template ran longer than {seconds:g} s (a loop that never ends?) and was "
            "stopped; nothing was written",
            location=where,
            exit_code=ExitCode.INVALID_INPUT,
            hint="CRISIS_TEMPLATE_SECONDS gives a slow template more time",
        ) from None
    if done.returncode == 0:
        return done.stdout.decode("utf-8", "surrogatepass")
    if done.returncode == _TEMPLATE_ERROR:
        try:
            error = json.loads(done.stderr.decode("utf-8", "replace").strip().splitlines()[-1])
            location = Location(error["path"], error.get("line"))
            message = str(error["message"])
        except (ValueError, KeyError, IndexError, TypeError):
            location, message = where, "template error"
        raise TemplateError(message, location=location)
    if done.returncode == _OVER_OUTPUT:
        raise TemplateError(
            f"the template made more than {TEMPLATE_MAX_CHARS:,} characters of output and was "
            "stopped; nothing was written",
            location=where,
        )
    if done.returncode == _OVER_MEMORY:
        raise TemplateError(
            f"the template needed more than {TEMPLATE_MAX_BYTES // (1024 * 1024 * 1024)} GiB of "
            "memory and was stopped; nothing was written",
            location=where,
        )
    last = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
    raise TemplateError(
        f"the template could not be rendered (its process ended with status "
        f"{done.returncode}{': ' + last[0][:200] if last[0] else ''}); nothing was written",
        location=where,
    )


class _OverOutput(Exception):
    pass


def _limit_memory(max_bytes: int) -> None:
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        wanted = max_bytes if hard == resource.RLIM_INFINITY else min(max_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    except (ValueError, OSError):
        pass


def child(generate: Callable[..., Iterator[str]]) -> int:
    """In the child: render the template read from stdin with ``generate`` (the renderer's);
    the text on stdout, or a status (and a JSON error line on stderr)."""
    stdin = sys.stdin.buffer
    header = json.loads(stdin.readline())
    report = json.loads(stdin.read().decode("utf-8", "surrogatepass"))
    _limit_memory(int(header["max_bytes"]))
    out: list[str] = []
    made = 0
    limit = int(header["max_chars"])
    try:
        for piece in generate(
            Path(header["root"]),
            header["name"],
            report,
            html=bool(header["html"]),
            shown=header["shown"],
            extra=header["extra"],
        ):
            made += len(piece)
            if made > limit:
                raise _OverOutput
            out.append(piece)
        text = "".join(out)
    except _OverOutput:
        return _OVER_OUTPUT
    except MemoryError:
        out.clear()
        return _OVER_MEMORY
    except TemplateError as exc:
        where = exc.location or Location(header["shown"])
        sys.stderr.write(
            json.dumps({"message": exc.message, "path": where.path, "line": where.line}) + "\n"
        )
        return _TEMPLATE_ERROR
    sys.stdout.buffer.write(text.encode("utf-8", "surrogatepass"))
    sys.stdout.buffer.flush()
    return 0
