"""The ConnectSafely HTTP client: one send plan in, one classified result out.

The rule that keeps anyone from being messaged twice: retry only when the request certainly
did not reach the API (no connection, or an answer saying it did nothing: 500, 503). When it
may have reached it (a read timeout, a dropped connection, a garbled answer), the result is
UNKNOWN and the row is not sent again unless the user asks.
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import httpx

from .clock import Clock
from .errors import ConfigError
from .plans import SendPlan
from .quota import RateLimit, parse_rate_limit, parse_time, reset_from_text

# The documented 500 says the API could not even log in to LinkedIn: nothing was sent, so
# sending again is safe. Any other 500 may come after the message went out.
NOT_SENT_500 = "Failed to get LinkedIn authentication credentials"


class Outcome(StrEnum):
    SENT = "sent"
    FAILED = "failed"  # the API refused this row (400, 403, 404 ...): do not send again
    RATE_LIMITED = "rate_limited"  # 429: the row waits for the pool's reset
    RETRY_LATER = "retry_later"  # certainly not sent, the API or network is failing for now
    UNKNOWN = "unknown"  # may or may not have been sent
    FATAL = "fatal"  # 401, or an answer that is about no recipient: stop everything


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    detail: str = ""
    recipient_urn: str | None = None
    rate: RateLimit = RateLimit()
    reset: datetime | None = None  # for RATE_LIMITED: when the pool may send again
    status: int | None = None  # the HTTP status, when there was an answer


@dataclass(frozen=True)
class ApiTarget:
    """Where requests go and with which key. The key is never printed or written anywhere."""

    base_url: str
    api_key: str
    timeout: float
    sandbox: bool = False

    def __repr__(self) -> str:  # keep the key out of tracebacks and debug output
        return f"ApiTarget(base_url={self.base_url!r}, sandbox={self.sandbox})"


def check_base_url(url: str, source: str) -> str:
    """Refuse a base URL that would send the API key in clear over a network."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{source}: base URL {url!r} is not an http(s) URL")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigError(
            f"{source}: base URL {url!r} is plain HTTP; the API key would travel unencrypted. "
            "Use https:// (plain http is allowed only for localhost)"
        )
    return url.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_api_key(key: str, source: str) -> str:
    """A key an HTTP header can carry; anything else would fail on every request (and an
    HTTP library error can quote the header, key and all)."""
    if not key.isascii() or not key.isprintable() or any(c.isspace() for c in key):
        raise ConfigError(
            f"{source} holds characters an API key cannot have (a space, a line break or a "
            "non-ASCII letter); check how it was set"
        )
    return key


def make_http_client(
    target: ApiTarget, transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    return httpx.Client(
        base_url=target.base_url,
        headers={
            "Authorization": f"Bearer {target.api_key}",
            "User-Agent": "campaign-runner",
        },
        timeout=httpx.Timeout(target.timeout, connect=min(target.timeout, 10.0)),
        transport=transport,
        follow_redirects=False,
    )


class ApiClient:
    """Sends one plan, retrying only what certainly did not reach the API."""

    def __init__(
        self,
        http: httpx.Client,
        clock: Clock,
        *,
        attempts: int = 4,
        backoff: float = 2.0,
    ) -> None:
        self.http = http
        self.clock = clock
        self.attempts = attempts
        self.backoff = backoff
        # Recipients whose send under way may have delivered a message: added as each attempt
        # starts, removed only by an answer that says it did not. Ctrl-C while a row is here
        # makes it unknown; while it is not (say, in the pause between retries), it just waits.
        self._on_wire: set[str] = set()

    def may_have_delivered(self, plan: SendPlan) -> bool:
        """Whether the send of `plan` under way may have reached the API."""
        return plan.recipient.key in self._on_wire

    def forget(self, plan: SendPlan) -> None:
        """The caller holds the outcome of `plan`'s send: stop tracking it."""
        self._on_wire.discard(plan.recipient.key)

    def send(self, plan: SendPlan) -> SendResult:
        self._on_wire.discard(plan.recipient.key)
        result = SendResult(Outcome.RETRY_LATER)
        for attempt in range(self.attempts):
            if attempt:
                self.clock.sleep(self.backoff * 2 ** (attempt - 1))
            result = self._send_once(plan)
            if result.outcome is not Outcome.RETRY_LATER:
                return result
        return result

    def _send_once(self, plan: SendPlan) -> SendResult:
        self._on_wire.add(plan.recipient.key)
        try:
            response = self.http.post(plan.endpoint.path, json=plan.payload())
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as err:
            result = SendResult(Outcome.RETRY_LATER, f"cannot reach the API: {_describe(err)}")
        except httpx.LocalProtocolError as err:
            # Its text can quote the request's headers, key and all: keep it out of the sheet.
            result = SendResult(
                Outcome.RETRY_LATER, f"the HTTP library refused to send ({type(err).__name__})"
            )
        except httpx.TransportError as err:
            # Read timeout, dropped connection...: the request may have been acted on.
            result = SendResult(
                Outcome.UNKNOWN,
                f"no answer after sending ({_describe(err)}); it may have been delivered",
            )
        else:
            result = classify(response.status_code, dict(response.headers), response.content)
        if result.outcome in (Outcome.RETRY_LATER, Outcome.RATE_LIMITED, Outcome.FATAL):
            self._on_wire.discard(plan.recipient.key)
        return result


def classify(status: int, headers: dict[str, str], content: bytes) -> SendResult:
    """Turn one HTTP answer into a result; pure, so every API quirk is tested directly."""
    return replace(_classify(status, headers, content), status=status)


def _classify(status: int, headers: dict[str, str], content: bytes) -> SendResult:
    rate = parse_rate_limit(headers)
    body = _json(content)
    text = _error_text(body, content)
    if 200 <= status < 300:
        if not isinstance(body, dict):
            return SendResult(
                Outcome.UNKNOWN,
                f"HTTP {status} with a body that is not JSON; it may have been delivered",
                rate=rate,
            )
        if body.get("success") is False:
            return SendResult(Outcome.FAILED, f"HTTP {status}: {text}", rate=rate)
        urn = body.get("recipientProfileUrn")
        return SendResult(Outcome.SENT, "", urn if isinstance(urn, str) else None, rate=rate)
    if status == 401:
        return SendResult(
            Outcome.FATAL,
            f"the API refused the API key (HTTP 401: {text}); check CONNECTSAFELY_API_KEY",
            rate=rate,
        )
    if status == 429:
        hold = parse_time(str(body.get("holdUntil", ""))) if isinstance(body, dict) else None
        reset = rate.reset or hold or reset_from_text(text)
        return SendResult(Outcome.RATE_LIMITED, f"HTTP 429: {text}", rate=rate, reset=reset)
    if status == 503 or (status == 500 and NOT_SENT_500 in text):
        return SendResult(Outcome.RETRY_LATER, f"HTTP {status}: {text}", rate=rate)
    if 400 <= status < 500:
        if isinstance(body, dict) and (body.get("success") is False or "error" in body):
            return SendResult(Outcome.FAILED, f"HTTP {status}: {text}", rate=rate)
        # The API's refusals are JSON with "success": false or an "error". Anything else (an
        # HTML page, plain text) comes from something else, a wrong base URL or a proxy: it
        # says nothing about this recipient, and marking every row failed would lose them.
        return SendResult(
            Outcome.FATAL,
            f"the API answered HTTP {status} ({text}), which is not an answer about a "
            "recipient; check the base URL",
            rate=rate,
        )
    # Another 500, 502, 504...: the API, or something in front of it, may have sent the
    # message before failing.
    return SendResult(
        Outcome.UNKNOWN, f"HTTP {status}: {text}; it may have been delivered", rate=rate
    )


def _json(content: bytes) -> Any:
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None


def _error_text(body: Any, content: bytes) -> str:
    """The API's reason, wherever this answer shape keeps it."""
    if not isinstance(body, dict):
        return content[:200].decode("utf-8", "replace").strip() or "(empty body)"
    error = body.get("error")
    if isinstance(error, dict):
        error = error.get("message") or json.dumps(error)
    text = str(error or body.get("message") or "")
    details = body.get("errorDetails")
    if isinstance(details, dict) and isinstance(details.get("data"), dict):
        data = details["data"]
        reason = ": ".join(str(data[k]) for k in ("code", "message") if data.get(k))
        if reason:
            text = f"{text} ({reason})" if text else reason
    return text or json.dumps(body)[:200]


def _describe(err: Exception) -> str:
    return str(err) or type(err).__name__
