"""Running a walk-through, shared by ``start`` and ``resume``: choosing the prompter,
and turning a pause or Ctrl-C into the exact command that continues."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

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


def _notifier(incident: Incident, prompter: Prompter) -> Any:
    """Beside an interactive walk-through: a bell when a deadline comes close or passes (or
    someone else re-grades, hands over, closes…), and delivery to the configured channels,
    in a background thread that never holds up a prompt."""
    from crisiscli.ui.prompts import QuestionaryPrompter

    if not isinstance(prompter, QuestionaryPrompter):
        return None  # a scripted run: its notifications go out when the command ends
    from crisiscli.walk.notifier import Notifier, settings_of

    env = incident.env
    settings = settings_of(env)
    if not env.stdout_isatty and not settings.channels:
        return None
    ring = None
    if env.stdout_isatty:
        fd = env.stdout.fileno()

        def ring() -> None:
            os.write(fd, b"\a")  # one byte: it cannot split what the prompt is drawing

    return Notifier(incident, settings, bell=ring, derived=True, skip_own=True).start()


def run(incident: Incident, prompter: Prompter) -> None:
    from crisiscli.walk.engine import Walkthrough

    notifier = _notifier(incident, prompter)
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
    finally:
        if notifier is not None:
            notifier.stop()
    if summary.status != "complete":
        echo(f"Finished except deferred steps: {', '.join(summary.deferred)}")
    echo(f"Log: {incident.log_path}")
