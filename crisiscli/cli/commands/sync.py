from __future__ import annotations

from typing import Annotated

import typer

HELP = """Share incidents through git: commit, pull, rebuild logs, push.

In detail: commit, pull --rebase, rebuild every log.md, push.

Uses your own git in CRISIS_HOME (see `crisis init --git`). Journals merge as a union of
their lines, so two people adding events to one incident at the same time both keep
theirs; every log.md is then rebuilt from the merged journal. Safe while a walk-through
runs in another terminal: its writes wait for the sync. Exit code 5 when git is missing,
there is no remote, or git refuses. See docs/team.md.

\b
Examples:
  crisis sync
  crisis sync --no-push      # take the team's events in, publish nothing yet
"""


def command(
    push: Annotated[
        bool, typer.Option("--push/--no-push", help="Push after pulling (default: push).")
    ] = True,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.record.sync import sync
    from crisiscli.ui.output import echo, warn

    env = get_env()
    report = sync(env, push=push)
    for warning in report.warnings:
        warn(warning)
    parts = ["Committed local events." if report.committed else "Nothing new to commit."]
    where = f"{report.remote}/{report.branch}"
    if report.pulled_commits:
        parts.append(f"Took in {report.pulled_commits} commit(s) from {where}.")
    parts.append(f"Rebuilt {report.rebuilt} log(s).")
    if report.pushed:
        parts.append(f"Pushed to {where}.")
    echo(" ".join(parts))


def register(app: typer.Typer) -> None:
    app.command("sync", help=HELP)(command)
