"""A hostile (or broken) teammate pushes to the team repository whatever plain git lets
them. `crisis sync` on another clone refuses each case with a message naming the commit
and the path, writes nothing outside CRISIS_HOME, keeps every journal byte it had, and still
merges the other incidents and pushes.

Each case builds its fixture repository in a temporary folder: a bare team repository,
two clones (`start_team`), and a commit made straight into the team repository
(`hostile_push`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crisiscli.record.journal import Journal
from tests.conftest import run_cli
from tests.helpers import (
    files_outside,
    git,
    hostile_push,
    note_texts,
    ok,
    remote_file,
    start_team,
    tracked,
)

pytestmark = pytest.mark.usefixtures("git_identity")


def journal(home: Path, name: str) -> Path:
    return home / "incidents" / name / "journal.jsonl"


def event_line(text: str, n: int = 0) -> bytes:
    record = {"v": 1, "id": f"{n:032x}", "ts": "2026-11-23T08:30:00.000000+00:00",
              "actor": "mallory", "type": "note.added", "data": {"text": text}}  # fmt: skip
    return json.dumps(record).encode() + b"\n"


def setup(tmp_path: Path):  # type: ignore[no-untyped-def]
    remote, a, b, name = start_team(tmp_path)
    ok(run_cli(a, "note", "-i", name, "from a"))
    ok(run_cli(a, "sync"))
    ok(run_cli(b, "note", "-i", name, "from b"))  # b has something to push
    before = journal(b, name).read_bytes()
    outside = files_outside(tmp_path, [b, tmp_path / "team.git", a])
    return remote, a, b, name, before, outside


def check_unharmed(tmp_path: Path, remote: Path, a: Path, b: Path, name: str, before: bytes, outside: set[Path], extra: tuple[str, ...] = ()) -> None:  # fmt: skip
    """b kept every byte of its journal, took in a's note, pushed its own; nothing outside."""
    assert journal(b, name).read_bytes().startswith(before)
    expected = sorted(["from a", "from b", *extra])
    assert sorted(note_texts(b, name)) == expected
    assert b"from b" in remote_file(remote, f"incidents/{name}/journal.jsonl")
    assert files_outside(tmp_path, [b, tmp_path / "team.git", a]) == outside
    assert ok(run_cli(b, "status", name)).exit_code == 0
    ok(run_cli(a, "sync"))
    assert sorted(note_texts(a, name)) == expected


# -- attributes that would change journal bytes -------------------------------------------------

HOSTILE_ATTRIBUTES = [
    ("* working-tree-encoding=UTF-16LE", "'working-tree-encoding=UTF-16LE' would change the bytes"),
    ("incidents/** filter=exfiltrate", "'filter=exfiltrate' would change the bytes"),
    ("* text eol=crlf", "'text' would change the bytes"),
    ("*.jsonl ident", "'ident' would change the bytes"),
    ("*.jsonl diff=leak", "'diff=leak' names a diff driver"),
    ("* merge=ours", "'merge=ours' names a merge driver"),
    ("[attr]binary filter=evil", "it defines a macro attribute"),
    ("!incidents/** -text", None),  # harmless: unsetting never converts
]


@pytest.mark.parametrize(("line", "reason"), HOSTILE_ATTRIBUTES, ids=[line for line, _ in HOSTILE_ATTRIBUTES])  # fmt: skip
def test_attributes_that_change_journal_bytes_are_refused(tmp_path: Path, line: str, reason: str | None) -> None:  # fmt: skip
    remote, a, b, name, before, outside = setup(tmp_path)
    current = remote_file(remote, ".gitattributes")
    commit = hostile_push(remote, {".gitattributes": ("100644", current + line.encode() + b"\n")})
    result = ok(run_cli(b, "sync"))
    number = current.count(b"\n") + 1
    if reason is None:
        assert "refused" not in result.stderr
        return
    assert f"warning: refused .gitattributes:{number} in commit {commit[:12]}: {reason}" in result.stderr  # fmt: skip
    assert line not in (b / ".gitattributes").read_text(encoding="utf-8")
    assert line.encode() not in remote_file(remote, ".gitattributes")  # the tip is clean again
    check_unharmed(tmp_path, remote, a, b, name, before, outside)
    # A teammate cloning the repository with plain git now gets the journal's real bytes.
    fresh = tmp_path / "fresh"
    git(tmp_path, "clone", "--quiet", str(remote), str(fresh))
    assert Journal(journal(fresh, name)).read().events


def test_a_journal_already_converted_by_an_old_sync_is_healed(tmp_path: Path) -> None:
    """The old sync checked out through a hostile working-tree-encoding: the local journal
    became UTF-16 and every line was skipped. The next sync takes the events back in from
    the repository (the committed copy was never converted) and keeps the file append-only."""
    _remote, _a, b, name = start_team(tmp_path)
    path = journal(b, name)
    path.write_bytes(path.read_bytes().decode("utf-8").encode("utf-16-le"))
    assert not Journal(path).read().events
    ok(run_cli(b, "sync"))
    assert [e.type for e in Journal(path).read().events][:1] == ["incident.opened"]
    assert ok(run_cli(b, "status", name)).stdout.startswith("Wrong image")


# -- links, submodules, paths and names ---------------------------------------------------------

# (path pushed, its entry, the path the refusal names, why)
REFUSED_ENTRIES = [
    ("incidents/{new}/journal.jsonl", ("120000", b"/etc/passwd"), "incidents/{new}/journal.jsonl", "a symbolic link"),
    ("incidents/{new}/playbook.json", ("120000", b"/dev/zero"), "incidents/{new}/playbook.json", "a symbolic link"),
    ("incidents/{name}/playbook.json", ("120000", b"../../../../etc/shadow"), "incidents/{name}/playbook.json", "a symbolic link"),
    ("incidents/{new}", ("120000", b"../../.."), "incidents/{new}", "a symbolic link"),
    ("evil-link", ("120000", b"/etc"), "evil-link", "a symbolic link"),
    ("incidents/{new}/journal.jsonl", ("160000", b"1" * 40), "incidents/{new}/journal.jsonl", "a submodule"),
    ("README.md", ("100644", b"hello"), "README.md", "crisis sync shares incident folders only"),
    (".gitmodules", ("100644", b"[submodule x]\n"), ".gitmodules", "crisis sync shares incident folders only"),
    ("hooks/post-merge", ("100755", b"#!/bin/sh\nrm -rf ~\n"), "hooks", "crisis sync shares incident folders only"),
    ("playbooks/general.yaml", ("100644", b"crisis: 1\n"), "playbooks/general.yaml", "crisis sync shares incident folders only"),
    ("incidents/{name}/log.md", ("100644", b"# fake log"), "incidents/{name}/log.md", "not a file crisis shares"),
    ("incidents/{name}/.fold-checkpoint", ("100644", b"{}"), "incidents/{name}/.fold-checkpoint", "not a file crisis shares"),
    ("incidents/{name}/journal.jsonl.lock", ("100644", b""), "incidents/{name}/journal.jsonl.lock", "not a file crisis shares"),
    ("incidents/{name}/.log.md.123.tmp", ("120000", b"/root/.bashrc"), "incidents/{name}/.log.md.123.tmp", "a symbolic link"),
    ("incidents/{name}/sub/journal.jsonl", ("100644", b""), "incidents/{name}/sub", "a folder where a file belongs"),
    ("incidents/bad id/journal.jsonl", ("100644", b""), "incidents/bad id", "not an incident id"),
    ("incidents/..x/journal.jsonl", ("100644", b""), "incidents/..x", "not an incident id"),
    ("incidents/a\x1b]0;pwned\x07b/journal.jsonl", ("100644", b""), "incidents/a\\x1b]0;pwned\\x07b", "not an incident id"),
    ("incidents/line\nbreak/journal.jsonl", ("100644", b""), "incidents/line\\x0abreak", "not an incident id"),
    ("incidents/rtl\u202egpj.exe/journal.jsonl", ("100644", b""), "incidents/rtl<U+202E>gpj.exe", "not an incident id"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "change", "named", "reason"), REFUSED_ENTRIES, ids=[repr(c[0])[1:40] for c in REFUSED_ENTRIES])  # fmt: skip
def test_links_submodules_paths_and_names_are_refused(
    tmp_path: Path, path: str, change: tuple[str, bytes], named: str, reason: str
) -> None:
    remote, a, b, name, before, outside = setup(tmp_path)
    new = "2026-11-23-0900-new"
    path, named = path.format(name=name, new=new), named.format(name=name, new=new)
    changes: dict[str, tuple[str, bytes] | None] = {path: change}
    if path.startswith(f"incidents/{new}/") and path != f"incidents/{new}/journal.jsonl":
        changes[f"incidents/{new}/journal.jsonl"] = ("100644", event_line("smuggled"))
    mine = {
        p: (p.read_bytes() if p.is_file() else None) for p in (b / "incidents" / name).iterdir()
    }
    commit = hostile_push(remote, changes)
    result = ok(run_cli(b, "sync"))
    assert f"warning: refused {named} in commit {commit[:12]}: {reason}" in result.stderr, (
        result.stderr
    )
    assert (
        "\x1b]" not in result.stderr
        and "\x07" not in result.stderr
        and "\u202e" not in result.stderr
    )
    assert all(not p.is_symlink() for p in b.rglob("*") if ".git" not in p.parts)
    assert not (b / "incidents" / new).exists() or path == f"incidents/{new}/playbook.json"
    assert not (
        b / "incidents" / new / "journal.jsonl"
    ).exists()  # no incident without its snapshot
    grew = {"journal.jsonl", "log.md", ".checkpoint.json", ".summary.json"}  # and its caches
    for p, data in mine.items():  # the existing incident's files are untouched (the journal grew)
        if data is not None and p.name not in grew:
            assert p.read_bytes() == data
    listing = git(b, "ls-tree", "-r", "HEAD")
    assert "120000 " not in listing and "160000 " not in listing  # the tip is clean again
    assert path not in tracked(b) or path == f"incidents/{name}/playbook.json"
    check_unharmed(tmp_path, remote, a, b, name, before, outside)


def test_a_link_in_place_of_the_incidents_folder_is_refused(tmp_path: Path) -> None:
    remote, a, b, name, before, outside = setup(tmp_path)
    # The whole incidents/ tree replaced by a link pointing out of CRISIS_HOME.
    listing = git(b, "ls-tree", "-r", "--name-only", "origin/main").split()
    changes: dict[str, tuple[str, bytes] | None] = {
        p: None for p in listing if p.startswith("incidents/")
    }
    changes["incidents"] = ("120000", b"/tmp")
    commit = hostile_push(remote, changes)
    result = ok(run_cli(b, "sync"))
    assert f"refused incidents in commit {commit[:12]}: a symbolic link" in result.stderr
    assert (b / "incidents").is_dir() and not (b / "incidents").is_symlink()
    assert journal(b, name).read_bytes().startswith(before)
    assert f"incidents/{name}/journal.jsonl" in tracked(b)  # b's merge put the incident back
    for home in (a, b):  # the note only a still had comes back with a's next sync
        ok(run_cli(home, "sync"))
    check_unharmed(tmp_path, remote, a, b, name, before, outside)


def test_oversized_files_are_refused_without_being_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    import crisiscli.record.sharedtree as sharedtree

    remote, _a, b, name, before, _outside = setup(tmp_path)
    monkeypatch.setitem(sharedtree.BUDGETS, "journal.jsonl", 4096)
    read: list[str] = []
    import crisiscli.record.gitrepo as gitrepo

    real = gitrepo.Repo.read_blobs
    monkeypatch.setattr(gitrepo.Repo, "read_blobs", lambda self, oids: (read.extend(oids := list(oids)), real(self, oids))[1])  # fmt: skip
    huge = b"".join(event_line("x" * 100, n) for n in range(100))
    commit = hostile_push(remote, {f"incidents/{name}/journal.jsonl": ("100644", remote_file(remote, f"incidents/{name}/journal.jsonl") + huge)})  # fmt: skip
    result = ok(run_cli(b, "sync"))
    assert f"refused incidents/{name}/journal.jsonl in commit {commit[:12]}: larger than 4 KiB" in result.stderr  # fmt: skip
    big_oid = git(b, "rev-parse", f"{commit}:incidents/{name}/journal.jsonl").strip()
    assert big_oid not in read  # never read, not even to look
    assert "x" * 100 not in journal(b, name).read_text(encoding="utf-8")
    assert journal(b, name).read_bytes().startswith(before)


# -- lines that do not parse -----------------------------------------------------------------------


def test_a_deeply_nested_line_is_skipped_and_everything_else_goes_on(tmp_path: Path) -> None:
    remote, a, b, name, before, outside = setup(tmp_path)
    answers = a / "tmp" / "second.yaml"  # inside a: the check below watches for new files
    answers.parent.mkdir()
    answers.write_text("title: Second\nsteps:\n  watch: pause\n", encoding="utf-8")
    from tests.helpers import SHIFT

    ok(run_cli(a, "start", str(SHIFT), "--answers", str(answers)))
    ok(run_cli(a, "sync"))
    second = next(p.name for p in (a / "incidents").iterdir() if "second" in p.name)
    path = f"incidents/{name}/journal.jsonl"
    current = remote_file(remote, path)
    bomb = b"[" * 1100 + b"]" * 1100 + b"\n"
    commit = hostile_push(remote, {path: ("100644", current + bomb + event_line("after the bomb", 7))})  # fmt: skip
    line = current.count(b"\n") + 1
    result = ok(run_cli(b, "sync"))
    assert f"warning: skipped line {line} of {path} in commit {commit[:12]}: not an event (nested too deeply)" in result.stderr  # fmt: skip
    assert "Pushed" in result.stdout
    assert "after the bomb" in note_texts(b, name)
    assert (b / "incidents" / second / "journal.jsonl").is_file()  # the other incident came too
    assert bomb not in journal(b, name).read_bytes()
    assert ok(run_cli(b, "list")).exit_code == 0
    again = ok(run_cli(b, "sync"))  # said once: the line is already known
    assert "skipped line" not in again.stderr
    check_unharmed(tmp_path, remote, a, b, name, before, outside, ("after the bomb",))


def test_a_new_incident_with_an_invalid_snapshot_is_refused(tmp_path: Path) -> None:
    remote, a, b, name, before, outside = setup(tmp_path)
    new = "2026-11-23-0900-forged"
    commit = hostile_push(remote, {
        f"incidents/{new}/journal.jsonl": ("100644", event_line("forged")),
        f"incidents/{new}/playbook.json": ("100644", b'{"id": "x", "phases": "not a list"}'),
    })  # fmt: skip
    result = ok(run_cli(b, "sync"))
    assert f"refused incidents/{new} in commit {commit[:12]}: its playbook snapshot is not valid" in result.stderr  # fmt: skip
    assert not (b / "incidents" / new).exists()
    check_unharmed(tmp_path, remote, a, b, name, before, outside)


def test_a_valid_new_incident_is_written_inside_crisis_home_only(tmp_path: Path) -> None:
    remote, a, b, name, before, outside = setup(tmp_path)
    new = "2026-11-23-0900-from-mallory"
    snapshot = remote_file(remote, f"incidents/{name}/playbook.json")
    hostile_push(remote, {
        f"incidents/{new}/journal.jsonl": ("100644", event_line("hello \u202eevil\u202c")),
        f"incidents/{new}/playbook.json": ("100644", snapshot),
        f"incidents/{new}/playbook.yaml": ("100644", b"\xff\xfe not utf-8"),
    })  # fmt: skip
    ok(run_cli(b, "sync"))
    assert (b / "incidents" / new / "playbook.json").read_bytes() == snapshot
    assert not (b / "incidents" / new / "playbook.yaml").exists()  # not text: not written
    assert note_texts(b, new) == ["hello \u202eevil\u202c"]  # exact in the journal
    shown = ok(run_cli(b, "log", new)).stdout
    assert "\u202e" not in shown and "\\<U+202E>" in shown  # markdown for <U+202E>
    check_unharmed(tmp_path, remote, a, b, name, before, outside)


# -- history a teammate cannot rewrite (issue 23) --------------------------------------------


def _line_of(home: Path, name: str, text: str) -> bytes:
    return next(x for x in journal(home, name).read_bytes().splitlines() if text.encode() in x)


def as_mallory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Mallory")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "mallory@example.org")


def test_an_event_rewritten_in_place_is_refused_named_and_the_original_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """`sed -i` on a note (same id) pushed with plain git replaced it for the remote and every
    new clone while older clones kept the original: the team disagreed, silently."""
    remote, a, b, name, _before, _outside = setup(tmp_path)
    ok(run_cli(b, "sync"))
    original = _line_of(a, name, "from a")
    shared = remote_file(remote, f"incidents/{name}/journal.jsonl")
    forged = shared.replace(original, original.replace(b"from a", b"we never said that"))
    as_mallory(monkeypatch)
    commit = hostile_push(remote, {f"incidents/{name}/journal.jsonl": ("100644", forged)})
    said = ok(run_cli(b, "sync"))
    event_id = json.loads(original)["id"]
    warning = next(x for x in said.stderr.splitlines() if "rewrit" in x)
    assert commit[:12] in warning and event_id[:12] in warning and "Mallory" in warning, warning
    assert "from a" in note_texts(b, name) and "we never said that" not in note_texts(b, name)
    kept = remote_file(remote, f"incidents/{name}/journal.jsonl")
    assert original in kept and b"we never said that" not in kept  # the union pushed is whole
    c = tmp_path / "laptop-c"
    ok(run_cli(c, "init", "--git", "--remote", str(remote)))
    ok(run_cli(c, "sync"))
    assert "from a" in note_texts(c, name) and "we never said that" not in note_texts(c, name)
    ok(run_cli(a, "sync"))
    assert _line_of(a, name, "from a") == original


def test_a_deleted_event_is_named_and_restored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    remote, a, b, name, _before, _outside = setup(tmp_path)
    ok(run_cli(b, "sync"))
    original = _line_of(a, name, "from a")
    shared = remote_file(remote, f"incidents/{name}/journal.jsonl")
    as_mallory(monkeypatch)
    commit = hostile_push(remote, {f"incidents/{name}/journal.jsonl": ("100644", shared.replace(original + b"\n", b""))})  # fmt: skip
    said = ok(run_cli(b, "sync"))
    warning = next(x for x in said.stderr.splitlines() if "deletion" in x)
    assert commit[:12] in warning and json.loads(original)["id"][:12] in warning
    assert "Mallory" in warning
    assert original in remote_file(remote, f"incidents/{name}/journal.jsonl")


@pytest.mark.parametrize("attack", ["link", "oversized"])
def test_a_link_pushed_over_a_journal_does_not_hide_the_honest_events_before_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, attack: str) -> None:  # fmt: skip
    """An honest teammate's note, then a hostile push that replaces the journal with a link
    (or an oversized file): the note was only ever in the commit between the two tips this
    clone saw."""
    import crisiscli.record.sharedtree as sharedtree

    remote, a, b, name, _before, _outside = setup(tmp_path)
    ok(run_cli(b, "sync"))
    ok(run_cli(a, "note", "-i", name, "honest, pushed just before the attack"))
    ok(run_cli(a, "sync"))
    # a's laptop is then lost; mallory replaces the journal with a link, or makes it huge
    path = f"incidents/{name}/journal.jsonl"
    if attack == "link":
        hostile_push(remote, {path: ("120000", b"/etc/passwd")})
    else:
        shared = remote_file(remote, path)
        monkeypatch.setitem(sharedtree.BUDGETS, "journal.jsonl", len(shared) + 1024)
        huge = b"".join(event_line("x" * 100, n) for n in range(100))
        hostile_push(remote, {path: ("100644", shared + huge)})
    said = ok(run_cli(b, "sync"))
    assert ("a symbolic link" if attack == "link" else "larger than") in said.stderr
    assert "honest, pushed just before the attack" in note_texts(b, name), said.stderr
    assert b"honest, pushed just before the attack" in remote_file(remote, f"incidents/{name}/journal.jsonl")  # fmt: skip
