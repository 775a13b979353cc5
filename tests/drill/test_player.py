"""Injects are played once each, whoever plays them and however many play at once."""

from __future__ import annotations

import threading
from pathlib import Path

from crisiscli.drill import runner
from crisiscli.drill.clock import SimulatedClock
from crisiscli.drill.player import coming
from crisiscli.drill.scenario import Scenario
from crisiscli.record.events import drill_clock
from crisiscli.record.store import Incident
from tests.conftest import FrozenClock, make_env
from tests.helpers import events_of

SCENARIO = """\
title: Race
playbook: mini.yaml
length: 30m
injects:
  - {at: +1m, kind: press, text: "One"}
  - {at: +2m, kind: customer, text: "Two"}
  - {at: +20m, kind: platform, text: "Later"}
expectations: []
"""


def opened(
    tmp_path: Path, clock: FrozenClock, home: Path | None = None, text: str = SCENARIO
) -> tuple[Incident, Scenario]:
    (tmp_path / "mini.yaml").write_text(
        (Path(__file__).parents[1] / "fixtures" / "mini.yaml").read_text()
    )
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    env = make_env(home or tmp_path / "home", clock=clock)
    scenario, entry, _ = runner.prepare(env, tmp_path / "s.yaml")
    incident = runner.open_drill(
        env, scenario, entry, title=None, severity=None, speed=1.0, clock="real"
    )
    return incident, scenario


def test_players_racing_record_each_inject_once(tmp_path: Path, clock: FrozenClock) -> None:
    incident, scenario = opened(tmp_path, clock)
    clock.advance(150)
    players = [
        runner.Pacer(Incident(incident.id, incident.dir, incident.env), scenario) for _ in range(4)
    ]
    threads = [threading.Thread(target=p.play) for p in players]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    keys = [e.data["key"] for e in events_of(incident) if e.type == "drill.inject"]
    assert sorted(keys) == ["i1", "i2"]


def test_a_paused_clock_holds_injects_back_and_pauses_do_not_count(
    tmp_path: Path, clock: FrozenClock
) -> None:
    incident, scenario = opened(tmp_path, clock)
    pacer = runner.Pacer(incident, scenario)
    clock.advance(30)
    incident.record(drill_clock("paused"))
    clock.advance(600)  # ten minutes of talk: the drill's clock stands still
    pacer.play()
    assert not [e for e in events_of(incident) if e.type == "drill.inject"]
    run = incident.state().drill_run
    assert run is not None and run.paused
    assert coming(run, scenario.injects, clock())[0].startswith(
        "+1m (clock paused) press enquiry: One"
    )
    incident.record(drill_clock("resumed"))
    clock.advance(31)
    pacer.play()
    run = incident.state().drill_run
    assert run is not None and list(run.played) == ["i1"] and round(run.offset(clock())) == 61
    assert run.clock_words(clock()) == "drill time +1m01s of 30m"
    assert coming(run, scenario.injects, clock()) == [
        "+2m (in 59s) customer: Two",
        "+20m (in 18m) platform notice: Later",
        "+30m (in 28m) the drill ends",
    ]
    clock.advance(20 * 60)
    pacer.play()
    run = incident.state().drill_run
    assert run is not None
    assert coming(run, scenario.injects, clock()) == [
        "+30m (in 8m 59s) nothing more; the drill ends"
    ]


def test_the_facilitator_sees_what_comes_the_players_do_not(
    cli, tmp_path: Path, clock: FrozenClock, crisis_home: Path
) -> None:  # type: ignore[no-untyped-def]
    opened(tmp_path, clock, crisis_home)
    clock.advance(90)
    watch = cli("watch", "--once", "--json", clock=clock)
    assert "Later" not in watch.stdout and "drill time +1m30s of 30m" in watch.stdout
    facilitator = cli("watch", "--once", "--facilitator", clock=clock)
    assert "COMING NEXT (facilitator only)" in facilitator.stdout
    assert "platform notice: Later" in facilitator.stdout
    assert "+1m (due now) press enquiry: One" in facilitator.stdout  # watch records nothing
    assert "how to play" not in facilitator.stdout  # this scenario has no note


def test_the_facilitator_screen_has_the_scenarios_note(
    cli, tmp_path: Path, clock: FrozenClock, crisis_home: Path
) -> None:  # type: ignore[no-untyped-def]
    text = SCENARIO.replace(
        "expectations: []", "facilitator: Let them sweat a little.\nexpectations: []"
    )
    opened(tmp_path, clock, crisis_home, text=text)
    facilitator = cli("watch", "--once", "--facilitator", clock=clock)
    assert "how to play: Let them sweat a little." in facilitator.stdout
    assert "Let them sweat" not in cli("watch", "--once", clock=clock).stdout


def test_a_simulated_clock_jumps() -> None:
    from datetime import datetime, timezone

    sim = SimulatedClock(datetime(2026, 1, 1, tzinfo=timezone.utc))
    sim.sleep(90)
    sim.sleep(-5)
    assert sim() == datetime(2026, 1, 1, 0, 1, 30, tzinfo=timezone.utc)


def test_the_facilitator_pauses_resumes_and_ends(
    cli, tmp_path: Path, clock: FrozenClock, crisis_home: Path
) -> None:  # type: ignore[no-untyped-def]
    incident, _ = opened(tmp_path, clock, crisis_home)
    assert cli("drill", "pause", clock=clock).exit_code == 0
    assert cli("drill", "pause", clock=clock).exit_code == 5  # already paused: said, not recorded
    assert cli("drill", "resume", clock=clock).exit_code == 0
    clock.advance(70)
    ended = cli("drill", "end", "--reason", "Out of time", clock=clock)
    assert ended.exit_code == 0, ended.stderr
    assert cli("drill", "end", clock=clock).exit_code == 5
    types = [e.type for e in events_of(incident) if e.type.startswith("drill.")]
    # the facilitator's command first played what was due (+1m), then ended the drill
    assert types == [
        "drill.started",
        "drill.paused",
        "drill.resumed",
        "drill.inject",
        "drill.ended",
    ]


def test_injects_notify_the_team_as_any_event_would(tmp_path: Path, clock: FrozenClock) -> None:
    from crisiscli.walk.alerts import alerts

    incident, scenario = opened(tmp_path, clock)
    clock.advance(61)
    runner.Pacer(incident, scenario).play()
    found = [
        n
        for n in alerts(incident.id, incident.state(), incident.playbook(), clock())
        if n.kind == "drill.inject"
    ]
    assert [(n.key, n.title, n.text, n.drill) for n in found] == [
        ("drill.inject:i1", "Drill inject: press enquiry", "One", True)
    ]


def test_the_handoff_tells_what_the_outside_world_did(
    cli, tmp_path: Path, clock: FrozenClock, crisis_home: Path
) -> None:  # type: ignore[no-untyped-def]
    opened(tmp_path, clock, crisis_home)
    clock.advance(130)
    assert cli("drill", "score", clock=clock).exit_code == 0  # the facilitator's look plays i1, i2
    out = cli("handoff", "--to", "Sam", clock=clock).stdout
    assert "Drill (drill time +2m10s of 30m): what the outside world did so far:" in out
    assert "  +2m10s (15:02 UTC) press enquiry: One" in out  # played late, by the score
    assert "  +2m10s (15:02 UTC) customer: Two" in out
    assert "Later" not in out
    status = cli("status", clock=clock).stdout
    assert "  drill: drill time +2m10s of 30m; latest: customer: Two" in status


def test_what_the_customer_said_is_the_latest_event_not_the_ledger_line(
    tmp_path: Path, clock: FrozenClock
) -> None:
    """A customer inject also puts the person on the reply ledger; the inject is recorded
    last, so the walk-through's status line (the latest event) shows what they said."""
    text = SCENARIO.replace('text: "Two"}', 'text: "Two", from: "@two"}')
    incident, scenario = opened(tmp_path, clock, text=text)
    clock.advance(130)
    runner.Pacer(incident, scenario).play()
    kinds = [e.type for e in events_of(incident)][-3:]
    assert kinds == ["reply.person", "drill.inject", "drill.inject"]


def test_a_mentions_inject_is_recorded_after_its_count(tmp_path: Path, clock: FrozenClock) -> None:
    text = SCENARIO.replace('kind: press, text: "One"}', 'kind: mentions, count: 400, text: "One"}')
    incident, scenario = opened(tmp_path, clock, text=text)
    clock.advance(70)
    runner.Pacer(incident, scenario).play()
    assert [e.type for e in events_of(incident)][-2:] == ["mentions.recorded", "drill.inject"]


def test_a_hand_inject_speaks_as_the_outside_world(
    cli, tmp_path: Path, clock: FrozenClock, crisis_home: Path
) -> None:  # type: ignore[no-untyped-def]
    """``crisis drill inject`` is recorded by *Drill*, as the scenario's injects are, so the
    walk-through's status line (what others recorded) shows it; a customer is owed a reply."""
    incident, _ = opened(tmp_path, clock, crisis_home)
    r = cli(
        "drill", "inject", "Still  waiting", "--kind", "customer", "--from", "@late", clock=clock
    )
    assert r.exit_code == 0, r.stderr
    last = events_of(incident)[-2:]
    assert [(e.type, e.actor) for e in last] == [
        ("reply.person", "Drill"),
        ("drill.inject", "Drill"),
    ]
    assert last[1].data["text"] == "Still waiting" and last[1].data["from"] == "@late"


def test_a_live_drill_ends_when_its_time_is_up(tmp_path: Path, clock: FrozenClock) -> None:
    """The player beside a live walk-through ends the drill at its length (it ran on past
    +60m of 60m before); a paused clock never reaches it; the clock reads the length."""
    incident, scenario = opened(tmp_path, clock)
    pacer = runner.Pacer(incident, scenario)
    clock.advance(29 * 60)
    pacer.play()
    assert incident.state().drill_run.ended_at is None  # type: ignore[union-attr]
    incident.record(drill_clock("paused"))
    clock.advance(3600)
    pacer.play()
    assert incident.state().drill_run.ended_at is None  # type: ignore[union-attr]
    incident.record(drill_clock("resumed"))
    clock.advance(61.5)
    pacer.play()
    pacer.play()
    ended = [e for e in events_of(incident) if e.type == "drill.ended"]
    assert [(e.actor, e.data.get("cause")) for e in ended] == [("Drill", "time")]
    run = incident.state().drill_run
    assert run is not None and run.clock_words(clock()) == "drill time +30m00s of 30m · ended"
    from crisiscli.drill.score import scorecard, text_lines

    card = scorecard(incident.state(), incident.playbook(), clock())
    assert card is not None
    lines = text_lines(card)
    assert "  MISSED  Look first: due +15m, not done when the drill ended" in lines
    assert "  open    Reply to each person: due +1h, after the drill ended" in lines


def test_the_facilitator_sees_a_scheduled_post_coming_out_until_it_is_stopped(
    tmp_path: Path, clock: FrozenClock
) -> None:
    text = SCENARIO.replace(
        '{at: +2m, kind: customer, text: "Two"}',
        '{id: sale, at: +2m, kind: scheduled, goes_out: +5m, text: "Sale!"}',
    )
    incident, scenario = opened(tmp_path, clock, text=text)
    clock.advance(150)
    runner.Pacer(incident, scenario).play()
    run = incident.state().drill_run
    assert run is not None
    assert "+5m (in 2m 30s) scheduled post: goes out unless stopped: Sale!" in coming(
        run, scenario.injects, clock()
    )
    from crisiscli.record.events import queue_decided

    incident.record(queue_decided("drill-sale", "cancel", "Not during this"))
    clock.advance(180)
    runner.Pacer(incident, scenario).play()
    run = incident.state().drill_run
    assert run is not None and "sale-went-out" not in run.played
    assert not [line for line in coming(run, scenario.injects, clock()) if "Sale!" in line]


def test_a_hand_inject_records_what_it_means(
    cli, tmp_path: Path, clock: FrozenClock, crisis_home: Path
) -> None:  # type: ignore[no-untyped-def]
    """By hand as from the scenario: a mention count is recorded as one (the grading step
    reads it), a scheduled post lands in the queue; a hand inject has no scenario time."""
    incident, _ = opened(tmp_path, clock, crisis_home)
    clock.advance(60)
    args = ("drill", "inject", "Mentions at 2,400 an hour", "--kind", "mentions")
    assert cli(*args, "--count", "2400", clock=clock).exit_code == 0
    last = events_of(incident)[-2:]
    assert [e.type for e in last] == ["mentions.recorded", "drill.inject"]
    assert last[0].data["count"] == 2400 and "due" not in last[1].data
    assert incident.state().mentions[-1].amount == 2400
    r = cli("drill", "inject", "Promo at noon", "--kind", "scheduled", clock=clock)
    assert r.exit_code == 0, r.stderr
    (post,) = incident.state().queue.values()
    assert post.id.startswith("drill-hand-") and post.text == "Promo at noon"
    wrong = cli("drill", "inject", "x", "--kind", "press", "--count", "3", clock=clock)
    assert wrong.exit_code == 2 and "--count goes with --kind mentions" in wrong.stderr
    score = cli("drill", "score", clock=clock)
    assert "Injects played: 1 of 3" in score.stdout  # the two by hand are not the scenario's
