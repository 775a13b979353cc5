"""Bad endpoints on 127.0.0.1 for notification tests: one that takes the request and never
answers, one that answers one byte at a time, one that refuses connections."""

from __future__ import annotations

import socket
import threading
import time


class BadEndpoint:
    """A TCP server on 127.0.0.1: ``hang`` reads the request and says nothing; ``trickle``
    sends an HTTP answer one byte every ``gap`` seconds. ``closed`` counts connections the
    client gave up on (it closed them before the server was done)."""

    def __init__(self, mode: str, gap: float = 0.5) -> None:
        self.mode = mode
        self.gap = gap
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.closed = 0
        self.open = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/T0001/B0002/secretsecretsecret"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self._lock:
                self.accepted += 1
                self.open += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        sent = 0
        try:
            conn.settimeout(0.2)
            while not self._stop.is_set():
                try:
                    data = conn.recv(65536)
                    if data == b"":
                        break  # the client went away
                except TimeoutError:
                    pass
                if self.mode == "trickle" and sent < len(answer):
                    conn.sendall(answer[sent : sent + 1])
                    sent += 1
                    time.sleep(self.gap)
        except OSError:
            pass
        finally:
            conn.close()
            with self._lock:
                self.open -= 1
                if not self._stop.is_set():
                    self.closed += 1

    def stop(self) -> None:
        self._stop.set()
        self.sock.close()


def refusing_url() -> str:
    """A loopback URL where nothing listens (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks/T0001/B0002/secretsecretsecret"
