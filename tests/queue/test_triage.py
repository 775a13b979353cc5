"""`crisis queue decide`: scripted and interactive decisions, replay, the log, and kill -9."""

from __future__ import annotations

import json
import os
import signal
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from crisiscli.env import Environment
from crisiscli.record.events import Event
from crisiscli.record.store import list_incidents
from tests.conftest import FrozenClock, crisis_command, make_env, subprocess_env
from tests.helpers import assert_renders_literally, events_of, open_incident

QUEUE = Path(__file__).resolve().parents[1] / "fixtures" / "queue"
UTC = timezone.utc
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


@pytest.fixture
def queued(cli, crisis_home: Path) -> list[str]:  # type: ignore[no-untyped-def]
    """An incident with the Sprout fixture imported; returns the post ids, soonest first."""
    open_incident(make_env(crisis_home, clock=FrozenClock(NOW)))
    result = cli(
        "queue", "import", str(QUEUE / "sprout.csv"), "--tz", "UTC", clock=FrozenClock(NOW)
    )
    assert result.exit_code == 0, result.stderr
    listing = json.loads(cli("queue", "--json", clock=FrozenClock(NOW)).stdout)
    return [p["id"] for p in listing]


def incident_state(home: Path):  # type: ignore[no-untyped-def]
    return list_incidents(Environment(home=home))[-1].state()


def decided_events(home: Path) -> list[Event]:
    return [
        e
        for e in events_of(list_incidents(Environment(home=home))[-1])
        if e.type == "queue.decided"
    ]


def decide(cli, *args: str):  # type: ignore[no-untyped-def]
    return cli("queue", "decide", *args, "--tz", "UTC", clock=FrozenClock(NOW))


def test_non_interactive_decisions_are_journaled(cli, queued, crisis_home):  # type: ignore[no-untyped-def]
    keep, cancel, move = queued
    assert decide(cli, keep, "keep", "--reason", "Menu news, harmless").exit_code == 0
    assert decide(cli, cancel[:4], "cancel", "--reason", "Too playful today").exit_code == 0
    result = decide(cli, move, "reschedule", "--to", "2026-11-26 09:00", "--reason", "After")
    assert result.exit_code == 0, result.stderr
    assert "reschedule to Thu 26 Nov 09:00 UTC" in result.stdout
    state = incident_state(crisis_home)
    assert [(p.decision, p.reason) for p in state.queue.values()] == [
        ("keep", "Menu news, harmless"),
        ("cancel", "Too playful today"),
        ("reschedule", "After"),
    ]
    assert state.queue[move].new_time == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    log = cli("log").stdout
    assert "## Scheduled posts" in log
    assert "| Too playful today |" in log
    assert "reschedule to 2026-11-26 09:00:00 UTC" in log
    assert f"Scheduled post {cancel}: cancel — Too playful today" in log


def test_decision_errors(cli, queued):  # type: ignore[no-untyped-def]
    post = queued[0]
    result = decide(cli, post, "keep")
    assert result.exit_code == 2 and "needs a reason" in result.stderr
    result = decide(cli, post, "delete", "--reason", "x")
    assert result.exit_code == 2 and "keep, cancel or reschedule" in result.stderr
    result = decide(cli, post, "reschedule", "--reason", "x")
    assert result.exit_code == 2 and "needs the new time" in result.stderr
    result = decide(cli, post, "reschedule", "--reason", "x", "--to", "2026-11-01 09:00")
    assert result.exit_code == 2 and "in the past" in result.stderr
    result = decide(cli, "qzzzzzz", "keep", "--reason", "x")
    assert result.exit_code == 4 and "no scheduled post 'qzzzzzz'" in result.stderr


def test_no_terminal_and_no_arguments_says_what_to_use(cli, queued):  # type: ignore[no-untyped-def]
    result = decide(cli)
    assert result.exit_code == 6
    assert "not a terminal" in result.stderr
    assert "crisis queue decide POST_ID keep|cancel|reschedule" in result.stderr
    assert "--answers FILE" in result.stderr


def test_answers_file_decides_many_and_is_idempotent(cli, queued, crisis_home, tmp_path):  # type: ignore[no-untyped-def]
    a, b, c = queued
    path = tmp_path / "decisions.yaml"
    path.write_text(
        "decisions:\n"
        f"  {a}: {{decision: keep, reason: fine}}\n"
        f"  {b}:\n    decision: cancel\n    reason: 'no: jokes today'\n"
        f"  {c}: {{decision: reschedule, reason: later, to: '2026-11-25 10:00'}}\n",
        encoding="utf-8",
    )
    result = decide(cli, "--answers", str(path))
    assert result.exit_code == 0, result.stderr
    assert "Recorded 3 decision(s)" in result.stdout
    again = decide(cli, "--answers", str(path))
    assert "Recorded 0 decision(s)" in again.stdout
    state = incident_state(crisis_home)
    assert state.queue[b].reason == "no: jokes today"
    decided = decided_events(crisis_home)
    assert len(decided) == 3


def test_answers_file_errors_name_line_and_record_nothing(cli, queued, crisis_home, tmp_path):  # type: ignore[no-untyped-def]
    a, b, _ = queued
    path = tmp_path / "decisions.yaml"
    path.write_text(
        f"decisions:\n  {a}: {{decision: keep, reason: fine}}\n  {b}: {{decision: nuke, reason: x}}\n",
        encoding="utf-8",
    )
    result = decide(cli, "--answers", str(path))
    assert result.exit_code == 3
    assert result.stderr.startswith(f"crisis: error: {path}:3:3: decision must be keep")
    assert not decided_events(crisis_home)


def test_later_decision_replaces_earlier(cli, queued, crisis_home):  # type: ignore[no-untyped-def]
    post = queued[0]
    decide(cli, post, "keep", "--reason", "first thought")
    decide(cli, post, "cancel", "--reason", "second thought")
    state = incident_state(crisis_home)
    assert state.queue[post].decision == "cancel"
    assert [h[2] for h in state.queue[post].history] == ["keep", "cancel"]


# -- interactive, with kill -9 in the middle ------------------------------------------------


def _spawn(home: Path):  # type: ignore[no-untyped-def]
    pexpect = pytest.importorskip("pexpect")
    command = crisis_command()
    from tests.e2e.driver import guarded

    return guarded(
        pexpect.spawn(
            command[0],
            [*command[1:], "queue", "decide"],
            env=subprocess_env(home),
            encoding="utf-8",
            timeout=20,
            dimensions=(40, 100),
        )
    )


def _decide_one(child, key: str, reason: str, to: str | None = None) -> str:  # type: ignore[no-untyped-def]
    child.expect(r"Post (q[0-9a-f]{6}) ")
    post = child.match.group(1)
    child.expect("Decision for this post")
    child.send(key)
    child.send("\r")
    if to is not None:
        child.expect("New time")
        child.sendline(to)
    child.expect("Reason")
    child.sendline(reason)
    child.expect(f"Recorded: {post}")
    return str(post)


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals and SIGKILL are POSIX")
def test_decisions_survive_kill_9_and_rerun_asks_only_the_rest(cli, crisis_home, tmp_path):  # type: ignore[no-untyped-def]
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    rows = [(now + timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M:00Z") for h in (1, 2, 3, 4)]
    path = tmp_path / "export.csv"
    path.write_text(
        "Scheduled at,Message\n" + "".join(f"{r},Post number {i}\n" for i, r in enumerate(rows)),
        encoding="utf-8",
    )
    open_incident(make_env(crisis_home))
    assert cli("queue", "import", str(path)).exit_code == 0

    child = _spawn(crisis_home)
    first = _decide_one(child, "c", "Too cheerful for today")
    second = _decide_one(child, "r", "After the statement", to="5h")
    child.expect(r"Post (q[0-9a-f]{6}) ")  # the third is on screen, undecided
    third = str(child.match.group(1))
    child.expect("Decision for this post")
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.signalstatus == signal.SIGKILL

    state = incident_state(crisis_home)
    assert state.queue[first].decision == "cancel"
    assert state.queue[second].decision == "reschedule"
    assert state.queue[third].decision is None

    child = _spawn(crisis_home)
    child.expect(r"Post (q[0-9a-f]{6}) .* 2 undecided")
    assert child.match.group(1) == third
    asked = [third]
    _answer_current(child, "k", "Service notice")
    fourth = _decide_one(child, "c", "Not today")
    asked.append(fourth)
    child.expect("2 decision\\(s\\) recorded")
    child.expect(pexpect_eof())
    assert first not in asked and second not in asked
    state = incident_state(crisis_home)
    assert {p.decision for p in state.queue.values()} == {"cancel", "reschedule", "keep"}
    assert all(p.decision for p in state.queue.values())
    assert state.queue[first].reason == "Too cheerful for today"
    decided = [e.data["post"] for e in decided_events(crisis_home)]
    assert len(decided) == len(set(decided)) == 4  # nothing asked (or recorded) twice


def _answer_current(child, key: str, reason: str) -> None:  # type: ignore[no-untyped-def]
    child.expect("Decision for this post")
    child.send(key)
    child.send("\r")
    child.expect("Reason")
    child.sendline(reason)
    child.expect("Recorded: ")


def pexpect_eof():  # type: ignore[no-untyped-def]
    import pexpect

    return pexpect.EOF


def test_listing_and_log_keep_user_text_inert(cli, crisis_home, tmp_path):  # type: ignore[no-untyped-def]
    open_incident(make_env(crisis_home, clock=FrozenClock(NOW)))
    path = tmp_path / "evil.csv"
    path.write_text(
        'Date,Message,Platform\n2026-11-23 18:00,"**Big** | [link](http://x) \x1b[31mred",x|y\n',
        encoding="utf-8",
    )
    result = cli("queue", "import", str(path), "--tz", "UTC", clock=FrozenClock(NOW))
    assert result.exit_code == 0, result.stderr
    assert "\x1b[31m" not in result.stdout and "\\x1b[31m" in result.stdout
    post = json.loads(cli("queue", "--json", clock=FrozenClock(NOW)).stdout)[0]["id"]
    decide(cli, post, "cancel", "--reason", "<b>no</b> | really")
    log = cli("log").stdout
    row = next(line for line in log.splitlines() if line.startswith(f"| `{post}`"))
    assert row.count(" | ") == 6  # the table keeps its seven cells
    assert_renders_literally(log, "**Big** | [link](http://x)")
    assert_renders_literally(log, "<b>no</b> | really")
    assert "\x1b" not in log
    listing = cli("queue", clock=FrozenClock(NOW))
    assert "cancel (<b>no</b> | really)" in listing.stdout
    assert "Every imported post has a decision." in listing.stdout
