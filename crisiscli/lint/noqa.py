"""Suppression comments: ``# crisis: noqa CR123`` (that line) and ``# crisis: noqa-file CR123``.

Codes or rule names, separated by commas or spaces; with none, every rule is meant. A
comment must be a real YAML comment: the same words inside a quoted or block string are
text, not a suppression. A suppression that suppresses nothing becomes a CR901 warning,
an unknown code a CR902 warning, so stale comments do not pile up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from crisiscli.lint.findings import LINE_BREAK, LintFinding
from crisiscli.lint.rules import BY_CODE, Rule, lookup

NOQA = re.compile(
    r"(?:^|[ \t])#[ \t]*crisis:[ \t]*noqa(-file)?(?![\w-])([^\n\r\x85\u2028\u2029]*)", re.I
)
_QUICK = re.compile(r"crisis:[ \t]*noqa", re.I)
_CODE = re.compile(r"^cr\w*\d", re.I)  # meant as a code, even if mistyped


@dataclass
class Suppression:
    line: int
    column: int  # of the '#'
    end_column: int
    file_level: bool
    rules: list[Rule] | None  # None: every rule
    unknown: list[str] = field(default_factory=list)
    used: set[str] = field(default_factory=set)  # codes it suppressed


def mentions_noqa(text: str) -> bool:
    """Cheap test first: most files have no suppression comment at all."""
    return _QUICK.search(text) is not None


def find(
    text: str, scalar_spans: list[tuple[tuple[int, int], tuple[int, int]]] | None
) -> list[Suppression]:
    """Suppression comments in ``text``; ``scalar_spans`` excludes matches inside strings."""
    if not _QUICK.search(text):
        return []
    found: list[Suppression] = []
    for number, line in enumerate(LINE_BREAK.split(text), start=1):
        match = NOQA.search(line)
        if match is None:
            continue
        hash_col = line.index("#", match.start()) + 1
        if scalar_spans and _inside(scalar_spans, number, hash_col):
            continue
        words = [w for w in re.split(r"[\s,]+", match.group(2).split("#")[0].strip()) if w]
        if words and words[0] == ":":  # "noqa: CR1" written flake8-style
            words = words[1:]
        words = [w.lstrip(":") for w in words if w.lstrip(":")]
        rules: list[Rule] | None = None
        unknown: list[str] = []
        if words:
            rules = []
            for word in words:
                rule = lookup(word)
                if rule is not None:
                    rules.append(rule)
                elif _CODE.match(word):
                    unknown.append(word)
                else:
                    break  # the rest is an explanation, e.g. "-- kept for old incidents"
            if not rules and not unknown:
                rules = None
        found.append(
            Suppression(
                number,
                hash_col,
                len(line.rstrip()) + 1,
                bool(match.group(1)),
                rules,
                unknown,
            )
        )
    return found


def _inside(spans: list[tuple[tuple[int, int], tuple[int, int]]], line: int, column: int) -> bool:
    point = (line, column)
    return any(start <= point < end for start, end in spans)


def scalar_spans(doc: Any) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Start and end of every string value in a parsed ``Document``."""
    spans = []
    for path, start in doc.positions.items():
        value = _value_at(doc.data, path)
        if isinstance(value, str):
            spans.append((start, doc.ends[path]))
    return spans


def _value_at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _matches(sup: Suppression, finding: LintFinding) -> bool:
    return sup.rules is None or any(r.code == finding.rule.code for r in sup.rules)


def apply(
    findings: list[LintFinding], suppressions: list[Suppression], path: str
) -> tuple[list[LintFinding], int, list[LintFinding]]:
    """Drop suppressed findings; return kept, how many were dropped, and CR901/CR902s."""
    if not suppressions:
        return findings, 0, []
    by_line: dict[int, list[Suppression]] = {}
    file_level = [s for s in suppressions if s.file_level]
    for sup in suppressions:
        if not sup.file_level:
            by_line.setdefault(sup.line, []).append(sup)
    kept: list[LintFinding] = []
    dropped = 0
    for finding in findings:
        if not _suppress(finding, by_line.get(finding.line, []) + file_level):
            kept.append(finding)
        else:
            dropped += 1
    meta: list[LintFinding] = []
    for sup in suppressions:
        source = None
        for word in sup.unknown:
            meta.append(
                LintFinding(
                    path,
                    sup.line,
                    sup.column,
                    sup.line,
                    sup.end_column,
                    BY_CODE["CR902"],
                    f"'{word}' is not a rule code or name; this part suppresses nothing",
                    BY_CODE["CR902"].severity,
                    source,
                )
            )
        named = sup.rules if sup.rules is not None else None
        if named is None:
            if not sup.used:
                meta.append(_unused(path, sup, "this suppression comment suppresses nothing"))
            continue
        for rule in named:
            if rule.code in sup.used:
                continue
            why = " (it cannot be suppressed)" if rule.always_on else ""
            meta.append(_unused(path, sup, f"{rule.code} ({rule.name}) is not reported here{why}"))
    # File-level suppressions may silence these too (e.g. noqa-file CR901).
    final_meta = []
    for finding in meta:
        if _suppress(finding, file_level):
            dropped += 1
        else:
            final_meta.append(finding)
    return kept, dropped, final_meta


def _suppress(finding: LintFinding, candidates: list[Suppression]) -> bool:
    if finding.rule.always_on:
        return False
    for sup in candidates:
        if _matches(sup, finding):
            sup.used.add(finding.rule.code)
            return True
    return False


def _unused(path: str, sup: Suppression, message: str) -> LintFinding:
    rule = BY_CODE["CR901"]
    return LintFinding(
        path, sup.line, sup.column, sup.line, sup.end_column, rule, message, rule.severity
    )
