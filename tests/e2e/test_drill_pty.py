"""A tabletop drill in real terminals at 80x24: `crisis drill run --speed 60` in one, `crisis
watch` in another. Each inject appears on both screens at its time (two seconds of real time
per two drill minutes), the drill's clock and speed are said on both, and the facilitator
ends the drill and gets the score."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import crisis_command, subprocess_env

pytest.importorskip("pexpect")
pytest.importorskip("pyte")

from tests.e2e.screen import Screen

SCENARIO = """\
title: Refund complaint
playbook: mini.yaml
length: 10m
start:
  inputs: {brand: Acme, source: customer}
  post: "Still no refund after six weeks"
injects:
  - {at: +3m, kind: press, text: "A reporter calls the switchboard"}
  - {at: +6m, kind: executive, text: "The CEO forwards a screenshot"}
expectations:
  - {expect: step-done, step: look, by: +5m}
"""


def test_a_drill_at_speed_60_with_a_watch_open(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('timezone = "UTC"\n', encoding="utf-8")
    fixtures = Path(__file__).parents[1] / "fixtures"
    (tmp_path / "mini.yaml").write_text((fixtures / "mini.yaml").read_text(), encoding="utf-8")
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    players = Screen(home, "drill", "run", str(scenario), "--speed", "60", size=(80, 24))
    watch = None
    try:
        players.wait_for(r"Tick what is done")
        began = time.monotonic()
        watch = Screen(home, "watch", size=(80, 24))
        shown = watch.wait_for(r"drill time \+\d+m\d\ds of 10m · 60x speed")
        assert "A reporter calls" not in shown  # players never see what comes next
        assert "A reporter calls" not in players.flat
        # +3m at 60x: three seconds after the start, on both screens
        watch.wait_for(r"Drill\s+Drill inject \(press enquiry \+3m\): A reporter calls", timeout=8)
        players.wait_for(
            r"Drill, \d+s ago: Drill inject \(press enquiry \+3m\): A reporter", timeout=4
        )
        assert time.monotonic() - began >= 2.0
        assert "The CEO forwards" not in watch.flat and "The CEO forwards" not in players.flat
        players.wait_for(r"DRILL \+\dm/10m 60x", flat=True)
        watch.wait_for(r"Drill inject \(executive \+6m\): The CEO forwards a screenshot", timeout=8)
        players.wait_for(r"Drill inject \(executive \+6m\): The CEO forwards", timeout=4)
        ended = subprocess.run(
            [*crisis_command(), "drill", "end", "--reason", "Out of time"],
            env=subprocess_env(home), capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert ended.returncode == 0, ended.stderr
        watch.wait_for(r"Drill ended — Out of time", timeout=4)
        players.send("\x03")
        players.wait_for(r"Drill score: Refund complaint", flat=True)
        players.wait_for(r"MISSED\s+e1: step look done by \+5m — not done", flat=True)
        players.wait_for(r"Injects played: 3 of 3", flat=True)
        assert players.close() == 130
        watch.send("q")
        assert watch.close() == 0
    finally:
        players.close()
        if watch is not None:
            watch.close()
