"""Real services for the outbox's fault tests: a private Redis, an SMTP sink, Celery processes.

Every process is started by the test in its own session and stopped by its own pid (never
by name). The machine's Redis on 6379 is never touched.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from email import message_from_bytes

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from devtools.localservices import (  # noqa: F401 — re-exported for the tests
    CeleryProcess,
    RedisServer,
    broker_at,
    celery_env,
    free_port,
    wait_until,
)


class HungServer:
    """A TCP server that accepts connections and never answers: a hung Redis."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.connections: list[socket.socket] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _serve(self):
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections.append(conn)

    def close(self):
        self._stop.set()
        self.thread.join(2)
        for conn in self.connections:
            conn.close()
        self.sock.close()


class RecordingHandler:
    """An SMTP handler that records messages and can refuse (4xx or 5xx) or go slow.

    ``refuse``: None (accept), or an SMTP reply such as "451 4.3.0 Try again later".
    ``delay``: seconds to wait before accepting each message. ``reply_delay``: seconds to
    wait *after* storing each message before answering, as a real server does (its reply
    takes about a second): a client that goes away meanwhile has still delivered it.
    ``hold_at``: when that many
    messages have been accepted, the next one is held (once) until its client goes away.
    A client that disconnects during a wait cancels the handler (aiosmtpd cancels it on
    connection loss), so that message is not recorded: it was not delivered.
    """

    def __init__(self):
        self.messages: list = []
        self.refuse: str | None = None
        self.delay = 0.0
        self.reply_delay = 0.0
        self.hold_at: int | None = None
        self._held = False
        self.attempts = 0
        self.in_data = threading.Event()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope: Envelope):
        self.attempts += 1
        if self.refuse:
            return self.refuse
        if self.hold_at is not None and not self._held and len(self.messages) == self.hold_at:
            self._held = True
            self.in_data.set()
            await asyncio.sleep(60)
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
        if self.reply_delay:
            await asyncio.sleep(self.reply_delay)
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        with self.lock:
            return [m["To"] for m in self.messages]

    def message_ids(self) -> list[str]:
        with self.lock:
            return [m["Message-ID"] for m in self.messages]


class SmtpSink:
    def __init__(self):
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def close(self):
        self.controller.stop()
