"""In a drill played from a scenario, the playbook's deadlines are drill time: ``--speed``
compresses them as it does the injects, and a pause of the drill's clock holds them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from crisiscli.drill import runner
from crisiscli.drill.clock import SimulatedClock
from crisiscli.record.events import drill_clock
from crisiscli.walk.deadlines import deadline_statuses
from tests.conftest import make_env

START = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)
SCENARIO = """\
title: Deadlines
playbook: mini.yaml
length: 60m
start: {inputs: {brand: Acme, source: customer}}
expectations:
  - {expect: step-done, step: look, by: +15m}
"""


def opened(tmp_path: Path, speed: float) -> tuple[runner.Incident, SimulatedClock]:
    (tmp_path / "mini.yaml").write_text(
        (Path(__file__).parents[1] / "fixtures" / "mini.yaml").read_text()
    )
    (tmp_path / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    env = make_env(tmp_path / "home")
    clock = SimulatedClock(START)
    env.clock, env.sleep = clock, clock.sleep
    scenario, entry, _ = runner.prepare(env, tmp_path / "s.yaml")
    incident = runner.open_drill(
        env, scenario, entry, title=None, severity=None, speed=speed, clock="real"
    )
    return incident, clock


def due(incident: runner.Incident, now: datetime) -> dict[str, float]:
    state = incident.state()
    book = incident.playbook()
    return {
        d.step: round((d.due_at - START).total_seconds(), 3)
        for d in deadline_statuses(book, state, now)
        if d.kind == "step"
    }


def test_speed_compresses_the_playbooks_deadlines(tmp_path: Path) -> None:
    incident, clock = opened(tmp_path, speed=60.0)
    # mini: look due 15m, statement 30m, reply 1h — at 60x, 15, 30 and 60 seconds
    assert due(incident, clock()) == {"look": 15.0, "statement": 30.0, "reply": 60.0}
    late = deadline_statuses(incident.playbook(), incident.state(), START + timedelta(seconds=20))
    assert [d.state for d in late if d.step == "look"] == ["overdue"]


def test_a_pause_holds_the_deadlines_and_speed_one_keeps_them(tmp_path: Path) -> None:
    incident, clock = opened(tmp_path, speed=1.0)
    assert due(incident, clock())["look"] == 15 * 60
    clock.sleep(600)  # +10m: the facilitator stops the clock for a discussion
    incident.record(drill_clock("paused"))
    clock.sleep(300)  # five minutes of discussion: the deadline moves with the clock held
    assert due(incident, clock())["look"] == 20 * 60
    incident.record(drill_clock("resumed"))
    clock.sleep(3600)
    assert due(incident, clock())["look"] == 20 * 60  # held by exactly the pause
