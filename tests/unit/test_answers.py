"""What an answer means: the classification of every shape an API, a proxy or a network gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from runner.answers import Outcome, classify
from runner.plans import Endpoint
from runner.quota import Pool, exhausted, observe

NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
OK = b'{"success": true, "recipientProfileUrn": "urn:li:fsd_profile:X"}'


@pytest.mark.parametrize(
    ("status", "body", "outcome"),
    [
        (503, b'{"error": "Service Unavailable", "success": false}', Outcome.RETRY_LATER),
        (503, b"<html><body>503 Service Temporarily Unavailable</body></html>", Outcome.UNKNOWN),
        (503, b"", Outcome.UNKNOWN),
        (
            500,
            b'{"error": "Failed to get LinkedIn authentication credentials"}',
            Outcome.RETRY_LATER,
        ),
        (500, b"Failed to get LinkedIn authentication credentials", Outcome.UNKNOWN),
        (500, b'{"error": "Internal error"}', Outcome.UNKNOWN),
        (504, b'{"error": "timeout"}', Outcome.UNKNOWN),
    ],
    ids=[
        "api-503",
        "gateway-503-page",
        "empty-503",
        "api-500-login",
        "text-500",
        "other-500",
        "504",
    ],
)
def test_only_the_apis_own_words_may_say_it_did_nothing(status, body, outcome):
    result = classify(status, {}, body)
    assert result.outcome is outcome
    if outcome is Outcome.UNKNOWN:
        assert result.detail.endswith("it may have been delivered")


def test_a_gateway_page_says_where_it_came_from():
    result = classify(503, {"Content-Type": "text/html"}, b"<h1>Service Unavailable</h1>")
    assert result.detail == (
        "HTTP 503 from something in front of the API, not the API itself: "
        "<h1>Service Unavailable</h1>; it may have been delivered"
    )


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_about_the_base_url(status):
    result = classify(status, {"Location": "https://x.example/y"}, b"")
    assert result.outcome is Outcome.FATAL
    assert result.detail.startswith(f"the API answered HTTP {status}, a redirect to https://x")


def test_deeply_nested_json_is_no_crash_and_not_an_answer():
    nested = b"[" * 200_000 + b"]" * 200_000
    assert classify(200, {}, nested).outcome is Outcome.UNKNOWN
    assert classify(400, {}, nested).outcome is Outcome.FATAL  # not the API's words


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e309", "-5", "99999999999", "ten"])
def test_absurd_rate_limit_numbers_count_as_absent_and_a_200_is_still_sent(value):
    headers = {"X-RateLimit-Remaining": value, "X-RateLimit-Limit": value}
    result = classify(200, headers, OK)
    assert result.outcome is Outcome.SENT
    assert (result.rate.remaining, result.rate.limit) == (None, None)


def test_an_absurd_reset_does_not_block_a_pool_for_years():
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "9999-12-31T00:00:00Z"}
    result = classify(200, headers, OK)
    pool = observe(Pool("", Endpoint.MESSAGE), result.rate, NOW)
    assert pool.blocked_until == datetime(2026, 1, 16, tzinfo=UTC)  # the next 00:00 UTC


def test_a_429_with_only_retry_after_seconds_waits_that_long():
    result = classify(429, {"Retry-After": "120"}, b'{"error": "Too many requests"}')
    assert result.outcome is Outcome.RATE_LIMITED and result.retry_after == 120
    pool = exhausted(Pool("", Endpoint.MESSAGE), result.reset, result.detail, NOW, 120)
    assert pool.blocked_until == NOW + timedelta(minutes=2)


def test_a_429_with_only_an_http_date_waits_until_then():
    result = classify(429, {"Retry-After": "Thu, 15 Jan 2026 11:30:00 GMT"}, b"")
    assert result.reset == datetime(2026, 1, 15, 11, 30, tzinfo=UTC)
    pool = exhausted(Pool("", Endpoint.MESSAGE), result.reset, result.detail, NOW)
    assert pool.blocked_until == datetime(2026, 1, 15, 11, 30, tzinfo=UTC)


def test_the_rate_limit_reset_header_wins_over_retry_after():
    headers = {"X-RateLimit-Reset": "2026-01-16T00:00:00Z", "Retry-After": "60"}
    result = classify(429, headers, b"")
    assert (result.reset, result.retry_after) == (datetime(2026, 1, 16, tzinfo=UTC), None)


def test_a_garbled_retry_after_falls_back_to_midnight():
    result = classify(429, {"Retry-After": "soon"}, b"")
    assert (result.reset, result.retry_after) == (None, None)
    pool = exhausted(Pool("", Endpoint.MESSAGE), None, result.detail, NOW)
    assert pool.blocked_until == datetime(2026, 1, 16, tzinfo=UTC)
