"""Several machines through git: a bare repository and two clones on this machine, both
adding events to the same incident while apart, then `crisis sync` on each side.

Sync merges journals event by event (no rebase, no checkout of the working tree): every
journal only ever grows, every event reaches every clone once, and the clones converge on
one history."""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest

from crisiscli.record.events import note_added
from crisiscli.record.journal import Journal
from tests.conftest import FrozenClock, make_env, run_cli
from tests.helpers import SHIFT, git, note_texts, ok, start_team, tracked

pytestmark = pytest.mark.usefixtures("git_identity")


def journal_of(home: Path, name: str) -> Path:
    return home / "incidents" / name / "journal.jsonl"


def test_two_clones_merge_concurrent_events(tmp_path: Path) -> None:
    remote, a, b, name = start_team(tmp_path)
    assert (b / "incidents" / name / "log.md").is_file()  # built by b's first sync
    clock = FrozenClock(datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc))
    # Both sides write to the same journal while apart.
    for minute, (home, actor, text) in enumerate(
        [(a, "ana", "A1: statement drafted"), (b, "ben", "B1: reporter called"),
         (a, "ana", "A2: legal is reading"), (b, "ben", "B2: mentions are slowing")],
        start=1,
    ):  # fmt: skip
        clock.now = datetime(2026, 11, 23, 9, minute, tzinfo=timezone.utc)
        ok(run_cli(home, "note", "-i", name, text, actor=actor, clock=clock))
    ok(run_cli(b, "role", "set", "legal", "Lee", "-i", name, actor="ben", clock=clock))
    ok(run_cli(a, "role", "set", "commander", "Ana", "-i", name, actor="ana", clock=clock))
    before = {home: journal_of(home, name).read_bytes() for home in (a, b)}

    first = ok(run_cli(a, "sync", actor="ana", clock=clock))
    assert "Pushed 3 event(s) to origin/main." in first.stdout
    merged = ok(run_cli(b, "sync", actor="ben", clock=clock))
    assert "Took in 3 event(s) from origin/main." in merged.stdout
    assert "Pushed 3 event(s) to origin/main." in merged.stdout
    last = ok(run_cli(a, "sync", actor="ana", clock=clock))
    assert "Took in 3 event(s)" in last.stdout
    assert ok(run_cli(b, "sync", actor="ben")).stdout.strip() == "Up to date with origin/main."

    for home in (a, b):
        after = journal_of(home, name).read_bytes()
        assert after.startswith(before[home])  # only appended to, never rewritten
        ids = [e.id for e in Journal(journal_of(home, name)).read().events]
        # what the start wrote (its walker's claim too) and the 3 + 3 written while apart
        kinds = [e.type for e in Journal(journal_of(home, name)).read().events]
        assert len(ids) == len(set(ids)) == 9 + kinds.count("walker.started")
    assert note_texts(a, name) == note_texts(b, name) == [
        "A1: statement drafted", "B1: reporter called", "A2: legal is reading", "B2: mentions are slowing"
    ]  # fmt: skip
    la, lb = (h / "incidents" / name / "log.md" for h in (a, b))
    assert la.read_text(encoding="utf-8") == lb.read_text(encoding="utf-8")
    log = la.read_text(encoding="utf-8")
    assert log.index("A1: statement drafted") < log.index("B1: reporter called") < log.index("B2")
    assert "| Roles | commander: Ana · legal: Lee |" in log
    heads = {git(h, "rev-parse", "HEAD") for h in (a, b, remote)}
    assert len(heads) == 1  # one history everywhere
    # The committed journal is append-only through history too.
    shared = git(a, "show", f"HEAD:incidents/{name}/journal.jsonl")
    first_copy = git(a, "show", f"HEAD~2:incidents/{name}/journal.jsonl")
    assert shared.startswith(first_copy)
    assert git(a, "status", "--porcelain", "--", ".gitignore", ".gitattributes") == ""


def test_sync_never_rebases_or_checks_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import crisiscli.record.gitrepo as gitrepo

    _remote, a, b, name = start_team(tmp_path)
    ok(run_cli(a, "note", "-i", name, "from a"))
    ok(run_cli(a, "sync"))
    ok(run_cli(b, "note", "-i", name, "from b"))
    commands: list[str] = []
    real = gitrepo.run_git

    def spy(home: Path, *args: str, **kwargs):  # type: ignore[no-untyped-def]
        commands.append(args[0])
        return real(home, *args, **kwargs)

    monkeypatch.setattr(gitrepo, "run_git", spy)
    ok(run_cli(b, "sync"))
    forbidden = {"rebase", "merge", "pull", "checkout", "switch", "reset", "stash", "add", "commit"}
    assert not forbidden & set(commands), commands
    assert note_texts(b, name) == ["from a", "from b"]


def test_plain_git_merge_of_journals_never_conflicts(tmp_path: Path) -> None:
    """Without crisis sync, git's own merge uses the union driver from .gitattributes."""
    _remote, a, b, name = start_team(tmp_path)
    ok(run_cli(a, "note", "from a"))
    ok(run_cli(b, "note", "from b"))
    for home in (a, b):
        git(home, "add", "-A")
        git(home, "commit", "--quiet", "-m", "notes")
    git(a, "push", "--quiet", "origin", "main")
    git(b, "pull", "--quiet", "--no-rebase", "--no-edit", "origin", "main")
    assert sorted(note_texts(b, name)) == ["from a", "from b"]


def test_init_is_idempotent_and_keeps_user_lines(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitignore").write_text("secrets/\n", encoding="utf-8")
    first = ok(run_cli(home, "init", "--git"))
    assert "Created a git repository." in first.stdout
    again = ok(run_cli(home, "init", "--git"))
    assert "Already a git work tree." in again.stdout and "Wrote" not in again.stdout
    ignore = (home / ".gitignore").read_text(encoding="utf-8")
    assert ignore.count("incidents/*/log.md") == 1 and "secrets/" in ignore
    for line in ("config.toml", "*.lock", "tmp/", "incidents/*/.*"):
        assert line in ignore.splitlines()
    attributes = (home / ".gitattributes").read_text(encoding="utf-8")
    assert "incidents/*/journal.jsonl merge=union" in attributes
    assert "incidents/** -text -eol -filter -ident -working-tree-encoding" in attributes
    assert git(home, "status", "--porcelain") == ""


def test_init_inside_another_repository_gives_crisis_home_its_own(tmp_path: Path) -> None:
    outer = tmp_path / "dotfiles"
    outer.mkdir()
    git(outer, "init", "--quiet")
    home = outer / "crisis"
    plain = run_cli(home, "init")
    assert plain.exit_code == 0
    refused = run_cli(home, "sync")
    assert refused.exit_code == 5 and "without a repository of its own" in refused.stderr
    ok(run_cli(home, "init", "--git"))
    assert (home / ".git").is_dir()
    assert git(outer, "status", "--porcelain", "--untracked-files=no") == ""


def test_sync_explains_what_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    ok(run_cli(home, "init"))
    plain = run_cli(home, "sync")
    assert plain.exit_code == 5 and "is not a git work tree" in plain.stderr
    assert "crisis init --git" in plain.stderr
    ok(run_cli(home, "init", "--git"))
    lonely = run_cli(home, "sync")
    assert lonely.exit_code == 5 and "no git remote" in lonely.stderr
    assert "remote add" in lonely.stderr
    assert run_cli(home, "init", "--remote", "x").exit_code == 2
    monkeypatch.setattr("crisiscli.record.gitrepo.shutil.which", lambda name: None)
    missing = run_cli(home, "sync")
    assert missing.exit_code == 5 and "git is not installed" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_sync_reports_an_unreachable_remote(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ok(run_cli(home, "init", "--git", "--remote", str(tmp_path / "nowhere.git")))
    result = run_cli(home, "sync")
    assert result.exit_code == 5
    assert result.stderr.startswith("crisis: error: git fetch")


def test_sync_retries_when_someone_pushes_in_between(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    import crisiscli.record.sync as gitsync

    remote, a, b, name = start_team(tmp_path)
    ok(run_cli(a, "note", "from a"))
    push = gitsync._push
    raced: list[bool] = []

    def race(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not raced:  # b pushes after a fetched, before a pushes
            raced.append(True)
            from crisiscli.record.store import find_incident

            env = make_env(b, actor="ben")  # another process: not the CLI's environment
            find_incident(env, name).record(note_added("from b"))
            gitsync.sync(env)
        return push(*args, **kwargs)

    monkeypatch.setattr(gitsync, "_push", race)
    result = ok(run_cli(a, "sync"))
    assert raced and "Pushed" in result.stdout and "Took in 1 event(s)" in result.stdout
    assert note_texts(a, name) == ["from a", "from b"]
    assert git(a, "rev-parse", "HEAD") == git(remote, "rev-parse", "HEAD")
    # Issue 23.2: the commit whose push lost is not carried. It was kept as the parent of
    # the retry's merge, so every lost race added a commit (and a whole journal) to what the
    # next push had to send: a clone that lost once lost again, up to 72 times in a row
    # at twenty writers. The retry's commit sits on the head that won, with nothing between.
    assert git(a, "rev-parse", "HEAD^@").split() == [git(b, "rev-parse", "HEAD").strip()]


def test_drafts_locks_caches_and_personal_files_are_never_committed(tmp_path: Path) -> None:
    _remote, a, _b, name = start_team(tmp_path)
    folder = a / "incidents" / name
    private = {
        "tmp/message-abc.txt": "an unpublished apology",
        "config.toml": 'actor = "Ana"\n',
        f"incidents/{name}/.fold-checkpoint": "{}",
        f"incidents/{name}/.fold-checkpoint.json.tmp": "{}",
        f"incidents/{name}/.summary.json": "{}",
        f"incidents/{name}/.log.md.abcdef.tmp": "half",
        f"incidents/{name}/evidence.png": "not shared by sync",
        "playbooks/ours.yaml": "crisis: 1\n",
        "README.md": "team notes",
    }
    for path, text in private.items():
        (a / path).parent.mkdir(parents=True, exist_ok=True)
        (a / path).write_text(text, encoding="utf-8")
    assert (folder / "journal.jsonl.lock").exists()
    ok(run_cli(a, "note", "-i", name, "shared"))
    ok(run_cli(a, "sync"))
    assert tracked(a) == sorted([
        ".gitattributes", ".gitignore", "incidents/.gitkeep",
        f"incidents/{name}/journal.jsonl", f"incidents/{name}/playbook.json",
        f"incidents/{name}/playbook.yaml",
    ])  # fmt: skip
    for (
        path,
        text,
    ) in private.items():  # still here, untouched (the summary is a cache the note refreshed)
        if path.endswith(".summary.json"):
            continue
        assert (a / path).read_text(encoding="utf-8") == text


def test_a_new_incident_from_the_remote_arrives_whole(tmp_path: Path) -> None:
    _remote, a, b, _name = start_team(tmp_path)
    answers = tmp_path / "second.yaml"
    answers.write_text("title: Second one\nsteps:\n  watch: pause\n", encoding="utf-8")
    ok(run_cli(a, "start", str(SHIFT), "--answers", str(answers), actor="ana"))
    second = max(p.name for p in (a / "incidents").iterdir() if "second" in p.name)
    ok(run_cli(a, "sync"))
    got = ok(run_cli(b, "sync"))
    assert ", 1 new." in got.stdout
    for file in ("journal.jsonl", "playbook.json", "playbook.yaml"):
        assert (b / "incidents" / second / file).read_bytes() == (a / "incidents" / second / file).read_bytes()  # fmt: skip
    assert ok(run_cli(b, "status", second)).stdout.startswith("Second one")


def test_writers_during_a_sync_lose_nothing(tmp_path: Path) -> None:
    remote, a, b, name = start_team(tmp_path)
    written: list[str] = []
    stop = threading.Event()

    def writer() -> None:
        from crisiscli.record.store import find_incident

        n = 0
        while not stop.is_set():
            text = f"note {n}"
            find_incident(make_env(a, actor="ana"), name).record(note_added(text))
            written.append(text)
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for _round in range(4):
            ok(run_cli(b, "note", "-i", name, f"b {_round}", actor="ben"))
            ok(run_cli(a, "sync", actor="ana"))
            ok(run_cli(b, "sync", actor="ben"))
    finally:
        stop.set()
        thread.join()
    for home in (a, b, a):
        ok(run_cli(home, "sync"))
    expected = sorted([*written, *(f"b {n}" for n in range(4))])
    assert sorted(note_texts(a, name)) == sorted(note_texts(b, name)) == expected
    assert git(a, "rev-parse", "HEAD") == git(b, "rev-parse", "HEAD") == git(remote, "rev-parse", "HEAD")  # fmt: skip


def test_no_push_takes_in_and_keeps_local_events_for_later(tmp_path: Path) -> None:
    remote, a, b, name = start_team(tmp_path)
    ok(run_cli(a, "note", "-i", name, "from a"))
    ok(run_cli(a, "sync"))
    ok(run_cli(b, "note", "-i", name, "from b"))
    result = ok(run_cli(b, "sync", "--no-push"))
    assert "Took in 1 event(s)" in result.stdout and "1 event(s) to push later" in result.stdout
    assert "from b" not in git(remote, "show", f"main:incidents/{name}/journal.jsonl")
    ok(run_cli(b, "sync"))
    assert "from b" in git(remote, "show", f"main:incidents/{name}/journal.jsonl")


def test_a_sync_with_nothing_new_reads_no_journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    import crisiscli.record.merge as merge

    _remote, a, b, name = start_team(tmp_path)
    merged: list[str] = []
    real = merge.take_in
    monkeypatch.setattr(merge, "take_in", lambda journal, copies: (merged.append(str(journal.path)), real(journal, copies))[1])  # fmt: skip
    assert "Up to date" in ok(run_cli(b, "sync")).stdout
    assert merged == []
    ok(run_cli(a, "note", "-i", name, "new"))  # the local journal grew: read again
    assert "Pushed 1 event(s)" in ok(run_cli(a, "sync")).stdout
    assert merged == [str(journal_of(a, name))]
    assert "Took in 1 event(s)" in ok(run_cli(b, "sync")).stdout  # the remote's copy changed
    assert note_texts(b, name) == ["new"]
    (a / ".git" / "crisis" / "merged.json").write_text("{broken", encoding="utf-8")
    assert "Up to date" in ok(run_cli(a, "sync")).stdout  # a broken memory costs only time


def test_a_sync_that_takes_in_new_events_folds_only_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """Issue 23: taking in one event threw the log cache away and folded the whole journal
    twice (a full replay for the state, another with history for log.md)."""
    from crisiscli.record import catchup
    from crisiscli.record.store import Incident

    _remote, a, b, name = start_team(tmp_path)
    ok(run_cli(b, "status", name))  # b's caches are current
    ok(run_cli(a, "note", "-i", name, "from a"))
    ok(run_cli(a, "sync"))
    full: list[str] = []
    real_full = catchup._full
    monkeypatch.setattr(catchup, "_full", lambda *args, **kw: (full.append("fold"), real_full(*args, **kw))[1])  # fmt: skip
    real_history = Incident.derived_history
    monkeypatch.setattr(Incident, "derived_history", lambda self: (full.append("history"), real_history(self))[1])  # fmt: skip
    assert "Took in 1 event(s)" in ok(run_cli(b, "sync")).stdout
    assert full == []  # the new line only
    log = (b / "incidents" / name / "log.md").read_text(encoding="utf-8")
    assert "from a" in log
