from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
    from crisiscli.env import get_env
    from crisiscli.errors import ExitCode, UsageError
    from crisiscli.fsutil import atomic_write_text
    from crisiscli.lint import formatters
    from crisiscli.lint.config import FORMATS
    from crisiscli.lint.session import LintRequest, run_lint, split_rules

    env = get_env()
    if color not in ("auto", "always", "never"):
        raise UsageError(f"--color must be auto, always or never, not '{color}'")
    if output_format is not None and output_format not in FORMATS:
        raise UsageError(
            f"unknown format '{output_format}'", hint=f"choose one of: {', '.join(FORMATS)}"
        )
    if list_rules:
        _list_rules(output_format == "json")
        return
    colour = output_file is None and (
        color == "always" or (color == "auto" and env.stdout_isatty and not no_color)
    )
    request = LintRequest(
        paths=tuple(paths or ()),
        output_format=output_format,
        config_file=config_file,
        select=split_rules(select),
        ignore=split_rules(ignore),
        root=root,
        strict=strict,
        statistics=stats,
        colour=colour,
        jobs=jobs,
        on_github=github_actions.strip().lower() == "true",
    )
    run = run_lint(env, request, Path.cwd())
    if run.nothing_found_in is not None:
        env.stderr.write(f"crisis lint: no playbooks found in {run.nothing_found_in}\n")
    if output_file is None:
        env.stdout.write(run.text)
        env.stdout.flush()
    else:
        try:
            atomic_write_text(output_file, run.text)
        except OSError as exc:
            raise UsageError(
                f"cannot write {output_file}: {exc.strerror or exc}", exit_code=ExitCode.IO_ERROR
            ) from None
        if run.format not in (*formatters.HUMAN, "statistics"):
            env.stderr.write(formatters.summary(run.report) + "\n")
    if run.failed and not exit_zero:
        raise typer.Exit(int(ExitCode.FINDINGS))


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
