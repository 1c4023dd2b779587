"""The sandbox's API: the ConnectSafely endpoints this project uses, simulated.

`campaign-runner run --sandbox` sends to it in-process, through `transport(sandbox)`.
`Sandbox.handle` answers as the API reference describes (connectsafely-api.md), in this order:

1. Path and method: `POST /linkedin/message` and `POST /linkedin/messaging/send-group`, with or
   without the `/linkedin` prefix; `GET /linkedin/relationship/...` answers as `relations.py`
   says. Any other path is 404 `{"error": "Not found"}`; another method on a known path is 405.
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

Quota counts and the log of delivered messages live in SQLite (`store`): in memory, or in
`store_path`, where they outlast the process (the sandbox CLI is a new process each run and must
find its quota spent).

The test suite puts a fault injector in front of a sandbox (tests/support/faults.py). What that
needs is public, and no more: each `Answer` carries the record of its request (so whether it
delivered), `read` and `quota_headers` look at a request and the quota without answering or
spending, and `handle(..., status_seen=...)` records the status the client will really see when
the injector replaces the answer.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from ..clock import Clock
from ..plans import Endpoint
from .relations import ACTION, limited, parse_lookup, profile_urn, relationship
from .store import ReceivedRequest, Store

DEFAULT_LIMITS: dict[Endpoint, int] = {
    Endpoint.MESSAGE: 100,
    Endpoint.SEND_GROUP: 150,
    Endpoint.RELATIONSHIP: 200,
}

_PATHS = {endpoint.path: endpoint for endpoint in (Endpoint.MESSAGE, Endpoint.SEND_GROUP)}
_BASE_PATH = "/linkedin"
_FIELDS = {
    Endpoint.MESSAGE: (
        "accountId",
        "recipientProfileId",
        "recipientProfileUrn",
        "message",
        "subject",
        "messageType",
        "groupId",
    ),
    Endpoint.SEND_GROUP: ("accountId", "recipientProfileUrn", "groupId", "message"),
}
_UNAUTHORIZED = {
    Endpoint.RELATIONSHIP: "Unauthorized",
    Endpoint.MESSAGE: "Unauthorized",
    Endpoint.SEND_GROUP: "Unauthorized - Invalid credentials",
}
_SENT = {
    Endpoint.MESSAGE: "Message sent successfully",
    Endpoint.SEND_GROUP: "Group context message sent successfully",
}
_DEFAULT_ACCOUNT = "default"
_BROKEN_ACCOUNT = "acc_broken"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Answer:
    """What the sandbox answers to one request, with its record of that request."""

    status: int
    headers: dict[str, str]
    body: bytes
    request: ReceivedRequest


class Sandbox:
    """The two endpoints, their quota and the recipient patterns. Thread-safe."""

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
        self._store = Store(store_path)
        self._lock = threading.Lock()

    def delivered(self) -> list[ReceivedRequest]:
        """Every delivered message in the store, including earlier instances sharing store_path."""
        with self._lock:
            return self._store.deliveries()

    def close(self) -> None:
        """Release the store (also done when the sandbox is garbage-collected)."""
        with self._lock:
            self._store.close()

    def handle(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str],
        body: bytes,
        *,
        status_seen: int | None = None,
    ) -> Answer:
        """Answer one HTTP request.

        `status_seen`: the status the client will get instead of this answer's (0: none at all),
        when something in front of the sandbox replaces it; the request's record, and the
        delivered log, say that status.
        """
        headers = {name.lower(): value for name, value in headers.items()}
        with self._lock, self._store.transaction():
            request = self.read(path, body)
            status, answer_headers, answer_body = self._answer(method, headers, request)
            delivered = status == 200 and request.endpoint is not Endpoint.RELATIONSHIP
            request = replace(
                request,
                status=status if status_seen is None else status_seen,
                delivered=delivered,
            )
            if delivered:
                self._store.log_delivery(request)
            return Answer(status, answer_headers, answer_body, request)

    def read(self, path: str, body: bytes) -> ReceivedRequest:
        """How the sandbox reads a request, now, before answering it (status 0, not delivered)."""
        lookup = parse_lookup(_below_base(path))
        if lookup is not None:  # what it asks, as if it were a body: the profile and account
            account, profile = lookup
            asked = {"profileId": profile, **({"accountId": account} if account else {})}
            at = self._clock.now()
            return ReceivedRequest(Endpoint.RELATIONSHIP, asked, _account(asked), 0, False, at)
        payload = _json_object(body)
        return ReceivedRequest(
            _endpoint(path), payload, _account(payload), 0, False, self._clock.now()
        )

    def quota_headers(self, request: ReceivedRequest) -> dict[str, str]:
        """The request's X-RateLimit-* headers, spending nothing (none for an unknown path)."""
        if request.endpoint is None:
            return {}
        with self._lock:
            return self._quota_headers(request.endpoint, request.account, request.at)

    def _answer(
        self, method: str, headers: Mapping[str, str], request: ReceivedRequest
    ) -> tuple[int, dict[str, str], bytes]:
        """Process a request as the API does: the status, headers and body to answer."""
        endpoint, payload, account = request.endpoint, request.payload, request.account
        if endpoint is None:
            return _json(404, {"error": "Not found"})
        allowed = "GET" if endpoint is Endpoint.RELATIONSHIP else "POST"
        if method.upper() != allowed:
            return _json(405, {"error": "Method not allowed"}, {"Allow": allowed})
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or token.strip() != self._api_key:
            return _json(401, {"error": _UNAUTHORIZED[endpoint]})
        if endpoint is Endpoint.RELATIONSHIP:
            assert payload is not None
            return self._lookup(payload["profileId"], account, request.at)

        error = "Invalid JSON body" if payload is None else _invalid(endpoint, payload)
        if error:
            quota_headers = self._quota_headers(endpoint, account, request.at)
            return _json(400, _failure(endpoint, error), quota_headers)
        assert payload is not None

        period, reset_us = self._period(request.at)
        limit = self._limits[endpoint]
        used = self._store.used(account, endpoint, period)
        if used >= limit:
            text = f"Rate limit exceeded for MESSAGE: {used}/{limit} used"
            if endpoint is Endpoint.MESSAGE:
                # Only /message says when the quota comes back, as documented.
                text += f". Resets at {_iso_ms(reset_us)}"
            status, answer = 429, _failure(endpoint, text)
        elif refusal := _refusal(endpoint, payload, account):
            status, answer = refusal
        else:
            used = self._store.consume(account, endpoint, period)
            status, answer = 200, _sent(endpoint, payload)
        return _json(status, answer, self._rate_headers(limit, used, reset_us))

    def _lookup(
        self, profile: str, account: str, now: datetime
    ) -> tuple[int, dict[str, str], bytes]:
        """A relationship lookup: its own quota, then the stable answer (relations.py)."""
        period, reset_us = self._period(now)
        limit = self._limits[Endpoint.RELATIONSHIP]
        used = self._store.used(account, Endpoint.RELATIONSHIP, period)
        if used >= limit:
            status, answer = 429, limited(used, limit, _iso_ms(reset_us))
        else:
            status, answer = relationship(account, profile)
            if status == 200:
                used = self._store.consume(account, Endpoint.RELATIONSHIP, period)
        return _json(status, answer, self._rate_headers(limit, used, reset_us, ACTION))

    def _period(self, now: datetime) -> tuple[int, int]:
        """The period index of `now` and the start of the next period, in µs since the epoch."""
        index = ((now - _EPOCH) // timedelta(microseconds=1)) // self._day_us
        return index, (index + 1) * self._day_us

    def _quota_headers(self, endpoint: Endpoint, account: str, now: datetime) -> dict[str, str]:
        period, reset_us = self._period(now)
        used = self._store.used(account, endpoint, period)
        action = ACTION if endpoint is Endpoint.RELATIONSHIP else "MESSAGE"
        return self._rate_headers(self._limits[endpoint], used, reset_us, action)

    def _rate_headers(
        self, limit: int, used: int, reset_us: int, action: str = "MESSAGE"
    ) -> dict[str, str]:
        # Rounded up, so a client that waits until the stated time finds the quota back.
        unix = str(-(-reset_us // 1_000_000))
        reset = unix if self._reset_format == "unix" else _iso_ms(reset_us)
        return {
            "X-RateLimit-Action": action,
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Used": str(used),
            "X-RateLimit-Remaining": str(max(0, limit - used)),
            "X-RateLimit-Reset": reset,
        }


def _below_base(path: str) -> str:
    path = path.split("?", 1)[0].rstrip("/")
    return path[len(_BASE_PATH) :] if path.startswith(_BASE_PATH + "/") else path


def _endpoint(path: str) -> Endpoint | None:
    return _PATHS.get(_below_base(path))


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
    if endpoint is Endpoint.SEND_GROUP:
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
    profile_id = payload.get("recipientProfileId", "") if endpoint is Endpoint.MESSAGE else ""
    urn = payload.get("recipientProfileUrn", "")
    if "notfound" in profile_id.lower() or profile_id.lower().startswith("invalid-"):
        return 404, _failure(endpoint, f"LinkedIn profile not found: {profile_id}")
    if "notfound" in urn.lower():
        return 404, _failure(endpoint, f"LinkedIn profile not found: {urn}")
    if endpoint is Endpoint.SEND_GROUP and "forbidden" in urn.lower():
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
    if endpoint is Endpoint.SEND_GROUP:
        return {"success": False, "error": error}
    return {"error": error, "success": False}


def _iso_ms(moment_us: int) -> str:
    """ISO 8601 with milliseconds and a Z, rounded up to the millisecond."""
    ms = -(-moment_us // 1000)
    moment = _EPOCH + timedelta(milliseconds=ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _sent(endpoint: Endpoint, payload: dict) -> dict:
    body = {"success": True, "message": _SENT[endpoint]}
    if _given(payload, "recipientProfileUrn"):
        body["recipientProfileUrn"] = payload["recipientProfileUrn"]
    else:
        body["recipientProfileUrn"] = profile_urn(payload["recipientProfileId"])
    if endpoint is Endpoint.SEND_GROUP:
        body["groupId"] = payload["groupId"]
    return body


def _json(
    status: int, body: object, headers: Mapping[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    return (
        status,
        {"Content-Type": "application/json", **(headers or {})},
        json.dumps(body).encode(),
    )


class _Transport(httpx.BaseTransport):
    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self._sandbox.handle(
            request.method, request.url.path, request.headers, request.read()
        )
        return httpx.Response(answer.status, headers=answer.headers, content=answer.body)


def transport(sandbox: Sandbox) -> httpx.BaseTransport:
    """An httpx transport that answers from `sandbox` in-process: `httpx.Client(transport=...)`."""
    return _Transport(sandbox)
