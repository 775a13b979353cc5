"""Notifications: each kind reaches a webhook on 127.0.0.1 with the documented payload,
once per channel however many terminals run, recorded in the journal, retried when the
channel was down, and never at the cost of a command or a secret."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from crisiscli.record import events as ev
from crisiscli.record.store import Incident, find_incident
from crisiscli.team.notify import outbox
from crisiscli.walk import notifier
from crisiscli.walk.notifier import Notifier, send_round, settings_of
from tests.conftest import FrozenClock, crisis_command, make_env, subprocess_env
from tests.helpers import WebhookServer, at, configure_webhook, events_of, open_incident

SORRY = hashlib.sha256(b"We are sorry.").hexdigest()  # the version asked about


@pytest.fixture
def server() -> Iterator[WebhookServer]:
    hook = WebhookServer().start()
    yield hook
    hook.stop()


@pytest.fixture
def incident(crisis_home: Path, server: WebhookServer, clock: FrozenClock) -> Incident:
    configure_webhook(crisis_home, server.url)
    return open_incident(make_env(crisis_home, clock=clock), "mini", severity="moderate")


def deliver(incident: Incident) -> notifier.Round:
    return send_round(incident, settings_of(incident.env), retry_now=True, timeout=3)


def test_every_kind_reaches_the_webhook_with_the_documented_payload(
    incident: Incident, server: WebhookServer, clock: FrozenClock
) -> None:
    deliver(incident)  # incident.opened
    clock.now = at(2)
    incident.record(ev.severity_changed("high", reason="press picked it up"))
    deliver(incident)
    clock.now = at(13)  # "Look first" is due at 15:15: two minutes away
    deliver(incident)
    clock.now = at(16)  # … and now it has passed
    deliver(incident)
    clock.now = at(17)
    incident.record(
        ev.step_entered("statement", "next"),
        ev.message_recorded("statement", "We are sorry.", ["x"], "statement"),
        ev.approval_requested(
            "statement", "Dana", text="We are sorry.", digest=SORRY, platforms=["x"]
        ),
    )
    deliver(incident)  # approval.requested
    clock.now = at(18)
    incident.record(ev.approval_decided("statement", "approve", digest=SORRY, approver="Dana"))
    clock.now = at(19)
    incident.record(ev.handoff_recorded("brief", {"overdue": 1}, to="Sam"))
    clock.now = at(20)
    incident.record(ev.incident_closed("Calm again"))
    deliver(incident)
    assert server.kinds() == [
        "incident.opened",
        "severity.changed",
        "deadline.soon",
        "deadline.passed",
        "approval.requested",
        "approval.decided",
        "handoff",
        "incident.closed",
    ]
    for body in server.bodies:
        check_payload(body)
    passed = next(b for b in server.bodies if b["crisis"]["kind"] == "deadline.passed")
    assert passed["text"] == "Overdue: Look first — Test incident"
    assert passed["crisis"]["key"] == "deadline.passed:step:look"
    assert {"title": "Due", "value": "15:15 UTC", "short": True} in passed["attachments"][0][
        "fields"
    ]


def check_payload(body: dict[str, object]) -> None:
    """The body docs/notify.md documents: text; one attachment that is both a Slack or
    Mattermost attachment and a Teams Adaptive Card; and crisis's own object."""
    assert isinstance(body["text"], str) and body["text"]
    assert "type" not in body  # Mattermost refuses a post type it does not know
    (attachment,) = body["attachments"]  # type: ignore[misc]
    for key in ("fallback", "color", "title", "text", "fields", "contentType", "content"):
        assert key in attachment, key
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.2"
    assert [b["type"] for b in card["body"]] == ["TextBlock", "TextBlock", "FactSet"]
    assert all(set(f) == {"title", "value", "short"} for f in attachment["fields"])
    crisis = body["crisis"]
    assert isinstance(crisis, dict)
    assert set(crisis) == {"format", "key", "kind", "at", "title", "text", "fields", "incident"}
    assert set(crisis["incident"]) == {"id", "title", "severity", "drill"}


def test_each_delivery_is_recorded_and_not_sent_again(
    incident: Incident, server: WebhookServer
) -> None:
    deliver(incident)
    deliver(incident)
    assert server.kinds() == ["incident.opened"]
    kinds = [e.type for e in events_of(incident) if e.type.startswith("notify.")]
    assert kinds == ["notify.claimed", "notify.delivered"]
    assert not (incident.env.home / outbox.OUTBOX).is_dir()


def test_two_terminals_send_each_notification_once(
    crisis_home: Path, server: WebhookServer, clock: FrozenClock
) -> None:
    configure_webhook(crisis_home, server.url)
    first = open_incident(make_env(crisis_home, clock=clock), "mini")
    terminals = [find_incident(make_env(crisis_home, clock=clock), first.id) for _ in range(6)]
    clock.now = at(16)  # the first deadline has passed: one more notification
    gate = threading.Barrier(len(terminals))

    def run(incident: Incident) -> None:
        gate.wait()
        send_round(incident, settings_of(incident.env), retry_now=False, timeout=3)

    threads = [threading.Thread(target=run, args=(t,)) for t in terminals]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(server.keys()) == ["deadline.passed:step:look", "incident.opened"]


def test_processes_racing_send_each_notification_once(
    crisis_home: Path, server: WebhookServer, clock: FrozenClock
) -> None:
    """Real processes (terminals) at once: `crisis notify` six times in parallel."""
    configure_webhook(crisis_home, server.url)
    inc = open_incident(make_env(crisis_home), "mini")  # the real clock, as the processes have
    inc.record(ev.severity_changed("high"), ev.handoff_recorded("b", {}, to="Sam"))
    procs = [
        subprocess.Popen(
            [*crisis_command(), "notify", inc.id],
            env=subprocess_env(crisis_home),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(6)
    ]
    for p in procs:
        p.wait(60)
        assert p.returncode == 0
    keys = server.keys()
    assert len(keys) == len(set(keys)) and len(keys) >= 3, keys  # opened, re-grade, handoff


def test_a_channel_down_warns_and_the_next_command_delivers(
    crisis_home: Path, server: WebhookServer, clock: FrozenClock, cli
) -> None:  # type: ignore[no-untyped-def]
    configure_webhook(crisis_home, server.url)
    inc = open_incident(make_env(crisis_home, clock=clock), "mini")
    deliver(inc)
    server.stop()
    clock.now = at(1)
    result = cli("severity", "high", "--reason", "press", clock=clock)
    assert result.exit_code == 0, result.stderr
    assert "not delivered" in result.stderr and "sent in the background" in result.stderr
    assert "secretsecret" not in result.stderr  # the webhook shows as its host, never in full
    assert (crisis_home / outbox.OUTBOX).is_dir()
    server.start()
    clock.now = at(2)
    noted = cli("note", "Legal is on the call", clock=clock)
    assert noted.exit_code == 0 and noted.stderr == ""
    assert server.kinds() == ["incident.opened", "severity.changed"]
    assert not (crisis_home / outbox.OUTBOX).is_dir()
    failed = [e for e in events_of(inc) if e.type == "notify.failed"]
    assert [e.data["attempt"] for e in failed] == [1]
    assert [e.data["attempt"] for e in events_of(inc) if e.type == "notify.delivered"][-1] == 2


def test_a_claim_left_by_a_crash_is_sent_again_after_a_while(
    incident: Incident, server: WebhookServer, clock: FrozenClock
) -> None:
    """At least once: a process that died after claiming leaves no outcome; after CLAIM_TTL
    another one sends it (once), rather than letting it be lost."""
    channel = settings_of(incident.env).channels[0]
    incident.record(
        ev.notify_claimed(
            "incident.opened", channel.id, kind="incident.opened", attempt=1, text="t", label="l"
        )
    )
    clock.now = at(1)
    deliver(incident)
    assert server.kinds() == []  # someone is sending it right now
    clock.now = at(1) + notifier.CLAIM_TTL + timedelta(seconds=1)
    deliver(incident)
    deliver(incident)
    assert server.kinds() == ["incident.opened"]


def test_a_delivery_that_never_works_is_given_up_loudly(
    incident: Incident, server: WebhookServer, clock: FrozenClock
) -> None:
    server.stop()
    for attempt in range(notifier.MAX_ATTEMPTS + 1):
        clock.now = at(attempt)
        deliver(incident)
    state = incident.state()
    (notice,) = state.notices.values()
    assert notice.status == "given_up" and notice.attempt == notifier.MAX_ATTEMPTS
    assert any("given up" in w for w in incident.env.warnings)
    assert not (incident.env.home / outbox.OUTBOX).is_dir()


def test_old_news_is_not_sent_to_a_channel_configured_later(
    crisis_home: Path, server: WebhookServer, clock: FrozenClock
) -> None:
    inc = open_incident(make_env(crisis_home, clock=clock), "mini")  # no channel yet
    clock.now = at(61)
    inc.record(ev.severity_changed("high"))
    configure_webhook(crisis_home, server.url)
    deliver(inc)
    # The opening is an hour old: not sent for the first time. What is still news is.
    assert sorted(server.keys()) == [
        "deadline.passed:step:look",
        "deadline.passed:step:reply",
        "deadline.passed:step:statement",
        f"severity.changed:{at(61).isoformat()}",
    ]


def test_only_the_configured_kinds_are_sent(
    crisis_home: Path, server: WebhookServer, clock: FrozenClock
) -> None:
    configure_webhook(crisis_home, server.url, kinds='["handoff"]')
    inc = open_incident(make_env(crisis_home, clock=clock), "mini")
    inc.record(ev.severity_changed("high"), ev.handoff_recorded("b", {}))
    deliver(inc)
    assert server.kinds() == ["handoff"]


def test_a_user_hook_gets_the_event_on_stdin_without_a_shell(
    crisis_home: Path, clock: FrozenClock, tmp_path: Path
) -> None:
    out = tmp_path / "got.json"
    script = tmp_path / "hook.py"
    script.write_text(
        "import sys, pathlib\npathlib.Path(sys.argv[1]).write_text(sys.stdin.read() + sys.argv[2])\n",
        encoding="utf-8",
    )
    crisis_home.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, str(script), str(out), "; touch pwned $(id)"]
    (crisis_home / "config.toml").write_text(
        f"[notify]\ncommand = {json.dumps(argv)}\n", encoding="utf-8"
    )
    inc = open_incident(make_env(crisis_home, clock=clock), "mini")
    deliver(inc)
    text = out.read_text(encoding="utf-8")
    assert text.endswith("; touch pwned $(id)")  # one argument, passed as it is
    event = json.loads(text.removesuffix("; touch pwned $(id)"))
    assert (event["kind"], event["incident"]["id"]) == ("incident.opened", inc.id)
    assert not (tmp_path / "pwned").exists()


def test_a_failing_hook_is_a_warning_with_its_words(crisis_home: Path, clock: FrozenClock) -> None:
    crisis_home.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-c", "import sys; sys.exit('the pager is down')"]
    (crisis_home / "config.toml").write_text(
        f"[notify]\ncommand = {json.dumps(argv)}\n", encoding="utf-8"
    )
    inc = open_incident(make_env(crisis_home, clock=clock), "mini")
    (outcome,) = deliver(inc).outcomes
    assert outcome.error == "exit status 1: the pager is down"


def test_the_webhook_secret_is_never_written_down(
    incident: Incident, server: WebhookServer, clock: FrozenClock, cli
) -> None:  # type: ignore[no-untyped-def]
    deliver(incident)
    server.stop()
    clock.now = at(3)
    incident.record(ev.handoff_recorded("b", {}))
    deliver(incident)  # fails: its reason is recorded too
    home = incident.env.home
    outputs = [
        cli("status", clock=clock).stdout,
        cli("report", incident.id, "--format", "json", clock=clock).stdout,
        cli("report", incident.id, "--format", "md", clock=clock).stdout,
        cli("config", clock=clock).stdout,
        cli("config", "--json", clock=clock).stdout,
        cli("config", "get", "notify.webhook", clock=clock).stdout,
        cli("log", incident.id, "--full", clock=clock).stdout,
        cli("watch", incident.id, "--once", "--json", clock=clock).stdout,
    ]
    written = [p.read_text("utf-8", "replace") for p in incident.dir.iterdir() if p.is_file()]
    for text in [*outputs, *written]:
        assert "secretsecret" not in text
        assert "T0001/B0002" not in text
    assert "…cret" in cli("config", "get", "notify.webhook").stdout
    assert (home / "config.toml").read_text().count("secretsecret") == 1  # only where it lives


def test_the_walk_through_bell_rings_once_for_a_deadline_passing(
    incident: Incident, clock: FrozenClock
) -> None:
    rings: list[int] = []
    watcher = Notifier(
        incident, settings_of(incident.env), bell=lambda: rings.append(1), derived=True,
        skip_own=True,
    )  # fmt: skip
    watcher.tick()  # what is already so rings nothing
    clock.now = at(14)
    watcher.tick()  # "Look first" two minutes away
    clock.now = at(16)
    watcher.tick()  # passed
    watcher.tick()
    assert rings == [1, 1]
    incident.record(ev.severity_changed("high"))  # this person did it: no bell for them
    watcher.tick()
    assert rings == [1, 1]
