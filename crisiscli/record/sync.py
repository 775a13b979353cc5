"""CRISIS_HOME as a git repository shared by a team: ``crisis init --git`` and ``crisis sync``.

Journals are append-only sets of events with unique ids, so crisis merges them itself and
never asks git to rebase, merge or check out the working tree:

1. fetch the remote branch (no lock held while the network is slow);
2. read the fetched tree with plumbing, refusing what a shared incident folder may not hold
   (``sharedtree``); for every incident, append to the local journal the events it lacks,
   byte for byte, under the incident's lock, fsynced (``union``); a new incident's
   validated snapshot is written first;
3. record the merge: a commit whose tree is the union (built in a private index), with the
   remote head as second parent, moved onto the branch by compare-and-swap;
4. push; if someone pushed in between, fetch and merge again.

Every step is computed afresh from what is on disk, so a sync killed at any instant is
completed by the next one; so is what an interrupted git operation (the rebase of earlier
versions) left behind (``repair``). Local journals are only ever appended to. Writers
(``crisis note``, a walk-through in another terminal) are safe throughout: sync holds an
incident's lock only while it appends to that journal.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from crisiscli.env import Environment
from crisiscli.errors import CrisisError, ExitCode, Location
from crisiscli.fsutil import (
    atomic_write_bytes,
    atomic_write_text,
    make_dir,
    open_lock_file,
    read_bounded,
    why,
)
from crisiscli.record import repair
from crisiscli.record.gitrepo import (
    GitError,
    Repo,
    TreeEntry,
    enclosing_work_tree,
    failure,
    git_executable,
    open_repo,
    run_git,
)
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
    read_shared_tree,
    shown,
)
from crisiscli.record.store import (
    JOURNAL,
    MAX_SNAPSHOT_BYTES,
    SNAPSHOT,
    SOURCE_COPY,
    list_incidents,
)
from crisiscli.record.union import EventLines, event_lines, shared_copy, take_in

PUSH_ATTEMPTS = 6
SYNC_LOCK_SECONDS = 120.0
FILE_MODE = "100644"


# -- init -------------------------------------------------------------------------------------


@dataclass
class InitReport:
    home: Path
    created_repo: bool = False
    wrote: list[str] = field(default_factory=list)
    committed: bool = False
    remote: str | None = None
    warnings: list[str] = field(default_factory=list)


def init_home(env: Environment, *, git: bool, remote: str | None = None) -> InitReport:
    home = env.home
    report = InitReport(home)
    try:
        for folder in (home, env.incidents_dir, env.playbooks_dir):
            folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CrisisError(
            f"cannot create the data folder: {exc.strerror}",
            location=Location(str(home)),
            exit_code=ExitCode.IO_ERROR,
        ) from None
    if not git:
        return report
    git_executable()
    repo = open_repo(home)
    if repo is None:  # not a repository, or inside someone else's: give it its own
        run_git(home, "init", "--quiet")
        report.created_repo = True
        repo = open_repo(home)
        if repo is None:  # pragma: no cover - git init succeeded but git disagrees
            raise GitError(f"git init did not make {home} a repository")
    with _sync_lock(repo):
        for name in _write_control_files(repo, [], [], report.warnings):
            report.wrote.append(name)
        if remote:
            remotes = repo.text("remote").split()
            verb = "set-url" if "origin" in remotes else "add"
            repo.run("remote", verb, "origin", remote)
            report.remote = remote
        if remote and _remote_has_history(repo, "origin"):
            return report  # joining a team: the first sync adopts its history
        branch = _current_branch(repo)
        outcome = _record(env, repo, branch, None, [], report.warnings, message_hint="init")
        report.committed = outcome.committed
    return report


def _remote_has_history(repo: Repo, remote: str) -> bool:
    done = repo.run("ls-remote", "--heads", remote, check=False)
    return done.returncode == 0 and bool(done.stdout.strip())


# -- sync -------------------------------------------------------------------------------------


@dataclass
class SyncReport:
    remote: str = ""
    branch: str = ""
    events_in: int = 0  # events this machine's journals took in
    events_out: int = 0  # events of this machine the remote did not have
    new_incidents: list[str] = field(default_factory=list)
    committed: bool = False
    pushed: bool = False
    rebuilt: int = 0
    repaired: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def sync(env: Environment, *, push: bool = True) -> SyncReport:
    """Fetch, merge the journals event by event, record the merge, push (see module doc)."""
    home = env.home
    git_executable()
    repo = open_repo(home)
    if repo is None:
        outer = enclosing_work_tree(home)
        if outer is not None:
            raise GitError(
                f"{home} is inside the git work tree {outer}, without a repository of its own",
                hint="give it one with: crisis init --git",
            )
        raise GitError(
            f"{home} is not a git work tree",
            hint="make it one with: crisis init --git (or clone your team's repository there)",
        )
    remotes = repo.text("remote").split()
    if not remotes:
        raise GitError(
            "this incident folder has no git remote to sync with",
            hint=f"add one: git -C {home} remote add origin URL (or crisis init --git --remote URL)",
        )
    report = SyncReport()
    touched: set[str] = set()
    with _sync_lock(repo):
        repair.clear_own_garbage(repo)
        interrupted = repair.inspect(repo)
        report.repaired += [f"found {what}" for what in interrupted.what]
        branch = repair.branch_for(repo, interrupted) or _current_branch(repo)
        remote, rbranch = _upstream(repo, branch, remotes)
        report.remote, report.branch = remote, rbranch
        refs = [f"refs/heads/{branch}", f"refs/remotes/{remote}/{rbranch}", "HEAD"]
        report.repaired += repair.clear_stale_locks(repo, refs, interrupted=bool(interrupted))
        repair.reattach(repo, interrupted, branch)
        seen_refusals: set[str] = set()
        for attempt in range(1, PUSH_ATTEMPTS + 1):
            remote_tip = _fetch(repo, remote, rbranch)
            if remote_tip is None and _adopt_remote_default(repo, remote, branch):
                branch = _current_branch(repo)
                rbranch = branch
                report.branch = rbranch
                remote_tip = _fetch(repo, remote, rbranch)
            warnings: list[str] = []
            outcome = _record(
                env, repo, branch, remote_tip, interrupted.commits, warnings, message_hint=remote
            )
            for warning in warnings:
                if warning not in seen_refusals:
                    seen_refusals.add(warning)
                    report.warnings.append(warning)
            report.events_in += outcome.events_in
            report.events_out = outcome.events_out
            report.new_incidents += outcome.new_incidents
            report.committed = report.committed or outcome.committed
            touched |= outcome.touched
            if interrupted:
                repair.clear(repo, interrupted)
                report.repaired.append("finished it: every event is kept, HEAD is on its branch")
                interrupted = repair.Interrupted()
            if not push or outcome.tip is None or outcome.tip == remote_tip:
                break
            if _push(repo, remote, rbranch, branch, outcome.tip):
                report.pushed = True
                break
            if attempt == PUSH_ATTEMPTS:
                raise GitError(
                    f"{remote}/{rbranch} kept changing while crisis pushed "
                    f"({PUSH_ATTEMPTS} attempts); every event is saved here",
                    hint="run again: crisis sync",
                )
            time.sleep(random.uniform(0.05, 0.25) * attempt)  # let the other pusher finish
    report.rebuilt = _rebuild_logs(env, sorted(touched), report.warnings)
    return report


@contextlib.contextmanager
def _sync_lock(repo: Repo) -> Iterator[None]:
    """One sync (or init) at a time per repository; the OS releases it if the holder dies."""
    import fcntl  # POSIX; crisis's journals need it too

    repo.crisis_dir.mkdir(exist_ok=True)
    fd = open_lock_file(repo.crisis_dir / "sync.lock")
    try:
        deadline = time.monotonic() + SYNC_LOCK_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise GitError(
                        f"another crisis sync has been running in {repo.home} for "
                        f"{SYNC_LOCK_SECONDS:.0f} s",
                        hint="wait for it, then run: crisis sync",
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)


def _current_branch(repo: Repo) -> str:
    name = repo.text("symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    if not name:
        raise GitError(
            f"{repo.home} is not on a branch (detached HEAD)",
            hint="git switch BRANCH, then run: crisis sync",
        )
    return name


def _upstream(repo: Repo, branch: str, remotes: list[str]) -> tuple[str, str]:
    remote = repo.config(f"branch.{branch}.remote")
    merge = repo.config(f"branch.{branch}.merge") or ""
    if remote in remotes and merge.startswith("refs/heads/"):
        return remote, merge[len("refs/heads/") :]
    return ("origin" if "origin" in remotes else remotes[0]), branch


def _fetch(repo: Repo, remote: str, rbranch: str) -> str | None:
    """Fetch the remote branch; its head, or None if the remote does not have it yet."""
    tracking = f"refs/remotes/{remote}/{rbranch}"
    args = ("fetch", "--quiet", "--no-tags", "--no-write-fetch-head",
            "--no-recurse-submodules", remote, f"+refs/heads/{rbranch}:{tracking}")  # fmt: skip
    done = repo.run(*args, check=False)
    if done.returncode != 0:
        listed = repo.run("ls-remote", "--heads", remote, f"refs/heads/{rbranch}", check=False)
        if listed.returncode == 0 and not listed.stdout.strip():
            return None  # the remote does not have this branch: the push creates it
        raise failure(args, done)
    return repo.resolve(tracking)


def _adopt_remote_default(repo: Repo, remote: str, branch: str) -> bool:
    """A fresh clone (no commit yet) whose branch name differs from the team's: take theirs."""
    if repo.resolve("HEAD") is not None:
        return False
    done = repo.run("ls-remote", "--symref", remote, "HEAD", check=False)
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("ref: refs/heads/") and line.endswith("\tHEAD"):
            name = line[len("ref: refs/heads/") : -len("\tHEAD")]
            if name and name != branch:
                repo.run("symbolic-ref", "HEAD", f"refs/heads/{name}")
                return True
    return False


def _push(repo: Repo, remote: str, rbranch: str, branch: str, tip: str) -> bool:
    """Push ``tip``; False when the remote moved on (someone pushed first)."""
    args = ("push", "--porcelain", "--quiet", remote, f"{tip}:refs/heads/{rbranch}")
    done = repo.run(*args, check=False)
    out = done.stdout.decode("utf-8", "replace")
    if any(line.startswith("!") for line in out.splitlines()):
        return False
    if done.returncode != 0:
        raise failure(args, done)
    repo.run("update-ref", f"refs/remotes/{remote}/{rbranch}", tip)
    if repo.config(f"branch.{branch}.remote") is None:
        repo.run("config", f"branch.{branch}.remote", remote)
        repo.run("config", f"branch.{branch}.merge", f"refs/heads/{rbranch}")
    return True


# -- recording the merge ----------------------------------------------------------------------


@dataclass
class _Outcome:
    tip: str | None = None
    committed: bool = False
    events_in: int = 0
    events_out: int = 0
    new_incidents: list[str] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)


def _record(
    env: Environment,
    repo: Repo,
    branch: str,
    remote_tip: str | None,
    extra_commits: list[str],
    warnings: list[str],
    *,
    message_hint: str,
) -> _Outcome:
    """Take the remote's (and ``extra_commits``') events into the local journals, then
    commit the union on ``branch``; returns the branch's new head."""
    outcome = _Outcome()
    head = repo.resolve("HEAD")
    remote = read_shared_tree(repo, remote_tip) if remote_tip else SharedTree("")
    warnings += remote.refused
    others = [read_shared_tree(repo, c) for c in dict.fromkeys([*([head] if head else []), *extra_commits])]  # fmt: skip
    local_ids = {incident.id for incident in list_incidents(env)}
    ids = set(local_ids) | set(remote.incidents)
    for tree in others:
        ids |= set(tree.incidents)
    files: dict[str, tuple[str, str]] = {}
    parsed: dict[str, EventLines] = {}
    for incident_id in sorted(ids):
        merged = _merge_incident(
            env, repo, incident_id, incident_id in local_ids, remote, others, parsed, warnings
        )
        if merged is None:
            continue
        files.update(merged.files)
        outcome.events_in += merged.events_in
        outcome.events_out += merged.events_out
        if merged.created:
            outcome.new_incidents.append(incident_id)
        if merged.events_in:
            outcome.touched.add(incident_id)
    files.update(_control_files(repo, remote, warnings))
    keep = repo.home / INCIDENTS / KEEP
    if not os.path.lexists(keep):  # so an empty incidents folder exists in every clone
        with contextlib.suppress(OSError):
            make_dir(keep.parent, exist_ok=True)
            atomic_write_bytes(keep, b"")
    files[f"{INCIDENTS}/{KEEP}"] = (FILE_MODE, repo.hash_blob(b""))
    index = repo.private_index()
    try:
        union = repo.write_tree(files, index)
        parents = _parents(repo, head, remote_tip)
        if len(parents) == 1 and repo.tree_of(parents[0]) == union:
            tip = parents[0]
        else:
            tip = repo.commit_tree(union, parents, _message(env, outcome, message_hint, parents))
            outcome.committed = True
        if tip != head:
            repo.update_ref(f"refs/heads/{branch}", tip, head)
        # The user's index now matches HEAD (renamed in whole; git's index.lock is not used).
        os.replace(index, repo.git_dir / "index")
    finally:
        with contextlib.suppress(FileNotFoundError):
            index.unlink()
        with contextlib.suppress(FileNotFoundError):
            Path(f"{index}.lock").unlink()
    outcome.tip = tip
    return outcome


def _parents(repo: Repo, head: str | None, remote_tip: str | None) -> list[str]:
    if head is None:
        return [remote_tip] if remote_tip else []
    if remote_tip is None or remote_tip == head or repo.is_ancestor(remote_tip, head):
        return [head]
    if repo.is_ancestor(head, remote_tip):
        return [remote_tip]
    return [head, remote_tip]


def _message(env: Environment, outcome: _Outcome, hint: str, parents: list[str]) -> str:
    who = " ".join(env.actor.split())[:80] or "someone"
    if len(parents) < 2:
        return f"crisis: events from {who}\n"
    return (
        f"crisis: merge {hint} ({outcome.events_in} event(s) in, "
        f"{outcome.events_out} out) by {who}\n"
    )


@dataclass
class _Merged:
    files: dict[str, tuple[str, str]]
    events_in: int
    events_out: int
    created: bool


def _merge_incident(
    env: Environment,
    repo: Repo,
    incident_id: str,
    is_local: bool,
    remote: SharedTree,
    others: list[SharedTree],
    parsed: dict[str, EventLines],
    warnings: list[str],
) -> _Merged | None:
    folder = env.incidents_dir / incident_id
    prefix = f"{INCIDENTS}/{incident_id}"
    theirs = remote.incidents.get(incident_id, {})
    known = [tree.incidents.get(incident_id, {}) for tree in others]
    created = False
    if not is_local:
        source = theirs if SNAPSHOT in theirs else next((k for k in known if SNAPSHOT in k), {})
        if JOURNAL not in source and not any(JOURNAL in k for k in known) and JOURNAL not in theirs:
            return None
        problem = _create_incident_folder(repo, folder, source)
        if problem:
            where = remote.commit[:12] if source is theirs else "a local commit"
            warnings.append(f"refused {prefix} in commit {where}: {problem}")
            return None
        created = True
    # Every copy of the journal (the remote's first), each parsed once.
    copies: list[tuple[str, str]] = []  # (blob id, label)
    if JOURNAL in theirs:
        copies.append((theirs[JOURNAL].oid, remote.commit))
    for k, tree in zip(known, others, strict=True):
        if JOURNAL in k and k[JOURNAL].oid not in [c[0] for c in copies]:
            copies.append((k[JOURNAL].oid, tree.commit))
    blobs = repo.read_blobs(oid for oid, _label in copies if oid not in parsed)
    for oid, blob in blobs.items():
        parsed[oid] = event_lines(blob)
    head_bad = {
        raw for k in known[:1] if JOURNAL in k for _n, raw, _w in parsed[k[JOURNAL].oid].bad
    }
    if JOURNAL in theirs:
        for number, raw, reason in parsed[theirs[JOURNAL].oid].bad:
            if raw not in head_bad:
                warnings.append(
                    f"skipped line {number} of {prefix}/{JOURNAL} in commit "
                    f"{remote.commit[:12]}: not an event ({reason})"
                )
    try:
        taken = take_in(Journal(folder / JOURNAL), [parsed[oid] for oid, _label in copies])
    except (OSError, CrisisError) as exc:
        reason = exc.one_line() if isinstance(exc, CrisisError) else why(exc)
        warnings.append(f"{prefix}/{JOURNAL}: not merged ({reason}); the next sync tries again")
        return _carry(prefix, theirs, known)
    base_entry = theirs.get(JOURNAL) or next((k[JOURNAL] for k in known if JOURNAL in k), None)
    if base_entry is not None:
        base = blobs.get(base_entry.oid)
        if base is None:
            base = repo.read_blobs([base_entry.oid])[base_entry.oid]
        base_lines = parsed[base_entry.oid]
    else:
        base, base_lines = b"", EventLines()
    shared = shared_copy(base, base_lines, taken.local)
    same = base_entry is not None and shared is base
    files = {f"{prefix}/{JOURNAL}": (FILE_MODE, base_entry.oid if same and base_entry else repo.hash_blob(shared))}  # fmt: skip
    for name in (SNAPSHOT, SOURCE_COPY):
        entry = theirs.get(name) or next((k[name] for k in known if name in k), None)
        if entry is not None:
            files[f"{prefix}/{name}"] = (FILE_MODE, entry.oid)
            continue
        local_oid = _hash_local(repo, folder / name)
        if local_oid is not None:
            files[f"{prefix}/{name}"] = (FILE_MODE, local_oid)
    remote_ids = parsed[theirs[JOURNAL].oid].by_id if JOURNAL in theirs else {}
    events_out = sum(1 for event_id in taken.local.by_id if event_id not in remote_ids)
    return _Merged(files, taken.appended, events_out, created)


def _carry(prefix: str, theirs: dict[str, TreeEntry], known: list[dict[str, TreeEntry]]) -> _Merged:  # fmt: skip
    """An incident that could not be merged this time: keep what the trees already hold."""
    files: dict[str, tuple[str, str]] = {}
    for name in (JOURNAL, SNAPSHOT, SOURCE_COPY):
        entry = theirs.get(name) or next((k[name] for k in known if name in k), None)
        if entry is not None:
            files[f"{prefix}/{name}"] = (FILE_MODE, entry.oid)
    return _Merged(files, 0, 0, False)


def _hash_local(repo: Repo, path: Path) -> str | None:
    try:
        return repo.hash_blob(read_bounded(path, MAX_SNAPSHOT_BYTES))
    except OSError:
        return None


def _create_incident_folder(repo: Repo, folder: Path, files: dict[str, TreeEntry]) -> str | None:
    """Write a new incident's snapshot (validated) before its journal; why not, or None."""
    from crisiscli.playbook.model import from_data

    entry = files.get(SNAPSHOT)
    if entry is None:
        return "it has no playbook snapshot"
    oids = [entry.oid]
    source = files.get(SOURCE_COPY)
    if source is not None:
        oids.append(source.oid)
    blobs = repo.read_blobs(oids)
    snapshot = blobs[oids[0]]
    try:
        from_data(json.loads(snapshot), str(folder / SNAPSHOT))
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError, OverflowError) as exc:
        return f"its playbook snapshot is not valid ({type(exc).__name__}: {str(exc)[:120]})"
    source_text = blobs.get(oids[-1]) if source is not None else None
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


# -- the files crisis controls ----------------------------------------------------------------


def _control_files(repo: Repo, remote: SharedTree, warnings: list[str]) -> dict[str, tuple[str, str]]:  # fmt: skip
    _write_control_files(repo, remote.attributes, remote.ignore, warnings)
    files = {}
    for name in (ATTRIBUTES, IGNORE):
        data = read_bounded(repo.home / name, MAX_CONTROL_FILE_BYTES)
        files[name] = (FILE_MODE, repo.hash_blob(data))
    return files


def _write_control_files(
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


# -- after the merge --------------------------------------------------------------------------


def _rebuild_logs(env: Environment, ids: list[str], warnings: list[str]) -> int:
    count = 0
    for incident in list_incidents(env):
        if incident.id not in ids:
            continue
        try:
            incident.rebuild_log()
        except CrisisError as exc:
            warnings.append(exc.one_line())
            continue
        warnings.extend(incident.warnings)
        count += 1
    return count
