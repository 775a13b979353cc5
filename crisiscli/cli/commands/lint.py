from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from crisiscli.env import Environment

HELP = """Check playbooks for mistakes before a crisis finds them: made for CI.

Reports YAML and structure errors, broken references, unreachable steps, loops, undefined
{{ variables }}, messages over a platform's limit and checklist-design problems, each with a
rule id (CR101, ...), file:line:column and the offending source. Rules: docs/lint.md.
Suppress one with a comment `# crisis: noqa CR123`; configure in pyproject.toml
[tool.crisis.lint] or crisis.toml [lint].

Exit codes: 0 no problems (warnings allowed), 1 problems found (warnings too with
--strict), 2 usage or configuration error.

\b
Examples:
  crisis lint                              # your playbooks in CRISIS_HOME/playbooks
  crisis lint playbooks/                   # a folder, in a repository or CI job
  crisis lint my.yaml --format concise
  crisis lint --strict --format sarif -o lint.sarif playbooks/
  crisis lint --format sarif --root . team/playbooks/   # URIs relative to the repository
  crisis lint --select CR3,CR4 --ignore CR402 --statistics
"""

FORMAT_HELP = "full (default), concise, json, github (default on GitHub Actions), sarif, junit."


def _split(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [w.strip() for v in values for w in v.split(",") if w.strip()]


def command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files or folders (default: your playbook folders).",
            show_default=False,
            metavar="[PATH]...",
        ),
    ] = None,
    output_format: Annotated[
        str | None,
        typer.Option("--format", "-f", help=FORMAT_HELP, show_default=False, metavar="FORMAT"),
    ] = None,
    output_file: Annotated[
        Path | None,
        typer.Option("--output-file", "-o", help="Write the report to a file.", metavar="FILE"),
    ] = None,
    root: Annotated[
        Path | None,
        typer.Option(
            "--root",
            help="SARIF and GitHub paths are relative to this folder (default: "
            "$GITHUB_WORKSPACE, else the git top level, else the current folder).",
            metavar="DIR",
            show_default=False,
        ),
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select",
            help="Only these rules: codes, prefixes (CR5) or names; commas.",
            metavar="RULES",
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore", help="Leave out these rules (as --select).", metavar="RULES"),
    ] = None,
    config_file: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Configuration file (pyproject.toml or crisis.toml).",
            metavar="FILE",
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too (exit 1).")] = False,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when problems are found.")
    ] = False,
    stats: Annotated[
        bool, typer.Option("--statistics", help="Count problems per rule instead of listing them.")
    ] = False,
    color: Annotated[
        str, typer.Option("--color", help="auto (on a terminal), always or never.", metavar="WHEN")
    ] = "auto",
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs", "-j", help="Processes to use; 0 chooses by input size.", min=0, metavar="N"
        ),
    ] = 0,
    list_rules: Annotated[
        bool, typer.Option("--list-rules", help="List every rule and exit.")
    ] = False,
    github_actions: Annotated[
        str, typer.Option("--github-actions", envvar="GITHUB_ACTIONS", hidden=True)
    ] = "",
    no_color: Annotated[str, typer.Option("--no-color-env", envvar="NO_COLOR", hidden=True)] = "",
) -> None:
    import dataclasses

    from crisiscli.config import current_config
    from crisiscli.env import get_env
    from crisiscli.errors import ExitCode, UsageError
    from crisiscli.fsutil import atomic_write_text
    from crisiscli.lint import formatters
    from crisiscli.lint.config import FORMATS, load_config
    from crisiscli.lint.runner import collect, lint_files

    env = get_env()
    cwd = Path.cwd()
    if color not in ("auto", "always", "never"):
        raise UsageError(f"--color must be auto, always or never, not '{color}'")
    if output_format is not None and output_format not in FORMATS:
        raise UsageError(
            f"unknown format '{output_format}'", hint=f"choose one of: {', '.join(FORMATS)}"
        )
    if list_rules:
        _list_rules(output_format == "json")
        return
    config = load_config(config_file, cwd, select=_split(select), ignore=_split(ignore))
    personal = current_config(env).platform_limits  # CRISIS_HOME/config.toml
    if personal:
        merged = {**dict(personal), **dict(config.platform_limits)}
        config = dataclasses.replace(config, platform_limits=tuple(merged.items()))
    fmt = output_format or (
        "github" if github_actions.strip().lower() == "true" else config.format or "full"
    )
    targets = list(paths or []) or list(config.paths) or _default_dirs(env)
    files = collect([p for p in targets if p.exists() or paths], config, cwd)
    if not files and not paths:
        shown = ", ".join(str(p) for p in targets) or str(env.playbooks_dir)
        env.stderr.write(f"crisis lint: no playbooks found in {shown}\n")
    report = lint_files(files, config, cwd, jobs)
    colour = output_file is None and (
        color == "always" or (color == "auto" and env.stdout_isatty and not no_color)
    )
    if stats:
        text = formatters.statistics(report, "json" if fmt == "json" else "text")
    else:
        where = _repository_root(root, cwd) if fmt in ("sarif", "github") else None
        text = formatters.FORMATTERS[fmt](report, colour=colour, strict=strict, cwd=cwd, root=where)
    if output_file is not None:
        try:
            atomic_write_text(output_file, text)
        except OSError as exc:
            raise UsageError(
                f"cannot write {output_file}: {exc.strerror or exc}", exit_code=ExitCode.IO_ERROR
            ) from None
        if fmt in formatters.HUMAN or stats:
            pass
        else:
            env.stderr.write(formatters.summary(report) + "\n")
    else:
        env.stdout.write(text)
        env.stdout.flush()
    failed = report.count("error") > 0 or (strict and report.count("warning") > 0)
    if failed and not exit_zero:
        raise typer.Exit(int(ExitCode.FINDINGS))


def _repository_root(given: Path | None, cwd: Path) -> Path:
    """What SARIF and GitHub paths are relative to: --root, else $GITHUB_WORKSPACE, else the
    git work tree's top level, else the current folder."""
    import os
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


def _default_dirs(env: Environment) -> list[Path]:
    """CRISIS_HOME/playbooks and config.toml's playbook_dirs (the bundled ones are clean)."""
    from crisiscli.playbook.catalog import search_dirs

    return [folder for origin, folder in search_dirs(env) if origin != "bundled"]


def _list_rules(as_json: bool) -> None:
    from crisiscli.lint.rules import all_rules
    from crisiscli.ui.output import echo, echo_json

    rules = all_rules()
    if as_json:
        echo_json(
            [
                {
                    "code": r.code,
                    "name": r.name,
                    "severity": r.severity,
                    "always_on": r.always_on,
                    "summary": r.summary,
                }
                for r in rules
            ]
        )
        return
    for r in rules:
        flag = "  (always on)" if r.always_on else ""
        echo(f"{r.code}  {r.name:<27} {r.severity:<8} {r.summary}{flag}")


def register(app: typer.Typer) -> None:
    app.command("lint", help=HELP)(command)
