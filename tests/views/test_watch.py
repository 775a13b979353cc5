"""What `crisis watch` shows, from the fold and a clock: every kind of open deadline
(step, recurring, promised) counting down, follow-ups, approvals, the walker and the latest
events; the frame fits 80x24 and says OVERDUE in words without colour; --once and --json."""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from crisiscli.record import events as ev
from crisiscli.record.store import Incident
from crisiscli.ui import live
from crisiscli.ui.watchscreen import render
from crisiscli.views.watch import watch_model
from crisiscli.width import display_width
from tests.conftest import FrozenClock, make_env
from tests.helpers import at, open_incident


@pytest.fixture
def incident(crisis_home: Path, clock: FrozenClock) -> Incident:
    """Holding line out at 15:10 promising 15:35; a follow-up owed at 15:20; a note."""
    crisis_home.mkdir(parents=True, exist_ok=True)
    (crisis_home / "config.toml").write_text('timezone = "UTC"\n', encoding="utf-8")
    inc = open_incident(make_env(crisis_home, clock=clock), "cadence", title="Wrong image")
    clock.now = at(9)
    inc.record(
        ev.step_entered("holding", "next"),
        ev.message_recorded("holding", "On it. Next update by 15:35.", ["x"], "statement"),
        ev.update_promised("holding", at(35)),
    )
    clock.now = at(10)
    inc.record(
        ev.step_done("holding"),
        ev.contact_logged("c1", "Jo Customer", "email", "asked to DM", follow_up_due=at(20)),
        ev.note_added("Legal is reading the statement"),
    )
    return inc


def model_at(incident: Incident, now: datetime):  # type: ignore[no-untyped-def]
    return watch_model(incident.id, incident.state(), incident.playbook(), now, timezone.utc)


def test_every_open_deadline_counts_down(incident: Incident) -> None:
    model = model_at(incident, at(30))
    rows = {d.kind: (d.name, d.state, round(d.seconds_left)) for d in model.deadlines}
    assert rows == {
        "promise": ("Promised next update", "open", 5 * 60),
        "cadence": ("Public update (every 30m)", "open", 10 * 60),  # 15:10 + 30m
    }
    (follow_up,) = model.follow_ups
    assert follow_up[:2] == ("c1", "Jo Customer") and follow_up[4] is True
    assert [n.text for n in model.notes] == ["Legal is reading the statement"]
    assert model.walker.step == "update" and model.walker.number == 2
    assert model.walker.person == "tester"


def test_the_frame_fits_80x24_and_says_overdue_in_words(incident: Incident) -> None:
    frame = render(model_at(incident, at(37)), 80, 24, color=False)
    assert len(frame) == 24
    assert all(display_width(line) == 80 for line in frame)
    text = "\n".join(frame)
    assert "\x1b" not in text  # NO_COLOR: no codes at all
    assert "OVERDUE  2:00 late    Promised next update" in text
    assert "soon     in 3:00      Public update (every 30m)" in text
    assert "OVERDUE  17:00 late   Jo Customer (email)" in text
    assert "Note: Legal is reading the statement" in text
    assert "0:37:00" not in text and "37:00 since start" in text


def test_colour_adds_red_to_overdue_only_when_asked(incident: Incident) -> None:
    coloured = "\n".join(render(model_at(incident, at(37)), 80, 24, color=True))
    assert "\x1b[1;37;41mOVERDUE" in coloured


def test_a_short_screen_keeps_the_latest_events_and_counts_what_it_hides(
    incident: Incident, clock: FrozenClock
) -> None:
    clock.now = at(11)
    incident.record(
        *(
            ev.contact_logged(f"c{i}", f"Person {i}", "phone", "called", follow_up_due=at(60 + i))
            for i in range(2, 30)
        )
    )
    frame = render(model_at(incident, at(12)), 80, 24, color=False)
    text = "\n".join(frame)
    assert len(frame) == 24
    assert "more" in text and " LATEST" in text
    assert frame[-1].startswith(" q quit")


def test_hostile_text_stays_on_one_line_and_inert(crisis_home: Path, clock: FrozenClock) -> None:
    inc = open_incident(make_env(crisis_home, clock=clock), "cadence", title="Bad\x1b[2J\ntitle")
    inc.record(ev.note_added("line one\nline two \x1b]0;pwned\x07 \u202eevil"))
    frame = render(model_at(inc, at(1)), 100, 24, color=False)
    text = "\n".join(frame)
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert len(frame) == 24


def test_the_shape_moves_with_events_and_overdue_not_with_the_clock(
    incident: Incident, clock: FrozenClock
) -> None:
    first = model_at(incident, at(30)).shape()
    assert model_at(incident, at(31)).shape() == first  # the clock alone
    assert model_at(incident, at(36)).shape() != first  # the promise passed
    clock.now = at(31)
    incident.record(ev.note_added("more"))
    assert model_at(incident, at(31)).shape() != first


def test_once_prints_one_frame_and_json_one_object(
    incident: Incident, clock: FrozenClock, cli
) -> None:  # type: ignore[no-untyped-def]
    clock.now = at(37)
    result = cli("watch", "--once", clock=clock)
    assert result.exit_code == 0, result.stderr
    assert "OVERDUE" in result.stdout and "Promised next update" in result.stdout
    assert "read-only" in result.stdout
    result = cli("watch", "--once", "--json", clock=clock)
    data = json.loads(result.stdout)
    kinds = {d["kind"]: d["state"] for d in data["deadlines"]}
    assert kinds == {"promise": "overdue", "cadence": "open"}
    assert data["incident"] == incident.id and data["events_total"] == incident.state().event_count
    assert data["follow_ups"][0]["overdue"] is True


def test_watch_records_nothing(incident: Incident, clock: FrozenClock, cli) -> None:  # type: ignore[no-untyped-def]
    before = incident.journal.path.read_bytes()
    log = incident.log_path.read_bytes()
    clock.now = at(90)
    assert cli("watch", "--once", clock=clock).exit_code == 0
    assert incident.journal.path.read_bytes() == before
    assert incident.log_path.read_bytes() == log


def test_no_open_incident_is_a_clear_answer(crisis_home: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("watch", "--once")
    assert result.exit_code == 4  # not found (docs/exit-codes.md)
    assert result.stderr.startswith("crisis: error: no open incident in ")
    assert "hint: start one with: crisis start" in result.stderr


def test_pending_approvals_are_listed(crisis_home: Path, clock: FrozenClock) -> None:
    inc = open_incident(make_env(crisis_home, clock=clock), "composer")
    inc.record(
        ev.step_entered("apology", "next"),
        ev.message_recorded("apology", "Sorry.", ["x", "bluesky"], "apology"),
    )
    model = model_at(inc, at(3))
    assert [(title, platforms) for title, platforms, *_ in model.approvals] == [
        ("Public apology", ("x", "bluesky"))
    ]
    assert "WAITING FOR APPROVAL" in "\n".join(render(model, 80, 24, color=False))


def test_follower_folds_only_when_the_journal_changed(
    incident: Incident, clock: FrozenClock
) -> None:
    follower = live.Follower(incident)
    assert follower.poll() is True
    assert follower.poll() is False
    clock.now = at(12)
    incident.record(ev.note_added("from another terminal"))
    assert follower.poll() is True
    assert follower.model().notes[-1].text == "from another terminal"


def test_json_stream_writes_a_line_per_change_not_per_tick(
    incident: Incident, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = make_env(incident.env.home, clock=clock)
    out = io.StringIO()
    env.stdout = out
    ticks = iter(range(8))

    def tick(_seconds: float) -> None:
        n = next(ticks)
        clock.advance(1)
        if n == 3:
            incident.record(ev.note_added("new"))

    monkeypatch.setattr(live.time, "sleep", tick)
    count = iter(range(8))
    live.stream_json(live.Follower(incident), env, lambda: next(count, None) is None)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 2  # the start, then the note — eight ticks of the clock wrote nothing
    assert lines[1]["notes"][-1]["text"] == "new"


def test_watch_json_escapes_c1_and_bidi_as_status_json_does(
    crisis_home: Path, clock: FrozenClock, cli
) -> None:  # type: ignore[no-untyped-def]
    """Issue 26.5: `watch --once --json` printed raw U+009B (a C1 CSI) and U+202E."""
    title = "Wrong \u009b31m image \u202egnp.exe"
    open_incident(make_env(crisis_home, clock=clock), "cadence", title=title)
    for args in (("watch", "--once", "--json"), ("status", "--json")):
        out = cli(*args, clock=clock).stdout
        assert "\u009b" not in out and "\u202e" not in out, args
        assert "\\u009b" in out and "\\u202e" in out, args
    (line,) = cli("watch", "--once", "--json", clock=clock).stdout.splitlines()
    assert json.loads(line)["title"] == title  # the value is unchanged
