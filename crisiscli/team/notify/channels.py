"""The channels a notification goes out on: webhooks, a user's hook, the desktop.

Each channel has an ``id`` that is stable and carries no secret (a webhook's is a hash of
its URL: the journal records deliveries by it, so two people with the same webhook share
one record and the channel is told once) and a ``label`` that may be shown anywhere: the
name the team gave a webhook (``notify.webhook.NAME``; ``webhook`` when it has none), never
any part of its URL. ``send`` delivers one notification within ``timeout`` seconds *in all*
or raises ``DeliveryError`` with a short reason that names no secret.

Nothing here runs a shell: the hook is an argument list, the event comes on its stdin;
desktop notifications pass their text as arguments (AppleScript gets it through ``argv``,
never inside the script). Only this module imports ``urllib``/``subprocess``, and only the
commands that send load it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from typing import Any, Protocol
from urllib.parse import urlsplit

from crisiscli.team.notify.message import Notification, desktop_text, hook_json, webhook_payload
from crisiscli.text import visible_line

MAX_ERROR = 200
DEFAULT_WEBHOOK_NAME = "webhook"  # an unnamed webhook (``notify.webhook = [URL]``)


class DeliveryError(Exception):
    """A notification was not delivered; the message is safe to show and to journal."""


class Channel(Protocol):
    id: str
    label: str

    def send(self, note: Notification, timeout: float) -> None: ...


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


class _Connections:
    """The HTTP connections one delivery opened, so that its deadline can close them."""

    def __init__(self) -> None:
        self.open: list[Any] = []

    def factory(self, cls: Any) -> Any:
        def make(host: str, **kwargs: Any) -> Any:
            connection = cls(host, **kwargs)
            self.open.append(connection)
            return connection

        return make

    def close_all(self) -> None:
        import socket

        for connection in self.open:
            sock = getattr(connection, "sock", None)
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    sock.close()


def _opener(connections: _Connections) -> Any:
    """urllib (proxies from the environment as usual) whose connections are tracked, and
    which never follows a redirect (a webhook that redirects is misconfigured: say so)."""
    import http.client
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    class Http(urllib.request.HTTPHandler):
        def http_open(self, req: Any) -> Any:
            return self.do_open(connections.factory(http.client.HTTPConnection), req)

    class Https(urllib.request.HTTPSHandler):
        def https_open(self, req: Any) -> Any:
            context = getattr(self, "_context", None)
            return self.do_open(
                connections.factory(http.client.HTTPSConnection), req, context=context
            )

    return urllib.request.build_opener(NoRedirect, Http, Https)


class Webhook:
    """POST the JSON payload to an incoming-webhook URL (Slack, Mattermost, Teams…).

    ``timeout`` is one deadline for the whole delivery — connecting, sending, the answer's
    status line and headers — not a timeout per socket read: an endpoint that never answers,
    or answers one byte at a time, costs ``timeout`` seconds and no more. The request runs in
    a thread; at the deadline its socket is shut and the delivery counts as failed."""

    def __init__(self, url: str, name: str = DEFAULT_WEBHOOK_NAME) -> None:
        self.url = url.strip()
        self.name = name
        self.id = f"webhook:{_digest(self.url)}"
        self.label = name  # the name the team gave it: never the URL, nor a piece of it

    def send(self, note: Notification, timeout: float) -> None:
        import urllib.error
        import urllib.request

        body = json.dumps(webhook_payload(note), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "crisis"},
        )
        connections = _Connections()
        outcome: list[BaseException | int] = []

        def post() -> None:
            try:
                with _opener(connections).open(request, timeout=timeout) as response:
                    outcome.append(int(response.status))
            except BaseException as exc:  # handed to the waiting thread
                outcome.append(exc)

        worker = threading.Thread(target=post, name="crisis-webhook", daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive() or not outcome:
            connections.close_all()
            raise DeliveryError(f"no complete answer within {timeout:g} s")
        result = outcome[0]
        reason = getattr(result, "reason", None)
        if isinstance(result, TimeoutError) or isinstance(reason, TimeoutError):
            raise DeliveryError(f"no complete answer within {timeout:g} s")
        if isinstance(result, urllib.error.HTTPError):
            raise DeliveryError(f"HTTP {result.code} {self._safe(str(result.reason))}".strip())
        if isinstance(result, urllib.error.URLError):
            raise DeliveryError(self._safe(str(result.reason)))
        if isinstance(result, BaseException):
            raise DeliveryError(self._safe(str(result) or type(result).__name__))
        if not 200 <= result < 300:
            raise DeliveryError(f"HTTP {result}")

    def _safe(self, text: str) -> str:
        """An error text that cannot carry the URL (or its secret path) along."""
        text = re.sub(r"^\[Errno -?\d+\] ", "", text)  # "[Errno 111] Connection refused"
        parts = urlsplit(self.url)
        for secret in (self.url, parts.path, parts.query):
            if secret and len(secret) > 1:
                text = text.replace(secret, "…")
        return text[:MAX_ERROR]


def run_program(
    argv: list[str], data: bytes, timeout: float, env: dict[str, str] | None = None
) -> tuple[int, str]:
    """Run ``argv`` with ``data`` on its stdin; (exit status, last line of its stderr).

    The program gets no pipe: stdin and stderr are temporary files and stdout is
    ``/dev/null``, so a child it leaves running in the background (``sleep 20 &``) holds
    nothing crisis waits for — the program's own exit status decides, as soon as it exits.
    It runs in a session of its own; past ``timeout`` that session is killed."""
    import signal
    import tempfile

    with tempfile.TemporaryFile() as stdin, tempfile.TemporaryFile() as stderr:
        stdin.write(data)
        stdin.seek(0)
        process = subprocess.Popen(
            argv,
            stdin=stdin,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=env,
            close_fds=True,
            start_new_session=True,
        )
        try:
            code = process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                process.kill()
            process.wait()
            raise
        stderr.seek(0)
        said = stderr.read(64 * 1024).decode("utf-8", "replace").strip().splitlines()
    return code, (visible_line(said[-1].strip())[:MAX_ERROR] if said else "")


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
            code, said = run_program(self.argv, data, timeout, env)
        except FileNotFoundError:
            raise DeliveryError(f"{self.argv[0]}: not found") from None
        except PermissionError:
            raise DeliveryError(f"{self.argv[0]}: not allowed to run") from None
        except subprocess.TimeoutExpired:
            raise DeliveryError(f"did not finish within {timeout:g} s") from None
        except OSError as exc:
            raise DeliveryError(f"{self.argv[0]}: {exc.strerror or exc}") from None
        if code != 0:
            why = f": {said}" if said else ""
            raise DeliveryError(f"exit status {code}{why}")


class Desktop:
    """A desktop notification: notify-send (Linux, BSD) or osascript (macOS)."""

    def __init__(self, host: str, user: str) -> None:
        self.id = f"desktop:{_digest(host + '/' + user)}"
        self.label = "desktop"

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
            code, _said = run_program(argv, b"", timeout)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise DeliveryError(f"{argv[0]}: {type(exc).__name__}") from None
        if code != 0:
            raise DeliveryError(f"{argv[0]} exit status {code}")


def channels_from(
    webhooks: list[tuple[str, str]],
    command: list[str] | None,
    desktop: bool,
    host: str,
    user: str,
) -> list[Channel]:
    """The configured channels, in a fixed order (webhooks as listed, the hook, desktop);
    ``webhooks`` are (name, URL)."""
    found: list[Channel] = [Webhook(url, name) for name, url in webhooks]
    if command:
        found.append(Command(command))
    if desktop:
        found.append(Desktop(host, user))
    return found
