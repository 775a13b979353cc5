"""`crisis contact`: the off-platform log, follow-ups in status and in every step view."""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone
from pathlib import Path

from crisiscli.env import Environment
from crisiscli.record.events import NewEvent
from crisiscli.record.fold import replay
from crisiscli.record.journal import Event
from crisiscli.record.store import list_incidents
from crisiscli.team.contacts import open_follow_ups
from crisiscli.ui.screens import make_console, show_step
from crisiscli.walk.engine import Walkthrough
from crisiscli.walk.prompter import StepView
from tests.conftest import FrozenClock, make_env
from tests.helpers import answers_from, assert_renders_literally, open_incident

UTC = timezone.utc
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def contact(cli, *args: str, clock: FrozenClock | None = None):  # type: ignore[no-untyped-def]
    return cli("contact", *args, clock=clock or FrozenClock(NOW))


def test_add_list_done_and_log(cli, crisis_home):  # type: ignore[no-untyped-def]
    open_incident(make_env(crisis_home, clock=FrozenClock(NOW)))
    result = contact(
        cli, "add", "--who", "@fly_in_soup", "--channel", "dm", "--outcome", "no-answer",
        "--follow-up", "2h", "--note", "Sent an invitation to talk by DM",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "Logged contact c1" in result.stdout
    result = contact(
        cli, "add", "--who", "Group admin", "--channel", "mutual-contact", "--outcome", "talked"
    )
    assert result.exit_code == 0
    listing = contact(cli, "list", "--tz", "UTC")
    assert "c1" in listing.stdout and "via a mutual contact" in listing.stdout
    assert "Mon 23 Nov 17:00 UTC (in 2h 00m)" in listing.stdout
    data = json.loads(contact(cli, "list", "--json").stdout)
    assert [c["id"] for c in data] == ["c1", "c2"]
    assert data[0]["follow_up_due"] == "2026-11-23T17:00:00+00:00"
    assert data[1]["follow_up_due"] is None

    done = contact(cli, "done", "c1")
    assert done.exit_code == 0 and "marked done" in done.stdout
    again = contact(cli, "done", "c1")
    assert again.exit_code == 5
    missing = contact(cli, "done", "c9")
    assert missing.exit_code == 4

    log = cli("log").stdout
    assert "## Contacts" in log
    assert "| c1 |" in log
    assert_renders_literally(log, "@fly_in_soup")
    assert "Followed up contact c1" in log


def test_bad_channel_outcome_and_follow_up(cli, crisis_home):  # type: ignore[no-untyped-def]
    open_incident(make_env(crisis_home, clock=FrozenClock(NOW)))
    base = ["add", "--who", "x"]
    r = contact(cli, *base, "--channel", "pigeon", "--outcome", "talked")
    assert r.exit_code == 2 and "dm, email, phone, mutual-contact, in-person" in r.stderr
    r = contact(cli, *base, "--channel", "dm", "--outcome", "meh")
    assert r.exit_code == 2 and "no-answer, refused, talked, resolved" in r.stderr
    r = contact(cli, *base, "--channel", "dm", "--outcome", "talked", "--follow-up", "someday")
    assert r.exit_code == 2 and "cannot read follow-up 'someday'" in r.stderr
    r = contact(
        cli, *base, "--channel", "dm", "--outcome", "talked", "--follow-up", "2020-01-01 10:00"
    )
    assert r.exit_code == 2 and "in the past" in r.stderr


def test_open_follow_ups_in_status(cli, crisis_home):  # type: ignore[no-untyped-def]
    open_incident(make_env(crisis_home, clock=FrozenClock(NOW)))
    contact(cli, "add", "--who", "Ana", "--channel", "phone", "--outcome", "no-answer",
            "--follow-up", "30m")  # fmt: skip
    contact(cli, "add", "--who", "Bo", "--channel", "email", "--outcome", "refused",
            "--follow-up", "3h")  # fmt: skip
    later = FrozenClock(datetime(2026, 11, 23, 16, 0, tzinfo=UTC))
    status = cli("status", clock=later)
    assert status.exit_code == 0
    assert "FOLLOW UP OVERDUE: Ana (phone) 30m late — crisis contact done c1" in status.stdout
    assert "follow up: Bo (email) in 2h 00m — crisis contact done c2" in status.stdout
    data = json.loads(cli("status", "--json", clock=later).stdout)
    assert [(f["contact"], f["overdue"]) for f in data["follow_ups"]] == [
        ("c1", True),
        ("c2", False),
    ]
    contact(cli, "done", "c1", clock=later)
    status = cli("status", clock=later)
    assert "Ana" not in status.stdout and "Bo (email)" in status.stdout


def test_follow_ups_show_at_every_later_step(crisis_home, tmp_path):  # type: ignore[no-untyped-def]
    clock = FrozenClock(NOW)
    env = make_env(crisis_home, clock=clock)
    incident = open_incident(env)
    incident.record(
        NewEvent(
            "contact.logged",
            {
                "id": "c1",
                "who": "@fly_in_soup",
                "channel": "dm",
                "outcome": "no-answer",
                "follow_up_due": "2026-11-23T15:30:00+00:00",
            },
        )
    )
    seen: list[StepView] = []

    from crisiscli.walk.answers import ScriptedPrompter

    class Recording(ScriptedPrompter):
        def show_step(self, view: StepView) -> None:
            seen.append(view)
            clock.advance(20 * 60)  # each step takes twenty minutes
            super().show_step(view)

    script = answers_from(
        tmp_path,
        {
            "inputs": {"brand": "Acme", "source": "ours"},
            "default": "done",
            "steps": {
                "look": {"answers": {"reach": "wide", "threat": False}},
                "statement": {"message": "Sorry.", "approver": "Dana"},
            },
        },
    )
    Walkthrough(incident, Recording(script)).run()
    assert len(seen) >= 3
    assert all(v.follow_ups and v.follow_ups[0].contact_id == "c1" for v in seen)
    assert not seen[0].follow_ups[0].overdue
    assert seen[-1].follow_ups[0].overdue

    buffer = io.StringIO()
    show_step(make_console(buffer, is_tty=False), seen[-1], clear=False)
    screen = buffer.getvalue()
    assert "FOLLOW UP @fly_in_soup (dm, no-answer)" in screen
    assert "crisis contact done c1" in screen


def test_follow_up_text_cannot_drive_the_terminal(crisis_home):  # type: ignore[no-untyped-def]
    clock = FrozenClock(NOW)
    incident = open_incident(make_env(crisis_home, clock=clock))
    incident.record(NewEvent("contact.logged", {"id": "c1", "who": "[bold]x\x1b[2J", "channel": "dm", "outcome": "talked",
         "follow_up_due": "2026-11-23T16:00:00+00:00"}))  # fmt: skip
    from crisiscli.walk.answers import ScriptedPrompter

    views: list[StepView] = []

    class Once(ScriptedPrompter):
        def show_step(self, view: StepView) -> None:
            views.append(view)
            raise KeyboardInterrupt

    import contextlib

    from tests.helpers import answers_from as _answers

    with contextlib.suppress(KeyboardInterrupt):
        Walkthrough(
            incident,
            Once(_answers(Path(incident.dir), {"inputs": {"brand": "Acme", "source": "ours"}})),
        ).run()
    buffer = io.StringIO()
    show_step(make_console(buffer, is_tty=True), views[0], clear=False)
    assert "\x1b[2J" not in buffer.getvalue()
    assert "[bold]x\\x1b[2J" in buffer.getvalue()


def test_replay_keeps_both_contacts_when_two_terminals_pick_one_number():  # type: ignore[no-untyped-def]
    def ev(n: int, kind: str, data: dict) -> Event:  # type: ignore[type-arg]
        return Event(f"e{n}", datetime(2026, 11, 23, 15, n, tzinfo=UTC), "t", kind, data)

    state = replay(
        [
            ev(1, "contact.logged", {"id": "c1", "who": "A", "channel": "dm", "outcome": "talked"}),
            ev(
                2,
                "contact.logged",
                {
                    "id": "c1",
                    "who": "B",
                    "channel": "dm",
                    "outcome": "talked",
                    "follow_up_due": "2026-11-23T18:00:00+00:00",
                },
            ),
            ev(3, "contact.followed_up", {"id": "c1"}),
        ]
    )
    assert [(c.id, c.who) for c in state.contacts.values()] == [("c1", "A"), ("c1-2", "B")]
    assert open_follow_ups(state, NOW)[0].contact_id == "c1-2"


def test_contact_events_do_not_unpause(cli, crisis_home):  # type: ignore[no-untyped-def]
    incident = open_incident(make_env(crisis_home, clock=FrozenClock(NOW)))
    incident.record(NewEvent("session.paused", {}))
    contact(cli, "add", "--who", "A", "--channel", "dm", "--outcome", "talked")
    env = Environment(home=crisis_home)
    assert list_incidents(env)[-1].state().paused
