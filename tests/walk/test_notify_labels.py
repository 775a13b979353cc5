"""Issue 22, finding 6: a channel is named by the name the team gives it; its URL stays in
config.toml; delivery bookkeeping stays out of log.md and the report's timeline, summed up
in one line per channel."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from crisiscli.record import events as ev
from crisiscli.walk.notifier import send_round, settings_of
from tests.conftest import FrozenClock, make_env
from tests.helpers import WebhookServer, at, events_of, open_incident


@pytest.fixture
def server() -> Iterator[WebhookServer]:
    hook = WebhookServer().start()
    yield hook
    hook.stop()


def test_named_channels_in_the_journal_and_one_summary_line_in_log_and_report(
    crisis_home: Path, server: WebhookServer, clock: FrozenClock, cli
) -> None:  # type: ignore[no-untyped-def]
    set_hook = cli("config", "set", "notify.webhook.team-chat", server.url)
    assert set_hook.exit_code == 0, set_hook.stderr
    incident = open_incident(make_env(crisis_home, clock=clock), "mini")
    settings = settings_of(incident.env)
    assert [c.label for c in settings.channels] == ["team-chat"]
    send_round(incident, settings, retry_now=True, timeout=3)
    server.stop()
    clock.now = at(2)
    incident.record(ev.severity_changed("high", reason="press"))
    send_round(incident, settings_of(incident.env), retry_now=True, timeout=3)
    notices = [e for e in events_of(incident) if e.type.startswith("notify.")]
    assert {e.data["label"] for e in notices} == {"team-chat"}
    port = str(server.port)
    journal = incident.journal.path.read_text(encoding="utf-8")
    assert "127.0.0.1" not in journal and port not in journal and "cret" not in journal
    log = cli("log", incident.id, "--full", clock=clock).stdout
    written = incident.log_path.read_text(encoding="utf-8")
    md = cli("report", incident.id, clock=clock).stdout
    data = json.loads(cli("report", incident.id, "--format", "json", clock=clock).stdout)
    for text in (log, written, md, json.dumps(data)):
        assert "127.0.0.1" not in text and "…cret" not in text
        assert "Notifying" not in text and "Notification delivered" not in text
    summary = "team-chat: 1 delivered, 1 not delivered yet (last error: Connection refused)"
    for text in (written, md):
        assert "## Notifications" in text
        assert text.count("team-chat") == 1 and summary in text
    assert [c["text"] for c in data["notifications"]] == [summary]
    assert all(not e["type"].startswith("notify.") for e in data["timeline"])


def test_an_unnamed_webhook_keeps_working_under_a_neutral_name(
    crisis_home: Path, server: WebhookServer, clock: FrozenClock, cli
) -> None:  # type: ignore[no-untyped-def]
    assert cli("config", "set", "notify.webhook", server.url).exit_code == 0
    incident = open_incident(make_env(crisis_home, clock=clock), "mini")
    send_round(incident, settings_of(incident.env), retry_now=True, timeout=3)
    assert server.kinds() == ["incident.opened"]
    assert {e.data["label"] for e in events_of(incident) if e.type.startswith("notify.")} == {
        "webhook"
    }
    # Naming one more keeps the first, under its neutral name, in the same file.
    assert cli("config", "set", "notify.webhook.press-desk", server.url + "2").exit_code == 0
    config = (crisis_home / "config.toml").read_text(encoding="utf-8")
    assert "[notify.webhook]" in config and "press-desk" in config
    labels = [c.label for c in settings_of(make_env(crisis_home)).channels]
    assert labels == ["press-desk", "webhook"]
    shown = cli("config").stdout
    assert "notify.webhook.press-desk" in shown and "secretsecret" not in shown


def test_a_bad_webhook_name_is_refused(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("config", "set", "notify.webhook.Team Chat", "https://hooks.example.com/x")
    assert result.exit_code == 2
    assert "webhook name" in result.stderr or "unknown setting" in result.stderr


def test_labels_written_by_earlier_versions_show_no_host(
    crisis_home: Path, clock: FrozenClock
) -> None:
    incident = open_incident(make_env(crisis_home, clock=clock), "mini")
    old = "webhook https://hooks.slack.com/…abcd"
    incident.record(
        ev.notify_claimed(
            "incident.opened", "webhook:0123456789ab", kind="incident.opened", attempt=1,
            text="Incident opened", label=old,
        ),
        ev.notify_delivered("incident.opened", "webhook:0123456789ab", attempt=1, label=old),
    )  # fmt: skip
    log = incident.log_path.read_text(encoding="utf-8")
    assert "- webhook: 1 delivered" in log
    assert "hooks.slack.com" not in log
