"""What a notification says, and the JSON payloads that carry it.

A ``Notification`` is plain data: a stable key (what makes it "the same notification" in
every terminal), a kind, a one-line title, a short text and structured fields. It becomes:

- ``webhook_payload``: one JSON body that Slack, Mattermost and Microsoft Teams incoming
  webhooks all accept — ``text`` (Slack, Mattermost, Teams connectors), a Slack-style
  attachment with ``fields`` (Slack, Mattermost) that is at the same time a Teams attachment
  carrying an Adaptive Card (Teams Workflows), and a ``crisis`` object for receivers of
  your own;
- ``hook_json``: the event as JSON on a user hook's standard input.

Everything in it comes from the journal and the playbook, both untrusted: every text is
kept on one line with control, bidi and invisible characters made visible (``\x1b``,
``<U+202E>``, as every view shows them), and what chat services read is also made inert
for chat markup (no mentions, links, HTML or formatting that the text did not mean).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, NamedTuple

from crisiscli.text import one_line

COLOURS = {  # the left edge of a chat attachment, and the Adaptive Card's accent
    "deadline.passed": "#d00000",
    "deadline.soon": "#e8a317",
    "severity.changed": "#e8a317",
    "incident.opened": "#d00000",
    "approval.requested": "#1f6feb",
    "approval.decided": "#2f6b3a",
    "handoff": "#1f6feb",
    "incident.closed": "#2f6b3a",
    "incident.reopened": "#d00000",
    "drill.inject": "#e8a317",
}
CARD_STYLE = {"#d00000": "attention", "#e8a317": "warning", "#2f6b3a": "good"}
PAYLOAD_FORMAT = 1
MAX_TEXT = 600  # a chat notification is a pointer, not the incident log


class Notification(NamedTuple):
    key: str  # stable: the same notification has the same key in every terminal
    kind: str  # one of config.NOTIFY_KINDS
    at: datetime  # when it became due
    title: str  # one line: "Overdue: Post a holding line"
    text: str  # a sentence or two
    fields: tuple[tuple[str, str], ...]  # (name, value): Incident, Severity, Due, …
    incident_id: str
    incident_title: str
    severity: str
    drill: bool
    actor: str | None = None  # who made it happen (None: the clock, for deadlines)


# Characters that chat services read as markup: mentions and links (<…>, @), formatting
# (*, _, ~, `), link text ([…]) and headings or quotes at the start of a line (#, >). Each
# is replaced by a look-alike that means nothing to Slack, Mattermost or Teams.
_INERT = str.maketrans({"<": "‹", ">": "›", "*": "∗", "`": "ˋ", "~": "∼", "[": "⁅", "]": "⁆", "|": "¦", "#": "＃"})  # fmt: skip
_MENTION = re.compile(r"@(?=\w)")


def inert(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` on one line, controls visible, chat markup and @-mentions neutralised."""
    line = _MENTION.sub("@\u2060", one_line(text).translate(_INERT))  # word joiner after @
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _heading(note: Notification) -> str:
    drill = "[DRILL] " if note.drill else ""
    return inert(f"{drill}{note.title}", 300)


def webhook_payload(note: Notification) -> dict[str, Any]:
    """One body for Slack, Mattermost and Teams incoming webhooks (see docs/notify.md)."""
    heading = _heading(note)
    summary = inert(f"{heading} — {note.incident_title}", 400)
    text = inert(note.text)
    fields = [(inert(name, 60), inert(value, 300)) for name, value in note.fields]
    colour = COLOURS.get(note.kind, "#1f6feb")
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.2",
        "body": [
            {
                "type": "TextBlock",
                "text": heading,
                "weight": "Bolder",
                "size": "Medium",
                "wrap": True,
                "color": CARD_STYLE.get(colour, "default"),
            },
            {"type": "TextBlock", "text": text, "wrap": True},
            {"type": "FactSet", "facts": [{"title": n, "value": v} for n, v in fields]},
        ],
    }
    attachment = {
        # Slack and Mattermost read these …
        "fallback": summary,
        "color": colour,
        "title": heading,
        "text": text,
        "fields": [{"title": n, "value": v, "short": len(v) <= 40} for n, v in fields],
        # … Teams (Workflows, and connectors that take cards) reads these.
        "contentType": "application/vnd.microsoft.card.adaptive",
        "contentUrl": None,
        "content": card,
    }
    # No top-level "type": Mattermost would make it the post's type and refuse the post.
    return {
        "text": summary,
        "attachments": [attachment],
        "crisis": hook_json(note),
    }


def safe(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` on one line with control, bidi and invisible characters shown as ``\\x1b``
    or ``<U+202E>`` (as every view shows them): what a hook or a receiver prints cannot
    move a cursor, ring a bell, forge a line or read in another order than it is stored."""
    line = one_line(text)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def hook_json(note: Notification) -> dict[str, Any]:
    """The notification as data (a user hook's stdin; ``crisis`` in a webhook body); its
    texts are ``safe``: one line each, nothing hidden."""
    return {
        "format": PAYLOAD_FORMAT,
        "key": safe(note.key),
        "kind": note.kind,
        "at": note.at.isoformat(),
        "title": safe(note.title, 300),
        "text": safe(note.text),
        "fields": {safe(name, 60): safe(value, 300) for name, value in note.fields},
        "incident": {
            "id": safe(note.incident_id),
            "title": safe(note.incident_title, 300),
            "severity": safe(note.severity, 60),
            "drill": note.drill,
        },
    }


def desktop_text(note: Notification) -> tuple[str, str]:
    """(title, body) for a desktop notification: short, one line each, inert."""
    return inert(f"crisis: {_heading(note)}", 120), inert(
        f"{note.incident_title} — {note.text}", 240
    )
