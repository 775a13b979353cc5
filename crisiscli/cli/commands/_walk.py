"""Running a walk-through, shared by ``start`` and ``resume``: choosing the prompter,
and turning a pause or Ctrl-C into the exact command that continues."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from crisiscli.env import Environment
from crisiscli.errors import ExitCode, NotInteractiveError, Paused
from crisiscli.ui.output import echo, warn

if TYPE_CHECKING:
    from crisiscli.record.store import Incident
    from crisiscli.walk.answers import AnswersFile
    from crisiscli.walk.prompter import Prompter


def require_terminal(env: Environment, answers: Path | None) -> None:
    """Refuse, before anything is created, to prompt where nobody can answer."""
    if answers is None and not env.stdin_isatty:
        raise NotInteractiveError(
            "standard input is not a terminal, so crisis cannot ask questions: "
            "give the answers in a file with --answers FILE",
            hint="run it from a terminal, or see docs/answers.md for the file format",
        )


def make_prompter(env: Environment, answers: AnswersFile | None) -> Prompter:
    if answers is not None:
        from crisiscli.walk.answers import ScriptedPrompter

        return ScriptedPrompter(answers, echo=echo, warn=warn)
    from crisiscli.ui.prompts import QuestionaryPrompter

    return QuestionaryPrompter(env)


def resume_hint(incident: Incident) -> str:
    return f"crisis resume {incident.id}"


def run(incident: Incident, prompter: Prompter) -> None:
    from crisiscli.walk.engine import Walkthrough

    try:
        summary = Walkthrough(incident, prompter).run()
    except Paused:
        echo(f"Paused. Everything so far is saved in {incident.dir}")
        echo(f"Continue with: {resume_hint(incident)}")
        return
    except KeyboardInterrupt:
        # Record the interruption if we can; the events before it are already durable.
        with contextlib.suppress(Exception):
            from crisiscli.record.events import session

            incident.record(session("interrupted"))
        echo("")
        echo(f"Interrupted. Everything you confirmed is saved in {incident.dir}")
        echo(f"Continue with: {resume_hint(incident)}")
        raise SystemExit(int(ExitCode.INTERRUPTED)) from None
    if summary.status != "complete":
        echo(f"Finished except deferred steps: {', '.join(summary.deferred)}")
    echo(f"Log: {incident.log_path}")
