"""What a check produces: a ``LintFinding`` at a 1-based line and column, with its span."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from crisiscli.lint.rules import Rule, Severity

# Line breaks as YAML counts them (so our line numbers match the parser's marks).
LINE_BREAK = re.compile(r"\r\n|[\n\r\x85\u2028\u2029]")


@dataclass(frozen=True)
class LintFinding:
    path: str  # as shown to the user
    line: int
    column: int
    end_line: int
    end_column: int  # exclusive
    rule: Rule
    message: str
    severity: Severity
    source_line: str | None = None  # the text of ``line``, for snippets

    @property
    def code(self) -> str:
        return self.rule.code

    def with_severity(self, severity: Severity) -> LintFinding:
        return replace(self, severity=severity)


@dataclass
class FileResult:
    path: str
    findings: list[LintFinding] = field(default_factory=list)
    suppressed: int = 0
    seconds: float = 0.0  # how long checking the file took (JUnit's time)


class SourceLines:
    """Line lookups in a text, computed on first use (most files have no findings)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: list[str] | None = None

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = LINE_BREAK.split(self.text)
        return self._lines

    def line(self, number: int) -> str | None:
        lines = self.lines
        if 1 <= number <= len(lines):
            return lines[number - 1]
        return None
