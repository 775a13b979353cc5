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


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_hooks_and_webhooks_get_no_raw_controls_newlines_or_bidi() -> None:
    """Issue 26.5: the payload carried raw ESC, BEL, newlines and U+202E to hooks and
    webhooks (in the ``crisis`` object and on a hook's stdin)."""
    import json

    from crisiscli.team.notify.message import hook_json

    hostile = "Wrong \x1b[2J image\x07\nFAKE: all clear \u202etxt.exe \u009b1m"
    note = NOTE._replace(
        title=f"Overdue: {hostile}", text=hostile, fields=(("Step", hostile),),
        incident_title=hostile, actor="Ana\nBob",
    )  # fmt: skip
    for payload in (hook_json(note), webhook_payload(note)):
        for text in _strings(json.loads(json.dumps(payload))):
            for bad in ("\x1b", "\x07", "\n", "\r", "\u202e", "\u009b"):
                assert bad not in text, (bad, text)
    shown = hook_json(note)
    assert "<U+202E>" in shown["text"] and "\\x1b" in shown["text"]  # visible, not dropped
    assert shown["incident"]["title"] == shown["text"]
