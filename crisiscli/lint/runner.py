"""Find the files to lint and check them, on every core when there are many.

Folders are walked for ``*.yaml`` / ``*.yml`` (hidden entries skipped, symlinked folders
followed once: a symlink loop cannot trap the walk). A file named explicitly is checked
whatever its extension. Large inputs are spread over a process pool in chunks; results
come back in input order, so output is the same however many processes ran.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from crisiscli.errors import Location, UsageError
from crisiscli.lint.checks import check_file
from crisiscli.lint.config import LintConfig
from crisiscli.lint.findings import FileResult

EXTENSIONS = (".yaml", ".yml")
POOL_THRESHOLD = 48  # below this, starting processes costs more than it saves
CHUNK = 16


@dataclass
class Report:
    results: list[FileResult] = field(default_factory=list)

    @property
    def findings(self) -> list:  # type: ignore[type-arg]
        return [f for r in self.results for f in r.findings]

    @property
    def suppressed(self) -> int:
        return sum(r.suppressed for r in self.results)

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results for f in r.findings if f.severity == severity)


def display_path(path: Path, cwd: Path) -> str:
    """Relative to the working folder when below it, else as given."""
    try:
        return path.absolute().relative_to(cwd).as_posix()
    except ValueError:
        return str(path)


def _excluded(path: Path, patterns: tuple[str, ...], cwd: Path) -> bool:
    if not patterns:
        return False
    shown = display_path(path, cwd)
    return any(fnmatch.fnmatch(shown, p) or fnmatch.fnmatch(path.name, p) for p in patterns)


def collect(paths: Iterable[Path], config: LintConfig, cwd: Path) -> list[Path]:
    """Files to lint, in a stable order; a named path that does not exist is a usage error."""
    files: list[Path] = []
    seen: set[str] = set()

    def add(path: Path) -> None:
        key = os.path.normcase(os.path.abspath(path))
        if key not in seen:
            seen.add(key)
            files.append(path)

    for given in paths:
        if not given.exists() and not given.is_symlink():
            raise UsageError(
                "no such file or folder",
                location=Location(str(given)),
                hint="see: crisis lint --help",
            )
        if given.is_dir():
            for found in _walk(given):
                if not _excluded(found, config.exclude, cwd):
                    add(found)
        else:
            add(given)  # named explicitly: checked even if excluded or oddly named
    return files


def _walk(root: Path) -> list[Path]:
    found: list[Path] = []
    visited: set[tuple[int, int]] = set()

    def visit(folder: Path) -> None:
        try:
            info = folder.stat()
        except OSError:
            return
        key = (info.st_dev, info.st_ino)
        if key in visited:
            return  # a symlink loop, or the same folder twice
        visited.add(key)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            found.append(folder)  # reported as unreadable
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                visit(path)
            elif entry.name.endswith(EXTENSIONS):
                found.append(path)

    visit(root)
    return found


def _check_chunk(args: tuple[list[tuple[str, str]], LintConfig]) -> list[FileResult]:
    chunk, config = args
    return [check_file(Path(path), shown, config) for path, shown in chunk]


def lint_files(files: list[Path], config: LintConfig, cwd: Path, jobs: int = 0) -> Report:
    """Check files; ``jobs``: 0 picks by size, 1 runs here, n uses n processes."""
    items = [(str(p), display_path(p, cwd)) for p in files]
    workers = jobs or (os.cpu_count() or 1)
    if jobs == 0 and len(items) < POOL_THRESHOLD:
        workers = 1
    if workers <= 1 or len(items) < 2:
        return Report([check_file(Path(path), shown, config) for path, shown in items])
    return Report(_pooled(items, config, workers))


def _pooled(items: list[tuple[str, str]], config: LintConfig, workers: int) -> list[FileResult]:
    import concurrent.futures
    import multiprocessing

    size = max(1, min(CHUNK, len(items) // (workers * 4) or 1))
    chunks = [(items[i : i + size], config) for i in range(0, len(items), size)]
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    try:
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
            results: list[FileResult] = []
            for part in pool.map(_check_chunk, chunks):
                results.extend(part)
            return results
    except (OSError, concurrent.futures.process.BrokenProcessPool):
        # No processes available (sandbox, limits): do it here, just slower.
        return [r for chunk in chunks for r in _check_chunk(chunk)]
