"""Incident folders under ``CRISIS_HOME/incidents``: creating, finding, recording, folding.

An incident is a folder ``YYYY-MM-DD-HHMM-<slug>`` holding ``journal.jsonl`` (the truth),
``playbook.json`` (the snapshot the incident runs on), ``playbook.yaml`` (the text it was
loaded from, for people), ``evidence/<sha256>`` (files kept as evidence) and derived files: ``log.md``, and two caches that are safe to
delete at any time — ``.checkpoint.json`` (the fold as of a journal offset) and
``.summary.json`` (what ``list`` and ``status`` need, with the journal size it matches).

Ids and titles are never trusted as paths: slugs are ASCII, ids are checked against a
pattern and every resolved folder must stay inside the incidents folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
from collections.abc import Callable, Mapping
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

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

if TYPE_CHECKING:  # the fold's modules load when an incident is folded, not to list them
    from crisiscli.playbook.model import Playbook
    from crisiscli.record import checkpoint as cp
    from crisiscli.record.catchup import Caught, Context
    from crisiscli.record.events import Event, NewEvent
    from crisiscli.record.fold import IncidentState, TimelineEntry
    from crisiscli.record.journal import Journal
    from crisiscli.record.signing import Policy

JOURNAL = "journal.jsonl"
SNAPSHOT = "playbook.json"
SOURCE_COPY = "playbook.yaml"
LOG = "log.md"
SUMMARY = ".summary.json"
# Evidence files (``crisis evidence add``) live in ``evidence/<sha256>``: 64 lowercase hex
# digits, the SHA-256 of the bytes, at most MAX_EVIDENCE_BYTES. A shared folder (``crisis
# sync``) carries them; whatever arrives must have that name, that size and that hash.
EVIDENCE = "evidence"
MAX_EVIDENCE_BYTES = 50 * 1024 * 1024
INDEX = ".index.json"  # in incidents/: every incident's summary, for list
MAX_INDEX = 64 * 1024 * 1024
INCIDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,120}")


def is_incident_id(name: str) -> bool:
    """Whether a folder name can be an incident id: one path segment, never ``..``."""
    return INCIDENT_ID.fullmatch(name) is not None and ".." not in name


MAX_SNAPSHOT_BYTES = 16 * 1024 * 1024  # the playbook loader's own limit
MAX_SUMMARY = 1024 * 1024


class DerivedFile(Protocol):
    """A file kept true after every recorded event (``log.md``): see ``views/log.py``."""

    name: str

    def update(
        self,
        incident: Incident,
        state: IncidentState,
        entries: list[TimelineEntry],
        cache: dict[str, Any] | None,
    ) -> dict[str, Any]:
        """Bring the file up to date with ``entries`` (new since ``cache``); returns the new
        cache. ``cache`` None: rebuild from scratch."""
        ...


def load_snapshot(path: Path) -> Playbook:
    """Read an incident's ``playbook.json``: canonical data that crisis wrote itself, so it is
    read with ``model.from_data`` rather than the YAML validator (keeps ``note`` fast)."""
    from crisiscli.playbook.model import from_data

    data = _snapshot_data(path)
    try:
        return from_data(data, str(path))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PlaybookError(
            f"the playbook snapshot is damaged ({type(exc).__name__}: {exc})",
            location=Location(str(path)),
        ) from None


def _snapshot_data(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(read_bounded(path, MAX_SNAPSHOT_BYTES))
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
    if not isinstance(data, dict):
        raise PlaybookError("the playbook snapshot is damaged", location=Location(str(path)))
    return data


def snapshot_step_ids(path: Path) -> frozenset[str]:
    """The step ids of a snapshot, read without building the playbook model."""
    data = _snapshot_data(path)
    ids = set()
    for phase in data.get("phases") or []:
        for step in (phase.get("steps") or []) if isinstance(phase, dict) else []:
            if isinstance(step, dict) and isinstance(step.get("id"), str):
                ids.add(step["id"])
    return frozenset(ids)


def slugify(title: str, limit: int = 48) -> str:
    """A safe ASCII folder name part: ``"../../etc"`` → ``"etc"``, ``""`` → ``"incident"``."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    slug = slug[:limit].rstrip("-")
    return slug or "incident"


def zone_key(tz: tzinfo | None) -> str:
    """Names the zone derived text was written in (a change means: describe again)."""
    if tz is not None:
        return str(tz)
    import time

    return f"system:{os.environ.get('TZ', '')}:{'/'.join(time.tzname)}"


class Incident:
    """One incident folder: its journal, snapshot, caches and the fold of its events.

    A plain class (not a dataclass): it is built on every command's quick path, and
    ``list`` builds a thousand of them. Two are equal when they name the same folder."""

    def __init__(self, id: str, dir: Path | str, env: Environment) -> None:
        self.id = id
        # Kept as given: ``list`` makes a thousand incidents and uses few of their paths,
        # and a ``Path`` costs more to build than the rest of the object.
        self._dir: Path | str = dir
        self.env = env
        self._playbook: Playbook | None = None
        self._journal: Journal | None = None
        self._checkpoint: cp.Checkpoint | None = None
        self._step_ids: frozenset[str] | None = None
        # A long-lived writer (the walk-through) saves its checkpoint at most this often: a
        # checkpoint that lags is still valid (others fold the lines after it), and saving
        # costs a write and a rename per event. Commands that run once save every time.
        self.save_interval = 0.0
        self._saved_at = 0.0
        self._summary: dict[str, Any] | None = None
        # ``journal_stamp`` of the journal when ``list_incidents`` found it: what the index
        # of summaries is checked against, without a second stat.
        self.listed_journal: list[int] | None = None
        self._unchecked = False  # the fold left signatures unchecked: never saved

    @property
    def dir(self) -> Path:
        """The incident's folder."""
        if isinstance(self._dir, str):
            self._dir = Path(self._dir)
        return self._dir

    @property
    def folder(self) -> str:
        """The incident's folder as text (no ``Path`` built)."""
        return str(self._dir)

    def __repr__(self) -> str:
        return f"Incident(id={self.id!r}, dir={self.folder!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Incident):
            return NotImplemented
        return (self.id, os.path.normpath(self.folder)) == (
            other.id,
            os.path.normpath(other.folder),
        )

    def __hash__(self) -> int:
        return hash((self.id, os.path.normpath(self.folder)))

    @property
    def journal(self) -> Journal:
        if self._journal is None:
            from crisiscli.record.journal import Journal

            self._journal = Journal(self.dir / JOURNAL)
        return self._journal

    @property
    def log_path(self) -> Path:
        return self.dir / LOG

    def playbook(self) -> Playbook:
        if self._playbook is None:
            self._playbook = load_snapshot(self.dir / SNAPSHOT)
        return self._playbook

    def tz(self) -> tzinfo | None:
        return log_timezone(self.env)

    # -- folding ---------------------------------------------------------------------------

    def state(self) -> IncidentState:
        """The incident as it stands: the checkpoint plus the lines written since."""
        return self._catch_up().state

    def replay(self, *, tz: tzinfo | None = None, history: bool = True) -> IncidentState:
        """A full replay that also keeps every note and timeline line (for the report)."""
        from crisiscli.record.catchup import catch_up

        zone = tz if tz is not None else self.tz()
        ctx = self._context(zone)
        try:
            caught = catch_up(self.journal, None, ctx, history=history)
        finally:
            _done_checking(ctx)
        for warning in caught.warnings:
            self.env.warn(warning)
        return caught.state

    def _context(self, tz: tzinfo | None) -> Context:
        from crisiscli.record.catchup import Context
        from crisiscli.record.labels import PlaybookNames

        rules = self._signature_policy()
        checker = None
        if rules is not None:
            from crisiscli.record.signing import Checker

            checker = Checker(self.dir, self.id, rules)
        return Context(
            step_known=self._step_known,
            names=lambda state: PlaybookNames(self.playbook, state, self.id, tz),
            now=self.env.clock(),
            shown=self._shown(),
            checker=checker,
            require_signature=rules is not None and rules.require,
        )

    def _signature_policy(self) -> Policy | None:
        """How decisions' signatures count here (None: nobody set signing up)."""
        home = self.env.home
        if not (home / "config.toml").is_file() and not os.path.lexists(home / "allowed_signers"):
            return None
        from crisiscli.record.signing import policy

        return policy(self.env)

    def _shown(self) -> str:
        return f"{self.id}/{JOURNAL}"

    def _step_known(self, step_id: str) -> bool:
        if self._step_ids is None:
            self._step_ids = (
                frozenset(s.id for s in self._playbook.steps)
                if self._playbook is not None
                else snapshot_step_ids(self.dir / SNAPSHOT)
            )
        return step_id in self._step_ids

    def _catch_up(self, *, save: bool = True) -> Caught:
        from crisiscli.record import checkpoint as cp
        from crisiscli.record.catchup import catch_up

        tz = self.tz()
        ctx = self._context(tz)
        zone = zone_key(tz)
        if ctx.checker is not None:  # decisions were counted under other signers: fold again
            zone += "|" + ctx.checker.rules.key
        previous = self._checkpoint or cp.load(self.dir)
        if previous is not None and previous.zone != zone:
            previous = None  # described in another zone: describe again
        try:
            caught = catch_up(self.journal, previous, ctx)
        finally:
            _done_checking(ctx)
        # Signatures left unchecked (record/signing.CHECK_BUDGET): this fold is not kept on
        # disk, so the next command folds those lines again and checks them.
        self._unchecked = ctx.checker is not None and ctx.checker.incomplete
        for warning in caught.warnings:
            self.env.warn(warning)
        if caught.replayed or previous is None:
            derived: dict[str, Any] = {}
            undelivered: list[TimelineEntry] = []
        else:
            derived, undelivered = previous.derived, previous.undelivered + caught.entries
            if len(undelivered) > cp.MAX_UNDELIVERED:
                derived, undelivered = {}, []
        self._checkpoint = cp.Checkpoint(
            caught.position, caught.state, caught.pending, derived, undelivered, zone
        )
        if save and (previous is None or caught.position != previous.position):
            self._save()
        return caught

    def _save(self, *, force: bool = False) -> None:
        """Write the caches (best effort: they are rebuilt when missing or wrong)."""
        import time

        assert self._checkpoint is not None
        if self._unchecked:
            return
        now = time.monotonic()
        if not force and self.save_interval and now - self._saved_at < self.save_interval:
            return
        self._saved_at = now
        # A read-only or full disk only costs speed here: the next command folds again.
        from crisiscli.record import checkpoint as cp

        with contextlib.suppress(OSError):
            cp.save(self.dir, self._checkpoint)
            summary = summary_of(self._checkpoint.state)
            if self._summary is None:
                self._summary = _summary_on_disk(self)
            if summary != self._summary:  # list and status re-fold a journal that grew
                write_summary(self, summary, self._checkpoint.position.offset)
                self._summary = summary

    def flush(self) -> None:
        """Save the checkpoint now (a long-lived writer, when it stops)."""
        if self._checkpoint is not None:
            self._save(force=True)

    # -- recording -------------------------------------------------------------------------

    def record(self, *new: NewEvent) -> IncidentState:
        """Append events durably (fsynced, in order), then fold them and rewrite the log.

        Once an event is appended nothing can turn the command into a failure: what goes
        wrong afterwards (the log, the caches) is a warning, and the next command repairs it.
        """
        for event in new:  # nothing that would not fold is ever written
            self._check(event)
        with self.journal.locked():
            return self._append(list(new), derived=True)

    def record_if(
        self, decide: Callable[[IncidentState], list[NewEvent]], *, derived: bool = True
    ) -> tuple[IncidentState, list[NewEvent]]:
        """Compare and append: under the incident's lock, fold what is new, ask ``decide``
        which events to record given that state, and record them. Two processes asking at
        once see each other's events (``notify.claimed``: only one of them claims).

        ``derived=False`` leaves log.md as it is (a reader such as ``crisis watch`` recording
        its notification deliveries): the next writer adds the lines it missed.
        """
        with self.journal.locked():
            wanted = decide(self._catch_up(save=False).state)
            for event in wanted:
                self._check(event)
            if not wanted:
                assert self._checkpoint is not None
                return self._checkpoint.state, []
            return self._append(wanted, derived=derived), wanted

    def _check(self, event: NewEvent) -> None:
        from crisiscli.record.events import Event, problem

        reason = problem(Event("-", self.env.clock(), self.env.actor, *event), self._step_known)
        if reason is not None:
            raise ValueError(f"refusing to record an event that does not fit: {reason}")

    def _append(self, new: list[NewEvent], *, derived: bool) -> IncidentState:
        """Append (the lock is held), then bring the fold and the derived files up to date."""
        sign = self._signer()
        for event in new:
            self.journal.append(event, actor=self.env.actor, clock=self.env.clock, sign=sign)
        if self.journal.torn_kept:
            self._say_torn_kept()
        if new:
            self.env.recorded.setdefault(self.dir, set()).update(e.type for e in new)
        try:
            if not derived:
                return self._catch_up().state
            return self._refresh_derived()
        except Exception as exc:  # the events are safe; say what was not done
            if self.env.debug:
                raise
            self.env.warn(
                f"{self.dir}: recorded, but could not rewrite the log "
                f"({type(exc).__name__}: {exc}); run `crisis log {self.id} --rebuild`"
            )
            self._checkpoint = None
            return self._last_known_state()

    def _signer(self) -> Callable[[Event], str | None] | None:
        """How this machine signs what it records here (None: it does not sign). No
        config and no allowed_signers file: nothing to sign with, nothing imported."""
        home = self.env.home
        if not (home / "config.toml").is_file() and not os.path.lexists(home / "allowed_signers"):
            return None
        from crisiscli.record.signing import signer_for

        return signer_for(self.env, self.id)

    def _say_torn_kept(self) -> None:
        from crisiscli.record.journal import TORN_ASIDE

        kept, self.journal.torn_kept[:] = sum(self.journal.torn_kept), []
        self.env.warn(
            f"{self.journal.path}: cut off an incomplete last line ({kept} bytes an interrupted "
            f"write left; never an event) and kept it in {self.dir / TORN_ASIDE}"
        )
        self._checkpoint = None  # the fold saw the journal with the fragment: read again

    def _last_known_state(self) -> IncidentState:
        try:
            return self.state()
        except Exception:
            from crisiscli.record.fold import IncidentState

            return IncidentState()

    def refresh_log(self) -> IncidentState:
        """Fold what was appended (a merge's events) and show it to the derived files: only
        the new lines when they sort after those applied, a full replay otherwise."""
        with self.journal.locked():
            return self._refresh_derived()

    def rebuild_log(self) -> IncidentState:
        """Rebuild every derived file from a full replay."""
        with self.journal.locked():
            self._catch_up()
            assert self._checkpoint is not None
            self._checkpoint = self._checkpoint._replace(derived={}, undelivered=[])
            return self._refresh_derived()

    def _refresh_derived(self) -> IncidentState:
        """Fold what is new and show it to the derived files. Call with the lock held."""
        caught = self._catch_up(save=False)
        assert self._checkpoint is not None
        derived = dict(self._checkpoint.derived)
        entries = self._checkpoint.undelivered
        for output in self.env.derived_files():
            try:
                derived[output.name] = output.update(
                    self, caught.state, entries, derived.get(output.name)
                )
            except OSError as exc:
                derived.pop(output.name, None)
                self.env.warn(
                    f"{self.dir}: could not rewrite the log {output.name} ({exc.strerror}); "
                    f"the journal is intact, run `crisis log {self.id} --rebuild` later"
                )
        self._checkpoint = self._checkpoint._replace(derived=derived, undelivered=[])
        self._save()
        return caught.state

    def derived_history(self) -> list[TimelineEntry]:
        """Every timeline line, from a full replay (for derived files rebuilt from scratch)."""
        state = self.replay(history=True)
        assert state.history is not None
        return state.history.timeline


def _done_checking(ctx: Context) -> None:
    if ctx.checker is not None:
        ctx.checker.close()


def log_timezone(env: Environment) -> tzinfo | None:
    """The time zone for logs and briefs: ``timezone`` in config.toml, else the system's."""
    if not (env.home / "config.toml").is_file():
        return None  # nothing configured: no config import on the quick paths
    from crisiscli.config import current_config

    try:
        return current_config(env).tzinfo()
    except ValueError:  # the zone database lost the name since it was configured
        return None


# -- summaries for list and status ---------------------------------------------------------


def summary_of(state: IncidentState) -> dict[str, Any]:
    """What ``list`` and ``status`` need to know of an incident without folding it."""
    return {
        "title": state.title,
        "status": state.status,
        "severity": state.severity,
        "playbook": str(state.playbook.get("id", "")),
        "drill": state.drill,
        "started_at": state.started_at.isoformat() if state.started_at else None,
        "current": None if state.closed else state.current,
        "routine": state.routine,
    }


def journal_stamp(path: str | os.PathLike[str]) -> list[int] | None:
    """What a cache made from a journal is checked against: device, inode, size and time
    of the last change (a journal replaced by one of the same size, even on a reused
    inode, has another time). None when it is not a regular file (a link is not followed)."""
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns]


def write_summary(incident: Incident, summary: dict[str, Any], folded_size: int) -> None:
    """The summary with the stamp of the journal it was folded from (a journal that has
    changed since makes ``read_summary`` fold again). When the journal has grown past what
    was folded, no stamp is kept: the summary is then never believed, only rewritten."""
    stamp = journal_stamp(incident.journal.path)
    if stamp is not None and stamp[2] != folded_size:
        stamp = None
    data = {"format": 1, "crisis": __version__, "journal": stamp}
    text = json.dumps({**data, **summary}, ensure_ascii=False)
    atomic_write_text(incident.dir / SUMMARY, text, durable=False)


def _summary_on_disk(incident: Incident) -> dict[str, Any] | None:
    try:
        data = json.loads(read_bounded(incident.dir / SUMMARY, MAX_SUMMARY))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("crisis") != __version__:
        return None
    return {k: v for k, v in data.items() if k not in ("format", "crisis", "journal")}


def read_summary(incident: Incident) -> dict[str, Any]:
    """The incident's summary, refreshed by a fold when its journal has changed since."""
    ident = journal_stamp(os.path.join(incident.folder, JOURNAL))
    try:
        data = json.loads(read_bounded(incident.dir / SUMMARY, MAX_SUMMARY))
        if (
            isinstance(data, dict)
            and data.get("crisis") == __version__
            and ident is not None
            and data.get("journal") == ident
        ):
            return data
    except (OSError, ValueError, RecursionError):
        pass
    state = incident.state()  # the journal changed (or no summary yet): fold
    summary = summary_of(state)
    checkpoint = incident._checkpoint
    with contextlib.suppress(OSError):  # a read-only copy: just not cached
        if checkpoint is not None:
            write_summary(incident, summary, checkpoint.position.offset)
    return summary


# -- creating and finding ------------------------------------------------------------------


def create_incident(
    env: Environment,
    playbook: Playbook,
    *,
    title: str,
    severity: str,
    drill: bool = False,
    source_text: str | None = None,
    roles: Mapping[str, str] | None = None,
) -> Incident:
    """A new incident folder with its snapshot, ``incident.opened`` and who holds each role
    (``roles``: role id → person; an empty person leaves the role open)."""
    from crisiscli.playbook.model import to_data
    from crisiscli.record.events import incident_opened, role_assigned

    root = env.incidents_dir
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CrisisError(
            f"cannot create the incidents folder: {exc.strerror}",
            location=Location(str(root)),
            exit_code=ExitCode.IO_ERROR,
        ) from None
    # One line: a newline, tab or line separator typed or passed in a title would print
    # as a line of its own wherever the title is shown (warnings, lists, notifications).
    title = " ".join(title.split()) or title
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
        break
    if folder is None:  # a thousand incidents with one title in a minute
        raise CrisisError(
            "too many incidents with this title this minute", exit_code=ExitCode.STATE
        )
    fsync_dir(root)  # the new folder survives a power cut with its first event
    incident = Incident(name, folder, env)
    try:
        atomic_write_text(
            folder / SNAPSHOT, json.dumps(to_data(playbook), ensure_ascii=False, indent=1)
        )
        if source_text is not None:
            atomic_write_text(folder / SOURCE_COPY, source_text)
        incident._playbook = playbook
        info: dict[str, Any] = {
            "id": playbook.id,
            "title": playbook.title,
            "version": playbook.version,
            "source": playbook.source,
            "language": playbook.language,  # the language the log tells the incident in
        }
        if playbook.purpose != "incident":
            info["purpose"] = playbook.purpose  # a routine check: not counted as an incident
        if playbook.require_signature:
            info["require_signature"] = True  # the fold counts only signed approvals
        incident.record(
            incident_opened(title, severity, drill=drill, playbook=info, version=__version__)
        )
    except BaseException:
        # Nothing was recorded yet (the first event is what makes an incident): remove the
        # half-made folder rather than leave an empty one behind. A folder whose journal
        # holds an event is never removed.
        journal = folder / JOURNAL
        if not journal.exists() or journal.stat().st_size == 0:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
        raise
    assigned = [role_assigned(role, person) for role, person in (roles or {}).items() if person]
    if assigned:
        incident.record(*assigned)
    return incident


def _folders(env: Environment) -> list[os.DirEntry[str]]:
    """The folders directly in ``incidents/`` named like incidents, oldest first (names start
    with the UTC start time). Only real folders: a link could point out of CRISIS_HOME, and a
    folder that is not a link cannot (``scandir`` knows without a ``stat``)."""
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
    return [e for e in entries if is_incident_id(e.name) and e.is_dir(follow_symlinks=False)]


def _incident_in(env: Environment, entry: os.DirEntry[str]) -> Incident | None:
    """The incident in a folder, or None when it holds no journal file (a journal linked to
    a file counts: the command that reads it says why it is refused)."""
    journal = os.path.join(entry.path, JOURNAL)
    stamp = journal_stamp(journal)
    if stamp is None and not os.path.isfile(journal):
        return None
    incident = Incident(entry.name, entry.path, env)
    incident.listed_journal = stamp
    return incident


def list_incidents(env: Environment) -> list[Incident]:
    """All incidents, oldest first."""
    found = (_incident_in(env, entry) for entry in _folders(env))
    return [incident for incident in found if incident is not None]


def summaries(env: Environment, incidents: list[Incident]) -> list[dict[str, Any]]:
    """The summary of each listed incident, from one index file where it is still true.

    ``incidents/.index.json`` holds every incident's summary with the journal identity it
    was made from; an incident whose journal changed since is read (its own summary, or a
    fold) and the index rewritten. It is a cache like the others: safe to delete, never
    trusted over a journal that differs from what it recorded."""
    path = env.incidents_dir / INDEX
    try:
        data = json.loads(read_bounded(path, MAX_INDEX))
        cached = data["incidents"] if data.get("crisis") == __version__ else {}
        if not isinstance(cached, dict):
            cached = {}
    except (OSError, ValueError, RecursionError, TypeError, KeyError, AttributeError):
        cached = {}
    fresh: dict[str, Any] = {}
    result = []
    for incident in incidents:
        entry = cached.get(incident.id)
        ident = incident.listed_journal
        if (
            isinstance(entry, list)
            and len(entry) == 2
            and ident is not None
            and entry[0] == ident
            and isinstance(entry[1], dict)
        ):
            summary = entry[1]
        else:
            summary = read_summary(incident)  # at least as new as the listed journal
        if ident is not None:
            fresh[incident.id] = [ident, summary]
        result.append(summary)
    if fresh != cached:
        text = json.dumps({"format": 1, "crisis": __version__, "incidents": fresh})
        with contextlib.suppress(OSError):  # a read-only home: just not cached
            atomic_write_text(path, text, durable=False)
    return result


def is_open(incident: Incident) -> bool:
    return read_summary(incident).get("status") != "closed"


def find_incident(env: Environment, ref: str | None, *, open_only: bool = False) -> Incident:
    """By exact id, unique prefix or unique part of the id; no ref: the latest open one."""
    folders = _folders(env)
    if ref is None or ref == "latest":
        # Newest first, stopping at the first that fits: one stat, not one per incident.
        for entry in reversed(folders):
            found = _incident_in(env, entry)
            if found is not None and (not open_only or is_open(found)):
                return found
        what = "open incident" if open_only else "incident"
        raise NotFoundError(
            f"no {what} in {env.incidents_dir}", hint="start one with: crisis start"
        )
    if not is_incident_id(ref):
        raise UsageError(f"'{ref}' is not an incident id (see: crisis list)")
    exact = next((e for e in folders if e.name == ref), None)
    found = _incident_in(env, exact) if exact is not None else None
    if found is not None:
        return found
    incidents = list_incidents(env)
    matches = [i for i in incidents if i.id.startswith(ref)] or [
        i for i in incidents if ref in i.id
    ]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFoundError(f"no incident matches '{ref}'", hint="see: crisis list")
    names = ", ".join(i.id for i in matches[:5])
    raise UsageError(f"'{ref}' matches {len(matches)} incidents: {names}")
