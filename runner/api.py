"""The ConnectSafely HTTP client: one send plan in, one classified result out.

The rule that keeps anyone from being messaged twice: retry only when the request certainly
did not reach the API (no connection, or an answer saying it did nothing: 500, 503). When it
may have reached it (a read timeout, a dropped connection, a garbled answer), the result is
UNKNOWN and the row is not sent again unless the user asks.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from .answers import Outcome, SendResult, classify, classify_lookup
from .clock import Clock
from .errors import ConfigError
from .plans import Endpoint, SendPlan
from .relationship import lookup_path


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
        deadline: float | None = None,
    ) -> None:
        self.http = http
        # How long one request may take in all, however its answer trickles in (httpx's own
        # timeouts are per read: a byte a second would hold the run, and its lock, for hours).
        self.deadline = deadline or http.timeout.read or 30.0
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

    def request(self, plan: SendPlan) -> SendResult:
        """What the plan asks for next: its relationship looked up, or its message sent."""
        return self.lookup(plan) if plan.endpoint is Endpoint.RELATIONSHIP else self.send(plan)

    def lookup(self, plan: SendPlan) -> SendResult:
        """How `plan.account` stands to the person. A read, so anything short of the API's
        own answer (no connection, a timeout, a 5xx, a garbled body) is asked again."""
        path = lookup_path(plan.account, plan.recipient)
        result = SendResult(Outcome.RETRY_LATER)
        for attempt in range(self.attempts):
            if attempt:
                self.clock.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                result = classify_lookup(*self._call("GET", path))
            except _TooSlow:
                result = SendResult(
                    Outcome.RETRY_LATER,
                    f"the relationship lookup's answer took more than {self.deadline:g} s",
                )
            except httpx.LocalProtocolError as err:  # its text can quote the key: left out
                result = SendResult(
                    Outcome.RETRY_LATER,
                    f"the HTTP library refused the lookup ({type(err).__name__})",
                )
            except httpx.TransportError as err:
                result = SendResult(
                    Outcome.RETRY_LATER, f"the relationship lookup got no answer ({_describe(err)})"
                )
            if result.outcome is not Outcome.RETRY_LATER:
                return result
        return result

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

    def _call(
        self, method: str, path: str, body: dict[str, object] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """The answer's status, headers and body, all within the deadline."""
        ends = time.monotonic() + self.deadline
        with self.http.stream(method, path, json=body) as response:
            chunks = []
            try:
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    if time.monotonic() > ends:
                        raise _TooSlow
            except httpx.DecodingError:  # a broken Content-Encoding: the body is lost
                chunks = [b"(a body that could not be decoded: broken Content-Encoding)"]
            if time.monotonic() > ends:
                raise _TooSlow
            return response.status_code, dict(response.headers), b"".join(chunks)

    def _send_once(self, plan: SendPlan) -> SendResult:
        self._on_wire.add(plan.recipient.key)
        try:
            status, headers, content = self._call("POST", plan.endpoint.path, plan.payload())
        except _TooSlow:
            result = SendResult(
                Outcome.UNKNOWN,
                f"the answer was still coming after {self.deadline:g} s (the campaign's "
                "timeout); it may have been delivered",
            )
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
            result = classify(status, headers, content)
        if result.outcome in (Outcome.RETRY_LATER, Outcome.RATE_LIMITED, Outcome.FATAL):
            self._on_wire.discard(plan.recipient.key)
        return result


class _TooSlow(Exception):
    """The answer did not arrive within the request's deadline."""


def _describe(err: Exception) -> str:
    return str(err) or type(err).__name__
