"""One ``crisis lint`` run: the configuration, the files, the report and its text.

``cli/commands/lint.py`` reads the options into a ``LintRequest``, calls ``run_lint`` and
prints what it returns; the files are found and checked by ``runner``, the text made by
``formatters``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from crisiscli.lint.runner import Report, collect, lint_files

if TYPE_CHECKING:
    from crisiscli.env import Environment


@dataclass(frozen=True)
class LintRequest:
    """What a person asked ``crisis lint`` for (options already read)."""

    paths: tuple[Path, ...] = ()
    output_format: str | None = None  # None: github on GitHub Actions, else config, else full
    config_file: Path | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    root: Path | None = None
    strict: bool = False
    statistics: bool = False
    colour: bool = False
    jobs: int = 0
    on_github: bool = False


@dataclass(frozen=True)
class LintRun:
    text: str  # the report in the format asked for
    format: str  # the format used, or "statistics"
    report: Report
    nothing_found_in: str | None  # no playbooks where crisis looked by itself
    failed: bool  # errors, or warnings with --strict


def split_rules(values: Iterable[str] | None) -> tuple[str, ...] | None:
    """``--select CR3,CR4 --select CR5`` → ``("CR3", "CR4", "CR5")``."""
    if values is None:
        return None
    return tuple(w.strip() for v in values for w in v.split(",") if w.strip())


def run_lint(env: Environment, request: LintRequest, cwd: Path) -> LintRun:
    """Lint what ``request`` names (or the person's playbook folders) and format the report."""
    import dataclasses

    from crisiscli.config import current_config
    from crisiscli.lint import formatters
    from crisiscli.lint.config import load_config

    config = load_config(
        request.config_file,
        cwd,
        select=list(request.select) if request.select is not None else None,
        ignore=list(request.ignore) if request.ignore is not None else None,
    )
    personal = current_config(env).platform_limits  # CRISIS_HOME/config.toml
    if personal:
        merged = {**dict(personal), **dict(config.platform_limits)}
        config = dataclasses.replace(config, platform_limits=tuple(merged.items()))
    fmt = request.output_format or ("github" if request.on_github else config.format or "full")
    asked = list(request.paths)
    targets = asked or list(config.paths) or default_dirs(env)
    files = collect([p for p in targets if p.exists() or asked], config, cwd)
    nothing = None
    if not files and not asked:
        nothing = ", ".join(str(p) for p in targets) or str(env.playbooks_dir)
    report = lint_files(files, config, cwd, request.jobs)
    if request.statistics:
        text = formatters.statistics(report, "json" if fmt == "json" else "text")
    else:
        where = repository_root(request.root, cwd) if fmt in ("sarif", "github") else None
        text = formatters.FORMATTERS[fmt](
            report, colour=request.colour, strict=request.strict, cwd=cwd, root=where
        )
    failed = report.count("error") > 0 or (request.strict and report.count("warning") > 0)
    return LintRun(text, "statistics" if request.statistics else fmt, report, nothing, failed)


def repository_root(given: Path | None, cwd: Path) -> Path:
    """What SARIF and GitHub paths are relative to: --root, else $GITHUB_WORKSPACE, else the
    git work tree's top level, else the current folder."""
    import subprocess

    if given is not None:
        return given.absolute()
    workspace = os.environ.get("GITHUB_WORKSPACE", "").strip()
    if workspace:
        return Path(workspace)
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        top = ""
    return Path(top) if top else cwd


def default_dirs(env: Environment) -> list[Path]:
    """CRISIS_HOME/playbooks and config.toml's playbook_dirs (the bundled ones are clean)."""
    from crisiscli.playbook.catalog import search_dirs

    return [folder for origin, folder in search_dirs(env) if origin != "bundled"]
