from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from crisiscli.cli.commands._walk import AllowPath

if TYPE_CHECKING:
    from crisiscli.playbook.catalog import PlaybookEntry
    from crisiscli.playbook.model import Playbook
    from crisiscli.ui.prompts import TerminalPrompter

HELP = """Open a new incident and walk through a playbook, step by step.

Every answer, tick, skip and note is saved the moment you confirm it. If the session
is interrupted, `crisis resume` continues exactly where you were.

\b
Examples:
  crisis start                          # pick a playbook (default: general)
  crisis start general --title "Wrong image on the brand account" --severity high
  crisis start ./our-playbook.yaml
  crisis start general --answers drill.yaml   # no prompts: scripts, drills, tests
  crisis start general --drill --role commander=Ana --role approver=Dana
"""


def command(
    playbook: Annotated[
        str | None,
        typer.Argument(help="Playbook id (see `crisis playbooks`) or a path to a YAML file."),
    ] = None,
    title: Annotated[
        str | None,
        typer.Option(
            "--title", "-t", help="One line saying what happened (line breaks become spaces)."
        ),
    ] = None,
    severity: Annotated[
        str | None, typer.Option("--severity", "-s", help="Severity level id from the playbook.")
    ] = None,
    answers: Annotated[
        Path | None,
        typer.Option("--answers", help="YAML file with the answers: run with no prompts."),
    ] = None,
    drill: Annotated[
        bool, typer.Option("--drill", help="A rehearsal: marked everywhere, left out of stats.")
    ] = False,
    role: Annotated[
        list[str] | None,
        typer.Option(
            "--role",
            "-r",
            metavar="ROLE=NAME",
            help="Who holds a role, e.g. --role approver=Dana (repeat for more).",
        ),
    ] = None,
    allow_path: AllowPath = None,
) -> None:
    from crisiscli.cli.commands import _walk
    from crisiscli.env import get_env
    from crisiscli.i18n import Catalogue
    from crisiscli.playbook.catalog import (
        DEFAULT_PLAYBOOK,
        check_severity,
        discover,
        resolve,
        with_configured_scale,
    )
    from crisiscli.record.store import create_incident
    from crisiscli.team.roles import parse_assignment
    from crisiscli.ui.output import echo

    env = get_env()
    _walk.refuse_allow_path_alone(answers, allow_path)
    _walk.require_terminal(env, answers)
    script = None
    if answers is not None:
        from crisiscli.walk.answers import check_against, load_answers

        script = load_answers(answers, allow_path or [])
    asker = None
    if script is None:
        from crisiscli.ui.prompts import TerminalPrompter

        asker = TerminalPrompter(env)
    ref = playbook or (script.playbook if script else None)
    if ref is None and asker is not None:
        ref = _pick_playbook(asker, discover(env))
    entry = resolve(env, ref or DEFAULT_PLAYBOOK)
    assert entry.playbook is not None
    book = with_configured_scale(env, entry.playbook)
    if asker is not None:
        asker.set_language(book.language)
    if script is not None:
        check_against(script, book, starting=True)
    roles = dict(parse_assignment(text, book) for text in role or [])
    chosen_severity = severity or (script.severity if script else None)
    if chosen_severity is not None:
        check_severity(book, chosen_severity)
    chosen_title = title or (script.title if script else None)
    if asker is not None:  # before the walk-through there is no step menu for Esc to go back to
        chosen_title, chosen_severity = _ask_missing(
            asker, book, chosen_title, chosen_severity, roles
        )
    chosen_title = " ".join((chosen_title or book.title).split()) or book.title  # one line
    incident = create_incident(
        env,
        book,
        title=(chosen_title or book.title).strip() or book.title,
        severity=chosen_severity or book.default_severity,
        drill=drill or bool(script and script.drill),
        source_text=entry.source_text(),
        roles=roles,
    )
    words = Catalogue(book.language)
    marker = words.t("run.drill_marker") if incident.state().drill else ""
    # at 80 columns the line is broken at spaces, never in the middle of a word (issue 22.7)
    echo(marker + words.t("run.opened", incident=incident.id, playbook=book.title), wrapped=True)
    echo(words.t("run.log", path=incident.log_path))
    _walk.run(incident, asker if asker is not None else _walk.make_prompter(env, script))


def _ask_missing(
    asker: TerminalPrompter,
    book: Playbook,
    title: str | None,
    severity: str | None,
    roles: dict[str, str],
) -> tuple[str | None, str | None]:
    """Ask what the command line left out: the title, the severity, the playbook's roles."""
    if not title:
        # a routine check before publishing is not an incident
        routine = book.kind == "prevention" or book.purpose == "check"
        key = "start.title_prevention" if routine else "start.title"
        title = asker.ask_text(asker.t(key), required=True, on_escape="stay")
    if severity is None:
        severity = _pick_severity(asker, book)
    for role_id in book.roles:  # asked only when the playbook names its roles
        if role_id not in roles:
            asked = asker.t("start.role", role=role_id)
            roles[role_id] = asker.ask_text(asked, on_escape="stay").strip()
    return title, severity


def _pick_playbook(asker: TerminalPrompter, entries: list[PlaybookEntry]) -> str:
    usable = [e for e in entries if e.playbook is not None]
    if not usable:
        return "general"
    options = [(e.id, _picker_label(e.title, e.id, e.origin)) for e in usable]
    return asker.choose("Which playbook?", options, default=usable[0].id)


def _pick_severity(asker: TerminalPrompter, book: Playbook) -> str:
    options = [
        (
            lv.id,
            f"{asker.words.level(lv.id)} — {_first_sentence(lv.description)}"
            if lv.description
            else asker.words.level(lv.id),
        )
        for lv in book.severities
    ]
    return asker.choose(asker.t("start.severity"), options, default=book.default_severity)


def _first_sentence(text: str) -> str:
    """Whole: the menu wraps a long description instead of cutting it."""
    return " ".join(text.split()).split(". ")[0].rstrip(".")


def register(app: typer.Typer) -> None:
    app.command("start", help=HELP)(command)


def _picker_label(title: str, playbook_id: str, origin: str) -> str:
    """ "Social-media incident (general)  (bundled)": the id once, never twice."""
    if title.rstrip().endswith(f"({playbook_id})"):
        return f"{title}  ({origin})"
    return f"{title}  ({playbook_id}, {origin})"
