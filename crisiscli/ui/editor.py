"""Editing a text in the responder's own editor (``$VISUAL`` / ``$EDITOR``).

The text goes to a private temporary file inside ``CRISIS_HOME/tmp`` (never a shared
``/tmp``: a draft apology is confidential until it is published), the editor runs as a
list argv (``shlex.split`` of the configured command plus the file; never a shell), and
the file is removed afterwards whatever happens. An editor that removes the file, leaves
something else in its place or saves another encoding than UTF-8 raises ``EditorFailed``
with the reason; the caller keeps the previous draft.
"""

from __future__ import annotations

import contextlib
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


MAX_DRAFT_BYTES = 16 * 1024 * 1024


def _read_draft(path: Path, editor: str) -> str:
    """What the editor saved, if it is still a UTF-8 text file where the draft was."""
    from crisiscli.fsutil import read_bounded, why

    try:
        blob = read_bounded(path, MAX_DRAFT_BYTES)
    except FileNotFoundError:
        raise EditorFailed(
            f"the editor '{editor}' removed the draft file; the previous draft is kept"
        ) from None
    except OSError as exc:
        raise EditorFailed(
            f"the editor '{editor}' left something other than the draft file ({why(exc)}); "
            "the previous draft is kept"
        ) from None
    try:
        return blob.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = blob[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        raise EditorFailed(
            f"the editor '{editor}' saved the text in another encoding than UTF-8 "
            f"(byte 0x{blob[exc.start]:02x} at line {line}, column {column}); "
            "the previous draft is kept — set the editor to save UTF-8"
        ) from None


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
        edited = _read_draft(path, argv[0])
    finally:
        with contextlib.suppress(OSError):  # gone, or replaced by something we leave alone
            path.unlink()
    if edited.endswith("\n"):
        edited = edited[:-2] if edited.endswith("\r\n") else edited[:-1]
    return edited
