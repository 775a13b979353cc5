"""The checkpoint keeps what issue 20 added to the fold: early steps, floors, the reply ledger."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from crisiscli.record import events as ev
from crisiscli.record.checkpoint import state_codec
from crisiscli.record.events import Event
from crisiscli.record.fold import replay

T0 = datetime(2026, 11, 30, 20, 30, tzinfo=timezone.utc)


def test_early_steps_floors_and_replies_survive_the_checkpoint() -> None:
    made = [
        ev.incident_opened("t", "moderate", drill=False, playbook={}, version="0"),
        ev.step_early("resume", T0 + timedelta(hours=24), "Board said go"),
        ev.severity_changed("low", was="moderate", reason="troll", floor="high", floor_facts="x"),
        ev.reply_person("r1", "@fly", platform="x", link="https://x.com/1"),
        ev.reply_sent("r1", "Hi", checks="ok"),
        ev.reply_closed("r1", "dm", contact="c1"),
        ev.reply_person("r2", "Dana"),
    ]
    events = [
        Event(f"e{n}", T0 + timedelta(seconds=n), "tester", new.type, new.data)
        for n, new in enumerate(made)
    ]
    state = replay(events)
    codec = state_codec()
    back = codec.decode(json.loads(json.dumps(codec.encode(state))))
    assert back.early == state.early and back.early["resume"].reason == "Board said go"
    assert back.severity_changes == state.severity_changes
    assert back.severity_changes[-1].floor == "high"
    assert repr(back.replies) == repr(state.replies)
    assert [r.unanswered for r in back.replies.values()] == [False, True]


def test_the_recall_turns_survive_the_checkpoint() -> None:
    """A step brought back and deferred again: the fold's recall marks (``turns``,
    ``recalled_turn``, ``phase_recalled``) come back from the checkpoint as replayed."""
    made = [
        ev.incident_opened("t", "moderate", drill=False, playbook={}, version="0"),
        ev.step_entered("halt", "next"),
        ev.step_left("deferred", "halt", "login broken"),
        ev.step_entered("look", "next"),
        ev.step_done("look"),
        ev.step_entered("halt", "recall", "phase"),
        ev.step_left("deferred", "halt", "still broken"),
    ]
    events = [
        Event(f"e{n}", T0 + timedelta(seconds=n), "tester", new.type, new.data)
        for n, new in enumerate(made)
    ]
    state = replay(events)
    halt = state.steps["halt"]
    assert (state.turns, halt.recalled_turn, halt.phase_recalled, halt.revisited) == (
        2,
        2,
        True,
        False,
    )
    codec = state_codec()
    back = codec.decode(json.loads(json.dumps(codec.encode(state))))
    assert back.turns == 2 and repr(back.steps) == repr(state.steps)
