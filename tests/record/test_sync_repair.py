"""What an interrupted git operation leaves behind — above all the rebase of the old
`crisis sync`, killed half way — is finished by the next `crisis sync` on its own, and no
acknowledged event is lost (the old advice, `git rebase --abort`, lost the notes written
into the half-rebased tree)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.helpers import git, note_texts, ok, start_team

pytestmark = pytest.mark.usefixtures("git_identity")


def old_sync_commit(home: Path, message: str) -> None:
    """What the rebase-based sync did first: commit everything."""
    git(home, "add", "-A", "--", "incidents")
    git(home, "commit", "--quiet", "-m", message)


def diverge(tmp_path: Path) -> tuple[Path, Path, Path, str]:
    """a has pushed two notes; b has two local commits (old-style) and a third note."""
    remote, a, b, name = start_team(tmp_path)
    ok(run_cli(a, "note", "-i", name, "a1"))
    ok(run_cli(a, "note", "-i", name, "a2"))
    ok(run_cli(a, "sync"))
    ok(run_cli(b, "note", "-i", name, "b1"))
    old_sync_commit(b, "crisis: events from ben")
    ok(run_cli(b, "note", "-i", name, "b2"))
    old_sync_commit(b, "crisis: events from ben")
    git(b, "fetch", "--quiet", "origin")
    return remote, a, b, name


def interrupted_rebase(b: Path, how: str) -> None:
    """Leave a rebase in progress as a SIGKILL of the old sync could."""
    if how == "nothing-applied":
        # Stopped right after checking out the remote's tree: b's own events are gone from
        # the working tree (they live only in the commits being rebased).
        editor = "sed -i '1i break'"
        git(b, "-c", f"sequence.editor={editor}", "rebase", "--quiet", "-i", "origin/main")
    else:
        done = os.system(f"cd '{b}' && git rebase --quiet --exec false origin/main >/dev/null 2>&1")
        assert done != 0  # stopped after applying the first of b's two commits
    assert (b / ".git" / "rebase-merge").is_dir()


@pytest.mark.parametrize("how", ["nothing-applied", "half-applied"])
def test_a_rebase_left_by_the_old_sync_is_finished_without_losing_a_note(tmp_path: Path, how: str) -> None:  # fmt: skip
    remote, a, b, name = diverge(tmp_path)
    interrupted_rebase(b, how)
    # The user carries on: the note is acknowledged into the half-rebased tree.
    noted = ok(run_cli(b, "note", "-i", name, "written during the broken rebase"))
    assert "Noted" in noted.stdout
    (b / ".git" / "index.lock").write_bytes(b"")  # the old sync died holding it
    result = ok(run_cli(b, "sync"))
    assert "Repaired: found a git rebase that was interrupted (rebase-merge)." in result.stdout
    assert "removed a stale git lock (index.lock)" in result.stdout
    assert "Pushed" in result.stdout
    assert not (b / ".git" / "rebase-merge").exists()
    assert not (b / ".git" / "index.lock").exists()
    assert git(b, "symbolic-ref", "HEAD").strip() == "refs/heads/main"
    ok(run_cli(a, "sync"))
    expected = ["a1", "a2", "b1", "b2", "written during the broken rebase"]
    assert sorted(note_texts(a, name)) == sorted(note_texts(b, name)) == expected
    assert git(a, "rev-parse", "HEAD") == git(b, "rev-parse", "HEAD") == git(remote, "rev-parse", "HEAD")  # fmt: skip
    again = ok(run_cli(b, "sync"))
    assert "Repaired" not in again.stdout and "Up to date" in again.stdout
    assert git(b, "status", "--porcelain", "--untracked-files=no", "--", ".gitattributes") == ""


def test_an_unfinished_merge_is_folded_in(tmp_path: Path) -> None:
    """`git pull` by hand that stopped on a conflict (in a file crisis controls)."""
    _remote, a, b, name = start_team(tmp_path)
    ok(run_cli(a, "note", "-i", name, "from a"))
    (a / ".gitignore").write_text("team-a/\n", encoding="utf-8")
    git(a, "add", "-A")
    git(a, "commit", "--quiet", "-m", "a by hand")
    git(a, "push", "--quiet", "origin", "main")
    ok(run_cli(b, "note", "-i", name, "from b"))
    (b / ".gitignore").write_text("team-b/\n", encoding="utf-8")
    git(b, "add", "-A")
    git(b, "commit", "--quiet", "-m", "b by hand")
    os.system(f"cd '{b}' && git pull --quiet --no-rebase --no-edit origin main >/dev/null 2>&1")
    assert (b / ".git" / "MERGE_HEAD").exists()
    result = ok(run_cli(b, "sync"))
    assert "found an unfinished git operation (MERGE_HEAD)" in result.stdout
    assert not (b / ".git" / "MERGE_HEAD").exists()
    ignore = (b / ".gitignore").read_text(encoding="utf-8")
    assert "<<<<<<<" not in ignore and "=======" not in ignore
    ok(run_cli(a, "sync"))
    assert sorted(note_texts(a, name)) == sorted(note_texts(b, name)) == ["from a", "from b"]


def test_a_stale_ref_lock_is_removed(tmp_path: Path) -> None:
    _remote, a, _b, name = start_team(tmp_path)
    lock = a / ".git" / "refs" / "heads" / "main.lock"
    lock.write_text("0" * 40 + "\n", encoding="utf-8")
    old = time.time() - 60
    os.utime(lock, (old, old))
    ok(run_cli(a, "note", "-i", name, "after the lock"))
    result = ok(run_cli(a, "sync"))
    assert "Repaired: removed a stale git lock (refs/heads/main.lock)." in result.stdout
    assert "Pushed 1 event(s)" in result.stdout


def test_a_fresh_index_lock_of_someone_elses_git_is_left_alone(tmp_path: Path) -> None:
    _remote, a, _b, name = start_team(tmp_path)
    lock = a / ".git" / "index.lock"
    lock.write_bytes(b"")
    ok(run_cli(a, "note", "-i", name, "while someone commits by hand"))
    result = ok(run_cli(a, "sync"))
    assert "Pushed 1 event(s)" in result.stdout
    assert lock.exists()  # a person's `git commit` may be waiting in an editor


def test_a_detached_head_goes_back_on_its_branch(tmp_path: Path) -> None:
    _remote, a, b, name = start_team(tmp_path)
    ok(run_cli(b, "note", "-i", name, "b1"))
    ok(run_cli(b, "sync"))
    git(b, "update-ref", "--no-deref", "HEAD", git(b, "rev-parse", "HEAD~1").strip())
    ok(run_cli(b, "note", "-i", name, "written while detached"))
    result = ok(run_cli(b, "sync"))
    assert "found a detached HEAD" in result.stdout
    assert git(b, "symbolic-ref", "HEAD").strip() == "refs/heads/main"
    ok(run_cli(a, "sync"))
    assert note_texts(a, name) == ["b1", "written while detached"]
