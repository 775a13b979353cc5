"""The environment a command runs in: streams, terminal flags, data home, clock, actor.

Commands never read ``sys.stdin``, ``os.environ`` or the clock directly; they ask the
current ``Environment``. Tests replace it (``set_env``) to point at a temporary home,
freeze time or pretend there is a terminal.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO


def _default_home() -> Path:
    configured = os.environ.get("CRISIS_HOME")
    if configured:
        return Path(configured).expanduser()
    import platformdirs  # only when no CRISIS_HOME is set

    return Path(platformdirs.user_data_dir("crisis", appauthor=False))


def _default_actor(home: Path | None = None) -> str:
    """CRISIS_USER, else ``actor`` from CRISIS_HOME/config.toml, else the git identity
    (``user.name``), else the login name."""
    name = os.environ.get("CRISIS_USER", "").strip()
    if name:
        return name
    if home is not None and (home / "config.toml").is_file():  # no file: nothing to import
        from crisiscli.config import config_path, read_config_file
        from crisiscli.errors import CrisisError

        try:
            configured = read_config_file(config_path(home)).actor
        except CrisisError:  # a broken config is reported by the commands that read it
            configured = None
        if configured:
            return configured
    found = git_user_name(home)
    if found:
        return found
    import getpass  # only when CRISIS_USER, the config and git name nobody (it imports termios)

    try:
        return getpass.getuser()
    except Exception:  # no login name (containers): still record something honest
        return "unknown"


GIT_CONFIG_LIMIT = 256 * 1024  # a git config file larger than this is not read


def git_user_name(home: Path | None = None) -> str | None:
    """The name git would sign commits with: ``GIT_AUTHOR_NAME``, else ``user.name`` from
    the shared folder's own repository, then the global config files.

    Read from the files directly (no ``git`` process: this runs on every command's start,
    and only when neither CRISIS_USER nor config.toml names anyone). ``include`` and
    conditional includes are not followed: an identity set only there is not found.
    """
    name = os.environ.get("GIT_AUTHOR_NAME", "").strip()
    if name:
        return _clean_name(name)
    candidates: list[str] = []
    if home is not None:
        candidates.append(os.path.join(home, ".git", "config"))
    global_file = os.environ.get("GIT_CONFIG_GLOBAL")
    if global_file:
        candidates.append(global_file)
    else:
        xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
        candidates += [
            os.path.join(os.path.expanduser("~"), ".gitconfig"),
            os.path.join(xdg, "git", "config"),
        ]
    for path in candidates:
        found = _user_name_in(path)
        if found:
            return found
    return None


def _user_name_in(path: str) -> str | None:
    """``user.name`` in one git config file (the last one set wins, as in git)."""
    try:
        with open(path, "rb") as handle:
            blob = handle.read(GIT_CONFIG_LIMIT + 1)
    except OSError:
        return None
    if len(blob) > GIT_CONFIG_LIMIT:
        return None
    section = ""
    found: str | None = None
    for raw in blob.decode("utf-8", "replace").splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            header, _, rest = line[1:].partition("]")
            section = header.strip().lower()  # '[user "x"]' is a sub-section, not [user]
            line = rest.strip()
            if not line or line[0] in "#;":
                continue
        key, sep, value = line.partition("=")
        if section == "user" and sep and key.strip().lower() == "name":
            found = _config_value(value)
    return _clean_name(found) if found else None


def _config_value(text: str) -> str:
    """A git config value: quotes removed, ``\\"`` and ``\\\\`` unescaped, comments cut."""
    out: list[str] = []
    quoted = False
    chars = iter(text.strip())
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "")
            out.append({"n": " ", "t": " "}.get(nxt, nxt))
        elif ch == '"':
            quoted = not quoted
        elif ch in "#;" and not quoted:
            break
        else:
            out.append(ch)
    return "".join(out).strip()


def _clean_name(name: str) -> str | None:
    """One line, no control characters, at most 200 characters (as config.toml's actor)."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in name).split())
    return flat[:200] or None


def _terminal_columns() -> int | None:
    """How wide the terminal output goes to is (``COLUMNS`` wins); None when output goes to
    a pipe or a file, which keep whole lines."""
    if not _isatty(sys.stdout):
        return None
    import shutil

    return shutil.get_terminal_size().columns


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


_UNSET: Any = object()  # "not given": None is a real value for ``columns`` and ``editor``


class Environment:
    """Streams, terminal flags, data home, clock and actor of one command; every argument
    left out is read from the process. A plain class, not a dataclass: it is built at the
    start of every command, and ``dataclasses`` costs a millisecond or two to import and
    apply there."""

    def __init__(
        self,
        *,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        stdin_isatty: bool | None = None,
        stdout_isatty: bool | None = None,
        columns: int | None = _UNSET,
        home: Path | None = None,
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], None] = time.sleep,
        actor: str = "",
        editor: str | None = _UNSET,
        debug: bool = False,
        derived: list[Any] | None = None,
    ) -> None:
        self.stdin: TextIO = sys.stdin if stdin is None else stdin
        self.stdout: TextIO = sys.stdout if stdout is None else stdout
        self.stderr: TextIO = sys.stderr if stderr is None else stderr
        self.stdin_isatty = _isatty(sys.stdin) if stdin_isatty is None else stdin_isatty
        self.stdout_isatty = _isatty(sys.stdout) if stdout_isatty is None else stdout_isatty
        # How wide lists may go (None: whole lines, as for a pipe).
        self.columns: int | None = _terminal_columns() if columns is _UNSET else columns
        self.home: Path = _default_home() if home is None else home
        self.clock = clock
        self.sleep = sleep  # waiting for an approval (tests move clocks)
        # Empty: CRISIS_USER, else config.toml's actor, else the git or login name.
        self.actor = actor or _default_actor(self.home)
        self.editor: str | None = (
            (os.environ.get("VISUAL") or os.environ.get("EDITOR")) if editor is _UNSET else editor
        )
        self.debug = debug
        # What went wrong after the work was done (a log that could not be rewritten, a
        # journal line left out): library code adds here, ``cli.app`` shows each once.
        self.warnings: list[str] = []
        self._warned: set[str] = set()
        # Files kept true after every recorded event (log.md). The environment composes
        # them, so the record layer never imports the views; tests may replace them.
        self.derived = derived
        # Event types recorded by this command, by incident folder: ``cli.app`` sends the
        # notifications they give rise to once the command is done (walk/notifier.py).
        self.recorded: dict[Path, set[str]] = {}

    def __repr__(self) -> str:
        return f"Environment(home={str(self.home)!r}, actor={self.actor!r})"

    def warn(self, text: str) -> None:
        # A set beside the list: a command may be told thousands of things, and looking each
        # one up in the list made that quadratic.
        if text not in self._warned:
            self._warned.add(text)
            self.warnings.append(text)

    def derived_files(self) -> list[Any]:
        if self.derived is None:
            from crisiscli.views.log import LogFile  # light; it renders lazily

            self.derived = [LogFile()]
        return self.derived

    def take_warnings(self) -> list[str]:
        """The warnings not shown yet (and forget them)."""
        taken, self.warnings[:] = list(self.warnings), []
        self._warned.clear()
        return taken

    def read_stdin_text(self) -> str:
        """All of standard input as text: UTF-8, else the encoding the terminal declares.
        A closed stdin is a ``UsageError``; bytes that decode as neither, a located error
        (``<stdin>:line:column``)."""
        from crisiscli.errors import CrisisError, Location, UsageError

        stream = self.stdin
        data: str | bytes
        try:
            buffer = getattr(stream, "buffer", None)
            data = buffer.read() if buffer is not None else stream.read()
        except UnicodeDecodeError as exc:  # a text stream that decoded strictly
            data = bytes(exc.object)
        except (AttributeError, OSError, ValueError):  # no stdin at all (``<&-``), or closed
            raise UsageError(
                "standard input is closed: there is nothing to read the note from",
                hint='give the text as an argument: crisis note "..."',
            ) from None
        if isinstance(data, str):
            # surrogates from a lenient decoder survive as the bytes they stood for
            data = data.encode("utf-8", "surrogateescape")
        declared = str(getattr(stream, "encoding", "") or "utf-8")
        try:
            return bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            if declared.lower().replace("_", "-") not in ("utf-8", "utf8"):
                with contextlib.suppress(UnicodeDecodeError, LookupError):
                    return bytes(data).decode(declared)  # what this terminal says it sends
            before = bytes(data)[: exc.start]
            line = before.count(b"\n") + 1
            column = len(before) - (before.rfind(b"\n") + 1) + 1
            raise CrisisError(
                f"not valid UTF-8 (byte 0x{bytes(data)[exc.start]:02x}); nothing was recorded",
                location=Location("<stdin>", line, column),
            ) from None

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
