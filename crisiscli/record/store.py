"""Incident folders under ``CRISIS_HOME/incidents``: creating, finding, recording.

An incident is a folder ``YYYY-MM-DD-HHMM-<slug>`` holding ``journal.jsonl`` (the truth),
``playbook.json`` (the snapshot the incident runs on), ``playbook.yaml`` (the text it was
loaded from, for people) and ``log.md`` (derived, rewritten atomically after every event).
Ids and titles are never trusted as paths: slugs are ASCII, ids are checked against a
pattern and every resolved folder must stay inside the incidents folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any

from crisiscli import __version__
from crisiscli.env import Environment
from crisiscli.errors import (
    CrisisError,
    ExitCode,
    Location,
    NotFoundError,
    PlaybookError,
    UsageError,
)
from crisiscli.fsutil import atomic_write_text, fsync_dir, read_bounded, why
from crisiscli.playbook.model import Playbook, from_data, to_data
from crisiscli.record.fold import IncidentState, replay
from crisiscli.record.journal import Event, Journal

JOURNAL = "journal.jsonl"
SNAPSHOT = "playbook.json"
SOURCE_COPY = "playbook.yaml"
LOG = "log.md"
MAX_SNAPSHOT_BYTES = 16 * 1024 * 1024  # the playbook loader's own limit
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")


def load_snapshot(path: Path) -> Playbook:
    """Read an incident's ``playbook.json``: canonical data that crisis wrote itself, so it is
    read with ``model.from_data`` rather than the YAML validator (keeps ``note`` fast)."""
    try:
        data = json.loads(read_bounded(path, MAX_SNAPSHOT_BYTES).decode("utf-8"))
    except FileNotFoundError:
        raise PlaybookError(
            "the incident has no playbook snapshot", location=Location(str(path))
        ) from None
    except OSError as exc:
        raise PlaybookError(
            f"cannot read the playbook snapshot: {why(exc)}", location=Location(str(path))
        ) from None
    except (ValueError, RecursionError) as exc:
        raise PlaybookError(
            f"cannot read the playbook snapshot: {exc}", location=Location(str(path))
        ) from None
    try:
        return from_data(data, str(path))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PlaybookError(
            f"the playbook snapshot is damaged ({type(exc).__name__}: {exc})",
            location=Location(str(path)),
        ) from None


def slugify(title: str, limit: int = 48) -> str:
    """A safe ASCII folder name part: ``"../../etc"`` → ``"etc"``, ``""`` → ``"incident"``."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    slug = slug[:limit].rstrip("-")
    return slug or "incident"


@dataclass
class Incident:
    id: str
    dir: Path
    env: Environment
    warnings: list[str] = field(default_factory=list)
    _playbook: Playbook | None = None
    _journal: Journal | None = None

    @property
    def journal(self) -> Journal:
        if self._journal is None:
            self._journal = Journal(self.dir / JOURNAL)
        return self._journal

    @property
    def log_path(self) -> Path:
        return self.dir / LOG

    def playbook(self) -> Playbook:
        if self._playbook is None:
            self._playbook = load_snapshot(self.dir / SNAPSHOT)
        return self._playbook

    def events(self) -> list[Event]:
        result = self.journal.read()
        for warning in result.warnings:
            if warning not in self.warnings:
                self.warnings.append(warning)
        return result.events

    def state(self) -> IncidentState:
        return replay(self.events())

    def record(self, kind: str, data: dict[str, Any] | None = None) -> IncidentState:
        """Append one event durably, then rewrite the log; returns the new state."""
        with self.journal.locked():
            self.journal.append(kind, data or {}, actor=self.env.actor, clock=self.env.clock)
            state = self.state()
            self._write_log(state)
        return state

    def rebuild_log(self) -> IncidentState:
        with self.journal.locked():
            state = self.state()
            self._write_log(state)
        return state

    def _write_log(self, state: IncidentState) -> None:
        from crisiscli.views.log import render_log

        # The event is already durable: whatever fails from here on is a warning, never an
        # error (a retry after an error would record the event twice).
        try:
            text = render_log(
                state, self.playbook(), self.id, now=self.env.clock(), tz=log_timezone(self.env)
            )
            atomic_write_text(self.log_path, text)
        except OSError as exc:
            reason = why(exc)
        except CrisisError as exc:
            reason = exc.one_line()
        except Exception as exc:  # a bug in a view must not turn a saved event into a failure
            reason = f"{type(exc).__name__}: {exc}"
        else:
            return
        self.warnings.append(
            f"{self.log_path}: could not rewrite the log ({reason}); "
            f"the journal is intact, run `crisis log {self.id} --rebuild` later"
        )


def log_timezone(env: Environment) -> tzinfo | None:
    """The time zone for logs and briefs: ``timezone`` in config.toml, else the system's."""
    from crisiscli.config import current_config

    try:
        return current_config(env).tzinfo()
    except ValueError:  # the zone database lost the name since it was configured
        return None


def create_incident(
    env: Environment,
    playbook: Playbook,
    *,
    title: str,
    severity: str,
    drill: bool = False,
    source_text: str | None = None,
) -> Incident:
    root = env.incidents_dir
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CrisisError(
            f"cannot create the incidents folder: {exc.strerror}",
            location=Location(str(root)),
            exit_code=ExitCode.IO_ERROR,
        ) from None
    stamp = env.clock().strftime("%Y-%m-%d-%H%M")
    base = f"{stamp}-{slugify(title)}"
    folder, name = None, base
    for attempt in range(1, 1000):
        name = base if attempt == 1 else f"{base}-{attempt}"
        candidate = root / name
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            raise CrisisError(
                f"cannot create the incident folder: {exc.strerror}",
                location=Location(str(candidate)),
                exit_code=ExitCode.IO_ERROR,
            ) from None
        folder = candidate
        fsync_dir(root)  # the new folder's name is durable before its first event
        break
    if folder is None:  # pragma: no cover - a thousand incidents with one title in a minute
        raise CrisisError(
            "too many incidents with this title this minute", exit_code=ExitCode.STATE
        )
    incident = Incident(name, folder, env)
    try:
        atomic_write_text(
            folder / SNAPSHOT, json.dumps(to_data(playbook), ensure_ascii=False, indent=1)
        )
        if source_text is not None:
            atomic_write_text(folder / SOURCE_COPY, source_text)
        incident._playbook = playbook
        incident.record(
            "incident.opened",
            {
                "title": title,
                "severity": severity,
                "drill": drill,
                "playbook": {
                    "id": playbook.id,
                    "title": playbook.title,
                    "version": playbook.version,
                    "source": playbook.source,
                },
                "crisis_version": __version__,
            },
        )
    except BaseException:
        # Nothing was recorded yet (the first event is what makes an incident): remove the
        # half-made folder rather than leave an empty one behind. A folder whose journal
        # holds an event is never removed.
        journal = folder / JOURNAL
        if not journal.exists() or journal.stat().st_size == 0:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return incident


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return False
    return True


def list_incidents(env: Environment) -> list[Incident]:
    """All incident folders, oldest first (names start with the UTC start time)."""
    root = env.incidents_dir
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise CrisisError(
            f"cannot read the incidents folder: {exc.strerror}",
            location=Location(str(root)),
            exit_code=ExitCode.IO_ERROR,
        ) from None
    found = []
    for entry in entries:
        path = Path(entry.path)
        if not ID_PATTERN.match(entry.name) or not (path / JOURNAL).is_file():
            continue
        if not _inside(path, root):  # a symlink pointing out of CRISIS_HOME is ignored
            continue
        found.append(Incident(entry.name, path, env))
    return found


def find_incident(env: Environment, ref: str | None, *, open_only: bool = False) -> Incident:
    """By exact id, unique prefix or unique part of the id; no ref: the latest open one."""
    incidents = list_incidents(env)
    if ref is None or ref == "latest":
        for incident in reversed(incidents):
            if not open_only or incident.state().is_open:
                return incident
        what = "open incident" if open_only else "incident"
        raise NotFoundError(
            f"no {what} in {env.incidents_dir}", hint="start one with: crisis start"
        )
    if not ID_PATTERN.match(ref) or ".." in ref:
        raise UsageError(f"'{ref}' is not an incident id (see: crisis list)")
    exact = [i for i in incidents if i.id == ref]
    if exact:
        return exact[0]
    matches = [i for i in incidents if i.id.startswith(ref)] or [
        i for i in incidents if ref in i.id
    ]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFoundError(f"no incident matches '{ref}'", hint="see: crisis list")
    names = ", ".join(i.id for i in matches[:5])
    raise UsageError(f"'{ref}' matches {len(matches)} incidents: {names}")
