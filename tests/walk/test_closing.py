"""Closing checks the playbook's exit criteria: each shown and answered, each answer an
``exit.checked`` event; interactive, with ``--met``, from an answers file, or (with
nobody to ask) listed as not checked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.input.base import PipeInput
from prompt_toolkit.output import DummyOutput

from crisiscli.playbook.catalog import bundled_dir
from crisiscli.playbook.load import load_playbook
from crisiscli.record.store import Incident, create_incident, list_incidents
from crisiscli.ui.prompts import QuestionaryPrompter
from crisiscli.walk.closing import check_and_close
from tests.conftest import FrozenClock, make_env
from tests.helpers import answers_from, events_of, per_prompt

GENERAL = load_playbook(bundled_dir() / "general.yaml")
CRITERIA = GENERAL.exit_criteria


def open_general(crisis_home: Path) -> Incident:
    env = make_env(crisis_home, clock=FrozenClock())
    return create_incident(env, GENERAL, title="Wrong image", severity="moderate")


def checked(incident: Incident) -> list[tuple[int, bool, str | None]]:
    return [
        (e.data["criterion"], e.data["met"], e.data.get("note"))
        for e in events_of(incident)
        if e.type == "exit.checked"
    ]


def test_close_with_met_records_every_criterion(cli, crisis_home: Path) -> None:  # type: ignore[no-untyped-def]
    incident = open_general(crisis_home)
    result = cli("close", incident.id, "--met", "1,3", clock=incident.env.clock)
    assert result.exit_code == 0, result.stderr
    assert checked(incident) == [(1, True, None), (2, False, None), (3, True, None),
                                 (4, False, None), (5, False, None)]  # fmt: skip
    state = incident.state()
    assert state.closed
    assert [c.met for c in state.exit_checks.values()] == [True, False, True, False, False]
    assert state.exit_checks[2].text == CRITERIA[1]
    assert f"  [ ] 2. {CRITERIA[1]}" in result.stdout
    assert "with 3 exit criteria not met" in result.stdout
    log = incident.log_path.read_text(encoding="utf-8")
    assert "Exit criterion 1 met:" in log and "Exit criterion 2 not met:" in log


def test_close_with_all_met(cli, crisis_home: Path) -> None:  # type: ignore[no-untyped-def]
    incident = open_general(crisis_home)
    result = cli("close", incident.id, "--met", "all", clock=incident.env.clock)
    assert result.exit_code == 0
    assert [met for _, met, _ in checked(incident)] == [True] * len(CRITERIA)
    assert f"Closed {incident.id}." in result.stdout


def test_close_without_a_terminal_says_the_criteria_were_not_checked(
    cli, crisis_home: Path
) -> None:  # type: ignore[no-untyped-def]
    incident = open_general(crisis_home)
    result = cli("close", incident.id, clock=incident.env.clock)
    assert result.exit_code == 0
    assert incident.state().closed and checked(incident) == []
    assert "5 exit criteria not checked" in result.stderr
    assert f"crisis close {incident.id} --met all" in result.stderr


def test_a_wrong_criterion_number_is_a_usage_error(cli, crisis_home: Path) -> None:  # type: ignore[no-untyped-def]
    incident = open_general(crisis_home)
    result = cli("close", incident.id, "--met", "2,9", clock=incident.env.clock)
    assert result.exit_code == 2
    assert "from 1 to 5" in result.stderr
    assert not incident.state().closed and checked(incident) == []


@pytest.fixture
def pipe() -> Iterator[PipeInput]:
    with create_pipe_input() as inp:
        yield inp


def test_interactive_close_asks_each_and_can_stay_open(
    crisis_home: Path, pipe: PipeInput, monkeypatch: pytest.MonkeyPatch
) -> None:
    incident = open_general(crisis_home)
    env = make_env(crisis_home)
    asker = QuestionaryPrompter(env, input=pipe, output=DummyOutput())
    # yes, no (+ what is still open), yes, yes, yes; then "close anyway?" no. Each yes/no
    # waits for Enter, and each prompt gets its own keys (type-ahead is dropped).
    keys = ["y\r", "n\r", "Two people still waiting for a call\r", "y\r", "y\r", "y\r", "n\r"]
    left = per_prompt(monkeypatch, pipe, keys + ["y\r"] * 5)
    closed, _ = check_and_close(incident, CRITERIA, asker)
    assert not closed and not incident.state().closed
    assert checked(incident) == [(1, True, None), (2, False, "Two people still waiting for a call"),
                                 (3, True, None), (4, True, None), (5, True, None)]  # fmt: skip
    # Later, all met: closed, and the latest answer for each criterion is the one that counts.
    closed, _ = check_and_close(incident, CRITERIA, asker)
    assert not left
    assert closed and incident.state().closed
    assert all(c.met for c in incident.state().exit_checks.values())


def test_the_walk_through_checks_them_before_it_closes(
    crisis_home: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    answers = tmp_path / "a.yaml"
    answers.write_text(
        (Path(__file__).resolve().parents[1] / "fixtures" / "answers" / "general.yaml").read_text(
            encoding="utf-8"
        )
        + "exit_criteria: [yes, yes, {met: no, note: Ads still paused on purpose}, yes, yes]\n",
        encoding="utf-8",
    )
    result = cli("start", "general", "--answers", str(answers))
    assert result.exit_code == 0, result.stderr
    (incident,) = list_incidents(make_env(crisis_home))
    assert checked(incident)[2] == (3, False, "Ads still paused on purpose")
    types = [e.type for e in events_of(incident)]
    assert types.index("exit.checked") < types.index("incident.closed")


def test_an_answers_file_with_the_wrong_number_of_criteria_is_refused(
    cli, crisis_home: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    script = answers_from(tmp_path, {"close": True, "exit_criteria": ["yes", "no"]})
    result = cli("start", "general", "--answers", script.path)
    assert result.exit_code == 3
    assert "exit_criteria has 2 entries; the playbook has 5" in result.stderr
    assert list_incidents(make_env(crisis_home)) == []  # refused before anything was created


def test_the_report_timeline_says_which_criteria_were_met(cli, crisis_home: Path) -> None:  # type: ignore[no-untyped-def]
    incident = open_general(crisis_home)
    assert cli("close", incident.id, "--met", "2", clock=incident.env.clock).exit_code == 0
    report = cli("report", incident.id, "--format", "md")
    assert report.exit_code == 0, report.stderr
    assert "Exit criterion 1 not met:" in report.stdout
    assert "Exit criterion 2 met:" in report.stdout
