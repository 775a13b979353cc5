"""``crisis export``: one zip for legal or a manager, with proof of every byte in it.

The bundle holds the journal (as written), the playbook snapshot (and the YAML it came
from), ``log.md`` with the whole timeline, the report as HTML and JSON, every evidence
file as ``evidence/<sha256>``, the proof of every signed decision under ``signatures/``
(checkable with plain ``ssh-keygen -Y verify``), and ``manifest.json`` listing the SHA-256 and size of every
other member. It is deterministic — the same incident gives the same bytes: members in a
fixed order, each stamped with the time of the incident's last event, fixed permissions,
no extra fields, and reports generated "as of" that last event rather than now.

``verify_bundle`` reads a bundle back (without extracting it: names are only compared,
never used as paths) and names every member missing, extra or changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import zipfile
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, NamedTuple

from crisiscli import __version__
from crisiscli.errors import CrisisError, ExitCode, Location
from crisiscli.fsutil import NOFOLLOW, fsync_dir, read_bounded
from crisiscli.record.journal import MAX_JOURNAL_BYTES
from crisiscli.record.store import (
    EVIDENCE,
    JOURNAL,
    MAX_SNAPSHOT_BYTES,
    SNAPSHOT,
    SOURCE_COPY,
    Incident,
)

FORMAT = "crisis-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEMBER_MODE = 0o644 << 16  # -rw-r--r--, whatever the umask
MAX_MEMBERS = 100_000
MAX_BUNDLE_BYTES = 64 * 1024 * 1024 * 1024  # what verify reads, uncompressed, at most
CHUNK = 1 << 20


class ExportError(CrisisError):
    exit_code = ExitCode.FINDINGS


class Member(NamedTuple):
    name: str
    data: bytes | None  # None: streamed from ``path``
    path: Path | None = None


def _stamp(ts: datetime | None) -> tuple[int, int, int, int, int, int]:
    when = (ts or datetime(1980, 1, 1, tzinfo=timezone.utc)).astimezone(timezone.utc)
    when = max(when, datetime(1980, 1, 1, tzinfo=timezone.utc))
    return (when.year, when.month, when.day, when.hour, when.minute, when.second // 2 * 2)


def _journal_bytes(incident: Incident) -> bytes:
    """The journal as written, up to its last complete line (a writer may be mid-line)."""
    with incident.journal.locked():
        blob = read_bounded(incident.dir / JOURNAL, MAX_JOURNAL_BYTES)
    end = blob.rfind(b"\n")
    return blob[: end + 1] if end >= 0 else b""


def bundle_members(
    incident: Incident, *, tz: Any = None, zone_name: str | None = None
) -> list[Member]:
    """Every member of the bundle but the manifest, in their fixed order."""
    from crisiscli.team.evidence import evidence_path, verify
    from crisiscli.views.log import render_log
    from crisiscli.views.report.model import build_report
    from crisiscli.views.report.render import render

    journal = _journal_bytes(incident)
    state = incident.replay(tz=tz, history=True)
    assert state.history is not None
    problems = verify(incident, state.evidence)
    if problems:
        names = "; ".join(
            f"evidence/{p.item.sha256} ({p.item.name}): {p.problem}" for p in problems[:3]
        )
        raise ExportError(
            f"evidence no longer matches its hash: {names}",
            hint=f"see: crisis evidence verify --incident {incident.id}",
        )
    as_of = state.last_event_at or state.started_at or datetime.now(timezone.utc)
    prefix = str(incident.dir) + "/"
    warnings = [w.replace(prefix, "") for w in incident.env.warnings]
    model = build_report(
        state,
        incident.playbook(),
        incident.id,
        now=as_of,
        tz=tz,
        zone_name=zone_name,
        warnings=warnings,
    )
    from crisiscli.team.evidence import thumbnails

    members = [
        Member(JOURNAL, journal),
        Member(SNAPSHOT, read_bounded(incident.dir / SNAPSHOT, MAX_SNAPSHOT_BYTES)),
    ]
    with contextlib.suppress(FileNotFoundError):
        members.append(
            Member(SOURCE_COPY, read_bounded(incident.dir / SOURCE_COPY, MAX_SNAPSHOT_BYTES))
        )
    members += [
        Member("log.md", render_log(state, incident, state.history.timeline, tz).encode("utf-8")),
        Member(
            "report.html",
            render(model, "html", None, thumbnails(incident, state.evidence)).encode("utf-8"),
        ),
        Member("report.json", render(model, "json").encode("utf-8")),
    ]
    for sha in sorted({e.sha256 for e in state.evidence if e.sha256}):
        members.append(Member(f"{EVIDENCE}/{sha}", None, evidence_path(incident, sha)))
    if b'"sig"' in journal:  # the proof of every signed decision, checkable offline
        from crisiscli.record.signing import proof_files, read_signers

        for name, data in proof_files(incident.id, journal, read_signers(incident.env.home)):
            members.append(Member(f"signatures/{name}", data))
    return members


def _manifest(
    incident: Incident, members: list[tuple[str, str, int]], as_of: datetime | None
) -> bytes:
    state = incident.state()
    data = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "crisis": __version__,
        "incident": incident.id,
        "title": state.title,
        "as_of": as_of.astimezone(timezone.utc).isoformat() if as_of else None,
        "members": [{"name": n, "sha256": h, "size": s} for n, h, s in members],
        "evidence": [
            {
                "sha256": e.sha256,
                "name": e.name,
                "type": e.type,
                "size": e.size,
                "note": e.note,
                "added_at": e.ts.isoformat(),
                "added_by": e.actor,
            }
            for e in state.evidence
            if e.kind == "file"
        ],
    }
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _info(name: str, stamp: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, on every platform: the same bytes everywhere
    info.external_attr = MEMBER_MODE
    return info


def _chunks(member: Member) -> Iterator[bytes]:
    if member.data is not None:
        yield member.data
        return
    assert member.path is not None
    fd = os.open(member.path, os.O_RDONLY | NOFOLLOW)
    try:
        while chunk := os.read(fd, CHUNK):
            yield chunk
    finally:
        os.close(fd)


def write_bundle(
    incident: Incident, out: IO[bytes], *, tz: Any = None, zone_name: str | None = None
) -> int:
    """Write the bundle to ``out``; the number of members (the manifest included)."""
    members = bundle_members(incident, tz=tz, zone_name=zone_name)
    stamp = _stamp(incident.state().last_event_at)
    listed: list[tuple[str, str, int]] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as bundle:
        for member in members:
            digest, size = hashlib.sha256(), 0
            with bundle.open(_info(member.name, stamp), "w", force_zip64=True) as sink:
                for chunk in _chunks(member):
                    digest.update(chunk)
                    size += len(chunk)
                    sink.write(chunk)
            listed.append((member.name, digest.hexdigest(), size))
        bundle.writestr(
            _info(MANIFEST, stamp), _manifest(incident, listed, incident.state().last_event_at)
        )
    return len(members) + 1


def export(
    incident: Incident, target: Path, *, tz: Any = None, zone_name: str | None = None
) -> int:
    """Write the bundle to ``target`` atomically (a temporary file beside it, renamed)."""
    folder = target.parent if str(target.parent) else Path(".")
    tmp = folder / f".{target.name}.{os.urandom(6).hex()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o644)
    except OSError as exc:
        raise CrisisError(
            f"cannot write the bundle: {exc.strerror}",
            location=Location(str(target)),
            exit_code=ExitCode.IO_ERROR,
        ) from None
    try:
        with os.fdopen(fd, "wb") as out:
            count = write_bundle(incident, out, tz=tz, zone_name=zone_name)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(folder)
    return count


class BundleMismatch(NamedTuple):
    member: str
    problem: str


MAX_MANIFEST_BYTES = 32 * 1024 * 1024  # 100,000 members listed take about 15 MB
MAX_MANIFEST_DEPTH = 32  # crisis writes 4 levels
READABLE_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
SHA256_HEX = frozenset("0123456789abcdef")


def _open_bundle(path: Path) -> IO[bytes]:
    """The bundle, opened only if it is a regular file: a FIFO would wait for a writer
    forever and ``/dev/zero`` never ends (a link to a zip is fine: the user named it)."""
    shown = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        from crisiscli.errors import NotFoundError

        raise NotFoundError(f"{shown}: no such file") from None
    except OSError as exc:
        raise CrisisError(
            f"{shown}: cannot read the bundle ({exc.strerror})", exit_code=ExitCode.IO_ERROR
        ) from None
    try:
        import stat

        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise CrisisError(
                f"{shown} is not a regular file (a pipe, device or folder): not a bundle",
                exit_code=ExitCode.INVALID_INPUT,
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _depth(text: bytes) -> int:
    """How deeply the JSON ``text`` nests (brackets inside strings included: an
    overestimate is harmless), found without a parser that would recurse into it."""
    depth = deepest = 0
    for byte in text.translate(None, delete=_NOT_BRACKETS):
        depth += 1 if byte in b"[{" else -1
        deepest = max(deepest, depth)
        if deepest > MAX_MANIFEST_DEPTH:
            break
    return deepest


_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def _listed(manifest: Any, shown: str) -> dict[str, tuple[str, int]]:
    """The manifest's members as name -> (sha256, size), every field checked."""

    def bad(what: str) -> ExportError:
        return ExportError(f"{shown}: the manifest cannot be read ({what})")

    if not isinstance(manifest, dict):
        raise bad("it is not a JSON object")
    members = manifest.get("members")
    if not isinstance(members, list):
        raise bad("'members' is not a list")
    listed: dict[str, tuple[str, int]] = {}
    for n, member in enumerate(members, 1):
        if not isinstance(member, dict):
            raise bad(f"member {n} is not an object")
        name, sha, size = member.get("name"), member.get("sha256"), member.get("size")
        if not isinstance(name, str) or not name:
            raise bad(f"member {n} has no name")
        if not isinstance(sha, str) or len(sha) != 64 or not set(sha) <= SHA256_HEX:
            raise bad(f"member {n} has no SHA-256")
        if type(size) is not int or not 0 <= size <= MAX_BUNDLE_BYTES:
            raise bad(f"member {n} has no size in bytes")
        listed[name] = (sha, size)
    return listed


def _read_member(bundle: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
    with bundle.open(info) as source:
        while chunk := source.read(min(CHUNK, limit + 1)):
            yield chunk
            limit -= len(chunk)
            if limit < 0:
                return


def _unreadable(info: zipfile.ZipInfo) -> str | None:
    """Why a member is not even opened: crisis writes neither encryption nor exotic methods."""
    if info.flag_bits & 0x1:
        return "encrypted (a crisis export never is): not read"
    if info.compress_type not in READABLE_METHODS:
        return f"compressed with method {info.compress_type}, which crisis does not read"
    return None


def verify_bundle(path: Path) -> tuple[dict[str, Any], list[BundleMismatch]]:
    """The manifest and what does not match it: missing, extra or changed members.

    Hostile archives are expected: only a regular file is opened, the manifest is at most
    32 MiB and 32 levels deep and every field is checked, each member is read only up to
    its listed size, an encrypted or unreadable member is a finding — every problem one
    line and a documented exit code, in bounded time and memory."""
    shown = str(path)
    handle = _open_bundle(path)
    try:
        bundle = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, OverflowError) as exc:
        handle.close()
        raise CrisisError(
            f"{shown} is not a zip file ({exc})", exit_code=ExitCode.INVALID_INPUT
        ) from None
    with handle, bundle:
        infos = bundle.infolist()
        if len(infos) > MAX_MEMBERS:
            raise CrisisError(
                f"{shown} has more than {MAX_MEMBERS:,} members", exit_code=ExitCode.INVALID_INPUT
            )
        manifests = [i for i in infos if i.filename == MANIFEST]
        if not manifests:
            raise ExportError(f"{shown} has no {MANIFEST}: not a crisis export")
        if len(manifests) > 1:
            raise ExportError(
                f"{shown}: {MANIFEST} appears more than once: which one is true cannot be told; "
                "the bundle was changed after it was made"
            )
        (info,) = manifests
        if info.file_size > MAX_MANIFEST_BYTES:
            raise ExportError(
                f"{shown}: {MANIFEST} is larger than {MAX_MANIFEST_BYTES // (1024 * 1024)} MiB "
                f"({info.file_size:,} bytes): not a crisis export"
            )
        why = _unreadable(info)
        if why:
            raise ExportError(f"{shown}: {MANIFEST} is {why}")
        try:
            text = b"".join(_read_member(bundle, info, MAX_MANIFEST_BYTES))
        except Exception as exc:  # zlib.error, EOFError, CRC mismatch: any broken data
            raise ExportError(
                f"{shown}: the manifest cannot be read ({type(exc).__name__}: {exc})"
            ) from None
        if len(text) > MAX_MANIFEST_BYTES:
            raise ExportError(f"{shown}: {MANIFEST} is larger than its header says")
        if _depth(text) > MAX_MANIFEST_DEPTH:
            raise ExportError(f"{shown}: the manifest cannot be read (it is nested too deeply)")
        try:
            manifest = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise ExportError(f"{shown}: the manifest cannot be read ({exc})") from None
        listed = _listed(manifest, shown)
        if manifest.get("format") != FORMAT:
            raise ExportError(f"{shown}: not a crisis export (format {manifest.get('format')!r})")
        findings: list[BundleMismatch] = []
        seen: set[str] = set()
        budget = MAX_BUNDLE_BYTES
        for info in infos:
            name = info.filename
            if name == MANIFEST:
                continue
            if name in seen:
                findings.append(BundleMismatch(name, "appears twice"))
                continue
            seen.add(name)
            if name not in listed:
                findings.append(BundleMismatch(name, "not in the manifest"))
                continue
            sha, expected = listed[name]
            why = _unreadable(info)
            if why:
                findings.append(BundleMismatch(name, why))
                continue
            digest, size = hashlib.sha256(), 0
            try:
                for chunk in _read_member(bundle, info, min(expected, budget)):
                    size += len(chunk)
                    digest.update(chunk)
                budget -= size
            except Exception as exc:  # zlib.error, EOFError, a bad CRC: damaged data
                findings.append(
                    BundleMismatch(name, f"cannot be read ({type(exc).__name__}: {exc})")
                )
                continue
            if size != expected or digest.hexdigest() != sha:
                findings.append(
                    BundleMismatch(name, "changed: its SHA-256 does not match the manifest")
                )
            elif name.startswith(f"{EVIDENCE}/") and name != f"{EVIDENCE}/{sha}":
                findings.append(BundleMismatch(name, "an evidence file not named by its SHA-256"))
        for name in listed:
            if name not in seen:
                findings.append(
                    BundleMismatch(name, "listed in the manifest, missing from the bundle")
                )
    return manifest, findings
