"""The user's own git, driven through plumbing only.

crisis never asks git to check out, merge or rebase the working tree: it reads trees and
blobs (``ls-tree``, ``cat-file``), writes objects (``hash-object``, ``write-tree`` into a
private index, ``commit-tree``) and moves refs with compare-and-swap (``update-ref``). None
of these apply attributes, filters or encodings, and every call carries config overrides
that keep git from converting anything it might touch anyway. Git runs as a list argv,
never through a shell.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from crisiscli.errors import StateError
from crisiscli.fsutil import random_token

ZERO = "0" * 40
# Whatever the user's or the repository's configuration says, crisis's own git calls do not
# convert line endings, run fsmonitor hooks, or read a global attributes file.
OVERRIDES = (
    "-c", "core.autocrlf=false",
    "-c", "core.eol=lf",
    "-c", "core.safecrlf=false",
    "-c", "core.fsmonitor=false",
    "-c", "core.quotePath=false",
    "-c", f"core.attributesFile={os.devnull}",
    "-c", "advice.detachedHead=false",
)  # fmt: skip
# Environment variables that would point git at another repository or index than ours.
_FOREIGN = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
            "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES")  # fmt: skip


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


@dataclass(frozen=True)
class TreeEntry:
    mode: str
    kind: str  # blob, tree or commit (a submodule)
    oid: str
    size: int | None  # blobs only
    name: str  # raw bytes decoded with surrogateescape: never trusted as a path


def failure(
    args: Sequence[str], done: subprocess.CompletedProcess[bytes], home: Path | None = None
) -> GitError:
    """A one-line error from a failed git command, with a hint for the usual causes."""
    text = done.stderr.decode("utf-8", "replace")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    detail = next((ln for ln in lines if ln.lower().startswith(("fatal:", "error:"))), None)
    detail = detail or (lines[-1] if lines else f"exit status {done.returncode}")
    lowered = text.lower()
    hint = None
    if "identity unknown" in lowered or "tell me who you are" in lowered:
        hint = 'tell git who you are: git config --global user.name "Your Name"; git config --global user.email you@example.org'
    elif "could not read from remote" in lowered or "does not appear to be a git" in lowered:
        hint = "check the remote: git remote -v (and that you can reach it)"
    if any(words in lowered for words in DISK_REFUSED) or (home is not None and _full(home)):
        # The disk refused, not git or the remote: exit 7, as docs/exit-codes.md says.
        from crisiscli.errors import ExitCode

        return GitError(
            f"git {' '.join(args[:2])} failed: {detail}",
            exit_code=ExitCode.IO_ERROR,
            hint="free some space (or make the folder writable), then run: crisis sync; "
            "every event already recorded is kept",
        )
    return GitError(f"git {' '.join(args[:2])} failed: {detail}", hint=hint)


def _full(home: Path) -> bool:
    """The disk under ``home`` has (almost) no room left: whatever git said, in whatever
    language, that is why it failed."""
    try:
        info = os.statvfs(home)
    except (OSError, AttributeError):
        return False
    return info.f_bavail * info.f_frsize < NEARLY_FULL_BYTES


NEARLY_FULL_BYTES = 256 * 1024
# What git says when the disk refuses, in English (another language is caught by ``_full``
# for a full disk); the strerror texts are glibc's and macOS's.
DISK_REFUSED = (
    "no space left on device",
    "disk quota exceeded",
    "read-only file system",
    "file too large",
)


class Repo:
    """A work tree whose top level is ``home``."""

    def __init__(self, home: Path, git_dir: Path) -> None:
        self.home = home
        self.git_dir = git_dir
        self.crisis_dir = git_dir / "crisis"  # sync's lock and private index files

    # -- running git ---------------------------------------------------------------------

    def run(
        self,
        *args: str,
        input: bytes | None = None,
        env: Mapping[str, str] | None = None,
        check: bool = True,
    ) -> subprocess.CompletedProcess[bytes]:
        return run_git(self.home, *args, input=input, env=env, check=check)

    def text(self, *args: str, check: bool = True) -> str:
        return self.run(*args, check=check).stdout.decode("utf-8", "replace").strip()

    def resolve(self, name: str) -> str | None:
        """The commit a ref or name points at, or None."""
        done = self.run("rev-parse", "--verify", "--quiet", f"{name}^{{commit}}", check=False)
        oid = done.stdout.decode("ascii", "replace").strip()
        return oid if done.returncode == 0 and oid else None

    def is_ancestor(self, older: str, newer: str) -> bool:
        done = self.run("merge-base", "--is-ancestor", older, newer, check=False)
        return done.returncode == 0

    def tree_of(self, commit: str) -> str:
        return self.text("rev-parse", f"{commit}^{{tree}}")

    def config(self, key: str) -> str | None:
        value = self.text("config", "--get", key, check=False)
        return value or None

    # -- reading objects -----------------------------------------------------------------

    def ls_tree(self, treeish: str) -> list[TreeEntry]:
        """One level of a tree, with blob sizes (so nothing oversized is ever read)."""
        out = self.run("ls-tree", "-z", "-l", "--full-tree", treeish).stdout
        entries = []
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _tab, name = record.partition(b"\t")
            mode, kind, oid, size = meta.decode("ascii", "replace").split()
            entries.append(
                TreeEntry(
                    mode,
                    kind,
                    oid,
                    int(size) if size.isdigit() else None,
                    name.decode("utf-8", "surrogateescape"),
                )
            )
        return entries

    def read_trees(self, oids: Iterable[str]) -> dict[str, list[TreeEntry]]:
        """Many trees, one level each, in one ``cat-file --batch`` (sizes not filled in)."""
        trees: dict[str, list[TreeEntry]] = {}
        for oid, body in self._batch(oids, "tree").items():
            entries = []
            at = 0
            width = len(oid) // 2  # SHA-1 or SHA-256 repositories
            while at < len(body):
                space = body.index(b" ", at)
                nul = body.index(b"\0", space)
                mode = body[at:space].decode("ascii", "replace").rjust(6, "0")
                name = body[space + 1 : nul].decode("utf-8", "surrogateescape")
                entry_oid = body[nul + 1 : nul + 1 + width].hex()
                kind = "tree" if mode == "040000" else "commit" if mode == "160000" else "blob"
                entries.append(TreeEntry(mode, kind, entry_oid, None, name))
                at = nul + 1 + width
            trees[oid] = entries
        return trees

    def sizes(self, oids: Iterable[str]) -> dict[str, int]:
        """Object sizes without reading the objects (``cat-file --batch-check``)."""
        wanted = list(dict.fromkeys(oids))
        if not wanted:
            return {}
        listing = "".join(f"{o}\n" for o in wanted).encode()
        out = self.run("cat-file", "--batch-check", input=listing).stdout
        found = {}
        for line in out.decode("ascii", "replace").splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[2].isdigit():
                found[parts[0]] = int(parts[2])
        return found

    def read_blobs(self, oids: Iterable[str]) -> dict[str, bytes]:
        """Many blobs in one ``cat-file --batch`` (raw bytes: no filter is applied)."""
        return self._batch(oids, "blob")

    def _batch(self, oids: Iterable[str], kind: str) -> dict[str, bytes]:
        wanted = list(dict.fromkeys(oids))
        if not wanted:
            return {}
        listing = "".join(f"{o}\n" for o in wanted).encode()
        out = self.run("cat-file", "--batch", input=listing).stdout
        found: dict[str, bytes] = {}
        at = 0
        for oid in wanted:
            end = out.index(b"\n", at)
            header = out[at:end].decode("ascii", "replace").split()
            at = end + 1
            if len(header) < 3 or header[1] != kind:
                raise GitError(f"git object {oid} is not a {kind} ({' '.join(header[1:2])})")
            size = int(header[2])
            found[oid] = out[at : at + size]
            at += size + 1
        return found

    # -- writing objects -----------------------------------------------------------------

    def hash_blob(self, data: bytes) -> str:
        """Store ``data`` as a blob exactly as given (``--no-filters``)."""
        done = self.run("hash-object", "-w", "--no-filters", "--stdin", input=data)
        return done.stdout.decode("ascii").strip()

    def private_index(self) -> Path:
        """A fresh index file only this process uses (git's own index.lock is not touched)."""
        self.crisis_dir.mkdir(exist_ok=True)
        return self.crisis_dir / f"index-{random_token()}"

    def write_tree(self, files: Mapping[str, tuple[str, str]], index: Path) -> str:
        """A tree holding exactly ``files`` (path → (mode, blob id)), built in ``index``."""
        listing = b"".join(
            f"{mode} {oid}\t{path}".encode("utf-8", "surrogateescape") + b"\0"
            for path, (mode, oid) in sorted(files.items())
        )
        env = {"GIT_INDEX_FILE": str(index)}
        self.run("update-index", "-z", "--index-info", input=listing, env=env)
        return self.run("write-tree", env=env).stdout.decode("ascii").strip()

    def commit_tree(self, tree: str, parents: Sequence[str], message: str) -> str:
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        return self.run(*args, input=message.encode("utf-8")).stdout.decode("ascii").strip()

    def update_ref(self, ref: str, new: str, old: str | None) -> None:
        """Move ``ref`` to ``new`` only if it still points at ``old`` (None: must not exist)."""
        self.run("update-ref", "-m", "crisis sync", ref, new, old or ZERO)


def run_git(
    home: Path,
    *args: str,
    input: bytes | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[bytes]:
    argv = [git_executable(), *OVERRIDES, "-C", str(home), *args]
    full_env = {k: v for k, v in os.environ.items() if k not in _FOREIGN}
    full_env.update(env or {})
    try:
        done = subprocess.run(
            argv,
            input=input,
            check=False,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            env=full_env,
        )
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}") from None
    if check and done.returncode != 0:
        raise failure(args, done, home)
    return done


def open_repo(home: Path) -> Repo | None:
    """The repository whose work tree is exactly ``home``, or None if it is not one."""
    if not home.is_dir():
        return None
    done = run_git(home, "rev-parse", "--show-toplevel", "--absolute-git-dir", check=False)
    if done.returncode != 0:
        return None
    lines = done.stdout.decode("utf-8", "surrogateescape").splitlines()
    if len(lines) != 2:
        return None
    top, git_dir = (Path(line) for line in lines)
    if top.resolve() != home.resolve():
        return None
    return Repo(home, git_dir)


def enclosing_work_tree(home: Path) -> Path | None:
    """The top of a work tree that ``home`` sits inside (without being its top), if any."""
    if not home.is_dir():
        return None
    done = run_git(home, "rev-parse", "--show-toplevel", check=False)
    if done.returncode != 0:
        return None
    top = Path(done.stdout.decode("utf-8", "surrogateescape").strip())
    return None if top.resolve() == home.resolve() else top
