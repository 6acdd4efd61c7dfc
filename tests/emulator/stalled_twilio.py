"""A Twilio that has stalled: it accepts connections on 127.0.0.1 and never answers.

Point `TWILIO_API_BASE_URL` at `stalled.base_url`: every REST request connects, sends, and then
waits for an answer that never comes, until the client's own timeout gives up (or `hold`
seconds pass, when the connection is closed, so a client without a timeout cannot hang a test
run forever). `stalled.accepted` is set once a request is waiting.
"""

from __future__ import annotations

import socket
import threading
import time


class StalledTwilio:
    """A listening socket that accepts and holds every connection; use with `with`."""

    def __init__(self, hold: float = 20.0):
        self.hold = hold
        self.accepted = threading.Event()
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.05)
        self._stop = threading.Event()
        self._held: list[tuple[socket.socket, float]] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.getsockname()[1]}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
                self._held.append((conn, time.monotonic()))
                self.accepted.set()
            except TimeoutError:
                pass
            for conn, since in list(self._held):
                if time.monotonic() - since > self.hold:
                    conn.close()
                    self._held.remove((conn, since))

    def __enter__(self) -> StalledTwilio:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for conn, _ in self._held:
            conn.close()
        self._server.close()


class DrippingTwilio(StalledTwilio):
    """A Twilio that answers at once, then sends its body one byte every `every` seconds.

    Each read of the socket gets a byte well within any read timeout, so only a deadline on the
    whole answer stops a client from waiting `length * every` seconds.
    """

    def __init__(self, every: float = 0.25, length: int = 400, hold: float = 20.0):
        super().__init__(hold=hold)
        self.every, self.length = every, length

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            self._held.append((conn, time.monotonic()))
            self.accepted.set()
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        try:
            conn.recv(65536)
            head = (
                "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
                f"Content-Length: {self.length}\r\n\r\n"
            )
            conn.sendall(head.encode())
            for _ in range(self.length):
                if self._stop.is_set():
                    return
                conn.sendall(b" ")
                time.sleep(self.every)
        except OSError:
            pass  # the client gave up and closed: what a deadline should do
