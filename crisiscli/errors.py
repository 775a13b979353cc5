"""Exit codes and the exceptions that carry them.

Every failure a user can cause is a ``CrisisError``: one line of message, an optional
location (file:line:column) and an exit code. ``cli.main`` is the one place that turns
exceptions into messages; nothing else prints errors.
"""

from __future__ import annotations

import enum

from crisiscli.frozen import Frozen


class ExitCode(enum.IntEnum):
    """Documented in docs/exit-codes.md; values are a contract for scripts."""

    OK = 0
    FINDINGS = 1  # lint found problems; a check failed
    USAGE = 2  # wrong flag, argument or configuration
    INVALID_INPUT = 3  # a playbook, answers file or other input is malformed
    NOT_FOUND = 4  # no such incident or playbook
    STATE = 5  # the incident cannot do that now (closed, locked, nothing to resume)
    NOT_INTERACTIVE = 6  # a prompt was needed but there is no terminal: use --answers
    IO_ERROR = 7  # the disk refused (full, read-only, permissions)
    INTERNAL = 70  # a bug in crisis itself
    INTERRUPTED = 130  # Ctrl-C


class Location(Frozen):
    """A place in a file; line and column are 1-based."""

    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.path
        if self.column is None:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.column}"


class CrisisError(Exception):
    """An error caused by input or circumstance, reported as one line."""

    exit_code: ExitCode = ExitCode.INVALID_INPUT

    def __init__(
        self,
        message: str,
        *,
        location: Location | None = None,
        exit_code: ExitCode | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code

    def one_line(self) -> str:
        """The error as exactly one line, even when user data in it had line breaks."""
        where = f"{self.location}: " if self.location else ""
        return " ".join(f"{where}{self.message}".splitlines())


class PlaybookError(CrisisError):
    exit_code = ExitCode.INVALID_INPUT


class AnswersError(CrisisError):
    exit_code = ExitCode.INVALID_INPUT


class NotFoundError(CrisisError):
    exit_code = ExitCode.NOT_FOUND


class StateError(CrisisError):
    exit_code = ExitCode.STATE


class NotInteractiveError(CrisisError):
    exit_code = ExitCode.NOT_INTERACTIVE


class UsageError(CrisisError):
    exit_code = ExitCode.USAGE


class Paused(Exception):
    """Raised by the engine when the responder chooses to pause; not an error."""
