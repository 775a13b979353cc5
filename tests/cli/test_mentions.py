"""`crisis mentions`: a count and its ratio to a normal period, recorded; the grading step
shows the latest one; log.md, status and reports (a table in md, an SVG in html) draw them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crisiscli.walk.answers import ScriptedPrompter
from crisiscli.walk.engine import Walkthrough
from crisiscli.walk.prompter import StepView
from tests.conftest import FrozenClock, make_env
from tests.helpers import FIXTURES, answers_from, ok, open_incident


@pytest.fixture
def started(cli: Any, tmp_path: Path) -> None:
    answers = tmp_path / "pause.yaml"
    answers.write_text("inputs: {brand: Acme}\ndefault: pause\n", encoding="utf-8")
    book = str(FIXTURES / "approvals.yaml")
    ok(cli("start", book, "--title", "Wrong image", "--answers", str(answers)))


@pytest.mark.usefixtures("started")
def test_counts_with_a_baseline_give_a_ratio_everywhere(cli: Any, crisis_home: Path) -> None:
    clock = FrozenClock()
    said = ok(cli("mentions", "1200", "--baseline", "80", "--source", "X search", clock=clock))
    assert "1200 mentions per hour" in said.stdout and "15.0x a normal hour (80)" in said.stdout
    clock.advance(1800)
    # The same source keeps its baseline: the next count compares with it.
    ok(cli("mentions", "400", "--source", "X search", clock=clock))
    listed = ok(cli("mentions")).stdout.splitlines()
    assert listed[0].startswith("1200 per hour · normal 80") and "15.0x" in listed[0]
    assert listed[1].startswith("400 per hour · normal 80") and "5.0x" in listed[1]
    assert "mentions: 400 per hour, 5.0x normal" in ok(cli("status")).stdout
    (folder,) = (p for p in (crisis_home / "incidents").iterdir() if not p.name.startswith("."))
    assert "X search" in (folder / "log.md").read_text(encoding="utf-8")
    report = json.loads(ok(cli("report", "--format", "json")).stdout)
    assert [(m["count"], m["ratio"]) for m in report["mentions"]] == [(1200, 15.0), (400, 5.0)]
    assert "## Mentions over time" in ok(cli("report")).stdout
    assert '<svg class="mentions"' in ok(cli("report", "--format", "html")).stdout


@pytest.mark.usefixtures("started")
def test_bad_counts_are_refused_with_one_line(cli: Any) -> None:
    for args in (("-5",), ("12", "--per", "week"), ("12", "--baseline", "-1"), ("many",)):
        result = cli("mentions", *args)
        assert result.exit_code == 2, (args, result)
        assert "Traceback" not in result.stderr
    assert "No mention counts" in ok(cli("mentions")).stdout


def test_the_grading_step_shows_the_latest_ratio(crisis_home: Path, tmp_path: Path, cli: Any) -> None:  # fmt: skip
    env = make_env(crisis_home)
    incident = open_incident(env, "approvals")
    ok(cli("mentions", "300", "--baseline", "20", "-i", incident.id))
    seen: dict[str, str | None] = {}

    class Watching(ScriptedPrompter):
        def show_step(self, view: StepView) -> None:
            super().show_step(view)
            seen[view.step.id] = view.mentions

    script = {
        "inputs": {"brand": "Acme"},
        "steps": {
            "people": {"answers": {"approver": "Dana Reyes"}},
            "holding": {"approver": "Dana Reyes"},
            "grade": {"answers": {"grade": "moderate"}},
        },
    }
    Walkthrough(incident, Watching(answers_from(tmp_path, script))).run()
    assert seen["grade"] == "mentions: 300 per hour, 15.0x a normal hour (20)"
    assert seen["holding"] is None  # only where the incident is graded
