"""Roles: assigned at start or later, shown in the walk-through header and the log."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console

from crisiscli.playbook.load import load_playbook
from crisiscli.record.events import NewEvent
from crisiscli.record.store import find_incident
from crisiscli.ui.screens import header
from crisiscli.walk.answers import ScriptedPrompter
from crisiscli.walk.engine import Walkthrough
from tests.conftest import make_env
from tests.helpers import answers_from, events_of, open_incident

SHIFT = Path(__file__).parent / "fixtures" / "shift.yaml"


def _answers(tmp_path: Path, text: str = "title: Night shift\nsteps:\n  watch: pause\n") -> str:
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_start_assigns_roles_and_the_log_shows_them(cli, crisis_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "start", str(SHIFT), "--answers", _answers(tmp_path),
        "--role", "commander=Ana Ruiz", "--role", "approver=Dana",
    )  # fmt: skip
    assert result.exit_code == 0, result
    incident = find_incident(make_env(crisis_home), None)
    assigned = [
        (e.data["role"], e.data["person"]) for e in events_of(incident) if e.type == "role.assigned"
    ]
    assert assigned == [("commander", "Ana Ruiz"), ("approver", "Dana")]
    log = incident.log_path.read_text(encoding="utf-8")
    # The playbook names commander and legal: both shown, legal still open; approver too.
    assert "| Roles | commander: Ana Ruiz · legal: open · approver: Dana |" in log
    assert "Role commander: Ana Ruiz" in log


def test_role_set_and_list(cli, crisis_home: Path) -> None:  # type: ignore[no-untyped-def]
    open_incident(make_env(crisis_home))
    assert cli("role", "set", "monitor", "Sam").exit_code == 0
    assert cli("role", "set", "Approver", "Dana").exit_code == 0  # case-insensitive role id
    assert cli("role", "set", "monitor", "Kim").exit_code == 0  # handed on
    listed = json.loads(cli("role", "list", "--json").stdout)["roles"]
    assert listed == {"commander": None, "comms-lead": None, "approver": "Dana", "monitor": "Kim"}
    assert cli("role", "set", "monitor", "").stdout.startswith("monitor is open")
    table = cli("role", "list").stdout
    assert "monitor     (open)" in table and "approver    Dana" in table
    log = cli("log").stdout
    assert (
        "Role monitor: Sam" in log
        and "Role monitor: Kim" in log
        and "Role monitor left open" in log
    )


def test_bad_roles_are_usage_errors(cli, crisis_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    open_incident(make_env(crisis_home))
    result = cli("role", "set", "legal", "Jo")  # not a role of the mini playbook
    assert result.exit_code == 2
    assert "unknown role 'legal' (roles: commander, comms-lead, approver, monitor)" in result.stderr
    bad = cli("start", str(SHIFT), "--answers", _answers(tmp_path), "--role", "commander")
    assert bad.exit_code == 2 and "ROLE=NAME" in bad.stderr
    assert (
        cli("start", str(SHIFT), "--answers", _answers(tmp_path), "--role", "legal=Jo").exit_code
        == 0
    )
    assert cli("role", "set", "legal", "Jo\x1b[31m").exit_code == 2  # no terminal escapes


def test_roles_in_the_walkthrough_header(crisis_home: Path, tmp_path: Path) -> None:
    env = make_env(crisis_home)
    incident = open_incident(env, drill=True)
    incident.record(
        NewEvent("role.assigned", {"role": "commander", "person": "Ana [bold]Ruiz[/bold]"})
    )
    incident.record(NewEvent("role.assigned", {"role": "approver", "person": "Dana"}))
    walk = Walkthrough(incident, ScriptedPrompter(answers_from(tmp_path, {})))
    view = walk.view(incident.playbook().step("look"))
    assert view.roles == (("commander", "Ana [bold]Ruiz[/bold]"), ("approver", "Dana"))
    console = Console(width=100, record=True, force_terminal=False)
    console.print(header(view))
    text = console.export_text()
    assert "commander Ana [bold]Ruiz[/bold] · approver Dana" in text  # markup shown literally
    assert "DRILL" in text


def test_playbook_roles_load_and_survive_the_snapshot(crisis_home: Path) -> None:
    book = load_playbook(SHIFT)
    assert book.roles == ("commander", "legal")
    from crisiscli.record.store import create_incident

    incident = create_incident(make_env(crisis_home), book, title="T", severity="low")
    fresh = find_incident(make_env(crisis_home), incident.id)
    assert fresh.playbook().roles == ("commander", "legal")


def test_bad_playbook_roles_are_reported(tmp_path: Path) -> None:
    from crisiscli.playbook.load import build_text

    text = SHIFT.read_text(encoding="utf-8").replace(
        "roles: [commander, legal]", "roles: [commander, Legal Team, commander]"
    )
    problems = build_text(text, "shift.yaml").problems
    messages = [p.message for p in problems]
    assert any("role id 'Legal Team'" in m for m in messages), messages
    assert any("role 'commander' is listed twice" in m for m in messages), messages
