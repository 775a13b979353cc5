from __future__ import annotations

from typing import Annotated

import typer

HELP = """Prepare CRISIS_HOME; with --git, share it with a team through git.

--git makes CRISIS_HOME a git repository of its own if it is not one, and writes
.gitattributes (controlled by crisis: nothing may convert journal bytes) and .gitignore
(logs, drafts, locks, caches and your personal config.toml are never shared). Safe to run
again: existing lines are kept, missing ones added. To join a team, run it with --remote
in an empty folder, then crisis sync. See docs/team.md.

\b
Examples:
  crisis init
  crisis init --git
  crisis init --git --remote git@example.org:comms/incidents.git
"""


def command(
    git: Annotated[bool, typer.Option("--git", help="Make the folder a git work tree.")] = False,
    remote: Annotated[
        str | None,
        typer.Option("--remote", help="With --git: the team repository to sync with (origin)."),
    ] = None,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.errors import UsageError
    from crisiscli.record.sync import init_home
    from crisiscli.ui.output import echo, warn

    env = get_env()
    if remote is not None and not git:
        raise UsageError("--remote needs --git")
    report = init_home(env, git=git, remote=remote)
    for warning in report.warnings:
        warn(warning)
    echo(f"Data folder: {report.home}")
    if not git:
        echo("Ready. Share it with a team: crisis init --git")
        return
    echo("Created a git repository." if report.created_repo else "Already a git work tree.")
    for name in report.wrote:
        echo(f"Wrote {name}.")
    if report.remote:
        echo(f"Remote origin: {report.remote}")
    if report.committed:
        echo("Committed.")
    echo("Share events with: crisis sync")


def register(app: typer.Typer) -> None:
    app.command("init", help=HELP)(command)
