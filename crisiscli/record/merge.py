"""Recording a merge: every incident's journal takes in what the other copies hold, then one
commit records the union.

For each incident, the copies are the remote's (the fetched tree), HEAD's, and those of
any commit an interrupted git operation names (``repair``). The local journal takes in
the events it lacks (``union.take_in``); the journal committed is the remote's copy with
the local events it lacks (``union.shared_copy``). The tree is built in a private index
from accepted entries only (``sharedtree``), committed with the remote head as second
parent, and moved onto the branch by compare-and-swap; the user's index is then replaced
whole (git's ``index.lock`` is never taken).

An incident merged before, whose local journal and shared copies have not changed since,
is taken as it is (``merged.json`` remembers the journal's size, time and inode and the
blob committed): a sync with nothing new reads no journal.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crisiscli.env import Environment
from crisiscli.errors import CrisisError
from crisiscli.fsutil import atomic_write_bytes, atomic_write_text, make_dir, read_bounded, why
from crisiscli.record.gitrepo import Repo, TreeEntry
from crisiscli.record.journal import Journal
from crisiscli.record.sharedtree import (
    ATTRIBUTE_LINES,
    ATTRIBUTES,
    IGNORE,
    IGNORE_LINES,
    INCIDENTS,
    KEEP,
    MAX_CONTROL_FILE_BYTES,
    SharedTree,
    attribute_line_problem,
    controlled_text,
    evidence_name,
    read_shared_tree,
    shown,
)
from crisiscli.record.store import (
    EVIDENCE,
    JOURNAL,
    MAX_EVIDENCE_BYTES,
    MAX_SNAPSHOT_BYTES,
    SNAPSHOT,
    SOURCE_COPY,
    list_incidents,
)
from crisiscli.record.union import EventLines, event_lines, restore_lines, shared_copy, take_in

FILE_MODE = "100644"
CACHE = "merged.json"
Files = dict[str, tuple[str, str]]  # path -> (mode, blob id)


@dataclass
class Outcome:
    tip: str | None = None
    committed: bool = False
    events_in: int = 0
    events_out: int = 0
    new_incidents: list[str] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)  # incidents whose journal took events in
    # Each journal's size when its lines were taken into the commit: everything up to there
    # is in ``tip`` (the background syncer's own take-in is not a local event to send).
    committed_sizes: dict[str, int] = field(default_factory=dict)


@dataclass
class _Copies:
    """Every tree an incident's copies come from, and what is known of them."""

    remote: SharedTree
    head: SharedTree | None
    extras: list[SharedTree]
    cache: dict[str, dict[str, Any]]
    parsed: dict[str, EventLines] = field(default_factory=dict)
    remembered: dict[str, dict[str, Any]] = field(default_factory=dict)
    known: SharedTree | None = None  # the remote as this clone last saw it
    remote_tip: str | None = None

    def entries(self, incident_id: str) -> list[dict[str, TreeEntry]]:
        """The incident's files in each tree, the remote's first (may be empty)."""
        trees = [self.remote, *([self.head] if self.head else []), *self.extras]
        return [tree.incidents.get(incident_id, {}) for tree in trees]


def record_merge(
    env: Environment,
    repo: Repo,
    branch: str,
    remote_tip: str | None,
    extra_commits: list[str],
    warnings: list[str],
    *,
    message_hint: str,
    known_tip: str | None = None,
    trees: dict[str, SharedTree] | None = None,
    lost: tuple[str, str | None] | None = None,
) -> Outcome:
    """Take the remote's (and ``extra_commits``') events into the local journals, then
    commit the union on ``branch``; the outcome names the branch's new head.

    ``known_tip`` is the remote's head as this clone last saw it: an event the remote held
    then and lacks now was deleted, and when the new head refuses a piece (a journal turned
    into a link, an oversized file, a deleted folder) the commits in between are read too,
    so the honest events that were only there are not hidden by it.

    ``trees``: the commits already read in this sync, by id (a commit never changes): a
    retry after a lost push race reads only the new head and its own last merge, which
    keeps the window between fetch and push short.

    ``lost``: (the merge this sync pushed and lost the race with, the head the sync began
    from). While the branch's head is that merge, it was never shared and the union holds
    all of it, so the new commit descends from the head the sync began from and the
    remote head only: lost
    attempts do not pile up a chain of merges that every later push (and every teammate's
    fetch) must carry, and that made a clone that lost once likelier to lose again."""
    outcome = Outcome()
    read = _reader(repo, {} if trees is None else trees)
    head = repo.resolve("HEAD")
    remote = read(remote_tip) if remote_tip else SharedTree("")
    warnings += remote.refused
    between: list[str] = []
    if remote_tip and known_tip and known_tip != remote_tip and _hides_something(read, remote, known_tip):  # fmt: skip
        between = _commits_between(repo, known_tip, remote_tip, warnings)
    extras = [read(c) for c in dict.fromkeys([*extra_commits, *between]) if c != head]
    copies = _Copies(
        remote,
        read(head) if head else None,
        extras,
        {} if extras else _load_cache(repo),
    )
    copies.known = read(known_tip) if known_tip and known_tip != remote_tip and remote_tip else None
    copies.remote_tip = remote_tip
    local_ids = {incident.id for incident in list_incidents(env)}
    ids = set(local_ids)
    for tree in (remote, *([copies.head] if copies.head else []), *extras):
        ids |= set(tree.incidents)
    files: Files = {}
    for incident_id in sorted(ids):
        merged = _merge_incident(env, repo, incident_id, incident_id in local_ids, copies, warnings)
        if merged is None:
            continue
        files.update(merged.files)
        outcome.events_in += merged.events_in
        outcome.events_out += merged.events_out
        if merged.created:
            outcome.new_incidents.append(incident_id)
        if merged.events_in:
            outcome.touched.add(incident_id)
    files.update(_control_files(repo, remote, copies.head, warnings))
    files.update(_signer_files(repo, remote, copies.head, warnings))
    ours = lost[1] if lost is not None and head == lost[0] else head
    outcome.tip, outcome.committed = _commit(env, repo, branch, (head, ours), remote_tip, files, outcome, message_hint)  # fmt: skip
    outcome.committed_sizes = {
        incident_id: int(known["stat"][0]) for incident_id, known in copies.remembered.items()
    }
    if not extras:
        _save_cache(repo, copies.remembered)
    return outcome


def _commit(
    env: Environment,
    repo: Repo,
    branch: str,
    heads: tuple[str | None, str | None],  # the branch's head, and the one to descend from
    remote_tip: str | None,
    files: Files,
    outcome: Outcome,
    hint: str,
) -> tuple[str | None, bool]:
    head, ours = heads
    index = repo.private_index()
    committed = False
    try:
        union = repo.write_tree(files, index)
        parents = _parents(repo, ours, remote_tip)
        if len(parents) == 1 and repo.tree_of(parents[0]) == union:
            tip = parents[0]
        else:
            tip = repo.commit_tree(union, parents, _message(env, outcome, hint, parents))
            committed = True
        if tip != head:
            repo.update_ref(f"refs/heads/{branch}", tip, head)
        # The user's index now matches HEAD (renamed in whole; git's index.lock is not used).
        os.replace(index, repo.git_dir / "index")
    finally:
        for leftover in (index, Path(f"{index}.lock")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    return tip, committed


def _parents(repo: Repo, head: str | None, remote_tip: str | None) -> list[str]:
    if head is None:
        return [remote_tip] if remote_tip else []
    if remote_tip is None or remote_tip == head or repo.is_ancestor(remote_tip, head):
        return [head]
    if repo.is_ancestor(head, remote_tip):
        return [remote_tip]
    return [head, remote_tip]


def _message(env: Environment, outcome: Outcome, hint: str, parents: list[str]) -> str:
    who = " ".join(env.actor.split())[:80] or "someone"
    if len(parents) < 2:
        return f"crisis: events from {who}\n"
    return (
        f"crisis: merge {hint} ({outcome.events_in} event(s) in, "
        f"{outcome.events_out} out) by {who}\n"
    )


# -- one incident -------------------------------------------------------------------------------


@dataclass
class _Merged:
    files: Files
    events_in: int = 0
    events_out: int = 0
    created: bool = False


def _merge_incident(
    env: Environment,
    repo: Repo,
    incident_id: str,
    is_local: bool,
    copies: _Copies,
    warnings: list[str],
) -> _Merged | None:
    folder = env.incidents_dir / incident_id
    prefix = f"{INCIDENTS}/{incident_id}"
    entries = copies.entries(incident_id)
    theirs = entries[0]
    journals = list(dict.fromkeys(e[JOURNAL].oid for e in entries if JOURNAL in e))
    if not journals and not is_local:
        return None  # a snapshot without a journal is not an incident
    unchanged = _unchanged(folder, incident_id, entries, copies)
    if unchanged is not None:
        return unchanged
    known_journal = copies.known.incidents.get(incident_id, {}).get(JOURNAL) if copies.known else None  # fmt: skip
    if known_journal is not None and known_journal.oid not in journals:
        journals.append(known_journal.oid)  # what the remote held: deleted lines come back
    head = entries[1] if copies.head is not None and len(entries) > 1 else {}
    created = False
    if not is_local:
        source = next((e for e in entries if SNAPSHOT in e), {})
        problem = _create_incident_folder(repo, folder, source)
        if problem:
            where = copies.remote.commit[:12] if source is theirs else "a local commit"
            warnings.append(f"refused {prefix} in commit {where}: {problem}")
            return None
        created = True
    blobs = repo.read_blobs(oid for oid in journals if oid not in copies.parsed)
    for oid, blob in blobs.items():
        copies.parsed[oid] = event_lines(blob)
    _report_bad_lines(prefix, entries, copies, warnings)
    try:
        taken = take_in(Journal(folder / JOURNAL), [copies.parsed[oid] for oid in journals])
    except (OSError, CrisisError) as exc:
        reason = exc.one_line() if isinstance(exc, CrisisError) else why(exc)
        warnings.append(f"{prefix}/{JOURNAL}: not merged ({reason}); the next sync tries again")
        return _carry(prefix, entries, head)
    # The base is the remote's copy, else HEAD's, else an older commit's, else nothing yet.
    base_oid = journals[0] if journals else None
    base = b""
    if base_oid is not None:
        base = blobs[base_oid] if base_oid in blobs else repo.read_blobs([base_oid])[base_oid]
    base_lines = copies.parsed[base_oid] if base_oid is not None else EventLines()
    originals = _tampered(repo, prefix, theirs, known_journal, copies, taken.local, warnings)
    if originals:
        base = restore_lines(base, originals)  # the first version taken in stays the truth
    shared = shared_copy(base, base_lines, taken.local)
    if base_oid is not None and shared is base and not originals:
        journal_oid = base_oid  # nothing added, nothing put back: the team's copy as it is
    else:
        journal_oid = repo.hash_blob(shared)
    files: Files = {f"{prefix}/{JOURNAL}": (FILE_MODE, journal_oid)}
    files.update(_snapshot_files(repo, folder, prefix, entries))
    files.update(_evidence_files(repo, folder, prefix, entries, head, warnings))
    copies.remembered[incident_id] = {"oid": journal_oid, "stat": list(taken.stat)}
    theirs_ids = copies.parsed[theirs[JOURNAL].oid].by_id if JOURNAL in theirs else {}
    events_out = sum(1 for event_id in taken.local.by_id if event_id not in theirs_ids)
    return _Merged(files, taken.appended, events_out, created)


def _tampered(
    repo: Repo,
    prefix: str,
    theirs: dict[str, TreeEntry],
    known: TreeEntry | None,
    copies: _Copies,
    local: EventLines,
    warnings: list[str],
) -> dict[str, bytes]:
    """Events of the remote's copy rewritten in place (same id, other bytes than the line
    this clone took in) and events the remote held and lacks now: each named with the commit
    and author that changed the journal last. Returns the original lines to put back."""
    entry = theirs.get(JOURNAL)
    if entry is None:
        return {}
    lines = copies.parsed[entry.oid].by_id
    rewritten = {
        event_id: local.by_id[event_id]
        for event_id, raw in lines.items()
        if event_id in local.by_id and local.by_id[event_id] != raw
    }
    deleted = []
    if known is not None and known.oid != entry.oid and known.oid in copies.parsed:
        deleted = [event_id for event_id in copies.parsed[known.oid].by_id if event_id not in lines]
    if not rewritten and not deleted:
        return {}
    who = _last_change(repo, copies.remote_tip, f"{prefix}/{JOURNAL}")
    for event_id in list(rewritten)[:5]:
        warnings.append(
            f"refused a rewritten event {event_id[:12]} in {prefix}/{JOURNAL} ({who}): "
            "an event once recorded never changes; the original is kept and pushed back"
        )
    for event_id in deleted[:5]:
        warnings.append(
            f"refused the deletion of event {event_id[:12]} from {prefix}/{JOURNAL} ({who}): "
            "the event is kept and pushed back"
        )
    more = len(rewritten) + len(deleted) - min(len(rewritten), 5) - min(len(deleted), 5)
    if more > 0:
        warnings.append(f"... and {more} more rewritten or deleted events in {prefix}/{JOURNAL}")
    return rewritten


def _last_change(repo: Repo, tip: str | None, path: str) -> str:
    """``commit 1a2b3c4d5e6f by Mallory <m@example.org>``: who changed ``path`` last."""
    if not tip:
        return "an unknown commit"
    done = repo.run("log", "-1", "--format=%H%x00%an%x00%ae", tip, "--", path, check=False)
    parts = done.stdout.decode("utf-8", "replace").strip().split("\0")
    if done.returncode != 0 or len(parts) != 3:
        return f"commit {tip[:12]}"
    commit, name, mail = parts
    return shown(f"commit {commit[:12]} by {name} <{mail}>")


MAX_BETWEEN = 200  # commits read between the tip last seen and the new one


def _reader(repo: Repo, trees: dict[str, SharedTree]) -> Callable[[str], SharedTree]:
    def read(commit: str) -> SharedTree:
        if commit not in trees:
            trees[commit] = read_shared_tree(repo, commit)
        return trees[commit]

    return read


def _hides_something(read: Callable[[str], SharedTree], remote: SharedTree, known_tip: str) -> bool:  # fmt: skip
    """The new head refused a piece, or lacks an incident journal the known head had."""
    if remote.refused:
        return True
    known = read(known_tip)
    return any(
        JOURNAL in files and JOURNAL not in remote.incidents.get(incident_id, {})
        for incident_id, files in known.incidents.items()
    )


def _commits_between(repo: Repo, known_tip: str, remote_tip: str, warnings: list[str]) -> list[str]:
    done = repo.run(
        "rev-list", f"--max-count={MAX_BETWEEN + 1}", f"{known_tip}..{remote_tip}",
        "--", INCIDENTS, check=False,
    )  # fmt: skip
    commits = done.stdout.decode("ascii", "replace").split() if done.returncode == 0 else []
    if len(commits) > MAX_BETWEEN:
        warnings.append(
            f"read the last {MAX_BETWEEN} of more commits between {known_tip[:12]} and "
            f"{remote_tip[:12]} for events a refused piece may hide"
        )
    return commits[:MAX_BETWEEN]


def _unchanged(folder: Path, incident_id: str, entries: list[dict[str, TreeEntry]], copies: _Copies) -> _Merged | None:  # fmt: skip
    """The incident as last merged, if neither its journal nor any copy changed since."""
    known = copies.cache.get(incident_id)
    if known is None or copies.head is None:
        return None
    oids = {e[JOURNAL].oid for e in entries if JOURNAL in e}
    if oids != {known.get("oid")}:
        return None
    try:
        st = os.lstat(folder / JOURNAL)
    except OSError:
        return None
    if [st.st_size, st.st_mtime_ns, st.st_ino] != known.get("stat"):
        return None
    head = entries[1] if len(entries) > 1 else {}
    for name in head:  # an evidence file lost here: merge again, the shared copy restores it
        if name.startswith(f"{EVIDENCE}/") and not _present(folder / name):
            return None
    for tree in entries:  # an evidence file that is new (to be checked) in a copy
        for name, entry in tree.items():
            if name.startswith(f"{EVIDENCE}/") and head.get(name, entry).oid != entry.oid:
                return None
            if name.startswith(f"{EVIDENCE}/") and name not in head:
                return None
    copies.remembered[incident_id] = known
    return _carry(f"{INCIDENTS}/{incident_id}", entries, head)


def _report_bad_lines(prefix: str, entries: list[dict[str, TreeEntry]], copies: _Copies, warnings: list[str]) -> None:  # fmt: skip
    """Lines of the remote's copy that are not events, unless HEAD's copy had them too."""
    theirs = entries[0].get(JOURNAL)
    if theirs is None:
        return
    ours = entries[1].get(JOURNAL) if copies.head is not None and len(entries) > 1 else None
    known = {raw for _n, raw, _w in copies.parsed[ours.oid].bad} if ours else set()
    for number, raw, reason in copies.parsed[theirs.oid].bad:
        if raw not in known:
            warnings.append(
                f"skipped line {number} of {prefix}/{JOURNAL} in commit "
                f"{copies.remote.commit[:12]}: not an event ({reason})"
            )


def _snapshot_files(repo: Repo, folder: Path, prefix: str, entries: list[dict[str, TreeEntry]]) -> Files:  # fmt: skip
    """The snapshot and its source copy: as the trees hold them, else this machine's."""
    files: Files = {}
    for name in (SNAPSHOT, SOURCE_COPY):
        entry = next((e[name] for e in entries if name in e), None)
        if entry is not None:
            files[f"{prefix}/{name}"] = (FILE_MODE, entry.oid)
            continue
        with contextlib.suppress(OSError):
            data = read_bounded(folder / name, MAX_SNAPSHOT_BYTES)
            files[f"{prefix}/{name}"] = (FILE_MODE, repo.hash_blob(data))
    return files


def _carry(prefix: str, entries: list[dict[str, TreeEntry]], head: dict[str, TreeEntry]) -> _Merged:
    """What the trees already hold for an incident (nothing new, or not mergeable now):
    the evidence files of our own last commit only (others' are checked when they arrive)."""
    files: Files = {}
    for name in (JOURNAL, SNAPSHOT, SOURCE_COPY):
        entry = next((e[name] for e in entries if name in e), None)
        if entry is not None:
            files[f"{prefix}/{name}"] = (FILE_MODE, entry.oid)
    for name, entry in head.items():
        if name.startswith(f"{EVIDENCE}/"):
            files[f"{prefix}/{name}"] = (FILE_MODE, entry.oid)
    return _Merged(files)


def _evidence_files(
    repo: Repo,
    folder: Path,
    prefix: str,
    entries: list[dict[str, TreeEntry]],
    head: dict[str, TreeEntry],
    warnings: list[str],
) -> Files:
    """Every evidence file of the incident, here and in the trees, each checked once: a
    file another copy brings is written here only when its bytes hash to its name, and a
    file of this machine's is shared only when it still does. Our own last commit's are
    trusted (only checked files are ever committed)."""
    import hashlib

    local = folder / EVIDENCE
    known: dict[str, str] = {n: e.oid for n, e in head.items() if n.startswith(f"{EVIDENCE}/")}
    for tree in entries:
        for name, entry in tree.items():
            if not name.startswith(f"{EVIDENCE}/") or known.get(name) == entry.oid:
                continue
            sha = name.split("/", 1)[1]
            data = repo.read_blobs([entry.oid])[entry.oid]  # one at a time: memory stays low
            if hashlib.sha256(data).hexdigest() != sha:
                warnings.append(f"refused {prefix}/{name}: its bytes do not hash to its name")
                continue
            known.setdefault(name, entry.oid)
            if not _present(local / sha):
                _arrive(local, sha, data, prefix, warnings)
    for name, oid in known.items():  # lost here: the shared copy brings it back
        sha = name.split("/", 1)[1]
        if not _present(local / sha):
            data = repo.read_blobs([oid])[oid]
            if hashlib.sha256(data).hexdigest() == sha:
                _arrive(local, sha, data, prefix, warnings)
    try:
        # A linked folder is never followed: only files that are here are shared.
        here = [] if os.path.islink(local) else sorted(os.listdir(local))
    except OSError:
        here = []
    for sha in here:
        name = f"{EVIDENCE}/{sha}"
        if not evidence_name(sha) or name in known:
            continue  # temporary files of an add in progress, or shared already
        try:
            data = read_bounded(local / sha, MAX_EVIDENCE_BYTES)
        except OSError as exc:
            warnings.append(f"{prefix}/{name}: not shared ({why(exc)})")
            continue
        if hashlib.sha256(data).hexdigest() != sha:
            warnings.append(
                f"{prefix}/{name}: not shared, its bytes no longer match its SHA-256 "
                "(see: crisis evidence verify)"
            )
            continue
        known[name] = repo.hash_blob(data)
    for name in [n for n in known if not evidence_name(n.split("/", 1)[1])]:
        del known[name]
    return {f"{prefix}/{name}": (FILE_MODE, oid) for name, oid in sorted(known.items())}


def _present(path: Path) -> bool:
    import stat

    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _arrive(local: Path, sha: str, data: bytes, prefix: str, warnings: list[str]) -> None:
    try:
        make_dir(local, exist_ok=True)
        atomic_write_bytes(local / sha, data)
    except OSError as exc:
        warnings.append(f"{prefix}/{EVIDENCE}/{sha}: not written here ({why(exc)})")


def _create_incident_folder(repo: Repo, folder: Path, files: dict[str, TreeEntry]) -> str | None:
    """Write a new incident's snapshot (validated) before its journal; why not, or None."""
    from crisiscli.playbook.model import from_data

    entry = files.get(SNAPSHOT)
    if entry is None:
        return "it has no playbook snapshot"
    source = files.get(SOURCE_COPY)
    blobs = repo.read_blobs([entry.oid, *([source.oid] if source else [])])
    snapshot = blobs[entry.oid]
    try:
        from_data(json.loads(snapshot.decode("utf-8")), str(folder / SNAPSHOT))
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError, OverflowError) as exc:
        return f"its playbook snapshot is not valid ({type(exc).__name__}: {str(exc)[:120]})"
    source_text = blobs.get(source.oid) if source else None
    if source_text is not None:
        try:
            source_text.decode("utf-8")
        except UnicodeDecodeError:
            source_text = None  # a copy for people only: not worth refusing the incident for
    try:
        make_dir(folder.parent, exist_ok=True)
        if os.path.lexists(folder) and (folder.is_symlink() or not folder.is_dir()):
            return "something other than a folder has its name here"
        make_dir(folder, exist_ok=True)
        atomic_write_bytes(folder / SNAPSHOT, snapshot)
        if source_text is not None:
            atomic_write_bytes(folder / SOURCE_COPY, source_text)
    except OSError as exc:
        return f"cannot write it here ({why(exc)})"
    return None


# -- what was merged last time --------------------------------------------------------------------


def _load_cache(repo: Repo) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(read_bounded(repo.crisis_dir / CACHE, 16 * 1024 * 1024))
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict) or data.get("version") != 1:
        return {}
    incidents = data.get("incidents")
    return incidents if isinstance(incidents, dict) else {}


def _save_cache(repo: Repo, remembered: dict[str, dict[str, Any]]) -> None:
    with contextlib.suppress(OSError):  # only a shortcut: the next sync reads everything
        payload = {"version": 1, "incidents": remembered}
        atomic_write_bytes(repo.crisis_dir / CACHE, json.dumps(payload).encode())


# -- the files crisis controls ----------------------------------------------------------------------


def _control_files(
    repo: Repo, remote: SharedTree, head: SharedTree | None, warnings: list[str]
) -> Files:
    write_control_files(repo, remote.attributes, remote.ignore, warnings)
    files: Files = {}
    for name in (ATTRIBUTES, IGNORE):
        data = read_bounded(repo.home / name, MAX_CONTROL_FILE_BYTES)
        files[name] = (FILE_MODE, _stored_blob(repo, data, _oids(name, remote, head)))
    keep = repo.home / INCIDENTS / KEEP
    if not os.path.lexists(keep):  # so an empty incidents folder exists in every clone
        with contextlib.suppress(OSError):
            make_dir(keep.parent, exist_ok=True)
            atomic_write_bytes(keep, b"")
    keep_path = f"{INCIDENTS}/{KEEP}"
    files[keep_path] = (FILE_MODE, _stored_blob(repo, b"", _oids(keep_path, remote, head)))
    return files


def _oids(name: str, *trees: SharedTree | None) -> set[str]:
    """The blob ids ``name`` (a file at the top) has in these trees."""
    return {t.top[name] for t in trees if t is not None and name in t.top}


def _stored_blob(repo: Repo, data: bytes, known: set[str]) -> str:
    """``data`` as a blob of the repository: its id computed here when a tree this sync
    read already holds it (no git process: a sync runs this for every retry of a push),
    else written with ``hash-object``."""
    oid = _blob_id(data)
    return oid if oid in known else repo.hash_blob(data)


def _signer_files(
    repo: Repo, remote: SharedTree, head: SharedTree | None, warnings: list[str]
) -> Files:
    """allowed_signers and its signature: the team's version is taken in only when signed
    by someone this machine trusts (``signers.arriving``); this machine's is committed."""
    from crisiscli.record.signers import arriving, read_pair, write_pair
    from crisiscli.record.signing import ALLOWED_SIGNERS, SIGNERS_SIGNATURE

    def blob(tree: SharedTree | None, name: str) -> bytes | None:
        entry = tree.signers.get(name) if tree is not None else None
        return repo.read_blobs([entry.oid])[entry.oid] if entry is not None else None

    theirs, their_sig = blob(remote, ALLOWED_SIGNERS), blob(remote, SIGNERS_SIGNATURE)
    mine, _my_sig = read_pair(repo.home)
    if theirs is not None and theirs != mine:
        sig_text = (their_sig or b"").decode("ascii", "replace")
        signature = "".join(
            line.strip() for line in sig_text.splitlines() if line and "-----" not in line
        )
        try:
            came = arriving(mine, blob(head, ALLOWED_SIGNERS), theirs, signature or None)
        except CrisisError as exc:  # no ssh-keygen here: nothing is trusted, nothing written
            came = None
            warnings.append(f"allowed_signers from the team repository not checked: {exc.message}")
        if came is not None and came.note:
            warnings.append(f"{came.note} (commit {remote.commit[:12]})")
        if came is not None and came.take:
            try:
                write_pair(repo.home, theirs, signature)
            except OSError as exc:
                warnings.append(f"{repo.home / ALLOWED_SIGNERS}: not written ({why(exc)})")
    files: Files = {}
    for name in (ALLOWED_SIGNERS, SIGNERS_SIGNATURE):
        try:
            data = read_bounded(repo.home / name, MAX_CONTROL_FILE_BYTES * 16)
        except OSError:
            continue  # none here (or a link, never followed): nothing of ours to share
        files[name] = (FILE_MODE, _stored_blob(repo, data, _oids(name, remote, head)))
    return files


def _blob_id(data: bytes) -> str:
    """The id git gives ``data`` as a blob (SHA-1 repositories)."""
    import hashlib

    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def write_control_files(
    repo: Repo, remote_attributes: list[str], remote_ignore: list[str], warnings: list[str]
) -> list[str]:
    """Write ``.gitattributes`` and ``.gitignore``: crisis's lines, the local file's other
    lines and the remote's (attribute lines that would change file bytes are dropped)."""
    written = []
    for name, canonical, theirs in (
        (ATTRIBUTES, ATTRIBUTE_LINES, remote_attributes),
        (IGNORE, IGNORE_LINES, remote_ignore),
    ):
        path = repo.home / name
        try:
            current = read_bounded(path, MAX_CONTROL_FILE_BYTES).decode("utf-8", "replace")
        except FileNotFoundError:
            current = ""
        except OSError as exc:
            warnings.append(f"{path}: replaced ({why(exc)})")
            current = ""
        mine = current.splitlines()
        if name == ATTRIBUTES:
            kept = []
            for number, line in enumerate(mine, start=1):
                problem = attribute_line_problem(line)
                if problem:
                    warnings.append(f"removed line {number} of {shown(str(path))}: {problem}")
                else:
                    kept.append(line)
            mine = kept
        text = controlled_text(canonical, mine, theirs)
        if text != current:
            atomic_write_text(path, text)
            written.append(name)
    return written
