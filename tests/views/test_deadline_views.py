"""Recurring deadlines and promised next updates show everywhere deadlines show: log.md
(without a clock), status, handoff and the report (met or missed per occurrence)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crisiscli.record import events as ev
from crisiscli.record.store import Incident
from tests.conftest import FrozenClock, make_env
from tests.helpers import at, open_incident


@pytest.fixture
def incident(crisis_home: Path, clock: FrozenClock) -> Incident:
    """Holding line at 15:10 promising 15:35; an update at 15:55 (late for both)."""
    crisis_home.mkdir(parents=True, exist_ok=True)
    (crisis_home / "config.toml").write_text('timezone = "UTC"\n', encoding="utf-8")
    inc = open_incident(make_env(crisis_home, clock=clock), "cadence")
    clock.now = at(9)
    inc.record(
        ev.step_entered("holding", "next"),
        ev.message_recorded("holding", "On it. Next update by 15:35.", ["x"], "statement"),
        ev.update_promised("holding", at(35)),
    )
    clock.now = at(10)
    inc.record(ev.step_done("holding"))  # out at 15:10 on the second
    clock.now = at(54)
    inc.record(
        ev.step_entered("update", "next"),
        ev.message_recorded("update", "Still on it.", ["x"], "update"),
    )
    clock.now = at(55)
    inc.record(ev.step_done("update"))
    return inc


def test_the_log_says_what_is_due_without_a_clock(incident: Incident, clock: FrozenClock) -> None:
    log = incident.log_path.read_text(encoding="utf-8")
    assert (
        "- Public update (every 30m) — 1 met, 1 missed (#2 due 15:40:00 UTC, missed by 15m)"
        " — #3 due 16:25:00 UTC, not done yet"
    ) in log
    assert "- Promised next update (Post a holding line) — due 15:35:00 UTC — missed by 20m" in log
    assert "- Post a holding line — due 15:15:00 UTC — not done yet" not in log  # done at 15:10
    clock.now = at(500)  # hours later, nothing recorded: the head reads the same
    incident.record()
    assert incident.log_path.read_text(encoding="utf-8") == log


def test_status_and_handoff_count_down_to_the_next_update(
    incident: Incident, clock: FrozenClock, cli
) -> None:  # type: ignore[no-untyped-def]
    clock.now = at(70)
    status = cli("status", clock=clock)
    assert status.exit_code == 0, status.stderr
    assert "  due: Public update (every 30m) in 15m (16:25 UTC)" in status.stdout
    clock.now = at(90)
    status = cli("status", "--json", clock=clock)
    (due,) = json.loads(status.stdout)["deadlines"]
    assert (due["kind"], due["state"], due["every"]) == ("cadence", "overdue", "30m")
    handoff = cli("handoff", "--to", "Sam", clock=clock)
    assert "  OVERDUE  Public update (every 30m) — 5m late (was due 16:25 UTC)" in handoff.stdout
    assert "1 deadline(s) overdue" in incident.log_path.read_text(encoding="utf-8")


def test_an_open_promise_shows_in_status(crisis_home: Path, clock: FrozenClock, cli) -> None:  # type: ignore[no-untyped-def]
    inc = open_incident(make_env(crisis_home, clock=clock), "cadence")
    clock.now = at(1)
    inc.record(
        ev.step_entered("holding", "next"),
        ev.message_recorded("holding", "On it.", ["x"], "statement"),
        ev.update_promised("holding", at(20)),
        ev.step_done("holding"),
    )
    clock.now = at(25)
    out = cli("status", clock=clock).stdout
    assert "  OVERDUE: Promised next update (5m late, was due 15:20 UTC)" in out


def test_the_report_has_met_or_missed_per_occurrence(
    incident: Incident, clock: FrozenClock, cli
) -> None:  # type: ignore[no-untyped-def]
    clock.now = at(60)
    incident.record(ev.incident_closed("Calm again"))
    report = cli("report", incident.id, "--format", "json", "--tz", "UTC", clock=clock)
    assert report.exit_code == 0, report.stderr
    rows = [
        (d["kind"], d["label"], d["state"], d["late_by_seconds"])
        for d in json.loads(report.stdout)["deadlines"]
    ]
    assert [(k, lbl, s) for k, lbl, s, _ in rows] == [
        ("step", "Post a holding line", "met"),
        ("cadence", "Public update #1 (every 30m)", "met"),
        ("promise", "Promised next update", "missed"),
        ("cadence", "Public update #2 (every 30m)", "missed"),
        ("cadence", "Public update #3 (every 30m)", "waived"),
    ]
    md = cli("report", incident.id, "--format", "md", "--tz", "UTC", clock=clock).stdout
    assert "| Public update #2 (every 30m) |" in md and "missed by 15m" in md
    assert "| Promised next update (Post a holding line) |" in md


def test_the_walk_through_status_line_counts_down_both(
    incident: Incident, clock: FrozenClock, tmp_path: Path
) -> None:
    from crisiscli.i18n import Catalogue
    from crisiscli.ui.screens import clock_time, deadline_lines
    from crisiscli.ui.statusline import StatusLine
    from crisiscli.walk.answers import ScriptedPrompter, load_answers
    from crisiscli.walk.engine import Walkthrough

    answers = tmp_path / "answers.yaml"
    answers.write_text("default: na\n", encoding="utf-8")

    clock.now = at(56)
    incident.record(ev.update_promised("update", at(70)))  # promised after it went out
    engine = Walkthrough(incident, ScriptedPrompter(load_answers(answers)))
    view = engine.view(incident.playbook().step("dm"))
    lines = [line.plain for line in deadline_lines(view)]
    # The step's screen gives clock times (never stale); the live status line counts down.
    promised, cadence = (d for d in view.deadlines if d.state == "open")
    assert lines == [
        f"  due {clock_time(promised.due_at)}  Promised next update",
        f"  due {clock_time(cadence.due_at)}  Public update (every 30m)",
    ]
    assert ":" in clock_time(promised.due_at) and " " not in clock_time(promised.due_at)
    status = StatusLine(incident.env, Catalogue())
    status.show(view)
    assert "next: Promised next update in 14m" in "".join(t for _, t in status.lines(100))
