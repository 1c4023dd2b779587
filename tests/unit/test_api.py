"""The HTTP client: each answer and network failure classified, retries only when safe."""

import socket

import httpx
import pytest

from runner.answers import Outcome, classify
from runner.api import ApiClient, ApiTarget, check_base_url, make_http_client
from runner.campaign import MessageType
from runner.clock import FakeClock
from runner.errors import ConfigError
from runner.plans import Endpoint, SendPlan
from runner.recipient import Recipient
from runner.sandbox import Sandbox
from tests.support.campaign import API_KEY
from tests.support.faults import Fault, FaultKind

PLAN = SendPlan(
    row=2,
    recipient=Recipient("ann-1", None),
    endpoint=Endpoint.MESSAGE,
    account="",
    message="Hi Ann",
)
GROUP_PLAN = SendPlan(
    row=3,
    recipient=Recipient(None, "urn:li:fsd_profile:ACoAAforbidden"),
    endpoint=Endpoint.SEND_GROUP,
    account="",
    message="Hi",
    group_id="42",
)


@pytest.fixture
def client(api):
    target = ApiTarget(api.base_url, API_KEY, timeout=0.5)
    with make_http_client(target) as http:
        yield ApiClient(http, api.clock)


def test_sent(client, api):
    result = client.send(PLAN)
    assert result.outcome is Outcome.SENT
    assert result.recipient_urn.startswith("urn:li:fsd_profile:")
    assert result.rate.limit == 100 and result.rate.remaining == 99
    assert len(api.sim.delivered()) == 1


def test_404_and_403_fail_with_the_api_text(client):
    result = client.send(
        SendPlan(
            row=2,
            recipient=Recipient("invalid-x", None),
            endpoint=Endpoint.MESSAGE,
            account="",
            message="Hi",
        )
    )
    assert result.outcome is Outcome.FAILED
    assert result.detail == "HTTP 404: LinkedIn profile not found: invalid-x"
    result = client.send(GROUP_PLAN)
    assert result.outcome is Outcome.FAILED
    assert result.detail.startswith("HTTP 403: Error sending group context message")
    assert "UNAUTHORIZED_VIEWER" in result.detail


def test_400_fails(client):
    plan = SendPlan(
        row=2,
        recipient=Recipient("ann", None),
        endpoint=Endpoint.MESSAGE,
        account="",
        message="Hi",
        message_type=MessageType.INMAIL,
    )
    result = client.send(plan)
    assert result.outcome is Outcome.FAILED and result.detail.startswith("HTTP 400:")


def test_401_is_fatal(api):
    with make_http_client(ApiTarget(api.base_url, "wrong-key", 1)) as http:
        result = ApiClient(http, api.clock).send(PLAN)
    assert result.outcome is Outcome.FATAL
    assert result.detail == (
        "the API refused the API key (HTTP 401: Unauthorized); check CONNECTSAFELY_API_KEY"
    )
    assert api.sim.delivered() == []


@pytest.mark.parametrize("status", [500, 503])
def test_500_and_503_are_retried_with_backoff(client, api, status):
    api.sim.inject(
        Fault(
            FaultKind.STATUS,
            times=2,
            status=status,
            body={"error": "Failed to get LinkedIn authentication credentials", "success": False},
        )
    )
    result = client.send(PLAN)
    assert result.outcome is Outcome.SENT
    assert len(api.sim.received) == 3
    assert api.clock.slept == [2.0, 4.0]


def test_persistent_503_leaves_the_row_for_later(client, api):
    api.sim.inject(Fault(FaultKind.STATUS, times=10, status=503, body={"error": "down"}))
    result = client.send(PLAN)
    assert result.outcome is Outcome.RETRY_LATER
    assert result.detail == "HTTP 503: down"
    assert len(api.sim.received) == 4 and api.sim.delivered() == []


def test_429_reads_reset_from_header(client, api):
    api.sim.inject(
        Fault(
            FaultKind.STATUS,
            status=429,
            body={"error": "Rate limit exceeded for MESSAGE: 100/100 used", "success": False},
            headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2026-01-16T00:00:00.000Z"},
        )
    )
    result = client.send(PLAN)
    assert result.outcome is Outcome.RATE_LIMITED
    assert result.reset.isoformat() == "2026-01-16T00:00:00+00:00"
    assert len(api.sim.received) == 1  # a 429 is not retried


def test_read_timeout_after_sending_is_unknown_and_not_retried(client, api):
    api.sim.inject(Fault(FaultKind.HANG, seconds=2))
    result = client.send(PLAN)
    assert result.outcome is Outcome.UNKNOWN
    assert "may have been delivered" in result.detail
    assert len(api.sim.delivered()) == 1 and len(api.sim.received) == 1


def test_dropped_connection_is_unknown(client, api):
    api.sim.inject(Fault(FaultKind.DROP_AFTER))
    assert client.send(PLAN).outcome is Outcome.UNKNOWN
    assert len(api.sim.received) == 1


def test_connection_refused_is_retried_then_left_pending():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    clock = FakeClock()
    target = ApiTarget(f"http://127.0.0.1:{port}/linkedin", API_KEY, timeout=1)
    with make_http_client(target) as http:
        result = ApiClient(http, clock).send(PLAN)
    assert result.outcome is Outcome.RETRY_LATER
    assert result.detail.startswith("cannot reach the API")
    assert clock.slept == [2.0, 4.0, 8.0]


@pytest.mark.parametrize(
    ("status", "body", "outcome"),
    [
        (200, b'{"success": true, "recipientProfileUrn": "urn:li:fsd_profile:X"}', Outcome.SENT),
        (200, b"<html>oops</html>", Outcome.UNKNOWN),
        (200, b'{"success": false, "error": "nope"}', Outcome.FAILED),
        (502, b"Bad Gateway", Outcome.UNKNOWN),
        (404, b'{"error": {"message": "gone"}}', Outcome.FAILED),
        (429, b'{"error": "slow down", "holdUntil": "2026-01-15T10:00:00Z"}', Outcome.RATE_LIMITED),
    ],
)
def test_classify(status, body, outcome):
    assert classify(status, {}, body).outcome is outcome


def test_classify_429_reset_sources():
    assert classify(429, {}, b'{"holdUntil": "2026-01-15T10:00:00Z"}').reset.hour == 10
    text = b'{"error": "Rate limit exceeded. Resets at 2026-01-16T00:00:00.000Z"}'
    assert classify(429, {}, text).reset.day == 16
    assert classify(429, {}, b'{"error": "150/150 used"}').reset is None
    # A hold later than the quota's reset wins: do not retry before it.
    headers = {"x-ratelimit-reset": "2026-01-15T10:00:00Z"}
    held = classify(429, headers, b'{"holdUntil": "2026-01-15T11:00:00Z"}')
    assert held.reset.hour == 11


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/x",
        "http://localhost/x",
        "http://[::1]:9/x",
        "https://api.example.com/linkedin/",
    ],
)
def test_base_url_allowed(url):
    assert check_base_url(url, "test") == url.rstrip("/")


@pytest.mark.parametrize(
    "url", ["http://api.example.com/linkedin", "http://10.0.0.1/x", "ftp://x/y", "api.example.com"]
)
def test_base_url_refused(url):
    with pytest.raises(ConfigError):
        check_base_url(url, "test")


def test_api_key_not_in_repr():
    assert API_KEY not in repr(ApiTarget("https://x", API_KEY, 1))


def test_in_process_transport_matches_loopback():
    from runner.sandbox import transport

    clock = FakeClock()
    sim = Sandbox(API_KEY, clock)
    with make_http_client(
        ApiTarget("http://sandbox.invalid/linkedin", API_KEY, 1), transport(sim)
    ) as http:
        assert ApiClient(http, clock).send(PLAN).outcome is Outcome.SENT
    assert isinstance(http, httpx.Client) and len(sim.delivered()) == 1


def test_the_campaign_timeout_is_the_request_timeout():
    with make_http_client(ApiTarget("https://x.example", API_KEY, timeout=7.5)) as http:
        assert http.timeout.read == 7.5 and http.timeout.write == 7.5
        assert http.timeout.connect == 7.5
    with make_http_client(ApiTarget("https://x.example", API_KEY, timeout=60)) as http:
        assert http.timeout.read == 60 and http.timeout.connect == 10
