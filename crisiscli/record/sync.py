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
4. push; if someone pushed in between, fetch and merge again, on the head the sync began
   from (the merge whose push lost was never shared: carrying it would make every lost
   race grow the next push).

Every step is computed afresh from what is on disk, so a sync killed at any instant is
completed by the next one; so is what an interrupted git operation (the rebase of earlier
versions) left behind (``repair``). Local journals are only ever appended to. Writers
(``crisis note``, a walk-through in another terminal) are safe throughout: sync holds an
incident's lock only while it appends to that journal.
"""

from __future__ import annotations

import contextlib
import os
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from crisiscli.env import Environment
from crisiscli.errors import CrisisError, ExitCode, Location
from crisiscli.fsutil import lock_exclusive, open_lock_file
from crisiscli.record import repair
from crisiscli.record.gitrepo import (
    GitError,
    Repo,
    enclosing_work_tree,
    failure,
    git_executable,
    open_repo,
    run_git,
)
from crisiscli.record.merge import record_merge, write_control_files
from crisiscli.record.sharedtree import SharedTree
from crisiscli.record.store import list_incidents

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
        if repo is None:  # git init succeeded but git disagrees
            raise GitError(f"git init did not make {home} a repository")
    with _sync_lock(repo):
        report.wrote += write_control_files(repo, [], [], report.warnings)
        if remote:
            remotes = repo.text("remote").split()
            verb = "set-url" if "origin" in remotes else "add"
            repo.run("remote", verb, "origin", remote)
            report.remote = remote
        if remote and _remote_has_history(repo, "origin"):
            return report  # joining a team: the first sync adopts its history
        branch = _current_branch(repo)
        outcome = record_merge(env, repo, branch, None, [], report.warnings, message_hint="init")
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
    push_attempts: int = 0  # pushes tried (more than one: someone pushed in between)
    repaired: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Journal sizes whose every line the team's branch now holds (pushed, or there already).
    shared_sizes: dict[str, int] = field(default_factory=dict)


class PushRaceLost(GitError):
    """Someone pushed before us every time (``PUSH_ATTEMPTS``): nothing is wrong with the
    remote, the team is busy. The background syncer tries again within seconds."""


def sync(env: Environment, *, push: bool = True, known_tip: str | None = None) -> SyncReport:
    """Fetch, merge the journals event by event, record the merge, push (see module doc).

    ``known_tip``: the team's head as this clone knew it before a fetch that already ran
    (the background syncer's idle cycle), so what the new head refuses or deleted is still
    read against it."""
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
        trees: dict[str, SharedTree] = {}  # commits read in this sync (they never change)
        began_from = repo.resolve("HEAD")
        lost: tuple[str, str | None] | None = None  # our merge whose push lost, and began_from
        for attempt in range(1, PUSH_ATTEMPTS + 1):
            if attempt > 1 or known_tip is None:
                known_tip = repo.resolve(f"refs/remotes/{remote}/{rbranch}")
            remote_tip = _fetch(repo, remote, rbranch)
            if remote_tip is None and _adopt_remote_default(repo, remote, branch):
                branch = _current_branch(repo)
                rbranch = branch
                report.branch = rbranch
                remote_tip = _fetch(repo, remote, rbranch)
            warnings: list[str] = []
            outcome = record_merge(
                env,
                repo,
                branch,
                remote_tip,
                interrupted.commits,
                warnings,
                message_hint=remote,
                known_tip=known_tip,
                trees=trees,
                lost=lost,
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
                if push and outcome.tip is not None:
                    report.shared_sizes = outcome.committed_sizes
                break
            report.push_attempts = attempt
            if _push(repo, remote, rbranch, branch, outcome.tip):
                report.pushed = True
                report.shared_sizes = outcome.committed_sizes
                break
            lost = (outcome.tip, began_from)
            if attempt == PUSH_ATTEMPTS:
                raise PushRaceLost(
                    f"{remote}/{rbranch} kept changing while crisis pushed "
                    f"({PUSH_ATTEMPTS} attempts); every event is saved here",
                    hint="run again: crisis sync",
                )
            time.sleep(random.uniform(0.05, 0.25) * attempt)  # let the other pusher finish
    report.rebuilt = _rebuild_logs(env, sorted(touched), report.warnings)
    return report


def remote_moved(repo: Repo, remote: str, branch: str) -> str | None:
    """Fetch the team's branch; when it moved since this clone last took it in, the head it
    had before (what ``sync(known_tip=…)`` reads the new one against; "" when it knew none),
    else None. The
    background syncer's idle cycle, which merges nothing when it did not (and no local
    journal grew). One git process: the tips are read from the ref file when it is loose."""
    with _sync_lock(repo):
        before = _tracking_tip(repo, remote, branch)
        args = ("fetch", "--quiet", "--no-tags", "--no-write-fetch-head",
                "--no-recurse-submodules", remote,
                f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}")  # fmt: skip
        done = repo.run(*args, check=False)
        if done.returncode != 0:
            raise failure(args, done)
        if _tracking_tip(repo, remote, branch) == before:
            return None
        return before or ""  # moved, from nothing known


def _tracking_tip(repo: Repo, remote: str, branch: str) -> str | None:
    loose = repo.git_dir / "refs" / "remotes" / remote / branch
    try:
        text = loose.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        text = ""
    if len(text) in (40, 64) and all(c in "0123456789abcdef" for c in text):
        return text
    return repo.resolve(f"refs/remotes/{remote}/{branch}")  # packed, or not there yet


@contextlib.contextmanager
def _sync_lock(repo: Repo) -> Iterator[None]:
    """One sync (or init) at a time per repository; the OS releases it if the holder dies."""
    repo.crisis_dir.mkdir(exist_ok=True)
    fd = open_lock_file(repo.crisis_dir / "sync.lock")
    try:
        if not lock_exclusive(fd, SYNC_LOCK_SECONDS, poll=0.05):
            raise GitError(
                f"another crisis sync has been running in {repo.home} for "
                f"{SYNC_LOCK_SECONDS:.0f} s",
                hint="wait for it, then run: crisis sync",
            )
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
        raise failure(args, done, repo.home)
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
        raise failure(args, done, repo.home)
    repo.run("update-ref", f"refs/remotes/{remote}/{rbranch}", tip)
    if repo.config(f"branch.{branch}.remote") is None:
        repo.run("config", f"branch.{branch}.remote", remote)
        repo.run("config", f"branch.{branch}.merge", f"refs/heads/{rbranch}")
    return True


# -- after the merge --------------------------------------------------------------------------


def _rebuild_logs(env: Environment, ids: list[str], warnings: list[str]) -> int:
    count = 0
    for incident in list_incidents(env):
        if incident.id not in ids:
            continue
        try:
            incident.refresh_log()  # the new lines only, where they sort after the others
        except CrisisError as exc:
            warnings.append(exc.one_line())
            continue
        count += 1
    return count
