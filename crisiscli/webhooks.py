"""Webhook URLs: which ones crisis will post to, and how they may be shown.

A webhook URL is a secret: whoever has it can post to the channel. It is checked here once
(``crisis config set`` and reading config.toml) and is only ever shown through
``redact_url``, by ``crisis config``. Everywhere else — the journal (deliveries are recorded
by a hash and the webhook's name), log.md, reports, warnings — a webhook is its name.
"""

from __future__ import annotations

from urllib.parse import urlsplit

LOOPBACK = ("127.0.0.1", "::1", "localhost")


def url_problem(url: str) -> str | None:
    """Why ``url`` is no usable webhook (None: it is one). Never repeats the URL."""
    text = url.strip()
    if any(ord(c) < 33 or ord(c) == 127 for c in text):
        return "contains spaces or control characters"
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return "not a URL"
    if parts.scheme not in ("https", "http") or not host:
        return "not an http(s) URL"
    if parts.scheme == "http" and host not in LOOPBACK:
        return "must use https (plain http only to this machine: 127.0.0.1, localhost)"
    return None


def redact_url(url: str) -> str:
    """``https://hooks.slack.com/services/T0/B0/abcd1234`` → ``https://hooks.slack.com/…1234``:
    enough to tell two webhooks apart, never the secret."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(a webhook URL)"
    rest = (parts.path + ("?" + parts.query if parts.query else "")).rstrip("/")
    tail = f"…{rest[-4:]}" if len(rest) >= 12 else ("…" if rest else "")
    return f"{parts.scheme}://{host}{port}/{tail}"
