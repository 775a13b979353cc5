from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from crisiscli.cli.commands._group import command_group
from crisiscli.cli.commands._walk import AllowPath

if TYPE_CHECKING:
    from crisiscli.drill.score import Scorecard
    from crisiscli.env import Environment
    from crisiscli.record.store import Incident

HELP = """Rehearse with a tabletop drill: timed injects, played live, scored afterwards.

A scenario plays the outside world, the team runs its playbook, and the drill is scored
against what should have happened (docs/drills.md).

\b
Examples:
  crisis drill list                                             # the bundled scenarios
  crisis drill run hashtag-joined                               # a live tabletop
  crisis drill run hashtag.yaml --answers team.yaml --clock simulated --junit drill.xml
  crisis drill inject "A reporter calls the switchboard" --kind press
  crisis drill score
"""

RUN_HELP = """Open a drill incident from a scenario and play its injects at their times.

Without --answers it is a live tabletop: the team walks the playbook in this terminal while
the scenario's injects arrive as journal events (shown in the status line, `crisis watch`,
handoff and notifications). With --answers it runs unattended and prints the score; with
--clock simulated a ninety-minute drill takes seconds, and the exit code is 1 when an
expectation is missed, so a team can prove in CI that its playbook handles its scenarios.

\b
Examples:
  crisis drill run hashtag.yaml
  crisis drill run hashtag.yaml --speed 4          # four drill minutes a minute
  crisis drill run hashtag.yaml --answers team.yaml --clock simulated --junit drill.xml
"""

SCORE_HELP = """Score a drill: each expectation met or missed, with its times.

While the drill runs, an expectation not met yet whose time has not passed is open, not
missed. Below them: the playbook's deadlines, message checks, approval turnaround and the
people still owed a reply, in drill time. The exit code is 1 when an expectation is missed.

\b
Examples:
  crisis drill score
  crisis drill score 2026-12-07-0930-drill-hashtag --json
  crisis drill score --junit drill.xml
"""

INJECT_HELP = """Inject something by hand into the running drill (the facilitator's voice).

\b
Examples:
  crisis drill inject "The CEO forwards a screenshot: 'what is this?'" --kind executive
  crisis drill inject "Mentions are at 2,400 an hour" --kind mentions --count 2400
  crisis drill inject "Tomorrow's promo is about to go out" --kind scheduled
"""

PAUSE_HELP = """Pause the drill's clock: no inject falls due until `crisis drill resume`.

\b
Examples:
  crisis drill pause
"""

RESUME_HELP = """Resume the drill's clock after `crisis drill pause`.

\b
Examples:
  crisis drill resume
"""

END_HELP = """End the drill now: injects not played yet are left out, and the score is final.

\b
Examples:
  crisis drill end --reason "Out of time"
"""

LIST_HELP = """List the bundled scenarios: one for each kind of bundled playbook.

Run one by its name, or copy it (the path is shown) and make it yours.

\b
Examples:
  crisis drill list
  crisis drill run hashtag-joined
"""

SCHEMA_HELP = """Print the JSON Schema of scenario files, for editors and CI.

\b
Examples:
  crisis drill schema > scenario.schema.json
  # first line of a scenario, for yaml-language-server (VS Code, Neovim, …):
  # yaml-language-server: $schema=./scenario.schema.json
"""

LINT_HELP = """Check scenario files against their playbooks (the DR rules in docs/drills.md).

\b
Examples:
  crisis drill lint scenarios/*.yaml
"""

Incident_ = Annotated[
    str | None,
    typer.Option("--incident", "-i", help="Incident id (default: the latest open drill)."),
]


def run_command(
    scenario: Annotated[
        str, typer.Argument(help="A scenario file (YAML), or a bundled one by name.")
    ],
    answers: Annotated[
        Path | None,
        typer.Option("--answers", help="Play unattended: the team's answers, as a YAML file."),
    ] = None,
    clock: Annotated[
        str | None,
        typer.Option(
            "--clock",
            metavar="simulated|real",
            help="simulated (with --answers: no waiting) or real (default without --answers).",
        ),
    ] = None,
    speed: Annotated[
        float,
        typer.Option(
            "--speed",
            min=0.01,
            max=3600,
            help="Drill minutes per real minute: injects and the playbook's deadlines alike.",
        ),
    ] = 1.0,
    junit: Annotated[
        Path | None, typer.Option("--junit", metavar="FILE", help="Write the score as JUnit XML.")
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", "-t", help="The incident's title.")
    ] = None,
    severity: Annotated[
        str | None, typer.Option("--severity", "-s", help="Severity level id to start at.")
    ] = None,
    allow_path: AllowPath = None,
) -> None:
    import time

    from crisiscli.cli.commands import _walk
    from crisiscli.drill import runner
    from crisiscli.env import get_env
    from crisiscli.errors import UsageError
    from crisiscli.ui.output import echo

    env = get_env()
    _walk.refuse_allow_path_alone(answers, allow_path)
    chosen = clock or ("simulated" if answers is not None else "real")
    if chosen not in ("simulated", "real"):
        raise UsageError(f"--clock takes simulated or real, not '{chosen}'")
    if chosen == "simulated" and answers is None:
        raise UsageError("--clock simulated needs --answers FILE: nobody can play that fast")
    _walk.require_terminal(env, answers)
    began = time.monotonic()
    play, entry, findings = runner.prepare(env, scenario)
    runner.refuse_errors(findings)
    script = None
    if answers is not None:
        from crisiscli.walk.answers import check_against, load_answers

        script = load_answers(answers, allow_path or [])
        for key, value in play.inputs:  # the scenario's starting facts are inputs too
            script.inputs.setdefault(key, value)
        # before the drill opens: an input nobody gives is refused with nothing created
        check_against(script, entry.playbook, starting=True)  # type: ignore[arg-type]
    if chosen == "simulated":
        from crisiscli.drill.clock import SimulatedClock, simulated_start

        fake = SimulatedClock(simulated_start(env.clock(), play.length))
        env.clock, env.sleep = fake, fake.sleep
        speed = 1.0
    incident = runner.open_drill(
        env,
        play,
        entry,
        title=title or (script.title if script else None),
        severity=severity or (script.severity if script else None),
        speed=speed,
        clock=chosen,
    )
    pace = ""
    if speed != 1:
        from crisiscli.timeutil import format_duration

        real = format_duration(max(1.0, play.length / speed))
        pace = f" at {speed:g}x speed ({real} of real time)"
    echo(f"DRILL {incident.id}: {play.title} — {play.length // 60} minutes of drill time{pace}")
    echo(f"Log: {incident.log_path}")
    pacer = runner.Pacer(incident, play)
    if script is not None:
        pacer.on_inject = lambda text: echo(f"  inject: {text}", wrapped=True)
        _walk.run(incident, runner.PacedPrompter(script, pacer, echo=echo))
        pacer.finish()
    else:
        _live(env, incident, pacer)
    seconds = time.monotonic() - began
    _print_score(env, incident, junit, seconds=seconds, exit_on_miss=script is not None)


def _live(env: Environment, incident: Incident, pacer: object) -> None:
    """A live tabletop: the walk-through here, the injects played beside it."""
    from crisiscli.cli.commands import _walk
    from crisiscli.drill.runner import Pacer, PlayerThread
    from crisiscli.record.events import NewEvent, drill_clock
    from crisiscli.record.fold import IncidentState
    from crisiscli.ui.output import echo
    from crisiscli.ui.prompts import TerminalPrompter

    assert isinstance(pacer, Pacer)
    try:
        with PlayerThread(pacer):
            _walk.run(incident, TerminalPrompter(env))
    except SystemExit:  # Ctrl-C: the facilitator stops the table; the score so far, then out
        echo("")
        _print_score(env, incident, None)
        raise
    pacer.play()  # what fell due while the last screen was left

    def end(state: IncidentState) -> list[NewEvent]:
        run = state.drill_run
        if run is None or run.ended_at is not None or not state.finished:
            return []
        return [drill_clock("ended", cause="finished")]

    _, ended = incident.record_if(end)
    if not ended:
        echo(
            "The drill goes on: its injects are played by `crisis resume "
            f"{incident.id}` on this machine; `crisis drill end` ends it."
        )


def _print_score(
    env: Environment,
    incident: Incident,
    junit: Path | None,
    *,
    seconds: float = 0.0,
    as_json: bool = False,
    exit_on_miss: bool = False,
) -> Scorecard:
    from crisiscli.drill.score import scorecard, text_lines
    from crisiscli.errors import CrisisError, ExitCode, StateError
    from crisiscli.ui.output import echo, echo_json

    card = scorecard(incident.replay(history=False), incident.playbook(), env.clock())
    if card is None:
        raise StateError(
            f"{incident.id} is not a drill played from a scenario",
            hint="play one with: crisis drill run SCENARIO",
        )
    if as_json:
        echo_json({"incident": incident.id, **card.as_data()})
    else:
        for line in text_lines(card):
            echo(line, wrapped=True)  # at 80 columns, broken at spaces, not mid-word
    if junit is not None:
        from crisiscli.drill.score import junit as junit_xml
        from crisiscli.fsutil import atomic_write_text

        try:
            atomic_write_text(junit, junit_xml(card, seconds=seconds))
        except OSError as exc:
            raise CrisisError(
                f"cannot write {junit}: {exc.strerror or exc}", exit_code=ExitCode.IO_ERROR
            ) from None
    if exit_on_miss and not card.passed:
        raise typer.Exit(int(ExitCode.FINDINGS))
    return card


def score_command(
    incident: Annotated[
        str | None, typer.Argument(help="Incident id (default: the latest drill).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The score as JSON.")] = False,
    junit: Annotated[
        Path | None, typer.Option("--junit", metavar="FILE", help="Write the score as JUnit XML.")
    ] = None,
) -> None:
    from crisiscli.env import get_env

    env = get_env()
    found = _find_drill(env, incident, open_only=False)
    card = _print_score(env, found, junit, as_json=as_json)
    if not card.passed:
        from crisiscli.errors import ExitCode

        raise typer.Exit(int(ExitCode.FINDINGS))


def _find_drill(env: Environment, ref: str | None, *, open_only: bool) -> Incident:
    """The incident named, or the latest (open) one a drill was played on."""
    from crisiscli.drill.runner import catch_up
    from crisiscli.errors import NotFoundError
    from crisiscli.record.store import find_incident, list_incidents

    if ref is not None:
        found = find_incident(env, ref)
        catch_up(found)
        return found
    for candidate in reversed(list_incidents(env)):
        state = candidate.state()
        if state.drill_run is not None and (state.is_open or not open_only):
            catch_up(candidate)
            return candidate
    raise NotFoundError("no drill found", hint="play one with: crisis drill run SCENARIO")


def inject_command(
    text: Annotated[str, typer.Argument(help="What happens, as the players will read it.")],
    kind: Annotated[
        str, typer.Option("--kind", "-k", help="press, customer, executive, mentions, …")
    ] = "facilitator",
    sender: Annotated[str | None, typer.Option("--from", help="Who it comes from.")] = None,
    count: Annotated[
        int | None,
        typer.Option("--count", min=0, help="--kind mentions: how many (recorded as a count)."),
    ] = None,
    per: Annotated[str, typer.Option("--per", help="--count per minute, hour or day.")] = "hour",
    incident: Incident_ = None,
) -> None:
    from crisiscli.drill.scenario import INJECT_KINDS, PER_WORDS, SCHEDULED_LEAD
    from crisiscli.env import get_env
    from crisiscli.errors import UsageError
    from crisiscli.fsutil import random_token
    from crisiscli.record.events import NewEvent
    from crisiscli.ui.output import echo

    env = get_env()
    if kind not in INJECT_KINDS:
        raise UsageError(f"--kind takes one of {', '.join(INJECT_KINDS)}, not '{kind}'")
    if not text.strip():
        raise UsageError("the inject has no text")
    if count is not None and kind != "mentions":
        raise UsageError("--count goes with --kind mentions")
    if per not in PER_WORDS:
        raise UsageError(f"--per takes one of {', '.join(PER_WORDS)}, not '{per}'")
    found = _find_drill(env, incident, open_only=True)
    from crisiscli.drill.player import events_for, owed_replies
    from crisiscli.drill.runner import as_player
    from crisiscli.drill.scenario import Inject
    from crisiscli.record.fold import IncidentState

    words = " ".join(text.split())
    who = " ".join((sender or "").split()) or None
    key = f"hand-{random_token()[:10]}"

    def decide(state: IncidentState) -> list[NewEvent]:
        # by Drill, as the scenario's injects: the outside world speaks, on every screen
        # (a status line shows what others recorded); what it means is recorded as a
        # scenario's inject's would be (a customer owed a reply, a mention count, a
        # scheduled post in the queue, going out 15 drill minutes from now)
        run = state.drill_run
        now = int(run.offset(env.clock())) if run is not None else 0
        hand = Inject(
            key=key, at=now, kind=kind, text=words, sender=who, count=count,
            per=per if count is not None else None,
            goes_out=now + SCHEDULED_LEAD if kind == "scheduled" else None,
        )  # fmt: skip
        return [*owed_replies(state, [hand]), *events_for(hand, run, by_hand=True)]

    as_player(found).record_if(decide)
    echo(f"Injected into {found.id}.")


def _clock_command(kind: str, incident: str | None, reason: str | None = None) -> None:
    from crisiscli.env import get_env
    from crisiscli.errors import StateError
    from crisiscli.record.events import NewEvent, drill_clock
    from crisiscli.record.fold import IncidentState
    from crisiscli.ui.output import echo

    env = get_env()
    found = _find_drill(env, incident, open_only=True)

    def decide(state: IncidentState) -> list[NewEvent]:
        run = state.drill_run
        if run is None or run.ended_at is not None:
            return []
        if kind != "ended" and (kind == "paused") == run.paused:
            return []
        return [drill_clock(kind, reason)]

    _, recorded = found.record_if(decide)
    if not recorded:
        state = found.state().drill_run
        words = "has ended" if state and state.ended_at else f"is already {kind}"
        if kind == "ended":
            words = "has ended already"
        raise StateError(f"the drill on {found.id} {words}")
    echo(f"Drill {kind}: {found.id}")


def pause_command(incident: Incident_ = None) -> None:
    _clock_command("paused", incident)


def resume_command(incident: Incident_ = None) -> None:
    _clock_command("resumed", incident)


def end_command(
    reason: Annotated[str | None, typer.Option("--reason", help="Why it ends now.")] = None,
    incident: Incident_ = None,
) -> None:
    _clock_command("ended", incident, reason)


def lint_command(
    scenarios: Annotated[
        list[str], typer.Argument(help="Scenario files, or bundled scenarios by name.")
    ],
) -> None:
    from crisiscli.drill.runner import prepare
    from crisiscli.env import get_env
    from crisiscli.errors import CrisisError, ExitCode
    from crisiscli.ui.output import echo

    env = get_env()
    failed = False
    for path in scenarios:
        try:
            _, _, findings = prepare(env, path)
        except CrisisError as exc:  # one file that does not load: the others are still read
            echo(exc.one_line())
            failed = True
            continue
        for finding in findings:
            echo(finding.line())
            failed = failed or finding.severity == "error"
        if not findings:
            echo(f"{path}: ok")
    if failed:
        raise typer.Exit(int(ExitCode.FINDINGS))


def list_command() -> None:
    from crisiscli.drill.scenario import bundled, load_scenario
    from crisiscli.errors import CrisisError
    from crisiscli.ui.output import echo, table

    rows = []
    for path in bundled():
        try:
            found = load_scenario(path)
        except CrisisError as exc:
            rows.append([path.stem, "(does not load)", "", exc.one_line()])
            continue
        minutes = f"{found.length // 60}m"
        rows.append([found.id, found.playbook, minutes, found.title])
    table(rows, ["NAME", "PLAYBOOK", "LENGTH", "TITLE"])
    if rows:
        echo(f"In {bundled()[0].parent} — run one with: crisis drill run {rows[0][0]}")


def schema_command() -> None:
    from crisiscli.drill.schema import scenario_schema
    from crisiscli.ui.output import echo_json

    echo_json(scenario_schema())


def register(app: typer.Typer) -> None:
    sub = command_group(HELP)
    sub.command("run", help=RUN_HELP)(run_command)
    sub.command("score", help=SCORE_HELP)(score_command)
    sub.command("inject", help=INJECT_HELP)(inject_command)
    sub.command("pause", help=PAUSE_HELP)(pause_command)
    sub.command("resume", help=RESUME_HELP)(resume_command)
    sub.command("end", help=END_HELP)(end_command)
    sub.command("lint", help=LINT_HELP)(lint_command)
    sub.command("list", help=LIST_HELP)(list_command)
    sub.command("schema", help=SCHEMA_HELP)(schema_command)
    app.add_typer(sub, name="drill", help=HELP)
