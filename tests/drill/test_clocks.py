"""A drill scores the same on a simulated clock as on a real one, for the same answers.

The "real" clock here is a clock that moves by itself: every look at it costs a little
time (as work does), and ``sleep`` waits a little longer than asked (as a loaded machine
does), at a drill speed of 1 or 60. The simulated one stands still until the drill moves it.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from crisiscli.drill import runner
from crisiscli.drill.clock import SimulatedClock, simulated_start
from crisiscli.drill.score import scorecard
from crisiscli.walk.answers import load_answers
from crisiscli.walk.engine import Walkthrough
from tests.conftest import make_env

START = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)


class RunningClock:
    """Moves on its own: ``cost`` seconds per look, ``sleep`` oversleeps by ``late``."""

    def __init__(self, start: datetime, cost: float, late: float) -> None:
        self.now, self.cost, self.late = start, cost, late

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=self.cost)
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=max(0.0, seconds) + self.late)


def scenario_text(targets: dict[str, int]) -> str:
    return f"""\
title: Clock check
playbook: mini.yaml
length: 90m
start: {{inputs: {{brand: Acme, source: customer}}}}
injects:
  - {{at: +7m, kind: press, text: "A reporter calls"}}
  - {{at: +33m, kind: mentions, count: 500, text: "Mentions climb"}}
expectations:
  - {{expect: step-done, step: look, by: +{targets["look"]}s}}
  - {{expect: message, step: statement, by: +{targets["statement"]}s}}
  - {{expect: approved, step: statement, approver: Dana, within: {targets["within"]}s}}
  - {{expect: step-done, step: reply, by: +{targets["reply"]}s}}
"""


def play(
    home: Path,
    folder: Path,
    times: dict[str, int],
    targets: dict[str, int],
    clock: Any,
    speed: float,
) -> list[object]:
    env = make_env(home)
    env.clock, env.sleep = clock, clock.sleep
    s = folder / "scenario.yaml"
    s.write_text(scenario_text(targets), encoding="utf-8")
    a = folder / "answers.yaml"
    steps = {
        "look": {"at": f"+{times['look']}s", "answers": {"reach": "wide", "threat": "no"}},
        "statement": {
            "at": f"+{times['statement']}s",
            "message": "We are sorry, Acme.",
            "approver": "Dana",
        },
        "reply": {"at": f"+{times['reply']}s"},
    }
    a.write_text(yaml.safe_dump({"steps": steps}), encoding="utf-8")
    scenario, entry, findings = runner.prepare(env, s)
    assert not [f for f in findings if f.severity == "error"]
    incident = runner.open_drill(
        env, scenario, entry, title=None, severity=None, speed=speed, clock="real"
    )
    pacer = runner.Pacer(incident, scenario)
    Walkthrough(incident, runner.PacedPrompter(load_answers(a), pacer)).run()
    card = scorecard(incident.replay(history=False), incident.playbook())
    assert card is not None and card.ended
    # the expectations, and beside them the playbook's deadlines (drill time at any speed),
    # the checks, the approval turnaround and who waits
    return [(v.id, v.met, v.at) for v in card.verdicts] + list(card.record)


minutes = st.integers(min_value=0, max_value=80 * 60)


@settings(max_examples=25)
@given(
    look=minutes, statement=minutes, reply=minutes,
    t_look=minutes, t_statement=minutes, t_reply=minutes, within=st.integers(0, 600),
    speed=st.sampled_from([1.0, 60.0]),
)  # fmt: skip
def test_simulated_and_real_clocks_give_the_same_score(
    tmp_path_factory: Any, look: int, statement: int, reply: int, t_look: int, t_statement: int,
    t_reply: int, within: int, speed: float,
) -> None:  # fmt: skip
    folder = tmp_path_factory.mktemp("drill")
    (folder / "mini.yaml").write_text(
        (Path(__file__).parents[1] / "fixtures" / "mini.yaml").read_text()
    )
    times = {"look": look, "statement": statement, "reply": reply}
    targets = {"look": t_look, "statement": t_statement, "reply": t_reply, "within": within}
    sim = SimulatedClock(simulated_start(START, 90 * 60))
    simulated = play(folder / "sim-home", folder, times, targets, sim, 1.0)
    real = RunningClock(START, cost=0.0001 / speed, late=0.002 / speed)
    assert play(folder / "real-home", folder, times, targets, real, speed) == simulated
