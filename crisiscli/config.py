"""Settings in ``CRISIS_HOME/config.toml``: actor, time zone, severity scale, playbook folders,
platform limits.

The file is optional; a missing file means the defaults. It is read with ``tomllib`` (``tomli``
on Python 3.10) and written by the small writer below, atomically, so a crash never leaves half
a config. Every value is checked the same way whether it comes from the file or from
``crisis config set``; a bad file is a one-line error naming it (exit 2), except where crisis
only *prefers* a setting (the actor name, the log's time zone): there ``current_config`` falls
back to the defaults with a warning, so a typo in the config never stops a note being recorded.

Used by: ``env.py`` (actor), ``incident.py`` (log time zone), ``playbook/catalog.py`` (extra
playbook folders), ``commands/start.py`` (severity scale) and, for message lengths,
``platforms.limit(name, overrides=config.platform_limits)``.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crisiscli.errors import CrisisError, ExitCode, Location, UsageError

if TYPE_CHECKING:
    from crisiscli.env import Environment

CONFIG_FILE = "config.toml"
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}\Z")

#: Every key ``crisis config`` knows, with a one-line description (shown on errors and in help).
KEYS: dict[str, str] = {
    "actor": "your name in journals and logs (the CRISIS_USER variable still wins)",
    "timezone": "IANA time zone for times in logs and briefs, e.g. Europe/Berlin (default: the system's)",
    "severity_levels": "severity scale for playbooks that declare none, e.g.: sev1 sev2 sev3",
    "default_severity": "severity suggested at start, if the playbook's scale has it",
    "playbook_dirs": "extra folders searched for playbooks, after CRISIS_HOME/playbooks",
    "platform_limits.<platform>": "character limit for one platform, overriding the built-in one",
    "notify.webhook": "incoming-webhook URLs (Slack, Mattermost, Teams) told about the incident",
    "notify.webhook.<name>": "a named incoming webhook: deliveries are recorded under its name",
    "notify.command": "a program run with each notification as JSON on stdin (no shell)",
    "notify.desktop": "desktop notifications (notify-send, osascript): true or false",
    "notify.bell": "ring the terminal bell in the walk-through and watch: true or false",
    "notify.kinds": "which notifications to send (default: all kinds)",
    "roster.approver": "who approves public messages: prefills every playbook's approver question",
    "roster.backup": "who approves when the approver can't be reached (the backup question)",
    "roster.night_approver": "who approves between 22:00 and 07:00 local time, if not the approver",
    "roster.spokesperson": "who speaks to the press: prefills the spokesperson question",
    "sync.auto": "sync in the background while a walk-through or watch runs: an interval (15s) or off",
    "signing.key": "the SSH key that signs what you record (default: git's user.signingkey)",
    "approval.require_signature": "an approval counts only when signed by a key in allowed_signers: true or false",
    "redact": "words and names `crisis report --redact` always replaces (e.g. a client's name)",
}
LIST_KEYS = (
    "severity_levels",
    "playbook_dirs",
    "notify.webhook",
    "notify.command",
    "notify.kinds",
    "redact",
)
BOOL_KEYS = ("notify.desktop", "notify.bell", "approval.require_signature")
TABLES = (
    "platform_limits",
    "notify",
    "roster",
    "sync",
    "signing",
    "approval",
)  # [platform_limits] x = 280 · [notify] webhook = [...]
NOTIFY_KINDS = (
    "incident.opened",
    "severity.changed",
    "deadline.soon",
    "deadline.passed",
    "approval.requested",
    "approval.decided",
    "handoff",
    "incident.closed",
    "incident.reopened",
    "drill.inject",
)


@dataclass(frozen=True)
class Config:
    actor: str | None = None
    timezone: str | None = None
    severity_levels: tuple[str, ...] = ()
    default_severity: str | None = None
    playbook_dirs: tuple[Path, ...] = ()
    platform_limits: Mapping[str, int] = field(default_factory=dict)
    notify_webhooks: tuple[tuple[str, str], ...] = ()  # (name, URL)
    notify_command: tuple[str, ...] = ()
    notify_desktop: bool = False
    notify_bell: bool = True
    notify_kinds: tuple[str, ...] = NOTIFY_KINDS
    roster: Mapping[str, str] = field(default_factory=dict)  # approver, backup, … → person
    sync_auto: str | None = None  # "15s", or None (off)
    redact: tuple[str, ...] = ()  # terms --redact always replaces
    path: Path | None = None
    values: Mapping[str, Any] = field(default_factory=dict)  # as stored in the file

    def tzinfo(self) -> tzinfo | None:
        """The configured zone, or ``None`` for the system's local time."""
        return zone(self.timezone) if self.timezone else None

    @property
    def notifies(self) -> bool:
        """Some channel beside the terminal bell is configured."""
        return bool(self.notify_webhooks or self.notify_command or self.notify_desktop)


def shown_value(key: str, value: Any) -> Any:
    """A setting as it may be printed: webhook URLs are secrets, shown redacted."""
    from crisiscli.webhooks import redact_url

    if key == "notify.webhook" and isinstance(value, (list, tuple)):
        return [redact_url(str(url)) for url in value]
    if key.startswith(WEBHOOK_PREFIX) and isinstance(value, str):
        return redact_url(value)
    return value


WEBHOOK_PREFIX = "notify.webhook."  # notify.webhook.NAME = URL: a webhook with a name


def webhook_names(unnamed: int) -> list[str]:
    """The neutral names of the webhooks listed without one (``notify.webhook = [URL]``):
    ``webhook``, then ``webhook-2``, ``webhook-3``…"""
    return ["webhook" if n == 1 else f"webhook-{n}" for n in range(1, unnamed + 1)]


def named_webhooks(stored: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(name, URL) of every configured webhook: the unnamed ones first, by their neutral
    names, then the named ones by name (a name given twice keeps the named one)."""
    found = dict(zip(webhook_names(len(stored.get("notify.webhook", ()))),
                     stored.get("notify.webhook", ()), strict=True))  # fmt: skip
    for key in sorted(k for k in stored if k.startswith(WEBHOOK_PREFIX)):
        found[key[len(WEBHOOK_PREFIX) :]] = str(stored[key])
    return list(found.items())


def with_names(stored: Mapping[str, Any]) -> dict[str, Any]:
    """``stored`` with unnamed webhooks given their neutral names when named ones exist too
    (TOML cannot hold ``webhook = [...]`` beside ``[notify.webhook]``)."""
    out = dict(stored)
    if out.get("notify.webhook") and any(k.startswith(WEBHOOK_PREFIX) for k in out):
        for name, url in zip(webhook_names(len(out["notify.webhook"])), out.pop("notify.webhook"),
                             strict=True):  # fmt: skip
            out.setdefault(WEBHOOK_PREFIX + name, url)
    return out


def config_path(home: Path) -> Path:
    return home / CONFIG_FILE


def key_list() -> str:
    return ", ".join(KEYS)


def unknown_key(key: str, location: Location | None = None) -> UsageError:
    return UsageError(
        f"unknown setting '{key}' (settings: {key_list()})",
        location=location,
        hint="see: crisis config --help",
    )


# -- values --------------------------------------------------------------------------------


def zone(name: str) -> tzinfo:
    from crisiscli.timeutil import zone_named

    return zone_named(name)


def _one_line_text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text")
    text = value.strip()
    if not text:
        raise ValueError(f"{what} must not be empty")
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise ValueError(f"{what} must be one line without control characters")
    return text


def check_value(key: str, value: Any) -> Any:
    """The stored form of ``value`` for ``key``; ``ValueError`` says what is wrong."""
    if key == "actor":
        text = _one_line_text(value, "actor")
        if len(text) > 200:
            raise ValueError("actor must be at most 200 characters")
        return text
    if key == "timezone":
        text = _one_line_text(value, "timezone")
        zone(text)
        return text
    if key == "severity_levels":
        if not isinstance(value, list) or not value:
            raise ValueError("severity_levels must be a non-empty list of level ids")
        levels = []
        for item in value:
            if not isinstance(item, str) or not ID_PATTERN.match(item):
                raise ValueError(
                    f"severity level '{item}' must be lowercase letters, digits, '-' or '_'"
                )
            if item in levels:
                raise ValueError(f"severity level '{item}' is listed twice")
            levels.append(item)
        return levels
    if key == "default_severity":
        text = _one_line_text(value, "default_severity")
        if not ID_PATTERN.match(text):
            raise ValueError(f"'{text}' is not a severity level id")
        return text
    if key == "playbook_dirs":
        if not isinstance(value, list):
            raise ValueError("playbook_dirs must be a list of folders")
        return [_one_line_text(item, "a playbook folder") for item in value]
    if key.startswith(WEBHOOK_PREFIX):
        name = key[len(WEBHOOK_PREFIX) :]
        if not ID_PATTERN.match(name):
            raise ValueError(
                f"'{name}' is not a webhook name (lowercase letters, digits, '-' or '_')"
            )
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if not isinstance(value, str):
            raise ValueError(f"{key} must be one URL")
        from crisiscli.webhooks import url_problem

        problem = url_problem(value)
        if problem:
            raise ValueError(f"the webhook '{name}' is not usable: {problem}")
        return value.strip()
    if key == "redact":
        if not isinstance(value, list):
            raise ValueError("redact must be a list of words or names")
        return [_one_line_text(item, "a redact term") for item in value]
    if key.startswith("notify."):
        return _check_notify(key, value)
    if key.startswith("roster."):
        return " ".join(_one_line_text(value, key).split())
    if key == "sync.auto":
        return _check_interval(value)
    if key == "approval.require_signature":
        if not isinstance(value, bool):
            raise ValueError(f"{key} must be true or false")
        return value
    if key == "signing.key":
        return _one_line_text(value, key).strip()
    if key.startswith("platform_limits."):
        platform = key.split(".", 1)[1]
        if not ID_PATTERN.match(platform):
            raise ValueError(f"'{platform}' is not a platform name")
        known = known_platforms()
        if platform not in known:
            raise ValueError(f"unknown platform '{platform}' (platforms: {', '.join(known)})")
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"the limit for {platform} must be a positive whole number")
        return value
    raise KeyError(key)


def _check_notify(key: str, value: Any) -> Any:
    if key in BOOL_KEYS:
        if not isinstance(value, bool):
            raise ValueError(f"{key} must be true or false")
        return value
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{key} must be a list of texts")
    if key == "notify.webhook":
        from crisiscli.webhooks import url_problem

        for n, url in enumerate(value, 1):
            problem = url_problem(url)
            if problem:
                raise ValueError(f"webhook {n} is not usable: {problem}")
        return [url.strip() for url in value]
    if key == "notify.command":
        if value and not value[0].strip():
            raise ValueError("the command's first word (the program) must not be empty")
        if any("\x00" in v for v in value):
            raise ValueError("the command must not contain NUL characters")
        return list(value)
    unknown = [kind for kind in value if kind not in NOTIFY_KINDS]
    if unknown:
        raise ValueError(f"unknown kind '{unknown[0]}' (kinds: {', '.join(NOTIFY_KINDS)})")
    return list(dict.fromkeys(value))


SYNC_OFF_WORDS = ("off", "false", "no", "none")
MIN_SYNC_SECONDS, MAX_SYNC_SECONDS = 2, 3600


def interval_problem(text: str) -> str | None:
    """Why ``text`` is not a usable sync interval (None: it is one, or an off word)."""
    from crisiscli.timeutil import duration_problem, parse_duration

    if text.lower() in SYNC_OFF_WORDS:
        return None
    problem = duration_problem(text)
    if problem:
        return problem
    seconds = parse_duration(text) or 0
    if not MIN_SYNC_SECONDS <= seconds <= MAX_SYNC_SECONDS:
        return f"'{text}': sync between every {MIN_SYNC_SECONDS}s and every 1h"
    return None


def _check_interval(value: Any) -> str:
    """``sync.auto``: a duration in the one grammar of durations, or off."""
    if isinstance(value, str) and value.strip():
        # the duration's own refusal first: "0\t0" is refused as every reader refuses it
        # (a duration has no control characters, so the one-line check below never differs)
        problem = interval_problem(value.strip())
        if problem:
            raise ValueError(problem)
    return _one_line_text(value, "sync.auto").strip()


# The platforms crisis counts for, by the names config.toml uses (``platform_limits.x``).
# ``messages/platforms.py`` holds each one's limit and counting rules; a test keeps the two
# lists the same (config sits below the messages and does not import them).
PLATFORMS = ("x", "bluesky", "threads", "mastodon", "linkedin", "instagram", "facebook", "tiktok")


def known_platforms() -> list[str]:
    """The platform names a limit may be set for."""
    return sorted(PLATFORMS)


def known_key(key: str) -> bool:
    return (
        key in KEYS
        or (key.startswith("platform_limits.") and key.count(".") == 1)
        or (key.startswith(WEBHOOK_PREFIX) and key.count(".") == 2)
    )


def _word_bool(key: str, word: str) -> bool:
    lowered = word.strip().lower()
    if lowered in ("true", "yes", "on", "1"):
        return True
    if lowered in ("false", "no", "off", "0"):
        return False
    raise UsageError(f"'{key}' takes true or false, not '{word}'")


def parse_cli_value(key: str, words: list[str]) -> Any:
    """``crisis config set KEY VALUE...``: words → stored form, or ``UsageError``."""
    if not known_key(key):
        raise unknown_key(key)
    if key in LIST_KEYS:
        value: Any = [w for word in words for w in _split_list(key, word)]
    elif len(words) != 1:
        raise UsageError(f"'{key}' takes one value, got {len(words)}")
    elif key.startswith("platform_limits."):
        try:
            value = int(words[0].replace("_", ""))
        except ValueError:
            raise UsageError(f"the limit must be a whole number, not '{words[0]}'") from None
    elif key in BOOL_KEYS:
        value = _word_bool(key, words[0])
    else:
        value = words[0]
    try:
        return check_value(key, value)
    except ValueError as exc:
        raise UsageError(f"{key}: {exc}", hint=f"settings: {key_list()}") from None


def _split_list(key: str, word: str) -> list[str]:
    # Severity ids and notification kinds cannot hold commas or spaces, so "low,high" is two
    # levels; folders, URLs and command words are taken whole (they may contain a comma).
    if key in ("severity_levels", "notify.kinds"):
        return [part for part in re.split(r"[,\s]+", word) if part]
    return [word]


# -- reading -------------------------------------------------------------------------------


def _toml_module() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    import importlib

    return importlib.import_module("tomli")


def _line_of(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=", re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def parse_config(text: str, path: Path) -> Config:
    """Check and build a ``Config`` from TOML text; ``UsageError`` names file:line."""
    toml = _toml_module()
    shown = str(path)
    try:
        data = toml.loads(text)
    except toml.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"\(at line (\d+), column (\d+)\)", message)
        where = Location(shown, int(found.group(1)), int(found.group(2))) if found else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        raise UsageError(
            f"not valid TOML: {message}",
            location=where or Location(shown),
            hint="fix the file, or remove it to start from the defaults",
        ) from None
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if key in TABLES:
            if not isinstance(value, dict):
                example = "x = 280" if key == "platform_limits" else 'webhook = ["https://…"]'
                raise UsageError(
                    f"{key} must be a table: [{key}] then {example}",
                    location=Location(shown, _line_of(text, key)),
                )
            for name, item in value.items():
                if key == "notify" and name == "webhook" and isinstance(item, dict):
                    for hook, url in item.items():  # [notify.webhook] NAME = "URL"
                        flat[f"{WEBHOOK_PREFIX}{hook}"] = url
                    continue
                flat[f"{key}.{name}"] = item
        else:
            flat[key] = value
    stored: dict[str, Any] = {}
    for key, value in flat.items():
        line = _line_of(text, key.split(".")[-1])
        if not known_key(key):
            raise unknown_key(key, Location(shown, line))
        try:
            stored[key] = check_value(key, value)
        except ValueError as exc:
            raise UsageError(
                f"{key}: {exc}",
                location=Location(shown, line),
                hint="fix it with: crisis config set",
            ) from None
    return build_config(stored, path)


def build_config(stored: Mapping[str, Any], path: Path | None) -> Config:
    home = path.parent if path is not None else Path.cwd()
    levels = tuple(stored.get("severity_levels", ()))
    default = stored.get("default_severity")
    if default is not None and levels and default not in levels:
        where = Location(str(path)) if path is not None else None
        raise UsageError(
            f"default_severity '{default}' is not one of severity_levels ({', '.join(levels)})",
            location=where,
        )
    dirs = []
    for folder in stored.get("playbook_dirs", ()):
        candidate = Path(folder).expanduser()
        dirs.append(candidate if candidate.is_absolute() else home / candidate)
    limits = {
        key.split(".", 1)[1]: int(value)
        for key, value in stored.items()
        if key.startswith("platform_limits.")
    }
    notify: dict[str, Any] = {
        "notify_webhooks": tuple(named_webhooks(stored)),
        "notify_command": tuple(stored.get("notify.command", ())),
        "notify_desktop": bool(stored.get("notify.desktop", False)),
        "notify_bell": bool(stored.get("notify.bell", True)),
        "notify_kinds": tuple(stored.get("notify.kinds", NOTIFY_KINDS)),
    }
    return Config(
        actor=stored.get("actor"),
        timezone=stored.get("timezone"),
        severity_levels=levels,
        default_severity=default,
        playbook_dirs=tuple(dirs),
        platform_limits=limits,
        sync_auto=stored.get("sync.auto"),
        **notify,
        roster={k.split(".", 1)[1]: str(v) for k, v in stored.items() if k.startswith("roster.")},
        redact=tuple(str(t) for t in stored.get("redact", ()) if str(t).strip()),
        path=path,
        values=dict(stored),
    )


def read_config_file(path: Path) -> Config:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config(path=path)
    except UnicodeDecodeError:
        raise UsageError(
            "the config file is not UTF-8 text", location=Location(str(path))
        ) from None
    except OSError as exc:
        raise CrisisError(
            f"cannot read the config file: {exc.strerror}",
            location=Location(str(path)),
            exit_code=ExitCode.IO_ERROR,
        ) from None
    return parse_config(text, path)


def load_config(env: Environment) -> Config:
    """The configuration of ``env.home``; a missing file gives the defaults. Raises on a bad file."""
    path = config_path(env.home)
    config = read_config_file(path)
    with contextlib.suppress(OSError):
        check_private(env, config, path.stat().st_mode)
    return config


PRIVATE_MODE = 0o600  # config.toml may hold a webhook URL, which is a secret


def check_private(env: Environment, config: Config, mode: int) -> None:
    """Warn (once per command) when config.toml holds a webhook URL (a secret: whoever has
    it can post to the team's channel) and others than its owner can read it."""
    import stat

    path = config.path
    if config.notify_webhooks and os.name == "posix" and stat.S_IMODE(mode) & 0o077:
        env.warn(
            f"{path} can be read by others (mode {stat.S_IMODE(mode):04o}) and may hold a "
            f"webhook secret: chmod 600 {path}"
        )


_cache: dict[Path, tuple[tuple[int, int], Config]] = {}
_warned: set[Path] = set()


def current_config(env: Environment) -> Config:
    """Like ``load_config`` but never fails: a bad file warns once and gives the defaults."""
    path = config_path(env.home)
    try:
        info = path.stat()
    except OSError:
        return Config(path=path)
    signature = (info.st_mtime_ns, info.st_size)
    cached = _cache.get(path)
    if cached is not None and cached[0] == signature:
        check_private(env, cached[1], info.st_mode)
        return cached[1]
    try:
        config = read_config_file(path)
    except CrisisError as exc:
        if path not in _warned:
            _warned.add(path)
            env.warn(f"{exc.one_line()} — using the default settings")
        return Config(path=path)
    _cache[path] = (signature, config)
    check_private(env, config, info.st_mode)
    return config


# -- writing -------------------------------------------------------------------------------


def _toml_string(text: str) -> str:
    out = ['"']
    for char in text:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif code < 32 or code == 127:
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def render_config(stored: Mapping[str, Any]) -> str:
    """TOML text for the stored values, keys in a fixed order (small diffs in git)."""
    lines = [
        "# crisis settings; change them with `crisis config set KEY VALUE` (see docs/config.md)"
    ]
    for key in KEYS:
        if key in stored and "." not in key:
            lines.append(f"{key} = {_toml_value(stored[key])}")
    for table in TABLES:
        inside = sorted(k for k in stored if k.startswith(f"{table}."))
        if inside:
            lines.append("")
            lines.append(f"[{table}]")
            lines.extend(f"{k.split('.', 1)[1]} = {_toml_value(stored[k])}" for k in inside)
    return "\n".join(lines) + "\n"


def update_config_text(text: str, stored: Mapping[str, Any]) -> str:
    """The user's config.toml with the stored values changed in place: comments, blank
    lines, order and formatting of everything else stay as written (tomlkit round-trips;
    it is imported only here, when a setting is written)."""
    import tomlkit

    doc = tomlkit.parse(text)
    for key in KEYS:
        if "." in key:
            continue  # in a table, below
        if key in stored:
            value = list(stored[key]) if isinstance(stored[key], tuple) else stored[key]
            if doc.get(key) != value:
                doc[key] = value
        elif key in doc:
            del doc[key]
    for name in TABLES:
        inside = {
            k.split(".", 1)[1]: v
            for k, v in stored.items()
            if k.startswith(f"{name}.") and not k.startswith(WEBHOOK_PREFIX)
        }
        if name == "notify":
            hooks = {k[len(WEBHOOK_PREFIX) :]: v for k, v in stored.items()
                     if k.startswith(WEBHOOK_PREFIX)}  # fmt: skip
            if hooks:
                inside["webhook"] = hooks  # [notify.webhook] NAME = "URL"
        table = doc.get(name)
        if inside and table is None:
            table = tomlkit.table()
            doc[name] = table
        if table is not None:
            for entry in [n for n in table if n not in inside]:
                del table[entry]
            for entry, value in sorted(inside.items()):
                value = list(value) if isinstance(value, tuple) else value
                if isinstance(value, dict) and not isinstance(table.get(entry), dict):
                    if entry in table:
                        del table[entry]  # a list of URLs becomes a table of names
                    table[entry] = tomlkit.table()
                if isinstance(value, dict):
                    sub = table[entry]
                    for old in [n for n in sub if n not in value]:
                        del sub[old]
                    for hook, url in sorted(value.items()):
                        if sub.get(hook) != url:
                            sub[hook] = url
                elif table.get(entry) != value:
                    table[entry] = value
            if not inside:
                del doc[name]
    out = tomlkit.dumps(doc)
    return out if out.endswith("\n") or not out else out + "\n"


def save_config(env: Environment, stored: Mapping[str, Any]) -> Config:
    """Check the whole set of values, then replace the file atomically."""
    from crisiscli.fsutil import atomic_write_bytes

    path = config_path(env.home)
    stored = with_names(stored)
    try:
        config = build_config(stored, path)  # cross-checks (default severity in the scale)
    except UsageError as exc:
        raise UsageError(exc.message, hint="see: crisis config") from None
    try:
        env.home.mkdir(parents=True, exist_ok=True)
        try:
            with path.open(encoding="utf-8", newline="") as file:
                before = file.read()
        except FileNotFoundError:
            before = None
        if before is None:
            text = render_config(stored)
        else:
            # A file kept on a Windows share stays CRLF: edit it as LF, write it as it was.
            crlf = "\r\n" in before
            text = update_config_text(before.replace("\r\n", "\n"), stored)
            if crlf:
                text = text.replace("\n", "\r\n")
        atomic_write_bytes(path, text.encode("utf-8"), mode=PRIVATE_MODE)  # secrets in it
    except OSError as exc:
        raise CrisisError(
            f"cannot write the config file: {exc.strerror}",
            location=Location(str(path)),
            exit_code=ExitCode.IO_ERROR,
        ) from None
    _cache.pop(path, None)
    return config
