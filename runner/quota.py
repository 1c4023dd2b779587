"""Daily quotas, learnt from the API's X-RateLimit-* headers and 429 answers.

The two endpoints report different limits (100 and 150) under the same action name, so what is
learnt is kept per pool: (account, endpoint). The headers are trusted over any assumed number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from .plans import Endpoint, PoolKey

QUOTA_USED_UP = "daily quota used up"
ASKED_TO_WAIT = "the API asked to wait"  # a 429's Retry-After: a while, not the day
# After a 429 whose reset time is missing or already past, wait at least this long.
MIN_429_BLOCK = timedelta(minutes=1)
# More than any daily quota: a header saying more is garbled, not a quota.
_MOST = 1_000_000
# A reset further ahead than this is garbled too (a daily quota comes back within a day).
_FURTHEST_RESET = timedelta(days=8)
_RESETS_AT = re.compile(r"[Rr]esets at (\S+?)\.?(?:\s|$)")


@dataclass(frozen=True)
class RateLimit:
    """What one response's X-RateLimit-* headers said (None: the header was absent or bad)."""

    limit: int | None = None
    used: int | None = None
    remaining: int | None = None
    reset: datetime | None = None


@dataclass(frozen=True)
class Pool:
    """The known state of one (account, endpoint) quota."""

    account: str
    endpoint: Endpoint
    limit: int | None = None
    used: int | None = None
    remaining: int | None = None
    reset: datetime | None = None
    blocked_until: datetime | None = None
    reason: str = ""

    @property
    def key(self) -> PoolKey:
        return PoolKey(self.account, self.endpoint)

    @property
    def asked_to_wait(self) -> bool:
        """Whether the block is a while the API asked for, not a spent daily quota."""
        return self.reason.startswith(ASKED_TO_WAIT)

    def blocked(self, now: datetime) -> bool:
        return self.blocked_until is not None and now < self.blocked_until


def parse_rate_limit(headers: Mapping[str, str]) -> RateLimit:
    """Read the X-RateLimit-* headers; a malformed value counts as absent."""
    lower = {k.lower(): v for k, v in headers.items()}

    def number(name: str) -> int | None:
        try:
            value = int(float(lower[name].strip()))
        except (KeyError, ValueError, OverflowError):  # absent, garbled, "inf"
            return None
        return value if 0 <= value <= _MOST else None

    return RateLimit(
        limit=number("x-ratelimit-limit"),
        used=number("x-ratelimit-used"),
        remaining=number("x-ratelimit-remaining"),
        reset=parse_time(lower.get("x-ratelimit-reset", "")),
    )


def parse_time(value: str) -> datetime | None:
    """An ISO 8601 time or a Unix timestamp (seconds or milliseconds), as aware UTC."""
    value = value.strip()
    if not value:
        return None
    # A date first ("2026-..."), as the journal writes every time, is no number: a failed
    # float() would cost as much as the rest (it runs for each send of a resume's journals).
    if not (value[4:5] == "-" and value[:4].isdigit()):
        number = _number(value)
        if number is not None:
            if number > 1e11:  # milliseconds: seconds would be past the year 5000
                number /= 1000
            try:
                return datetime.fromtimestamp(number, UTC)
            except (OverflowError, OSError, ValueError):
                return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:  # the API speaks UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def reset_from_text(text: str) -> datetime | None:
    """The time in an error text like "... Resets at 2024-01-16T00:00:00.000Z"."""
    match = _RESETS_AT.search(text)
    return parse_time(match.group(1)) if match else None


def next_utc_midnight(now: datetime) -> datetime:
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day + timedelta(days=1)


def _sane(reset: datetime | None, now: datetime) -> datetime | None:
    """A reset time worth believing: not years ahead (a garbled header, a typo)."""
    return reset if reset is not None and reset <= now + _FURTHEST_RESET else None


def observe(pool: Pool, rate: RateLimit, now: datetime) -> Pool:
    """Update a pool from an answer's headers; Remaining 0 blocks it until the reset."""
    if rate == RateLimit():
        return pool
    rate = replace(rate, reset=_sane(rate.reset, now))
    pool = replace(
        pool,
        limit=rate.limit if rate.limit is not None else pool.limit,
        used=rate.used if rate.used is not None else pool.used,
        remaining=rate.remaining,
        reset=rate.reset or pool.reset,
    )
    if rate.remaining is not None and rate.remaining <= 0:
        until = rate.reset if rate.reset and rate.reset > now else next_utc_midnight(now)
        pool = replace(pool, blocked_until=until, reason=QUOTA_USED_UP)
    return pool


def exhausted(
    pool: Pool, reset: datetime | None, reason: str, now: datetime, retry_after: float | None = None
) -> Pool:
    """Block a pool after a 429 until its reset, else `retry_after` seconds from now (as the API
    asks, however short), else the next 00:00 UTC."""
    if retry_after is not None and _sane(reset, now) is None:
        until = now + timedelta(seconds=max(retry_after, 1.0))
        return replace(pool, blocked_until=until, reason=f"{ASKED_TO_WAIT} ({reason})")
    until = _sane(reset, now) or next_utc_midnight(now)
    until = max(until, now + MIN_429_BLOCK)  # a reset already past: wait a little all the same
    return replace(pool, remaining=0, blocked_until=until, reset=until, reason=QUOTA_USED_UP)
