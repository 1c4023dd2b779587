"""A faithful simulator of the two ConnectSafely endpoints this project sends through.

It serves in two ways: in-process through `transport(sim)` (the CLI's sandbox mode) and as a real
loopback HTTP server, `SandboxServer` (tests). Both call `Sandbox.handle`, which answers as the
API reference describes (connectsafely-api.md), in this order:

1. Path and method: `POST /linkedin/message` and `POST /linkedin/messaging/send-group`, with or
   without the `/linkedin` prefix. Any other path is 404 `{"error": "Not found"}`; another method on
   a known path is 405.
2. Auth: `Authorization: Bearer <api key>`, else 401 with the endpoint's documented body.
3. The body must be a JSON object whose known fields are strings, then the documented validation.
4. Quota per (account, endpoint): 100 a day for /message, 150 for send-group, account = `accountId`
   or "default". A day is `day_seconds` long and aligned to the Unix epoch, so with 86400 it resets
   at 00:00 UTC. A full quota is 429 with the documented text.
5. Recipient patterns (below), which answer an error without spending quota.
6. Otherwise the message counts as sent: one unit of quota is spent and 200 is answered.

Every answer after auth carries the X-RateLimit-* headers, counted after the request.

Recipient patterns, for exercising error paths with ordinary data (checked in this order, only
after the quota check, and none of them spends quota):

- `accountId` exactly `acc_broken`: 500
  `{"error": "Failed to get LinkedIn authentication credentials", "success": false}`.
- A `recipientProfileId` or `recipientProfileUrn` containing `notfound`, or a `recipientProfileId`
  starting with `invalid-` (both in any case): 404
  `{"error": "LinkedIn profile not found: <that id or urn>", "success": false}`, on both endpoints.
- send-group only: a `recipientProfileUrn` containing `forbidden` (any case): the documented 403
  (`message`, `recipientProfileUrn`, `groupId`, `errorDetails` with `UNAUTHORIZED_VIEWER`).

A successful /message to a profile ID answers a made-up but stable URN, `profile_urn(profile_id)`.

Quota counts and the log of delivered messages live in SQLite: in memory, or in `store_path`, where
they outlast the process (the sandbox CLI is a new process each run and must find its quota spent).

Faults (`inject(Fault(...))`) let tests attack a client with what a real network and server do:
error statuses, dropped connections, hangs, bodies that are not JSON, headers that disagree with
the body. They are used first-in, first-out by the requests they match.
"""

from __future__ import annotations

import hashlib
import json
import socket
import sqlite3
import string
import sys
import threading
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from .clock import Clock
from .plans import Endpoint

MESSAGE, SEND_GROUP = Endpoint.MESSAGE, Endpoint.SEND_GROUP

DEFAULT_LIMITS: dict[Endpoint, int] = {MESSAGE: 100, SEND_GROUP: 150}

_PATHS = {"/message": MESSAGE, "/messaging/send-group": SEND_GROUP}
_BASE_PATH = "/linkedin"
_FIELDS = {
    MESSAGE: (
        "accountId",
        "recipientProfileId",
        "recipientProfileUrn",
        "message",
        "subject",
        "messageType",
        "groupId",
    ),
    SEND_GROUP: ("accountId", "recipientProfileUrn", "groupId", "message"),
}
_UNAUTHORIZED = {MESSAGE: "Unauthorized", SEND_GROUP: "Unauthorized - Invalid credentials"}
_SENT = {
    MESSAGE: "Message sent successfully",
    SEND_GROUP: "Group context message sent successfully",
}
_DEFAULT_ACCOUNT = "default"
_BROKEN_ACCOUNT = "acc_broken"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_URN_PREFIX = "urn:li:fsd_profile:ACoAA"
_ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase


@dataclass(frozen=True)
class SimResponse:
    """What the simulator answers; with `drop_after`, nothing: hang up after that many s."""

    status: int
    headers: dict[str, str]
    body: bytes
    drop_after: float | None = None


@dataclass(frozen=True)
class ReceivedRequest:
    """One request that reached the simulator, and what became of it."""

    endpoint: Endpoint | None  # MESSAGE, SEND_GROUP, or None for an unknown path
    payload: dict | None  # the JSON body, None when it was not a JSON object
    account: str  # accountId, or "default"
    status: int  # the status answered; 0 when nothing was answered
    delivered: bool  # the simulated LinkedIn message was sent (quota spent)
    at: datetime


class FaultKind(StrEnum):
    STATUS = "status"  # answer `status`, `body`, `headers` without processing the request
    DROP_BEFORE = "drop-before"  # read the request, close the connection, nothing delivered
    DROP_AFTER = "drop-after"  # process (deliver) the request, then close without answering
    HANG = "hang"  # process the request, answer nothing for `seconds`, then close
    NOT_JSON = "not-json"  # process the request, answer 200 with `body` (default: HTML)
    SUCCESS_FALSE = "success-false"  # answer 200 `body` (default: success false), nothing delivered
    OVERRIDE_HEADERS = "override-headers"  # process the request, then replace/add `headers`


@dataclass(frozen=True)
class Fault:
    """A fault for the next `times` requests to `endpoint` (None: any request)."""

    kind: FaultKind
    times: int = 1
    endpoint: Endpoint | None = None
    status: int = 500
    body: bytes | Mapping[str, object] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    seconds: float = 2.0
    # STATUS only: deliver the message first, then answer the fault's status (an API that
    # fails after sending), instead of answering without doing anything.
    deliver: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.kind, FaultKind):
            raise ValueError(f"fault kind must be a FaultKind, not {self.kind!r}")
        if self.times < 1:
            raise ValueError(f"fault times must be at least 1, not {self.times}")
        if self.endpoint not in (None, MESSAGE, SEND_GROUP):
            raise ValueError(f"fault endpoint must be {MESSAGE!r} or {SEND_GROUP!r} or None")
        if self.kind is FaultKind.HANG and self.seconds <= 0:
            raise ValueError(f"hang seconds must be positive, not {self.seconds}")


@dataclass
class _Queued:
    fault: Fault
    left: int


def profile_urn(profile_id: str) -> str:
    """The made-up URN the simulator answers for a public profile ID (stable, case-insensitive)."""
    number = int.from_bytes(hashlib.sha256(profile_id.lower().encode()).digest(), "big")
    chars = []
    for _ in range(30):
        number, digit = divmod(number, len(_ALPHABET))
        chars.append(_ALPHABET[digit])
    return _URN_PREFIX + "".join(chars)


class Sandbox:
    """The two endpoints, their quota, the recipient patterns and injected faults. Thread-safe."""

    def __init__(
        self,
        api_key: str,
        clock: Clock,
        *,
        day_seconds: float = 86400,
        limits: Mapping[Endpoint, int] = DEFAULT_LIMITS,
        store_path: Path | None = None,
        reset_format: str = "iso",
    ) -> None:
        if reset_format not in ("iso", "unix"):
            raise ValueError(f'reset_format must be "iso" or "unix", not {reset_format!r}')
        day_us = round(day_seconds * 1_000_000)
        if day_us < 1:
            raise ValueError(f"day_seconds must be positive, not {day_seconds}")
        unknown = set(limits) - set(DEFAULT_LIMITS)
        if unknown:
            raise ValueError(f"limits for unknown endpoints: {', '.join(sorted(unknown))}")
        self._api_key = api_key
        self._clock = clock
        self._day_us = day_us
        # An endpoint missing from `limits` keeps its documented limit.
        self._limits = {**DEFAULT_LIMITS, **limits}
        self._reset_format = reset_format
        self._store = _Store(store_path)
        self._lock = threading.Lock()
        self._received: list[ReceivedRequest] = []
        self._faults: list[_Queued] = []  # first in, first out

    @property
    def received(self) -> list[ReceivedRequest]:
        """Every request this instance handled, in order (a copy)."""
        with self._lock:
            return list(self._received)

    def delivered(self) -> list[ReceivedRequest]:
        """Every delivered message in the store, including earlier instances sharing store_path."""
        with self._lock:
            return self._store.deliveries()

    def inject(self, fault: Fault) -> None:
        """Queue a fault for the next matching request(s)."""
        with self._lock:
            self._faults.append(_Queued(fault, fault.times))

    def close(self) -> None:
        """Release the store (also done when the simulator is garbage-collected)."""
        with self._lock:
            self._store.close()

    def handle(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> SimResponse:
        """Answer one HTTP request."""
        endpoint = _endpoint(path)
        payload = _json_object(body)
        account = _account(payload)
        headers = {name.lower(): value for name, value in headers.items()}
        with self._lock, self._store.transaction():
            now = self._clock.now()
            fault = self._take_fault(endpoint)
            kind = fault.kind if fault else None
            delivered = False
            if kind is FaultKind.DROP_BEFORE:
                response = _dropped(0)
            elif fault is not None and kind is FaultKind.STATUS:
                if fault.deliver:
                    _, delivered = self._answer(method, endpoint, headers, payload, account, now)
                response = _fault_response(fault.status, fault.body, fault.headers)
            elif fault is not None and kind is FaultKind.SUCCESS_FALSE:
                quota_headers = self._quota_headers(endpoint, account, now) if endpoint else {}
                default = {"success": False, "error": "Failed to send message"}
                response = _fault_response(200, fault.body or default, quota_headers)
            else:
                response, delivered = self._answer(method, endpoint, headers, payload, account, now)
                if fault is None:
                    pass
                elif kind in (FaultKind.DROP_AFTER, FaultKind.HANG):
                    response = _dropped(fault.seconds if kind is FaultKind.HANG else 0)
                elif kind is FaultKind.NOT_JSON:
                    html = {"Content-Type": "text/html; charset=utf-8"}
                    page = b"<!DOCTYPE html><html><body>Message sent</body></html>"
                    response = replace(
                        response,
                        status=200,
                        headers={**_without(response.headers, html), **html},
                        body=fault.body if isinstance(fault.body, bytes) else page,
                    )
                elif kind is FaultKind.OVERRIDE_HEADERS:
                    merged = {**_without(response.headers, fault.headers), **fault.headers}
                    response = replace(response, headers=merged)
            status = 0 if response.drop_after is not None else response.status
            request = ReceivedRequest(endpoint, payload, account, status, delivered, now)
            self._received.append(request)
            if delivered:
                self._store.log_delivery(request)
            return response

    def _take_fault(self, endpoint: Endpoint | None) -> Fault | None:
        for queued in self._faults:
            if queued.fault.endpoint in (None, endpoint):
                queued.left -= 1
                if queued.left == 0:
                    self._faults.remove(queued)
                return queued.fault
        return None

    def _answer(
        self,
        method: str,
        endpoint: Endpoint | None,
        headers: Mapping[str, str],
        payload: dict | None,
        account: str,
        now: datetime,
    ) -> tuple[SimResponse, bool]:
        """Process a request as the API does; returns the answer and whether it was delivered."""
        if endpoint is None:
            return _json_response(404, {"error": "Not found"}), False
        if method.upper() != "POST":
            return _json_response(405, {"error": "Method not allowed"}, {"Allow": "POST"}), False
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or token.strip() != self._api_key:
            return _json_response(401, {"error": _UNAUTHORIZED[endpoint]}), False

        error = "Invalid JSON body" if payload is None else _invalid(endpoint, payload)
        if error:
            quota_headers = self._quota_headers(endpoint, account, now)
            return _json_response(400, _failure(endpoint, error), quota_headers), False
        assert payload is not None

        period, reset_us = self._period(now)
        limit = self._limits[endpoint]
        used = self._store.used(account, endpoint, period)
        if used >= limit:
            text = f"Rate limit exceeded for MESSAGE: {used}/{limit} used"
            if endpoint == MESSAGE:
                # Only /message says when the quota comes back, as documented.
                text += f". Resets at {_iso_ms(reset_us)}"
            status, body = 429, _failure(endpoint, text)
        elif refusal := _refusal(endpoint, payload, account):
            status, body = refusal
        else:
            used = self._store.consume(account, endpoint, period)
            body = {"success": True, "message": _SENT[endpoint]}
            if _given(payload, "recipientProfileUrn"):
                body["recipientProfileUrn"] = payload["recipientProfileUrn"]
            else:
                body["recipientProfileUrn"] = profile_urn(payload["recipientProfileId"])
            if endpoint == SEND_GROUP:
                body["groupId"] = payload["groupId"]
            status = 200
        quota_headers = self._rate_headers(limit, used, reset_us)
        return _json_response(status, body, quota_headers), status == 200

    def _period(self, now: datetime) -> tuple[int, int]:
        """The period index of `now` and the start of the next period, in µs since the epoch."""
        index = ((now - _EPOCH) // timedelta(microseconds=1)) // self._day_us
        return index, (index + 1) * self._day_us

    def _quota_headers(self, endpoint: Endpoint, account: str, now: datetime) -> dict[str, str]:
        period, reset_us = self._period(now)
        used = self._store.used(account, endpoint, period)
        return self._rate_headers(self._limits[endpoint], used, reset_us)

    def _rate_headers(self, limit: int, used: int, reset_us: int) -> dict[str, str]:
        # Rounded up, so a client that waits until the stated time finds the quota back.
        unix = str(-(-reset_us // 1_000_000))
        reset = unix if self._reset_format == "unix" else _iso_ms(reset_us)
        return {
            "X-RateLimit-Action": "MESSAGE",
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Used": str(used),
            "X-RateLimit-Remaining": str(max(0, limit - used)),
            "X-RateLimit-Reset": reset,
        }


def _endpoint(path: str) -> Endpoint | None:
    path = path.split("?", 1)[0].rstrip("/")
    if path.startswith(_BASE_PATH + "/"):
        path = path[len(_BASE_PATH) :]
    return _PATHS.get(path)


def _json_object(body: bytes) -> dict | None:
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return payload if isinstance(payload, dict) else None


def _account(payload: dict | None) -> str:
    account = payload.get("accountId") if payload else None
    return account if isinstance(account, str) and account else _DEFAULT_ACCOUNT


def _given(payload: dict, name: str) -> bool:
    value = payload.get(name)
    return isinstance(value, str) and value.strip() != ""


def _invalid(endpoint: Endpoint, payload: dict) -> str | None:
    """The documented validation error for this payload, or None."""
    for name in _FIELDS[endpoint]:
        if name in payload and not isinstance(payload[name], str):
            return f"{name} must be a string"
    if endpoint == SEND_GROUP:
        if not all(_given(payload, name) for name in ("recipientProfileUrn", "groupId", "message")):
            return "recipientProfileUrn, groupId, and message are required"
        return None
    if not (_given(payload, "recipientProfileId") or _given(payload, "recipientProfileUrn")):
        return "Either recipientProfileId or recipientProfileUrn is required"
    if not _given(payload, "message"):
        return "message is required"
    message_type = payload.get("messageType", "normal")
    if message_type not in ("normal", "inmail"):
        return f'messageType must be "normal" or "inmail", not "{message_type}"'
    if message_type == "inmail" and not _given(payload, "subject"):
        return "subject is required for InMail"
    return None


def _refusal(endpoint: Endpoint, payload: dict, account: str) -> tuple[int, dict] | None:
    """The answer a recipient pattern calls for, or None."""
    if account == _BROKEN_ACCOUNT:
        error = "Failed to get LinkedIn authentication credentials"
        return 500, _failure(endpoint, error)
    profile_id = payload.get("recipientProfileId", "") if endpoint == MESSAGE else ""
    urn = payload.get("recipientProfileUrn", "")
    if "notfound" in profile_id.lower() or profile_id.lower().startswith("invalid-"):
        return 404, _failure(endpoint, f"LinkedIn profile not found: {profile_id}")
    if "notfound" in urn.lower():
        return 404, _failure(endpoint, f"LinkedIn profile not found: {urn}")
    if endpoint == SEND_GROUP and "forbidden" in urn.lower():
        return 403, {
            "success": False,
            "message": "Error sending group context message: Request failed with status code 403",
            "recipientProfileUrn": urn,
            "groupId": payload["groupId"],
            "errorDetails": {
                "status": 403,
                "statusText": "Forbidden",
                "data": {
                    "code": "UNAUTHORIZED_VIEWER",
                    "message": "The viewer is not authorized to access this resource",
                },
            },
        }
    return None


def _failure(endpoint: Endpoint, error: str) -> dict:
    # Key order as documented: send-group puts "success" first.
    if endpoint == SEND_GROUP:
        return {"success": False, "error": error}
    return {"error": error, "success": False}


def _iso_ms(moment_us: int) -> str:
    """ISO 8601 with milliseconds and a Z, rounded up to the millisecond."""
    ms = -(-moment_us // 1000)
    moment = _EPOCH + timedelta(milliseconds=ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _json_response(
    status: int, body: object, headers: Mapping[str, str] | None = None
) -> SimResponse:
    return SimResponse(
        status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(body).encode()
    )


def _fault_response(
    status: int, body: bytes | Mapping[str, object] | None, headers: Mapping[str, str]
) -> SimResponse:
    if isinstance(body, bytes | None):
        return SimResponse(status, dict(headers), body or b"")
    return _json_response(status, body, headers)


def _dropped(after: float) -> SimResponse:
    return SimResponse(0, {}, b"", drop_after=after)


def _without(headers: Mapping[str, str], names: Mapping[str, str]) -> dict[str, str]:
    """`headers` minus any named in `names`, compared without case."""
    drop = {name.lower() for name in names}
    return {name: value for name, value in headers.items() if name.lower() not in drop}


_SCHEMA = """
CREATE TABLE IF NOT EXISTS quota (
    account TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    period INTEGER NOT NULL,
    used INTEGER NOT NULL,
    PRIMARY KEY (account, endpoint)
);
CREATE TABLE IF NOT EXISTS delivered (
    seq INTEGER PRIMARY KEY,
    endpoint TEXT NOT NULL,
    account TEXT NOT NULL,
    payload TEXT NOT NULL,
    status INTEGER NOT NULL,
    at TEXT NOT NULL
);
"""


class _Store:
    """Quota counts and the delivered log in SQLite: a file shared by processes, or memory."""

    def __init__(self, path: Path | None) -> None:
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            ":memory:" if path is None else path, isolation_level=None, check_same_thread=False
        )
        # Close the connection even when the owner forgets to (no ResourceWarning on 3.13+).
        self.close = weakref.finalize(self, self._db.close)
        self._db.executescript(_SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        # IMMEDIATE takes the write lock up front, so two processes cannot both spend the last unit.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def used(self, account: str, endpoint: Endpoint, period: int) -> int:
        row = self._db.execute(
            "SELECT used FROM quota WHERE account = ? AND endpoint = ? AND period = ?",
            (account, endpoint, period),
        ).fetchone()
        return row[0] if row else 0

    def consume(self, account: str, endpoint: Endpoint, period: int) -> int:
        """Spend one unit in `period` (a count from an older period starts over); the new count."""
        (used,) = self._db.execute(
            "INSERT INTO quota (account, endpoint, period, used) VALUES (?, ?, ?, 1)"
            " ON CONFLICT (account, endpoint) DO UPDATE SET"
            " used = CASE WHEN period = excluded.period THEN used + 1 ELSE 1 END,"
            " period = excluded.period"
            " RETURNING used",
            (account, endpoint, period),
        ).fetchone()
        return used

    def log_delivery(self, request: ReceivedRequest) -> None:
        self._db.execute(
            "INSERT INTO delivered (endpoint, account, payload, status, at) VALUES (?, ?, ?, ?, ?)",
            (
                request.endpoint,
                request.account,
                json.dumps(request.payload),
                request.status,
                request.at.isoformat(),
            ),
        )

    def deliveries(self) -> list[ReceivedRequest]:
        rows = self._db.execute(
            "SELECT endpoint, payload, account, status, at FROM delivered ORDER BY seq"
        )
        return [
            ReceivedRequest(
                endpoint, json.loads(payload), account, status, True, datetime.fromisoformat(at)
            )
            for endpoint, payload, account, status, at in rows
        ]


class _Transport(httpx.BaseTransport):
    def __init__(self, sim: Sandbox) -> None:
        self._sim = sim

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._sim.handle(
            request.method, request.url.path, request.headers, request.read()
        )
        if response.drop_after == 0:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        if response.drop_after is not None:
            raise httpx.ReadTimeout("timed out", request=request)
        return httpx.Response(response.status, headers=response.headers, content=response.body)


def transport(sim: Sandbox) -> httpx.BaseTransport:
    """An httpx transport that answers from `sim` in-process: `httpx.Client(transport=...)`.

    Where the server would hang up, it raises what httpx raises then, at once:
    `httpx.RemoteProtocolError` for a dropped connection, `httpx.ReadTimeout` for a hang.
    """
    return _Transport(sim)


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
        response = self.server.sim.handle(self.command, self.path, dict(self.headers), body)
        if response.drop_after is not None:
            # Set on shutdown, so a hang never holds the server up.
            self.server.closing.wait(response.drop_after)
            self.close_connection = True
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_POST = do_GET = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def log_message(self, format: str, *args: object) -> None:
        pass  # tests read `sim.received`, not a log on stderr


class _Server(ThreadingHTTPServer):
    request_queue_size = 64  # the default 5 drops bursts of connections, which then retry after 1 s

    def __init__(self, sim: Sandbox) -> None:
        self.sim = sim
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


class SandboxServer:
    """`sim` on a loopback HTTP server in a background thread; use it as a context manager."""

    def __init__(self, sim: Sandbox) -> None:
        self._server = _Server(sim)
        host, port = self._server.server_address[:2]
        self.base_url = f"http://{host!s}:{port}{_BASE_PATH}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    def __enter__(self) -> SandboxServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.hang_up()
        self._server.server_close()  # joins the handler threads
        self._thread.join()
