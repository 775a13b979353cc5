"""CRISIS_HOME as a git work tree shared by a team: ``crisis init --git`` and ``crisis sync``.

Journals are append-only files of events with unique ids, so two copies merge by a plain union
of their lines (``merge=union`` in ``.gitattributes``); readers dedupe by id and sort by time.
``log.md`` is derived and *not tracked* (``.gitignore``): it is rebuilt from the merged journal,
so it can never conflict. ``config.toml`` holds personal settings (your name) and is not shared.

Git is the user's own, run as a subprocess with a list argv (never a shell). While ``sync``
commits and pulls it holds every incident's writer lock, so a walk-through running in another
terminal cannot append to a journal that git is rewriting; it waits, then carries on.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from crisiscli.env import Environment
from crisiscli.errors import CrisisError, ExitCode, Location, StateError

ATTRIBUTES = (
    "# crisis: journals are append-only; merging two copies is the union of their lines",
    "incidents/*/journal.jsonl merge=union",
    "incidents/*/log.md -diff",
)
IGNORES = (
    "# crisis: derived, personal or temporary files",
    "incidents/*/log.md",
    "incidents/*/.*",
    "*.lock",
    ".*.tmp",
    "config.toml",
)
PUSH_ATTEMPTS = 3


class GitError(StateError):
    """git is missing, has no remote, or refused: exit 5 (the folder cannot sync now)."""


def git_executable() -> str:
    found = shutil.which("git")
    if found is None:
        raise GitError(
            "git is not installed (or not on PATH): crisis uses your own git to share incidents",
            hint="install git, then: crisis init --git",
        )
    return found


def run_git(
    home: Path, *args: str, check: bool = True, capture: bool = True
) -> subprocess.CompletedProcess[str]:
    argv = [git_executable(), "-C", str(home), *args]
    try:
        done = subprocess.run(
            argv,
            check=False,
            text=True,
            stdout=subprocess.PIPE if capture else None,
            stderr=subprocess.PIPE,
        )
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}") from None
    if check and done.returncode != 0:
        raise _failure(args, done)
    return done


def _failure(args: Sequence[str], done: subprocess.CompletedProcess[str]) -> GitError:
    lines = [ln.strip() for ln in (done.stderr or "").splitlines() if ln.strip()]
    text = "\n".join(lines)
    detail = next((ln for ln in lines if ln.lower().startswith(("fatal:", "error:"))), None)
    detail = detail or (lines[-1] if lines else f"exit status {done.returncode}")
    hint = None
    if "identity unknown" in text or "tell me who you are" in text.lower():
        hint = 'tell git who you are: git config --global user.name "Your Name"; git config --global user.email you@example.org'
    elif "could not read from remote" in text.lower() or "does not appear to be a git" in text:
        hint = "check the remote: git remote -v (and that you can reach it)"
    return GitError(f"git {' '.join(args[:2])} failed: {detail}", hint=hint)


def in_work_tree(home: Path) -> bool:
    if not home.is_dir():
        return False
    done = run_git(home, "rev-parse", "--is-inside-work-tree", check=False)
    return done.returncode == 0 and done.stdout.strip() == "true"


def _merge_lines(path: Path, wanted: Sequence[str]) -> bool:
    """Append the lines ``path`` lacks (keeping the user's own); True if it changed."""
    from crisiscli.fsutil import atomic_write_text

    try:
        current = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        current = ""
    have = {line.strip() for line in current.splitlines()}
    missing = [line for line in wanted if line.strip() not in have]
    if not [m for m in missing if not m.startswith("#")]:
        return False
    text = current + ("\n" if current and not current.endswith("\n") else "")
    text += "\n".join(missing) + "\n"
    atomic_write_text(path, text)
    return True


@dataclass
class InitReport:
    home: Path
    created_repo: bool = False
    wrote: list[str] = field(default_factory=list)
    committed: bool = False
    remote: str | None = None


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
    if not in_work_tree(home):
        run_git(home, "init", "--quiet")
        report.created_repo = True
    for name, lines in ((".gitattributes", ATTRIBUTES), (".gitignore", IGNORES)):
        if _merge_lines(home / name, lines):
            report.wrote.append(name)
    for keep in (env.incidents_dir, env.playbooks_dir):
        marker = keep / ".gitkeep"
        if not any(keep.iterdir()):
            marker.touch()
    if remote:
        remotes = run_git(home, "remote").stdout.split()
        if "origin" in remotes:
            run_git(home, "remote", "set-url", "origin", remote)
        else:
            run_git(home, "remote", "add", "origin", remote)
        report.remote = remote
    run_git(home, "add", "-A", "--", ".")
    if _staged(home):
        run_git(home, "commit", "--quiet", "-m", "crisis: shared incident folder")
        report.committed = True
    return report


def _staged(home: Path) -> bool:
    return run_git(home, "diff", "--cached", "--quiet", check=False).returncode == 1


@dataclass
class SyncReport:
    committed: bool = False
    pulled_commits: int = 0
    rebuilt: int = 0
    pushed: bool = False
    remote: str = ""
    branch: str = ""
    warnings: list[str] = field(default_factory=list)


def _upstream(home: Path) -> str | None:
    done = run_git(
        home, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}", check=False
    )
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


def _in_progress(home: Path) -> str | None:
    for name, what in (
        ("rebase-merge", "rebase"),
        ("rebase-apply", "rebase"),
        ("MERGE_HEAD", "merge"),
    ):
        path = run_git(home, "rev-parse", "--git-path", name).stdout.strip()
        if (home / path).exists():
            return what
    return None


def _fetch(home: Path, remote: str, branch: str, upstream: str | None) -> tuple[str, int]:
    """Fetch (network, no locks held); the tracking ref and how many commits it has for us."""
    run_git(home, "fetch", "--quiet", remote)
    tracking = f"refs/remotes/{upstream}" if upstream else f"refs/remotes/{remote}/{branch}"
    known = run_git(home, "rev-parse", "--verify", "--quiet", tracking, check=False)
    if known.returncode != 0:
        return tracking, 0  # the remote does not have this branch yet: the push creates it
    incoming = run_git(home, "rev-list", "--count", f"HEAD..{tracking}", check=False)
    return tracking, int(incoming.stdout.strip() or 0) if incoming.returncode == 0 else 0


def _rebase(home: Path, tracking: str) -> None:
    """The local half of ``pull --rebase``: replay our commits on what was fetched.
    Journals merge by union (``.gitattributes``); anything else that conflicts is undone."""
    args = ["rebase", "--quiet", tracking]
    done = run_git(home, *args, check=False)
    if done.returncode != 0:
        if _in_progress(home):
            run_git(home, "rebase", "--abort", check=False)
            raise GitError(
                "the pull needs a merge crisis cannot do by itself; nothing was changed",
                hint=f"merge by hand in {home} (git pull --rebase), then run: crisis sync",
            )
        raise _failure(args, done)


def sync(env: Environment, *, push: bool = True) -> SyncReport:
    """Commit local events, fetch and rebase (journals merge by union), rebuild logs, push."""
    from crisiscli.record.store import list_incidents

    home = env.home
    git_executable()
    if not in_work_tree(home):
        raise GitError(
            f"{home} is not a git work tree",
            hint="make it one with: crisis init --git (or clone your team's repository there)",
        )
    remotes = run_git(home, "remote").stdout.split()
    if not remotes:
        raise GitError(
            "this incident folder has no git remote to sync with",
            hint=f"add one: git -C {home} remote add origin URL (or crisis init --git --remote URL)",
        )
    busy = _in_progress(home)
    if busy:
        raise GitError(
            f"a git {busy} is in progress in {home}",
            hint="finish or abort it with git first, then run: crisis sync",
        )
    report = SyncReport()
    branch = run_git(home, "symbolic-ref", "--quiet", "--short", "HEAD", check=False).stdout.strip()
    if not branch:
        raise GitError(f"{home} is not on a branch (detached HEAD)", hint="git switch BRANCH")
    upstream = _upstream(home)
    remote = (
        upstream.split("/", 1)[0] if upstream else ("origin" if "origin" in remotes else remotes[0])
    )
    report.remote, report.branch = remote, branch
    for attempt in range(1, PUSH_ATTEMPTS + 1):
        # pull --rebase in two halves, so no network time is spent holding the locks.
        tracking, incoming = _fetch(home, remote, branch, upstream)
        with contextlib.ExitStack() as stack:
            # No local writer may append while git reads or rewrites the journals.
            for incident in list_incidents(env):
                stack.enter_context(incident.journal.locked())
            run_git(home, "add", "-A", "--", ".")
            if _staged(home):
                who = " ".join(env.actor.split())[:80]
                run_git(home, "commit", "--quiet", "-m", f"crisis: events from {who}")
                report.committed = True
            if incoming:
                _rebase(home, tracking)
                report.pulled_commits += incoming
        report.rebuilt = _rebuild_logs(env, report)
        if not push:
            return report
        args = ["push", "--quiet"] + (
            ["--set-upstream", remote, branch] if upstream is None else []
        )
        done = run_git(home, *args, check=False)
        if done.returncode == 0:
            report.pushed = True
            return report
        rejected = "rejected" in done.stderr or "fetch first" in done.stderr
        if not rejected or attempt == PUSH_ATTEMPTS:
            raise _failure(args, done)
        upstream = _upstream(home)  # someone pushed in between: pull again, then push
    return report  # pragma: no cover - the loop returns or raises


def _rebuild_logs(env: Environment, report: SyncReport) -> int:
    from crisiscli.record.store import list_incidents

    count = 0
    for incident in list_incidents(env):
        try:
            incident.rebuild_log()
        except CrisisError as exc:
            report.warnings.append(exc.one_line())
            continue
        count += 1
    return count
