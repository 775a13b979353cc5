"""Running a walk-through, shared by ``start`` and ``resume``: choosing the prompter,
and turning a pause or Ctrl-C into the exact command that continues."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from crisiscli.env import Environment
from crisiscli.errors import ExitCode, NotInteractiveError, Paused
from crisiscli.i18n import Catalogue
from crisiscli.ui.output import echo, warn

if TYPE_CHECKING:
    from crisiscli.record.store import Incident
    from crisiscli.walk.answers import AnswersFile
    from crisiscli.walk.engine import Walkthrough
    from crisiscli.walk.lease import Lease, WalkerInfo
    from crisiscli.walk.prompter import Prompter


#: ``--allow-path DIR``, beside ``--answers`` on the commands that walk (start, resume).
AllowPath = Annotated[
    list[Path] | None,
    typer.Option(
        "--allow-path",
        metavar="DIR",
        help="With --answers: a folder evidence files may also come from (repeatable); "
        "by default only the answers file's own folder.",
    ),
]


def refuse_allow_path_alone(answers: Path | None, allow_path: list[Path] | None) -> None:
    """``--allow-path`` widens where an answers file's evidence may come from: alone it
    means nothing, and is refused rather than ignored."""
    if allow_path and answers is None:
        from crisiscli.errors import UsageError

        raise UsageError("--allow-path only applies with --answers FILE")


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
    from crisiscli.ui.prompts import TerminalPrompter

    return TerminalPrompter(env)


def resume_hint(incident: Incident) -> str:
    from crisiscli.invocation import program

    return f"{program()} resume {incident.id}"


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


def run(
    incident: Incident,
    prompter: Prompter,
    *,
    take_over: bool = False,
    sync: str | bool | None = None,
) -> None:
    """Walk ``incident`` as its one walker (see walk/lease.py), or watch / take over / quit
    when another terminal walks it; with ``sync`` (or ``sync.auto``), the team's background
    syncer runs meanwhile."""
    from crisiscli.record.autosync import session, wanted_interval

    with session(incident.env, wanted_interval(incident.env, sync)):
        _run(incident, prompter, take_over=take_over)


def _run(incident: Incident, prompter: Prompter, *, take_over: bool) -> None:
    from crisiscli.walk.engine import Walkthrough
    from crisiscli.walk.lease import Lease

    words = Catalogue(incident.playbook().language)
    set_language = getattr(prompter, "set_language", None)
    if callable(set_language):
        set_language(incident.playbook().language)
    lease = Lease(incident)
    holder = lease.try_hold()
    if holder is not None and not take_over:
        choice = _other_walker(incident, prompter, holder, words)
        if choice == "watch":
            from crisiscli.ui.watch import watch

            watch(incident, prompter, words)
            return
        if choice != "take-over":
            echo(words.t("walker.left", incident=incident.id, who=holder.actor), wrapped=True)
            return
    notifier = None
    try:
        walk = Walkthrough(incident, prompter)
        walk.refuse_if_over()  # a closed or finished incident gets no walker event
        lease.start(taking_over=holder)
        walk.guards.append(lease.guard)
        notifier = _notifier(incident, prompter)  # only beside the one walker
        _walk(incident, walk, lease, words)
    finally:
        if notifier is not None:
            notifier.stop()
        lease.release()


def _other_walker(
    incident: Incident, prompter: Prompter, holder: WalkerInfo, words: Catalogue
) -> str:
    """Someone walks this incident now: say who, where and since when; ask what to do."""
    from crisiscli.errors import StateError

    told = words.t("walker.busy", incident=incident.id, who=holder.describe())
    choose = getattr(prompter, "choose", None)
    if not callable(choose):
        raise StateError(told, hint=f"take over with: crisis resume {incident.id} --take-over")
    echo(told)
    options = [(key, words.t(f"walker.{key}")) for key in ("watch", "take-over", "quit")]
    return str(choose(words.t("walker.what_now"), options, "watch"))


def _walk(incident: Incident, walk: Walkthrough, lease: Lease, words: Catalogue) -> None:
    try:
        summary = walk.run()
    except Paused:
        echo(words.t("run.paused", folder=incident.dir))
        echo(words.t("run.continue", command=resume_hint(incident)))
        return
    except KeyboardInterrupt:
        # Record the interruption if we can (and still walk it: after a take-over the
        # incident is someone else's); the events before it are already durable.
        with contextlib.suppress(Exception):
            from crisiscli.record.events import session

            if lease.still_walking(incident.state()):
                incident.record(session("interrupted"))
        echo("")
        echo(words.t("run.interrupted", folder=incident.dir))
        echo(words.t("run.continue", command=resume_hint(incident)))
        raise SystemExit(int(ExitCode.INTERRUPTED)) from None
    if summary.open_steps:
        titles = "; ".join(title for title, _ in summary.open_steps)
        echo(words.t("run.open_steps", titles=titles), wrapped=True)
    echo(words.t("run.log", path=incident.log_path))
