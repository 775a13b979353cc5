"""Output formats: full, concise, json, github, sarif, junit, and ``--statistics``.

Each formatter turns a ``Report`` into one string. Playbook text is untrusted: control
characters are made visible in the human formats, escaped in JSON, and made XML-safe in
JUnit; colour is added only when asked to (a terminal), never from the file's content.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crisiscli import __version__
from crisiscli.lint.findings import Finding
from crisiscli.lint.rules import Rule, all_rules
from crisiscli.lint.runner import Report
from crisiscli.text import visible, visible_controls, visible_line

SNIPPET_WIDTH = 120

_RESET = "\x1b[0m"
_STYLES = {
    "error": "\x1b[1;31m",
    "warning": "\x1b[1;33m",
    "path": "\x1b[1m",
    "code": "\x1b[36m",
    "gutter": "\x1b[34m",
    "dim": "\x1b[2m",
}


class _Paint:
    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def __call__(self, style: str, text: str) -> str:
        if not self.colour:
            return text
        return f"{_STYLES[style]}{text}{_RESET}"


def _width(text: str) -> int:
    from crisiscli.width import display_width

    return display_width(text)


def _pad(prefix: str) -> str:
    """Whitespace as wide as ``prefix`` on screen (tabs kept as tabs)."""
    return "".join("\t" if c == "\t" else " " * _width(c) for c in prefix)


def _snippet(finding: Finding, paint: _Paint) -> list[str]:
    line = finding.source_line
    if line is None:
        return []
    start = finding.column - 1
    stop = finding.end_column - 1 if finding.end_line == finding.line else len(line)
    stop = max(stop, start + 1)
    shift = 0
    if len(line) > SNIPPET_WIDTH:  # a window around the column (minified or huge lines)
        shift = max(0, start - SNIPPET_WIDTH // 3)
        line = line[shift : shift + SNIPPET_WIDTH]
        start -= shift
        stop = min(stop - shift, len(line) + 1)
    before = visible_controls(line[:start])
    marked = visible_controls(line[start:stop]) or " "
    shown = visible_controls(line).rstrip()
    if shift:
        shown = "…" + shown
        before = "…" + before
    number = str(finding.line)
    gutter = " " * len(number)
    carets = "^" * max(1, min(_width(marked), SNIPPET_WIDTH))
    return [
        paint("gutter", f"{gutter} |"),
        paint("gutter", f"{number} |") + f" {shown}",
        paint("gutter", f"{gutter} |")
        + f" {_pad(before)}"
        + paint(finding.severity, f"{carets} {finding.rule.name}"),
        paint("gutter", f"{gutter} |"),
    ]


def _header(finding: Finding, paint: _Paint) -> str:
    where = paint("path", f"{visible_line(finding.path)}:{finding.line}:{finding.column}:")
    return (
        f"{where} {paint(finding.severity, finding.severity)} "
        f"{paint('code', finding.code)} {visible_line(finding.message)}"
    )


def summary(report: Report) -> str:
    files = len(report.results)
    errors = report.count("error")
    warnings = report.count("warning")
    noun = "file" if files == 1 else "files"
    quiet = f" ({report.suppressed} suppressed)" if report.suppressed else ""
    if not errors and not warnings:
        return f"{files} {noun} checked: no problems{quiet}."
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    affected = sum(1 for r in report.results if r.findings)
    return f"{files} {noun} checked: {' and '.join(parts)} in {affected} {'file' if affected == 1 else 'files'}{quiet}."


def format_full(report: Report, *, colour: bool = False, **_: Any) -> str:
    paint = _Paint(colour)
    out: list[str] = []
    for finding in report.findings:
        out.append(_header(finding, paint))
        out.extend(_snippet(finding, paint))
        out.append("")
    out.append(summary(report))
    return "\n".join(out) + "\n"


def format_concise(report: Report, **_: Any) -> str:
    out = [
        f"{visible_line(f.path)}:{f.line}:{f.column}: {f.code} {visible_line(f.message)}"
        for f in report.findings
    ]
    out.append(summary(report))
    return "\n".join(out) + "\n"


def finding_data(finding: Finding) -> dict[str, Any]:
    return {
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "code": finding.code,
        "rule": finding.rule.name,
        "severity": finding.severity,
        "message": finding.message,
    }


def format_json(report: Report, **_: Any) -> str:
    return json.dumps([finding_data(f) for f in report.findings], indent=2) + "\n"


# -- GitHub workflow commands -----------------------------------------------------------------


def github_data(text: str) -> str:
    """Escape a workflow command's message (GitHub's rules: %, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """Escape a workflow command's property value (also ':' and ',')."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


def root_relative(path: str, cwd: Path | None, root: Path | None) -> str | None:
    """``path`` (as shown, relative to ``cwd``) relative to the repository root, in POSIX
    form; None when the file is outside the root (or no root is given)."""
    import os

    if root is None:
        return path.replace("\\", "/") if not Path(path).is_absolute() else None
    here = Path(os.path.normpath((cwd or Path.cwd()) / path))
    for candidate, base in ((here, root.absolute()), (here.resolve(), root.resolve())):
        try:
            return candidate.relative_to(base).as_posix()
        except ValueError:
            continue
    return None


def _absolute(path: str, cwd: Path | None) -> Path:
    import os

    return Path(os.path.normpath((cwd or Path.cwd()) / path))


def format_github(
    report: Report, *, cwd: Path | None = None, root: Path | None = None, **_: Any
) -> str:
    out = []
    for f in report.findings:
        # A name or message cannot drive the log viewer (ESC, BEL, bidi) or forge a command.
        shown = visible_line(root_relative(f.path, cwd, root) or str(_absolute(f.path, cwd)))
        props = {
            "file": shown,
            "line": str(f.line),
            "col": str(f.column),
            "endLine": str(f.end_line),
            "endColumn": str(f.end_column),
            "title": f"{f.code} {f.rule.name}",
        }
        joined = ",".join(f"{key}={github_property(value)}" for key, value in props.items())
        out.append(f"::{f.severity} {joined}::{visible(github_data(f.message))}")
    return "".join(line + "\n" for line in out)


# -- SARIF 2.1.0 --------------------------------------------------------------------------------


def _uri(path: str) -> str:
    from urllib.parse import quote

    return quote(path.replace("\\", "/"), safe="/")


def rule_anchor(rule: Rule) -> str:
    return f"{rule.code.lower()}-{rule.name}"


def documentation_uri() -> str | None:
    """The documentation URL the installed package declares (``[project.urls]`` in
    pyproject.toml: ``Documentation``, else ``Homepage``), or None: SARIF then carries no
    link at all rather than one to a made-up address; each rule's ``help`` text stands alone."""
    from importlib import metadata

    try:
        declared = metadata.metadata("crisis").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    urls = {}
    for entry in declared:
        label, _, url = entry.partition(",")
        urls[label.strip().casefold()] = url.strip()
    url = urls.get("documentation") or urls.get("homepage")
    return url if url and url.startswith("https://") else None


def _lint_page(docs: str | None) -> str | None:
    """Where lint is described (SARIF ``informationUri``): ``lint.md`` under the docs URL."""
    return f"{docs.rstrip('/')}/lint.md" if docs else None


def _rule_descriptor(rule: Rule, level: str, page: str | None) -> dict[str, Any]:
    always = (
        " It is one of the loader's errors: always checked, never suppressed, and a "
        "playbook with it does not load."
        if rule.always_on
        else " Select, ignore or suppress it in crisis-lint.toml or with a noqa comment."
    )
    full = f"{rule.summary}{always} Default severity: {rule.severity}."
    section = f"{rule.code} {rule.name}"
    descriptor: dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": full},
        "help": {
            "text": f"{full} How to fix it: docs/lint.md, section {section}.",
            "markdown": f"{full}\n\nHow to fix it: `docs/lint.md`, section **{section}**.",
        },
        "defaultConfiguration": {"level": level},
        "properties": {"always-on": rule.always_on, "tags": ["playbook"]},
    }
    if page:
        descriptor["helpUri"] = f"{page}#{rule_anchor(rule)}"
    return descriptor


def format_sarif(
    report: Report, *, cwd: Path | None = None, root: Path | None = None, **_: Any
) -> str:
    """SARIF 2.1.0; artifact URIs relative to the repository root (``SRCROOT``), so code
    scanning can map them whatever folder ``crisis lint`` ran in."""
    rules = list(all_rules())
    index = {r.code: i for i, r in enumerate(rules)}
    level = {"error": "error", "warning": "warning"}
    base_dir = root or cwd or Path.cwd()
    results = []
    for f in report.findings:
        relative = root_relative(f.path, cwd, base_dir)
        location: dict[str, Any] = (
            {"uri": _uri(relative), "uriBaseId": "SRCROOT"}
            if relative is not None
            else {"uri": _absolute(f.path, cwd).as_uri()}
        )
        results.append(
            {
                "ruleId": f.code,
                "ruleIndex": index[f.code],
                "level": level[f.severity],
                "message": {"text": f.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": location,
                            "region": {
                                "startLine": f.line,
                                "startColumn": f.column,
                                "endLine": f.end_line,
                                "endColumn": f.end_column,
                            },
                        }
                    }
                ],
            }
        )
    import os

    # `--root ..` is a folder, not a path to walk: the base URI names it without `x/..`.
    base = Path(os.path.normpath(base_dir.absolute())).as_uri().rstrip("/") + "/"
    page = _lint_page(documentation_uri())
    driver: dict[str, Any] = {"name": "crisis", "semanticVersion": __version__}
    if page:
        driver["informationUri"] = page
    driver["rules"] = [_rule_descriptor(r, level[r.severity], page) for r in rules]
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "originalUriBaseIds": {"SRCROOT": {"uri": base}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, indent=2) + "\n"


# -- JUnit XML ----------------------------------------------------------------------------------


def _xml_safe(text: str) -> str:
    cleaned = visible_line(text)
    return "".join(c if c not in "\ufffe\uffff" else f"\\u{ord(c):04x}" for c in cleaned)


def _seconds(value: float) -> str:
    """Seconds with millisecond precision, as JUnit (and Surefire's schema) write them."""
    return f"{value:.3f}"


def format_junit(report: Report, *, strict: bool = False, **_: Any) -> str:
    import xml.etree.ElementTree as ET

    failing = {"error"} | ({"warning"} if strict else set())
    suites = ET.Element("testsuites", name="crisis lint")
    total = failures = 0
    total_seconds = 0.0
    for result in report.results:
        # The file is named on the suite: Jenkins' JUnit schema allows no file or line on a
        # test case (both are in the case's name and failure text).
        suite = ET.SubElement(
            suites, "testsuite", name=_xml_safe(result.path), file=_xml_safe(result.path)
        )
        # One check makes all of a file's findings: its time is shared among its cases.
        case_time = _seconds(result.seconds / max(1, len(result.findings)))
        cases = 0
        fails = 0
        if not result.findings:
            ET.SubElement(
                suite, "testcase", name="lint", classname=_xml_safe(result.path), time=case_time
            )
            cases = 1
        for f in result.findings:
            cases += 1
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"{f.code} {f.rule.name} at {f.line}:{f.column}",
                classname=_xml_safe(f.path),
                time=case_time,
            )
            text = f"{visible_line(f.path)}:{f.line}:{f.column}: {f.code} {f.message}"
            if f.severity in failing:
                fails += 1
                failure = ET.SubElement(
                    case, "failure", message=_xml_safe(f.message), type=f"{f.code} {f.severity}"
                )
                failure.text = _xml_safe(text)
            else:
                out = ET.SubElement(case, "system-out")
                out.text = _xml_safe(f"{f.severity}: {text}")
        suite.set("tests", str(cases))
        suite.set("failures", str(fails))
        suite.set("errors", "0")
        suite.set("time", _seconds(result.seconds))
        total += cases
        failures += fails
        total_seconds += result.seconds
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    suites.set("errors", "0")
    suites.set("time", _seconds(total_seconds))
    body = ET.tostring(suites, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


# -- statistics ---------------------------------------------------------------------------------


def statistics(report: Report, fmt: str) -> str:
    counts = Counter((f.code, f.severity) for f in report.findings)
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0]))
    from crisiscli.lint.rules import BY_CODE

    if fmt == "json":
        data = [
            {"code": code, "rule": BY_CODE[code].name, "severity": sev, "count": n}
            for (code, sev), n in rows
        ]
        return json.dumps(data, indent=2) + "\n"
    width = max((len(str(n)) for n in counts.values()), default=1)
    out = [f"{n:>{width}}  {code}  {sev:<7}  {BY_CODE[code].name}" for (code, sev), n in rows]
    out.append(summary(report))
    return "\n".join(out) + "\n"


FORMATTERS: dict[str, Callable[..., str]] = {
    "full": format_full,
    "concise": format_concise,
    "json": format_json,
    "github": format_github,
    "sarif": format_sarif,
    "junit": format_junit,
}
HUMAN = ("full", "concise")
