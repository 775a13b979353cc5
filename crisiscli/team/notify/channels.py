"""The channels a notification goes out on: webhooks, a user's hook, the desktop.

Each channel has an ``id`` that is stable and carries no secret (a webhook's is a hash of
its URL: the journal records deliveries by it, so two people with the same webhook share
one record and the channel is told once) and a ``label`` that may be shown anywhere (a
webhook's host, never its path or query, where the secret lives). ``send`` delivers one
notification within ``timeout`` seconds or raises ``DeliveryError`` with a short reason
that names no secret.

Nothing here runs a shell: the hook is an argument list, the event comes on its stdin;
desktop notifications pass their text as arguments (AppleScript gets it through ``argv``,
never inside the script). Only this module imports ``urllib``/``subprocess``, and only the
commands that send load it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from typing import Protocol
from urllib.parse import urlsplit

from crisiscli.team.notify.message import Notification, desktop_text, hook_json, webhook_payload
from crisiscli.webhooks import redact_url

MAX_ERROR = 200


class DeliveryError(Exception):
    """A notification was not delivered; the message is safe to show and to journal."""


class Channel(Protocol):
    id: str
    label: str

    def send(self, note: Notification, timeout: float) -> None: ...


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


class Webhook:
    """POST the JSON payload to an incoming-webhook URL (Slack, Mattermost, Teams…)."""

    def __init__(self, url: str) -> None:
        self.url = url.strip()
        self.id = f"webhook:{_digest(self.url)}"
        self.label = f"webhook {redact_url(self.url)}"

    def send(self, note: Notification, timeout: float) -> None:
        import urllib.error
        import urllib.request

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: object, **kwargs: object) -> None:
                return None  # a webhook that redirects is misconfigured: say so, don't follow

        body = json.dumps(webhook_payload(note), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "crisis"},
        )
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=timeout) as response:
                status = response.status
                response.read(4096)
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"HTTP {exc.code} {self._safe(str(exc.reason))}") from None
        except urllib.error.URLError as exc:
            raise DeliveryError(self._safe(str(exc.reason))) from None
        except (OSError, ValueError) as exc:
            raise DeliveryError(self._safe(str(exc) or type(exc).__name__)) from None
        if not 200 <= status < 300:
            raise DeliveryError(f"HTTP {status}")

    def _safe(self, text: str) -> str:
        """An error text that cannot carry the URL (or its secret path) along."""
        parts = urlsplit(self.url)
        for secret in (self.url, parts.path, parts.query):
            if secret and len(secret) > 1:
                text = text.replace(secret, "…")
        return text[:MAX_ERROR]


class Command:
    """Run the user's hook (an argument list, no shell) with the event as JSON on stdin."""

    def __init__(self, argv: list[str]) -> None:
        self.argv = list(argv)
        self.id = f"command:{_digest(json.dumps(self.argv))}"
        self.label = f"command {os.path.basename(self.argv[0])}"

    def send(self, note: Notification, timeout: float) -> None:
        data = json.dumps(hook_json(note), ensure_ascii=False).encode("utf-8")
        env = {**os.environ, "CRISIS_NOTIFY_KIND": note.kind, "CRISIS_INCIDENT": note.incident_id}
        try:
            done = subprocess.run(
                self.argv,
                input=data,
                capture_output=True,
                timeout=timeout,
                env=env,
                check=False,
                stdin=None,
            )
        except FileNotFoundError:
            raise DeliveryError(f"{self.argv[0]}: not found") from None
        except PermissionError:
            raise DeliveryError(f"{self.argv[0]}: not allowed to run") from None
        except subprocess.TimeoutExpired:
            raise DeliveryError(f"no answer within {timeout:g} s") from None
        except OSError as exc:
            raise DeliveryError(f"{self.argv[0]}: {exc.strerror or exc}") from None
        if done.returncode != 0:
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()
            why = f": {said[-1][:MAX_ERROR]}" if said else ""
            raise DeliveryError(f"exit status {done.returncode}{why}")


class Desktop:
    """A desktop notification: notify-send (Linux, BSD) or osascript (macOS)."""

    def __init__(self, host: str, user: str) -> None:
        self.id = f"desktop:{_digest(host + '/' + user)}"
        self.label = f"desktop ({host})"

    def send(self, note: Notification, timeout: float) -> None:
        title, body = desktop_text(note)
        if sys.platform == "darwin":
            script = [
                "-e", "on run argv",
                "-e", "display notification (item 2 of argv) with title (item 1 of argv)",
                "-e", "end run",
            ]  # fmt: skip
            argv = ["osascript", *script, title, body]
        elif shutil.which("notify-send"):
            argv = ["notify-send", "--app-name=crisis", "--", title, body]
        else:
            raise DeliveryError("no desktop notifier here (notify-send or osascript)")
        try:
            done = subprocess.run(argv, capture_output=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise DeliveryError(f"{argv[0]}: {type(exc).__name__}") from None
        if done.returncode != 0:
            raise DeliveryError(f"{argv[0]} exit status {done.returncode}")


def channels_from(
    webhooks: list[str], command: list[str] | None, desktop: bool, host: str, user: str
) -> list[Channel]:
    """The configured channels, in a fixed order (webhooks as listed, the hook, desktop)."""
    found: list[Channel] = [Webhook(url) for url in webhooks]
    if command:
        found.append(Command(command))
    if desktop:
        found.append(Desktop(host, user))
    return found
