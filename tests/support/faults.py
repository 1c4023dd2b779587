"""Faults for tests: a sandbox that misbehaves as real networks and servers do, on request.

`FaultySandbox(sandbox)` answers as `sandbox.handle` does, except where an injected fault says
otherwise: error statuses, dropped connections, hangs, bodies that are not JSON, headers that
disagree with the body. Faults are used first-in, first-out by the requests they match. It also
keeps `received`, every request it handled and what became of it.

Its replies go out over loopback HTTP (`tests.support.loopback`), or in-process through
`faulty_transport`, which raises at once what httpx raises where a server would hang up.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

import httpx

from runner.plans import Endpoint
from runner.sandbox import Answer, ReceivedRequest, Sandbox


class FaultKind(StrEnum):
    STATUS = "status"  # answer `status`, `body`, `headers` without processing the request
    DROP_BEFORE = "drop-before"  # read the request, close the connection, nothing delivered
    DROP_AFTER = "drop-after"  # process (deliver) the request, then close without answering
    HANG = "hang"  # process the request, answer nothing for `seconds`, then close
    NOT_JSON = "not-json"  # process the request, answer 200 with `body` (default: HTML)
    SUCCESS_FALSE = "success-false"  # answer 200 `body` (default: success false), nothing delivered
    OVERRIDE_HEADERS = "override-headers"  # process the request, then replace/add `headers`
    SLOW = "slow"  # process the request, then answer as usual after `seconds`
    TRICKLE = "trickle"  # process the request, answer headers, then the body a byte per `seconds`


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
        if self.endpoint is not None and self.endpoint not in tuple(Endpoint):
            raise ValueError(
                f"fault endpoint must be one of {', '.join(map(repr, Endpoint))} or None"
            )
        if self.kind in (FaultKind.HANG, FaultKind.SLOW, FaultKind.TRICKLE) and self.seconds <= 0:
            raise ValueError(f"{self.kind} seconds must be positive, not {self.seconds}")


@dataclass(frozen=True)
class Drop:
    """No answer: the connection is closed after `seconds` (0: at once)."""

    seconds: float
    request: ReceivedRequest


@dataclass(frozen=True)
class Late:
    """An answer that comes late: all of it after `seconds`, or (`trickle`) the headers at once
    and then the body a byte every `seconds`."""

    answer: Answer
    seconds: float
    trickle: bool = False

    @property
    def request(self) -> ReceivedRequest:
        return self.answer.request


@dataclass
class _Queued:
    fault: Fault
    left: int


_SUCCESS_FALSE = {"success": False, "error": "Failed to send message"}
_HTML = {"Content-Type": "text/html; charset=utf-8"}
_PAGE = b"<!DOCTYPE html><html><body>Message sent</body></html>"


class FaultySandbox:
    """`sandbox` behind a queue of injected faults, logging what it receives. Thread-safe."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self._lock = threading.Lock()
        self._received: list[ReceivedRequest] = []
        self._faults: list[_Queued] = []  # first in, first out

    @property
    def received(self) -> list[ReceivedRequest]:
        """Every request this instance handled, in order (a copy)."""
        with self._lock:
            return list(self._received)

    def delivered(self) -> list[ReceivedRequest]:
        """Every delivered message in the sandbox's store."""
        return self.sandbox.delivered()

    def inject(self, fault: Fault) -> None:
        """Queue a fault for the next matching request(s)."""
        with self._lock:
            self._faults.append(_Queued(fault, fault.times))

    def clear(self) -> None:
        """Drop the faults still queued (the network, or the base URL, is fixed)."""
        with self._lock:
            self._faults.clear()

    def close(self) -> None:
        self.sandbox.close()

    def handle(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> Answer | Drop | Late:
        """Answer one HTTP request as the sandbox does, unless the next matching fault says not."""
        with self._lock:
            request = self.sandbox.read(path, body)
            fault = self._take(request.endpoint)
            reply: Answer | Drop | Late
            if fault is None:
                reply = self.sandbox.handle(method, path, headers, body)
            elif fault.kind is FaultKind.DROP_BEFORE:
                reply = Drop(0, request)
            elif fault.kind is FaultKind.SUCCESS_FALSE:
                quota = self.sandbox.quota_headers(request)
                reply = _answer(200, fault.body or _SUCCESS_FALSE, quota, request)
            elif fault.kind is FaultKind.STATUS and not fault.deliver:
                reply = _answer(fault.status, fault.body, fault.headers, request)
            else:
                seen = _status_seen(fault)
                answer = self.sandbox.handle(method, path, headers, body, status_seen=seen)
                reply = _spoil(answer, fault)
            self._received.append(reply.request)
            return reply

    def _take(self, endpoint: Endpoint | None) -> Fault | None:
        for queued in self._faults:
            if queued.fault.endpoint in (None, endpoint):
                queued.left -= 1
                if queued.left == 0:
                    self._faults.remove(queued)
                return queued.fault
        return None


def _status_seen(fault: Fault) -> int | None:
    """The status the client sees after the sandbox has processed the request, if not its own."""
    if fault.kind is FaultKind.STATUS:
        return fault.status
    if fault.kind in (FaultKind.DROP_AFTER, FaultKind.HANG):
        return 0
    if fault.kind is FaultKind.NOT_JSON:
        return 200
    return None


def _spoil(answer: Answer, fault: Fault) -> Answer | Drop | Late:
    """What the client gets instead of the sandbox's `answer` (the request was processed)."""
    if fault.kind in (FaultKind.SLOW, FaultKind.TRICKLE):
        return Late(answer, fault.seconds, trickle=fault.kind is FaultKind.TRICKLE)
    if fault.kind is FaultKind.STATUS:
        return _answer(fault.status, fault.body, fault.headers, answer.request)
    if fault.kind is FaultKind.DROP_AFTER:
        return Drop(0, answer.request)
    if fault.kind is FaultKind.HANG:
        return Drop(fault.seconds, answer.request)
    if fault.kind is FaultKind.NOT_JSON:
        page = fault.body if isinstance(fault.body, bytes) else _PAGE
        return replace(answer, status=200, headers=_merged(answer.headers, _HTML), body=page)
    assert fault.kind is FaultKind.OVERRIDE_HEADERS, fault.kind
    return replace(answer, headers=_merged(answer.headers, fault.headers))


def _answer(
    status: int,
    body: bytes | Mapping[str, object] | None,
    headers: Mapping[str, str],
    request: ReceivedRequest,
) -> Answer:
    request = replace(request, status=status)
    if isinstance(body, bytes | None):
        return Answer(status, dict(headers), body or b"", request)
    json_headers = {"Content-Type": "application/json", **headers}
    return Answer(status, json_headers, json.dumps(body).encode(), request)


def _merged(headers: Mapping[str, str], override: Mapping[str, str]) -> dict[str, str]:
    """`headers` with those in `override` replaced or added, names compared without case."""
    drop = {name.lower() for name in override}
    kept = {name: value for name, value in headers.items() if name.lower() not in drop}
    return {**kept, **override}


class _Transport(httpx.BaseTransport):
    def __init__(self, faulty: FaultySandbox) -> None:
        self._faulty = faulty

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        reply = self._faulty.handle(
            request.method, request.url.path, request.headers, request.read()
        )
        if isinstance(reply, Drop) and reply.seconds == 0:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        if isinstance(reply, Drop):
            raise httpx.ReadTimeout("timed out", request=request)
        if isinstance(reply, Late):  # in-process there is no wire to be late on
            reply = reply.answer
        return httpx.Response(reply.status, headers=reply.headers, content=reply.body)


def faulty_transport(faulty: FaultySandbox) -> httpx.BaseTransport:
    """An httpx transport that answers from `faulty` in-process.

    Where the server would hang up, it raises what httpx raises then, at once:
    `httpx.RemoteProtocolError` for a dropped connection, `httpx.ReadTimeout` for a hang.
    """
    return _Transport(faulty)
