"""Drills: marked on every screen, in the log, status, list and handoff; timed per step."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console

from crisiscli.ui.screens import show_step, show_summary
from crisiscli.walk.answers import ScriptedPrompter
from crisiscli.walk.engine import Walkthrough
from crisiscli.walk.prompter import StepView
from tests.conftest import FrozenClock, make_env
from tests.helpers import answers_from, events_of, open_incident

SHIFT = Path(__file__).parent / "fixtures" / "shift.yaml"


class TimedPrompter(ScriptedPrompter):
    """A scripted responder who spends 90 seconds on every screen, drawing each one."""

    def __init__(self, clock: FrozenClock, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.clock = clock
        self.screens: list[str] = []

    def show_step(self, view: StepView) -> None:
        super().show_step(view)
        console = Console(width=100, record=True, force_terminal=False)
        show_step(console, view, clear=False)
        self.screens.append(console.export_text())
        self.clock.advance(90)


def test_a_drill_is_marked_everywhere_and_timed(cli, crisis_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    clock = FrozenClock()
    env = make_env(crisis_home, clock=clock)
    incident = open_incident(env, drill=True)
    prompter = TimedPrompter(
        clock,
        answers_from(tmp_path, {"inputs": {"brand": "A", "source": "ours"},
                                "steps": {"look": {"answers": {"reach": "isolated", "threat": False}}}}),
    )  # fmt: skip
    summary = Walkthrough(incident, prompter).run()
    assert prompter.screens and all("DRILL" in screen for screen in prompter.screens)
    assert summary.drill
    times = {title: round(seconds) for title, seconds in summary.step_times}
    assert times == {
        "Look first": 180,
        "Reply to each person": 90,
        "Lessons": 90,
    }  # 2 screens, 1, 1
    console = Console(width=100, record=True, force_terminal=False)
    show_summary(console, summary)
    end = console.export_text()
    assert "DRILL" in end and "Drill timing" in end and "1m 30s" in end
    log = incident.log_path.read_text(encoding="utf-8")
    assert log.startswith("# Test incident (DRILL)")
    assert (
        "Incident opened: Test incident (severity moderate, playbook Mini playbook) — drill" in log
    )
    assert events_of(incident)[0].data["drill"] is True  # what reports use to leave drills out
    assert "[DRILL]" in cli("status", incident.id).stdout
    assert "(drill)" in cli("list").stdout
    assert json.loads(cli("status", incident.id, "--json").stdout)["drill"] is True
    assert "[DRILL" in cli("handoff", incident.id).stdout


def test_start_says_drill(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answers = tmp_path / "a.yaml"
    answers.write_text("close: true\n", encoding="utf-8")
    result = cli("start", str(SHIFT), "--answers", str(answers), "--drill")
    assert result.exit_code == 0, result
    assert result.stdout.startswith("DRILL (a rehearsal): Incident ")
    real = cli("start", str(SHIFT), "--answers", str(answers))
    assert real.stdout.startswith("Incident ")
