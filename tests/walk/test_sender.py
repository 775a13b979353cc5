"""Issue 26, finding 1: whatever an endpoint does, a command does not wait for it. Deliveries
go to one background sender per CRISIS_HOME; each has one total deadline; a hook's exit
status decides; a failing channel backs off and is mentioned once per command."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from crisiscli.team.notify import outbox
from crisiscli.team.notify.channels import Command, DeliveryError, Webhook
from crisiscli.team.notify.message import Notification
from tests.conftest import FrozenClock, crisis_command, make_env, subprocess_env
from tests.helpers import WebhookServer, configure_webhook, events_of, open_incident
from tests.team.endpoints import BadEndpoint, refusing_url

NOTE = Notification(
    "incident.opened", "incident.opened", datetime(2026, 11, 23, 15, tzinfo=timezone.utc),
    "Incident opened: Test", "Ana opened it.", (("Id", "x"),), "x", "Test", "high", False, "Ana",
)  # fmt: skip


@pytest.fixture
def no_sender_left(crisis_home: Path) -> Iterator[None]:
    """Stop the background sender a test's commands started (it would linger otherwise)."""
    yield
    try:
        from crisiscli.team.notify import worker as sender
    except ImportError:  # before the sender existed
        return
    pid = sender.holder(crisis_home)
    if pid is not None and pid != os.getpid():  # never the test process itself
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)


def test_a_webhook_answering_one_byte_at_a_time_is_cut_at_one_deadline() -> None:
    endpoint = BadEndpoint("trickle", gap=0.4)  # the whole answer would take 16 s
    try:
        started = time.monotonic()
        with pytest.raises(DeliveryError, match="no complete answer within 1 s"):
            Webhook(endpoint.url).send(NOTE, 1.0)
        assert time.monotonic() - started < 3.0  # per read, 1 s would never run out
    finally:
        endpoint.stop()


def test_a_webhook_that_never_answers_is_cut_at_the_deadline_and_let_go() -> None:
    endpoint = BadEndpoint("hang")
    try:
        with pytest.raises(DeliveryError, match="no complete answer"):
            Webhook(endpoint.url).send(NOTE, 0.5)
        for _ in range(50):  # the connection is closed, not left to hang
            if endpoint.closed:
                break
            time.sleep(0.05)
        assert endpoint.closed == 1
    finally:
        endpoint.stop()


def test_a_hook_that_leaves_a_child_running_is_judged_by_its_exit_status() -> None:
    hook = Command(["sh", "-c", "cat >/dev/null; sleep 30 & echo started; exit 0"])
    started = time.monotonic()
    hook.send(NOTE, 5.0)  # delivered: it exited 0 (the child still holds what it inherited)
    assert time.monotonic() - started < 3.0


def _running(pid: int) -> bool:
    """Alive and not a zombie: an orphan killed in a container whose init reaps nothing stays
    a zombie, which ``kill(pid, 0)`` still finds."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: alive as far as we can tell
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def test_a_hook_that_runs_too_long_is_stopped_with_its_children(tmp_path: Path) -> None:
    mark = tmp_path / "child-alive"
    script = f"sleep 30 & echo $! > {mark}.tmp && mv {mark}.tmp {mark}; wait"
    # 2 s: the shell must have started its child under a loaded machine's scheduler
    with pytest.raises(DeliveryError, match=r"did not finish within 2 s"):
        Command(["sh", "-c", script]).send(NOTE, 2.0)
    child = int(mark.read_text().strip())
    for _ in range(40):
        if not _running(child):
            break
        time.sleep(0.05)
    else:
        pytest.fail("the hook's child outlived the hook's deadline")


def _owing_incidents(home: Path, clock: FrozenClock | None, count: int) -> list[str]:
    ids = []
    for n in range(count):
        env = make_env(home, clock=clock) if clock is not None else make_env(home)
        incident = open_incident(env, "mini", title=f"Incident {n}")
        outbox.mark(home, incident.id)  # as the command that opened it left it
        ids.append(incident.id)
    return ids


def test_a_failing_channel_is_tried_once_backs_off_and_is_said_once(
    crisis_home: Path, clock: FrozenClock, cli
) -> None:  # type: ignore[no-untyped-def]
    configure_webhook(crisis_home, refusing_url())
    ids = _owing_incidents(crisis_home, clock, 3)

    def claims() -> int:
        from crisiscli.record.store import find_incident

        env = make_env(crisis_home, clock=clock)
        return sum(
            1 for i in ids for e in events_of(find_incident(env, i)) if e.type == "notify.claimed"
        )

    first = cli("list", clock=clock)
    said = [line for line in first.stderr.splitlines() if "not delivered" in line]
    assert len(said) == 1, first.stderr  # one line for the channel, not one per delivery
    assert "webhook" in said[0] and "secret" not in said[0]
    assert claims() == 1  # one delivery probed the channel; the others wait for it
    clock.advance(3)
    second = cli("list", clock=clock)
    assert len([x for x in second.stderr.splitlines() if "not delivered" in x]) == 1
    assert claims() == 1  # backing off: this command did not try again
    clock.advance(15)
    cli("list", clock=clock)
    assert claims() == 2  # its next try came: one probe again


def test_a_command_does_not_wait_for_a_webhook_that_never_answers(
    crisis_home: Path, no_sender_left: None
) -> None:
    endpoint = BadEndpoint("hang")
    try:
        configure_webhook(crisis_home, endpoint.url)
        _owing_incidents(crisis_home, None, 3)
        started = time.monotonic()
        done = subprocess.run(
            [*crisis_command(), "list"], env=subprocess_env(crisis_home), capture_output=True,
            timeout=60, check=False,
        )  # fmt: skip
        took = time.monotonic() - started
        assert done.returncode == 0, done.stderr
        # Nothing waited on the endpoint: no connection was given up by the command (the
        # sender, in the background, still holds its one open request).
        assert endpoint.closed == 0
        assert took < 5.0, took
        for _ in range(100):
            if endpoint.accepted:
                break
            time.sleep(0.05)
        assert endpoint.accepted == 1  # the sender's probe; the other deliveries wait for it
    finally:
        endpoint.stop()


def test_the_background_sender_delivers_after_the_command_returned(
    crisis_home: Path, no_sender_left: None
) -> None:
    server = WebhookServer().start()
    try:
        configure_webhook(crisis_home, server.url)
        env = subprocess_env(crisis_home)
        open_incident(make_env(crisis_home), "mini")  # the latest incident
        done = subprocess.run(
            [*crisis_command(), "severity", "high", "--reason", "press"], env=env,
            capture_output=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        for _ in range(200):
            if "severity.changed" in server.kinds():
                break
            time.sleep(0.05)
        assert "severity.changed" in server.kinds()
        for _ in range(200):
            if not (crisis_home / outbox.OUTBOX).is_dir():
                break
            time.sleep(0.05)
        assert not (crisis_home / outbox.OUTBOX).is_dir()
    finally:
        server.stop()


def test_one_sender_per_home(crisis_home: Path) -> None:
    from crisiscli.team.notify import worker as sender

    with sender.holding_lock(crisis_home) as held:
        assert held and sender.running(crisis_home)
        assert sender.holder(crisis_home) == os.getpid()
        with sender.holding_lock(crisis_home) as again:
            assert not again
        # A second sender started now finds the lock taken and leaves at once.
        done = subprocess.run(
            [sys.executable, "-m", "crisiscli.walk.sender", str(crisis_home)],
            env=subprocess_env(crisis_home), timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 0
    assert not sender.running(crisis_home)


def test_a_sender_that_breaks_down_is_said_by_the_next_command(
    crisis_home: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch, cli
) -> None:  # type: ignore[no-untyped-def]
    from crisiscli.walk import notifier
    from crisiscli.walk.sender import main

    configure_webhook(crisis_home, refusing_url())
    _owing_incidents(crisis_home, clock, 1)

    def broken(env: object) -> bytes:
        raise RuntimeError("the disk said no")

    monkeypatch.setattr(notifier, "run_sender", broken)
    assert main([str(crisis_home)]) == 1
    said = cli("list", clock=clock).stderr
    assert "background sender stopped (RuntimeError: the disk said no)" in said


def test_a_hook_leaving_a_child_runs_once_per_notification(
    crisis_home: Path, clock: FrozenClock, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    """Issue 26.1: `sleep 20 &` in a hook made it "fail" (read to end of file) and every
    command ran it again: 8 runs of one incident.opened after 4 commands."""
    import json

    runs = tmp_path / "runs.txt"
    argv = ["sh", "-c", f"cat >/dev/null; echo run >> {runs}; sleep 20 & exit 0"]
    crisis_home.mkdir(parents=True, exist_ok=True)
    (crisis_home / "config.toml").write_text(
        f"[notify]\ncommand = {json.dumps(argv)}\n", encoding="utf-8"
    )
    _owing_incidents(crisis_home, clock, 1)
    for _ in range(4):
        result = cli("list", clock=clock)
        assert "not delivered" not in result.stderr, result.stderr
        clock.advance(20)
    assert runs.read_text().splitlines() == ["run"]
