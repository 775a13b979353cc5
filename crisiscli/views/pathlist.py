"""``crisis show PLAYBOOK --paths``: every path through a playbook, one line each, and
optionally one drill answers file per path."""

from __future__ import annotations

from pathlib import Path

from crisiscli.errors import Location, UsageError
from crisiscli.playbook import model as m
from crisiscli.walk.paths import PathList, describe

EVERYTHING = 10**9  # no abbreviation when listing


def render_paths(playbook: m.Playbook, found: PathList) -> str:
    """A header (how many, whether all of them) and one numbered line per path."""
    count = len(found.paths)
    if found.complete:
        head = f"{playbook.id}: {count} path{'s' if count != 1 else ''}, every one listed."
    else:
        head = f"{playbook.id}: {found.note()}."
    lines = [head]
    if found.loops:
        lines.append(
            f"({found.loops} more go round a loop back to where they were and are not listed:"
            " each loop is listed once, with the way out.)"
        )
    width = len(str(count))
    for n, path in enumerate(found.paths, 1):
        line = describe(path, most_steps=EVERYTHING, most_answers=EVERYTHING)
        if path.ending == "end":
            line += " (goto end)"
        lines.append(f"{n:>{width}}. {line}")
    return "\n".join(lines) + "\n"


def write_scripts(playbook: m.Playbook, found: PathList, folder: Path) -> list[Path]:
    """One drill answers file per path: ``<id>-path-<n>.yaml`` in ``folder``."""
    import yaml

    from crisiscli.fsutil import atomic_write_text
    from crisiscli.walk.drills import drill_script

    if folder.exists() and not folder.is_dir():
        raise UsageError("not a folder", location=Location(str(folder)))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"cannot create the folder: {exc.strerror or exc}", location=Location(str(folder))
        ) from None
    written = []
    width = max(3, len(str(len(found.paths))))
    for n, path in enumerate(found.paths, 1):
        script = drill_script(playbook, path, title=f"Drill: {playbook.title} (path {n})")
        head = f"# {playbook.id}, path {n}: {describe(path, most_steps=EVERYTHING)}\n"
        body = yaml.safe_dump(script, sort_keys=False, allow_unicode=True, width=100)
        target = folder / f"{playbook.id}-path-{n:0{width}d}.yaml"
        atomic_write_text(target, head.replace("\n", " ").rstrip() + "\n" + body)
        written.append(target)
    return written
