"""A sandbox on a real loopback HTTP server, so tests exercise the client's real network code.

`LoopbackServer(sandbox)` serves `sandbox.handle` (a `Sandbox`, or a `FaultySandbox` whose `Drop`
replies hang up on the client) from a background thread; use it as a context manager.
"""

from __future__ import annotations

import socket
import sys
import threading
from contextlib import suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from runner.sandbox import Sandbox

from .faults import Drop, FaultySandbox, Late

BASE_PATH = "/linkedin"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: with Nagle, each answer waits ~40 ms for an ACK.
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        self.server.untrack(self.connection)
        super().finish()

    def _serve(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        body = self.rfile.read(length) if length > 0 else b""
        reply = self.server.sandbox.handle(self.command, self.path, dict(self.headers), body)
        if isinstance(reply, Drop):
            # Set on shutdown, so a hang never holds the server up.
            self.server.closing.wait(reply.seconds)
            self.close_connection = True
            return
        late = reply if isinstance(reply, Late) else None
        answer = late.answer if late else reply
        if late and not late.trickle and self.server.closing.wait(late.seconds):
            return
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if self.command == "HEAD":
            return
        if late and late.trickle:
            for byte in answer.body:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                if self.server.closing.wait(late.seconds):
                    return
        else:
            self.wfile.write(answer.body)

    do_POST = do_GET = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def log_message(self, format: str, *args: object) -> None:
        pass  # tests read `received`, not a log on stderr


class _Server(ThreadingHTTPServer):
    request_queue_size = 64  # the default 5 drops bursts of connections, which then retry after 1 s

    def __init__(self, sandbox: Sandbox | FaultySandbox) -> None:
        self.sandbox = sandbox
        self.closing = threading.Event()
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def track(self, connection: socket.socket) -> None:
        with self._open_lock:
            self._open.add(connection)
            if self.closing.is_set():  # accepted just as the server was shutting down
                _hang_up(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self._open_lock:
            self._open.discard(connection)

    def hang_up(self) -> None:
        """Wake every handler, including those idling on a keep-alive connection."""
        self.closing.set()
        with self._open_lock:
            for connection in self._open:
                _hang_up(connection)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out or hung up is part of what tests do; anything else is a bug.
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


def _hang_up(connection: socket.socket) -> None:
    with suppress(OSError):  # the client may have closed it already
        connection.shutdown(socket.SHUT_RDWR)


class LoopbackServer:
    """`sandbox` on a loopback HTTP server in a background thread; use it as a context manager."""

    def __init__(self, sandbox: Sandbox | FaultySandbox) -> None:
        self._server = _Server(sandbox)
        host, port = self._server.server_address[:2]
        self.base_url = f"http://{host!s}:{port}{BASE_PATH}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.hang_up()
        self._server.server_close()  # joins the handler threads
        self._thread.join()
