"""What an interrupted git operation leaves behind, and how sync finishes it on its own.

A sync can be killed at any instant, and earlier versions of crisis synced by rebasing
the working tree, which a kill could leave half done (a rebase in progress, a detached
HEAD, a stale ``index.lock``, journals rewritten to the remote's copy). None of that needs
a person: every commit such a state names (the original branch, the commit being rebased
onto, a merge head, the detached HEAD) is read as one more copy of the journals, whose
events are added to the local journals like the remote's. The working tree is never reset,
so nothing appended to it (a note answered "Noted" into a half-rebased tree) can be lost.
Only after the merge is recorded is the old state cleared.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from crisiscli.fsutil import random_token
from crisiscli.record.gitrepo import GitError, Repo

STALE_AFTER_SECONDS = 2.0  # git holds a ref lock for milliseconds; one this old is dead
INDEX_LOCK_STALE_SECONDS = 600.0  # a person's `git commit` may hold index.lock for minutes
_OID = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
_STATE_DIRS = ("rebase-merge", "rebase-apply", "sequencer")
_STATE_FILES = ("MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD", "REBASE_HEAD")
_STATE_EXTRAS = ("MERGE_MSG", "MERGE_MODE", "MERGE_RR", "AUTO_MERGE", "SQUASH_MSG")


@dataclass
class Interrupted:
    """An unfinished git operation found in the repository."""

    what: list[str] = field(default_factory=list)
    commits: list[str] = field(default_factory=list)  # more copies of the journals
    branch: str | None = None  # the branch HEAD belongs on
    detached: bool = False
    leftovers: list[Path] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.what)


def inspect(repo: Repo) -> Interrupted:
    found = Interrupted()
    git_dir = repo.git_dir
    for name in ("rebase-merge", "rebase-apply"):
        state = git_dir / name
        if not state.is_dir():
            continue
        found.what.append(f"a git rebase that was interrupted ({name})")
        found.leftovers.append(state)
        head_name = _read(state / "head-name")
        if head_name.startswith("refs/heads/"):
            found.branch = head_name[len("refs/heads/") :]
        for part in ("orig-head", "onto", "stopped-sha", "amend"):
            _add(repo, found, _read(state / part))
    for name in _STATE_FILES:
        path = git_dir / name
        if path.is_file():
            found.what.append(f"an unfinished git operation ({name})")
            found.leftovers.append(path)
            for line in _read(path).splitlines():
                _add(repo, found, line.strip())
    if (git_dir / "sequencer").is_dir():
        found.what.append("an unfinished cherry-pick or revert (sequencer)")
    if found.what:
        found.leftovers += [git_dir / n for n in _STATE_DIRS[2:] + _STATE_EXTRAS]
    symbolic = repo.run("symbolic-ref", "--quiet", "HEAD", check=False)
    if symbolic.returncode != 0:
        head = repo.resolve("HEAD")
        if head is not None:
            found.detached = True
            found.commits.append(head)
            if not found.what:
                found.what.append("a detached HEAD")
            found.branch = found.branch or _guess_branch(repo)
    found.commits = list(dict.fromkeys(found.commits))
    return found


def branch_for(repo: Repo, found: Interrupted) -> str | None:
    """The branch a detached HEAD goes back on (None when HEAD is on a branch)."""
    if not found.detached:
        return None
    if not found.branch:
        raise GitError(
            f"{repo.home} is not on a branch (detached HEAD) and crisis cannot tell which",
            hint="git switch BRANCH, then run: crisis sync",
        )
    return found.branch


def reattach(repo: Repo, found: Interrupted, branch: str) -> None:
    """Put HEAD back on its branch (plumbing only: the working tree is not touched)."""
    if not found.detached:
        return
    if repo.resolve(f"refs/heads/{branch}") is None:
        head = repo.resolve("HEAD")
        if head is not None:
            repo.update_ref(f"refs/heads/{branch}", head, None)
    repo.run("symbolic-ref", "HEAD", f"refs/heads/{branch}")
    found.detached = False


def clear(repo: Repo, found: Interrupted) -> None:
    """Remove the old operation's state, once its commits are part of a recorded merge."""
    for path in found.leftovers:
        if not os.path.lexists(path):
            continue
        # Renamed away first (atomic), so a kill never leaves half a state directory.
        trash = repo.crisis_dir / f"trash-{random_token()}"
        repo.crisis_dir.mkdir(exist_ok=True)
        try:
            os.replace(path, trash)
        except OSError:
            continue
        if trash.is_dir() and not trash.is_symlink():
            shutil.rmtree(trash, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                trash.unlink()


def clear_own_garbage(repo: Repo) -> None:
    """Private index files and trash of a sync that was killed (we hold the sync lock)."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(repo.crisis_dir):
            if entry.name.startswith(("index-", "trash-")):
                path = Path(entry.path)
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    with contextlib.suppress(OSError):
                        path.unlink()


def clear_stale_locks(repo: Repo, refs: list[str], *, interrupted: bool) -> list[str]:
    """Remove git lock files left by a killed git command; what was removed, for the user.

    A lock on a ref sync needs is stale once it is a couple of seconds old (git holds one
    for milliseconds). ``index.lock`` blocks only the user's own git commands; it is removed
    when an interrupted operation is being repaired, or when it is ten minutes old.
    """
    removed = []
    candidates = [(repo.git_dir / f"{ref}.lock", STALE_AFTER_SECONDS) for ref in refs]
    candidates += [(repo.git_dir / "packed-refs.lock", STALE_AFTER_SECONDS)]
    candidates += [(repo.git_dir / "config.lock", STALE_AFTER_SECONDS)]
    index_age = 0.0 if interrupted else INDEX_LOCK_STALE_SECONDS
    candidates += [(repo.git_dir / "index.lock", index_age)]
    candidates += [(repo.git_dir / "shallow.lock", STALE_AFTER_SECONDS)]  # fetch's own
    # Maintenance and gc (which `git fetch` starts, detached, after it is done) hold these
    # for as long as they run: minutes on a big repository. One left by a killed git makes
    # every later `git maintenance` give up ("lock file exists; skipping maintenance").
    candidates += [(repo.git_dir / name, INDEX_LOCK_STALE_SECONDS) for name in BACKGROUND_LOCKS]
    # A ref lock on a ref sync does not touch (another remote branch a fetch was updating).
    named = {path for path, _age in candidates}
    for path in _ref_locks(repo.git_dir):
        if path not in named:
            candidates.append((path, INDEX_LOCK_STALE_SECONDS))
    for path, stale_after in candidates:
        if not _stale(path, stale_after):
            continue
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed.append(f"removed a stale git lock ({path.relative_to(repo.git_dir)})")
    return removed


BACKGROUND_LOCKS = (
    "objects/maintenance.lock",
    "gc.log.lock",
    "objects/info/commit-graph.lock",
    "objects/info/commit-graphs/commit-graph-chain.lock",
    "objects/pack/multi-pack-index.lock",
)
MAX_REF_LOCKS = 1000  # a folder of refs is walked this far, no further


def _ref_locks(git_dir: Path) -> list[Path]:
    """``*.lock`` files under ``refs/`` (links not followed, at most ``MAX_REF_LOCKS``)."""
    found: list[Path] = []
    seen = 0
    for folder, dirs, files in os.walk(git_dir / "refs"):
        seen += len(files) + len(dirs)
        found += [Path(folder, name) for name in files if name.endswith(".lock")]
        if seen > MAX_REF_LOCKS * 10 or len(found) >= MAX_REF_LOCKS:
            break
    return found


def _stale(path: Path, stale_after: float) -> bool:
    try:
        age = time.time() - path.lstat().st_mtime
    except FileNotFoundError:
        return False
    if age >= stale_after:
        return True
    if stale_after > STALE_AFTER_SECONDS:
        return False  # young enough to belong to a command someone is running
    time.sleep(stale_after - age)  # a live git command finishes and removes it by now
    return os.path.lexists(path)


def _read(path: Path) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read(4096).strip()
    except OSError:
        return ""


def _add(repo: Repo, found: Interrupted, text: str) -> None:
    oid = text.strip()
    if _OID.match(oid) and repo.resolve(oid) is not None:
        found.commits.append(oid)


def _guess_branch(repo: Repo) -> str | None:
    """The branch a detached HEAD most likely belongs on: the one with an upstream, else
    the only one."""
    out = repo.text("for-each-ref", "--format=%(refname:short)\t%(upstream)", "refs/heads/")
    rows = [line.split("\t") for line in out.splitlines() if line.strip()]
    tracked = [row[0] for row in rows if len(row) > 1 and row[1]]
    if len(tracked) == 1:
        return tracked[0]
    if len(rows) == 1:
        return rows[0][0]
    return None
