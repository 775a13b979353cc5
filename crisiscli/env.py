"""The environment a command runs in: streams, terminal flags, data home, clock, actor.

Commands never read ``sys.stdin``, ``os.environ`` or the clock directly; they ask the
current ``Environment``. Tests replace it (``set_env``) to point at a temporary home,
freeze time or pretend there is a terminal.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO


def _default_home() -> Path:
    configured = os.environ.get("CRISIS_HOME")
    if configured:
        return Path(configured).expanduser()
    import platformdirs  # only when no CRISIS_HOME is set

    return Path(platformdirs.user_data_dir("crisis", appauthor=False))


def _default_actor() -> str:
    name = os.environ.get("CRISIS_USER", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers): still record something honest
        return "unknown"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Environment:
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdin_isatty: bool = field(default_factory=lambda: _isatty(sys.stdin))
    stdout_isatty: bool = field(default_factory=lambda: _isatty(sys.stdout))
    home: Path = field(default_factory=_default_home)
    clock: Callable[[], datetime] = utc_now
    actor: str = field(default_factory=_default_actor)
    editor: str | None = field(
        default_factory=lambda: os.environ.get("VISUAL") or os.environ.get("EDITOR")
    )
    debug: bool = False

    @property
    def incidents_dir(self) -> Path:
        return self.home / "incidents"

    @property
    def playbooks_dir(self) -> Path:
        return self.home / "playbooks"


def _isatty(stream: TextIO | None) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (ValueError, AttributeError):
        return False


_current: Environment | None = None


def get_env() -> Environment:
    global _current
    if _current is None:
        _current = Environment()
    return _current


def set_env(env: Environment | None) -> None:
    """Replace the environment (tests); ``None`` rebuilds it from the process."""
    global _current
    _current = env
