"""The bundled scenarios: one per kind of bundled playbook, clean under the DR rules, and
each one plays unattended to its end (the first path through its playbook, on a simulated
clock) and is scored."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from crisiscli.drill import runner
from crisiscli.drill.clock import SimulatedClock, simulated_start
from crisiscli.drill.scenario import bundled, load_scenario
from crisiscli.drill.score import scorecard
from crisiscli.playbook.catalog import bundled_dir as bundled_playbooks
from crisiscli.walk.answers import load_answers
from crisiscli.walk.drills import drill_script
from crisiscli.walk.engine import Walkthrough
from crisiscli.walk.paths import enumerate_paths
from tests.conftest import make_env

NAMES = [p.stem for p in bundled()]


def test_one_scenario_for_each_kind_of_bundled_playbook() -> None:
    from crisiscli.playbook.load import load_playbook

    kinds = {load_playbook(p).kind for p in bundled_playbooks().glob("*.yaml")}
    covered = set()
    for path in bundled():
        scenario = load_scenario(path)
        assert scenario.id == path.stem
        covered.add(load_playbook(bundled_playbooks() / f"{scenario.playbook}.yaml").kind)
    assert kinds <= covered, f"kinds with no scenario: {kinds - covered}"


@pytest.mark.parametrize("name", NAMES)
def test_a_bundled_scenario_is_clean_and_plays_to_its_end(name: str, tmp_path: Path) -> None:
    env = make_env(tmp_path / "home")
    scenario, entry, findings = runner.prepare(env, name)
    assert findings == [], [f.line() for f in findings]
    assert scenario.facilitator, "every bundled scenario says how to play it"
    book = entry.playbook
    assert book is not None
    given = dict(scenario.inputs)  # recorded first: the path must agree with them
    path = next(
        p for p in enumerate_paths(book, budget=200).paths
        if all(given.get(k, v) == (list(v) if isinstance(v, tuple) else v) for k, v in p.inputs)
    )  # fmt: skip
    script = drill_script(book, path, close=True)
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(script, allow_unicode=True), encoding="utf-8")
    clock = SimulatedClock(
        simulated_start(datetime(2026, 11, 23, tzinfo=timezone.utc), scenario.length)
    )
    env.clock, env.sleep = clock, clock.sleep
    incident = runner.open_drill(
        env, scenario, entry, title=None, severity=None, speed=1.0, clock="simulated"
    )
    pacer = runner.Pacer(incident, scenario)
    Walkthrough(incident, runner.PacedPrompter(load_answers(answers), pacer)).run()
    card = scorecard(incident.replay(history=False))
    assert card is not None and card.ended
    assert card.injects_played == card.injects_total == len(scenario.injects)
    assert len(card.verdicts) == len(scenario.expectations)
