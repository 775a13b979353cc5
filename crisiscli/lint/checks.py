"""Lint one file: read once, parse once, build once, then run the semantic checks.

The loader (``playbook.yamlsource`` + ``playbook.load``) already reports positioned
problems with rule names; they map to ``CR`` codes here. Structural errors (``CR0xx``,
``CR1xx``) come first; while a file has any, the reference and semantic checks wait,
so one broken structure does not cascade into dozens of findings.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from crisiscli.errors import CrisisError, PlaybookError
from crisiscli.lint import cadence, noqa, pathrules, semantic
from crisiscli.lint.config import LintConfig
from crisiscli.lint.findings import FileResult, LintFinding, SourceLines
from crisiscli.lint.rules import BY_CODE, LOADER_RULES, Rule

Path_ = tuple[str | int, ...]

_UNSUPPORTED = (
    "unsupported YAML",
    "document expands",
    "nested deeper",
    "an alias refers",
    "mapping keys must",
    "a merge key",
)


def platforms_module() -> Any:
    """The composer's platform counting (imported when first needed)."""
    from crisiscli.messages import platforms

    return platforms


class _Context:
    def __init__(self, shown: str, text: str, doc: Any) -> None:
        self.shown = shown
        self.source = SourceLines(text)
        self.doc = doc

    def finding(
        self,
        rule: Rule,
        message: str,
        line: int,
        column: int,
        end_line: int | None = None,
        end_column: int | None = None,
    ) -> LintFinding:
        if end_line is None or end_column is None or end_line != line or end_column <= column:
            end_line, end_column = line, self._token_end(line, column)
        return LintFinding(
            self.shown,
            line,
            column,
            end_line,
            end_column,
            rule,
            message,
            rule.severity,
            self.source.line(line),
        )

    def _token_end(self, line: int, column: int) -> int:
        text = self.source.line(line) or ""
        match = re.compile(r"[^\s,:\]\}]+").match(text, column - 1)
        if match and match.end() > column - 1:
            return match.end() + 1
        return column + 1

    def at_path(self, rule: Rule, message: str, path: Path_, on_key: bool) -> LintFinding:
        line, column, end_line, end_column = self.span(path, on_key)
        return self.finding(rule, message, line, column, end_line, end_column)

    def span(self, path: Path_, on_key: bool) -> tuple[int, int, int, int]:
        doc = self.doc
        if doc is None:
            return 1, 1, 1, 2
        if on_key:
            found = doc.key_positions.get(path)
            if found is None and path:  # a key nested below (conditions in all/any/not)
                prefix, last = path[:-1], path[-1]
                for key_path, pos in doc.key_positions.items():
                    if key_path[-1] == last and key_path[: len(prefix)] == prefix:
                        found = pos
                        break
            if found is not None:
                line, col = found
                return line, col, line, col + max(len(str(path[-1])), 1)
        probe = path
        while probe not in doc.positions and probe:
            probe = probe[:-1]
        line, col = doc.positions.get(probe, (1, 1))
        end_line, end_col = doc.ends.get(probe, (line, col + 1))
        if end_line != line:  # a block: mark its first token
            end_line, end_col = line, self._token_end(line, col)
        return line, col, end_line, end_col


def check_file(path: Path, shown: str, config: LintConfig) -> FileResult:
    """Every finding for one file; reading problems are findings too."""
    import time

    from crisiscli.playbook.yamlsource import read_text

    started = time.perf_counter()
    try:
        text = read_text(path, shown)
    except PlaybookError as exc:
        result = _error_result(shown, "", exc, BY_CODE["CR002"])
    except RecursionError:  # defensive
        result = _crash(shown, "")
    else:
        result = check_text(text, shown, config)
    result.seconds = time.perf_counter() - started
    return result


def check_text(text: str, shown: str, config: LintConfig) -> FileResult:
    try:
        return _check_text(text, shown, config)
    except CrisisError as exc:  # the loader reports, it should not raise
        return _error_result(shown, text, exc, BY_CODE["CR003"])
    except (RecursionError, MemoryError, ValueError, TypeError, KeyError, IndexError):
        return _crash(shown, text)


def _crash(shown: str, text: str) -> FileResult:
    import traceback

    detail = traceback.format_exc(limit=1).strip().splitlines()[-1]
    exc = PlaybookError(f"crisis could not check this file ({detail}); please report it")
    return _error_result(shown, text, exc, BY_CODE["CR003"])


def _error_result(shown: str, text: str, exc: CrisisError, rule: Rule) -> FileResult:
    ctx = _Context(shown, text, None)
    loc = exc.location
    line = loc.line if loc and loc.line else 1
    column = loc.column if loc and loc.column else 1
    # Parse errors mark one character: where the parser stopped.
    finding = ctx.finding(rule, exc.message, line, column, line, column + 1)
    if rule.code == "CR002":  # nothing readable to show
        finding = dataclasses.replace(finding, source_line=None)
    return FileResult(shown, [finding])


def _check_text(text: str, shown: str, config: LintConfig) -> FileResult:
    from crisiscli.playbook.load import build
    from crisiscli.playbook.yamlsource import parse

    try:
        doc = parse(text, shown)
    except PlaybookError as exc:
        message = exc.message
        rule = BY_CODE["CR003"] if message.startswith(_UNSUPPORTED) else BY_CODE["CR001"]
        result = _error_result(shown, text, exc, rule)
        _suppress(result, text, None, config)
        return result
    built = build(doc.data, doc, shown)
    ctx = _Context(shown, text, doc)
    findings: list[LintFinding] = []
    for problem in built.problems:
        rule = LOADER_RULES.get(problem.rule, BY_CODE["CR101"])
        where = problem.path
        finding = ctx.at_path(rule, problem.message, where, problem.on_key)
        if problem.severity != rule.severity:
            finding = finding.with_severity(problem.severity)
        findings.append(finding)
    structural = any(f.rule.structural and f.severity == "error" for f in findings)
    broken = any(f.rule.always_on for f in findings)
    if structural:
        findings = [f for f in findings if f.rule.structural]
    elif built.playbook is not None and not broken:
        findings.extend(_semantic(ctx, built.playbook, config))
    findings.extend(_hidden(ctx, config))
    result = FileResult(shown)
    result.findings = [
        f.with_severity(config.severity_of(f.rule)) if not f.rule.always_on else f
        for f in findings
        if config.is_enabled(f.rule)
    ]
    _suppress(result, text, doc, config)
    return result


def _semantic(ctx: _Context, playbook: Any, config: LintConfig) -> Iterable[LintFinding]:
    paths = semantic.step_paths(playbook)
    enabled = config.enabled
    raw: list[semantic.Raw] = []
    if {"CR301", "CR302"} & enabled:
        raw.extend(semantic.check_flow(playbook, paths))
    if "CR206" in enabled:
        raw.extend(semantic.check_question_order(playbook, paths))
    if {"CR401", "CR402", "CR403", "CR404", "CR405", "CR406"} & enabled:
        raw.extend(
            semantic.check_messages(
                playbook, paths, dict(config.platform_limits), platforms_module()
            )
        )
    if cadence.CODES & enabled:
        raw.extend(cadence.check_cadence(playbook))
    if "CR407" in enabled:
        raw.extend(semantic.check_milestones(playbook, paths))
    if {"CR501", "CR502", "CR503", "CR504", "CR505", "CR506"} & enabled:
        raw.extend(semantic.check_design(playbook, paths, ctx.doc))
    named: list[pathrules.Variable] = []
    if pathrules.PATH_CODES & enabled:
        found, named = pathrules.check_paths(playbook, paths, enabled, config.path_states)
        raw.extend(found)
    if "CR607" in enabled:
        raw.extend(pathrules.check_grading(playbook, paths))
    for code, path, on_key, message in raw:
        yield ctx.at_path(BY_CODE[code], message, path, on_key)
    for path, name, message in named:
        yield _variable_finding(ctx, path, name, message, BY_CODE["CR606"])
    if "CR205" in enabled:
        for path, name, message in semantic.check_variables(playbook, paths):
            yield _variable_finding(ctx, path, name, message)


def _hidden(ctx: _Context, config: LintConfig) -> Iterable[LintFinding]:
    """CR071–CR073: characters a reader cannot see, typed or written as escapes."""
    from crisiscli.lint import hidden

    if not {"CR071", "CR072", "CR073"} & config.enabled:
        return
    literal_lines = set()
    for code, line, column, message in hidden.in_source(ctx.source.lines):
        literal_lines.add(line)
        yield ctx.finding(BY_CODE[code], message, line, column, line, column + 1)
    seen = set()
    for code, path, message in hidden.in_values(ctx.doc.data):
        start, end = ctx.doc.positions.get(path), ctx.doc.ends.get(path)
        if start and end and any(start[0] <= n <= end[0] for n in literal_lines):
            continue  # already pointed at where it was typed
        if (code, path) not in seen:
            seen.add((code, path))
            yield ctx.at_path(BY_CODE[code], message, path, False)


def _variable_finding(
    ctx: _Context, path: Path_, name: str, message: str, rule: Rule = BY_CODE["CR205"]
) -> LintFinding:
    """Point at the ``{{ name }}`` itself inside the (possibly multi-line) string."""
    doc = ctx.doc
    start = doc.positions.get(path)
    end = doc.ends.get(path)
    if start is not None and end is not None:
        pattern = re.compile(r"\{\{\s*" + re.escape(name) + r"\s*\}\}")
        for number in range(start[0], end[0] + 1):
            line = ctx.source.line(number)
            if line is None:
                break
            lo = start[1] - 1 if number == start[0] else 0
            hi = end[1] - 1 if number == end[0] else len(line)
            match = pattern.search(line, lo, hi)
            if match:
                return ctx.finding(
                    rule, message, number, match.start() + 1, number, match.end() + 1
                )
    return ctx.at_path(rule, message, path, False)


def _suppress(result: FileResult, text: str, doc: Any, config: LintConfig) -> None:
    """Apply ``# crisis: noqa`` comments; order: structural first, then by position."""
    if noqa.mentions_noqa(text):
        spans = noqa.scalar_spans(doc) if doc is not None else None
        sups = noqa.find(text, spans)
    else:
        sups = []
    kept, dropped, meta = noqa.apply(result.findings, sups, result.path)
    ctx = _Context(result.path, text, doc)
    for finding in meta:
        if config.is_enabled(finding.rule):
            kept.append(
                ctx.finding(
                    finding.rule,
                    finding.message,
                    finding.line,
                    finding.column,
                    finding.end_line,
                    finding.end_column,
                ).with_severity(config.severity_of(finding.rule))
            )
    kept.sort(key=lambda f: (not f.rule.structural, f.line, f.column, f.rule.code))
    result.findings = kept
    result.suppressed = dropped
