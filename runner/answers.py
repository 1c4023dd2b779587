"""What an answer from the API means for the row sent: pure, so every quirk is tested directly.

The rule that keeps anyone from being messaged twice: only an answer that is certainly the
API's own may say "not sent, try again" (a JSON 503, or the documented 500). An answer that may
come after the message went out (another 5xx, a gateway's page, a garbled or late body) is
UNKNOWN: the row is not sent again unless the user asks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any

from .quota import RateLimit, parse_rate_limit, parse_time, reset_from_text
from .relationship import Relationship, read_relationship

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
    FOUND = "found"  # a relationship lookup's answer (route = "auto"): how the two stand


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    detail: str = ""
    recipient_urn: str | None = None
    rate: RateLimit = RateLimit()
    reset: datetime | None = None  # for RATE_LIMITED: when the pool may send again
    retry_after: float | None = None  # for RATE_LIMITED without a time: seconds to wait
    status: int | None = None  # the HTTP status, when there was an answer
    relationship: Relationship | None = None  # for FOUND: what the lookup said


def classify_lookup(status: int, headers: dict[str, str], content: bytes) -> SendResult:
    """Turn the answer to a relationship lookup into a result. A lookup is a read: where a send
    would be unknown (a gateway's 5xx, a garbled body), asking again is safe (RETRY_LATER)."""
    result = classify(status, headers, content)
    if result.outcome is Outcome.SENT:
        found = read_relationship(_json(content))
        if found is not None:
            return replace(result, outcome=Outcome.FOUND, relationship=found)
        return replace(
            result,
            outcome=Outcome.RETRY_LATER,
            detail=f"the relationship lookup answered HTTP {status} without a relationship "
            f"({_error_text(_json(content), content)})",
        )
    if result.outcome is Outcome.UNKNOWN:
        detail = result.detail.replace("; it may have been delivered", "")
        return replace(
            result, outcome=Outcome.RETRY_LATER, detail=f"the relationship lookup: {detail}"
        )
    if result.outcome is Outcome.FAILED and status == 404:
        return replace(
            result,
            detail=f"profile not found (the relationship lookup answered {result.detail}); "
            "nothing was sent",
        )
    if result.outcome is Outcome.FAILED:
        return replace(result, detail=f"the relationship lookup was refused ({result.detail})")
    return result


def classify(status: int, headers: dict[str, str], content: bytes) -> SendResult:
    """Turn one HTTP answer into a result."""
    headers = {name.lower(): value for name, value in headers.items()}
    rate = parse_rate_limit(headers)
    body = _json(content)
    text = _error_text(body, content)
    if 200 <= status < 300:
        result = _success(status, body, text)
    elif 300 <= status < 400:
        where = headers.get("location", "elsewhere")
        result = SendResult(
            Outcome.FATAL,
            f"the API answered HTTP {status}, a redirect to {where}: the base URL is wrong "
            "(it must be the API's own address, such as https://api.connectsafely.ai/linkedin)",
        )
    elif status == 401:
        result = SendResult(
            Outcome.FATAL,
            f"the API refused the API key (HTTP 401: {text}); check CONNECTSAFELY_API_KEY",
        )
    elif status == 429:
        result = _rate_limited(headers, body, text, rate)
    elif status >= 500:
        result = _server_error(status, body, text)
    else:
        result = _refused(status, body, text)
    return replace(result, rate=rate, status=status)


def _success(status: int, body: Any, text: str) -> SendResult:
    if not isinstance(body, dict):
        return SendResult(
            Outcome.UNKNOWN,
            f"HTTP {status} with a body that is not JSON; it may have been delivered",
        )
    if body.get("success") is False:
        return SendResult(Outcome.FAILED, f"HTTP {status}: {text}")
    urn = body.get("recipientProfileUrn")
    return SendResult(Outcome.SENT, "", urn if isinstance(urn, str) else None)


def _rate_limited(headers: dict[str, str], body: Any, text: str, rate: RateLimit) -> SendResult:
    """A 429: when the quota comes back, from whichever place this answer says it."""
    hold = parse_time(str(body.get("holdUntil", ""))) if isinstance(body, dict) else None
    retry_at, retry_in = _retry_after(headers.get("retry-after", ""))
    reset = rate.reset or hold or retry_at or reset_from_text(text)
    if hold is not None and reset is not None and hold > reset:
        reset = hold  # "do not retry before it", whatever the quota's reset says
    return SendResult(
        Outcome.RATE_LIMITED,
        f"HTTP 429: {text}",
        reset=reset,
        retry_after=None if reset else retry_in,
    )


def _retry_after(value: str) -> tuple[datetime | None, float | None]:
    """Retry-After as an HTTP date, or as seconds from now."""
    value = value.strip()
    if not value:
        return None, None
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None, None
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)), None
    return (None, seconds) if 0 <= seconds < 10 * 86400 else (None, None)


def _server_error(status: int, body: Any, text: str) -> SendResult:
    # Only the API's own words may say it did nothing: a gateway's or a load balancer's page
    # can come after the API acted.
    own = _api_answer(body)
    if own and (status == 503 or (status == 500 and NOT_SENT_500 in text)):
        return SendResult(Outcome.RETRY_LATER, f"HTTP {status}: {text}")
    source = "" if own else " from something in front of the API, not the API itself"
    return SendResult(Outcome.UNKNOWN, f"HTTP {status}{source}: {text}; it may have been delivered")


def _refused(status: int, body: Any, text: str) -> SendResult:
    if _api_answer(body):
        return SendResult(Outcome.FAILED, f"HTTP {status}: {text}")
    # The API's refusals are JSON with "success": false or an "error". Anything else (an HTML
    # page, plain text) comes from something else, a wrong base URL or a proxy: it says
    # nothing about this recipient, and marking rows failed for it would lose them.
    return SendResult(
        Outcome.FATAL,
        f"the API answered HTTP {status} ({text}), which is not an answer about a "
        "recipient; check the base URL",
    )


def _api_answer(body: Any) -> bool:
    """Whether a body is the API's own: JSON with "success": false or an "error"."""
    return isinstance(body, dict) and (body.get("success") is False or "error" in body)


def _json(content: bytes) -> Any:
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError):  # nested past reason: not JSON
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
