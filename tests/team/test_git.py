"""Several machines through git: a bare repository and two clones on this machine, both
adding events to the same incident at the same time, then `crisis sync` on each side."""

from __future__ import annotations

import io
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from crisiscli.env import set_env
from crisiscli.record.events import NewEvent
from crisiscli.record.journal import Journal
from tests.conftest import FrozenClock, Result, make_env

SHIFT = Path(__file__).parent / "fixtures" / "shift.yaml"


@pytest.fixture(autouse=True)
def git_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A private git configuration: no user settings leak in, commits have an author."""
    config = tmp_path / "gitconfig"
    config.write_text("[init]\n\tdefaultBranch = main\n", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Crisis Test")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "test@example.org")


def crisis(
    home: Path, *args: str, actor: str = "tester", clock: FrozenClock | None = None
) -> Result:
    from crisiscli.cli.app import main

    env = make_env(home, clock=clock, actor=actor)
    set_env(env)
    code = 0
    try:
        main(list(args))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    finally:
        set_env(None)
    assert isinstance(env.stdout, io.StringIO) and isinstance(env.stderr, io.StringIO)
    return Result(code, env.stdout.getvalue(), env.stderr.getvalue())


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result
    return result


def journal_ids(path: Path) -> list[str]:
    return [e.id for e in Journal(path).read().events]


def test_two_clones_merge_concurrent_events(tmp_path: Path) -> None:
    remote = tmp_path / "team.git"
    git(tmp_path, "init", "--quiet", "--bare", str(remote))
    a, b = tmp_path / "laptop-a", tmp_path / "laptop-b"
    clock = FrozenClock(datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc))

    ok(crisis(a, "init", "--git", "--remote", str(remote)))
    answers = tmp_path / "answers.yaml"
    answers.write_text("title: Wrong image\nsteps:\n  watch: pause\n", encoding="utf-8")
    ok(crisis(a, "start", str(SHIFT), "--answers", str(answers), actor="ana", clock=clock))
    first = ok(crisis(a, "sync", actor="ana", clock=clock))
    assert "Pushed to origin/main" in first.stdout
    git(tmp_path, "clone", "--quiet", str(remote), str(b))
    ok(crisis(b, "sync", actor="ben", clock=clock))  # builds b's log.md (not tracked)
    name = next(p.name for p in (a / "incidents").iterdir() if not p.name.startswith("."))
    assert (b / "incidents" / name / "log.md").is_file()

    # Both sides write to the same journal while apart: the same lines of the file change.
    for minute, (home, actor, text) in enumerate(
        [(a, "ana", "A1: statement drafted"), (b, "ben", "B1: reporter called"),
         (a, "ana", "A2: legal is reading"), (b, "ben", "B2: mentions are slowing")],
        start=1,
    ):  # fmt: skip
        clock.now = datetime(2026, 11, 23, 9, minute, tzinfo=timezone.utc)
        ok(crisis(home, "note", "-i", name, text, actor=actor, clock=clock))
    ok(crisis(b, "role", "set", "legal", "Lee", "-i", name, actor="ben", clock=clock))
    ok(crisis(a, "role", "set", "commander", "Ana", "-i", name, actor="ana", clock=clock))

    ok(crisis(a, "sync", actor="ana", clock=clock))
    merged = ok(crisis(b, "sync", actor="ben", clock=clock))  # pull --rebase: union merge
    assert "Took in 1 commit(s)" in merged.stdout
    ok(crisis(a, "sync", actor="ana", clock=clock))

    ja, jb = a / "incidents" / name / "journal.jsonl", b / "incidents" / name / "journal.jsonl"
    assert ja.read_bytes() == jb.read_bytes()
    ids = journal_ids(ja)
    assert len(ids) == len(set(ids))
    texts = [e.data.get("text") for e in Journal(ja).read().events if e.type == "note.added"]
    assert texts == ["A1: statement drafted", "B1: reporter called",
                     "A2: legal is reading", "B2: mentions are slowing"]  # fmt: skip
    assert "<<<<<<<" not in ja.read_text(encoding="utf-8")
    la, lb = (h / "incidents" / name / "log.md" for h in (a, b))
    assert la.read_text(encoding="utf-8") == lb.read_text(encoding="utf-8")
    log = la.read_text(encoding="utf-8")
    assert log.index("A1: statement drafted") < log.index("B1: reporter called") < log.index("B2")
    assert "| Roles | commander: Ana · legal: Lee |" in log
    for home in (a, b):
        assert git(home, "status", "--porcelain") == ""  # logs are derived and not tracked
        assert "log.md" not in git(home, "ls-files")
    assert git(a, "rev-parse", "HEAD") == git(b, "rev-parse", "HEAD")


def test_plain_git_merge_of_journals_never_conflicts(tmp_path: Path) -> None:
    """Without crisis sync, git's own merge uses the union driver from .gitattributes."""
    remote = tmp_path / "team.git"
    git(tmp_path, "init", "--quiet", "--bare", str(remote))
    a, b = tmp_path / "a", tmp_path / "b"
    ok(crisis(a, "init", "--git", "--remote", str(remote)))
    answers = tmp_path / "answers.yaml"
    answers.write_text("steps:\n  watch: pause\n", encoding="utf-8")
    ok(crisis(a, "start", str(SHIFT), "--answers", str(answers)))
    ok(crisis(a, "sync"))
    git(tmp_path, "clone", "--quiet", str(remote), str(b))
    ok(crisis(a, "note", "from a"))
    ok(crisis(b, "note", "from b"))
    for home in (a, b):
        git(home, "add", "-A")
        git(home, "commit", "--quiet", "-m", "notes")
    git(a, "push", "--quiet")
    git(b, "pull", "--quiet", "--no-rebase", "--no-edit")  # a merge commit, no conflict
    journal = next((b / "incidents").glob("*/journal.jsonl"))
    texts = [e.data.get("text") for e in Journal(journal).read().events if e.type == "note.added"]
    assert sorted(texts) == ["from a", "from b"]


def test_init_is_idempotent_and_keeps_user_lines(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitignore").write_text("secrets/\n", encoding="utf-8")
    first = ok(crisis(home, "init", "--git"))
    assert "Created a git repository." in first.stdout
    again = ok(crisis(home, "init", "--git"))
    assert "Already a git work tree." in again.stdout and "Wrote" not in again.stdout
    ignore = (home / ".gitignore").read_text(encoding="utf-8")
    assert ignore.startswith("secrets/\n") and ignore.count("incidents/*/log.md") == 1
    assert "config.toml" in ignore and "*.lock" in ignore
    attributes = (home / ".gitattributes").read_text(encoding="utf-8")
    assert "incidents/*/journal.jsonl merge=union" in attributes
    assert git(home, "status", "--porcelain") == ""


def test_sync_explains_what_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    ok(crisis(home, "init"))
    plain = crisis(home, "sync")
    assert plain.exit_code == 5 and "is not a git work tree" in plain.stderr
    assert "crisis init --git" in plain.stderr
    ok(crisis(home, "init", "--git"))
    lonely = crisis(home, "sync")
    assert (
        lonely.exit_code == 5 and "no git remote" in lonely.stderr and "remote add" in lonely.stderr
    )
    assert crisis(home, "init", "--remote", "x").exit_code == 2
    monkeypatch.setattr("crisiscli.record.sync.shutil.which", lambda name: None)
    missing = crisis(home, "sync")
    assert missing.exit_code == 5 and "git is not installed" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_sync_reports_an_unreachable_remote(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ok(crisis(home, "init", "--git", "--remote", str(tmp_path / "nowhere.git")))
    result = crisis(home, "sync")
    assert result.exit_code == 5
    assert result.stderr.startswith("crisis: error: git fetch")


def test_sync_retries_when_someone_pushes_in_between(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import crisiscli.record.sync as gitsync

    remote = tmp_path / "team.git"
    git(tmp_path, "init", "--quiet", "--bare", str(remote))
    a, b = tmp_path / "a", tmp_path / "b"
    ok(crisis(a, "init", "--git", "--remote", str(remote)))
    answers = tmp_path / "answers.yaml"
    answers.write_text("steps:\n  watch: pause\n", encoding="utf-8")
    ok(crisis(a, "start", str(SHIFT), "--answers", str(answers)))
    ok(crisis(a, "sync"))
    git(tmp_path, "clone", "--quiet", str(remote), str(b))
    ok(crisis(a, "note", "from a"))
    rebuild = gitsync._rebuild_logs
    raced: list[bool] = []

    def race(env, report):  # type: ignore[no-untyped-def]
        if not raced:  # b pushes after a fetched, before a pushes
            raced.append(True)
            from crisiscli.record.store import find_incident

            find_incident(make_env(b, actor="ben"), None).record(
                NewEvent("note.added", {"text": "from b"})
            )
            git(b, "add", "-A")
            git(b, "commit", "--quiet", "-m", "b")
            git(b, "push", "--quiet")
        return rebuild(env, report)

    monkeypatch.setattr(gitsync, "_rebuild_logs", race)
    result = ok(crisis(a, "sync"))
    assert raced and "Pushed" in result.stdout and "Took in 1 commit(s)" in result.stdout
    journal = next((a / "incidents").glob("*/journal.jsonl"))
    texts = [e.data.get("text") for e in Journal(journal).read().events if e.type == "note.added"]
    assert texts == ["from a", "from b"]
    assert git(a, "rev-parse", "HEAD") == git(remote, "rev-parse", "HEAD")
