"""Deadlines in one place: step deadlines, recurring ones (cadence) and promised updates.

Each case records what a team does (messages going out, re-grades, promises, the close)
with a frozen clock and reads ``deadline_statuses`` as every view does.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from crisiscli.record import events as ev
from crisiscli.record.store import Incident
from crisiscli.walk.answers import AnswersFile, ScriptedPrompter
from crisiscli.walk.deadlines import DeadlineStatus, deadline_statuses, next_update_due
from crisiscli.walk.engine import Walkthrough
from crisiscli.walk.prompter import StepView
from tests.conftest import FrozenClock, make_env
from tests.helpers import (
    START,
    answers_from,
    at,
    events_of,
    load_playbook_text,
    open_incident,
    run_script,
)


@pytest.fixture
def incident(crisis_home: Path, clock: FrozenClock) -> Incident:
    return open_incident(make_env(crisis_home, clock=clock), "cadence", severity="moderate")


def publish(
    incident: Incident,
    clock: FrozenClock,
    minute: float,
    step: str,
    kind: str,
    audience: str | None = None,
) -> None:
    """The message of ``step`` goes out at ``minute`` (its step is done)."""
    clock.now = at(minute)
    incident.record(
        ev.step_entered(step, "next"),
        ev.message_recorded(step, "Text", ["x"], kind, audience),
        ev.step_done(step),
    )


def cadence(incident: Incident, minute: float) -> list[DeadlineStatus]:
    state = incident.state()
    found = deadline_statuses(incident.playbook(), state, at(minute))
    return [d for d in found if d.kind == "cadence"]


def shape(found: list[DeadlineStatus]) -> list[tuple[int, datetime, str, float | None]]:
    """Occurrence, due time, state and lateness (to the second: events recorded together
    are a microsecond apart)."""
    return [
        (d.occurrence, _second(d.due_at), d.state, None if d.late_by is None else round(d.late_by))
        for d in found
    ]


def _second(ts: datetime) -> datetime:
    return ts.replace(microsecond=0)


def test_the_clock_restarts_at_every_update(incident: Incident, clock: FrozenClock) -> None:
    assert shape(cadence(incident, 10)) == [(1, at(30), "open", None)]
    publish(incident, clock, 10, "holding", "statement")  # met; next due 30m later
    assert shape(cadence(incident, 20)) == [(1, at(30), "met", -20 * 60), (2, at(40), "open", None)]
    assert cadence(incident, 41)[-1].state == "overdue"
    publish(incident, clock, 55, "update", "update")  # 15m late: missed, then the clock restarts
    assert shape(cadence(incident, 56)) == [
        (1, at(30), "met", -20 * 60),
        (2, at(40), "missed", 15 * 60),
        (3, at(85), "open", None),
    ]
    assert cadence(incident, 56)[-1].title == "Public update #3 (every 30m)"


def test_only_the_cadences_kinds_count(incident: Incident, clock: FrozenClock) -> None:
    publish(incident, clock, 10, "dm", "dm-invite")  # a direct message is no public update
    assert shape(cadence(incident, 12)) == [(1, at(30), "open", None)]


@pytest.mark.parametrize("audience", ["internal", "support-macro", "press", "dm"])
def test_an_update_the_public_cannot_read_keeps_no_public_clock_nor_promise(
    incident: Incident, clock: FrozenClock, audience: str
) -> None:
    """Issue 20 (audiences): a staff memo of kind ``update`` is no public update. It neither
    meets the public update clock nor keeps a promise made to the public."""
    clock.now = at(5)
    incident.record(
        ev.step_entered("holding", "next"),
        ev.message_recorded("holding", "Next update by 15:45", ["x"], "statement"),
        ev.update_promised("holding", at(45)),
        ev.step_done("holding"),
    )
    publish(incident, clock, 40, "update", "update", audience)
    found = deadline_statuses(incident.playbook(), incident.state(), at(50))
    (promise,) = [d for d in found if d.kind == "promise"]
    assert promise.state == "overdue"
    clock_rows = [d for d in found if d.kind == "cadence"]
    assert shape(clock_rows) == [(1, at(30), "met", -25 * 60), (2, at(35), "overdue", None)]


def test_a_regrade_brings_the_next_update_forward(incident: Incident, clock: FrozenClock) -> None:
    publish(incident, clock, 10, "holding", "statement")  # next due at 40
    clock.now = at(20)
    incident.record(ev.severity_changed("critical", reason="press"))  # every 15m: due at 35
    found = cadence(incident, 21)
    assert shape(found)[-1] == (2, at(35), "open", None) and found[-1].every == "15m"
    clock.now = at(22)
    incident.record(ev.severity_changed("moderate"))  # a slower level never pushes it back
    assert shape(cadence(incident, 23))[-1] == (2, at(35), "open", None)


def test_a_level_without_updates_waives_and_the_next_level_restarts(
    incident: Incident, clock: FrozenClock
) -> None:
    clock.now = at(5)
    incident.record(ev.severity_changed("low"))
    assert shape(cadence(incident, 6)) == [(1, at(30), "waived", None)]
    assert cadence(incident, 6)[0].why == "not needed at severity low"
    clock.now = at(50)
    incident.record(ev.severity_changed("high"))  # no level of its own: every 30m
    assert shape(cadence(incident, 51)) == [
        (1, at(30), "waived", None),
        (2, at(80), "open", None),
    ]


def test_the_close_and_the_until_step_end_the_clock(
    crisis_home: Path, incident: Incident, clock: FrozenClock
) -> None:
    publish(incident, clock, 10, "holding", "statement")
    clock.now = at(30)
    incident.record(ev.step_entered("lessons", "next"), ev.step_done("lessons"))
    found = cadence(incident, 90)  # long after: nothing is overdue once the updates ended
    assert shape(found)[-1] == (2, at(40), "waived", None) and found[-1].why == "updates ended"
    late = open_incident(make_env(crisis_home, clock=clock), "cadence")  # opened at 30
    clock.now = at(75)  # the first update was due at 60
    late.record(ev.incident_closed("Over"))
    found = cadence(late, 200)
    assert [(d.state, d.finished_at) for d in found] == [("missed", None)]
    early = open_incident(make_env(crisis_home, clock=clock), "cadence")
    clock.now = at(80)
    early.record(ev.incident_closed("Over"))
    assert cadence(early, 300)[0].why == "closed before it was due"


def test_a_promise_is_met_by_the_next_public_message(
    incident: Incident, clock: FrozenClock
) -> None:
    clock.now = at(5)
    incident.record(
        ev.step_entered("holding", "next"),
        ev.message_recorded("holding", "Next update by 15:45", ["x"], "statement"),
        ev.update_promised("holding", at(45)),
    )
    book = incident.playbook()
    assert [
        d for d in deadline_statuses(book, incident.state(), at(6)) if d.kind == "promise"
    ] == []
    clock.now = at(8)
    incident.record(ev.step_done("holding"))  # it went out: the promise is a deadline now
    (promise,) = [
        d for d in deadline_statuses(book, incident.state(), at(50)) if d.kind == "promise"
    ]
    assert (promise.due_at, promise.state, promise.step) == (at(45), "overdue", "holding")
    publish(incident, clock, 40, "update", "update")
    (promise,) = [
        d for d in deadline_statuses(book, incident.state(), at(50)) if d.kind == "promise"
    ]
    assert (promise.state, round(promise.late_by or 0)) == ("met", -5 * 60)


def test_a_promise_made_after_the_message_went_out_counts(
    incident: Incident, clock: FrozenClock
) -> None:
    publish(incident, clock, 5, "holding", "statement")
    clock.now = at(6)
    incident.record(ev.update_promised("holding", at(20)))
    clock.now = at(25)
    incident.record(ev.incident_closed())
    found = [d for d in deadline_statuses(incident.playbook(), incident.state(), at(99))]
    (promise,) = [d for d in found if d.kind == "promise"]
    assert (promise.due_at, promise.state) == (at(20), "missed")


def test_the_composer_suggests_the_shortest_interval_now(
    incident: Incident, clock: FrozenClock
) -> None:
    book = incident.playbook()
    assert next_update_due(book, incident.state(), at(3)) == at(33)
    clock.now = at(4)
    incident.record(ev.severity_changed("critical"))
    assert next_update_due(book, incident.state(), at(5)) == at(20)
    incident.record(ev.severity_changed("low"))
    assert next_update_due(book, incident.state(), at(5)) is None


def test_an_interval_beyond_the_calendar_is_never_due(crisis_home: Path) -> None:
    text = (
        "crisis: 1\nid: t\ntitle: T\ncadence:\n- {id: u, every: 99999999d}\n"
        "phases:\n- id: p\n  title: P\n  steps:\n  - {id: s, title: S}\n"
    )
    book = load_playbook_text(text, "t.yaml")
    from crisiscli.record.fold import IncidentState

    state = IncidentState(started_at=START, severity="moderate", first_severity="moderate")
    assert deadline_statuses(book, state, at(5)) == []


# -- the composer asks for the promise ---------------------------------------------------------


def _promises(incident: Incident) -> list[tuple[str, datetime]]:
    return [
        (e.data["step"], datetime.fromisoformat(e.data["due"]))
        for e in events_of(incident)
        if e.type == "update.promised"
    ]


def test_a_public_message_records_the_update_it_promises(
    tmp_path: Path, incident: Incident, clock: FrozenClock
) -> None:
    script = answers_from(
        tmp_path,
        {
            "steps": {
                # the cadence's time: 30m from now
                "holding": {"message": "On it. Next update by 15:30.", "next_update": "suggested"},
                "update": {"next_update": "16:00"},
                "dm": {"action": "done"},  # a direct message promises nothing: not asked
            }
        },
    )
    run_script(incident, script)
    (first, second) = _promises(incident)
    assert first[0] == "holding" and first[1] - START == timedelta(minutes=30)
    assert second == ("update", datetime(2026, 11, 23, 16, 0, tzinfo=timezone.utc))
    state = incident.state()
    assert [p.promise for p in state.published] == [first[1], second[1], None]


class Typing(ScriptedPrompter):
    """Types answers to "next update?" in turn, and keeps what was offered."""

    def __init__(self, answers: AnswersFile, typed: list[str]) -> None:
        super().__init__(answers)
        self.typed = typed
        self.offered: list[datetime | None] = []
        self.notices: list[str] = []

    def ask_next_update(self, view: StepView, suggested: datetime | None) -> str:
        self.offered.append(suggested)
        return self.typed.pop(0) if self.typed else ""

    def notify(self, text: str) -> None:
        self.notices.append(text)


def test_a_time_that_cannot_be_read_is_asked_again(
    tmp_path: Path, incident: Incident, clock: FrozenClock
) -> None:
    script = answers_from(
        tmp_path,
        {
            "steps": {"holding": {"message": "On it."}, "update": "skip", "dm": "skip"},
            "default": "done",
        },
    )
    script.steps["update"].reason = script.steps["dm"].reason = "not needed"
    prompter = Typing(script, ["soonish", "45m"])
    Walkthrough(incident, prompter).run()
    assert prompter.notices and "soonish" in prompter.notices[0]
    assert prompter.offered[:2] == [START + timedelta(minutes=30)] * 2
    assert _promises(incident) == [("holding", START + timedelta(minutes=45))]


# -- a cadence runs only while a step can post it (issue 20, finding 2) ---------------------


def test_no_update_is_due_when_no_step_can_post_one(crisis_home: Path, clock: FrozenClock) -> None:
    gated = open_incident(make_env(crisis_home, clock=clock), "cadence-gated", severity="moderate")
    # The holding line can still go out: the first update is due as usual.
    assert shape(cadence(gated, 10)) == [(1, at(120), "open", None)]
    publish(gated, clock, 10, "holding", "statement")
    # Nothing left that posts an update at moderate ("Keep updates coming" is for high):
    # nothing is overdue, however long it stays moderate.
    found = cadence(gated, 600)
    assert [d.state for d in found] == ["met", "waived"]
    assert found[-1].why == "no step to post it at severity moderate"
    clock.now = at(610)
    gated.record(ev.severity_changed("high", reason="press"))  # the update step applies now
    # ... and its clock starts at the re-grade, not at the holding line ten hours before.
    assert shape(cadence(gated, 611)) == [
        (1, at(120), "met", -110 * 60),
        (2, at(130), "waived", None),
        (3, at(670), "open", None),
    ]


# -- the promise is read from the message (issue 20, finding 6) -----------------------------


class Watching(Typing):
    """``Typing`` that also keeps the warnings shown before a promise is recorded."""

    def __init__(self, answers: AnswersFile, typed: list[str]) -> None:
        super().__init__(answers, typed)
        self.warned: list[str] = []

    def warn(self, text: str) -> None:
        self.warned.append(text)


def _holding_only(tmp_path: Path, message: str) -> AnswersFile:
    script = answers_from(
        tmp_path,
        {
            "steps": {"holding": {"message": message}, "update": "skip", "dm": "skip"},
            "default": "done",
        },
    )
    script.steps["update"].reason = script.steps["dm"].reason = "not needed"
    return script


def test_the_time_the_message_names_is_offered(
    tmp_path: Path, incident: Incident, clock: FrozenClock
) -> None:
    prompter = Watching(_holding_only(tmp_path, "On it. Next update by 16:10."), ["suggested"])
    prompter.typed = []  # Enter on the offered time
    Walkthrough(incident, prompter).run()
    assert prompter.offered[0] == datetime(2026, 11, 23, 16, 10, tzinfo=timezone.utc)  # not 15:30


def test_the_message_and_the_answer_disagree(
    tmp_path: Path, incident: Incident, clock: FrozenClock
) -> None:
    # The text says 16:10; the responder types 17:00: told so before anything is recorded,
    # and asked again with the message's time offered; typing 17:00 again keeps it.
    prompter = Watching(_holding_only(tmp_path, "On it. Next update by 16:10."), ["17:00", "17:00"])
    Walkthrough(incident, prompter).run()
    assert prompter.warned and "16:10" in prompter.warned[0] and "17:00" in prompter.warned[0]
    assert prompter.offered[1] == datetime(2026, 11, 23, 16, 10, tzinfo=timezone.utc)
    (promise,) = _promises(incident)
    assert promise == ("holding", datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc))


def test_a_relative_promise_in_swedish(
    crisis_home: Path, tmp_path: Path, clock: FrozenClock
) -> None:
    from crisiscli.messages.promise import promised_in

    assert promised_in("Nästa uppdatering senast kl. 14.30.", "sv") == "14:30"
    assert promised_in("Vi återkommer här om 30 minuter.", "sv") == "30m"
    assert promised_in("Update (14:00): fixed. Next update by 4 pm.", "en") == "16:00"
    assert promised_in("We will update you in 45 minutes.", "en") == "45m"
    assert promised_in("The outage began at 14:00.", "en") is None


def test_silence_is_missed_per_interval_only_while_an_update_can_go_out(
    crisis_home: Path, clock: FrozenClock
) -> None:
    # Issue 21 (each silent interval is a miss, at its own time) meets issue 20 (no update is
    # due while no step can post one): at high the update step applies, so three hours of
    # silence are three misses; the re-grade to moderate finds the fourth overdue (missed),
    # and from then on nothing can post an update, so the next is waived, not missed.
    gated = open_incident(make_env(crisis_home, clock=clock), "cadence-gated", severity="high")
    publish(gated, clock, 10, "holding", "statement")
    assert shape(cadence(gated, 251)) == [
        (1, at(60), "met", -50 * 60),
        (2, at(70), "missed", None),
        (3, at(130), "missed", None),
        (4, at(190), "missed", None),
        (5, at(250), "overdue", None),
    ]
    assert {d.why for d in cadence(gated, 251)[1:4]} == {"no update"}
    clock.now = at(260)
    gated.record(ev.severity_changed("moderate", reason="calmer"))
    found = cadence(gated, 24 * 60)
    assert shape(found)[4:] == [(5, at(250), "missed", None), (6, at(380), "waived", None)]
    assert found[-1].why == "no step to post it at severity moderate"


def test_a_staff_memo_is_not_asked_for_a_public_promise(
    tmp_path: Path, crisis_home: Path, clock: FrozenClock
) -> None:
    """Issue 20 (audiences): "Next update promised by?" is a promise to the public. An update
    for staff is not asked (nothing public could keep it); the public holding line is."""
    from crisiscli.record.store import create_incident
    from tests.helpers import FIXTURES

    text = (FIXTURES / "cadence.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "          kind: update\n", "          kind: update\n          audience: internal\n"
    )
    playbook = load_playbook_text(text, "cadence.yaml")
    incident = create_incident(
        make_env(crisis_home, clock=clock), playbook, title="Memo", severity="moderate"
    )
    script = answers_from(
        tmp_path,
        {
            "steps": {
                "holding": {"message": "On it. Next update by 16:00."},
                "update": {},
                "dm": {"action": "done"},
            }
        },
    )
    asker = Typing(script, ["16:00", "16:30"])
    Walkthrough(incident, asker).run()
    assert len(asker.offered) == 1  # the holding line only
    assert [(p.step, p.promise is not None) for p in incident.state().published] == [
        ("holding", True),
        ("update", False),
        ("dm", False),
    ]
