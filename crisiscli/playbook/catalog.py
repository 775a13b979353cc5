"""Where playbooks come from: the bundled library, ``CRISIS_HOME/playbooks``, a path."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from crisiscli.env import Environment
from crisiscli.errors import CrisisError, NotFoundError
from crisiscli.playbook.model import Playbook

DEFAULT_PLAYBOOK = "general"


@dataclass
class PlaybookEntry:
    id: str
    path: Path
    origin: str  # bundled | user | config (playbook_dirs) | path
    playbook: Playbook | None = None
    error: str | None = None

    @property
    def title(self) -> str:
        return self.playbook.title if self.playbook else "(does not load)"

    def source_text(self) -> str | None:
        """The file as written (kept beside the snapshot), if it can still be read."""
        try:
            return self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None


def bundled_dir() -> Path:
    """Inside the wheel (``crisiscli/bundled_playbooks``) or, from a checkout, ``playbooks/``."""
    here = Path(__file__).resolve().parent.parent
    installed = here / "bundled_playbooks"
    if installed.is_dir():
        return installed
    return here.parent / "playbooks"


def search_dirs(env: Environment) -> list[tuple[str, Path]]:
    """CRISIS_HOME/playbooks, then ``playbook_dirs`` from config.toml, then the bundled ones."""
    from crisiscli.config import current_config

    extra = [("config", folder) for folder in current_config(env).playbook_dirs]
    return [("user", env.playbooks_dir), *extra, ("bundled", bundled_dir())]


def _files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    except OSError:
        return []


def load_entry(path: Path, origin: str) -> PlaybookEntry:
    from crisiscli.playbook.load import load_playbook

    try:
        playbook = load_playbook(path)
        return PlaybookEntry(playbook.id, path, origin, playbook)
    except CrisisError as exc:
        return PlaybookEntry(path.stem, path, origin, None, exc.one_line())


def discover(env: Environment) -> list[PlaybookEntry]:
    """Every playbook found; a user playbook with a bundled id hides the bundled one."""
    seen: dict[str, PlaybookEntry] = {}
    for origin, folder in search_dirs(env):
        files = _files(folder)
        if files and origin != "bundled":
            from crisiscli.playbook.schema import write_schema_beside

            write_schema_beside(folder)  # so the playbooks' modeline resolves there
        for path in files:
            entry = load_entry(path, origin)
            seen.setdefault(entry.id, entry)
    return sorted(seen.values(), key=lambda e: (e.id != DEFAULT_PLAYBOOK, e.id))


def resolve(env: Environment, ref: str) -> PlaybookEntry:
    """A playbook by id, or by path when ``ref`` names a file."""
    candidate = Path(ref).expanduser()
    if "/" in ref or ref.endswith((".yaml", ".yml")) or candidate.is_file():
        from crisiscli.playbook.load import load_playbook

        playbook = load_playbook(candidate, ref)  # raises with file:line:col
        return PlaybookEntry(playbook.id, candidate, "path", playbook)
    entries = discover(env)
    for entry in entries:
        if entry.id == ref:
            if entry.playbook is None:
                raise CrisisError(entry.error or f"playbook '{ref}' does not load")
            return entry
    close = difflib.get_close_matches(ref, [e.id for e in entries], n=1)
    hint = f"did you mean '{close[0]}'?" if close else "see: crisis playbooks"
    raise NotFoundError(f"no playbook '{ref}'", hint=hint)


def with_configured_scale(env: Environment, book: Playbook) -> Playbook:
    """``severity_levels`` / ``default_severity`` from config.toml, where the playbook allows."""
    from crisiscli.config import current_config
    from crisiscli.frozen import replace
    from crisiscli.playbook.model import DEFAULT_SEVERITIES, SeverityLevel

    config = current_config(env)
    if config.severity_levels and book.severities == DEFAULT_SEVERITIES:
        ids = list(config.severity_levels)
        default = config.default_severity or ids[(len(ids) - 1) // 2]
        levels = tuple(SeverityLevel(level) for level in ids)
        return replace(book, severities=levels, default_severity=default)
    if config.default_severity in [lv.id for lv in book.severities]:
        return replace(book, default_severity=config.default_severity)
    return book


def check_severity(book: Playbook, level: str) -> None:
    """Refuse a severity the playbook's scale does not have."""
    from crisiscli.errors import UsageError

    level_ids = [lv.id for lv in book.severities]
    if level not in level_ids:
        raise UsageError(f"severity '{level}' is not one of: {', '.join(level_ids)}")
