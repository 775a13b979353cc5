"""What a shared incident repository may hold, and what crisis refuses from it.

The repository's layout is crisis's: at the top ``.gitattributes`` and ``.gitignore`` (both
controlled by crisis), ``allowed_signers`` and its ``.sig`` (who may sign as whom), and ``incidents/<id>/`` folders holding ``journal.jsonl``,
``playbook.json``, ``playbook.yaml`` and ``evidence/<sha256>`` (evidence files: named by
the SHA-256 of their bytes, at most ``MAX_EVIDENCE_BYTES`` each; the hash is checked when
a file arrives, in ``merge.py``). Anything else a fetched commit carries — a
symbolic link, a submodule, a path outside ``incidents/<id>/``, an unexpected file name,
a file larger than its budget — is refused with a message naming the commit and the path,
and never reaches the disk. Trees are walked one level at a time, so a hostile tree is
never listed further than the first entry that is refused.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from crisiscli.record.gitrepo import Repo, TreeEntry
from crisiscli.record.journal import MAX_JOURNAL_BYTES
from crisiscli.record.store import (
    EVIDENCE,
    JOURNAL,
    MAX_EVIDENCE_BYTES,
    MAX_SNAPSHOT_BYTES,
    SNAPSHOT,
    SOURCE_COPY,
    is_incident_id,
)
from crisiscli.text import visible_line

INCIDENTS = "incidents"
ATTRIBUTES = ".gitattributes"
IGNORE = ".gitignore"
KEEP = ".gitkeep"
MAX_CONTROL_FILE_BYTES = 64 * 1024
# Who may sign as whom, and its signature (see record/signers.py), with their budgets.
SIGNER_FILES = {"allowed_signers": 1024 * 1024, "allowed_signers.sig": 16 * 1024}
MAX_INCIDENTS = 20_000
BUDGETS = {
    JOURNAL: MAX_JOURNAL_BYTES,
    SNAPSHOT: MAX_SNAPSHOT_BYTES,
    SOURCE_COPY: MAX_SNAPSHOT_BYTES,
}
REGULAR = ("100644", "100755")
MAX_EVIDENCE_FILES = 10_000  # per incident
_HEX = frozenset("0123456789abcdef")


def evidence_name(name: str) -> bool:
    """``<sha256>``: 64 lowercase hex digits, the only name an evidence file may have."""
    return len(name) == 64 and all(c in _HEX for c in name)


LEGACY = {
    "playbooks/.gitkeep"
}  # written by earlier versions of `crisis init --git`: dropped quietly

# -- the attributes file -----------------------------------------------------------------------

ATTRIBUTE_LINES = (
    "# crisis: this file is controlled by crisis; lines that would change file bytes are refused",
    "incidents/** -text -eol -filter -ident -working-tree-encoding",
    "incidents/*/journal.jsonl merge=union",
)
IGNORE_LINES = (
    "# crisis: derived, personal, private or temporary files (never shared)",
    "incidents/*/log.md",
    "incidents/*/.*",
    "*.lock",
    ".*.tmp",
    "tmp/",
    "config.toml",
)
# Attributes that change the bytes git writes or reads (conversions, filters, encodings) or
# run a program (diff and merge drivers). Only ``merge=union`` and unsetting are allowed.
_BYTE_CHANGING = {"text", "eol", "crlf", "working-tree-encoding", "filter", "ident", "encoding"}
_DRIVERS = {"diff", "merge"}


def attribute_line_problem(line: str) -> str | None:
    """Why a ``.gitattributes`` line is refused, or None if it cannot change file bytes."""
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return None
    if stripped.startswith("[attr]"):
        return "it defines a macro attribute"
    if stripped.startswith('"'):
        return "it has a quoted pattern"
    for token in stripped.split()[1:]:
        unset = token.startswith("-")
        name, has_value, value = token.lstrip("-!").partition("=")
        if unset and not has_value:
            continue  # unsetting a conversion or a driver never adds one
        if name in _BYTE_CHANGING:
            return f"'{token}' would change the bytes of the files it matches"
        if name in _DRIVERS and has_value and not (name == "merge" and value == "union"):
            return f"'{token}' names a {name} driver (a program git would run)"
    return None


_CONFLICT_MARKERS = ("<<<<<<<", "=======", ">>>>>>>", "|||||||")  # a merge by hand left them


def controlled_text(canonical: tuple[str, ...], *sources: list[str]) -> str:
    """crisis's own lines, then every other line of ``sources`` once, in order."""
    seen: set[str] = set()
    out: list[str] = []
    for line in [*canonical, *(line for source in sources for line in source)]:
        key = line.strip()
        if not key or key in seen or key.startswith(_CONFLICT_MARKERS):
            continue
        seen.add(key)
        out.append(line.rstrip())
    return "\n".join(out) + "\n"


# -- reading a fetched tree -----------------------------------------------------------------


@dataclass
class SharedTree:
    """The accepted part of one commit's tree."""

    commit: str
    incidents: dict[str, dict[str, TreeEntry]] = field(default_factory=dict)
    attributes: list[str] = field(default_factory=list)  # accepted lines
    ignore: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    # allowed_signers and allowed_signers.sig (record/signers.py decides whether to trust them)
    signers: dict[str, TreeEntry] = field(default_factory=dict)
    top: dict[str, str] = field(default_factory=dict)  # accepted top-level files → blob ids


def shown(path: str) -> str:
    """A path from a tree as a person may safely read it (no controls, no bidi tricks)."""
    return visible_line(path.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))


def read_shared_tree(repo: Repo, commit: str) -> SharedTree:
    tree = SharedTree(commit)
    where = commit[:12]

    def refuse(path: str, why: str) -> None:
        tree.refused.append(f"refused {shown(path)} in commit {where}: {why}")

    entries = repo.ls_tree(commit)
    # Both control files in one git process (every sync reads two trees, every retry again).
    control = [
        e.oid
        for e in entries
        if e.name in (ATTRIBUTES, IGNORE) and not _file_problem(e, MAX_CONTROL_FILE_BYTES)
    ]
    blobs = repo.read_blobs(control) if control else {}
    for entry in entries:
        name = entry.name
        if name in (ATTRIBUTES, IGNORE):
            problem = _file_problem(entry, MAX_CONTROL_FILE_BYTES)
            if problem:
                refuse(name, problem)
                continue
            tree.top[name] = entry.oid
            text = blobs[entry.oid].decode("utf-8", "replace")
            if name == IGNORE:
                tree.ignore = text.splitlines()
                continue
            for number, line in enumerate(text.splitlines(), start=1):
                why = attribute_line_problem(line)
                if why:
                    refuse(f"{name}:{number}", f"{why} (line '{line.strip()[:120]}')")
                else:
                    tree.attributes.append(line)
        elif name in SIGNER_FILES:
            problem = _file_problem(entry, SIGNER_FILES[name])
            if problem:
                refuse(name, problem)
            else:
                tree.signers[name] = entry
                tree.top[name] = entry.oid
        elif name == INCIDENTS and entry.kind == "tree":
            _read_incidents(repo, entry.oid, tree, refuse)
        elif name == "playbooks" and entry.kind == "tree":
            for inner in repo.ls_tree(entry.oid):
                path = f"playbooks/{inner.name}"
                if path not in LEGACY:
                    refuse(path, "crisis sync shares incident folders only")
        else:
            link_or_module = entry.kind != "tree" and _kind_problem(entry)
            refuse(name, link_or_module or "crisis sync shares incident folders only")
    return tree


def _read_incidents(repo: Repo, oid: str, tree: SharedTree, refuse: Callable[[str, str], None]) -> None:  # fmt: skip
    # Four git processes whatever the number of incidents: the folder, its sub-folders in
    # one batch, the sizes of their files in one batch (no file is read to learn its size).
    folders: list[TreeEntry] = []
    for entry in repo.read_trees([oid])[oid]:
        path = f"{INCIDENTS}/{entry.name}"
        if entry.name == KEEP and entry.kind == "blob":
            tree.top[path] = entry.oid
            continue
        if entry.kind != "tree":
            refuse(path, _kind_problem(entry) or "not an incident folder")
        elif not is_incident_id(entry.name):
            refuse(path, "not an incident id")
        elif len(folders) >= MAX_INCIDENTS:
            refuse(path, f"more than {MAX_INCIDENTS:,} incidents in one repository")
        else:
            folders.append(entry)
    subtrees = repo.read_trees(folder.oid for folder in folders)
    wanted: list[tuple[str, TreeEntry, int]] = []
    evidence: list[tuple[str, TreeEntry]] = []
    for folder in folders:
        for inner in subtrees[folder.oid]:
            inner_path = f"{INCIDENTS}/{folder.name}/{inner.name}"
            if inner.name == EVIDENCE and inner.kind == "tree":
                evidence.append((folder.name, inner))
                continue
            budget = BUDGETS.get(inner.name)
            problem = _kind_problem(inner) or (None if budget else "not a file crisis shares")
            if problem or budget is None:
                refuse(inner_path, problem or "not a file crisis shares")
            else:
                wanted.append((folder.name, inner, budget))
    wanted += _evidence_entries(repo, evidence, refuse)  # one more git process for them all
    sizes = repo.sizes(inner.oid for _name, inner, _budget in wanted)
    for name, inner, budget in wanted:
        sized = dataclasses.replace(inner, size=sizes.get(inner.oid))
        problem = _file_problem(sized, budget)
        if problem:
            refuse(f"{INCIDENTS}/{name}/{inner.name}", problem)
        else:
            tree.incidents.setdefault(name, {})[inner.name] = sized


def _evidence_entries(
    repo: Repo, folders: list[tuple[str, TreeEntry]], refuse: Callable[[str, str], None]
) -> list[tuple[str, TreeEntry, int]]:
    """The files of each incident's ``evidence/`` folder, named ``evidence/<sha256>``."""
    found: list[tuple[str, TreeEntry, int]] = []
    listed = repo.read_trees(folder.oid for _name, folder in folders)
    for name, folder in folders:
        count = 0
        for entry in listed[folder.oid]:
            path = f"{INCIDENTS}/{name}/{EVIDENCE}/{entry.name}"
            if not evidence_name(entry.name):
                refuse(path, "an evidence file is named by the SHA-256 of its bytes")
            elif count >= MAX_EVIDENCE_FILES:
                refuse(path, f"more than {MAX_EVIDENCE_FILES:,} evidence files in one incident")
            else:
                count += 1
                key = dataclasses.replace(entry, name=f"{EVIDENCE}/{entry.name}")
                found.append((name, key, MAX_EVIDENCE_BYTES))
    return found


def _kind_problem(entry: TreeEntry) -> str | None:
    if entry.mode == "120000":
        return "a symbolic link"
    if entry.kind == "commit":
        return "a submodule"
    if entry.kind == "tree":
        return "a folder where a file belongs"
    return None


def _file_problem(entry: TreeEntry, budget: int) -> str | None:
    problem = _kind_problem(entry)
    if problem:
        return problem
    if entry.kind != "blob" or entry.mode not in REGULAR:
        return f"an unexpected kind of entry ({entry.mode})"
    if entry.size is None or entry.size > budget:
        from crisiscli.fsutil import describe_size

        return f"larger than {describe_size(budget)} ({entry.size:,} bytes)"
    return None
