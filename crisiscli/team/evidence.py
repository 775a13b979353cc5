"""Evidence: files and links kept with an incident, with proof they were not changed.

``add_files`` copies each file into the incident folder as ``evidence/<sha256>`` (content
addressed: the name *is* the SHA-256 of the bytes, so a file added twice is stored once)
and records ``evidence.added`` with its hash, size, media type, original name, who and
when. A file is refused, before anything is recorded, when it is a symbolic link (never
followed), not a regular file, or larger than ``MAX_EVIDENCE_BYTES``; the size is read
from the open file, so a 2 GB sparse file is refused without reading it. Its original name
is only ever data (the stored name is the hash), shown escaped like any other text.

``add_link`` records a URL (``evidence.linked``); nothing is fetched. ``verify`` reads
every file back and names each one whose bytes no longer hash to its name.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from crisiscli.errors import CrisisError, ExitCode, Location, NotFoundError, UsageError
from crisiscli.fsutil import NOFOLLOW, put_in_place, write_temporary
from crisiscli.record import events as ev
from crisiscli.record.fold import EvidenceItem
from crisiscli.record.store import EVIDENCE, MAX_EVIDENCE_BYTES, Incident

MAX_NAME = 255  # characters of an original file name kept
MAX_URL = 2048
CHUNK = 1 << 20
# What the first bytes say a file is (more truthful than its name).
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


class EvidenceError(CrisisError):
    exit_code = ExitCode.INVALID_INPUT


class Stored(NamedTuple):
    sha256: str
    size: int
    name: str
    type: str


def evidence_path(incident: Incident, sha256: str) -> Path:
    """Where the bytes of a file with this hash live (the hash is checked by the
    vocabulary: 64 hex digits, never a path)."""
    return incident.dir / EVIDENCE / sha256


def shown_name(path: Path) -> str:
    """A file's original name as data: its last part, invalid bytes replaced, bounded."""
    raw = os.fsencode(path.name or str(path))
    name = raw.decode("utf-8", "replace")
    return name[:MAX_NAME] or "(no name)"


def media_type(head: bytes, name: str) -> str:
    for magic, kind in _SIGNATURES:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    import mimetypes

    guessed, _ = mimetypes.guess_type(name, strict=False)
    if guessed and not guessed.startswith("image/"):  # an image is only what its bytes say
        return guessed
    return "application/octet-stream"


def _open_regular(path: Path, limit: int) -> tuple[int, int]:
    """An open file descriptor and size of a regular file of at most ``limit`` bytes;
    refuses links, devices, FIFOs and folders (a clear one-line error each)."""
    shown = str(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise NotFoundError(f"{shown}: no such file") from None
    except OSError as exc:
        raise EvidenceError(f"{shown}: cannot read it ({exc.strerror})") from None
    if stat.S_ISLNK(info.st_mode):
        raise EvidenceError(
            f"{shown} is a symbolic link: crisis keeps files, not links to them",
            hint="give the file it points to",
        )
    if not stat.S_ISREG(info.st_mode):
        raise EvidenceError(f"{shown} is not a regular file")
    try:
        fd = os.open(path, os.O_RDONLY | NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise EvidenceError(f"{shown} is a symbolic link: crisis keeps files") from None
        raise EvidenceError(f"{shown}: cannot read it ({exc.strerror})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
        os.close(fd)
        if not stat.S_ISREG(info.st_mode):
            raise EvidenceError(f"{shown} is not a regular file")
        raise EvidenceError(
            f"{shown} is {_size(info.st_size)}, over the limit of {_size(limit)} for one "
            "evidence file",
            hint="keep a link to it instead: crisis evidence add --url URL --note TEXT",
        )
    return fd, info.st_size


def _fingerprint(info: os.stat_result) -> tuple[int, int, int]:
    """What changes when a file is written to: its size, its modification time and its
    status-change time (which no program can set back)."""
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def _size(n: int) -> str:
    if n >= 1024 * 1024 * 1024:
        return f"{n / 1024 / 1024 / 1024:.1f} GB"
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{n / 1024:.1f} KB" if n >= 1024 else f"{n} bytes"


def store_file(incident: Incident, path: Path, *, limit: int = MAX_EVIDENCE_BYTES) -> Stored:
    """Copy one file into ``evidence/<sha256>`` (fsynced) and say what it is."""
    import hashlib

    fd, _size_seen = _open_regular(path, limit)
    before = _fingerprint(os.fstat(fd))
    folder = incident.dir / EVIDENCE
    digest = hashlib.sha256()
    head = bytearray()  # the first bytes: what the file is
    total = 0

    def copied() -> Iterator[bytes]:
        nonlocal total
        while chunk := os.read(fd, CHUNK):
            total += len(chunk)
            if total > limit:  # it grew while being read
                raise EvidenceError(f"{path} grew over the limit of {_size(limit)}")
            if len(head) < 16:
                head.extend(chunk[: 16 - len(head)])
            digest.update(chunk)
            yield chunk

    try:
        folder.mkdir(exist_ok=True)
        if folder.is_symlink() or not folder.is_dir():
            raise EvidenceError(
                "the incident's evidence folder is not a folder", location=Location(str(folder))
            )
        # Named by the hash of what was written, so the name is known only afterwards.
        tmp = write_temporary(folder / "incoming", copied())
        after = _fingerprint(os.fstat(fd))
        if after != before or total != before[0]:
            # Written to while we read it (a download still running, an export being
            # rewritten): the copy is a mix of two files, or a part of one. Keep nothing.
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise EvidenceError(
                f"{path} changed while it was being copied ({_size(before[0])} when the copy "
                f"began, {_size(total)} read, {_size(after[0])} now); nothing was kept",
                hint="wait until whatever writes it has finished, then add it again",
            )
        target = folder / digest.hexdigest()
        if target.is_file() and not target.is_symlink() and target.stat().st_size == total:
            os.unlink(tmp)  # the same bytes are kept already
        else:
            put_in_place(tmp, target)
    except OSError as exc:
        raise CrisisError(
            f"cannot keep {path}: {exc.strerror or exc}",
            location=Location(str(folder)),
            exit_code=ExitCode.IO_ERROR,
        ) from None
    finally:
        os.close(fd)
    name = shown_name(path)
    return Stored(digest.hexdigest(), total, name, media_type(bytes(head), name))


def add_files(
    incident: Incident,
    paths: list[Path],
    *,
    note: str | None = None,
    step: str | None = None,
    limit: int = MAX_EVIDENCE_BYTES,
) -> list[EvidenceItem]:
    """Keep every file, then record them together: one refused file records nothing."""
    for path in paths:  # every refusal before any copy
        fd, _ = _open_regular(path, limit)
        os.close(fd)
    stored = [store_file(incident, path, limit=limit) for path in paths]
    events = [
        ev.evidence_added(s.sha256, s.size, s.name, s.type, note=note, step=step) for s in stored
    ]
    state = incident.record(*events)
    return state.evidence[-len(events) :]


def check_url(url: str) -> str:
    text = url.strip()
    if not text.lower().startswith(("http://", "https://")) or len(text) <= len("https://"):
        raise UsageError(f"'{text[:80]}' is not an http(s) link", hint="e.g. https://x.com/…")
    if len(text) > MAX_URL:
        raise UsageError(f"the link is longer than {MAX_URL} characters")
    if any(c.isspace() or not c.isprintable() for c in text):
        raise UsageError("a link has no spaces, line breaks or control characters")
    return text


def add_link(
    incident: Incident, url: str, *, note: str | None = None, step: str | None = None
) -> EvidenceItem:
    """Record a link as evidence (nothing is fetched)."""
    state = incident.record(ev.evidence_linked(check_url(url), note=note, step=step))
    return state.evidence[-1]


class Problem(NamedTuple):
    item: EvidenceItem
    problem: str  # missing | changed | ...


def verify(incident: Incident, items: list[EvidenceItem]) -> list[Problem]:
    """Every file read back: missing, replaced by a link, or bytes that no longer hash to
    the name (each named once, however often it was added)."""
    import hashlib

    problems = []
    seen: set[str] = set()
    for item in items:
        if item.kind != "file" or item.sha256 is None or item.sha256 in seen:
            continue
        seen.add(item.sha256)
        path = evidence_path(incident, item.sha256)
        try:
            fd, size = _open_regular(path, 1 << 62)
        except NotFoundError:
            problems.append(Problem(item, "missing"))
            continue
        except CrisisError as exc:
            problems.append(Problem(item, f"unreadable: {exc.message}"))
            continue
        expected = item.size or 0
        try:
            digest = hashlib.sha256()
            left = expected + 1  # read no more than could match: a grown file is changed
            while left > 0 and (chunk := os.read(fd, min(CHUNK, left))):
                digest.update(chunk)
                left -= len(chunk)
        finally:
            os.close(fd)
        if size != expected or left <= 0 or digest.hexdigest() != item.sha256:
            problems.append(Problem(item, "changed: its SHA-256 no longer matches"))
    return problems


THUMBNAIL_FILE_LIMIT = 512 * 1024  # an image larger than this is listed, not shown inline
THUMBNAIL_BUDGET = 4 * 1024 * 1024  # all the images one report shows inline, together


def thumbnails(
    incident: Incident,
    items: list[EvidenceItem],
    *,
    per_file: int = THUMBNAIL_FILE_LIMIT,
    budget: int = THUMBNAIL_BUDGET,
) -> dict[str, str]:
    """``data:`` URIs of the evidence images to show inline in an HTML report: only what
    the bytes say is PNG, JPEG, GIF or WebP (never SVG: it could carry script), each within
    ``per_file``, all within ``budget``, and only files whose hash still matches."""
    import base64
    import hashlib

    shown: dict[str, str] = {}
    spent = 0
    for item in items:
        sha = item.sha256
        if item.kind != "file" or sha is None or sha in shown or item.type not in IMAGE_TYPES:
            continue
        size = item.size or 0
        if size > per_file or spent + size > budget:
            continue
        try:
            fd, _ = _open_regular(evidence_path(incident, sha), per_file)
        except CrisisError:
            continue
        try:
            blob = os.read(fd, per_file + 1)
        finally:
            os.close(fd)
        if hashlib.sha256(blob).hexdigest() != sha:
            continue  # changed since it was kept: `crisis evidence verify` says so
        if media_type(blob[:16], item.name) != item.type:
            continue
        shown[sha] = f"data:{item.type};base64,{base64.b64encode(blob).decode('ascii')}"
        spent += size
    return shown


def evidence_fields(e: EvidenceItem) -> dict[str, Any]:
    """One file or link as the list, the JSON and the report show it (times apart)."""
    return {
        "kind": e.kind,
        "name": e.name,
        "sha256": e.sha256,
        "size": e.size,
        "type": e.type,
        "note": e.note,
        "step": e.step,
    }


def evidence_rows(incident: Incident) -> list[dict[str, object]]:
    """What ``crisis evidence list`` shows (and prints as JSON), oldest first."""
    return [
        {
            "at": e.ts.isoformat(),
            "by": e.actor,
            **evidence_fields(e),
            "path": f"{EVIDENCE}/{e.sha256}" if e.sha256 else None,
        }
        for e in incident.state().evidence
    ]
