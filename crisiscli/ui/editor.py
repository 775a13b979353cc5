"""Editing a text in the responder's own editor (``$VISUAL`` / ``$EDITOR``).

The text goes to a private temporary file inside ``CRISIS_HOME/tmp`` (never a shared
``/tmp``: a draft apology is confidential until it is published), the editor runs as a
list argv (``shlex.split`` of the configured command plus the file; never a shell), and
the file is removed afterwards whatever happens.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from crisiscli.env import Environment


class EditorFailed(Exception):
    """The editor could not be started or exited with an error; the text is unchanged."""


def editor_argv(command: str) -> list[str]:
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise EditorFailed(f"cannot read the editor command {command!r}: {exc}") from None
    if not argv:
        raise EditorFailed("no editor is set (VISUAL or EDITOR)")
    return argv


def edit_text(env: Environment, text: str, *, suffix: str = ".txt") -> str:
    """Open ``text`` in the configured editor and return what was saved."""
    if not env.editor:
        raise EditorFailed("no editor is set (VISUAL or EDITOR)")
    argv = editor_argv(env.editor)
    folder = Path(env.home) / "tmp"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, name = tempfile.mkstemp(prefix="message-", suffix=suffix, dir=folder)
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text if text.endswith("\n") else text + "\n")
        try:
            result = subprocess.run([*argv, str(path)], check=False)  # a list argv, never a shell
        except OSError as exc:
            raise EditorFailed(f"cannot start the editor '{argv[0]}': {exc.strerror}") from None
        if result.returncode != 0:
            raise EditorFailed(f"the editor '{argv[0]}' exited with status {result.returncode}")
        edited = path.read_text(encoding="utf-8", errors="replace")
    finally:
        path.unlink(missing_ok=True)
    if edited.endswith("\n"):
        edited = edited[:-2] if edited.endswith("\r\n") else edited[:-1]
    return edited
