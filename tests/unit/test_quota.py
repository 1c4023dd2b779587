"""Rate-limit headers, reset times and pools."""

from datetime import UTC, datetime, timedelta

import pytest

from runner.quota import (
    Pool,
    exhausted,
    next_utc_midnight,
    observe,
    parse_rate_limit,
    parse_time,
    reset_from_text,
)

NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2026-01-16T00:00:00.000Z",
        "2026-01-16T00:00:00Z",
        "2026-01-16T01:00:00+01:00",
        "1768521600",
        "1768521600000",
        "2026-01-16T00:00:00",
    ],
)
def test_reset_formats(text):
    assert parse_time(text) == datetime(2026, 1, 16, tzinfo=UTC)


@pytest.mark.parametrize("text", ["", "soon", "2026-13-01"])
def test_bad_reset_is_none(text):
    assert parse_time(text) is None


def test_headers_case_insensitive():
    rate = parse_rate_limit(
        {
            "x-ratelimit-limit": "100",
            "X-RateLimit-Remaining": "0",
            "X-RATELIMIT-USED": "100",
            "X-RateLimit-Reset": "1768521600",
        }
    )
    assert (rate.limit, rate.used, rate.remaining) == (100, 100, 0)
    assert rate.reset == datetime(2026, 1, 16, tzinfo=UTC)


def test_reset_from_error_text():
    text = "Rate limit exceeded for MESSAGE: 100/100 used. Resets at 2024-01-16T00:00:00.000Z"
    assert reset_from_text(text) == datetime(2024, 1, 16, tzinfo=UTC)
    assert reset_from_text("Rate limit exceeded for MESSAGE: 150/150 used") is None


def test_remaining_zero_blocks_until_reset():
    pool = observe(
        Pool("", "message"),
        parse_rate_limit(
            {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2026-01-15T12:00:00Z"}
        ),
        NOW,
    )
    assert pool.blocked(NOW)
    assert pool.blocked_until == datetime(2026, 1, 15, 12, tzinfo=UTC)
    assert not pool.blocked(NOW + timedelta(hours=3))


def test_remaining_zero_without_reset_blocks_until_midnight():
    pool = observe(Pool("", "message"), parse_rate_limit({"X-RateLimit-Remaining": "0"}), NOW)
    assert pool.blocked_until == next_utc_midnight(NOW) == datetime(2026, 1, 16, tzinfo=UTC)


def test_remaining_left_does_not_block():
    pool = observe(Pool("", "message"), parse_rate_limit({"X-RateLimit-Remaining": "3"}), NOW)
    assert not pool.blocked(NOW) and pool.remaining == 3


def test_429_blocks_until_reset_else_midnight_and_at_least_a_minute():
    assert exhausted(Pool("a", "message"), None, "429", NOW).blocked_until == datetime(
        2026, 1, 16, tzinfo=UTC
    )
    past = exhausted(Pool("a", "message"), NOW - timedelta(hours=1), "429", NOW)
    assert past.blocked_until == NOW + timedelta(minutes=1)
