"""The webhook body is one that each receiver accepts by its own documented rules."""

from __future__ import annotations

from datetime import datetime, timezone

from crisiscli.team.notify.message import Notification, webhook_payload

NOTE = Notification(
    "deadline.passed:step:look", "deadline.passed",
    datetime(2026, 11, 23, 15, 16, tzinfo=timezone.utc), "Overdue: Look first",
    "Look first was due at 15:15.", (("Due", "15:15 UTC"),), "2026-11-23-1500-x", "Test",
    "high", False,
)  # fmt: skip


def test_mattermost_accepts_the_post_type() -> None:
    # Mattermost copies a top-level "type" into the post, and refuses any type that is not
    # one of its own or "custom_…" with HTTP 400 (model.post.is_valid.type.app_error).
    body = webhook_payload(NOTE)
    assert body.get("type", "") == "" or str(body["type"]).startswith("custom_")
    assert body["text"] or body["attachments"]


def test_teams_workflows_find_an_adaptive_card_and_slack_a_text() -> None:
    body = webhook_payload(NOTE)
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert attachment["content"]["type"] == "AdaptiveCard"
    assert body["text"] == "Overdue: Look first — Test"
