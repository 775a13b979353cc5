from __future__ import annotations

from typing import Annotated

import typer

HELP = """Close an incident (or reopen it), checking the playbook's exit criteria first.

At a terminal, each exit criterion of the playbook is shown and you say whether it is
true now (and, if not, what is still open); each answer is recorded. If some are not
met, you are asked whether to close anyway. Without a terminal, say which are met with
--met (all, none, or their numbers as shown by crisis show PLAYBOOK); without --met the
incident is closed and the criteria are listed as not checked.

A step still open (deferred, started and never finished, or the one a paused walk-through
stopped at) is named first; at a terminal you are asked before the incident closes over it
(--yes: close without asking).

\b
Examples:
  crisis close --summary "Apology published; complaint resolved by phone"
  crisis close wrong-image --met all
  crisis close wrong-image --met 1,2,4
  crisis close wrong-image --reopen
  crisis close wrong-image --yes     # even with deferred steps still open, no question
"""


def command(
    incident: Annotated[
        str | None, typer.Argument(help="Incident id (default: the latest open one).")
    ] = None,
    summary: Annotated[
        str | None, typer.Option("--summary", help="What happened and how it ended.")
    ] = None,
    met: Annotated[
        str | None,
        typer.Option(
            "--met",
            metavar="all|none|N,N",
            help="Exit criteria that are met (the others are recorded as not met).",
        ),
    ] = None,
    reopen: Annotated[bool, typer.Option("--reopen", help="Reopen a closed incident.")] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Close even with steps still open, without asking.")
    ] = False,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.record.store import find_incident
    from crisiscli.ui.output import echo, warn
    from crisiscli.walk.closing import (
        ExitChecker,
        Given,
        NotChecked,
        check_and_close,
        criteria_words,
        parse_met,
        steps_still_open,
    )
    from crisiscli.walk.closing import reopen as reopen_incident

    env = get_env()
    found = find_incident(env, incident, open_only=incident is None and not reopen)
    if reopen:
        reopen_incident(found)
        echo(f"Reopened {found.id}.")
        return
    still_open = steps_still_open(found)
    book = found.playbook()
    criteria = book.exit_criteria
    asking = env.stdin_isatty and ((still_open and not yes) or (criteria and met is None))
    prompter = None
    if asking:
        from crisiscli.ui.prompts import TerminalPrompter

        prompter = TerminalPrompter(env, book.language)
    if still_open:
        from crisiscli.ui.output import echo_err, fit

        # broken at spaces to the terminal's width (a pipe keeps the line whole)
        echo_err(fit(f"warning: {len(still_open)} step(s) still open: " + "; ".join(still_open)))
        if (
            prompter is not None
            and not yes
            and not prompter.confirm("Close it anyway?", on_escape="stay")
        ):
            echo(f"Not closed. Continue with: crisis resume {found.id}")
            return
    checker: ExitChecker
    if met is not None:
        checker = Given(parse_met(met, len(criteria)))
    elif prompter is not None and criteria:
        checker = prompter
    else:
        checker = NotChecked()
    closed, checks = check_and_close(found, criteria, checker, summary)
    if criteria and not checks:
        warn(
            f"{criteria_words(len(criteria))} not checked (no terminal); "
            f"next time, say which are met: crisis close {found.id} --met all"
        )
    for check in checks:
        echo(f"  [{'x' if check.met else ' '}] {check.index}. {check.text}")
    if not closed:
        echo(f"Not closed: {found.id} stays open. The answers above are recorded.")
        return
    unmet = [c for c in checks if not c.met]
    if unmet:
        echo(f"Closed {found.id} with {criteria_words(len(unmet))} not met.")
    else:
        echo(f"Closed {found.id}.")
    echo(f"Log: {found.log_path}")


def register(app: typer.Typer) -> None:
    app.command("close", help=HELP)(command)
